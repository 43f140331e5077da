/**
 * End to end on the real stack: a registry posts a birth to the API (a signed request, as
 * every department's), a separate worker process runs the case, and the worker is killed
 * (SIGKILL) in the middle of the case and started again while the registry delivers the same
 * event a second time, and a second registry reports it too. The family still gets exactly one
 * childcare grant and one inbox notice.
 */
import { randomUUID } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../domain/pseudonym.js';
import { cityToday } from '../domain/calendar.js';
import { connectStore } from '../store/connection.js';
import { registerModels, type Models } from '../store/models.js';
import { benefitWorkflowId, lifeEventWorkflowId } from '../workflows/contracts/index.js';
import { addResident } from './support/city.js';
import { finished, runEntry } from './support/run-node.js';
import { connectClient } from './support/temporal.js';
import { ALL_UP } from './support/all-up.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const database = `applyfree_e2e_${run}`;
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
/** The worker's own deployment on the shared test servers: its database, task queue and queue prefix. */
const workerEnv = {
  TEMPORAL_ADDRESS: stack.temporalAddress,
  TEMPORAL_NAMESPACE: stack.temporalNamespace,
  MONGODB_URI: mongodbUri,
  REDIS_URL: stack.redisUrl,
  APPLYFREE_TASK_QUEUE: `e2e-${run}`,
  APPLYFREE_QUEUE_PREFIX: `e2e-${run}`,
  // The test's own servers, with the development key the ingestion above uses.
  APPLYFREE_MODE: 'development',
  CI: '1',
};

let store: Connection;
let models: Models;
let temporal: Client;
let api: FastifyInstance;
let apiUrl: string;
let closeEvents: () => Promise<void>;
/** The household registry and the health commission, each with its own key. */
let household: DepartmentCredential;
let hospital: DepartmentCredential;
const workers: ChildProcessWithoutNullStreams[] = [];
/** Everything the worker processes printed, to check no raw ID reached a log. */
let workerOutput = '';

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  models = registerModels(store);
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const deps = {
    store,
    temporal,
    taskQueue: workerEnv.APPLYFREE_TASK_QUEUE,
    subjectKeySecret: DEVELOPMENT_SUBJECT_KEY_SECRET,
    today: () => cityToday(),
  };
  const events = testEventApi(stack.redisUrl, deps);
  closeEvents = events.close;
  household = await registerTestDepartment(store, DEVELOPMENT_SUBJECT_KEY_SECRET);
  hospital = await registerTestDepartment(store, DEVELOPMENT_SUBJECT_KEY_SECRET, {
    id: `health-commission-${run}`,
    sources: ['health-commission'],
  });
  api = buildApi({ events: events.events, health: ALL_UP });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await api?.close();
  await closeEvents?.();
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

/** Starts `npm run worker`'s entry point and resolves once it serves the task queue. */
async function startWorker(): Promise<ChildProcessWithoutNullStreams> {
  const child = runEntry('workers/worker-cli.ts', [], workerEnv);
  workers.push(child);
  child.stdout.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (workerOutput.includes('applyfree worker is running')) resolve();
    });
    child.on('close', (code) =>
      reject(new Error(`worker exited with ${code} before it was running:\n${workerOutput}`)),
    );
  });
  return child;
}

async function postEvent(
  body: object,
  department = household,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  const response = await fetch(`${apiUrl}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signDepartmentRequest(department, { method: 'POST', path: '/events', body: payload }),
    },
    body: payload,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('a birth, end to end, through a worker crash and a duplicate delivery', () => {
  it('yields exactly one childcare grant and one inbox notice', async () => {
    const child = await addResident(store, '2026-03-10', { 'person.localHukou': true, 'person.alive': true });
    const birth = {
      sourceEventId: `hr-birth-${run}`,
      source: 'household-registry',
      type: 'birth.registered',
      occurredOn: '2026-03-20',
      subject: { residentId: child.id },
      payload: { birthDate: '2026-03-10' },
    };

    const first = await startWorker();
    const accepted = await postEvent(birth);
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ status: 'accepted', caseId: lifeEventWorkflowId(birth.sourceEventId) });
    const caseHandle = temporal.workflow.getHandle(lifeEventWorkflowId(birth.sourceEventId));

    // Kill the worker as soon as it has taken the case's first workflow task, whose local activities
    // (resolvePolicies, decideCase) pull the facts and write the decisions: mid-flow.
    await expect
      .poll(
        async () => (await caseHandle.fetchHistory()).events?.some((event) => event.workflowTaskStartedEventAttributes),
        { timeout: 30_000, interval: 20 },
      )
      .toBe(true);
    first.kill('SIGKILL');
    await finished(first);
    expect((await caseHandle.describe()).status.name).toBe('RUNNING');

    // The registry, not having heard back, delivers again; a second registry reports the same birth.
    const again = await postEvent(birth);
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ status: 'duplicate', caseId: accepted.json.caseId });
    const fromHospital = await postEvent(
      { ...birth, sourceEventId: `hospital-birth-${run}`, source: 'health-commission' },
      hospital,
    );
    expect(fromHospital.json).toMatchObject({ status: 'duplicate', caseId: accepted.json.caseId });

    const second = await startWorker();
    const result = (await caseHandle.result()) as {
      decisions: Array<{ policy: { id: string }; action: string; benefitWorkflowId?: string }>;
    };
    const childcare = result.decisions.find((decision) => decision.policy.id === 'childcare-subsidy');
    expect(childcare).toMatchObject({
      action: 'granted',
      benefitWorkflowId: benefitWorkflowId('childcare-subsidy', child.subjectKey, '2026'),
    });
    expect(await temporal.workflow.getHandle(childcare!.benefitWorkflowId!).result()).toEqual({
      status: 'granted',
      grantCreated: true,
    });

    await expect
      .poll(() => models.Inbox.countDocuments({ subjectKey: child.subjectKey }), { timeout: 30_000, interval: 200 })
      .toBeGreaterThan(0);
    const inbox = await models.Inbox.find({ subjectKey: child.subjectKey }).lean();

    const grants = await models.Grant.find({ subjectKey: child.subjectKey }).lean();
    expect(grants.map((grant) => [grant.policy.id, grant.amount, grant.period])).toEqual([
      ['childcare-subsidy', 3000, '2026'],
    ]);
    expect(inbox).toHaveLength(1);
    expect(await models.LifeEvent.countDocuments({ subjectKey: child.subjectKey })).toBe(1);
    // One record per source event ID: the re-delivery is the same delivery, the hospital's is another.
    const deliveries = await models.EventDelivery.find({ caseId: String(accepted.json.caseId) })
      .sort({ source: 1 })
      .lean();
    expect(deliveries.map((delivery) => delivery.source)).toEqual(['health-commission', 'household-registry']);
    expect(deliveries.map((delivery) => delivery.department)).toEqual([hospital.department, household.department]);
    // The worker marks the notice delivered just after writing the inbox: wait for that, then check there is one.
    await expect
      .poll(() => models.Notice.exists({ subjectKey: child.subjectKey, status: 'delivered' }), {
        timeout: 30_000,
        interval: 200,
      })
      .toBeTruthy();
    const notices = await models.Notice.find({ subjectKey: child.subjectKey }).lean();
    expect(notices.map((notice) => [notice.template, notice.channel, notice.status])).toEqual([
      ['grant.awarded', 'inbox', 'delivered'],
    ]);

    // A late re-delivery, after the case finished, neither restarts it nor grants again.
    const finishedRun = (await caseHandle.describe()).runId;
    const late = await postEvent(birth);
    expect(late.json).toMatchObject({ status: 'duplicate', caseId: accepted.json.caseId });
    const afterLate = await caseHandle.describe();
    expect([afterLate.runId, afterLate.status.name]).toEqual([finishedRun, 'COMPLETED']);

    second.kill('SIGTERM');
    const stopped = await finished(second);
    expect(stopped.code).toBe(0);
    expect(workerOutput).toContain('applyfree worker: stopped.');
    expect(workerOutput).not.toContain(child.id);
  }, 150_000);
});
