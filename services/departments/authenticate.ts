/**
 * Who signed a department request (domain/department-signature.ts): the claimed department and
 * key are looked up in the register (one `_id` read), the key's secret is derived again from a
 * master secret on the ring — the one whose fingerprint the register holds, so keys issued before
 * a rotation of the master keep working while it stays on the ring — and the signature compared in
 * constant time. The timestamp must be within five minutes, and the nonce new. A failure gives
 * its reason, for the log only: the caller answers every failure alike.
 */
import type { Connection } from 'mongoose';
import {
  claimProblem,
  departmentSecret,
  fingerprintMatches,
  signatureMatches,
  timestampInWindow,
  type DepartmentClaim,
} from '../../domain/department-signature.js';
import { publisherOf, type Publisher } from '../../domain/departments.js';
import { ringSecrets, type SubjectKeyRing } from '../../domain/pseudonym.js';
import type { Text } from '../../domain/sources.js';
import { findDepartment, keyUsable, specOf } from '../../store/departments.js';
import { NONCE_TTL_MS, type NonceStore } from './nonces.js';

/** A department that signed a request: what it may publish, its name and the key it used. */
export interface DepartmentPrincipal extends Publisher {
  name: Text;
  keyId: string;
}

/** The principal, or why the request is not a department's (for the log; never for the answer). */
export type DepartmentAuthentication = { principal: DepartmentPrincipal } | { failure: string };

export interface DepartmentAuthenticatorDeps {
  store: Connection;
  /** The master secrets the keys are derived from (current first). */
  keys: SubjectKeyRing;
  nonces: NonceStore;
  /** Unix seconds now (tests move the clock). */
  nowSeconds?: () => number;
}

/** Verifies signed requests against the department register; see the file comment. */
export function createDepartmentAuthenticator(
  deps: DepartmentAuthenticatorDeps,
): (claim: Partial<DepartmentClaim>) => Promise<DepartmentAuthentication> {
  const masters = ringSecrets(deps.keys);
  const nowSeconds = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return async (partial) => {
    const problem = claimProblem(partial);
    if (problem) return { failure: problem };
    const claim = partial as DepartmentClaim;
    if (!timestampInWindow(claim.timestamp, nowSeconds()))
      return { failure: `timestamp ${claim.timestamp} is outside the window` };
    const record = await findDepartment(deps.store, claim.department);
    if (!record) return { failure: `department ${claim.department} is not registered` };
    const key = record.credentials.find((candidate) => candidate.keyId === claim.keyId);
    if (!key) return { failure: `department ${claim.department} has no key ${claim.keyId}` };
    if (!keyUsable(key, new Date()))
      return {
        failure: `key ${claim.keyId} of ${claim.department} is ${key.status === 'revoked' ? 'revoked' : 'expired'}`,
      };
    const secret = masters
      .map((master) => departmentSecret(master, claim.department, claim.keyId))
      .find((candidate) => fingerprintMatches(candidate, key.fingerprint));
    if (!secret)
      return {
        failure: `key ${claim.keyId} of ${claim.department} was issued under a master secret that is not on the ring`,
      };
    if (!signatureMatches(secret, claim)) return { failure: `the signature does not match key ${claim.keyId}` };
    // Last, so a nonce is spent only by a request that is otherwise good.
    if (!(await deps.nonces.claim(`${claim.department}:${claim.nonce}`, NONCE_TTL_MS)))
      return { failure: `nonce ${claim.nonce} was used before (a replay)` };
    return { principal: { ...publisherOf(specOf(record)), name: specOf(record).name, keyId: claim.keyId } };
  };
}
