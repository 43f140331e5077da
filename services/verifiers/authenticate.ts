/**
 * Who signed a scan (domain/verifier-signature.ts): the verifier register's entry, verified as every
 * signing party is (services/signed-requests/authenticate.ts: key, master on the ring, signature,
 * window, nonce — nonces kept apart from departments' under `verifier:`). A failure gives its
 * reason, for the log only: the caller answers every failure alike.
 */
import type { Connection } from 'mongoose';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import type { Text } from '../../domain/sources.js';
import { verifierClaimProblem, VERIFIER_SCHEME, type VerifierClaim } from '../../domain/verifier-signature.js';
import type { VerifierKind } from '../../domain/verifiers.js';
import { findVerifier } from '../../store/verifiers.js';
import type { NonceStore } from '../departments/nonces.js';
import { createSignedRequestAuthenticator } from '../signed-requests/authenticate.js';

/** A verifier that signed a request: who it is, what it may check, and the key it used. */
export interface VerifierPrincipal {
  id: string;
  name: Text;
  kind: VerifierKind;
  department?: string;
  matters: readonly string[];
  keyId: string;
}

/** The principal, or why the request is not a verifier's (for the log; never for the answer). */
export type VerifierAuthentication = { principal: VerifierPrincipal } | { failure: string };

export interface VerifierAuthenticatorDeps {
  store: Connection;
  /** The master secrets the keys are derived from (current first). */
  keys: SubjectKeyRing;
  nonces: NonceStore;
  /** Unix seconds now (tests move the clock). */
  nowSeconds?: () => number;
}

/** Verifies verifiers' signed requests against their register. */
export function createVerifierAuthenticator(
  deps: VerifierAuthenticatorDeps,
): (claim: Partial<VerifierClaim>) => Promise<VerifierAuthentication> {
  const authenticate = createSignedRequestAuthenticator({
    scheme: VERIFIER_SCHEME,
    partyWord: 'verifier',
    problem: verifierClaimProblem,
    find: (id) => findVerifier(deps.store, id),
    keys: deps.keys,
    nonces: deps.nonces,
    nonceKey: (claim) => `verifier:${claim.party}:${claim.nonce}`,
    ...(deps.nowSeconds ? { nowSeconds: deps.nowSeconds } : {}),
  });
  return async (claim) => {
    const result = await authenticate(claim);
    if ('failure' in result) return result;
    const { record } = result;
    return {
      principal: {
        id: record._id,
        name: { zh: record.name.zh, en: record.name.en },
        kind: record.kind,
        ...(record.department ? { department: record.department } : {}),
        matters: record.matters,
        keyId: result.keyId,
      },
    };
  };
}
