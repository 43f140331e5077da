/**
 * A sweep survives its worker and its server (issue 6, done when): a city of 1,200 residents
 * is swept for the old-age allowance by a worker process (`npm run worker`) on a Temporal dev
 * server of this file's own. Midway the worker is killed (SIGKILL) and another takes over;
 * later the Temporal server itself is stopped and started again on the same database file.
 * The sweep finishes, and every eligible resident is granted and notified exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { Connection as StoreConnection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { subjectKey } from '../domain/pseudonym.js';
import { answers, checkTemporal } from '../infra/checks.js';
import { spawnServer, stopServer, waitUntilReady, type PidRecord } from '../infra/processes.js';
import { ensureSearchAttributes } from '../infra/search-attributes.js';
import { seedCity } from '../infra/seed/index.js';
import { temporalDevServerArgs } from '../infra/stack.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy } from '../rules/compiled.js';
import { evaluatePolicy, policyFactKeys } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { connectStore } from '../store/connection.js';
import { streamPopulation } from '../store/population.js';
import { registerModels, type Models } from '../store/models.js';
import { getSweepProgressQuery, sweepWorkflowId } from '../workflows/contracts/index.js';
import type { sweep } from '../workflows/sweep.js';
import { TEST_SECRET } from './support/city.js';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';

const stack = inject('stack');
const RESIDENTS = 1_200;
const AS_OF = '2026-11-15';
const run = Math.random().toString(36).slice(2, 10);
const database = `applyfree_sweeprestart_${run}`;
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-sweep-restart-'));

let temporalPort: number;
let temporal: PidRecord;
let client: Client;
let store: StoreConnection;
let models: Models;
const workers: ChildProcessWithoutNullStreams[] = [];

function startTemporal(): Promise<void> {
  const args = temporalDevServerArgs({
    port: temporalPort,
    dbFile: join(stateDir, 'temporal.db'),
    namespace: stack.temporalNamespace,
  });
  const logFile = join(stateDir, 'temporal.log');
  temporal = spawnServer({
    executable: stack.temporalCliPath,
    args,
    port: temporalPort,
    logFile,
    pidFile: join(stateDir, 'temporal.pid'),
  });
  return waitUntilReady(
    'Temporal dev server',
    temporal,
    logFile,
    () => answers(() => checkTemporal(`127.0.0.1:${temporalPort}`, stack.temporalNamespace)),
    60_000,
  );
}

function startWorker(): ChildProcessWithoutNullStreams {
  const worker = runEntry('workers/worker-cli.ts', [], {
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: stack.temporalNamespace,
    MONGODB_URI: mongodbUri,
    REDIS_URL: stack.redisUrl,
    APPLYFREE_TASK_QUEUE: `sweep-restart-${run}`,
    APPLYFREE_QUEUE_PREFIX: `sweep-restart-${run}`,
    // The test's own servers, with the development key the test computes subject keys with.
    APPLYFREE_MODE: 'development',
    CI: '1',
  });
  void finished(worker);
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  temporalPort = await freePort();
  await startTemporal();
  await ensureSearchAttributes(`127.0.0.1:${temporalPort}`, stack.temporalNamespace);
  client = new Client({
    connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }),
    namespace: stack.temporalNamespace,
  });
  store = await connectStore(mongodbUri);
  models = registerModels(store);
  await seedCity(store, {
    residents: RESIDENTS,
    enterprises: 0,
    seed: 'sweep-restart',
    secret: TEST_SECRET,
    asOf: '2026-11-01',
  });
}, 180_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await client?.connection.close();
  if (temporal) await stopServer(temporal, join(stateDir, 'temporal.pid'));
  await store?.dropDatabase();
  await store?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The eligible residents' subject keys, decided by json-rules-engine on the same facts. */
async function eligibleKeys(): Promise<string[]> {
  const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance')!;
  const keys: string[] = [];
  for await (const batch of streamPopulation(store, { kind: 'person', facts: policyFactKeys(policy) })) {
    for (const { id, facts } of batch)
      if ((await evaluatePolicy(policy, facts, AS_OF)).outcome === 'eligible')
        keys.push(subjectKey('person', id, TEST_SECRET));
  }
  // The compiled evaluator the sweep uses agrees on this city (its differential test covers random facts).
  expect(keys.length).toBe(await countCompiled(policy));
  return keys.sort();
}

async function countCompiled(policy: Policy): Promise<number> {
  const compiled = compilePolicy(policy, AS_OF);
  let count = 0;
  for await (const batch of streamPopulation(store, { kind: 'person', facts: policyFactKeys(policy) }))
    count += batch.filter((r) => compiled.decide(r.facts).outcome === 'eligible').length;
  return count;
}

describe('a sweep interrupted by a worker kill and a server restart', () => {
  it('finishes, granting and notifying every eligible resident exactly once', async () => {
    const expected = await eligibleKeys();
    expect(expected.length).toBeGreaterThan(10);

    let worker = startWorker();
    const workflowId = sweepWorkflowId('old-age-allowance', 1, AS_OF);
    const handle = await client.workflow.start<typeof sweep>('sweep', {
      workflowId,
      taskQueue: `sweep-restart-${run}`,
      args: [
        {
          policy: { id: 'old-age-allowance', version: 1 },
          asOf: AS_OF,
          sliceSize: 100,
          slicesPerRun: 4,
          requestedBy: 'test',
        },
      ],
    });
    const processed = async () => (await handle.query(getSweepProgressQuery)).processed;

    // Kill the worker once a few slices are done, and start another.
    await expect.poll(processed, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(300);
    worker.kill('SIGKILL');
    worker = startWorker();

    // Later, stop the Temporal server and start it again on the same database file.
    await expect.poll(processed, { timeout: 90_000, interval: 200 }).toBeGreaterThanOrEqual(700);
    await stopServer(temporal, join(stateDir, 'temporal.pid'));
    await startTemporal();

    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'done',
      processed: RESIDENTS,
      eligible: expected.length,
      granted: expected.length,
      grantsCreated: expected.length,
    });

    const grants = await models.Grant.find({ 'policy.id': 'old-age-allowance' }, { subjectKey: 1 }).lean();
    expect(grants.map((g) => g.subjectKey).sort()).toEqual(expected);
    const notices = await models.Notice.find({ template: 'grant.awarded' }, { subjectKey: 1 }).lean();
    expect(notices.map((n) => n.subjectKey).sort()).toEqual(expected);
    // The kill really cut into the work: a slice or a workflow task of the sweep was retried elsewhere
    // (a retried activity's history shows only its last attempt, with its number).
    let timedOut = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
      timedOut +=
        history.events?.filter(
          (e) =>
            (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1 ||
            e.workflowTaskTimedOutEventAttributes ||
            e.workflowTaskFailedEventAttributes,
        ).length ?? 0;
    }
    expect(timedOut).toBeGreaterThan(0);
    // Each inbox notice is delivered once by the workers' notice consumers. A notice job the killed
    // worker held comes back when its BullMQ lock (30 s) runs out, at the live worker's next stall
    // check (every 30 s): up to a minute after the kill, which is what its resident waits.
    await expect
      .poll(() => models.Inbox.countDocuments({ template: 'grant.awarded' }), { timeout: 90_000, interval: 500 })
      .toBe(expected.length);
  }, 300_000);
});
