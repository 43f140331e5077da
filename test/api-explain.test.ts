/**
 * Explanations over HTTP on the real store, and `applyfree policy explain` offline and through
 * the API: a resident seeded into the platform collections is explained condition by condition,
 * the read leaves an access record naming the officer, and no answer carries the resident ID.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { makeResidentId } from '../domain/identity.js';
import { findPolicyVersion, loadPolicyCatalog } from '../rules/catalog.js';
import type { Explanation } from '../rules/explain-subject.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken, testUser } from './support/users.js';
import { addResident, TEST_SECRET } from './support/city.js';
import { finished, runEntry } from './support/run-node.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'applyfree-explain-'));
const catalog = await loadPolicyCatalog();
let store: Connection;
let api: FastifyInstance;
let apiUrl: string;
let officer: string;
let officerId: string;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_explain_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog(catalog.policies);
  ({ id: officerId, token: officer } = await testUser(store, '王芳', 'officer'));
  const fetchFacts = makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) });
  api = buildApi({
    sessions: testSessions(store),
    policies: {
      lifecycle,
      explain: { fetchFacts, subjectKeySecret: TEST_SECRET, today: () => '2026-01-10' },
    },
    health: ALL_UP,
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
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

const cli = (args: string[], token?: string) =>
  finished(
    runEntry('cli/main.ts', ['policy', 'explain', ...args], {
      APPLYFREE_API_URL: apiUrl,
      ...(token ? { APPLYFREE_TOKEN: token } : {}),
    }),
  );

describe('GET /policies/:id/explain', () => {
  it('explains a 79-year-old resident from the shared data, writes an access record naming the officer, and never answers with the ID', async () => {
    const resident = await addResident(store, '1946-05-17', { 'person.localHukou': true, 'person.alive': true });
    const answer = await call('GET', `/policies/old-age-allowance/explain?subject=${resident.id}`, officer);
    expect(answer.status).toBe(200);
    const explanation = answer.body as unknown as Explanation;
    expect(explanation).toMatchObject({
      policyId: 'old-age-allowance',
      version: 1,
      asOf: '2026-01-10',
      subjectKey: resident.subjectKey,
      nextChange: { date: '2026-06-01', outcome: 'eligible' },
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
    expect(explanation.summary.zh).toContain('将于 2026-06-01 起符合条件');
    expect(answer.text).not.toContain(resident.id);

    const records = await store.db!.collection('access_records').find({ subjectKey: resident.subjectKey }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      policyId: 'old-age-allowance',
      policyVersion: 1,
      source: 'household-registry',
      purposes: [`policy explanation requested by 王芳 (${officerId})`],
      outcome: 'answered',
    });
    expect(JSON.stringify(records)).not.toContain(resident.id);
  });

  it('lets a supervisor tracing a case read the explanation under their own name, and refuses a citizen or an inspector', async () => {
    const resident = await addResident(store, '1944-02-02', { 'person.localHukou': true, 'person.alive': true });
    const { id: supervisorId, token: supervisor } = await testUser(store, '周督查', 'supervisor');
    const answer = await call('GET', `/policies/old-age-allowance/explain?subject=${resident.id}`, supervisor);
    expect([answer.status, (answer.body as unknown as Explanation).decision.outcome]).toEqual([200, 'eligible']);
    const records = await store.db!.collection('access_records').find({ subjectKey: resident.subjectKey }).toArray();
    expect(records.map((r) => r.purposes)).toEqual([[`policy explanation requested by 周督查 (${supervisorId})`]]);

    const inspector = await testToken(store, '陈核查', 'inspector');
    const citizen = await testToken(store, '张三', 'citizen', { subjectKey: resident.subjectKey });
    for (const token of [inspector, citizen]) {
      const refused = await call('GET', `/policies/old-age-allowance/explain?subject=${resident.id}`, token);
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    }
  });

  it('masks sensitive facts in the conditions and the flip', async () => {
    const resident = await addResident(store, '1970-03-03', {
      'person.localHukou': true,
      'person.alive': true,
      'person.disabilityCertified': true,
      'person.disabilityGrade': 3,
    });
    const answer = await call(
      'GET',
      `/policies/severe-disability-care-subsidy/explain?subject=${resident.id}&asOf=2025-06-01`,
      officer,
    );
    expect(answer.status).toBe(200);
    const explanation = answer.body as unknown as Explanation;
    expect(explanation.decision.conditions.find((leaf) => leaf.fact === 'person.disabilityGrade')).toMatchObject({
      factValue: '***',
      result: false,
    });
    expect(explanation.flips[0].changes).toEqual([
      expect.objectContaining({ fact: 'person.disabilityGrade', from: '***', to: '***' }),
    ]);
    expect(answer.text).not.toMatch(/"person\.disabilityGrade"[^}]*":[23][,}]/);
  });

  it('refuses a malformed ID with the field, an unregistered one with 404, and a request without a token', async () => {
    const valid = makeResidentId('371402', '1946-05-17', 3, 'male');
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const bad = await call('GET', `/policies/old-age-allowance/explain?subject=${wrongCheck}`, officer);
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 'INVALID_RESIDENT_ID', field: 'subject', messageZh: expect.stringContaining('校验码') as unknown },
    });
    expect(bad.text).not.toContain(wrongCheck);
    const enterprise = await call(
      'GET',
      `/policies/job-stabilisation-refund/explain?subject=${makeResidentId('371402', '1980-01-01', 7, 'male')}&asOf=2025-06-01`,
      officer,
    );
    expect(enterprise).toMatchObject({ status: 400, body: { code: 'INVALID_CREDIT_CODE', field: 'subject' } });
    const unknown = await call(
      'GET',
      `/policies/old-age-allowance/explain?subject=${makeResidentId('371402', '1940-01-01', 9, 'male')}`,
      officer,
    );
    expect(unknown).toMatchObject({ status: 404, body: { code: 'SUBJECT_NOT_FOUND', field: 'subject' } });
    expect(await call('GET', '/policies/old-age-allowance/explain?subject=x')).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', messageZh: expect.any(String) as unknown },
    });
    expect(await call('GET', '/policies/childcare-subsidy/explain?subject=x&asOf=2024-06-01', officer)).toMatchObject({
      status: 404,
      body: { code: 'NO_VERSION_IN_FORCE', field: 'asOf' },
    });
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
    const facts = { 'person.birthDate': '1951-03-01', 'person.localHukou': true, 'person.alive': true };
    const answer = await call('POST', '/policies/old-age-allowance/versions/2/explain', officer, {
      facts,
      asOf: '2027-01-15',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ version: 2, inForce: true, decision: { outcome: 'eligible', amount: 100 } });
    expect(answer.body).not.toHaveProperty('subjectKey');

    // Without asOf, a draft in force only from 2027 is explained on its first day (today is 2026-01-10 here).
    expect(await call('POST', '/policies/old-age-allowance/versions/2/explain', officer, { facts })).toMatchObject({
      status: 200,
      body: { asOf: '2027-01-01', decision: { outcome: 'eligible' } },
    });
    const unknown = await call('POST', '/policies/old-age-allowance/versions/2/explain', officer, {
      facts: { ...facts, 'person.shoeSize': 42 },
      asOf: '2027-01-15',
    });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'INVALID_FACTS', field: 'facts.person.shoeSize' } });
    const undeclared = await call('POST', '/policies/old-age-allowance/versions/2/explain', officer, {
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
    expect(stdout).toMatch(/✓ 本市户籍.*\n\s+person\.localHukou = 是 · yes/);
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
    expect(usage.stderr).toContain('--subject');
  });

  it('explains a real resident through the API as the token’s person', async () => {
    const resident = await addResident(store, '1966-05-17', { 'person.localHukou': true, 'person.alive': true });
    const { code, stdout } = await cli(
      ['senior-preferential-card', '--subject', resident.id, '--as-of', '2026-01-10'],
      officer,
    );
    expect(code).toBe(0);
    expect(stdout).toContain(`subject ${resident.subjectKey}`);
    expect(stdout).toContain('next change · 下次变化: 2026-05-17 → eligible');
    expect(stdout).not.toContain(resident.id);
  });
});
