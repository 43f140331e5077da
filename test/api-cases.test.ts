/**
 * /cases on the real stack, per role: a supervisor finds a birth's case by the child's resident
 * ID — only with a reason, logged like a reveal, and at most so many a minute (S3, abuse test 16)
 * — in Temporal visibility and in the records, reads its timeline — the decision with each
 * condition's value, the data access, the grant and the delivered notice in time order, with
 * Temporal UI links — seeing the ID's last four characters and no birth date, and never the raw
 * ID until unmasking it with a reason, which the timeline then shows. A citizen sees only their
 * own case, in full; an inspector only assigned ones, any other the same 404 as none (S21); an
 * officer none; a malformed resident ID is a 400 naming the field.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server.js';
import { createCaseService } from '../services/cases/service.js';
import { testSessions } from './support/users.js';
import { ALL_UP } from './support/all-up.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CaseSearchResult } from '../services/cases/service.js';
import type { CaseTimeline } from '../services/cases/timeline.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { subjectOfInput } from '../services/cases/service.js';
import { makeCreditCode, makeResidentId, maskForStaff, maskResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import { TEST_SECRET } from './support/city.js';
import { Worker } from '@temporalio/worker';
import { openCaseApi, TEMPORAL_UI, type CaseApi } from './support/case-api.js';
import { historySteps, identifiersIn } from './support/histories.js';
import { productionBundle } from './support/temporal.js';
import { callApi } from './support/running-pipeline.js';

const stack = inject('stack');
let env: CaseApi;

beforeAll(async () => {
  env = await openCaseApi(stack, 'apicases');
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  callApi(env.url, method, path, token, body);
const timelinePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}/timeline`;
const REASON = '群众来电反映未收到育儿补贴';
/** The body of a search by raw ID, with its reason (POST /cases/search). */
const bySubject = (id: string) => ({ subject: id, reason: REASON });

describe('a supervisor', () => {
  it('finds the case of a birth by the child’s resident ID only with a reason, logged, in Temporal and the records, with the last four characters and no birth date', async () => {
    // The ID goes in the body, never the URL (security review S11), and staff say why (S3).
    const unexplained = await call('POST', '/cases/search', env.tokens.supervisor, { subject: env.child.id });
    expect([unexplained.status, unexplained.json.code, unexplained.json.field]).toEqual([
      400,
      'REASON_REQUIRED',
      'reason',
    ]);
    expect(unexplained.text).not.toContain(env.child.id);
    // Waited for by the subject key (no reveal, so no reason and nothing counted), then searched once by the raw ID.
    const byKey = () => call('POST', '/cases/search', env.tokens.supervisor, { subject: env.child.subjectKey });
    const search = () => call('POST', '/cases/search', env.tokens.supervisor, bySubject(env.child.id));
    // Visibility is eventually consistent: wait until Temporal lists the case with its outcome.
    await expect
      .poll(async () => ((await byKey()).json as CaseSearchResult).cases[0]?.foundIn, {
        timeout: 20_000,
      })
      .toEqual(['temporal', 'record']);
    const { status, json, text } = await search();
    expect(status).toBe(200);
    expect(json.cases).toHaveLength(1);
    const [found] = json.cases;
    expect(found).toMatchObject({
      caseId: env.birthCase,
      eventType: 'birth.registered',
      subject: {
        kind: 'person',
        subjectKey: env.child.subjectKey,
        maskedId: `**************${env.child.id.slice(-4)}`,
      },
      caseStatus: 'decided',
      outcome: 'eligible',
      execution: 'COMPLETED',
      links: {
        timeline: `/cases/${encodeURIComponent(env.birthCase)}/timeline`,
        temporalUi: expect.stringContaining(
          `${TEMPORAL_UI}/namespaces/${env.namespace}/workflows/${encodeURIComponent(env.birthCase)}/`,
        ),
      },
    });
    expect(found.policies).toContainEqual({ id: 'childcare-subsidy', version: 1, outcome: 'eligible', amount: 3000 });
    expect(found.departments).toEqual(['市卫生健康委员会']);
    // A birth's date is a birth date: staff do not see it.
    expect(found).not.toHaveProperty('eventDate');
    expect(text).not.toContain(env.child.id);
    // The search by the raw ID was logged like a reveal, with its reason and the searcher's user ID; those by the
    // subject key, and the one refused for want of a reason, were not.
    const logged = await env.pipeline.store
      .db!.collection('unmask_log')
      .find({ subjectKey: env.child.subjectKey, kind: 'subject-search' })
      .toArray();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      actor: '周督查',
      actorId: env.users.supervisor,
      role: 'supervisor',
      reason: REASON,
    });
    expect(logged[0]).not.toHaveProperty('caseId');
    expect((await byKey()).json.cases.map((c: { caseId: string }) => c.caseId)).toEqual([env.birthCase]);
  });

  it('filters by policy, event type, status and dates, and finds a firm by its credit code', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const ids = async (query: string) =>
      ((await call('GET', `/cases?${query}`, env.tokens.supervisor)).json as CaseSearchResult).cases.map(
        (c) => c.caseId,
      );
    const idsOf = async (search: Record<string, string>) =>
      ((await call('POST', '/cases/search', env.tokens.supervisor, search)).json as CaseSearchResult).cases.map(
        (c) => c.caseId,
      );
    expect(
      await ids(`policy=childcare-subsidy&eventType=birth.registered&status=decided&from=${today}&to=${today}`),
    ).toEqual([env.birthCase]);
    expect(await ids('policy=business-startup-subsidy')).toEqual([env.reviewCase]);
    expect(await ids('eventType=enterprise.annual-review')).toEqual([env.reviewCase]);
    expect(await idsOf({ eventType: 'enterprise.annual-review' })).toEqual([env.reviewCase]);
    expect(await idsOf({ subject: env.child.subjectKey, from: '2099-01-01' })).toEqual([]);
    expect(await idsOf({ subject: env.child.subjectKey, policy: 'business-startup-subsidy' })).toEqual([]);
    const firm = await call('POST', '/cases/search', env.tokens.supervisor, bySubject(env.firm.id));
    expect(firm.json.cases.map((c: { caseId: string }) => c.caseId)).toEqual([env.reviewCase]);
    expect(firm.text).not.toContain(env.firm.id);
  });

  it('reads the timeline: decision with condition values, data access, grant and delivered notice in order, linked to the Temporal UI', async () => {
    const { status, json, text } = await call('GET', timelinePath(env.birthCase), env.tokens.supervisor);
    expect(status).toBe(200);
    const timeline = json as CaseTimeline;
    expect(text).not.toContain(env.child.id);
    const times = timeline.entries.map((e) => e.at);
    expect(times).toEqual([...times].sort());

    const first = (kind: string, where: (e: CaseTimeline['entries'][number]) => boolean = () => true) =>
      timeline.entries.findIndex((e) => e.kind === kind && where(e));
    const decision =
      timeline.entries[first('decision', (e) => (e.detail?.policy as { id: string }).id === 'childcare-subsidy')];
    expect(decision).toMatchObject({
      source: 'record',
      actor: 'rules engine',
      detail: { outcome: 'eligible', amount: 3000, period: '2026' },
    });
    const conditions = decision.detail!.conditions as Array<{ fact: string; factValue: unknown; result: unknown }>;
    expect(conditions).toContainEqual(
      expect.objectContaining({ fact: 'person.localHukou', factValue: true, result: true }),
    );
    // No birth date for staff (S3): the value masked, the birth's own dates left out; the citizen's own view has them.
    expect(conditions).toContainEqual(
      expect.objectContaining({ fact: 'person.birthDate', factValue: '***', result: true }),
    );
    expect(decision.detail).not.toHaveProperty('asOf');
    expect(timeline).not.toHaveProperty('eventDate');
    expect(timeline.subject.maskedId).toBe(maskForStaff(env.child.id));
    expect(text).not.toMatch(/2026-03-(10|20)\b/);
    const own = (await call('GET', timelinePath(env.birthCase), env.tokens.citizen)).json as CaseTimeline;
    expect(own).toMatchObject({ eventDate: '2026-03-20', subject: { maskedId: maskResidentId(env.child.id) } });
    const ownDecision = own.entries.find((e) => e.kind === 'decision')!;
    expect(ownDecision.detail).toMatchObject({ asOf: '2026-03-20' });
    expect(ownDecision.detail!.conditions).toContainEqual(
      expect.objectContaining({ fact: 'person.birthDate', factValue: '2026-03-10' }),
    );

    const access = first('data.access', (e) => e.detail?.policyId === 'childcare-subsidy');
    const grant = first('grant');
    const queued = first('notice.queued', (e) => e.detail?.template === 'grant.awarded');
    const delivered = first('notice.delivered', (e) => e.detail?.channel === 'inbox');
    expect(timeline.entries[access].detail).toMatchObject({
      fields: expect.arrayContaining(['person.birthDate']),
      outcome: 'answered',
    });
    expect(timeline.entries[grant].detail).toMatchObject({ amount: 3000, basis: 'auto', status: 'granted' });
    expect(first('event.received')).toBe(0);
    expect([access, grant, queued, delivered].every((i) => i > 0)).toBe(true);
    expect(access).toBeLessThan(timeline.entries.indexOf(decision));
    expect(timeline.entries.indexOf(decision)).toBeLessThan(grant);
    expect(grant).toBeLessThan(queued);
    expect(queued).toBeLessThan(delivered);

    // Temporal's side: the case's activities by name, the child it started, and the child's own grant.
    const kinds = timeline.entries
      .filter((e) => e.source === 'temporal')
      .map((e) => `${e.workflowId === env.birthCase ? 'case' : 'child'}:${e.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'case:workflow.started',
        'case:activity.resolvePolicies',
        'case:activity.decideCase',
        'case:child.started',
        'child:activity.recordGrant',
        'child:activity.enqueueNotice',
        'child:workflow.completed',
      ]),
    );
    expect(timeline.workflows.map((w) => [w.type, w.history])).toEqual([
      ['lifeEvent', 'read'],
      ['grantBenefit', 'read'],
    ]);
    for (const workflow of timeline.workflows) {
      expect(workflow.temporalUi).toBe(
        `${TEMPORAL_UI}/namespaces/${env.namespace}/workflows/${encodeURIComponent(workflow.workflowId)}/${workflow.runId}/history`,
      );
    }
  });

  it('unmasks only with a stated reason, which is logged and shows in the timeline (abuse 18)', async () => {
    const short = await call('POST', `/cases/${encodeURIComponent(env.birthCase)}/unmask`, env.tokens.supervisor, {
      reason: '看看',
    });
    expect([short.status, short.json.code, short.json.field]).toEqual([400, 'REASON_REQUIRED', 'reason']);
    expect(short.json.messageZh).toContain('理由');
    expect(short.text).not.toContain(env.child.id);

    const reason = '群众来电反映未收到育儿补贴，核实身份';
    const revealed = await call('POST', `/cases/${encodeURIComponent(env.birthCase)}/unmask`, env.tokens.supervisor, {
      reason,
    });
    expect(revealed.status).toBe(200);
    expect(revealed.json).toMatchObject({
      caseId: env.birthCase,
      subject: { kind: 'person', id: env.child.id },
      reason,
      unmaskedBy: '周督查',
      unmaskedById: env.users.supervisor,
    });

    const after = await call('GET', timelinePath(env.birthCase), env.tokens.supervisor);
    const reveal = (after.json as CaseTimeline).entries.filter((e) => e.kind === 'unmask');
    expect(reveal).toEqual([
      expect.objectContaining({
        actor: '周督查',
        source: 'record',
        detail: { role: 'supervisor', actorId: env.users.supervisor, reason },
      }),
    ]);
    // Each staff read of the case is recorded under the reader's user ID (the citizen sees it).
    const reads = await env.pipeline.store.db!.collection('case_reads').find({ caseId: env.birthCase }).toArray();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((read) => read.actorId === env.users.supervisor && read.actor === '周督查')).toBe(true);
    expect(after.text).not.toContain(env.child.id);
  });
});

describe('the case workflow with its search attributes', () => {
  it('sets outcome and department behind its patch, replays its own history, and keeps raw IDs out of it', async () => {
    const history = await env.client.workflow.getHandle(env.birthCase).fetchHistory();
    expect(historySteps(history).filter((step) => step.startsWith('patch '))).toEqual([
      'patch case-one-read',
      'patch case-search-outcome-department',
    ]);
    const upserts = (history.events ?? [])
      .filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)
      .map((e) =>
        Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!).sort(),
      );
    expect(upserts).toContainEqual(['AfDepartment', 'AfOutcome']);
    await Worker.runReplayHistory({ workflowBundle: await productionBundle() }, history, env.birthCase);
    expect(identifiersIn(JSON.stringify(history))).toEqual([]);
  });
});

describe('other roles', () => {
  it('a citizen sees their own case and no one else’s', async () => {
    const own = await call('GET', '/cases', env.tokens.citizen);
    expect(own.json.cases.map((c: { caseId: string }) => c.caseId)).toEqual([env.birthCase]);
    const ownTimeline = await call('GET', timelinePath(env.birthCase), env.tokens.citizen);
    expect(ownTimeline.status).toBe(200);
    // The Temporal Web UI has no sign-in of its own: never linked for a citizen (security review S16).
    expect(own.text + ownTimeline.text).not.toContain(TEMPORAL_UI);

    const stranger = await call('GET', timelinePath(env.birthCase), env.tokens.otherCitizen);
    expect([stranger.status, stranger.json.code]).toEqual([404, 'CASE_NOT_FOUND']);
    expect((await call('GET', '/cases', env.tokens.otherCitizen)).json.cases).toEqual([]);
    const searchOther = await call('POST', '/cases/search', env.tokens.otherCitizen, bySubject(env.child.id));
    expect([searchOther.status, searchOther.json.code, searchOther.json.field]).toEqual([
      403,
      'FORBIDDEN_SUBJECT',
      'subject',
    ]);
    const unmask = await call('POST', `/cases/${encodeURIComponent(env.birthCase)}/unmask`, env.tokens.citizen, {
      reason: 'I want to see it',
    });
    expect([unmask.status, unmask.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    expect(unmask.json.messageZh).toContain('只有督查人员');
  });

  it('an inspector sees only cases whose inspection is assigned to them, by user ID (abuse 8)', async () => {
    expect((await call('GET', '/cases', env.tokens.inspector)).json.cases).toEqual([]);
    // A case not assigned to them answers as one that does not exist (S21).
    const before = await call('GET', timelinePath(env.reviewCase), env.tokens.inspector);
    const absent = await call('GET', timelinePath('life-event:no-such-case'), env.tokens.inspector);
    expect([before.status, before.json.code, before.json.field]).toEqual([404, 'CASE_NOT_FOUND', 'caseId']);
    expect([absent.status, absent.json.code, absent.json.field]).toEqual([404, 'CASE_NOT_FOUND', 'caseId']);
    const assign = (token: string, body: unknown) =>
      call('POST', `/cases/${encodeURIComponent(env.reviewCase)}/inspector`, token, body);

    const refused = await assign(env.tokens.inspector, { inspectorId: env.users.inspector });
    expect([refused.status, refused.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    // Only an existing, active inspector, named by user ID; the field at fault is named, nothing is assigned.
    const wrong = [
      [{ inspectorId: '陈核查' }, 'UNKNOWN_USER'],
      [{ inspectorId: 'u_aaaaaaaaaaaaaaaa' }, 'UNKNOWN_USER'],
      [{ inspectorId: env.users.officer }, 'NOT_AN_INSPECTOR'],
      [{ inspectorId: env.users.citizen }, 'NOT_AN_INSPECTOR'],
    ] as const;
    for (const [body, code] of wrong) {
      const answer = await assign(env.tokens.supervisor, body);
      expect([answer.status, answer.json.code, answer.json.field], JSON.stringify(body)).toEqual([
        400,
        code,
        'inspectorId',
      ]);
    }
    const missing = await assign(env.tokens.supervisor, { inspector: '陈核查' });
    expect([missing.status, missing.json.field]).toEqual([400, 'inspectorId']);
    expect((await env.pipeline.models.Pledge.findOne({ caseId: env.reviewCase }).lean())?.inspectorId).toBeUndefined();

    const assigned = await assign(env.tokens.supervisor, { inspectorId: env.users.inspector });
    expect(assigned.json).toEqual({
      caseId: env.reviewCase,
      inspectorId: env.users.inspector,
      inspector: '陈核查',
      pledges: 1,
    });
    expect(await env.pipeline.models.Pledge.findOne({ caseId: env.reviewCase }).lean()).toMatchObject({
      inspector: '陈核查',
      inspectorId: env.users.inspector,
      assignedBy: '周督查',
      assignedById: env.users.supervisor,
    });

    expect(
      (await call('GET', '/cases', env.tokens.inspector)).json.cases.map((c: { caseId: string }) => c.caseId),
    ).toEqual([env.reviewCase]);
    const timeline = await call('GET', timelinePath(env.reviewCase), env.tokens.inspector);
    expect(timeline.status).toBe(200);
    expect((timeline.json as CaseTimeline).entries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['pledge', 'inspection.assigned', 'timer.started']),
    );
    expect((timeline.json as CaseTimeline).entries.find((e) => e.kind === 'inspection.assigned')).toMatchObject({
      actor: '周督查',
      detail: { inspector: '陈核查', inspectorId: env.users.inspector, assignedById: env.users.supervisor },
    });
    expect(timeline.text).not.toContain(env.firm.id);
    expect((await call('GET', timelinePath(env.birthCase), env.tokens.inspector)).status).toBe(404);

    // Another inspector with the same display name is another person: nothing of the first one's.
    expect((await call('GET', '/cases', env.tokens.namesakeInspector)).json.cases).toEqual([]);
    const namesake = await call('GET', timelinePath(env.reviewCase), env.tokens.namesakeInspector);
    expect([namesake.status, namesake.json.code]).toEqual([404, 'CASE_NOT_FOUND']);
  });

  it('an assignment recorded before user IDs (a name only) gives no inspector the case (abuse 8)', async () => {
    const Pledge = env.pipeline.models.Pledge;
    const pledge = (await Pledge.findOne({ caseId: env.reviewCase }).lean())!;
    await Pledge.updateOne({ _id: pledge._id }, { $unset: { inspectorId: 1, assignedById: 1, assignedBy: 1 } });
    try {
      for (const token of [env.tokens.inspector, env.tokens.namesakeInspector]) {
        expect((await call('GET', '/cases', token)).json.cases).toEqual([]);
        expect((await call('GET', timelinePath(env.reviewCase), token)).status).toBe(404);
      }
      // The supervisor still reads it, the legacy assignment named as it was.
      const timeline = await call('GET', timelinePath(env.reviewCase), env.tokens.supervisor);
      expect((timeline.json as CaseTimeline).entries.find((e) => e.kind === 'inspection.assigned')).toMatchObject({
        actor: 'supervisor',
        detail: { inspector: '陈核查' },
      });
    } finally {
      await Pledge.updateOne(
        { _id: pledge._id },
        { $set: { inspectorId: pledge.inspectorId, assignedById: pledge.assignedById, assignedBy: pledge.assignedBy } },
      );
    }
  });

  it('an officer may not trace cases, and a supervisor may not author policies', async () => {
    const officer = await call('POST', '/cases/search', env.tokens.officer, bySubject(env.child.id));
    expect([officer.status, officer.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    expect(officer.json.message).toMatch(
      /only a supervisor, an inspector .* or the citizen concerned may search cases; 王芳 is an officer \(officers and reviewers author policies; they do not trace cases\)/,
    );
    expect(officer.json.messageZh).toContain('王芳是政策经办人');
    const draft = await call('POST', '/policies', env.tokens.supervisor, { id: 'x' });
    expect([draft.status, draft.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    expect(draft.json.messageZh).toContain('周督查是督查人员');
    // The lifecycle itself refuses the new roles, whoever calls it.
    const lifecycle = createPolicyLifecycle(env.pipeline.store);
    await expect(
      lifecycle.validate({ id: 'u_zhou', name: '周督查', role: 'supervisor' }, 'childcare-subsidy', 1),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN_ROLE',
      message: 'only an officer or a reviewer may validate policies; 周督查 is a supervisor',
      messageZh: '只有政策经办人或审核人可以校验政策；周督查是督查人员',
    });
    await expect(
      lifecycle.approve({ id: 'u_parent', name: '小明家长', role: 'citizen' }, 'childcare-subsidy', 1),
    ).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE', messageZh: '只有审核人可以批准政策；小明家长是群众' });
  });

  it('documents every case route with its tag and a bilingual summary', async () => {
    const document = (await (await fetch(`${env.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags: string[]; summary: string }>>;
    };
    const routes = Object.entries(document.paths).filter(([path]) => path.startsWith('/cases'));
    expect(routes.map(([path]) => path).sort()).toEqual([
      '/cases',
      '/cases/search',
      '/cases/{caseId}/explain',
      '/cases/{caseId}/inspector',
      '/cases/{caseId}/timeline',
      '/cases/{caseId}/unmask',
    ]);
    for (const [, operations] of routes) {
      for (const operation of Object.values(operations))
        expect([operation.tags, operation.summary]).toEqual([['cases'], expect.stringMatching(/\S · \S/)]);
    }
  });

  it('refuses a malformed resident ID with a 400 naming the field, without echoing it', async () => {
    const bad = `${env.child.id.slice(0, 17)}${env.child.id.endsWith('1') ? '2' : '1'}`;
    const answer = await call('POST', '/cases/search', env.tokens.supervisor, bySubject(bad));
    expect([answer.status, answer.json.code, answer.json.field]).toEqual([400, 'INVALID_RESIDENT_ID', 'subject']);
    expect(answer.text).not.toContain(bad);
    // The query string no longer takes an identifier: a 400 pointing to the body, never every case instead.
    const inUrl = await call('GET', `/cases?subject=${env.child.id}`, env.tokens.supervisor);
    expect([inUrl.status, inUrl.json.code, inUrl.json.field]).toEqual([400, 'BAD_REQUEST', 'subject']);
    expect(inUrl.json.message).toContain('POST /cases/search');
    const noToken = await fetch(`${env.url}/cases`);
    expect(noToken.status).toBe(401);
  });

  it('reads what a supervisor types as a resident ID, a credit code or a key, and a mistyped check digit as a bad ID', () => {
    const id = makeResidentId('371402', '1990-05-17', 123, 'male');
    const code = makeCreditCode('371402', 12345678);
    expect(subjectOfInput(` ${id.toLowerCase()} `, TEST_SECRET)).toEqual({
      key: subjectKey('person', id, TEST_SECRET),
      kind: 'person',
    });
    expect(subjectOfInput(code, TEST_SECRET)).toEqual({
      key: subjectKey('enterprise', code, TEST_SECRET),
      kind: 'enterprise',
    });
    expect(subjectOfInput(env.child.subjectKey, TEST_SECRET)).toEqual({ key: env.child.subjectKey, kind: 'person' });
    for (const check of '0123456789X'.replace(id[17], '')) {
      expect(() => subjectOfInput(id.slice(0, 17) + check, TEST_SECRET)).toThrow(
        expect.objectContaining({ code: 'INVALID_RESIDENT_ID', reason: 'checkDigit', field: 'subject' }),
      );
    }
  });
});

describe('searching by raw ID', () => {
  let limited: FastifyInstance;
  let at = new Date('2026-12-05T10:00:05Z');

  beforeAll(async () => {
    // The same service with a limit of 3 a minute and a clock the test moves.
    limited = buildApi({
      sessions: testSessions(env.pipeline.store),
      policies: { lifecycle: createPolicyLifecycle(env.pipeline.store) },
      cases: createCaseService({
        store: env.pipeline.store,
        temporal: env.client,
        namespace: env.namespace,
        subjectKeySecret: TEST_SECRET,
        subjectSearchesPerMinute: 3,
        now: () => at,
      }),
      health: ALL_UP,
    });
    await limited.ready();
  });
  afterAll(async () => {
    await limited?.close();
  });

  const search = async (token: string) => {
    const response = await limited.inject({
      method: 'POST',
      url: '/cases/search',
      headers: { authorization: `Bearer ${token}` },
      payload: bySubject(env.child.id),
    });
    return { status: response.statusCode, body: response.json<Record<string, string>>() };
  };

  it('allows a person so many a minute, then 429 until the next minute; candidate IDs cannot be tried in bulk (abuse 16)', async () => {
    const logged = () =>
      env.pipeline.store
        .db!.collection('unmask_log')
        .countDocuments({ subjectKey: env.child.subjectKey, kind: 'subject-search' });
    const before = await logged();
    for (let i = 0; i < 3; i++) expect((await search(env.tokens.supervisor)).status).toBe(200);
    const refused = await search(env.tokens.supervisor);
    expect(refused).toMatchObject({
      status: 429,
      body: { code: 'RATE_LIMITED', field: 'subject', messageZh: expect.stringContaining('每分钟最多') as unknown },
    });
    expect(refused.body.message).toMatch(/3 times a minute: retry in 55 s/);
    // Refused searches are not searched, nor logged as reveals; the limit is per person and per minute.
    expect(await logged()).toBe(before + 3);
    at = new Date(at.getTime() + 60_000);
    expect((await search(env.tokens.supervisor)).status).toBe(200);
  });
});
