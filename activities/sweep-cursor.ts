/**
 * A sweep's resume position is the last screened subject's raw key (the population is read in
 * `_id` order). It travels through the workflow history, so it is sealed with AES-256-GCM under
 * the sweep-cursor key HKDF-derived from the master secret (domain/keys.ts): the history holds an
 * opaque token, never a resident ID. A cursor opens under the current secret or any previous one
 * of the key ring, so a rotation does not break a sweep in flight. Cursors sealed before the
 * HKDF derivation (a sha256 of the secret) do not open: such a sweep fails once with a
 * non-retryable InvalidInput and is launched again (its slices are idempotent).
 */
import { ApplicationFailure } from '@temporalio/common';
import { seal, unseal } from '../domain/seal.js';
import { ErrorType } from '../workflows/contracts/index.js';

/** Seals a raw key into an opaque, tamper-evident token under the (current) master secret. */
export function sealCursor(rawKey: string, secret: string): string {
  return seal(rawKey, secret, 'sweepCursor');
}

/** Opens a token sealed under one of `secrets` (current first); a non-retryable InvalidInput failure otherwise. */
export function openCursor(token: string, secrets: string | readonly string[]): string {
  const opened = unseal(token, typeof secrets === 'string' ? [secrets] : secrets, 'sweepCursor');
  if (opened !== undefined) return opened;
  throw ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: 'the sweep cursor cannot be opened: it was sealed with another pseudonym secret or altered',
    nonRetryable: true,
  });
}
