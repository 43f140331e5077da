/**
 * The notice workers: one BullMQ worker per channel (in-app inbox, webhook to an SMS or
 * app-push gateway, notices/webhook.ts), each with its own rate limit. Jobs retry with
 * exponential backoff; a job that exhausts its attempts goes to the dead-letter queue and its
 * notice is marked failed. Delivery is idempotent per notice key (unique inbox key; the webhook
 * gets an Idempotency-Key header), so a retried or duplicated job never notifies twice. Only
 * the inbox shows what a notice is about; the webhook carries generic, signed text.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Connection } from 'mongoose';
import { noticeRecordKey, registerNoticeModels, type NoticeChannel } from '../store/notices.js';
import { NOTICE_DEAD_LETTER_QUEUE, NOTICE_QUEUES, type InboxNoticeJob, type NoticeJob } from './queues.js';
import { renderNotice } from './templates.js';
import { deliverToWebhook, type WebhookTarget } from './webhook.js';

export { deliverToWebhook, type WebhookTarget } from './webhook.js';

/** Writes the notice to the citizen's inbox once; returns whether this call wrote it. */
export async function deliverToInbox(store: Connection, job: InboxNoticeJob): Promise<{ delivered: boolean }> {
  const { Inbox } = registerNoticeModels(store);
  const { title, body } = renderNotice(job.template, job.params);
  const result = await Inbox.updateOne(
    { _id: job.noticeKey },
    {
      $setOnInsert: {
        key: job.noticeKey,
        subjectKey: job.subjectKey,
        template: job.template,
        title,
        body,
        deliveredAt: new Date(),
      },
    },
    { upsert: true },
  );
  return { delivered: result.upsertedCount === 1 };
}

export interface NoticeWorkerOptions {
  redisUrl: string;
  store: Connection;
  /** The gateway for the webhook channel (URL, signing key, mode); without it only the inbox channel runs. */
  webhook?: WebhookTarget;
  /** BullMQ key prefix (tests use their own). */
  prefix?: string;
  /** Deliveries per second allowed on each channel. */
  ratePerSecond?: Partial<Record<NoticeChannel, number>>;
  concurrency?: number;
  /** BullMQ's lock and stall settings; tests shorten them to see a crashed worker's job come back. */
  stall?: { lockDurationMs?: number; stalledIntervalMs?: number; maxStalledCount?: number };
}

export interface NoticeWorkers {
  workers: Worker<NoticeJob>[];
  close(): Promise<void>;
}

const DEFAULT_RATE: Record<NoticeChannel, number> = { inbox: 500, webhook: 50 };
/**
 * How often a job may be found held by a worker that died (its lock expired) and still go back to
 * the queue; BullMQ's default is once. Delivery is idempotent, so a crash costs nothing but a retry.
 */
const MAX_STALLED_COUNT = 3;
/** A notice whose worker died holding it more often than this is taken for one that kills its worker: dead-lettered. */
const MAX_STALLS_BEFORE_DEAD_LETTER = 10;

export function createNoticeWorkers(options: NoticeWorkerOptions): NoticeWorkers {
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
  const { Notice } = registerNoticeModels(options.store);
  const deadLetters = new Queue(NOTICE_DEAD_LETTER_QUEUE, { connection, prefix: options.prefix });
  const channels: NoticeChannel[] = options.webhook ? ['inbox', 'webhook'] : ['inbox'];

  const deliver = (job: Job<NoticeJob>) =>
    job.data.channel === 'inbox'
      ? deliverToInbox(options.store, job.data)
      : deliverToWebhook(options.webhook!, job.data);

  const workers = channels.map((channel) => {
    const worker = new Worker<NoticeJob>(
      NOTICE_QUEUES[channel],
      async (job) => {
        const result = await deliver(job);
        await Notice.updateOne(
          { _id: noticeRecordKey(job.data.noticeKey, channel) },
          {
            $set: { status: 'delivered', deliveredAt: new Date(), attempts: job.attemptsMade + 1 },
            $unset: { error: 1 },
          },
        );
        return result;
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 8,
        limiter: { max: options.ratePerSecond?.[channel] ?? DEFAULT_RATE[channel], duration: 1000 },
        maxStalledCount: options.stall?.maxStalledCount ?? MAX_STALLED_COUNT,
        ...(options.stall?.lockDurationMs ? { lockDuration: options.stall.lockDurationMs } : {}),
        ...(options.stall?.stalledIntervalMs ? { stalledInterval: options.stall.stalledIntervalMs } : {}),
      },
    );
    worker.on('failed', (job, error) => {
      if (!job) return;
      void (async () => {
        // A job BullMQ gives up on with attempts left was held by workers that died (it stalled more
        // than maxStalledCount): nothing says the notice went out, so it goes back to the queue,
        // unless it has stalled so often that it is taken for one that kills its worker.
        const stalledOut = job.attemptsMade < (job.opts.attempts ?? 1) && (await job.isFailed().catch(() => false));
        if (stalledOut && job.stalledCounter <= MAX_STALLS_BEFORE_DEAD_LETTER) {
          await job.retry('failed').catch(() => undefined);
          return;
        }
        const exhausted = stalledOut || job.attemptsMade >= (job.opts.attempts ?? 1);
        const update = { attempts: job.attemptsMade, error: error.message, ...(exhausted ? { status: 'failed' } : {}) };
        await Notice.updateOne({ _id: noticeRecordKey(job.data.noticeKey, channel) }, { $set: update }).catch(
          () => undefined,
        );
        if (exhausted)
          await deadLetters
            .add(job.name, { ...job.data, error: error.message }, { jobId: job.id })
            .catch(() => undefined);
      })();
    });
    return worker;
  });

  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await deadLetters.close();
    },
  };
}
