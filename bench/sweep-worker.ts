/**
 * The process that runs a benchmarked sweep's activities: the Temporal worker of workers/processing.ts
 * built from the same pieces (store, notice queues, createActivities, createTemporalWorker) but
 * without the notice delivery workers, so its memory and CPU profile are the sweep's own. Spawned
 * by bench/sweep.ts with its settings as one JSON argument; prints "ready", stops on SIGTERM. With
 * `profile`, it records a V8 CPU profile (what `node --cpu-prof` writes) of the sweep alone.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { openNoticeQueues } from '../notices/queues.js';
import { storePolicySource } from '../store/policy-source.js';
import { connectStore } from '../store/connection.js';
import { createTemporalWorker } from '../workers/temporal-worker.js';
import { loadConfig } from '../workers/config.js';
import { countCommands } from './command-counter.js';

interface Settings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  mongodbUri: string;
  redisUrl: string;
  queuePrefix: string;
  secret: string;
  /** Where to write a CPU profile of the time from ready to SIGTERM (the sweep). */
  profile?: string;
  /** Where to write the store commands counted since ready, or since a file `<commandCounts>.reset` last appeared (it is removed), to SIGTERM, as JSON. */
  commandCounts?: string;
}

async function main(settings: Settings): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const store = await connectStore(settings.mongodbUri, { monitorCommands: settings.commandCounts !== undefined });
  const counter = settings.commandCounts ? countCommands(store) : undefined;
  if (counter)
    setInterval(() => {
      const mark = `${settings.commandCounts}.reset`;
      if (!existsSync(mark)) return;
      counter.reset();
      rmSync(mark);
    }, 20).unref();
  const noticeQueues = openNoticeQueues({ redisUrl: settings.redisUrl, webhook: false, prefix: settings.queuePrefix });
  const activities = createActivities({
    store,
    noticeQueues,
    policies: storePolicySource(store),
    subjectKeySecret: settings.secret,
  });
  // TLS to an external Temporal (TEMPORAL_ADDRESS with TEMPORAL_TLS*, inherited): the parent's freshServers used it.
  const config = loadConfig();
  const worker = await createTemporalWorker({
    address: settings.temporalAddress,
    ...(settings.temporalAddress === config.temporalAddress ? { access: config.temporalAccess } : {}),
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    activities,
  });
  const running = worker.run();
  const session = settings.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  process.once('SIGTERM', () => {
    void (async () => {
      if (session && settings.profile)
        writeFileSync(settings.profile, JSON.stringify((await session.post('Profiler.stop')).profile));
      if (counter && settings.commandCounts) writeFileSync(settings.commandCounts, JSON.stringify(counter.counts()));
      await worker.shutdown();
      await running.catch(() => undefined);
      await noticeQueues.close();
      await store.close();
      process.exit(0);
    })();
  });
  console.log('ready');
}

main(JSON.parse(process.argv[2] ?? '{}') as Settings).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
