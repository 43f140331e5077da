/**
 * Outreach (应享尽享) on the real stack: life events through the pipeline leave people undetermined
 * (a birth whose registry has no birth date; a disability certified while the federation's
 * verification service is down; a birth with no date whose hukou is elsewhere, so not likely
 * eligible), then GET /outreach groups them by cause with the owning department, a data request
 * is one per group and day, a contact opens one task and one notice per person and policy even
 * when sent twice, the take-up indicator counts the person served once the registry answers and
 * a new case grants, and every role outside officer and supervisor is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeEnqueueNotice } from '../activities/notices.js';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import type { Role } from '../domain/roles.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { ingestEvent } from '../services/events/ingest.js';
import { createMetricsService, type ProgrammeMetrics } from '../services/metrics/service.js';
import { prometheusText } from '../services/metrics/prometheus.js';
import { clientStarter, createOutreachService, type OutreachGroup } from '../services/outreach/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { registerTaskModels } from '../store/tasks.js';
import { taskWorkflowId, type LifeEventResult } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, removeFacts, TEST_SECRET, updateFacts, type TestSubject } from './support/city.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { workerWithFederationDown } from './support/federation-down.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { pollUntil } from './support/poll.js';
import { connectClient } from './support/temporal.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let pipeline: Pipeline;
let client: Client;
let federationDown: { close(): Promise<void> } | undefined;
let api: FastifyInstance;
let ingest: (body: object) => Promise<LifeEventResult>;
let noDate: TestSubject;
let disabled: TestSubject;
let notLocal: TestSubject;
const run = randomUUID().slice(0, 8);
const cases: Record<'noDate' | 'disabled' | 'notLocal', string> = { noDate: '', disabled: '', notLocal: '' };
const tokens: Partial<Record<Role, string>> = {};
/** Outreach tasks' timers go to a queue no worker polls: this test reads their records, not their reminders. */
const TASK_QUEUE_SUFFIX = '-outreach-tasks';

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'outreach');
  const { store } = pipeline;
  const catalog = await loadPolicyCatalog();
  // The disability federation answers through its verification service, which is down.
  federationDown = await workerWithFederationDown(stack, pipeline);
  ingest = async (body: object) => {
    const { caseId } = await ingestEvent(
      {
        store,
        temporal: client,
        taskQueue: pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        today: () => cityToday(),
      },
      body,
      TEST_PUBLISHER,
    );
    return (await client.workflow.getHandle(caseId).result()) as LifeEventResult;
  };

  noDate = await addResident(store, '2026-02-02', { 'person.localHukou': true, 'person.alive': true });
  await removeFacts(store, noDate, ['person.birthDate']);
  notLocal = await addResident(store, '2026-02-03', { 'person.localHukou': false, 'person.alive': true });
  await removeFacts(store, notLocal, ['person.birthDate']);
  disabled = await addResident(store, '1980-05-05', {
    'person.localHukou': true,
    'person.alive': true,
    'person.minimumLivingAllowance': true,
  });
  const birth = (subject: TestSubject, id: string, birthDate: string) =>
    ingest({
      sourceEventId: id,
      source: 'household-registry',
      type: 'birth.registered',
      occurredOn: '2026-02-10',
      subject: { residentId: subject.id },
      payload: { birthDate },
    });
  cases.noDate = (await birth(noDate, `hr-nodate-${run}`, '2026-02-02')).caseId;
  cases.notLocal = (await birth(notLocal, `hr-notlocal-${run}`, '2026-02-03')).caseId;
  cases.disabled = (
    await ingest({
      sourceEventId: `dpf-${run}`,
      source: 'disability-federation',
      type: 'disability.certified',
      occurredOn: '2026-04-01',
      subject: { residentId: disabled.id },
      payload: { grade: 1, disabilityType: 'physical' },
    })
  ).caseId;

  for (const role of ['officer', 'supervisor', 'reviewer', 'inspector', 'window'] as const)
    tokens[role] = await testToken(store, `${role}-${run}`, role);
  tokens.citizen = await testToken(store, `citizen-${run}`, 'citizen', { subjectKey: noDate.subjectKey });
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    outreach: createOutreachService({
      store,
      policies: catalogPolicySource(catalog),
      notify: makeEnqueueNotice(store, pipeline.queues),
      workflows: clientStarter(client, `${pipeline.taskQueue}${TASK_QUEUE_SUFFIX}`),
    }),
    metrics: createMetricsService({ store, catalog }, { maxAgeMs: 0 }),
    health: ALL_UP,
  });
  await api.ready();
}, 240_000);

afterAll(async () => {
  await api?.close();
  if (pipeline) {
    const { Task } = registerTaskModels(pipeline.store);
    for (const task of await Task.find({ type: 'outreach' }, { workflowId: 1 }).lean())
      await client.workflow
        .getHandle(task.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  }
  await federationDown?.close();
  await pipeline?.close();
  await client?.connection.close();
});

async function call(method: 'GET' | 'POST', url: string, role: Role, body?: object) {
  const response = await api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>(), text: response.body };
}

async function worklist(query = ''): Promise<{ groups: OutreachGroup[]; totals: Record<string, number> }> {
  const answer = await call('GET', `/outreach${query}`, 'officer');
  expect(answer.status, answer.text).toBe(200);
  return answer.body as never;
}
const groupOf = (groups: OutreachGroup[], id: string) => groups.find((g) => g.id === id);

describe('GET /outreach', () => {
  it('groups the likely eligible by policy and cause, with the department that owns the data', async () => {
    const answer = await call('GET', '/outreach', 'officer');
    expect(answer.status, answer.text).toBe(200);
    const { groups } = answer.body as { groups: OutreachGroup[] };

    const birthDate = groupOf(groups, 'childcare-subsidy|fact|person.birthDate')!;
    expect(birthDate).toMatchObject({
      policyId: 'childcare-subsidy',
      cause: { kind: 'fact', key: 'person.birthDate', label: { zh: '缺少「出生日期」' } },
      source: 'household-registry',
      department: { zh: '市公安局' },
      counts: { people: 1, granted: 0, contacted: 0, dataRequested: 0, waiting: 1 },
    });
    expect(birthDate.policyTitle.zh).toBeTruthy();
    // The person by subject key and case, masked as staff see them; the one whose hukou is elsewhere is not likely eligible.
    expect(birthDate.people.map((p) => [p.subjectKey, p.caseId])).toEqual([[noDate.subjectKey, cases.noDate]]);
    expect(birthDate.people[0].masked).toMatch(/\*/);

    for (const policyId of ['disability-living-subsidy', 'severe-disability-care-subsidy']) {
      const federation = groupOf(groups, `${policyId}|source|disability-federation`)!;
      expect(federation, policyId).toMatchObject({
        cause: { kind: 'source', key: 'disability-federation' },
        department: { zh: '市残疾人联合会', en: 'Municipal Disabled Persons’ Federation' },
        counts: { people: 1, waiting: 1 },
      });
      expect(federation.people.map((p) => p.caseId)).toEqual([cases.disabled]);
      // A fact the failed source would have answered is the source's cause, not a group of its own.
      expect(groups.filter((g) => g.policyId === policyId).map((g) => g.id)).toEqual([federation.id]);
    }
    expect(groups.flatMap((g) => g.people).some((p) => p.subjectKey === notLocal.subjectKey)).toBe(false);
    // No raw resident ID anywhere in the answer.
    for (const subject of [noDate, disabled, notLocal]) expect(answer.text).not.toContain(subject.id);
  });

  it('filters by policy and cause, and pages each group', async () => {
    const { groups } = await worklist('?policy=childcare-subsidy');
    expect(groups.map((g) => g.id)).toEqual(['childcare-subsidy|fact|person.birthDate']);
    expect((await worklist('?cause=source')).groups.every((g) => g.cause.kind === 'source')).toBe(true);
    const paged = await worklist('?policy=childcare-subsidy&offset=1');
    expect(paged.groups[0].people).toEqual([]);
    expect(paged.groups[0].counts.people).toBe(1);
  });
});

describe('POST /outreach/data-requests', () => {
  it('asks the owning department once per group and day, and records its answer', async () => {
    const body = { policyId: 'childcare-subsidy', fact: 'person.birthDate' };
    const first = await call('POST', '/outreach/data-requests', 'officer', body);
    expect(first.status, first.text).toBe(201);
    const request = first.body.request as Record<string, unknown>;
    expect(request).toMatchObject({
      policyId: 'childcare-subsidy',
      cause: { kind: 'fact', key: 'person.birthDate' },
      source: 'household-registry',
      department: { zh: '市公安局' },
      subjectKeys: [noDate.subjectKey],
      day: cityToday(),
      status: 'requested',
    });
    // Again, and by a supervisor: the same day's request, nothing new.
    const second = await call('POST', '/outreach/data-requests', 'supervisor', body);
    expect(second.status, second.text).toBe(200);
    expect(second.body).toEqual({ ...first.body, created: false });

    const group = groupOf((await worklist()).groups, 'childcare-subsidy|fact|person.birthDate')!;
    expect(group.counts).toMatchObject({ dataRequested: 1, waiting: 0 });
    expect(group.dataRequests).toEqual([expect.objectContaining({ id: request.id, status: 'requested', people: 1 })]);

    const answered = await call(
      'POST',
      `/outreach/data-requests/${encodeURIComponent(String(request.id))}/answered`,
      'officer',
      { reference: '德公函〔2026〕12号' },
    );
    expect(answered.status, answered.text).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', reference: '德公函〔2026〕12号' });
    const again = await call(
      'POST',
      `/outreach/data-requests/${encodeURIComponent(String(request.id))}/answered`,
      'supervisor',
      {},
    );
    expect(again.status, again.text).toBe(409);
    expect(again.body).toMatchObject({ code: 'WRONG_STATUS', field: 'id' });
  });

  it('refuses a group nobody is in, and subjects outside the group, naming the field', async () => {
    const none = await call('POST', '/outreach/data-requests', 'officer', {
      policyId: 'childcare-subsidy',
      source: 'disability-federation',
    });
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'NOT_FOUND', field: 'source' });
    const outside = await call('POST', '/outreach/data-requests', 'officer', {
      policyId: 'disability-living-subsidy',
      source: 'disability-federation',
      subjects: [noDate.subjectKey],
    });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ code: 'BAD_REQUEST', field: 'subjects' });
    const both = await call('POST', '/outreach/data-requests', 'officer', {
      policyId: 'childcare-subsidy',
      source: 'household-registry',
      fact: 'person.birthDate',
    });
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ field: 'fact' });
  });
});

describe('POST /outreach/contacts', () => {
  it('opens one task and sends one notice per person and policy, even when sent twice', async () => {
    const body = { caseIds: [cases.disabled], channel: 'phone' };
    const first = await call('POST', '/outreach/contacts', 'officer', body);
    expect(first.status, first.text).toBe(200);
    const contacts = first.body.contacts as Array<Record<string, unknown>>;
    expect(contacts.map((c) => [c.policyId, c.created]).sort()).toEqual([
      ['disability-living-subsidy', true],
      ['severe-disability-care-subsidy', true],
    ]);
    const second = await call('POST', '/outreach/contacts', 'supervisor', { subjectKeys: [disabled.subjectKey] });
    expect(second.status, second.text).toBe(200);
    expect((second.body.contacts as Array<Record<string, unknown>>).map((c) => c.created)).toEqual([false, false]);

    const { Task } = registerTaskModels(pipeline.store);
    const tasks = await Task.find({ subjectKey: disabled.subjectKey, type: 'outreach' }).lean();
    expect(tasks.map((t) => t.policyId).sort()).toEqual([
      'disability-living-subsidy',
      'severe-disability-care-subsidy',
    ]);
    for (const task of tasks) {
      expect(task).toMatchObject({
        status: 'open',
        caseId: cases.disabled,
        department: '市民政局',
        failedSources: ['disability-federation'],
        timeLimitDays: 30,
      });
      // Its timers' workflow was started once, under the task's ID.
      const described = await client.workflow.getHandle(taskWorkflowId(task.key)).describe();
      expect(described.type).toBe('humanTask');
    }
    const notices = await pipeline.models.Notice.find({
      subjectKey: disabled.subjectKey,
      template: 'outreach.contact',
    }).lean();
    expect(notices.map((n) => n.noticeKey).sort()).toEqual(tasks.map((t) => `${t.key}:notice`).sort());

    const group = groupOf((await worklist()).groups, 'disability-living-subsidy|source|disability-federation')!;
    expect(group.counts).toMatchObject({ people: 1, contacted: 1, waiting: 0 });
    expect(group.people[0].served).toEqual({ granted: false, contacted: true, dataRequested: false });
  });

  it('refuses people who are not on the worklist, naming the field', async () => {
    const answer = await call('POST', '/outreach/contacts', 'officer', { caseIds: [cases.notLocal] });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'BAD_REQUEST', field: 'caseIds' });
    const empty = await call('POST', '/outreach/contacts', 'officer', {});
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ field: 'caseIds' });
  });
});

describe('the take-up indicator', () => {
  it('counts a person served after an undetermined decision', async () => {
    const read = async () => {
      const answer = await call('GET', '/programme-metrics?policy=childcare-subsidy', 'supervisor');
      expect(answer.status, answer.text).toBe(200);
      return answer.body as unknown as ProgrammeMetrics;
    };
    const before = await read();
    expect(before.takeUp).toMatchObject({ undetermined: 1, undeterminedServed: 0 });

    // The registry answers the data request; the birth is registered again (a later event: a new case) and it grants.
    await updateFacts(pipeline.store, noDate, { 'person.birthDate': '2026-02-02' });
    const served = await ingest({
      sourceEventId: `hr-nodate-again-${run}`,
      source: 'household-registry',
      type: 'birth.registered',
      occurredOn: '2026-02-12',
      subject: { residentId: noDate.id },
      payload: { birthDate: '2026-02-02' },
    });
    const decision = served.decisions.find((d) => d.policy.id === 'childcare-subsidy')!;
    expect(decision.outcome, JSON.stringify(decision)).toBe('eligible');
    await pollUntil('the grant', () => pipeline.models.Grant.exists({ _id: decision.benefitWorkflowId! }));

    const after = await read();
    expect(after.takeUp).toMatchObject({
      undetermined: 1,
      undeterminedServed: 1,
      granted: before.takeUp.granted + 1,
      eligible: before.takeUp.eligible + 1,
    });
    expect(after.byPolicy.find((r) => r.policyId === 'childcare-subsidy')).toMatchObject({
      takeUpUndetermined: 1,
      takeUpUndeterminedServed: 1,
    });
    // The same figure for Prometheus, as a gauge by policy and outcome (granted or waiting).
    const text = prometheusText(after);
    expect(text).toMatch(
      /applyfree_takeup_undetermined_total\{[^}]*policy="childcare-subsidy"[^}]*outcome="granted"[^}]*\} 1/,
    );
    // The worklist counts them served; the latest decision is eligible, so they have left the list.
    const group = groupOf((await worklist()).groups, 'childcare-subsidy|fact|person.birthDate');
    expect(group).toBeUndefined();
  });
});

describe('who may', () => {
  it('refuses the worklist and its actions to every role but officers and supervisors', async () => {
    for (const role of ['reviewer', 'inspector', 'window', 'citizen'] as const) {
      for (const [method, url, body] of [
        ['GET', '/outreach', undefined],
        ['POST', '/outreach/data-requests', { policyId: 'childcare-subsidy', fact: 'person.birthDate' }],
        ['POST', '/outreach/contacts', { subjectKeys: [disabled.subjectKey] }],
      ] as const) {
        const answer = await call(method, url, role, body);
        expect(answer.status, `${role} ${method} ${url}`).toBe(403);
        expect(answer.body.code).toBe('FORBIDDEN_ROLE');
        expect(answer.body.messageZh).toMatch(/政策经办人|督查/);
      }
    }
  });
});
