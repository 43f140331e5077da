/**
 * The notice queues: one BullMQ queue per channel (each with its own rate limit) and the dead
 * letters, the job a queue carries, and its job ID. The job ID is the notice's business key, so
 * BullMQ drops a second job for the same notice: a retried activity never queues it twice.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { noticeRecordKey, type NoticeChannel } from '../store/notices.js';
import type { NoticeParams, NoticeTemplate } from './templates.js';

/** BullMQ queues, one per notice channel so each has its own rate limit, and the dead letters. */
export const NOTICE_QUEUES = { inbox: 'applyfree-notices-inbox', webhook: 'applyfree-notices-webhook' } as const;
export const NOTICE_DEAD_LETTER_QUEUE = 'applyfree-notices-dead';

/** An inbox job: pseudonymous subject key and plain parameters only; the inbox worker renders the notice. */
export interface InboxNoticeJob {
  noticeKey: string;
  subjectKey: string;
  channel: 'inbox';
  template: NoticeTemplate;
  params: NoticeParams;
}

/** A webhook job: the gateway gets generic text, so the job kept in Redis names no programme, amount or date. */
export interface WebhookNoticeJob {
  noticeKey: string;
  subjectKey: string;
  channel: 'webhook';
}

/** A notice job's payload on its channel. */
export type NoticeJob = InboxNoticeJob | WebhookNoticeJob;

/** The job a notice becomes on a channel, and its BullMQ job name (the template on the inbox, 'notice' on the webhook). */
export function noticeJob(
  notice: { noticeKey: string; subjectKey: string; template: NoticeTemplate; params: NoticeParams },
  channel: NoticeChannel,
): { name: string; data: NoticeJob } {
  const { noticeKey, subjectKey, template, params } = notice;
  return channel === 'inbox'
    ? { name: template, data: { noticeKey, subjectKey, channel, template, params } }
    : { name: 'notice', data: { noticeKey, subjectKey, channel } };
}

/** BullMQ job ID of a notice on a channel (BullMQ forbids ':' in custom IDs). */
export function noticeJobId(noticeKey: string, channel: NoticeChannel): string {
  return noticeRecordKey(noticeKey, channel).replaceAll(':', '|');
}

/**
 * Default retry policy: six attempts with exponential backoff from two seconds. Redis is not the
 * record — the `notices` collection keeps each notice's status, attempts and error — so a
 * delivered job is kept an hour (at most 1,000) and a failed one a week (at most 10,000): long
 * enough to look into, short enough that Redis does not become a second copy of who was told what.
 */
export const NOTICE_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

export interface NoticeQueues {
  channels: NoticeChannel[];
  jobOptions: JobsOptions;
  queue(channel: NoticeChannel): Queue<NoticeJob>;
  close(): Promise<void>;
}

/** Opens the producer side of the channel queues (webhook only when a gateway is configured). */
export function openNoticeQueues(options: {
  redisUrl: string;
  webhook: boolean;
  prefix?: string;
  /** Retry policy override (attempts, backoff); defaults to NOTICE_JOB_OPTIONS. */
  jobOptions?: Pick<JobsOptions, 'attempts' | 'backoff'>;
}): NoticeQueues {
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
  const channels: NoticeChannel[] = options.webhook ? ['inbox', 'webhook'] : ['inbox'];
  const queues = new Map(
    channels.map((channel) => [
      channel,
      new Queue<NoticeJob>(NOTICE_QUEUES[channel], { connection, prefix: options.prefix }),
    ]),
  );
  return {
    channels,
    jobOptions: { ...NOTICE_JOB_OPTIONS, ...options.jobOptions },
    queue: (channel) => queues.get(channel)!,
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
