/**
 * Signed requests from verifiers (扫码核验方): the scheme of domain/signed-request.ts — the same
 * signing string, window and nonce rule as departments — under the header `x-applyfree-verifier`
 * and the HKDF purpose `verifierCredential` (context `<verifier ID>/<key ID>`). A verifier signs
 * each POST /codes/scan; README "Resident and enterprise codes" shows the same in a shell.
 */
import {
  partySecret,
  SIGNED_REQUEST_HEADERS,
  signedClaimProblem,
  signRequest,
  type SignedClaim,
  type SignedRequestScheme,
} from './signed-request.js';

/** The request headers of a verifier's signed request, lower-case as Node reads them. */
export const VERIFIER_HEADERS = { verifier: 'x-applyfree-verifier', ...SIGNED_REQUEST_HEADERS } as const;

/** Verifiers' signed requests: their header and their keys' purpose. */
export const VERIFIER_SCHEME: SignedRequestScheme = {
  partyHeader: VERIFIER_HEADERS.verifier,
  purpose: 'verifierCredential',
};

/** What a verifier holds: shown once when the key is issued. */
export interface VerifierCredential {
  verifier: string;
  keyId: string;
  /** base64url text; used as the HMAC key as it is written. */
  secret: string;
}

/** The secret of a verifier's key under a master secret (the server derives it again to verify). */
export const verifierSecret = (master: string, verifier: string, keyId: string): string =>
  partySecret(VERIFIER_SCHEME, master, verifier, keyId);

/** The five headers that sign one request as the credential's verifier; `body` must be exactly the bytes sent. */
export const signVerifierRequest = (
  credential: VerifierCredential,
  request: { method: string; path: string; body?: string | Buffer },
  options: { timestamp?: number; nonce?: string } = {},
): Record<string, string> =>
  signRequest(VERIFIER_SCHEME, { party: credential.verifier, ...credential }, request, options);

/** What a verifier's signed request claims. */
export type VerifierClaim = SignedClaim;

/** Why a verifier's claim is malformed, or undefined when every header is well-formed. */
export const verifierClaimProblem = (claim: Partial<VerifierClaim>): string | undefined =>
  signedClaimProblem(claim, 'verifier');
