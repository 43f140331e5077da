/**
 * Signed requests from parties that hold a key instead of a session: departments publishing life
 * events (domain/department-signature.ts) and verifiers scanning resident and enterprise codes
 * (domain/verifier-signature.ts). One scheme for both, so one verification serves them: a party's
 * credential is a key ID and a secret derived from the master secret under the party kind's own
 * HKDF purpose (context `<party ID>/<key ID>`), so the server never stores it, only its SHA-256
 * fingerprint. Each request carries five headers — the party's ID under its kind's header, then
 * the key, timestamp, nonce and signature shared by every kind — and the signature is the hex
 * HMAC-SHA256, under the secret's text, of
 *
 *     METHOD \n path \n timestamp \n nonce \n hex SHA-256 of the raw body
 *
 * (path: the request target as sent, query included; timestamp: unix seconds). The server refuses
 * a timestamp more than five minutes off and a nonce it has seen.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveKey, type KeyPurpose } from './keys.js';

/** The headers every kind of signed request shares, lower-case as Node reads them. */
export const SIGNED_REQUEST_HEADERS = {
  keyId: 'x-applyfree-key',
  timestamp: 'x-applyfree-timestamp',
  nonce: 'x-applyfree-nonce',
  signature: 'x-applyfree-signature',
} as const;

/** How far a request's timestamp may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;
/** A key ID: 16 hex digits, random per issuance. */
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
/** A nonce: 16 to 128 letters, digits, `_` or `-` (e.g. `openssl rand -hex 16`), never used twice. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;
/** The longest party ID a header may carry. */
const PARTY_ID_MAX = 64;

/** A kind of party that signs its requests: the header naming it and the HKDF purpose of its secrets. */
export interface SignedRequestScheme {
  /** The header carrying the party's ID, e.g. `x-applyfree-department`. */
  partyHeader: string;
  purpose: KeyPurpose;
}

/** What a party holds: shown once when the key is issued. */
export interface PartyCredential {
  party: string;
  keyId: string;
  /** base64url text; used as the HMAC key as it is written. */
  secret: string;
}

/** A fresh key ID. */
export const newKeyId = (): string => randomBytes(8).toString('hex');

/** The secret of a party's key under a master secret (deterministic: the server derives it again to verify). */
export function partySecret(scheme: SignedRequestScheme, master: string, party: string, keyId: string): string {
  return deriveKey(master, scheme.purpose, `${party}/${keyId}`).toString('base64url');
}

/** What the register keeps of a secret: its SHA-256, hex. */
export const credentialFingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex');

const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/** The parts of a request the signature covers. */
export interface SignedParts {
  method: string;
  /** The request target as sent: path and query. */
  path: string;
  timestamp: string;
  nonce: string;
  /** Hex SHA-256 of the raw body (of nothing, for a request without one). */
  bodySha256: string;
}

/** The text that is signed. */
export const signingString = (parts: SignedParts): string =>
  [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, parts.bodySha256].join('\n');

/** The hex signature of the parts under a secret. */
export const requestSignature = (secret: string, parts: SignedParts): string =>
  createHmac('sha256', secret).update(signingString(parts)).digest('hex');

/**
 * The five headers that sign one request as the credential's party. `body` must be exactly the
 * bytes sent. Each call uses a new nonce; `timestamp` (unix seconds) defaults to now.
 */
export function signRequest(
  scheme: SignedRequestScheme,
  credential: PartyCredential,
  request: { method: string; path: string; body?: string | Buffer },
  options: { timestamp?: number; nonce?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  const parts = {
    method: request.method,
    path: request.path,
    timestamp,
    nonce,
    bodySha256: sha256Hex(request.body ?? ''),
  };
  return {
    [scheme.partyHeader]: credential.party,
    [SIGNED_REQUEST_HEADERS.keyId]: credential.keyId,
    [SIGNED_REQUEST_HEADERS.timestamp]: timestamp,
    [SIGNED_REQUEST_HEADERS.nonce]: nonce,
    [SIGNED_REQUEST_HEADERS.signature]: requestSignature(credential.secret, parts),
  };
}

/** What a signed request claims: which party signed it, with which key, when, and the signature. */
export interface SignedClaim extends SignedParts {
  party: string;
  keyId: string;
  signature: string;
}

/** Why a claim is malformed (a header missing or ill-formed), or undefined when every header is well-formed. */
export function signedClaimProblem(claim: Partial<SignedClaim>, partyWord = 'party'): string | undefined {
  if (!claim.party || claim.party.length > PARTY_ID_MAX) return `no ${partyWord} header`;
  if (!claim.keyId || !KEY_ID_PATTERN.test(claim.keyId)) return 'no key ID, or a malformed one';
  if (!claim.timestamp || !TIMESTAMP_PATTERN.test(claim.timestamp)) return 'no timestamp, or not unix seconds';
  if (!claim.nonce || !NONCE_PATTERN.test(claim.nonce)) return 'no nonce, or a malformed one';
  if (!claim.signature || !SIGNATURE_PATTERN.test(claim.signature)) return 'no signature, or not 64 hex digits';
  return undefined;
}

/** Whether the timestamp (unix seconds) is within the window of now. */
export const timestampInWindow = (timestamp: string, nowSeconds: number): boolean =>
  Math.abs(nowSeconds - Number(timestamp)) <= SIGNATURE_WINDOW_SECONDS;

/** Whether the claim's signature is the secret's over its parts, compared in constant time. */
export function signatureMatches(secret: string, claim: SignedParts & { signature: string }): boolean {
  const expected = Buffer.from(requestSignature(secret, claim), 'hex');
  const given = Buffer.from(claim.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(expected, given);
}

/** Whether a secret is the one whose fingerprint the register holds, compared in constant time. */
export function fingerprintMatches(secret: string, fingerprint: string): boolean {
  const expected = Buffer.from(credentialFingerprint(secret), 'hex');
  const stored = Buffer.from(fingerprint, 'hex');
  return stored.length === expected.length && timingSafeEqual(expected, stored);
}
