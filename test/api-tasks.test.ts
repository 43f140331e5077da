/**
 * Worklists over the API on the real stack (the pipeline's worker on the dev server runs each
 * task's workflow): every role sees the task types it handles — an inspector only inspections
 * assigned to them or to nobody — overdue first and marked, with counts and filters; claiming,
 * releasing, reassigning and completing each leave a line with who and when; and each is refused
 * to whom it is not for, with the code and the field a person would read.
 */
import { randomUUID } from 'node:crypto';
import { clientStarter } from '../activities/benefit-start.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTask, type OpenTaskInput } from '../activities/tasks.js';
import { buildApi } from '../api/server.js';
import type { TaskView } from '../domain/tasks.js';
import { createTaskService, type TaskList } from '../services/tasks/service.js';
import type { Role } from '../store/users.js';
import { taskWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const DAY_MS = 24 * 60 * 60 * 1000;
let running: RunningPipeline;
let api: FastifyInstance;

type Person =
  'officer' | 'otherOfficer' | 'reviewer' | 'supervisor' | 'inspector' | 'otherInspector' | 'window' | 'citizen';
const ROLE_OF: Record<Person, Role> = {
  officer: 'officer',
  otherOfficer: 'officer',
  reviewer: 'reviewer',
  supervisor: 'supervisor',
  inspector: 'inspector',
  otherInspector: 'inspector',
  window: 'window',
  citizen: 'citizen',
};
const NAME_OF: Record<Person, string> = {
  officer: '王芳',
  otherOfficer: '孙丽',
  reviewer: '李明',
  supervisor: '周督查',
  inspector: '陈核查',
  otherInspector: '吴核查',
  window: '赵窗口',
  citizen: '刘建国',
};
const people = {} as Record<Person, { id: string; token: string }>;
const run = randomUUID().slice(0, 8);
/** The tasks: an overdue review, a fresh one of another department, a returned payment, two inspections, an outreach contact, an objection. */
const keys = {
  overdueReview: `life-event:${run}-a:manual:childcare-subsidy`,
  review: `life-event:${run}-b:manual:senior-allowance`,
  payment: `payroll-return:${run}-c`,
  inspection: `pledge:${run}-d:inspection`,
  assignedInspection: `pledge:${run}-e:inspection`,
  outreach: `outreach:${run}-f`,
  objection: `objection:${run}-g`,
};

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'apitasks', { notices: false });
  const { client, pipeline } = running;
  const store = pipeline.store;
  for (const person of Object.keys(ROLE_OF) as Person[])
    people[person] = await testUser(store, NAME_OF[person], ROLE_OF[person], {
      ...(person === 'citizen' ? { subjectKey: 'p_aaaaaaaaaaaaaaaaaaaaaaaaaa' } : {}),
    });
  const workflows = clientStarter(client, pipeline.taskQueue);
  const open = (input: OpenTaskInput) => openTask({ store, workflows }, input);
  await open({
    key: keys.overdueReview,
    type: 'review',
    source: { kind: 'case', key: `life-event:${run}-a` },
    caseId: `life-event:${run}-a`,
    policyId: 'childcare-subsidy',
    department: '市卫生健康委员会',
    missingFacts: ['person.birthDate'],
    openedAt: new Date(Date.now() - 25 * DAY_MS).toISOString(),
  });
  await open({
    key: keys.review,
    type: 'review',
    source: { kind: 'case', key: `life-event:${run}-b` },
    caseId: `life-event:${run}-b`,
    policyId: 'senior-allowance',
    department: '市民政局',
  });
  await open({ key: keys.payment, type: 'returned-payment', source: { kind: 'payroll-return', key: keys.payment } });
  await open({ key: keys.inspection, type: 'inspection', source: { kind: 'pledge', key: `pledge:${run}-d` } });
  await open({ key: keys.assignedInspection, type: 'inspection', source: { kind: 'pledge', key: `pledge:${run}-e` } });
  await open({ key: keys.outreach, type: 'outreach', source: { kind: 'outreach', key: keys.outreach } });
  await open({ key: keys.objection, type: 'objection', source: { kind: 'objection', key: keys.objection } });
  api = buildApi({
    sessions: testSessions(store),
    tasks: createTaskService({ store, temporal: client, taskQueue: pipeline.taskQueue }),
    health: ALL_UP,
  });
  await api.ready();
}, 120_000);

afterAll(async () => {
  await api?.close();
  // The open tasks' clocks would run for weeks on the shared server: end them.
  for (const key of Object.values(keys))
    await running?.client.workflow
      .getHandle(taskWorkflowId(key))
      .terminate('test over')
      .catch(() => undefined);
  await running?.close();
});

async function call<T = Record<string, unknown>>(person: Person, method: 'GET' | 'POST', url: string, body?: object) {
  const response = await api.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${people[person].token}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { payload: JSON.stringify(body ?? {}) } : {}),
  });
  return { status: response.statusCode, body: response.json<T>() };
}
const list = async (person: Person, query = '') => (await call<TaskList>(person, 'GET', `/tasks${query}`)).body;
const path = (key: string, action = '') => `/tasks/${encodeURIComponent(key)}${action}`;
const ids = (tasks: TaskView[]) => tasks.map((task) => task.id);

describe('the worklist', () => {
  it('shows each role the types it handles, overdue first and marked, with counts', async () => {
    const officer = await list('officer');
    // Then by due date: a returned payment's 10 days before a review's 20, an outreach contact's 30.
    expect(ids(officer.tasks)).toEqual([keys.overdueReview, keys.payment, keys.review, keys.outreach]);
    expect(officer.tasks.map((task) => task.overdue)).toEqual([true, false, false, false]);
    expect(officer.counts).toEqual({
      open: 4,
      claimed: 0,
      overdue: 1,
      dueSoon: 0,
      byType: { review: 2, 'returned-payment': 1, outreach: 1, application: 0 },
    });
    expect(officer.tasks[0]).toMatchObject({
      type: 'review',
      status: 'open',
      title: { zh: '人工审核（无法自动判定）：childcare-subsidy' },
      department: '市卫生健康委员会',
      missingFacts: ['person.birthDate'],
      timeLimitDays: 20,
    });
    expect(ids((await list('reviewer')).tasks)).toEqual([keys.overdueReview, keys.review]);
    expect(ids((await list('window')).tasks)).toEqual([keys.outreach]);
    expect(ids((await list('inspector')).tasks)).toEqual([keys.inspection, keys.assignedInspection]);
    const supervisor = await list('supervisor');
    expect(supervisor.tasks).toHaveLength(7);
    expect(supervisor.tasks[0].id).toBe(keys.overdueReview);
    expect(supervisor.counts.byType).toEqual({
      review: 2,
      inspection: 2,
      'inconclusive-inspection': 0,
      'returned-payment': 1,
      objection: 1,
      outreach: 1,
      application: 0,
    });
    expect(await call('citizen', 'GET', '/tasks')).toMatchObject({ status: 403, body: { code: 'FORBIDDEN_ROLE' } });
  });

  it('escalates the overdue review to the supervisors, on its own clock', async () => {
    await expect
      .poll(async () => (await call<TaskView>('supervisor', 'GET', path(keys.overdueReview))).body.escalatedAt)
      .toEqual(expect.any(String));
    const { body } = await call<TaskView>('supervisor', 'GET', path(keys.overdueReview));
    expect(body.history.map((entry) => entry.action)).toEqual(['opened', 'reminded', 'escalated']);
  });

  it('filters by type, department, overdue, assignee and pages with a cursor; a bad filter is named', async () => {
    expect(ids((await list('officer', `?type=review&department=${encodeURIComponent('市民政局')}`)).tasks)).toEqual([
      keys.review,
    ]);
    expect(ids((await list('officer', '?overdue=true')).tasks)).toEqual([keys.overdueReview]);
    expect(ids((await list('supervisor', '?assignee=me')).tasks)).toEqual([]);
    const first = await list('officer', '?limit=3');
    expect(ids(first.tasks)).toEqual([keys.overdueReview, keys.payment, keys.review]);
    const next = await list('officer', `?limit=3&cursor=${first.nextCursor}`);
    expect([ids(next.tasks), next.nextCursor]).toEqual([[keys.outreach], undefined]);
    expect(await call('officer', 'GET', '/tasks?type=audit')).toMatchObject({
      status: 400,
      body: { code: 'BAD_FILTER', field: 'type' },
    });
    expect(await call('officer', 'GET', '/tasks?assignee=someone')).toMatchObject({
      status: 400,
      body: { code: 'BAD_FILTER', field: 'assignee' },
    });
  });

  it('answers a task the role does not handle as absent', async () => {
    expect(await call('reviewer', 'GET', path(keys.payment))).toMatchObject({
      status: 404,
      body: { code: 'TASK_NOT_FOUND' },
    });
    expect(await call('window', 'GET', path(keys.objection))).toMatchObject({ status: 404 });
    expect((await call<TaskView>('supervisor', 'GET', path(keys.objection))).body.type).toBe('objection');
  });
});

describe('claiming, releasing and reassigning', () => {
  it('lets one person claim a task, refuses a second, and lets only the holder or a supervisor release it', async () => {
    const claimed = await call<TaskView>('officer', 'POST', path(keys.review, '/claim'));
    expect(claimed).toMatchObject({
      status: 200,
      body: { status: 'claimed', assigneeId: people.officer.id, assigneeName: '王芳' },
    });
    expect(claimed.body.history.at(-1)).toMatchObject({
      action: 'claimed',
      byId: people.officer.id,
      byName: '王芳',
      at: expect.any(String),
    });
    // Claiming one's own again changes nothing.
    expect((await call<TaskView>('officer', 'POST', path(keys.review, '/claim'))).body.history).toHaveLength(2);
    expect(await call('otherOfficer', 'POST', path(keys.review, '/claim'))).toMatchObject({
      status: 409,
      body: { code: 'TASK_CLAIMED', field: 'id' },
    });
    expect(await call('otherOfficer', 'POST', path(keys.review, '/release'))).toMatchObject({
      status: 403,
      body: { code: 'NOT_TASK_HOLDER' },
    });
    expect((await list('officer', '?assignee=me')).tasks.map((task) => task.id)).toEqual([keys.review]);
    expect((await list('officer')).counts).toMatchObject({ open: 3, claimed: 1 });

    const released = await call<TaskView>('supervisor', 'POST', path(keys.review, '/release'));
    expect(released.body).toMatchObject({ status: 'open' });
    expect(released.body.assigneeId).toBeUndefined();
    expect(released.body.history.at(-1)).toMatchObject({ action: 'released', byName: '周督查' });
  });

  it('gives a task to one of two people who claim it at the same moment', async () => {
    const answers = await Promise.all([
      call<TaskView>('officer', 'POST', path(keys.outreach, '/claim')),
      call<TaskView>('window', 'POST', path(keys.outreach, '/claim')),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const { body } = await call<TaskView>('supervisor', 'GET', path(keys.outreach));
    const winner = answers.find((answer) => answer.status === 200)!.body;
    expect(body).toMatchObject({ status: 'claimed', assigneeId: winner.assigneeId });
    expect(body.history.filter((entry) => entry.action === 'claimed')).toHaveLength(1);
    await call('supervisor', 'POST', path(keys.outreach, '/release'));
  });

  it('lets a supervisor assign a task to active staff who handle it, naming assigneeId when not', async () => {
    const target = path(keys.assignedInspection, '/reassign');
    expect(await call('officer', 'POST', target, { assigneeId: people.otherInspector.id })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN_ROLE' },
    });
    expect(await call('supervisor', 'POST', target, { assigneeId: 'u_zzzzzzzzzzzzzzzz' })).toMatchObject({
      status: 400,
      body: { code: 'UNKNOWN_USER', field: 'assigneeId' },
    });
    expect(await call('supervisor', 'POST', target, { assigneeId: people.window.id })).toMatchObject({
      status: 400,
      body: { code: 'NOT_A_HANDLER', field: 'assigneeId' },
    });
    const assigned = await call<TaskView>('supervisor', 'POST', target, { assigneeId: people.otherInspector.id });
    expect(assigned.body).toMatchObject({
      status: 'claimed',
      assigneeId: people.otherInspector.id,
      assigneeName: '吴核查',
    });
    expect(assigned.body.history.at(-1)).toMatchObject({
      action: 'reassigned',
      byId: people.supervisor.id,
      byName: '周督查',
      note: `to 吴核查 (${people.otherInspector.id})`,
    });
    // An inspector sees inspections assigned to them or to nobody.
    expect(ids((await list('inspector')).tasks)).toEqual([keys.inspection]);
    expect(await call('inspector', 'GET', path(keys.assignedInspection))).toMatchObject({ status: 404 });
    expect(ids((await list('otherInspector')).tasks)).toEqual([keys.inspection, keys.assignedInspection]);
  });
});

describe('completing', () => {
  it('takes the holder’s outcome once, through the task’s workflow, and refuses everyone and everything else', async () => {
    const complete = (person: Person, outcome: object) =>
      call<{ resolution: object; task: TaskView }>(person, 'POST', path(keys.payment, '/complete'), { outcome });
    const closedNote = { kind: 'closed', note: '已联系银行更正账户后重新支付' };
    expect(await complete('officer', closedNote)).toMatchObject({ status: 403, body: { code: 'NOT_TASK_HOLDER' } });
    await call('officer', 'POST', path(keys.payment, '/claim'));
    expect(await complete('otherOfficer', closedNote)).toMatchObject({
      status: 403,
      body: { code: 'NOT_TASK_HOLDER', field: 'id' },
    });
    expect(await complete('officer', { kind: 'finding', finding: 'conforms', notes: '-', evidence: [] })).toMatchObject(
      { status: 400, body: { code: 'BAD_REQUEST', field: 'outcome.kind' } },
    );
    expect(await complete('officer', { kind: 'closed', note: '' })).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST', field: 'outcome.note' },
    });

    const done = await complete('officer', closedNote);
    expect(done.status).toBe(200);
    expect(done.body.resolution).toEqual({
      action: 'closed',
      text: { zh: '任务已办结：已联系银行更正账户后重新支付', en: 'task closed: 已联系银行更正账户后重新支付' },
    });
    expect(done.body.task).toMatchObject({
      status: 'done',
      outcome: closedNote,
      completedById: people.officer.id,
      completedByName: '王芳',
    });
    expect(done.body.task.history.map((entry) => [entry.action, entry.byName])).toEqual([
      ['opened', undefined],
      ['claimed', '王芳'],
      ['completed', '王芳'],
    ]);
    expect(await complete('officer', closedNote)).toMatchObject({ status: 409, body: { code: 'TASK_CLOSED' } });
    expect(await call('officer', 'POST', path(keys.payment, '/claim'))).toMatchObject({
      status: 409,
      body: { code: 'TASK_CLOSED' },
    });
    expect(await running.client.workflow.getHandle(taskWorkflowId(keys.payment)).result()).toEqual({
      status: 'done',
      resolution: done.body.resolution,
    });
    // Done tasks leave the worklist, and are there when asked for.
    expect(ids((await list('officer')).tasks)).not.toContain(keys.payment);
    expect(ids((await list('officer', '?status=done')).tasks)).toEqual([keys.payment]);
  });
});
