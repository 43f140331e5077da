/**
 * Keyed pseudonymous subject keys. Workflow IDs, search attributes, queue payloads and
 * logs carry these instead of a resident ID or credit code: the key is an HMAC of the
 * identifier, so it cannot be reversed without the secret and the system of record.
 *
 * Rotating the secret changes every key: existing workflow IDs, grants, notices and the
 * `subjects` collection would no longer match newly computed keys. A rotation is therefore
 * a migration (re-key `subjects` and every record that carries a key), not a config edit.
 */
import { createHmac } from 'node:crypto';

export type SubjectKeyKind = 'person' | 'enterprise';

/** Development-only secret used when config has none; never use it for real data. */
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
 * The pseudonymous key of a subject: `p_`/`e_` + base32 of HMAC-SHA256(secret, kind:id),
 * truncated to 26 characters (130 bits). Deterministic for a given secret.
 */
export function subjectKey(kind: SubjectKeyKind, id: string, secret: string): string {
  if (!secret) throw new RangeError('subjectKey needs a non-empty secret');
  const digest = createHmac('sha256', secret)
    .update(`${kind}:${normaliseSubjectId(id)}`)
    .digest();
  return PREFIX[kind] + base32(digest, KEY_LENGTH);
}

/** The kind a subject key names, or undefined when it is not a subject key. */
export function subjectKeyKind(key: string): SubjectKeyKind | undefined {
  if (!SUBJECT_KEY_PATTERN.test(key)) return undefined;
  return key.startsWith('p_') ? 'person' : 'enterprise';
}
