/**
 * A payroll survives its worker and its server (issue 13, done when): the old-age allowance's
 * entitlements in a synthetic city are paid for a month by a worker process (`npm run worker`) on
 * a Temporal dev server of this file's own. Midway the worker is killed (SIGKILL), the server is
 * stopped and started again on its database file, and another worker takes over. The batch comes
 * up for preview with one line for every entitlement still eligible — none twice, none missing —
 * and balances to the fen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { Connection as StoreConnection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { yuanToFen } from '../domain/entitlements.js';
import { subjectKey } from '../domain/pseudonym.js';
import { answers, checkTemporal } from '../infra/checks.js';
import { spawnServer, stopServer, waitUntilReady, type PidRecord } from '../infra/processes.js';
import { ensureSearchAttributes } from '../infra/search-attributes.js';
import { seedCity } from '../infra/seed/index.js';
import { temporalDevServerArgs } from '../infra/stack.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy, policyFactKeys } from '../rules/engine.js';
import { policyRef } from '../rules/policy-hash.js';
import { connectStore } from '../store/connection.js';
import { openEntitlements } from '../store/entitlements.js';
import { registerPayrollModels } from '../store/payroll.js';
import { streamPopulation } from '../store/population.js';
import { getPayrollProgressQuery, payrollWorkflowId } from '../workflows/contracts/index.js';
import type { payroll } from '../workflows/payroll.js';
import { TEST_SECRET } from './support/city.js';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';

const stack = inject('stack');
const RESIDENTS = 2_000;
const run = Math.random().toString(36).slice(2, 10);
const database = `applyfree_payrollrestart_${run}`;
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-payroll-restart-'));
const taskQueue = `payroll-restart-${run}`;

let temporalPort: number;
let temporal: PidRecord;
let client: Client;
let store: StoreConnection;
const workers: ChildProcessWithoutNullStreams[] = [];
const outputs: Array<ReturnType<typeof finished>> = [];

function startTemporal(): Promise<void> {
  const logFile = join(stateDir, 'temporal.log');
  temporal = spawnServer({
    executable: stack.temporalCliPath,
    args: temporalDevServerArgs({
      port: temporalPort,
      dbFile: join(stateDir, 'temporal.db'),
      namespace: stack.temporalNamespace,
    }),
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
    APPLYFREE_TASK_QUEUE: taskQueue,
    APPLYFREE_QUEUE_PREFIX: taskQueue,
    APPLYFREE_MODE: 'development',
    CI: '1',
  });
  outputs.push(finished(worker));
  workers.push(worker);
  return worker;
}

/**
 * The payroll's result, or a failure saying why there will be none: every worker started has
 * exited (its stderr is the reason), instead of waiting out the test's timeout in silence.
 */
async function resultWhileAWorkerRuns<T>(result: Promise<T>): Promise<T> {
  let settled = false;
  const watch = async (): Promise<never> => {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (settled) return new Promise<never>(() => undefined);
      if (workers.every((worker) => worker.exitCode !== null || worker.signalCode !== null)) {
        const said = (await Promise.all(outputs)).map(({ code, stderr }) => `exit ${code}: ${stderr.slice(-2_000)}`);
        throw new Error(`every worker exited before the payroll finished:\n${said.join('\n---\n')}`);
      }
    }
  };
  try {
    return await Promise.race([result, watch()]);
  } finally {
    settled = true;
  }
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
  await seedCity(store, {
    residents: RESIDENTS,
    enterprises: 0,
    seed: 'payroll-restart',
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

describe('a payroll interrupted by a worker kill and a server restart', () => {
  it('comes up for preview with one line for every eligible entitlement, none twice and none missing', async () => {
    // Entitlements opened by November's grants: everyone the allowance paid for November.
    const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance')!;
    const expected = new Map<string, number>();
    const openings = [];
    for await (const batch of streamPopulation(store, { kind: 'person', facts: policyFactKeys(policy) }))
      for (const { id, facts } of batch) {
        if ((await evaluatePolicy(policy, facts, '2026-11-01')).outcome !== 'eligible') continue;
        const key = subjectKey('person', id, TEST_SECRET);
        openings.push({ subjectKey: key, policy: policyRef(policy), period: '2026-11', grantKey: `grant:test:${key}` });
        const december = await evaluatePolicy(policy, facts, '2026-12-01');
        if (december.outcome === 'eligible') expected.set(key, yuanToFen(december.amount!));
      }
    await openEntitlements(store, openings);
    expect(expected.size).toBeGreaterThan(30);

    let worker = startWorker();
    const workflowId = payrollWorkflowId('old-age-allowance', '2026-12');
    const handle = await client.workflow.start<typeof payroll>('payroll', {
      workflowId,
      taskQueue,
      args: [{ policyId: 'old-age-allowance', period: '2026-12', startedBy: 'test', sliceSize: 5, slicesPerRun: 4 }],
    });
    const processed = async () => (await handle.query(getPayrollProgressQuery)).processed;
    await expect.poll(processed, { timeout: 90_000, interval: 100 }).toBeGreaterThanOrEqual(10);
    worker.kill('SIGKILL');
    // While no worker runs, the Temporal server stops and starts again on the same database file.
    await stopServer(temporal, join(stateDir, 'temporal.pid'));
    await startTemporal();
    worker = startWorker();

    // Asked through a connection made after the restart, as anyone who comes back to it would:
    // the first one's channel may still be backing off from the server it lost.
    const after = new Client({
      connection: await Connection.connect({ address: `127.0.0.1:${temporalPort}` }),
      namespace: stack.temporalNamespace,
    });
    const result = await resultWhileAWorkerRuns(after.workflow.getHandle<typeof payroll>(workflowId).result()).finally(
      () => after.connection.close(),
    );
    const { PaymentLine } = registerPayrollModels(store);
    const lines = await PaymentLine.find({ batchId: workflowId }, { subjectKey: 1, amountFen: 1 }).lean();
    expect(lines.map((line) => line.subjectKey).sort()).toEqual([...expected.keys()].sort());
    const total = [...expected.values()].reduce((sum, fen) => sum + fen, 0);
    expect(lines.reduce((sum, line) => sum + line.amountFen, 0)).toBe(total);
    expect(result).toMatchObject({ lines: expected.size, totalFen: total });
    // The kill really cut into the work: a slice or a workflow task of the payroll was retried elsewhere.
    let retried = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
      retried +=
        history.events?.filter(
          (e) =>
            (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1 ||
            e.workflowTaskTimedOutEventAttributes ||
            e.workflowTaskFailedEventAttributes,
        ).length ?? 0;
    }
    expect(retried).toBeGreaterThan(0);
  }, 300_000);
});
