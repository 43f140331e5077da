/**
 * Per-purpose keys derived from one master secret (APPLYFREE_SUBJECT_KEY_SECRET) with HKDF-SHA256
 * (RFC 5869). Each purpose has its own `info`, so what one key protects says nothing about
 * another, no consumer holds the master, and a purpose can change its derivation (`/v2`) alone.
 * Purposes are registered here once, like refusal codes: a name never means two keys.
 */
import { hkdfSync } from 'node:crypto';

/** Every purpose a key is derived for, and its HKDF `info`. */
export const KEY_PURPOSES = {
  /** HMAC key of the pseudonymous subject keys (domain/pseudonym.ts). */
  pseudonym: 'applyfree/pseudonym/v1',
  /** AES-256-GCM key sealing a sweep's resume position in its history (activities/sweep-cursor.ts). */
  sweepCursor: 'applyfree/sweep-cursor/v1',
  /** HMAC key signing webhook notices to the SMS or push gateway (notices/webhook.ts). */
  webhookSigning: 'applyfree/webhook-signing/v1',
  /**
   * A department's credential: the secret of each key a department signs its requests with
   * (`context` = `<department ID>/<key ID>`, domain/department-signature.ts), and the key signing
   * verification calls to it (`context` = its ID). IDs are kebab-case: the contexts never meet.
   */
  departmentCredential: 'applyfree/department-credential/v1',
  /**
   * A verifier's credential (a bank, a park, a department's counter that scans resident and
   * enterprise codes): the secret of each of its keys (`context` = `<verifier ID>/<key ID>`,
   * domain/verifier-signature.ts). Its own purpose: a verifier and a department of the same ID
   * never share a secret.
   */
  verifierCredential: 'applyfree/verifier-credential/v1',
  /** HMAC key signing the resident and enterprise codes' tokens (domain/codes.ts). */
  codeToken: 'applyfree/code-token/v1',
  /**
   * AES-256-GCM key sealing the value a confirmed data correction replaced (store/corrections.ts),
   * so the correction can be reverted without the old value of a sensitive fact lying in the clear.
   */
  correctionOldValue: 'applyfree/correction-old-value/v1',
  /**
   * HMAC key signing the answers of verifications applyfree gives other departments
   * (services/verifications/answer.ts) when the certifying department has no active e-seal
   * (`context` = the certifying department's ID).
   */
  verificationAnswer: 'applyfree/verification-answer/v1',
  /** Reserved: the keyed hash chain of an audit stream (`context` = the stream's name). */
  auditChain: 'applyfree/audit-chain/v1',
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;

/** Public and fixed: HKDF's extract step only needs it to be the same everywhere. */
const SALT = 'applyfree key derivation v1';
const KEY_BYTES = 32;
const derived = new Map<string, Buffer>();

/**
 * The 32-byte key for `purpose` (and a sub-context such as a department ID) under a master
 * secret. Deterministic; memoised, since sweeps and seeds key millions of subjects.
 */
export function deriveKey(master: string, purpose: KeyPurpose, context = ''): Buffer {
  if (!master) throw new RangeError('deriveKey needs a non-empty master secret');
  if (!Object.hasOwn(KEY_PURPOSES, purpose)) throw new RangeError(`deriveKey: unknown purpose "${purpose}"`);
  const info = context ? `${KEY_PURPOSES[purpose]}\u0000${context}` : KEY_PURPOSES[purpose];
  const memo = `${info}\u0000${master}`;
  let key = derived.get(memo);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', master, SALT, info, KEY_BYTES));
    derived.set(memo, key);
  }
  return key;
}
