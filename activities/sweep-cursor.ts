/**
 * A sweep's resume position is the last screened subject's raw key (the population is read in
 * `_id` order). It travels through the workflow history, so it is sealed with AES-256-GCM under
 * a key derived from the pseudonym secret: the history holds an opaque token, never a resident ID.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../workflows/contracts/index.js';

const keyOf = (secret: string) => createHash('sha256').update(`applyfree sweep cursor\u0000${secret}`).digest();

/** Seals a raw key into an opaque, tamper-evident token. */
export function sealCursor(rawKey: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const body = Buffer.concat([cipher.update(rawKey, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a token sealed with the same secret; a non-retryable InvalidInput failure otherwise. */
export function openCursor(token: string, secret: string): string {
  try {
    const bytes = Buffer.from(token, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: 'the sweep cursor cannot be opened: it was sealed with another pseudonym secret or altered',
      nonRetryable: true,
    });
  }
}
