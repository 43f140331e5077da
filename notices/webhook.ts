/**
 * The webhook channel to the city's SMS or app-push gateway. The gateway is outside the system of
 * record, so what it receives says only that there is a message: no programme, amount, date or
 * decision (a programme's name alone can reveal a disability or poverty status). The details stay
 * in the authenticated inbox (/me/inbox). Each request is signed, so the gateway can tell it came
 * from applyfree and was not changed or replayed:
 *
 *   POST <NOTICE_WEBHOOK_URL>                 https only (http to loopback in development)
 *   content-type: application/json            redirects are not followed
 *   idempotency-key: <id>
 *   x-applyfree-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook key, "<t>.<raw body>")>
 *   { "id": "<id>", "subjectKey": "p_…", "title": { "zh", "en" }, "body": { "zh", "en" } }
 *
 * `id` is an HMAC of the notice's business key (stable across retries, for the gateway's
 * deduplication; the key itself names the policy). `subjectKey` is the pseudonym the gateway maps
 * to a phone or app account in its own register. The webhook key is HKDF-derived from the master
 * secret (domain/keys.ts, purpose webhookSigning); docs/SECURITY.md shows how to hand it to a gateway.
 */
import { createHmac } from 'node:crypto';
import { deriveKey } from '../domain/keys.js';
import { signBody, verifySignedBody } from '../domain/signature.js';
import { outboundUrlProblem } from '../domain/transport.js';
import type { Text } from '../domain/sources.js';

export const WEBHOOK_SIGNATURE_HEADER = 'x-applyfree-signature';

/** What every webhook notice says, whatever it is about. */
export const GENERIC_NOTICE: { title: Text; body: Text } = {
  title: { zh: '您有一条新的政务消息', en: 'You have a new government message' },
  body: {
    zh: '详情请登录政务服务平台，在“我的消息”中查看。',
    en: 'Details are in your inbox on the government services platform.',
  },
};

/** Where webhook notices go and how they are signed; `development` allows http to loopback (a local gateway). */
export interface WebhookTarget {
  url: string;
  signingKey: Buffer;
  development: boolean;
  timeoutMs?: number;
}

/** The webhook signing key of a master secret (what a gateway is given to verify requests). */
export function webhookSigningKey(secret: string): Buffer {
  return deriveKey(secret, 'webhookSigning');
}

/** The signature header's value for a body sent at `timestamp` (unix seconds). */
export const signWebhook = signBody;

/**
 * A gateway's check of a request: the signature header against the raw body, in constant time,
 * and the timestamp within `toleranceSeconds` (default 300) of now, so a captured request cannot
 * be replayed later. True only when both hold.
 */
export const verifyWebhookSignature = verifySignedBody;

/** The opaque delivery ID of a notice: stable for the notice, revealing nothing of its key. */
export function webhookDeliveryId(key: Buffer, noticeKey: string): string {
  return createHmac('sha256', key).update(`delivery\u0000${noticeKey}`).digest('hex').slice(0, 32);
}

/**
 * Posts the generic, signed notice to the gateway. A URL the mode does not allow is refused before
 * any request; a redirect, a timeout or a non-2xx answer is a failure (BullMQ retries it).
 */
export async function deliverToWebhook(
  target: WebhookTarget,
  notice: { noticeKey: string; subjectKey: string },
): Promise<{ delivered: boolean }> {
  const problem = outboundUrlProblem(target.url, { development: target.development });
  if (problem) throw new Error(`notice gateway refused: ${problem}`);
  const id = webhookDeliveryId(target.signingKey, notice.noticeKey);
  const body = JSON.stringify({ id, subjectKey: notice.subjectKey, ...GENERIC_NOTICE });
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': id,
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(target.signingKey, Math.floor(Date.now() / 1000), body),
    },
    body,
    redirect: 'error',
    signal: AbortSignal.timeout(target.timeoutMs ?? 5000),
  });
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`notice gateway answered ${response.status}`);
  return { delivered: true };
}
