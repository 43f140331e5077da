/**
 * `npm run chaos [-- --minutes M --kills N …]`: the fault campaign (docs/RELIABILITY.md). On the
 * embedded stack and the seeded city of bench/population.ts, a steady feed of births (each sent
 * until the platform accepts it, as a department's client does) and a sweep of the old-age
 * allowance (one month after another while the faults last) run while a driver SIGKILLs the
 * worker processes at random, restarts the Temporal server, and stops Redis and the database
 * for a while each. Afterwards it waits for the work to settle, as a user would, and checks:
 * every accepted event has its case completed and its grant; every sweep granted exactly the
 * residents compiled decide() finds eligible; every grant has exactly one notice, delivered
 * once to the inbox; nothing is left running, failed or dead-lettered. Exit 1 when any check fails.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection as TemporalConnection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { createProgress } from '../infra/progress.js';
import { freePort } from '../infra/ports.js';
import { startStack, stopRecordedServers } from '../infra/stack.js';
import { temporalConnectOptions } from '../infra/temporal-connection.js';
import { NOTICE_DEAD_LETTER_QUEUE, openNoticeQueues } from '../notices/queues.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy } from '../rules/compiled.js';
import { policyFactKeys } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { ingestEvent } from '../services/events/ingest.js';
import { registerModels } from '../store/models.js';
import { registerNoticeModels } from '../store/notices.js';
import { streamPopulation } from '../store/population.js';
import { MAX_SWEEP_PARTS, sweepWorkflowId, type SweepProgress } from '../workflows/contracts/index.js';
import { Queue } from 'bullmq';
import { buildTimeline, seededRandom, type ServerFault } from './chaos-timeline.js';
import { ServerControl, WorkerPool } from './chaos-processes.js';
import { births, HOUSEHOLD_REGISTRY, type Birth } from './latency.js';
import { openCity, peakMb, resetRecords, SECRET, SEED_AS_OF } from './population.js';
import { fmt, OptionError, table, type Benchmark } from './support.js';

/** How long the work may take to settle after the last fault: what a user would wait for a case. */
const SETTLE_MS = 15 * 60_000;
/** A department's client: retries a refused or failed delivery after this, doubling up to the cap. */
const RETRY_FIRST_MS = 500;
const RETRY_CAP_MS = 5_000;

interface FeedFigures {
  offered: number;
  accepted: Birth[];
  attempts: number;
  /** Events that needed more than one attempt, and the most any needed. */
  retried: number;
  maxAttempts: number;
}

interface SweepRun {
  asOf: string;
  workflowId: string;
  result?: SweepProgress;
}

interface FaultRecord {
  fault: string;
  at: number;
  /** Seconds from the stop to the server answering again. */
  downSeconds: number;
}

/** The first day of the month `months` after the seed's date. */
function monthAfterSeed(months: number): string {
  const date = new Date(`${SEED_AS_OF}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** Retries `action` until it succeeds (a server may be down for a while); returns the result and the attempts. */
async function untilDone<T>(action: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  let wait = RETRY_FIRST_MS;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return { value: await action(), attempts };
    } catch {
      await sleep(wait);
      wait = Math.min(RETRY_CAP_MS, wait * 2);
    }
  }
}

/** Residents compiled decide() finds eligible for `policy` as of `asOf`: what a sweep must grant. */
async function eligibleCount(store: Connection, policy: Policy, asOf: string): Promise<number> {
  const compiled = compilePolicy(policy, asOf);
  let eligible = 0;
  for await (const batch of streamPopulation(store, {
    kind: 'person',
    facts: policyFactKeys(policy),
    batchSize: 2_000,
  }))
    for (const record of batch) if (compiled.decide(record.facts).outcome === 'eligible') eligible += 1;
  return eligible;
}

/** Workflows on the task queue, counted by type and status (Temporal's visibility). */
async function workflowCounts(client: Client, taskQueue: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const key = `${info.type} ${info.status.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Workflow types a case or a sweep runs to completion; anything else may wait for a citizen (an offer). */
const MUST_COMPLETE = new Set(['lifeEvent', 'sweep', 'sweepPart', 'grantBenefit']);

export const chaosBenchmark: Benchmark = {
  summary:
    'fault campaign: births and a sweep while workers are SIGKILLed, Temporal restarts, Redis and the database stop (docs/RELIABILITY.md)',
  byNameOnly: true,
  options: {
    residents: { default: 200_000, help: 'synthetic residents in the seeded city (its infants are the births)' },
    minutes: { default: 10, help: 'length of the campaign: the faults fall inside it' },
    kills: { default: 100, help: 'worker processes SIGKILLed, at random times' },
    'temporal-restarts': { default: 5, help: 'restarts of the Temporal server' },
    'outage-seconds': { default: 30, help: 'how long Redis, then the database, stay down' },
    rate: { default: 2, help: 'births offered per second while the faults last' },
    workers: { default: 2, help: 'worker processes (npm run worker) kept running' },
    slice: { default: 10_000, help: 'subjects per sweep slice (the workflow default)' },
    parts: { default: 2, help: 'parts of each sweep (_id ranges screened side by side)' },
    seed: { default: 1, help: 'seed of the random kill times and victims (the same seed, the same campaign)' },
  },
  async run(options) {
    if (options.parts > MAX_SWEEP_PARTS)
      throw new OptionError(
        `--parts: a whole number from 1 to ${MAX_SWEEP_PARTS}, as a sweep takes, got ${options.parts}`,
      );
    const timeline = (() => {
      try {
        return buildTimeline({
          seconds: options.minutes * 60,
          kills: options.kills,
          temporalRestarts: options['temporal-restarts'],
          outageSeconds: options['outage-seconds'],
          seed: options.seed,
        });
      } catch (error) {
        if (error instanceof RangeError) throw new OptionError(`--minutes: ${error.message}`);
        throw error;
      }
    })();
    const run = randomUUID().slice(0, 8);
    const taskQueue = `chaos-${run}`;
    const city = await openCity(options.residents);
    const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-chaos-'));
    const logDir = join(stateDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const mongodbPort = Number(new URL(city.stack.mongodbUri).port);
    const ports = {
      temporal: await freePort(),
      temporalUi: await freePort(),
      mongodb: mongodbPort,
      redis: await freePort(),
    };
    let pool: WorkerPool | undefined;
    let connection: TemporalConnection | undefined;
    try {
      console.log(`   city (${city.stateDir}): ${city.note}`);
      const servers = await startStack({
        config: city.config,
        stateDir,
        ports,
        progress: createProgress({ interactive: false }),
        servers: ['temporal', 'redis'],
      });
      const control = {
        temporal: new ServerControl('temporal', { config: city.config, stateDir, ports }),
        redis: new ServerControl('redis', { config: city.config, stateDir, ports }),
        mongodb: new ServerControl('mongodb', { config: city.config, stateDir: city.stateDir, ports }),
      };
      const catalog = await loadPolicyCatalog();
      await createPolicyLifecycle(city.store).importCatalog(catalog.policies);
      await resetRecords(city.store);
      const childcare = catalog.policies.find((p) => p.id === 'childcare-subsidy')!;
      const oldAge = catalog.policies.find((p) => p.id === 'old-age-allowance' && p.version === 1)!;
      const queue = await births(city.store, childcare, run);
      const offered = Math.min(queue.length, Math.round(options.rate * timeline.seconds));
      console.log(
        `   ${fmt(queue.length)} local infants to report, ${fmt(offered)} offered at ${fmt(options.rate)}/s; ${fmt(options.workers)} workers; task queue ${taskQueue}`,
      );

      pool = new WorkerPool(
        {
          TEMPORAL_ADDRESS: servers.temporalAddress,
          TEMPORAL_NAMESPACE: servers.temporalNamespace,
          MONGODB_URI: city.uri,
          REDIS_URL: servers.redisUrl,
          APPLYFREE_SUBJECT_KEY_SECRET: SECRET,
          APPLYFREE_TASK_QUEUE: taskQueue,
          APPLYFREE_QUEUE_PREFIX: taskQueue,
          APPLYFREE_STATE_DIR: stateDir,
          LOG_LEVEL: 'warn',
        },
        options.workers,
        logDir,
      );
      await pool.waitReady(180_000);
      connection = await TemporalConnection.connect(
        temporalConnectOptions(servers.temporalAddress, servers.temporalAccess),
      );
      const client = new Client({ connection, namespace: servers.temporalNamespace });
      const ingestDeps = {
        store: city.store,
        temporal: client,
        subjectKeySecret: SECRET,
        taskQueue,
        today: () => SEED_AS_OF,
      };

      const started = performance.now();
      const elapsed = () => (performance.now() - started) / 1000;
      let faultsOver = false;

      // The feed: one birth every 1/rate s, each sent until accepted (a duplicate answer is an acceptance seen again).
      const feed: FeedFigures = { offered: 0, accepted: [], attempts: 0, retried: 0, maxAttempts: 0 };
      const feeding = (async () => {
        const sends: Array<Promise<void>> = [];
        for (const birth of queue.slice(0, offered)) {
          const due = (1000 * feed.offered) / options.rate;
          const wait = due - (performance.now() - started);
          if (wait > 0) await sleep(wait);
          feed.offered += 1;
          sends.push(
            untilDone(() => ingestEvent(ingestDeps, birth.body, HOUSEHOLD_REGISTRY)).then(({ attempts }) => {
              feed.accepted.push(birth);
              feed.attempts += attempts;
              if (attempts > 1) feed.retried += 1;
              feed.maxAttempts = Math.max(feed.maxAttempts, attempts);
            }),
          );
        }
        await Promise.all(sends);
      })();

      // Sweeps of the old-age allowance, a month after another, while the faults last.
      const sweeps: SweepRun[] = [];
      const sweeping = (async () => {
        for (let month = 0; !faultsOver; month += 1) {
          const asOf = monthAfterSeed(month);
          const sweep: SweepRun = { asOf, workflowId: sweepWorkflowId(oldAge.id, oldAge.version, asOf) };
          sweeps.push(sweep);
          await untilDone(() =>
            client.workflow
              .start('sweep', {
                workflowId: sweep.workflowId,
                taskQueue,
                args: [
                  {
                    policy: { id: oldAge.id, version: oldAge.version },
                    asOf,
                    sliceSize: options.slice,
                    parts: options.parts,
                    requestedBy: 'chaos',
                  },
                ],
              })
              .catch((error: unknown) => {
                // A start whose answer was lost in a restart: the sweep runs; its result is awaited below.
                if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
              }),
          );
          sweep.result = (await untilDone(() => client.workflow.getHandle(sweep.workflowId).result()))
            .value as SweepProgress;
        }
      })();

      // The faults: kills at their times, and the server faults one after another.
      const faults: FaultRecord[] = [];
      const random = seededRandom(options.seed + 1);
      const killing = (async () => {
        for (const at of timeline.kills) {
          const wait = at * 1000 - (performance.now() - started);
          if (wait > 0) await sleep(wait);
          await pool!.killOne(random());
        }
      })();
      const serverFaults = (async () => {
        for (const fault of timeline.servers) {
          const wait = fault.at * 1000 - (performance.now() - started);
          if (wait > 0) await sleep(wait);
          faults.push(await applyFault(fault, control[fault.server], elapsed));
        }
      })();
      const ticker = setInterval(() => {
        process.stderr.write(
          `  ${fmt(elapsed())} s · kills ${pool!.figures.killed}/${options.kills} · server faults ${faults.length}/${timeline.servers.length} · births accepted ${fmt(feed.accepted.length)}/${fmt(feed.offered)} · sweeps ${sweeps.filter((s) => s.result).length} done, ${sweeps.length} started\n`,
        );
      }, 10_000);
      try {
        await Promise.all([killing, serverFaults]);
        faultsOver = true;
        const faultSeconds = elapsed();
        await feeding;
        await sweeping;
        const sweptSeconds = elapsed();
        clearInterval(ticker);
        await pool.waitReady(180_000);
        const settled = await settle(city.store, client, taskQueue, feed.accepted);
        const settledSeconds = elapsed();

        console.log(
          `\n   from the start: faults over at ${fmt(faultSeconds)} s, the last sweep done at ${fmt(sweptSeconds)} s, everything settled at ${fmt(settledSeconds)} s${settled ? '' : ' (NOT settled within the limit)'}`,
        );
        console.log(
          table(
            ['fault', 'at s', 'down s'],
            faults.map((f) => [f.fault, fmt(f.at, 1), fmt(f.downSeconds, 1)]),
          ),
        );
        const starts = [...pool.figures.startMs].sort((a, b) => a - b);
        console.log(
          `   workers: ${pool.figures.killed} SIGKILLed, ${pool.figures.started} started in all, ${pool.figures.unexpectedExits} exits on their own (could not start while a server was down), start to ready median ${fmt(starts[Math.floor(starts.length / 2)] / 1000, 1)} s`,
        );
        console.log(
          `   births: ${fmt(feed.offered)} offered, ${fmt(feed.accepted.length)} accepted in ${fmt(feed.attempts)} attempts (${fmt(feed.retried)} needed a retry, the most ${feed.maxAttempts})`,
        );

        const failures = await check(city.store, client, servers.redisUrl, taskQueue, feed, sweeps, oldAge);
        console.log(
          `\n   FerretDB peak RSS (since its last start): ${fmt(peakMb(control.mongodb.pid() ?? 0) ?? NaN)} MB`,
        );
        if (failures.length > 0) {
          console.log(
            `\n   FAILED: ${failures.length} check(s) failed:\n${failures.map((f) => `   - ${f}`).join('\n')}`,
          );
          process.exitCode = 1;
        } else console.log('\n   every check passed: zero duplicates, zero losses');
      } finally {
        clearInterval(ticker);
        faultsOver = true;
      }
    } finally {
      await pool?.stop();
      if (pool) {
        // The workers' output outlives the run's state: what they said while the faults landed.
        const kept = join(tmpdir(), `applyfree-chaos-${run}-workers.log`);
        copyFileSync(pool.logFile, kept);
        console.log(`   the workers' output: ${kept}`);
      }
      await connection?.close();
      await resetRecords(city.store).catch(() => undefined);
      await stopRecordedServers(stateDir);
      await stopRecordedServers(city.stateDir);
      await city.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};

/** Stops a server (and starts it again at once for a restart, after the outage otherwise); times it down. */
async function applyFault(fault: ServerFault, control: ServerControl, elapsed: () => number): Promise<FaultRecord> {
  const at = elapsed();
  const label =
    fault.kind === 'restart'
      ? 'Temporal server restarted'
      : `${fault.server === 'redis' ? 'Redis' : 'FerretDB'} stopped for ${fault.seconds} s`;
  process.stderr.write(`  ${fmt(at)} s: ${label}\n`);
  await control.stop();
  if (fault.kind === 'outage') await sleep(fault.seconds * 1000);
  await control.start();
  return { fault: label, at, downSeconds: elapsed() - at };
}

/**
 * Waits until the work has settled: every accepted birth granted, nothing on the task queue
 * running that must complete, no notice still queued; says every 10 s what it still waits for.
 * False when SETTLE_MS passes first.
 */
async function settle(store: Connection, client: Client, taskQueue: string, accepted: Birth[]): Promise<boolean> {
  const { Grant } = registerModels(store);
  const { Notice } = registerNoticeModels(store);
  const started = performance.now();
  let shown = started;
  const ids = accepted.map((birth) => birth.grantId);
  while (performance.now() - started < SETTLE_MS) {
    const outstanding = await (async () => {
      const waiting: string[] = [];
      const granted = await Grant.countDocuments({ _id: { $in: ids } });
      if (granted < ids.length) waiting.push(`${fmt(ids.length - granted)} births without their grant`);
      let running = 0;
      for await (const info of client.workflow.list({
        query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      }))
        if (MUST_COMPLETE.has(info.type)) running += 1;
      if (running > 0) waiting.push(`${fmt(running)} workflows running`);
      const queued = await Notice.countDocuments({ status: 'queued' });
      if (queued > 0) waiting.push(`${fmt(queued)} notices queued`);
      return waiting;
    })().catch((error: unknown) => [`a server does not answer yet (${(error as Error).message.split('\n')[0]})`]);
    if (outstanding.length === 0) return true;
    if (performance.now() - shown >= 10_000) {
      shown = performance.now();
      process.stderr.write(`  settling ${fmt((shown - started) / 1000)} s: ${outstanding.join(', ')}\n`);
    }
    await sleep(1_000);
  }
  return false;
}

/** The checks of the campaign; returns what failed, one line each. */
async function check(
  store: Connection,
  client: Client,
  redisUrl: string,
  taskQueue: string,
  feed: FeedFigures,
  sweeps: SweepRun[],
  oldAge: Policy,
): Promise<string[]> {
  const failures: string[] = [];
  const { Grant, LifeEvent } = registerModels(store);
  const { Notice, Inbox } = registerNoticeModels(store);

  // Births: every accepted one has its case and its grant.
  const grants = new Map<string, { subjectKey: string; policy: string; period: string; status: string }>();
  for await (const grant of Grant.find({}, { subjectKey: 1, policy: 1, period: 1, status: 1 }).lean().cursor())
    grants.set(String(grant._id), {
      subjectKey: grant.subjectKey,
      policy: grant.policy.id,
      period: grant.period,
      status: grant.status,
    });
  const missingBirthGrants = feed.accepted.filter((birth) => !grants.has(birth.grantId)).length;
  const cases = await LifeEvent.countDocuments({});
  if (feed.accepted.length !== feed.offered)
    failures.push(`${feed.offered - feed.accepted.length} births never accepted`);
  if (missingBirthGrants > 0) failures.push(`${missingBirthGrants} accepted births have no childcare grant (lost)`);
  if (cases !== feed.accepted.length)
    failures.push(`${cases} cases recorded for ${feed.accepted.length} accepted births`);

  // Workflows: those that must complete did, and nothing failed or was terminated.
  const counts = await workflowCounts(client, taskQueue);
  const rows: string[][] = [];
  for (const [key, count] of [...counts].sort()) {
    const [type, status] = key.split(' ');
    rows.push([type, status, fmt(count)]);
    if (status !== 'COMPLETED' && status !== 'CONTINUED_AS_NEW' && (MUST_COMPLETE.has(type) || status !== 'RUNNING'))
      failures.push(`${count} ${type} workflows ${status}`);
  }
  const completedCases = counts.get('lifeEvent COMPLETED') ?? 0;
  if (completedCases !== feed.accepted.length)
    failures.push(`${completedCases} life-event cases completed for ${feed.accepted.length} accepted births`);
  console.log('\n   workflows on the task queue, by type and status:');
  console.log(table(['type', 'status', 'count'], rows));

  // Sweeps: each granted exactly those compiled decide() finds eligible, once each.
  const sweepRows: string[][] = [];
  for (const sweep of sweeps) {
    const period = sweep.asOf.slice(0, 7);
    const expected = await eligibleCount(store, oldAge, sweep.asOf);
    const stored = [...grants.values()].filter((g) => g.policy === oldAge.id && g.period === period);
    const subjects = new Set(stored.map((g) => g.subjectKey)).size;
    sweepRows.push([
      sweep.asOf,
      sweep.result?.status ?? 'unfinished',
      fmt(sweep.result?.processed ?? 0),
      fmt(expected),
      fmt(sweep.result?.eligible ?? 0),
      fmt(stored.length),
      fmt(subjects),
    ]);
    if (sweep.result?.status !== 'done') failures.push(`the sweep as of ${sweep.asOf} ended ${sweep.result?.status}`);
    if (sweep.result?.eligible !== expected || stored.length !== expected || subjects !== expected)
      failures.push(
        `the sweep as of ${sweep.asOf}: decide() eligible ${expected}, sweep eligible ${sweep.result?.eligible}, grants ${stored.length} for ${subjects} residents`,
      );
  }
  console.log('\n   sweeps of the old-age allowance:');
  console.log(
    table(
      ['as of', 'status', 'screened', 'decide() eligible', 'sweep eligible', 'grants', 'residents granted'],
      sweepRows,
    ),
  );

  // Notices: every grant has exactly one, delivered once to the inbox; none failed or dead-lettered.
  const inbox = new Set<string>();
  for await (const doc of Inbox.find({}, { _id: 1 }).lean().cursor()) inbox.add(String(doc._id));
  const records = new Map<string, string>();
  for await (const doc of Notice.find({}, { status: 1 }).lean().cursor()) records.set(String(doc._id), doc.status);
  let withoutNotice = 0;
  let undelivered = 0;
  for (const id of grants.keys()) {
    const noticeKey = `${id}:notice:granted`;
    if (!inbox.has(noticeKey)) withoutNotice += 1;
    if (records.get(`${noticeKey}~inbox`) !== 'delivered') undelivered += 1;
  }
  const grantNotices = [...inbox].filter((key) => key.endsWith(':notice:granted')).length;
  const failed = [...records.values()].filter((status) => status === 'failed').length;
  const dead = new Queue(NOTICE_DEAD_LETTER_QUEUE, { connection: { url: redisUrl }, prefix: taskQueue });
  const deadLettered = await dead.count();
  await dead.close();
  const queues = openNoticeQueues({ redisUrl, webhook: false, prefix: taskQueue });
  const waiting = await queues
    .queue('inbox')
    .getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized', 'failed');
  await queues.close();
  console.log(
    `\n   grants ${fmt(grants.size)}; granted notices in the inbox ${fmt(grantNotices)}; notice records failed ${failed}; dead-lettered ${deadLettered}; inbox jobs not done ${waiting}`,
  );
  if (withoutNotice > 0) failures.push(`${withoutNotice} grants have no notice in the inbox`);
  if (undelivered > 0) failures.push(`${undelivered} grants have a notice record not delivered`);
  if (grantNotices !== grants.size) failures.push(`${grantNotices} granted notices for ${grants.size} grants`);
  if (failed > 0 || deadLettered > 0) failures.push(`${failed} notices failed, ${deadLettered} dead-lettered`);
  if (waiting > 0) failures.push(`${waiting} inbox jobs still waiting or failed`);
  const revoked = [...grants.values()].filter((g) => g.status !== 'granted').length;
  if (revoked > 0) failures.push(`${revoked} grants not in the granted state`);
  return failures;
}
