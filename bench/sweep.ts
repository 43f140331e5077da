/**
 * `npm run bench -- sweep [--residents N] [--slice N] [--parts N] [--profile 1] [--perf 1]`: the sweep workflow end to end
 * on the embedded stack — old-age-allowance v1 (auto) over the seeded city of bench/population.ts
 * (FerretDB kept per N), a fresh Temporal dev server and Redis, and a worker process of its own
 * (bench/sweep-worker.ts): scan → evaluate → bulk grants for the eligible → notices queued. Prints
 * wall time, subjects/s, the worker's peak memory, slice times, and in the same run the bare
 * cursor drain of the policy's projection against the same drain with compiled decide().
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { temporalConnectOptions } from '../infra/temporal-connection.js';
import { openNoticeQueues } from '../notices/queues.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy } from '../rules/compiled.js';
import { policyFactKeys } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { registerModels } from '../store/models.js';
import { streamPopulation } from '../store/population.js';
import {
  getSweepProgressQuery,
  sweepPartWorkflowId,
  sweepWorkflowId,
  type SweepProgress,
} from '../workflows/contracts/index.js';
import {
  cpuMeter,
  freshServers,
  memorySampler,
  openCity,
  peakMb,
  resetRecords,
  rssMb,
  SECRET,
  stackPids,
  startWorker,
} from './population.js';
import { printWorkerProfile } from './profile.js';
import { printServerProfile, recordServers } from './server-profile.js';
import { checkSwitches, fmt, memoryFigure, progress, table, type Benchmark } from './support.js';

const AS_OF = '2026-06-01';
const SWEEP_TARGET = 'a 1,000,000 sweep ≤ 60 s';
const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value)} MB`);

/** The same projection through the population stream, bare and with decide(): what reading costs and what evaluating adds. */
async function scanRatio(
  store: Connection,
  policy: Policy,
  total: number,
): Promise<{ drain: number; decide: number; deciding: number; eligible: number }> {
  const facts = policyFactKeys(policy);
  const pass = async (label: string, evaluate: boolean) => {
    const compiled = compilePolicy(policy, AS_OF);
    const shown = progress(label, total);
    let read = 0;
    let eligible = 0;
    let deciding = 0;
    const started = performance.now();
    for await (const batch of streamPopulation(store, { kind: 'person', facts, batchSize: 2_000 })) {
      const at = performance.now();
      if (evaluate) for (const record of batch) if (compiled.decide(record.facts).outcome === 'eligible') eligible += 1;
      deciding += performance.now() - at;
      read += batch.length;
      shown.tick(read);
    }
    shown.done();
    return { seconds: (performance.now() - started) / 1000, eligible, deciding: deciding / 1000 };
  };
  const drain = await pass('bare cursor drain', false);
  const decide = await pass('drain + compiled decide()', true);
  return { drain: drain.seconds, decide: decide.seconds, deciding: decide.deciding, eligible: decide.eligible };
}

/** How often screenSlice was retried over every run of the sweep (continue-as-new included), and the first slice's attempt. */
async function sliceAttempts(
  client: Client,
  workflowId: string,
  firstRunId: string,
): Promise<{ retries: number; first: number }> {
  let retries = 0;
  let first = 0;
  for (let runId: string | undefined = firstRunId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    let next: string | undefined;
    const slices = new Set<string>();
    for (const event of history.events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'screenSlice')
        slices.add(String(event.eventId));
      const started = event.activityTaskStartedEventAttributes;
      if (started && slices.has(String(started.scheduledEventId))) {
        const attempt = started.attempt ?? 1;
        if (first === 0) first = attempt;
        retries += attempt - 1;
      }
      next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
    }
    runId = next;
  }
  return { retries, first };
}

/** sliceAttempts over the sweep, or over each of its parts (each part's first run, found by listing its runs). */
async function allSliceAttempts(
  client: Client,
  workflowId: string,
  firstRunId: string,
  slices: number,
): Promise<{ retries: number; first: number }> {
  const own = await sliceAttempts(client, workflowId, firstRunId);
  if (own.first > 0 || slices === 0) return own;
  let retries = 0;
  let first = 0;
  for (let part = 0; ; part++) {
    const runs: Array<{ runId: string; startTime: Date }> = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = '${sweepPartWorkflowId(workflowId, part)}'` }))
      runs.push({ runId: run.runId, startTime: run.startTime });
    if (runs.length === 0) return { retries, first };
    runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    const counted = await sliceAttempts(client, sweepPartWorkflowId(workflowId, part), runs[0].runId);
    retries += counted.retries;
    first ||= counted.first;
  }
}

export const sweepBenchmark: Benchmark = {
  summary: 'sweep workflow end to end (old-age-allowance v1, auto) over the seeded city on the embedded stack',
  options: {
    residents: { default: 1_000_000, help: 'synthetic residents in the seeded city' },
    slice: { default: 10_000, help: 'subjects per slice activity (the workflow default)' },
    parts: {
      default: 1,
      help: '_id ranges screened side by side, each a sweepPart child workflow (the default, 1: one cursor)',
    },
    profile: {
      default: 0,
      help: '1: record a V8 CPU profile of the worker during the sweep and print where its time went',
    },
    perf: {
      default: 0,
      help: "1: sample FerretDB and the Temporal server with Linux perf during the sweep and print where each one's CPU went",
    },
  },
  async run(options) {
    checkSwitches(options, ['profile', 'perf']);
    const { residents, slice, parts, profile, perf } = options;
    const city = await openCity(residents);
    const servers = await freshServers(['temporal', 'redis']);
    const run = randomUUID().slice(0, 8);
    const profileDir = profile ? mkdtempSync(join(tmpdir(), 'applyfree-sweep-prof-')) : undefined;
    let worker: ChildProcess | undefined;
    let connection: TemporalConnection | undefined;
    let memory: ReturnType<typeof memorySampler> | undefined;
    let serverPerf: Awaited<ReturnType<typeof recordServers>> | undefined;
    try {
      console.log(`   city (${city.stateDir}): ${city.note}`);
      const catalog = await loadPolicyCatalog();
      await createPolicyLifecycle(city.store).importCatalog(catalog.policies);
      const policy = catalog.policies.find((p) => p.id === 'old-age-allowance' && p.version === 1)!;
      await resetRecords(city.store);
      const profileFile = profileDir ? join(profileDir, 'sweep-worker.cpuprofile') : undefined;
      const settings = {
        temporalAddress: servers.temporalAddress,
        namespace: servers.temporalNamespace,
        taskQueue: `bench-sweep-${run}`,
        mongodbUri: city.uri,
        redisUrl: servers.redisUrl,
        queuePrefix: `bench-sweep-${run}`,
        secret: SECRET,
        profile: profileFile,
      };
      worker = await startWorker(settings);
      const pid = worker.pid!;
      const idle = rssMb(pid);
      connection = await TemporalConnection.connect(
        temporalConnectOptions(servers.temporalAddress, servers.temporalAccess),
      );
      const client = new Client({ connection, namespace: servers.temporalNamespace });

      const pids = stackPids(worker, city, servers);
      const cpuUsed = cpuMeter(pids);
      memory = memorySampler(pids);
      if (perf) serverPerf = await recordServers(pids, ['ferretdb', 'temporal']);
      const started = performance.now();
      const handle = await client.workflow.start('sweep', {
        workflowId: sweepWorkflowId(policy.id, policy.version, AS_OF),
        taskQueue: settings.taskQueue,
        args: [
          {
            policy: { id: policy.id, version: policy.version },
            asOf: AS_OF,
            sliceSize: slice,
            parts,
            requestedBy: 'bench',
          },
        ],
      });
      const sliceEnds: number[] = [];
      let ticks = 0;
      const poll = setInterval(() => {
        handle
          .query(getSweepProgressQuery)
          .then((now) => {
            for (let s = sliceEnds.length; s < now.slices; s += 1) sliceEnds.push((performance.now() - started) / 1000);
            if (++ticks % 10 !== 0) return;
            const seconds = (performance.now() - started) / 1000;
            process.stderr.write(
              `  sweep ${fmt(now.processed)}/${fmt(now.total)} · slice ${now.slices} · eligible ${fmt(now.eligible)} · grants ${fmt(now.grantsCreated)} · notices ${fmt(now.noticesQueued)} · ${fmt(now.processed / seconds)}/s · worker RSS ${mb(rssMb(pid))} · ${fmt(seconds)} s\n`,
            );
          })
          .catch(() => undefined);
      }, 1_000);
      const result = (await handle.result()) as SweepProgress;
      const attempts = await allSliceAttempts(client, handle.workflowId, handle.firstExecutionRunId, result.slices);
      clearInterval(poll);
      const wall = (performance.now() - started) / 1000;
      for (let s = sliceEnds.length; s < result.slices; s += 1) sliceEnds.push(wall);
      const cpu = Object.entries(cpuUsed());
      memory.stop();
      const serverProfiles = await serverPerf?.stop();
      serverPerf = undefined;
      const workerPeak = peakMb(pid);
      const ferretPeak = pids.ferretdb === undefined ? undefined : peakMb(pids.ferretdb);

      worker.kill('SIGTERM');
      await new Promise((resolve) => worker!.once('exit', resolve));
      worker = undefined;

      const models = registerModels(city.store);
      const grants = await models.Grant.estimatedDocumentCount();
      const records = await models.Notice.estimatedDocumentCount();
      const queues = openNoticeQueues({ redisUrl: servers.redisUrl, webhook: false, prefix: settings.queuePrefix });
      const jobs = await queues.queue('inbox').getJobCountByTypes('waiting', 'delayed', 'prioritized');
      await queues.queue('inbox').obliterate({ force: true });
      await queues.close();

      const ratio = await scanRatio(city.store, policy, result.total);
      const durations = sliceEnds.map((end, i) => end - (i === 0 ? 0 : sliceEnds[i - 1]));
      const sorted = [...durations].sort((a, b) => a - b);
      console.log(
        table(
          ['figure', 'value'],
          [
            ['residents screened', `${fmt(result.processed)} of ${fmt(result.total)} (${result.status})`],
            [
              'eligible / ineligible / undetermined',
              `${fmt(result.eligible)} / ${fmt(result.ineligible)} / ${fmt(result.undetermined)}`,
            ],
            ['grants created (stored)', `${fmt(result.grantsCreated)} (${fmt(grants)})`],
            ['notices queued (records, inbox jobs)', `${fmt(result.noticesQueued)} (${fmt(records)}, ${fmt(jobs)})`],
            ['sweep wall time (start to result)', `${fmt(wall, 1)} s`],
            ['subjects per second', fmt(result.processed / wall)],
            [
              `slices of ${fmt(slice)}`,
              `${result.slices}: first ${fmt(durations[0] ?? 0, 1)} s, median ${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0, 1)} s, last full ${fmt(durations.at(-2) ?? durations[0] ?? 0, 1)} s`,
            ],
            [
              'slice attempts beyond the first (retries: timeouts)',
              `${attempts.retries} (first slice: attempt ${attempts.first})`,
            ],
            [
              'worker peak RSS (VmHWM; idle before the sweep)',
              `${mb(workerPeak)} (${mb(idle)}; sampled peak ${mb(memory.peaks().worker)})`,
            ],
            ['FerretDB peak RSS', mb(ferretPeak)],
            ['all processes together (sampled peak)', `${fmt(memory.sumPeak())} MB`],
            ['CPU seconds during the sweep', cpu.map(([name, seconds]) => `${name} ${fmt(seconds, 1)}`).join(', ')],
            ['bare cursor drain of the projection', `${fmt(ratio.drain, 1)} s (${fmt(result.total / ratio.drain)}/s)`],
            [
              'same drain + compiled decide()',
              `${fmt(ratio.decide, 1)} s (${fmt(result.total / ratio.decide)}/s), of which decide() ${fmt(ratio.deciding, 2)} s`,
            ],
            ['scan + evaluate vs bare drain', `${fmt(ratio.decide / ratio.drain, 2)}× (target ≤ 1.3×)`],
            ['sweep wall vs one scan + evaluate', `${fmt(wall / ratio.decide, 1)}×`],
          ],
        ),
      );
      if (
        ratio.eligible !== result.eligible ||
        result.grantsCreated !== result.eligible ||
        grants !== result.eligible ||
        jobs !== result.eligible
      ) {
        throw new Error(
          `the counts disagree: sweep eligible ${result.eligible}, decide() eligible ${ratio.eligible}, grants ${grants}, jobs ${jobs}`,
        );
      }
      if (profileDir) {
        if (!readdirSync(profileDir).includes('sweep-worker.cpuprofile'))
          throw new Error('the worker wrote no CPU profile');
        printWorkerProfile(profileFile!, 'the sweep');
      }
      for (const server of serverProfiles ?? []) printServerProfile(server, 'the sweep');
      return [
        {
          target: SWEEP_TARGET,
          measured: `${fmt(result.processed)} in ${fmt(wall, 1)} s (${parts} part${parts === 1 ? '' : 's'})`,
          met: result.processed >= 1_000_000 && wall <= 60,
        },
        memoryFigure(`the sweep of ${fmt(residents)}`, memory.sumPeak()),
      ];
    } finally {
      memory?.stop();
      serverPerf?.discard();
      worker?.kill('SIGKILL');
      await connection?.close();
      await resetRecords(city.store).catch(() => undefined);
      await servers.stop();
      await city.close();
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    }
  },
};
