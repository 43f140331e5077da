/**
 * The notice worker: consumes the BullMQ notice queue and delivers each notice to its
 * channel. The in-app inbox writes once per notice key (unique index), so a retried or
 * duplicated job never shows a citizen the same notice twice.
 */
import { Worker, type Job } from 'bullmq';
import type { Connection } from 'mongoose';
import { NOTICE_QUEUE } from '../workflows/contracts.js';
import { registerModels } from '../store/models.js';

/** A notice job's payload: pseudonymous subject key only, never a raw identifier. */
export interface NoticeJob {
  key: string;
  subjectKey: string;
  channel: 'inbox';
  template: string;
  lang: 'zh' | 'en';
  title: string;
  body: string;
}

export interface NoticeWorkerOptions {
  redisUrl: string;
  store: Connection;
  queueName?: string;
  concurrency?: number;
}

/** Delivers one notice to the inbox; returns whether this call wrote it. */
export async function deliverToInbox(store: Connection, notice: NoticeJob): Promise<{ delivered: boolean }> {
  const { Inbox } = registerModels(store);
  const result = await Inbox.updateOne(
    { key: notice.key },
    {
      $setOnInsert: {
        key: notice.key,
        subjectKey: notice.subjectKey,
        template: notice.template,
        lang: notice.lang,
        title: notice.title,
        body: notice.body,
        deliveredAt: new Date(),
      },
    },
    { upsert: true },
  );
  return { delivered: result.upsertedCount === 1 };
}

export function createNoticeWorker(options: NoticeWorkerOptions): Worker<NoticeJob> {
  return new Worker<NoticeJob>(
    options.queueName ?? NOTICE_QUEUE,
    async (job: Job<NoticeJob>) => {
      switch (job.data.channel) {
        case 'inbox':
          return deliverToInbox(options.store, job.data);
        default:
          throw new Error(`unknown notice channel ${String(job.data.channel)}`);
      }
    },
    { connection: { url: options.redisUrl, maxRetriesPerRequest: null }, concurrency: options.concurrency ?? 8 },
  );
}
