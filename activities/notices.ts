/**
 * Enqueues a notice on every enabled channel. Idempotent: the notice record is written
 * with `$setOnInsert` and the BullMQ job ID is the notice key, so a retried activity or
 * a replayed workflow never queues the same notice twice.
 */
import type { Connection } from 'mongoose';
import { insertNew } from '../store/bulk.js';
import { noticeRecordKey, registerNoticeModels, type NoticeChannel } from '../store/notices.js';
import { noticeJob, noticeJobId, type NoticeQueues } from '../notices/queues.js';
import type { NoticeParams, NoticeTemplate } from '../notices/templates.js';

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
      const { name, data } = noticeJob(input, channel);
      await queues
        .queue(channel)
        .add(name, data, { ...queues.jobOptions, jobId: noticeJobId(input.noticeKey, channel) });
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
          ...noticeJob(input, channel),
          opts: { ...queues.jobOptions, jobId: noticeJobId(input.noticeKey, channel) },
        })),
      );
    }
    return inputs.length * queues.channels.length;
  };
}
