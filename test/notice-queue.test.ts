import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeEnqueueNotice } from '../activities/notices.js';
import { openNoticeQueues } from '../notices/queues.js';
import { connectStore } from '../store/connection.js';
import { registerNoticeModels } from '../store/notices.js';
import { createNoticeWorkers } from '../notices/delivery.js';
import { NOTICE_DEAD_LETTER_QUEUE, NOTICE_QUEUES } from '../notices/queues.js';

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

/** A notice gateway on loopback answering with the given status codes in turn (last one repeats). */
async function gateway(statuses: number[]): Promise<{ url: string; calls: IncomingHttpHeaders[]; bodies: unknown[] }> {
  const calls: IncomingHttpHeaders[] = [];
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      calls.push(request.headers);
      bodies.push(JSON.parse(raw));
      response.writeHead(statuses[Math.min(calls.length - 1, statuses.length - 1)]).end();
    });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  cleanups.push(() => new Promise((resolvePromise) => server.close(resolvePromise)));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/notices`,
    calls,
    bodies,
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
  const workers = createNoticeWorkers({ redisUrl: stack.redisUrl, store, webhookUrl: options.webhookUrl, prefix });
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

  it('retries the webhook after the gateway fails once, and sends the idempotency key', async () => {
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
    expect(sms.calls.every((headers) => headers['idempotency-key'] === noticeKey)).toBe(true);
    expect(JSON.stringify(sms.bodies[1])).toContain('2026-12-22');
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
