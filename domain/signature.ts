/**
 * Signed HTTP bodies, for the requests applyfree sends to systems outside it (webhook notices to a
 * gateway, verification calls to a department): `t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>`.
 * The receiver recomputes it over the raw body with its copy of the key, in constant time, and
 * refuses a timestamp outside its window, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export function signBody(key: Buffer, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether `header` signs `body` under `key` within `toleranceSeconds` (default 300) of now. */
export function verifySignedBody(
  key: Buffer,
  header: string | undefined,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const timestamp = Number(match[1]);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', key).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}
