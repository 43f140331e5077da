/**
 * `npm run bench -- city [--residents N] [--parts N] [--slice N] [--old-age 0|1] [--childcare 0|1]`:
 * the whole city (issue 17, item 4). Dezhou's 5.6 million residents seeded into the embedded
 * FerretDB (bench/population.ts: kept per N, and resumed batch by batch when a seeding was cut
 * short), then swept for the old-age allowance and for the childcare subsidy, one after the other,
 * on a fresh Temporal dev server and Redis with a worker process of its own (bench/sweep-worker.ts).
 * Every process's resident memory is sampled each second, and their sum, which the target keeps
 * within 4 GiB; CPU seconds by process say where the time went. Named only: it takes hours the
 * first time (the seeding), and most of an hour after.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import { temporalConnectOptions } from '../infra/temporal-connection.js';
import { openNoticeQueues } from '../notices/queues.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { registerModels } from '../store/models.js';
import {
  getSweepProgressQuery,
  MAX_SWEEP_PARTS,
  sweepWorkflowId,
  type SweepProgress,
} from '../workflows/contracts/index.js';
import {
  cpuMeter,
  freshServers,
  openCity,
  peakMb,
  resetRecords,
  stackPids,
  memorySampler,
  SECRET,
  SEED_AS_OF,
  startWorker,
} from './population.js';
import {
  checkSwitches,
  fmt,
  memoryFigure,
  MEMORY_TARGET_MB,
  OptionError,
  table,
  type Benchmark,
  type TargetFigure,
} from './support.js';

const TARGET_SECONDS = 6 * 60;
/** Dezhou's residents, which the target counts. */
const DEZHOU = 5_600_000;
const CITY_TARGET = '5.6 million swept ≤ 6 min, each policy';

/** The policies the issue names, swept as of the city's reference date. */
const POLICIES = [
  { option: 'old-age', id: 'old-age-allowance', version: 1 },
  { option: 'childcare', id: 'childcare-subsidy', version: 1 },
] as const;

interface SweptPolicy {
  policy: string;
  result: SweepProgress;
  wall: number;
  grants: number;
  jobs: number;
  cpu: Record<string, number>;
}

export const cityBenchmark: Benchmark = {
  summary:
    "the whole city: Dezhou's 5.6 million residents seeded, swept for the old-age allowance and the childcare subsidy, every process's memory sampled",
  byNameOnly: true,
  options: {
    residents: { default: DEZHOU, help: "synthetic residents (Dezhou's 5.6 million by default)" },
    parts: { default: 2, help: '_id ranges each sweep screens side by side (sweepPart children)' },
    slice: { default: 10_000, help: 'subjects per slice activity (the workflow default)' },
    'old-age': { default: 1, help: '1: sweep old-age-allowance v1; 0: leave it out' },
    childcare: { default: 1, help: '1: sweep childcare-subsidy v1; 0: leave it out' },
  },
  async run(options) {
    const { residents, parts, slice } = options;
    if (!Number.isInteger(parts) || parts < 1 || parts > MAX_SWEEP_PARTS)
      throw new OptionError(`--parts: a whole number from 1 to ${MAX_SWEEP_PARTS}, as a sweep takes, got ${parts}`);
    checkSwitches(
      options,
      POLICIES.map(({ option }) => option),
    );
    const chosen = POLICIES.filter(({ option }) => options[option] === 1);
    if (chosen.length === 0) throw new OptionError('--old-age and --childcare: at least one of them must be 1');

    const seedingStarted = performance.now();
    const city = await openCity(residents);
    const seeding = (performance.now() - seedingStarted) / 1000;
    const servers = await freshServers(['temporal', 'redis']);
    const run = randomUUID().slice(0, 8);
    let worker: ChildProcess | undefined;
    let connection: TemporalConnection | undefined;
    let memory: ReturnType<typeof memorySampler> | undefined;
    try {
      console.log(`   city (${city.stateDir}): ${city.note} (opened in ${fmt(seeding, 0)} s)`);
      const catalog = await loadPolicyCatalog();
      await createPolicyLifecycle(city.store).importCatalog(catalog.policies);
      await resetRecords(city.store);
      const settings = {
        temporalAddress: servers.temporalAddress,
        namespace: servers.temporalNamespace,
        taskQueue: `bench-city-${run}`,
        mongodbUri: city.uri,
        redisUrl: servers.redisUrl,
        queuePrefix: `bench-city-${run}`,
        secret: SECRET,
      };
      worker = await startWorker(settings);
      connection = await TemporalConnection.connect(
        temporalConnectOptions(servers.temporalAddress, servers.temporalAccess),
      );
      const client = new Client({ connection, namespace: servers.temporalNamespace });
      const pids = stackPids(worker, city, servers);
      memory = memorySampler(pids);
      const idle = memory.now();
      const models = registerModels(city.store);
      const queues = openNoticeQueues({ redisUrl: servers.redisUrl, webhook: false, prefix: settings.queuePrefix });
      const swept: SweptPolicy[] = [];
      try {
        for (const { id, version } of chosen) {
          const grantsBefore = await models.Grant.estimatedDocumentCount();
          const jobsBefore = await queues.queue('inbox').getJobCountByTypes('waiting', 'delayed', 'prioritized');
          const cpuUsed = cpuMeter(pids);
          const started = performance.now();
          const handle = await client.workflow.start('sweep', {
            workflowId: sweepWorkflowId(id, version, SEED_AS_OF),
            taskQueue: settings.taskQueue,
            args: [{ policy: { id, version }, asOf: SEED_AS_OF, sliceSize: slice, parts, requestedBy: 'bench' }],
          });
          const shown = setInterval(() => {
            handle
              .query(getSweepProgressQuery)
              .then((now) => {
                const seconds = (performance.now() - started) / 1000;
                process.stderr.write(
                  `  ${id}: ${fmt(now.processed)}/${fmt(now.total)} · eligible ${fmt(now.eligible)} · grants ${fmt(now.grantsCreated)} · ${fmt(now.processed / seconds)}/s · all processes ${fmt(memory!.now())} MB · ${fmt(seconds)} s\n`,
                );
              })
              .catch(() => undefined);
          }, 10_000);
          const result = (await handle.result().finally(() => clearInterval(shown))) as SweepProgress;
          const wall = (performance.now() - started) / 1000;
          const cpu = cpuUsed();
          const grants = (await models.Grant.estimatedDocumentCount()) - grantsBefore;
          const jobs =
            (await queues.queue('inbox').getJobCountByTypes('waiting', 'delayed', 'prioritized')) - jobsBefore;
          swept.push({ policy: `${id} v${version}`, result, wall, grants, jobs, cpu });
        }
      } finally {
        await queues.queue('inbox').obliterate({ force: true });
        await queues.close();
      }
      memory.stop();
      const peaks = memory.peaks();
      const highWater = Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : peakMb(pid)]),
      );

      console.log(
        table(
          ['sweep', 'screened', 'eligible', 'grants = jobs', 'wall time', 'per second', 'target ≤ 6 min'],
          swept.map(({ policy, result, wall, grants, jobs }) => [
            policy,
            `${fmt(result.processed)} of ${fmt(result.total)} (${result.status})`,
            fmt(result.eligible),
            `${fmt(grants)} = ${fmt(jobs)}`,
            `${fmt(wall, 1)} s`,
            fmt(result.processed / wall),
            wall <= TARGET_SECONDS ? 'met' : `missed: ${fmt(wall / TARGET_SECONDS, 1)}×`,
          ]),
        ),
      );
      console.log('\n   memory and CPU by process (CPU seconds over each sweep):');
      console.log(
        table(
          ['process', 'peak RSS (VmHWM)', 'sampled peak', ...swept.map((s) => `CPU s, ${s.policy.split(' ')[0]}`)],
          Object.keys(pids).map((name) => [
            name,
            highWater[name] === undefined ? 'n/a' : `${fmt(highWater[name])} MB`,
            `${fmt(peaks[name] ?? 0)} MB`,
            ...swept.map((s) => fmt(s.cpu[name], 1)),
          ]),
        ),
      );
      const sumPeak = memory.sumPeak();
      console.log(
        `\n   all processes together: ${fmt(sumPeak)} MB at the sampled peak (${fmt(idle)} MB idle before the sweeps); target ≤ ${fmt(MEMORY_TARGET_MB)} MB: ${sumPeak <= MEMORY_TARGET_MB ? 'met' : `missed by ${fmt(sumPeak - MEMORY_TARGET_MB)} MB`}`,
      );
      const wrong = swept.filter(
        ({ result, grants, jobs }) =>
          result.status !== 'done' ||
          result.processed !== result.total ||
          result.grantsCreated !== result.eligible ||
          grants !== result.eligible ||
          jobs !== result.eligible,
      );
      if (wrong.length > 0)
        throw new Error(
          `the counts disagree: ${wrong.map(({ policy, result, grants, jobs }) => `${policy}: ${result.status}, ${result.processed}/${result.total} screened, eligible ${result.eligible}, grants ${grants}, jobs ${jobs}`).join('; ')}`,
        );
      return [
        ...swept.map(({ policy, result, wall }): TargetFigure => ({
          target: CITY_TARGET,
          measured: `${policy}: ${fmt(result.processed)} in ${fmt(wall, 1)} s`,
          met: result.processed >= DEZHOU && wall <= TARGET_SECONDS,
        })),
        memoryFigure(`the city of ${fmt(residents)}, both sweeps`, sumPeak),
      ];
    } finally {
      memory?.stop();
      worker?.kill('SIGKILL');
      await connection?.close();
      await resetRecords(city.store).catch(() => undefined);
      await servers.stop();
      await city.close();
    }
  },
};
