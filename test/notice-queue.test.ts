/**
 * Notices through BullMQ on the real Redis: delivered to the inbox once, retried to the SMS
 * gateway with one idempotency key, dead-lettered when the gateway keeps refusing; and no raw
 * resident ID in any job a queue keeps, delivered, failed or dead-lettered (security review abuse test 12).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Queue, Worker } from 'bullmq';
import type { Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeEnqueueNotice } from '../activities/notices.js';
import { openNoticeQueues } from '../notices/queues.js';
import { connectStore } from '../store/connection.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey as pseudonym } from '../domain/pseudonym.js';
import { TEST_SECRET } from './support/city.js';
import { identifiersIn } from './support/histories.js';
import { registerNoticeModels } from '../store/notices.js';
import { createNoticeWorkers } from '../notices/delivery.js';
import { NOTICE_DEAD_LETTER_QUEUE, NOTICE_JOB_OPTIONS, NOTICE_QUEUES, noticeJobId } from '../notices/queues.js';
import {
  deliverToWebhook,
  GENERIC_NOTICE,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  webhookSigningKey,
} from '../notices/webhook.js';

/** The gateway's copy of the webhook key (derived from the deployment's master secret). */
const SIGNING_KEY = webhookSigningKey('the-notice-test-master-secret-of-40-chars');

const stack = inject('stack');
let store: Connection;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await store?.close();
});

/** A notice gateway on loopback answering with the given status codes in turn (last one repeats), and headers. */
async function gateway(
  statuses: number[],
  headers: Record<string, string> = {},
): Promise<{ url: string; calls: IncomingHttpHeaders[]; bodies: unknown[]; raw: string[] }> {
  const calls: IncomingHttpHeaders[] = [];
  const bodies: unknown[] = [];
  const raws: string[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      calls.push(request.headers);
      raws.push(raw);
      bodies.push(JSON.parse(raw));
      response.writeHead(statuses[Math.min(calls.length - 1, statuses.length - 1)], headers).end();
    });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  cleanups.push(() => new Promise((resolvePromise) => server.close(resolvePromise)));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notices`,
    calls,
    bodies,
    raw: raws,
  };
}

/** Producer and workers under a key prefix of this test's own, removed afterwards. */
function pipeline(options: { webhookUrl?: string; attempts?: number }) {
  const prefix = `test-${randomUUID()}`;
  const jobOptions = { attempts: options.attempts ?? 3, backoff: { type: 'fixed', delay: 100 } } as const;
  const queues = openNoticeQueues({
    redisUrl: stack.redisUrl,
    webhook: Boolean(options.webhookUrl),
    prefix,
    jobOptions,
  });
  const workers = createNoticeWorkers({
    redisUrl: stack.redisUrl,
    store,
    ...(options.webhookUrl ? { webhook: { url: options.webhookUrl, signingKey: SIGNING_KEY, development: true } } : {}),
    prefix,
  });
  const dead = new Queue(NOTICE_DEAD_LETTER_QUEUE, { connection: { url: stack.redisUrl }, prefix });
  cleanups.push(async () => {
    await workers.close();
    for (const channel of queues.channels) await queues.queue(channel).obliterate({ force: true });
    await queues.close();
    await dead.obliterate({ force: true });
    await dead.close();
  });
  return { enqueue: makeEnqueueNotice(store, queues), queues, dead };
}

const params = { policyTitle: { zh: '育儿补贴', en: 'Childcare subsidy' }, amount: 3000, period: '2025' };

/** A notice record's status, as the notice worker writes it. */
const statusOf = async (filter: object) => (await registerNoticeModels(store).Notice.findOne(filter).lean())?.status;

describe('notices through BullMQ on the embedded Redis', () => {
  it('delivers a granted notice to the inbox in Chinese and English, once, even when enqueued twice', async () => {
    const { enqueue, queues } = pipeline({});
    const subjectKey = `p_${randomUUID()}`;
    const notice = {
      noticeKey: `grant:childcare-subsidy:${subjectKey}:2025:notice:granted`,
      subjectKey,
      template: 'grant.awarded' as const,
      params,
    };
    await enqueue(notice);
    await enqueue(notice);

    const { Inbox, Notice } = registerNoticeModels(store);
    await expect.poll(() => statusOf({ noticeKey: notice.noticeKey }), { timeout: 20_000 }).toBe('delivered');
    const record = await Notice.findOne({ noticeKey: notice.noticeKey }).lean();
    expect(record?.attempts).toBe(1);
    const inbox = await Inbox.find({ subjectKey }).lean();
    expect(inbox).toHaveLength(1);
    expect(inbox[0].title.zh).toBe('您已享受「育儿补贴」');
    expect(inbox[0].body.en).toContain('CNY 3,000');
    expect(await queues.queue('inbox').getJobCounts('completed', 'waiting', 'failed')).toMatchObject({
      completed: 1,
      waiting: 0,
      failed: 0,
    });
  });

  it('retries the webhook after the gateway fails once, with the same idempotency key and a signed generic body', async () => {
    const sms = await gateway([503, 200]);
    const { enqueue } = pipeline({ webhookUrl: sms.url });
    const subjectKey = `p_${randomUUID()}`;
    const noticeKey = `offer:senior-card:${subjectKey}:once:notice:offer`;
    await enqueue({ noticeKey, subjectKey, template: 'offer.made', params: { ...params, date: '2026-12-22' } });

    const { Notice } = registerNoticeModels(store);
    await expect.poll(() => statusOf({ key: `${noticeKey}~webhook` }), { timeout: 20_000 }).toBe('delivered');
    const record = await Notice.findOne({ key: `${noticeKey}~webhook` }).lean();
    expect(record?.attempts).toBe(2);
    expect(sms.calls).toHaveLength(2);
    const id = (sms.bodies[0] as { id: string }).id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(sms.calls.every((headers) => headers['idempotency-key'] === id)).toBe(true);
    expect(sms.bodies[1]).toEqual({ id, subjectKey, ...GENERIC_NOTICE });
    for (const [i, raw] of sms.raw.entries()) {
      expect(verifyWebhookSignature(SIGNING_KEY, sms.calls[i][WEBHOOK_SIGNATURE_HEADER] as string, raw)).toBe(true);
      // Nothing about the programme, the amount, the date or the notice's business key reaches the gateway.
      expect(raw).not.toMatch(/育儿补贴|Childcare|3,?000|2026-12-22|senior-card|offer/);
    }
  });

  it('moves a notice the gateway keeps refusing to the dead-letter queue and marks it failed', async () => {
    const sms = await gateway([500]);
    const { enqueue, dead } = pipeline({ webhookUrl: sms.url, attempts: 2 });
    const subjectKey = `p_${randomUUID()}`;
    const noticeKey = `grant:x:${subjectKey}:2025:notice:granted`;
    await enqueue({ noticeKey, subjectKey, template: 'grant.awarded', params });

    const { Notice } = registerNoticeModels(store);
    await expect.poll(() => statusOf({ key: `${noticeKey}~webhook` }), { timeout: 20_000 }).toBe('failed');
    const record = await Notice.findOne({ key: `${noticeKey}~webhook` }).lean();
    expect(record?.error).toContain('500');
    await expect.poll(async () => (await dead.getJobs(['waiting'])).length, { timeout: 20_000 }).toBe(1);
    const deadJobs = await dead.getJobs(['waiting']);
    expect(deadJobs[0].data).toMatchObject({ noticeKey, channel: 'webhook' });
    // The inbox channel is independent and still delivered.
    expect((await Notice.findOne({ key: `${noticeKey}~inbox` }).lean())?.status).toBe('delivered');
    expect(sms.calls).toHaveLength(2);
  });

  it('delivers a notice, once, whose job was held by workers that died more often than BullMQ puts up with', async () => {
    const prefix = `test-${randomUUID()}`;
    const queues = openNoticeQueues({ redisUrl: stack.redisUrl, webhook: false, prefix });
    const stall = { lockDurationMs: 1_000, stalledIntervalMs: 300, maxStalledCount: 1 };
    // A worker that takes the job and never finishes it, then dies: its lock runs out and the job stalls.
    const dying = () =>
      new Worker(NOTICE_QUEUES.inbox, () => new Promise<never>(() => undefined), {
        connection: { url: stack.redisUrl, maxRetriesPerRequest: null },
        prefix,
        lockDuration: stall.lockDurationMs,
        stalledInterval: stall.stalledIntervalMs,
        maxStalledCount: stall.maxStalledCount,
      });
    const workers: Array<{ close(): Promise<void> }> = [];
    cleanups.push(async () => {
      for (const worker of workers) await worker.close();
      await queues.queue('inbox').obliterate({ force: true });
      await queues.close();
    });
    const subjectKey = `p_${randomUUID()}`;
    const noticeKey = `grant:childcare-subsidy:${subjectKey}:2025:notice:granted`;
    await makeEnqueueNotice(store, queues)({ noticeKey, subjectKey, template: 'grant.awarded', params });
    const job = () => queues.queue('inbox').getJob(noticeJobId(noticeKey, 'inbox'));
    // Two workers die holding it: the second stall is one more than maxStalledCount allows.
    for (let death = 1; death <= 2; death += 1) {
      const worker = dying();
      await expect.poll(async () => (await job())?.attemptsStarted, { timeout: 20_000 }).toBe(death);
      await worker.close(true);
    }
    workers.push(createNoticeWorkers({ redisUrl: stack.redisUrl, store, prefix, stall }));

    const { Inbox } = registerNoticeModels(store);
    await expect.poll(() => statusOf({ noticeKey }), { timeout: 20_000 }).toBe('delivered');
    expect(await Inbox.countDocuments({ subjectKey })).toBe(1);
    expect(await queues.queue('inbox').getJobCounts('completed', 'failed')).toMatchObject({ completed: 1, failed: 0 });
  });

  it('keeps no raw resident ID in any job it delivered, failed or dead-lettered (abuse 12)', async () => {
    const sms = await gateway([500]);
    const { enqueue, queues, dead } = pipeline({ webhookUrl: sms.url, attempts: 2 });
    // A real resident's notice, as a case sends it: keyed by the pseudonymous subject key of a real ID.
    const residentId = makeResidentId('371402', '1958-06-30', 4, 'female');
    const subjectKey = pseudonym('person', residentId, TEST_SECRET);
    const noticeKey = `grant:old-age-allowance:${subjectKey}:${randomUUID()}:notice:granted`;
    await enqueue({ noticeKey, subjectKey, template: 'grant.awarded', params });
    // The inbox job completes; the webhook job fails every attempt and is dead-lettered.
    await expect.poll(() => statusOf({ key: `${noticeKey}~inbox` }), { timeout: 20_000 }).toBe('delivered');
    await expect.poll(async () => (await dead.getJobs(['waiting'])).length, { timeout: 20_000 }).toBe(1);
    const jobs = [
      ...(await queues.queue('inbox').getJobs(['completed', 'failed', 'waiting', 'delayed', 'active'])),
      ...(await queues.queue('webhook').getJobs(['completed', 'failed', 'waiting', 'delayed', 'active'])),
      ...(await dead.getJobs(['waiting', 'completed', 'failed', 'delayed'])),
    ];
    expect(await queues.queue('inbox').getJobCounts('completed')).toMatchObject({ completed: 1 });
    expect(await queues.queue('webhook').getJobCounts('failed')).toMatchObject({ failed: 1 });
    expect(jobs).toHaveLength(3);
    const kept = JSON.stringify(
      jobs.map((job) => ({
        name: job.name,
        data: job.data as unknown,
        returnvalue: job.returnvalue as unknown,
        failedReason: job.failedReason,
        stacktrace: job.stacktrace,
      })),
    );
    expect(kept).toContain(subjectKey);
    expect(identifiersIn(kept)).toEqual([]);
    // The scan finds an ID where there is one, plain or base64-encoded.
    expect(identifiersIn(JSON.stringify({ data: Buffer.from(residentId).toString('base64') }))).toEqual([residentId]);
  });

  it('never puts a raw identifier in a queue payload', async () => {
    const { enqueue, queues } = pipeline({});
    await queues.queue('inbox').pause();
    const subjectKey = `p_${randomUUID()}`;
    await enqueue({ noticeKey: `n:${subjectKey}`, subjectKey, template: 'grant.awarded', params });
    const [job] = await queues.queue('inbox').getJobs(['waiting']);
    expect(JSON.stringify(job.data)).not.toMatch(/\d{17}[\dXx]/);
    expect(job.queueName).toBe(NOTICE_QUEUES.inbox);
  });
});

describe('webhook notices to the gateway (signed, generic, https only)', () => {
  const notice = { noticeKey: 'grant:disability-living-subsidy:p_abc:2026-03:notice:granted', subjectKey: 'p_abc' };

  it('lets the gateway detect a wrong key, a changed body and a replayed request', async () => {
    const sms = await gateway([200]);
    await deliverToWebhook({ url: sms.url, signingKey: SIGNING_KEY, development: true }, notice);
    const [raw] = sms.raw;
    const header = sms.calls[0][WEBHOOK_SIGNATURE_HEADER] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SIGNING_KEY, header, raw)).toBe(true);
    expect(verifyWebhookSignature(webhookSigningKey('another-master-secret-of-at-least-32-chars'), header, raw)).toBe(
      false,
    );
    expect(verifyWebhookSignature(SIGNING_KEY, header, raw.replace('p_abc', 'p_abd'))).toBe(false);
    expect(verifyWebhookSignature(SIGNING_KEY, undefined, raw)).toBe(false);
    const sentAt = Number(/^t=(\d+)/.exec(header)![1]);
    expect(verifyWebhookSignature(SIGNING_KEY, header, raw, { nowSeconds: sentAt + 301 })).toBe(false);
    expect(raw).not.toContain('disability');
  });

  it('does not follow a redirect: the request fails and the other address hears nothing', async () => {
    const elsewhere = await gateway([200]);
    const redirecting = await gateway([307], { location: elsewhere.url });
    await expect(
      deliverToWebhook({ url: redirecting.url, signingKey: SIGNING_KEY, development: true }, notice),
    ).rejects.toThrow();
    expect(redirecting.calls).toHaveLength(1);
    expect(elsewhere.calls).toHaveLength(0);
  });

  it('refuses plain http in production before sending anything', async () => {
    const sms = await gateway([200]);
    await expect(
      deliverToWebhook({ url: sms.url, signingKey: SIGNING_KEY, development: false }, notice),
    ).rejects.toThrow(/must be https outside development/);
    expect(sms.calls).toHaveLength(0);
  });

  it('keeps delivered jobs briefly and failed ones bounded: the notices collection is the record', () => {
    expect(NOTICE_JOB_OPTIONS.removeOnComplete).toEqual({ age: 3600, count: 1000 });
    expect(NOTICE_JOB_OPTIONS.removeOnFail).toEqual({ age: 7 * 24 * 3600, count: 10_000 });
  });

  it('queues webhook jobs without the template or its parameters', async () => {
    const { enqueue, queues } = pipeline({ webhookUrl: 'http://127.0.0.1:9/never' });
    await queues.queue('webhook').pause();
    const subjectKey = `p_${randomUUID()}`;
    await enqueue({ noticeKey: `n:${subjectKey}`, subjectKey, template: 'grant.awarded', params });
    const [job] = await queues.queue('webhook').getJobs(['waiting']);
    expect(job.data).toEqual({ noticeKey: `n:${subjectKey}`, subjectKey, channel: 'webhook' });
    expect(job.name).toBe('notice');
  });
});
