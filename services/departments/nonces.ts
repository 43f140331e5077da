/**
 * Replay protection for signed department requests: a nonce is claimed once, atomically, across
 * every API process of a deployment (Redis `SET key 1 NX PX ttl`; the key expires by itself, so
 * nothing is purged). A claim outlives the signature window on both sides, so a request is never
 * accepted twice while its timestamp is still in the window.
 */
import type { Redis } from 'ioredis';
import { SIGNATURE_WINDOW_SECONDS } from '../../domain/department-signature.js';

/** Where seen nonces are kept. */
export interface NonceStore {
  /** True the first time `key` is claimed within `ttlMs`, false for a repeat; throws when the store does not answer. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/** How long a nonce is remembered: the whole window either side of now, and a minute more. */
export const NONCE_TTL_MS = (2 * SIGNATURE_WINDOW_SECONDS + 60) * 1000;

/** Nonces in Redis under `<prefix>:department-nonce:` (the deployment's queue prefix keeps deployments apart). */
export function redisNonceStore(redis: Redis, prefix: string): NonceStore {
  return {
    async claim(key, ttlMs) {
      return (await redis.set(`${prefix}:department-nonce:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}
