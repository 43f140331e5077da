/**
 * Explanations over HTTP on the real store, and `applyfree policy explain` offline: a case's
 * decision is explained from its resident's own data only for a supervisor stating a reason,
 * logged like an unmask before anything is read (the citizen sees it), only under published or
 * retired versions, with every sensitive fact withheld whole — two residents whose grades differ
 * but decide alike get the same answer (security review S2, abuse tests 5 and 13). Hypothetical
 * facts are explained on any version, drafts included. No answer carries the resident ID.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { buildApi } from '../api/server.js';
import { createCaseService } from '../services/cases/service.js';
import { accessOf } from '../services/citizen/access.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { findPolicyVersion, loadPolicyCatalog } from '../rules/catalog.js';
import type { Explanation } from '../rules/explain-subject.js';
import { connectStore } from '../store/connection.js';
import { registerCaseModels } from '../store/cases.js';
import { storePolicySource } from '../store/policy-source.js';
import { testSessions, testToken, testUser } from './support/users.js';
import { addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import { finished, runEntry } from './support/run-node.js';
import { ALL_UP } from './support/all-up.js';
import { connectClient } from './support/temporal.js';
import { nextDraftVersion } from './support/next-version.js';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'applyfree-explain-'));
const catalog = await loadPolicyCatalog();
let store: Connection;
let client: Client;
let api: FastifyInstance;
let apiUrl: string;
let officer: string;
let supervisor: string;
let supervisorId: string;
const REASON = '群众来电询问未享受原因';

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_explain_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog(catalog.policies);
  officer = await testToken(store, '王芳', 'officer');
  ({ id: supervisorId, token: supervisor } = await testUser(store, '周督查', 'supervisor'));
  const fetchFacts = makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) });
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle },
    cases: createCaseService({
      store,
      temporal: client,
      namespace: stack.temporalNamespace,
      subjectKeySecret: TEST_SECRET,
      explain: { fetchFacts, policies: storePolicySource(store) },
      now: () => new Date('2026-01-10T04:00:00Z'),
    }),
    health: ALL_UP,
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) => {
  const response = await api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, text: response.body, body: response.json<Record<string, unknown>>() };
};

/** A case of the resident as ingestion records it (the explanation reads the record, not Temporal). */
async function caseOf(resident: TestSubject, type = 'disability.certified', eventDate = '2025-06-01'): Promise<string> {
  const caseId = `life-event:explain-${randomUUID().slice(0, 8)}`;
  await registerCaseModels(store).LifeEvent.create({
    _id: caseId,
    naturalKey: caseId,
    caseId,
    type,
    subjectKey: resident.subjectKey,
    subjectKind: 'person',
    eventDate,
    payload: {},
    firstSourceEventId: caseId.slice('life-event:'.length),
    source: 'test',
    receivedAt: new Date(),
  });
  return caseId;
}

const explainPath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}/explain`;
const reveals = (subjectKey: string) =>
  store.db!.collection('unmask_log').find({ subjectKey, kind: 'explanation' }).toArray();

describe('POST /cases/:caseId/explain', () => {
  it('explains a 79-year-old’s case from the shared data after logging the reason, which the citizen sees, and never answers with the ID', async () => {
    const resident = await addResident(store, '1946-05-17', { 'person.localHukou': true, 'person.alive': true });
    const caseId = await caseOf(resident, 'age.milestone', '2026-01-10');
    const answer = await call('POST', explainPath(caseId), supervisor, {
      policyId: 'old-age-allowance',
      reason: REASON,
    });
    expect(answer.status).toBe(200);
    const explanation = answer.body as unknown as Explanation;
    expect(explanation).toMatchObject({
      policyId: 'old-age-allowance',
      version: 1,
      asOf: '2026-01-10',
      subjectKey: resident.subjectKey,
      nextChange: { date: '2026-06-01', outcome: 'eligible' },
      withheld: { facts: [], flips: false, nextChange: false },
    });
    expect(explanation.decision.outcome).toBe('ineligible');
    expect(explanation.decision.conditions[0]).toMatchObject({
      fact: 'person.birthDate',
      factLabel: { zh: '出生日期' },
      factValue: '1946-05-17',
      result: false,
      actual: { zh: '79 岁（出生于 1946-05-17）' },
    });
    expect(explanation.flips[0].changes).toMatchObject([
      { fact: 'person.birthDate', from: '1946-05-17', to: '1945-12-31' },
    ]);
    // Grouped by named condition: what decided (the age) with its label once, what held counted.
    expect(explanation.groups).toMatchObject({
      name: 'conditions',
      met: false,
      collapsed: 2,
      groups: [
        {
          label: { zh: '本月之前已年满80周岁（次月起发放）' },
          met: false,
          facts: { 'person.birthDate': { label: { zh: '出生日期' }, actual: { zh: '79 岁（出生于 1946-05-17）' } } },
          leaves: [{ fact: 'person.birthDate', operator: 'ageReachedBeforeMonth', value: 80, met: false }],
        },
      ],
    });
    expect(explanation.summary.zh).toContain('将于 2026-06-01 起符合条件');
    expect(answer.text).not.toContain(resident.id);

    // The reveal is logged (and chained) before the read, under the case, with the reason.
    const [logged] = await reveals(resident.subjectKey);
    expect(logged).toMatchObject({
      caseId,
      actor: '周督查',
      actorId: supervisorId,
      role: 'supervisor',
      reason: REASON,
      policyId: 'old-age-allowance',
      policyVersion: 1,
    });
    expect(
      await store.db!.collection('audit_links').countDocuments({ _id: `unmask_log|${String(logged._id)}` } as object),
    ).toBe(1);
    const records = await store.db!.collection('access_records').find({ subjectKey: resident.subjectKey }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      caseId,
      policyId: 'old-age-allowance',
      source: 'household-registry',
      purposes: [`案件解释 case explanation (周督查, ${supervisorId}): ${REASON}`],
      outcome: 'answered',
    });
    expect((records[0].at as Date).getTime()).toBeGreaterThanOrEqual((logged.at as Date).getTime());
    expect(JSON.stringify(records)).not.toContain(resident.id);
    // The citizen sees who had their decision explained, and why.
    const seen = await accessOf(store, resident.subjectKey, async (ref) => ({
      ...ref,
      title: { zh: ref.id, en: ref.id },
    }));
    expect(seen).toContainEqual(
      expect.objectContaining({
        kind: 'explanation',
        caseId,
        reason: REASON,
        by: { name: '周督查', role: 'supervisor' },
      }),
    );
  });

  it('refuses officers, reviewers, inspectors and citizens, and a missing or short reason at its field, reading nothing (abuse 5)', async () => {
    const resident = await addResident(store, '1944-02-02', { 'person.localHukou': true, 'person.alive': true });
    const caseId = await caseOf(resident, 'age.milestone', '2026-01-10');
    const tokens = [
      officer,
      await testToken(store, '李明', 'reviewer'),
      await testToken(store, '陈核查', 'inspector'),
      await testToken(store, '张三', 'citizen', { subjectKey: resident.subjectKey }),
    ];
    for (const token of tokens) {
      const refused = await call('POST', explainPath(caseId), token, { policyId: 'old-age-allowance', reason: REASON });
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    }
    const short = await call('POST', explainPath(caseId), supervisor, {
      policyId: 'old-age-allowance',
      reason: '看看',
    });
    expect(short).toMatchObject({ status: 400, body: { code: 'REASON_REQUIRED', field: 'reason' } });
    const none = await call('POST', explainPath(caseId), supervisor, { policyId: 'old-age-allowance' });
    expect(none).toMatchObject({ status: 400, body: { field: 'reason' } });
    expect(await store.db!.collection('access_records').countDocuments({ subjectKey: resident.subjectKey })).toBe(0);
    expect(await reveals(resident.subjectKey)).toEqual([]);
    expect(
      await call('POST', explainPath(caseId), undefined, { policyId: 'old-age-allowance', reason: REASON }),
    ).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
  });

  it('explains only under published or retired versions: a draft answers as a version that does not exist (abuse 5)', async () => {
    const resident = await addResident(store, '1950-01-01', { 'person.localHukou': true, 'person.alive': true });
    const caseId = await caseOf(resident, 'age.milestone', '2026-01-10');
    const base = findPolicyVersion(catalog, 'senior-preferential-card', 1)!;
    expect((await call('POST', '/policies', officer, { ...base, version: 2 })).status).toBe(201);
    const draft = await call('POST', explainPath(caseId), supervisor, {
      policyId: 'senior-preferential-card',
      version: 2,
      reason: REASON,
    });
    const absent = await call('POST', explainPath(caseId), supervisor, {
      policyId: 'senior-preferential-card',
      version: 9,
      reason: REASON,
    });
    expect([draft.status, draft.body.code, draft.body.field]).toEqual([404, 'POLICY_NOT_FOUND', 'version']);
    expect([absent.status, absent.body.code, absent.body.field]).toEqual([404, 'POLICY_NOT_FOUND', 'version']);
    expect(String(draft.body.message).replace('2', '#')).toBe(String(absent.body.message).replace('9', '#'));
    expect(await store.db!.collection('access_records').countDocuments({ subjectKey: resident.subjectKey })).toBe(0);
    // An unknown case, and a policy for enterprises on a resident's case.
    expect(
      await call('POST', explainPath('life-event:no-such-case'), supervisor, {
        policyId: 'old-age-allowance',
        reason: REASON,
      }),
    ).toMatchObject({ status: 404, body: { code: 'CASE_NOT_FOUND', field: 'caseId' } });
    expect(
      await call('POST', explainPath(caseId), supervisor, {
        policyId: 'job-stabilisation-refund',
        reason: REASON,
        asOf: '2025-06-01',
      }),
    ).toMatchObject({ status: 400, body: { field: 'policyId' } });
  });

  it('withholds sensitive facts whole: no value, test or result, no flip and no next change; grades 3 and 4 answer alike (abuse 13)', async () => {
    const certified = (grade: number) =>
      addResident(store, '1970-03-03', {
        'person.localHukou': true,
        'person.alive': true,
        'person.disabilityCertified': true,
        'person.disabilityGrade': grade,
      });
    const answers: Explanation[] = [];
    for (const grade of [3, 4]) {
      const resident = await certified(grade);
      const answer = await call('POST', explainPath(await caseOf(resident)), supervisor, {
        policyId: 'severe-disability-care-subsidy',
        reason: REASON,
      });
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(resident.id);
      answers.push(answer.body as unknown as Explanation);
    }
    const [three, four] = answers;
    expect(three.decision.outcome).toBe('ineligible');
    const grade = three.decision.conditions.find((leaf) => leaf.fact === 'person.disabilityGrade')!;
    expect(grade).toMatchObject({
      fact: 'person.disabilityGrade',
      factLabel: { zh: '残疾等级（1-4级）' },
      withheld: true,
    });
    for (const key of ['operator', 'value', 'factValue', 'result', 'actual']) expect(grade).not.toHaveProperty(key);
    expect(three).toMatchObject({
      flips: [],
      nextChange: null,
      withheld: {
        facts: ['person.disabilityCertified', 'person.disabilityGrade'],
        flips: true,
        nextChange: true,
      },
    });
    expect(three.summary.zh).toContain('涉及敏感数据的条件不予显示');
    // The answers differ only in whose they are.
    const { subjectKey: _three, ...first } = three;
    const { subjectKey: _four, ...second } = four;
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });
});

describe('POST /policies/:id/versions/:version/explain', () => {
  it('explains hypothetical facts on a draft, and names an unknown or undeclared fact', async () => {
    const base = findPolicyVersion(catalog, 'old-age-allowance', 1)!;
    const draft = {
      ...base,
      effective: { from: '2027-01-01' },
      parameters: {
        minimumAge: [{ from: '2027-01-01', value: 75 }],
        monthlyByAgeBand: [{ from: '2027-01-01', value: { '75-89': 100, '90-99': 200, '100+': 300 } }],
      },
      tests: base.tests.map((test) => ({ ...test, asOf: '2027-05-01' })),
    };
    const created = await call('POST', '/policies', officer, draft);
    expect(created.status).toBe(201);
    // Drafts are numbered after the shipped versions (v2 ships the 次月起 band).
    const DRAFT = nextDraftVersion('old-age-allowance');
    const facts = { 'person.birthDate': '1951-03-01', 'person.localHukou': true, 'person.alive': true };
    const answer = await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/explain`, officer, {
      facts,
      asOf: '2027-01-15',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      version: DRAFT,
      inForce: true,
      decision: { outcome: 'eligible', amount: 100 },
    });
    expect(answer.body).not.toHaveProperty('subjectKey');

    // Without asOf, a draft in force only from 2027 is explained on its first day (today is 2026-01-10 here).
    expect(
      await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/explain`, officer, { facts }),
    ).toMatchObject({
      status: 200,
      body: { asOf: '2027-01-01', decision: { outcome: 'eligible' } },
    });
    const unknown = await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/explain`, officer, {
      facts: { ...facts, 'person.shoeSize': 42 },
      asOf: '2027-01-15',
    });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'INVALID_FACTS', field: 'facts.person.shoeSize' } });
    const undeclared = await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/explain`, officer, {
      facts: { ...facts, 'person.gender': 'male' },
    });
    expect(undeclared).toMatchObject({
      status: 400,
      body: { field: 'facts.person.gender', messageZh: expect.stringContaining('不读取') as unknown },
    });
    const badDate = await call('POST', '/policies/old-age-allowance/versions/1/explain', officer, {
      facts: { 'person.birthDate': '1951-02-30' },
    });
    expect(badDate).toMatchObject({ status: 400, body: { field: 'facts.person.birthDate' } });
  });

  it('refuses a date outside the version’s effective range at asOf, rather than answering "eligible · 0 CNY"', async () => {
    const before = await call('POST', '/policies/old-age-allowance/versions/1/explain', officer, {
      facts: { 'person.birthDate': '1930-05-17', 'person.localHukou': true, 'person.alive': true },
      asOf: '2020-01-10',
    });
    expect(before).toMatchObject({
      status: 422,
      body: {
        code: 'POLICY_NOT_IN_FORCE',
        field: 'asOf',
        message: expect.stringContaining('decides nothing on 2020-01-10') as unknown,
      },
    });
  });
});

describe('applyfree policy explain', () => {
  const policyFile = join(dir, 'old-age.json');
  const factsFile = join(dir, 'facts.json');

  it('explains a policy file on a facts file offline: each condition, the flip and the next change, exit 0', async () => {
    writeFileSync(policyFile, JSON.stringify(findPolicyVersion(catalog, 'old-age-allowance', 1)));
    writeFileSync(
      factsFile,
      JSON.stringify({ 'person.birthDate': '1946-05-17', 'person.localHukou': true, 'person.alive': true }),
    );
    const { code, stdout } = await finished(
      runEntry('cli/main.ts', ['policy', 'explain', policyFile, '--facts', factsFile, '--as-of', '2026-01-10'], {}),
    );
    expect(code).toBe(0);
    expect(stdout).toContain('✗ 不符合条件 · not eligible');
    expect(stdout).toMatch(/✗ 本月之前已年满80周岁.*\n\s+person\.birthDate = 79 岁/);
    // Grouped by named condition: what decided (the failing age) is listed, what held is counted.
    expect(stdout).toContain('✗ 资格条件 · eligibility conditions (+2 not deciding · 另 2 项未列出)');
    expect(stdout).not.toContain('本市户籍');
    expect(stdout).toContain('flip · 改变: person.birthDate "1946-05-17" → "1945-12-31" ⇒ eligible');
    expect(stdout).toContain('next change · 下次变化: 2026-06-01 → eligible');

    const json = await finished(
      runEntry(
        'cli/main.ts',
        ['policy', 'explain', policyFile, '--facts', factsFile, '--as-of', '2026-01-10', '--json'],
        {},
      ),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      decision: { outcome: 'ineligible' },
      nextChange: { date: '2026-06-01' },
    });
  });

  it('exits 1 on facts the policy does not read and 2 on a usage mistake', async () => {
    const strange = join(dir, 'strange.json');
    writeFileSync(strange, JSON.stringify({ 'person.shoeSize': 42 }));
    const refused = await finished(runEntry('cli/main.ts', ['policy', 'explain', policyFile, '--facts', strange], {}));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[facts.person.shoeSize]');
    const usage = await finished(runEntry('cli/main.ts', ['policy', 'explain', policyFile], {}));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--facts');
    const bySubject = await finished(
      runEntry('cli/main.ts', ['policy', 'explain', 'old-age-allowance', '--subject', 'x'], {}),
    );
    expect([bySubject.code, bySubject.stderr]).toEqual([2, expect.stringContaining('applyfree case explain')]);
  });

  it('refuses an --as-of outside the policy’s effective range (exit 2), rather than "eligible · 0 CNY"', async () => {
    const old = join(dir, 'old.json');
    writeFileSync(
      old,
      JSON.stringify({ 'person.birthDate': '1930-05-17', 'person.localHukou': true, 'person.alive': true }),
    );
    const before = await finished(
      runEntry('cli/main.ts', ['policy', 'explain', policyFile, '--facts', old, '--as-of', '2020-01-10'], {}),
    );
    expect(before.code).toBe(2);
    expect(before.stdout).toBe('');
    expect(before.stderr).toContain('--as-of 2020-01-10: old-age-allowance v1 is in force from 2024-01-01');
  });
});

describe('applyfree case explain', () => {
  const cli = (args: string[], token: string) =>
    finished(
      runEntry('cli/main.ts', ['case', 'explain', ...args], { APPLYFREE_API_URL: apiUrl, APPLYFREE_TOKEN: token }),
    );

  it('explains a resident’s case through the API as the token’s person, with the reason logged', async () => {
    const resident = await addResident(store, '1966-05-17', { 'person.localHukou': true, 'person.alive': true });
    const caseId = await caseOf(resident, 'age.milestone', '2026-01-10');
    const { code, stdout } = await cli(
      [caseId, 'senior-preferential-card', '--reason', REASON, '--as-of', '2026-01-10'],
      supervisor,
    );
    expect(code).toBe(0);
    expect(stdout).toContain(`subject ${resident.subjectKey}`);
    expect(stdout).toContain('next change · 下次变化: 2026-05-17 → eligible');
    expect(stdout).toContain(`logged · 已记录: ${REASON}`);
    expect(stdout).not.toContain(resident.id);
    const usage = await cli([caseId, 'senior-preferential-card'], supervisor);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--reason')]);
    const refused = await cli([caseId, 'senior-preferential-card', '--reason', REASON], officer);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
  });
});
