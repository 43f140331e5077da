/**
 * How the register commands (`applyfree department`, `applyfree verifier`) show a signing party's
 * keys: each key's status in a line, the keys for --json (never a fingerprint or a secret), and
 * what a rotation left working.
 */
import { keyUsable, type CredentialRecord } from '../store/credentials.js';

/** A key's status as a line says it: active (until), expired, revoked. */
export function keyStatus(key: CredentialRecord, now: Date): string {
  if (key.status === 'revoked') return `revoked ${key.revokedAt?.toISOString() ?? ''}`.trim();
  if (key.expiresAt && key.expiresAt <= now) return `expired ${key.expiresAt.toISOString()}`;
  return key.expiresAt ? `active until ${key.expiresAt.toISOString()}` : 'active';
}

/** One line per key. */
export const keyLines = (credentials: readonly CredentialRecord[], now: Date): string[] =>
  credentials.map((key) => `  key ${key.keyId} ${keyStatus(key, now)} · issued ${key.createdAt.toISOString()}`);

/** How many keys work now, in words. */
export function usableKeys(credentials: readonly CredentialRecord[], now: Date): string {
  const usable = credentials.filter((key) => keyUsable(key, now)).length;
  return usable > 0 ? `${usable} active key${usable > 1 ? 's' : ''}` : 'no active key';
}

/** The keys for --json: ID, status (expired told apart), dates; never a fingerprint or a secret. */
export const keysSummary = (credentials: readonly CredentialRecord[], now: Date) =>
  credentials.map((key) => ({
    keyId: key.keyId,
    status: key.status === 'active' && !keyUsable(key, now) ? 'expired' : key.status,
    createdAt: key.createdAt,
    ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    ...(key.revokedAt ? { revokedAt: key.revokedAt } : {}),
  }));

/** What a rotation left working beside the new key, in a line. */
export function graceLine(credentials: readonly CredentialRecord[], newKeyId: string, graceUntil: Date, now: Date) {
  const others = credentials.filter((key) => key.keyId !== newKeyId && keyUsable(key, now));
  return others.length > 0
    ? `the keys in use (${others.map((key) => key.keyId).join(', ')}) keep working until ${graceUntil.toISOString()}, unless revoked · 旧密钥在此之前仍然有效`
    : 'no other key works now · 无其他有效密钥';
}
