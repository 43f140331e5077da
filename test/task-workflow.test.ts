/**
 * The humanTask workflow's clock on the Java time-skipping server: a task reminds its handlers at
 * 80 % of its statutory limit and, once overdue, escalates to the supervisors; completed, it
 * escalates no more. Its completion is taken once: an outcome kind the type does not take, a bad
 * shape (the field named) and a second completion are refused; a review's resolution runs as its
 * child by name (a stand-in here, test/fixtures/workflows/task-bundle.ts). And the old
 * manual_tasks rows become tasks, once, with their clocks. The worker runs the fixture bundle, on
 * a server of this file's own (see support/time-skipping-pipeline.ts).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateStage } from '@temporalio/client';
import { clientStarter } from '../activities/benefit-start.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTask, type OpenTaskInput } from '../activities/tasks.js';
import type { TaskOutcome } from '../domain/tasks.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { migrateManualTasks } from '../services/tasks/migrate.js';
import { buildTimeline } from '../services/cases/timeline.js';
import { makeCaseActivities } from '../activities/case.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { policyRef } from '../rules/policy-hash.js';
import {
  cancelTaskSignal,
  completeTaskUpdate,
  ErrorType,
  getTaskStateQuery,
  taskResolutionWorkflowId,
  taskWorkflowId,
  type HumanTaskResult,
} from '../workflows/contracts/index.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { quietLogger } from './support/temporal.js';

const stack = inject('stack');
const DAY_MS = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let worker: Worker | undefined;
let running: Promise<void> | undefined;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: stack.testServerPath } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  pipeline = await openPipeline(stack, 'tasks');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./fixtures/workflows/task-bundle.ts', import.meta.url)),
    logger: quietLogger,
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: pipeline.taskQueue,
    activities: pipeline.activities,
    workflowBundle,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await pipeline?.close();
  await env?.teardown();
});

const workflows = () => clientStarter(env.client, pipeline.taskQueue);

/** Opens a task now in the server's clock (which earlier tests moved on), with its workflow. */
async function open(input: Omit<OpenTaskInput, 'openedAt'>) {
  const openedAt = new Date(await env.currentTimeMs()).toISOString();
  await openTask({ store: pipeline.store, workflows: workflows() }, { ...input, openedAt });
  return env.client.workflow.getHandle(taskWorkflowId(input.key));
}

const task = (key: string) => pipeline.models.Task.findById(key).lean();
const actions = async (key: string) => (await task(key))!.history.map((entry) => entry.action);
const officer = { id: 'u_aaaaaaaaaaaaaaaa', name: '王芳' };

/** The failure an update was refused with: its type and details. */
async function refusal(promise: Promise<unknown>): Promise<{ type?: string; details?: unknown[] }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { cause?: { type?: string; details?: unknown[] } } | undefined;
  return { type: error?.cause?.type, details: error?.cause?.details };
}

describe('a task overdue escalates (time-skipping)', () => {
  it('reminds at 80 % of the limit, escalates to the supervisors when overdue, and once completed escalates no more', async () => {
    const key = `payroll-return:${randomUUID()}`;
    const handle = await open({ key, type: 'returned-payment', source: { kind: 'payroll-return', key } });
    // Returned payments: 10 days. Day 8.5: reminded, not yet escalated.
    await env.sleep(8.5 * DAY_MS);
    await expect.poll(async () => (await task(key))?.remindedAt).toBeInstanceOf(Date);
    expect(await handle.query(getTaskStateQuery)).toEqual({ status: 'open', reminded: true, escalated: false });
    expect(await actions(key)).toEqual(['opened', 'reminded']);
    // Unclaimed: the reminder goes to everyone who handles returned payments.
    expect(await pipeline.models.StaffAlert.find({ taskKey: key }, { _id: 0, kind: 1, toRoles: 1 }).lean()).toEqual([
      { kind: 'task.reminder', toRoles: ['officer'] },
    ]);

    // Day 10.5: overdue, and the supervisors are told.
    await env.sleep(2 * DAY_MS);
    await expect.poll(async () => (await task(key))?.escalatedAt).toBeInstanceOf(Date);
    expect(await actions(key)).toEqual(['opened', 'reminded', 'escalated']);
    const escalation = await pipeline.models.StaffAlert.findById(`${key}:escalated`).lean();
    expect(escalation).toMatchObject({ kind: 'task.escalated', toRoles: ['supervisor'] });
    expect(escalation!.text.zh).toContain('任务已超期：退回款项处理');

    const resolution = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ outcome: { kind: 'closed', note: '已联系银行更正账户后重新支付' }, by: officer }],
    });
    expect(resolution).toEqual({
      action: 'closed',
      text: { zh: '任务已办结：已联系银行更正账户后重新支付', en: 'task closed: 已联系银行更正账户后重新支付' },
    });
    expect(await handle.result()).toEqual<HumanTaskResult>({ status: 'done', resolution });
    await env.sleep(30 * DAY_MS);
    const done = (await task(key))!;
    expect(done).toMatchObject({ status: 'done', completedById: officer.id, completedByName: '王芳', resolution });
    expect(done.history.map((entry) => entry.action)).toEqual(['opened', 'reminded', 'escalated', 'completed']);
    expect(await pipeline.models.StaffAlert.countDocuments({ taskKey: key })).toBe(2);
    // The clock: 8 days to the reminder, 2 more to the due date, nothing after.
    const history = await handle.fetchHistory();
    const timers = (history.events ?? []).flatMap((event) =>
      event.timerStartedEventAttributes
        ? [Number(event.timerStartedEventAttributes.startToFireTimeout!.seconds) / 86_400]
        : [],
    );
    expect(timers.map(Math.round)).toEqual([8, 2]);
    // A closed task takes no second completion.
    await expect(
      handle.executeUpdate(completeTaskUpdate, {
        args: [{ outcome: { kind: 'closed', note: '再次办结' }, by: officer }],
      }),
    ).rejects.toThrow();
  });
});

describe('completing a task', () => {
  it('refuses a kind the type does not take and a bad shape naming the field, then a second completion while the first resolves; a review resolves as its child', async () => {
    const caseId = `life-event:test-${randomUUID()}`;
    const key = `${caseId}:manual:childcare-subsidy`;
    const handle = await open({
      key,
      type: 'review',
      source: { kind: 'case', key: caseId },
      caseId,
      subjectKey: 'sk_test',
      policyId: 'childcare-subsidy',
    });
    expect(
      await refusal(
        handle.executeUpdate(completeTaskUpdate, {
          args: [{ outcome: { kind: 'closed', note: '不适用' }, by: officer }],
        }),
      ),
    ).toEqual({ type: ErrorType.InvalidInput, details: ['outcome.kind', expect.stringContaining('facts-supplied')] });
    const fact = {
      fact: 'person.birthDate',
      value: '2026-02-02',
      provenance: { kind: 'a-phone-call', reference: '出生医学证明 N371234' },
    };
    expect(
      await refusal(
        handle.executeUpdate(completeTaskUpdate, {
          // A provenance kind that is not one: what a client bypassing the service might send.
          args: [{ outcome: { kind: 'facts-supplied', facts: [fact] } as unknown as TaskOutcome, by: officer }],
        }),
      ),
    ).toEqual({ type: ErrorType.InvalidInput, details: ['outcome.facts[0].provenance.kind', expect.any(String)] });
    expect(await actions(key)).toEqual(['opened']);

    const outcome = {
      kind: 'facts-supplied' as const,
      facts: [{ ...fact, provenance: { kind: 'document-at-window' as const, reference: '出生医学证明 N371234' } }],
    };
    const first = await handle.startUpdate(completeTaskUpdate, {
      args: [{ outcome, by: officer }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    expect(
      await refusal(
        handle.executeUpdate(completeTaskUpdate, {
          args: [{ outcome: { kind: 'decided', outcome: 'ineligible', reason: '另一人的判断' }, by: officer }],
        }),
      ),
    ).toEqual({ type: ErrorType.TaskClosed, details: ['done'] });

    // The resolution runs as the task's child, by name, under its one ID, with the task as it was opened.
    const child = env.client.workflow.getHandle(taskResolutionWorkflowId(key));
    await expect
      .poll(() =>
        child.describe().then(
          (d) => d.type,
          () => undefined,
        ),
      )
      .toBe('reviewResolution');
    await child.signal('finishResolution');
    const resolution = await first.result();
    expect(resolution).toEqual({
      action: 'granted',
      text: { zh: `${caseId} childcare-subsidy facts-supplied 王芳`, en: `case:${caseId} sk_test` },
      benefitWorkflowId: 'grant:childcare-subsidy:test',
    });
    expect(await handle.result()).toEqual({ status: 'done', resolution });
    expect(await task(key)).toMatchObject({ status: 'done', outcome, resolution, completedById: officer.id });
    expect(await actions(key)).toEqual(['opened', 'completed']);

    // The case's timeline shows the task's steps, with who completed it and what it did.
    const timeline = await buildTimeline(
      { store: pipeline.store, temporal: env.client, namespace: env.namespace ?? 'default' },
      {
        naturalKey: caseId,
        caseId,
        type: 'birth.registered',
        subjectKey: 'sk_test',
        subjectKind: 'person',
        eventDate: '2026-02-02',
        payload: {},
        firstSourceEventId: caseId,
        source: 'household-registry',
        receivedAt: new Date(Date.now() - DAY_MS),
      },
      { kind: 'person', subjectKey: 'sk_test' },
    );
    // (Opened on the server's clock, which the first test moved weeks ahead: in kind order, not time order.)
    const steps = timeline.entries
      .filter((entry) => entry.detail?.taskId === key)
      .sort((a, b) => a.kind.localeCompare(b.kind));
    expect(steps.map((entry) => [entry.kind, entry.actor])).toEqual([
      ['manual-review', 'system'],
      ['task.completed', '王芳'],
    ]);
    expect(steps[1].summary.zh).toBe('人工审核（无法自动判定）（childcare-subsidy）已办结：王芳（facts-supplied）');
    expect(steps[1].detail).toMatchObject({ byId: officer.id, outcome, resolution });
  });

  it('stops the clock when its cause goes away, with nothing done', async () => {
    const key = `outreach:${randomUUID()}`;
    const handle = await open({ key, type: 'outreach', source: { kind: 'outreach', key } });
    await handle.signal(cancelTaskSignal, { reason: '已通过其他渠道办结' });
    expect(await handle.result()).toEqual({ status: 'cancelled' });
    const cancelled = (await task(key))!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'cancelled', note: '已通过其他渠道办结' });
    expect(await pipeline.models.StaffAlert.countDocuments({ taskKey: key })).toBe(0);
  });
});

describe('opening a review', () => {
  it('opens one review task per case and policy, on the policy’s own statutory limit and for its department, with its clock', async () => {
    const catalog = await loadPolicyCatalog();
    const policy = { ...catalog.policies.find((p) => p.id === 'childcare-subsidy')!, timeLimits: { review: 5 } };
    const policies = { ...catalogPolicySource(catalog), version: async () => policy };
    const activities = makeCaseActivities({
      store: pipeline.store,
      policies,
      fetchFacts: () => Promise.reject(new Error('no facts are read')),
      fetchFactsForPolicies: () => Promise.reject(new Error('no facts are read')),
      workflows: workflows(),
    });
    const caseId = `life-event:limit-${randomUUID()}`;
    const input = {
      caseId,
      subjectKey: 'sk_limit',
      decision: {
        policy: policyRef(policy),
        outcome: 'undetermined' as const,
        asOf: '2026-03-01',
        period: '2026',
        missingFacts: ['person.birthDate'],
        failedSources: ['household-registry'],
      },
    };
    expect(await activities.openManualReview(input)).toEqual({ created: true });
    expect(await activities.openManualReview(input)).toEqual({ created: false });
    const opened = (await task(`${caseId}:manual:childcare-subsidy`))!;
    expect(opened).toMatchObject({
      type: 'review',
      status: 'open',
      timeLimitDays: 5,
      department: '市卫生健康委员会',
      missingFacts: ['person.birthDate'],
      failedSources: ['household-registry'],
    });
    expect(opened.dueAt.getTime() - opened.openedAt.getTime()).toBe(5 * DAY_MS);
    const clock = env.client.workflow.getHandle(taskWorkflowId(opened.key));
    expect((await clock.describe()).status.name).toBe('RUNNING');
    await clock.terminate('test over');
  });
});

describe('the manual_tasks migration', () => {
  it('makes each old row a task once — same key, opening time kept, open ones with their clock — and changes nothing run again', async () => {
    const db = pipeline.store.db!;
    const caseId = `life-event:old-${randomUUID()}`;
    const openedAt = new Date(Date.now() - 40 * DAY_MS);
    const rows = [
      {
        _id: `${caseId}:manual:childcare-subsidy`,
        key: `${caseId}:manual:childcare-subsidy`,
        caseId,
        subjectKey: 'sk_old',
        policyId: 'childcare-subsidy',
        reason: 'undetermined',
        missingFacts: ['person.birthDate'],
        failedSources: [],
        status: 'open',
        openedAt,
      },
      {
        _id: `${caseId}:manual:senior-allowance`,
        key: `${caseId}:manual:senior-allowance`,
        caseId,
        subjectKey: 'sk_old',
        policyId: 'senior-allowance',
        reason: 'undetermined',
        missingFacts: [],
        failedSources: ['civil-affairs'],
        status: 'done',
        openedAt,
      },
    ];
    await db.collection<{ _id: string }>('manual_tasks').insertMany(rows);

    expect(await migrateManualTasks({ store: pipeline.store, workflows: workflows() })).toEqual({ open: 1, done: 1 });
    const tasks = await pipeline.models.Task.find({ caseId }).sort({ _id: 1 }).lean();
    expect(tasks.map((t) => [t.key, t.type, t.status, t.openedAt.toISOString(), t.migratedFrom])).toEqual([
      [rows[0]._id, 'review', 'open', openedAt.toISOString(), 'manual_tasks'],
      [rows[1]._id, 'review', 'done', openedAt.toISOString(), 'manual_tasks'],
    ]);
    expect(tasks[0]).toMatchObject({ missingFacts: ['person.birthDate'], source: { kind: 'case', key: caseId } });
    // Opened 40 days ago with a 20-day limit: overdue, so its clock escalates at once.
    await expect.poll(async () => (await task(rows[0]._id))?.escalatedAt).toBeInstanceOf(Date);
    const started = await env.client.workflow.getHandle(taskWorkflowId(rows[0]._id)).describe();
    expect(started.status.name).toBe('RUNNING');
    await expect(env.client.workflow.getHandle(taskWorkflowId(rows[1]._id)).describe()).rejects.toThrow();

    const before = await pipeline.models.Task.find({ caseId }).sort({ _id: 1 }).lean();
    expect(await migrateManualTasks({ store: pipeline.store, workflows: workflows() })).toEqual({ open: 0, done: 0 });
    expect(await pipeline.models.Task.find({ caseId }).sort({ _id: 1 }).lean()).toEqual(before);
    await env.client.workflow.getHandle(taskWorkflowId(rows[0]._id)).terminate('test over');
  });
});
