/**
 * A sweep's resume position is the last screened subject's raw key (the population is read in
 * `_id` order). It travels through the workflow history, so it is sealed with AES-256-GCM under
 * the sweep-cursor key HKDF-derived from the master secret (domain/keys.ts): the history holds an
 * opaque token, never a resident ID. A cursor opens under the current secret or any previous one
 * of the key ring, so a rotation does not break a sweep in flight. Cursors sealed before the
 * HKDF derivation (a sha256 of the secret) do not open: such a sweep fails once with a
 * non-retryable InvalidInput and is launched again (its slices are idempotent).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { deriveKey } from '../domain/keys.js';
import { ErrorType } from '../workflows/contracts/index.js';

/** Seals a raw key into an opaque, tamper-evident token under the (current) master secret. */
export function sealCursor(rawKey: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, 'sweepCursor'), iv);
  const body = Buffer.concat([cipher.update(rawKey, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a token sealed under one of `secrets` (current first); a non-retryable InvalidInput failure otherwise. */
export function openCursor(token: string, secrets: string | readonly string[]): string {
  const bytes = Buffer.from(token, 'base64url');
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, 'sweepCursor'), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Not sealed under this secret (or altered): try the next one.
    }
  }
  throw ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: 'the sweep cursor cannot be opened: it was sealed with another pseudonym secret or altered',
    nonRetryable: true,
  });
}
