/**
 * Signed requests from departments: the scheme of domain/signed-request.ts under the header
 * `x-applyfree-department` and the HKDF purpose `departmentCredential` (context
 * `<department ID>/<key ID>`). `signDepartmentRequest` is the signing helper registries (and the
 * tests) use; README "Departments" shows the same in a shell.
 */
import {
  partySecret,
  SIGNED_REQUEST_HEADERS,
  signedClaimProblem,
  signRequest,
  type SignedParts,
  type SignedRequestScheme,
} from './signed-request.js';

export {
  credentialFingerprint,
  fingerprintMatches,
  KEY_ID_PATTERN,
  newKeyId,
  NONCE_PATTERN,
  requestSignature as departmentSignature,
  SIGNATURE_WINDOW_SECONDS,
  signatureMatches,
  signingString,
  timestampInWindow,
  type SignedParts,
} from './signed-request.js';

/** The request headers of the scheme, lower-case as Node reads them. */
export const DEPARTMENT_HEADERS = { department: 'x-applyfree-department', ...SIGNED_REQUEST_HEADERS } as const;

/** Departments' signed requests: their header and their keys' purpose. */
export const DEPARTMENT_SCHEME: SignedRequestScheme = {
  partyHeader: DEPARTMENT_HEADERS.department,
  purpose: 'departmentCredential',
};

/** What a department holds: shown once when the key is issued. */
export interface DepartmentCredential {
  department: string;
  keyId: string;
  /** base64url text; used as the HMAC key as it is written. */
  secret: string;
}

/** The secret of a department's key under a master secret (deterministic: the server derives it again to verify). */
export const departmentSecret = (master: string, department: string, keyId: string): string =>
  partySecret(DEPARTMENT_SCHEME, master, department, keyId);

/**
 * The five headers that sign one request as the credential's department. `body` must be exactly
 * the bytes sent. Each call uses a new nonce; `timestamp` (unix seconds) defaults to now.
 */
export const signDepartmentRequest = (
  credential: DepartmentCredential,
  request: { method: string; path: string; body?: string | Buffer },
  options: { timestamp?: number; nonce?: string } = {},
): Record<string, string> =>
  signRequest(DEPARTMENT_SCHEME, { party: credential.department, ...credential }, request, options);

/** What a signed request claims: who signed it, with which key, when, and the signature. */
export interface DepartmentClaim extends SignedParts {
  department: string;
  keyId: string;
  signature: string;
}

/** Why a claim is malformed (a header missing or ill-formed), or undefined when every header is well-formed. */
export const claimProblem = (claim: Partial<DepartmentClaim>): string | undefined =>
  signedClaimProblem({ ...claim, party: claim.department }, 'department');
