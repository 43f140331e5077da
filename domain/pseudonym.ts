/**
 * Keyed pseudonymous subject keys. Workflow IDs, search attributes, queue payloads and
 * logs carry these instead of a resident ID or credit code: the key is an HMAC of the
 * identifier under the pseudonym key derived from the master secret (domain/keys.ts), so it
 * cannot be reversed without the secret and the system of record.
 *
 * A subject keeps the key it was first registered under: its key is part of workflow IDs and
 * records. Rotating the secret therefore adds a key ring (SubjectKeyRing): new subjects get the
 * current key, known ones are found under whichever key registered them (store/subjects.ts).
 */
import { createHmac } from 'node:crypto';
import { deriveKey } from './keys.js';

export type SubjectKeyKind = 'person' | 'enterprise';

/**
 * The published development secret: workers/config.ts uses it when no secret is set in
 * development, and refuses it in production. Never use it for real data.
 */
export const DEVELOPMENT_SUBJECT_KEY_SECRET = 'applyfree-development-subject-key-secret-not-for-production';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY_LENGTH = 26;
const PREFIX: Record<SubjectKeyKind, string> = { person: 'p_', enterprise: 'e_' };

/** The pattern every subject key matches: `p_` or `e_` then 26 lowercase base32 characters. */
export const SUBJECT_KEY_PATTERN = /^[pe]_[a-z2-7]{26}$/;

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

/** Normalises an identifier before keying: trimmed and upper-case (a lower-case x check digit keys the same). */
export function normaliseSubjectId(id: string): string {
  return id.trim().toUpperCase();
}

/**
 * The pseudonymous key of a subject: `p_`/`e_` + base32 of HMAC-SHA256(pseudonym key, kind:id),
 * truncated to 26 characters (130 bits), where the pseudonym key is HKDF-derived from the master
 * `secret`. Deterministic for a given secret.
 */
export function subjectKey(kind: SubjectKeyKind, id: string, secret: string): string {
  if (!secret) throw new RangeError('subjectKey needs a non-empty secret');
  const digest = createHmac('sha256', deriveKey(secret, 'pseudonym'))
    .update(`${kind}:${normaliseSubjectId(id)}`)
    .digest();
  return PREFIX[kind] + base32(digest, KEY_LENGTH);
}

/** The kind a subject key names, or undefined when it is not a subject key. */
export function subjectKeyKind(key: string): SubjectKeyKind | undefined {
  if (!SUBJECT_KEY_PATTERN.test(key)) return undefined;
  return key.startsWith('p_') ? 'person' : 'enterprise';
}

/**
 * The pseudonym key ring: the current master secret, under which new subjects are keyed, and
 * older ones whose subjects keep their keys (APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS). Services'
 * dependencies extend it, so a ring travels as two plain fields.
 */
export interface SubjectKeyRing {
  subjectKeySecret: string;
  previousSubjectKeySecrets?: readonly string[];
}

/** The master secrets of a ring, current first, each once. */
export function ringSecrets(ring: SubjectKeyRing): string[] {
  return [...new Set([ring.subjectKeySecret, ...(ring.previousSubjectKeySecrets ?? [])])];
}

/** The keys an identifier may be registered under, current key first: what resolution tries, in order. */
export function candidateSubjectKeys(ring: SubjectKeyRing, kind: SubjectKeyKind, id: string): string[] {
  return [...new Set(ringSecrets(ring).map((secret) => subjectKey(kind, id, secret)))];
}
