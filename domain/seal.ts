/**
 * Text sealed at rest with AES-256-GCM under a key HKDF-derived for one purpose (domain/keys.ts):
 * a random 96-bit IV, the tag and the ciphertext in one base64url token, tamper-evident. A token
 * opens under the current master secret or any previous one of the key ring, so a rotation does not
 * strand what was sealed before it. Sweep cursors (activities/sweep-cursor.ts) and the values a data
 * correction replaced (store/corrections.ts) are sealed so. Pure Node crypto; no store.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey, type KeyPurpose } from './keys.js';

/** Seals text under the purpose's key from the (current) master secret. */
export function seal(text: string, secret: string, purpose: KeyPurpose): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a token sealed under one of `secrets` (current first); undefined when none opens it (another key, or altered). */
export function unseal(token: string, secrets: readonly string[], purpose: KeyPurpose): string | undefined {
  const bytes = Buffer.from(token, 'base64url');
  for (const secret of secrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, purpose), bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Not sealed under this secret (or altered): try the next one.
    }
  }
  return undefined;
}
