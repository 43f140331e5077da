/**
 * The canonical form of a stored record, which the audit chain hashes: domain/canonical.ts (keys
 * sorted at every depth, dates as ISO instants, BSON types by value, null and absent alike), the
 * same form certificates are signed in.
 */
import { createHash } from 'node:crypto';
import { canonicalRecord } from '../domain/canonical.js';

export { canonicalRecord };

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The hash a block lists for one record: sha256 of its stream and canonical content. The
 * record's identity (`_id`, or an objection step's key) is not part of it: the block pairs each
 * identity with its hash, so content moved from one record to another shows up as a reorder.
 */
export function recordHash(stream: string, content: object): string {
  return sha256(`${stream}\n${canonicalRecord(content)}`);
}
