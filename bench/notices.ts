/**
 * `npm run bench -- notices [--notices N]`: queueing notices on an embedded Redis and FerretDB,
 * side by side in one run: the sweep's bulk path (activities/notices.ts makeEnqueueNotices: the
 * notice records in one unordered insert and the jobs in one BullMQ addBulk per 2,000) against the
 * life-event path's makeEnqueueNotice (one `$setOnInsert` record and one add per notice). Then the
 * queue alone (Queue.addBulk vs Queue.add with the same jobs), so the record writes' share shows.
 * Each contender has a queue prefix of its own, unique to the run, obliterated afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { makeEnqueueNotice, makeEnqueueNotices, type EnqueueNoticeInput } from '../activities/notices.js';
import { subjectKey } from '../domain/pseudonym.js';
import { connectStore } from '../store/connection.js';
import { registerNoticeModels } from '../store/notices.js';
import { noticeJobId, openNoticeQueues, type NoticeQueues } from '../notices/queues.js';
import { freshServers, SECRET } from './population.js';
import { fmt, progress, table, type Benchmark } from './support.js';
import { buildIndexes } from '../store/indexes.js';

/** Notices per bulk call: at most one sweep batch's eligible subjects (activities/sweep.ts). */
const BATCH = 2_000;
const WARM_UP = 500;

function inputs(count: number, tag: string): EnqueueNoticeInput[] {
  return Array.from({ length: count }, (_, i) => {
    const key = subjectKey('person', `bench-notice-${tag}-${i}`, SECRET);
    return {
      noticeKey: `grant:old-age-allowance:${key}:2026-06:notice:granted`,
      subjectKey: key,
      template: 'grant.awarded',
      params: { policyTitle: { zh: '高龄津贴', en: 'Old-age allowance' }, amount: 100, period: '2026-06' },
    };
  });
}

type Contender = (queues: NoticeQueues, notices: readonly EnqueueNoticeInput[], label: string) => Promise<void>;

const bulkPath =
  (store: Connection): Contender =>
  async (queues, notices, label) => {
    const enqueue = makeEnqueueNotices(store, queues);
    const shown = progress(label, notices.length);
    for (let i = 0; i < notices.length; i += BATCH) {
      await enqueue(notices.slice(i, i + BATCH));
      shown.tick(i + BATCH);
    }
    shown.done();
  };

const singlePath =
  (store: Connection): Contender =>
  async (queues, notices, label) => {
    const enqueue = makeEnqueueNotice(store, queues);
    const shown = progress(label, notices.length);
    for (const [i, notice] of notices.entries()) {
      await enqueue(notice);
      shown.tick(i + 1);
    }
    shown.done();
  };

const job = (queues: NoticeQueues, notice: EnqueueNoticeInput) => ({
  name: notice.template,
  data: { ...notice, channel: 'inbox' as const },
  opts: { ...queues.jobOptions, jobId: noticeJobId(notice.noticeKey, 'inbox') },
});

const queueBulk: Contender = async (queues, notices, label) => {
  const shown = progress(label, notices.length);
  for (let i = 0; i < notices.length; i += BATCH) {
    await queues.queue('inbox').addBulk(notices.slice(i, i + BATCH).map((notice) => job(queues, notice)));
    shown.tick(i + BATCH);
  }
  shown.done();
};

const queueSingle: Contender = async (queues, notices, label) => {
  const shown = progress(label, notices.length);
  for (const [i, notice] of notices.entries()) {
    const { name, data, opts } = job(queues, notice);
    await queues.queue('inbox').add(name, data, opts);
    shown.tick(i + 1);
  }
  shown.done();
};

export const noticesBenchmark: Benchmark = {
  summary: 'notices on BullMQ and FerretDB: the sweep bulk path vs enqueueNotice one at a time, and the queue alone',
  options: {
    notices: { default: 20_000, help: 'notices queued by the bulk path and by each queue-only contender' },
    single: {
      default: 2_000,
      help: 'notices queued one at a time by enqueueNotice (its record upsert scans the collection on FerretDB)',
    },
  },
  async run({ notices: count, single: singles }) {
    const servers = await freshServers(['mongodb', 'redis']);
    const store = await connectStore(servers.mongodbUri.replace(/\/[^/?]*(\?|$)/, '/bench_notices$1'));
    const { Notice } = registerNoticeModels(store);
    const run = randomUUID().slice(0, 8);
    const opened: NoticeQueues[] = [];
    /** Times one contender on fresh records and a queue prefix of its own, after a warm-up, and checks every job is queued once. */
    const time = async (name: string, n: number, contender: Contender): Promise<number> => {
      const warm = openNoticeQueues({
        redisUrl: servers.redisUrl,
        webhook: false,
        prefix: `bench-${run}-${name}-warm`,
      });
      const queues = openNoticeQueues({ redisUrl: servers.redisUrl, webhook: false, prefix: `bench-${run}-${name}` });
      opened.push(warm, queues);
      await contender(warm, inputs(WARM_UP, `${name}-warm`), 'warm-up');
      await Notice.collection.drop().catch(() => undefined);
      await buildIndexes(Notice);
      const notices = inputs(n, name);
      const started = performance.now();
      await contender(queues, notices, name);
      const seconds = (performance.now() - started) / 1000;
      const queued = await queues.queue('inbox').getJobCountByTypes('waiting', 'delayed', 'prioritized');
      if (queued !== n) throw new Error(`${name}: ${queued} jobs queued, expected ${n}`);
      return n / seconds;
    };
    try {
      const bulk = await time('bulk', count, bulkPath(store));
      const bulkRecords = await Notice.estimatedDocumentCount();
      const single = await time('single', singles, singlePath(store));
      const singleRecords = await Notice.estimatedDocumentCount();
      if (bulkRecords !== count || singleRecords !== singles)
        throw new Error(
          `notice records: bulk ${bulkRecords} (expected ${count}), single ${singleRecords} (expected ${singles})`,
        );
      const addBulk = await time('queue-addBulk', count, queueBulk);
      const add = await time('queue-add', count, queueSingle);
      const row = (name: string, n: number, perSecond: number, ratio: number): string[] => [
        name,
        fmt(n),
        fmt(n / perSecond, 2),
        fmt(perSecond),
        fmt(1000 / perSecond, 3),
        `${fmt(ratio, 1)}×`,
      ];
      console.log(
        table(
          ['contender', 'notices', 'seconds', 'jobs/s', 'ms/job', 'ratio'],
          [
            row('bulk: makeEnqueueNotices (records insertMany + addBulk, 2,000 a call)', count, bulk, bulk / single),
            row('one at a time: makeEnqueueNotice (record upsert + add), from empty', singles, single, 1),
            row('queue only: Queue.addBulk (2,000 a call)', count, addBulk, addBulk / add),
            row('queue only: Queue.add', count, add, 1),
          ],
        ),
      );
      console.log(
        `\n   bulk vs one at a time: ${fmt(bulk / single, 1)}× (target ≥ 3×); the queue alone: addBulk vs add ${fmt(addBulk / add, 2)}×`,
      );
      console.log(
        `   the record writes' share of the time: ${fmt(Math.max(0, 100 * (1 - bulk / addBulk)))}% on the bulk path, ${fmt(Math.max(0, 100 * (1 - single / add)))}% one at a time`,
      );
    } finally {
      for (const queues of opened) {
        await queues
          .queue('inbox')
          .obliterate({ force: true })
          .catch(() => undefined);
        await queues.close();
      }
      await store.close();
      await servers.stop();
    }
  },
};
