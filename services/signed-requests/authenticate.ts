/**
 * Who signed a request (domain/signed-request.ts), for every kind of signing party: the claimed
 * party and key are looked up in the party's register (one `_id` read), the key's secret is derived
 * again from a master secret on the ring — the one whose fingerprint the register holds, so keys
 * issued before a rotation of the master keep working while it stays on the ring — and the
 * signature compared in constant time. The timestamp must be within five minutes, and the nonce
 * new. A failure gives its reason, for the log only: the caller answers every failure alike.
 */
import {
  fingerprintMatches,
  partySecret,
  signatureMatches,
  timestampInWindow,
  type SignedClaim,
  type SignedRequestScheme,
} from '../../domain/signed-request.js';
import { ringSecrets, type SubjectKeyRing } from '../../domain/pseudonym.js';
import { keyUsable, type CredentialRecord } from '../../store/credentials.js';
import { NONCE_TTL_MS, type NonceStore } from '../departments/nonces.js';

/** The party's register entry and the key it signed with, or why the request is not the party's (for the log only). */
export type SignedAuthentication<R> = { record: R; keyId: string } | { failure: string };

export interface SignedRequestAuthenticatorDeps<R extends { credentials: CredentialRecord[] }> {
  scheme: SignedRequestScheme;
  /** How the log names the kind of party: `department`, `verifier`. */
  partyWord: string;
  /** Why the claim's headers are malformed, or undefined. */
  problem: (claim: Partial<SignedClaim>) => string | undefined;
  /** The party's register entry, by ID. */
  find: (party: string) => Promise<R | undefined>;
  /** The master secrets the keys are derived from (current first). */
  keys: SubjectKeyRing;
  nonces: NonceStore;
  /** The nonce's key in the store, so kinds of party never share one: `<party>:<nonce>` for departments. */
  nonceKey: (claim: SignedClaim) => string;
  /** Unix seconds now (tests move the clock). */
  nowSeconds?: () => number;
}

/** Verifies signed requests against a register; see the file comment. */
export function createSignedRequestAuthenticator<R extends { credentials: CredentialRecord[] }>(
  deps: SignedRequestAuthenticatorDeps<R>,
): (claim: Partial<SignedClaim>) => Promise<SignedAuthentication<R>> {
  const masters = ringSecrets(deps.keys);
  const nowSeconds = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const { partyWord: word } = deps;
  return async (partial) => {
    const problem = deps.problem(partial);
    if (problem) return { failure: problem };
    const claim = partial as SignedClaim;
    if (!timestampInWindow(claim.timestamp, nowSeconds()))
      return { failure: `timestamp ${claim.timestamp} is outside the window` };
    const record = await deps.find(claim.party);
    if (!record) return { failure: `${word} ${claim.party} is not registered` };
    const key = record.credentials.find((candidate) => candidate.keyId === claim.keyId);
    if (!key) return { failure: `${word} ${claim.party} has no key ${claim.keyId}` };
    if (!keyUsable(key, new Date()))
      return { failure: `key ${claim.keyId} of ${claim.party} is ${key.status === 'revoked' ? 'revoked' : 'expired'}` };
    const secret = masters
      .map((master) => partySecret(deps.scheme, master, claim.party, claim.keyId))
      .find((candidate) => fingerprintMatches(candidate, key.fingerprint));
    if (!secret)
      return {
        failure: `key ${claim.keyId} of ${claim.party} was issued under a master secret that is not on the ring`,
      };
    if (!signatureMatches(secret, claim)) return { failure: `the signature does not match key ${claim.keyId}` };
    // Last, so a nonce is spent only by a request that is otherwise good.
    if (!(await deps.nonces.claim(deps.nonceKey(claim), NONCE_TTL_MS)))
      return { failure: `nonce ${claim.nonce} was used before (a replay)` };
    return { record, keyId: claim.keyId };
  };
}
