/**
 * The end-to-end ID a payment line travels under: derived from the line's business key (policy,
 * subject key, period…), so a retried export writes the same ID, and short and plain enough for
 * every bank (34 characters of A-Z and 2-7). The key is already pseudonymous; hashing it keeps
 * even that off the bank's statements. Store it on the payment line to find the line again from
 * the bank's answer.
 */
import { createHash } from 'node:crypto';
import { base32 } from '../../../domain/base32.js';

/** `AF` and the first 32 base-32 characters (160 bits) of the SHA-256 of the business key. */
export function endToEndIdFor(businessKey: string): string {
  if (businessKey === '') throw new RangeError('endToEndIdFor: the business key is empty');
  return `AF${base32(createHash('sha256').update(businessKey, 'utf8').digest()).slice(0, 32)}`;
}
