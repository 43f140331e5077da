/**
 * Enqueues a notice on every enabled channel. Idempotent: the notice record is written
 * with `$setOnInsert` and the BullMQ job ID is the notice key, so a retried activity or
 * a replayed workflow never queues the same notice twice.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Connection } from 'mongoose';
import { insertNew } from '../store/bulk.js';
import { noticeRecordKey, registerNoticeModels, type NoticeChannel } from '../store/notices.js';
import { noticeJobId, type NoticeJob } from '../workers/notice-worker.js';
import type { NoticeParams, NoticeTemplate } from '../workers/notices/templates.js';
import { NOTICE_QUEUES } from '../workflows/contracts.js';

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

export interface EnqueueNoticeInput {
  /** Business key, e.g. `${workflowId}:notice:granted`. */
  noticeKey: string;
  subjectKey: string;
  template: NoticeTemplate;
  params: NoticeParams;
}

export function makeEnqueueNotice(store: Connection, queues: NoticeQueues) {
  const { Notice } = registerNoticeModels(store);
  return async function enqueueNotice(input: EnqueueNoticeInput): Promise<{ channels: NoticeChannel[] }> {
    for (const channel of queues.channels) {
      const key = noticeRecordKey(input.noticeKey, channel);
      await Notice.updateOne(
        { _id: key },
        {
          $setOnInsert: {
            key,
            noticeKey: input.noticeKey,
            subjectKey: input.subjectKey,
            template: input.template,
            channel,
            status: 'queued',
            attempts: 0,
            queuedAt: new Date(),
          },
        },
        { upsert: true },
      );
      const job: NoticeJob = { ...input, channel };
      await queues
        .queue(channel)
        .add(input.template, job, { ...queues.jobOptions, jobId: noticeJobId(input.noticeKey, channel) });
    }
    return { channels: queues.channels };
  };
}

/**
 * The bulk path of enqueueNotice, for sweeps: the notice records in one unordered insert
 * (an existing record is left as it was) and the jobs in one BullMQ addBulk with the same
 * job IDs, so a retried slice queues nothing twice. Returns the notices queued per channel.
 */
export function makeEnqueueNotices(store: Connection, queues: NoticeQueues) {
  const { Notice } = registerNoticeModels(store);
  return async function enqueueNotices(inputs: readonly EnqueueNoticeInput[]): Promise<number> {
    if (inputs.length === 0) return 0;
    for (const channel of queues.channels) {
      const queuedAt = new Date();
      await insertNew(
        Notice.collection,
        inputs.map((input) => {
          const key = noticeRecordKey(input.noticeKey, channel);
          return {
            _id: key,
            key,
            noticeKey: input.noticeKey,
            subjectKey: input.subjectKey,
            template: input.template,
            channel,
            status: 'queued',
            attempts: 0,
            queuedAt,
          };
        }),
      );
      await queues.queue(channel).addBulk(
        inputs.map((input) => ({
          name: input.template,
          data: { ...input, channel },
          opts: { ...queues.jobOptions, jobId: noticeJobId(input.noticeKey, channel) },
        })),
      );
    }
    return inputs.length * queues.channels.length;
  };
}
