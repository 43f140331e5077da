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

/** A notice job's payload: pseudonymous subject key and plain parameters only. */
export interface NoticeJob {
  noticeKey: string;
  subjectKey: string;
  channel: NoticeChannel;
  template: NoticeTemplate;
  params: NoticeParams;
}

/** BullMQ job ID of a notice on a channel (BullMQ forbids ':' in custom IDs). */
export function noticeJobId(noticeKey: string, channel: NoticeChannel): string {
  return noticeRecordKey(noticeKey, channel).replaceAll(':', '|');
}

/** Default retry policy: six attempts with exponential backoff from two seconds; failures are kept. */
export const NOTICE_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 14 * 24 * 3600 },
  removeOnFail: false,
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
