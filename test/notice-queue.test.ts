import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';
import { registerModels } from '../store/models.js';
import { createNoticeWorker, deliverToInbox, type NoticeJob } from '../workers/notice-worker.js';

const stack = inject('stack');
const connection = { url: stack.redisUrl, maxRetriesPerRequest: null };
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

/** A queue of its own for each test, obliterated afterwards. */
function openQueue(): { queue: Queue<NoticeJob>; events: QueueEvents; name: string } {
  const name = `test-notices-${randomUUID()}`;
  const queue = new Queue<NoticeJob>(name, { connection });
  const events = new QueueEvents(name, { connection });
  cleanups.push(async () => {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return { queue, events, name };
}

function noticeJob(): NoticeJob {
  return { key: `notice:${randomUUID()}`, subjectKey: `sk_${randomUUID()}`, channel: 'inbox', template: 'probe', lang: 'zh', title: '测试', body: '测试通知' };
}

describe('notices through BullMQ on the embedded Redis', () => {
  it('retries a job whose first delivery fails and delivers it exactly once', async () => {
    const { queue, events, name } = openQueue();
    const attempts: number[] = [];
    // The channel is down for the first attempt, then recovers.
    const worker = new Worker<NoticeJob>(
      name,
      async (job: Job<NoticeJob>) => {
        attempts.push(job.attemptsMade + 1);
        if (job.attemptsMade === 0) throw new Error('inbox channel unavailable');
        return deliverToInbox(store, job.data);
      },
      { connection },
    );
    cleanups.push(() => worker.close());
    await events.waitUntilReady();

    const data = noticeJob();
    const job = await queue.add('notice', data, { jobId: data.key.replace(/:/g, '-'), attempts: 3, backoff: { type: 'fixed', delay: 200 } });
    const result = await job.waitUntilFinished(events, 30_000);

    expect(result).toEqual({ delivered: true });
    expect(attempts).toEqual([1, 2]);
    const finished = await queue.getJob(job.id!);
    expect(finished?.attemptsMade).toBe(2);
    expect(await registerModels(store).Inbox.countDocuments({ subjectKey: data.subjectKey })).toBe(1);
  });

  it('keeps one job when the same notice is queued twice under its job ID', async () => {
    const { queue, events, name } = openQueue();
    const worker = createNoticeWorker({ redisUrl: stack.redisUrl, store, queueName: name });
    cleanups.push(() => worker.close());
    await events.waitUntilReady();

    const data = noticeJob();
    const jobId = data.key.replace(/:/g, '-');
    const first = await queue.add('notice', data, { jobId });
    const second = await queue.add('notice', data, { jobId });
    expect(second.id).toBe(first.id);
    await first.waitUntilFinished(events, 30_000);
    expect(await queue.getJobCounts('completed', 'waiting', 'delayed', 'failed')).toMatchObject({ completed: 1, waiting: 0, failed: 0 });
    expect(await registerModels(store).Inbox.countDocuments({ subjectKey: data.subjectKey })).toBe(1);
  });
});
