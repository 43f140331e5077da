/**
 * `npm run bench -- case-path [--residents N] [--events K]`: what one life-event case costs in
 * round trips — the store commands (by command and collection) and the Temporal activities
 * (by type, local ones apart) from an accepted birth to its childcare grant, notice and all.
 * Births of seeded infants go in one at a time through ingestEvent (as `POST /events` does),
 * each waited for until every workflow it started has closed, so each case is counted alone.
 * The worker is a process of its own (bench/sweep-worker.ts) that counts its store commands;
 * this process counts the API side's. Three warm-up cases first (bundle, connections, the
 * indexes activities make sure of once), not counted. Issue 17 asks for this before and after
 * the case path is made of fewer round trips.
 */
import { localActivityOf } from '../services/cases/timeline.js';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, Connection as TemporalConnection } from '@temporalio/client';
import { ingestEvent, type IngestDeps } from '../services/events/ingest.js';
import { connectStore } from '../store/connection.js';
import { lifeEventWorkflowId } from '../workflows/contracts/index.js';
import { countCommands, type CommandCounts } from './command-counter.js';
import { HOUSEHOLD_REGISTRY, startBirthRun, type Birth } from './latency.js';
import { freshServers, openCity, resetRecords, SECRET, SEED_AS_OF } from './population.js';
import { fmt, table, type Benchmark } from './support.js';

const WARM_UP = 3;
const CASE_TIMEOUT_MS = 120_000;

/** Waits for the case's workflow to close, then for every workflow it started (grants, notices) to close too. */
async function completeCase(client: Client, birth: Birth): Promise<void> {
  const deadline = performance.now() + CASE_TIMEOUT_MS;
  const wait = () => new Promise((resolve) => setTimeout(resolve, 50));
  const handle = client.workflow.getHandle(
    lifeEventWorkflowId((birth.body as { sourceEventId: string }).sourceEventId),
  );
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (performance.now() > deadline)
      throw new Error(`case ${handle.workflowId} still running after ${CASE_TIMEOUT_MS / 1000} s`);
    await wait();
  }
  for (;;) {
    let running = 0;
    for await (const _ of client.workflow.list({ query: 'ExecutionStatus="Running"' })) running += 1;
    if (running === 0) return;
    if (performance.now() > deadline) throw new Error(`${running} workflows still running after the case closed`);
    await wait();
  }
}

interface ActivityCounts {
  workflows: Record<string, number>;
  activities: Record<string, number>;
  localActivities: Record<string, number>;
}

/** Workflows started since `since`, and the activities their histories scheduled. */
async function countActivities(client: Client, since: Date): Promise<ActivityCounts> {
  const out: ActivityCounts = { workflows: {}, activities: {}, localActivities: {} };
  for await (const execution of client.workflow.list()) {
    if (execution.startTime < since) continue;
    out.workflows[execution.type] = (out.workflows[execution.type] ?? 0) + 1;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) out.activities[scheduled] = (out.activities[scheduled] ?? 0) + 1;
      const local = localActivityOf(event)?.type;
      if (local) out.localActivities[local] = (out.localActivities[local] ?? 0) + 1;
    }
  }
  return out;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const perCase = (value: number, cases: number) => fmt(value / cases, 1);

/** Rows of counts per case, largest first, with the total. */
function rows(counts: Record<string, number>, cases: number): string[][] {
  return [
    ...Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([name, count]) => [name, perCase(count, cases)]),
    ['total', perCase(sum(counts), cases)],
  ];
}

function merge(a: CommandCounts, b: CommandCounts): CommandCounts {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
  return out;
}

export const casePathBenchmark: Benchmark = {
  summary: 'store commands and activities one life-event case costs (birth → childcare grant and notice)',
  options: {
    residents: { default: 100_000, help: 'synthetic residents in the seeded city (its infants are the births)' },
    events: { default: 20, help: 'cases counted, one at a time, after three warm-up cases' },
  },
  async run({ residents, events }) {
    const city = await openCity(residents);
    const servers = await freshServers(['temporal', 'redis']);
    const run = randomUUID().slice(0, 8);
    const countsDir = mkdtempSync(join(tmpdir(), 'applyfree-case-path-'));
    const workerCounts = join(countsDir, 'worker.json');
    let worker: ChildProcess | undefined;
    let connection: TemporalConnection | undefined;
    const api = await connectStore(city.uri, { monitorCommands: true });
    try {
      console.log(`   city (${city.stateDir}): ${city.note}`);
      const birthRun = await startBirthRun(city, servers, 'case-path', run, { commandCounts: workerCounts });
      ({ worker, connection } = birthRun);
      const { queue, taskQueue, client } = birthRun;
      if (queue.length < WARM_UP + events)
        throw new Error(
          `only ${queue.length} seeded infants for ${WARM_UP + events} births: seed a larger city (--residents)`,
        );
      const deps: IngestDeps = {
        store: api,
        temporal: client,
        subjectKeySecret: SECRET,
        taskQueue,
        today: () => SEED_AS_OF,
      };
      const apiCounter = countCommands(api);
      const one = async (birth: Birth) => {
        const accepted = await ingestEvent(deps, birth.body, HOUSEHOLD_REGISTRY);
        if (!accepted) throw new Error('a birth was not accepted');
        await completeCase(client, birth);
      };
      for (const birth of queue.splice(0, WARM_UP)) await one(birth);
      writeFileSync(`${workerCounts}.reset`, '');
      while (existsSync(`${workerCounts}.reset`)) await new Promise((resolve) => setTimeout(resolve, 20));
      apiCounter.reset();
      const since = new Date();
      const started = performance.now();
      for (const birth of queue.splice(0, events)) await one(birth);
      const seconds = (performance.now() - started) / 1000;
      const apiCounts = apiCounter.counts();
      const activities = await countActivities(client, since);
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker!.once('exit', resolve));
      worker = undefined;
      const workerCountsRead = JSON.parse(readFileSync(workerCounts, 'utf8')) as CommandCounts;

      console.log(
        `\n   ${fmt(events)} births, one at a time: ${fmt(seconds, 1)} s (${fmt((1000 * seconds) / events)} ms a case, grant and notice included)`,
      );
      console.log('\n   store commands per case, by command and collection (worker and API side together):');
      console.log(table(['command collection', 'per case'], rows(merge(workerCountsRead, apiCounts), events)));
      console.log(
        `\n   of which the API side (ingestEvent): ${perCase(sum(apiCounts), events)}; the worker: ${perCase(sum(workerCountsRead), events)}`,
      );
      console.log('\n   workflows per case:');
      console.log(table(['workflow type', 'per case'], rows(activities.workflows, events)));
      console.log('\n   activities per case (scheduled in the histories):');
      console.log(table(['activity type', 'per case'], rows(activities.activities, events)));
      console.log('\n   local activities per case (their markers in the histories):');
      console.log(table(['local activity type', 'per case'], rows(activities.localActivities, events)));
    } finally {
      worker?.kill('SIGTERM');
      if (worker) await new Promise((resolve) => worker!.once('exit', resolve));
      await connection?.close();
      await api.close();
      rmSync(countsDir, { recursive: true, force: true });
      await resetRecords(city.store).catch(() => undefined);
      await servers.stop();
      await city.close();
    }
  },
};
