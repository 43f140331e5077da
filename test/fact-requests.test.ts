/**
 * Fact requests (数据需求) on the real stack, through the API as workers/main.ts wires it: an officer
 * asks a registered department for a fact the catalog lacks; the department, with its signed request,
 * sees it and answers — the fact added as a catalog draft that a reviewer publishes, or a refusal
 * with its reason; the officer reads the answer and an alert. Unsigned requests, another department
 * and another officer are refused. 数据共享有效需求满足率 on /programme-metrics and in the Prometheus
 * text counts what was answered within one working day (a Friday-evening request answered on Monday
 * morning is), and a late answer moves it.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { findFact, useShippedCatalog, type FactField } from '../domain/sources.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { createCatalogService, openCatalog, proposeFact } from '../services/catalog/service.js';
import { createFactRequestService } from '../services/fact-requests/service.js';
import { createMetricsService } from '../services/metrics/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { catalogDrafts } from '../store/catalog-versions.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let client: Client;
let api: FastifyInstance;
let closeEvents: () => Promise<void>;
/** The services' clock: each step sets the instant it happens at. */
let clock = new Date();
const at = (cityTime: string) => (clock = new Date(`${cityTime}+08:00`));

const run = randomUUID().slice(0, 6);
let officer: { id: string; token: string };
let otherOfficer: { id: string; token: string };
let reviewer: { id: string; token: string };
let supervisor: { id: string; token: string };
/** The civil affairs bureau (source civil-affairs), the tax bureau (tax) and the disabled persons' federation. */
let civil: DepartmentCredential;
let tax: DepartmentCredential;
let disability: DepartmentCredential;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_fact_requests_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await openCatalog({ store });
  const taskQueue = uniqueTaskQueue('fact-requests');
  const events = testEventApi(stack.redisUrl, {
    store,
    temporal: client,
    taskQueue,
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  });
  closeEvents = events.close;
  const registered = (id: string, source: string, zh: string, en: string) =>
    registerTestDepartment(store, TEST_SECRET, { id: `${id}-${run}`, name: { zh, en }, sources: [source] });
  civil = await registered('civil-affairs', 'civil-affairs', '市民政局', 'Civil Affairs Bureau');
  tax = await registered('tax', 'tax', '市税务局', 'Tax Bureau');
  disability = await registered('disability', 'disability-federation', '市残联', 'Disabled Persons’ Federation');
  officer = await testUser(store, '王芳', 'officer');
  otherOfficer = await testUser(store, '张伟', 'officer');
  reviewer = await testUser(store, '李明', 'reviewer');
  supervisor = await testUser(store, '周督查', 'supervisor');
  const lifecycle = createPolicyLifecycle(store);
  api = buildApi({
    health: ALL_UP,
    sessions: testSessions(store),
    events: events.events,
    policies: { lifecycle, simulation: createSimulationRunner({ store, lifecycle }) },
    factRequests: createFactRequestService({
      store,
      proposeFact: (proposer, proposal) => proposeFact({ store }, proposer, proposal),
      now: () => clock,
    }),
    metrics: createMetricsService({ store, catalog: await loadPolicyCatalog(), now: () => clock }, { maxAgeMs: 0 }),
  });
  await api.ready();
});

afterAll(async () => {
  useShippedCatalog();
  await api?.close();
  await closeEvents?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Answer = Record<string, any>;

/** A call as a member of staff with their token. */
async function asStaff(who: { token: string }, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await api.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${who.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: response.json<Answer>() };
}

/** A call as a department, signed with its key (or unsigned without one). */
async function asDepartment(
  credential: DepartmentCredential | undefined,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const response = await api.inject({
    method,
    url,
    headers: {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(credential ? signDepartmentRequest(credential, { method, path: url, body: payload }) : {}),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, json: response.json<Answer>() };
}

/** A fact the civil affairs bureau keeps: whether a person lives alone (独居). */
const livesAlone: FactField = {
  key: `person.livesAlone${run}`,
  column: `livesAlone${run}`,
  type: 'boolean',
  sensitivity: 'personal',
  label: { zh: '独居', en: 'lives alone' },
  coverage: 'absent-means-no',
  synthetic: { kind: 'bernoulli', p: 0.2 },
};

const filing = (overrides: Record<string, unknown> = {}) => ({
  fact: { description: '是否独居（民政部门走访登记）', key: livesAlone.key, type: 'boolean' },
  why: 'the elderly care allowance is paid to residents over 80 who live alone',
  policy: { id: 'elderly-care-allowance' },
  legalBasis: '《山东省养老服务条例》第二十条',
  sourceId: 'civil-affairs',
  ...overrides,
});

describe('a fact request goes to the department and back', () => {
  let requestId: string;

  it('is filed once by an officer to the department that keeps the source, however often the filing is retried', async () => {
    at('2026-12-08T09:00:00');
    const body = filing({ requestKey: `elderly-lives-alone-${run}` });
    const filed = await asStaff(officer, 'POST', '/fact-requests', body);
    expect(filed.status).toBe(201);
    requestId = filed.json.request.id;
    expect(filed.json.request).toMatchObject({
      status: 'open',
      department: `civil-affairs-${run}`,
      departmentName: { zh: '市民政局' },
      filedBy: { id: officer.id, name: '王芳' },
      dueAt: new Date('2026-12-09T09:00:00+08:00').toISOString(),
    });
    const again = await asStaff(officer, 'POST', '/fact-requests', body);
    expect(again).toMatchObject({ status: 200, json: { created: false, request: { id: requestId } } });
    const mine = await asStaff(officer, 'GET', '/fact-requests?mine=true');
    expect(mine.json.requests.map((r: { id: string }) => r.id)).toEqual([requestId]);
  });

  it('is listed to the department asked, signed with its key, without the name of who filed it', async () => {
    const listed = await asDepartment(civil, 'GET', '/department/fact-requests');
    expect(listed.status).toBe(200);
    expect(listed.json.requests).toHaveLength(1);
    expect(listed.json.requests[0]).toMatchObject({ id: requestId, why: expect.stringContaining('live alone') });
    expect(listed.json.requests[0].filedBy).toBeUndefined();
  });

  it('is answered by adding the fact: a catalog draft awaits a second person, who publishes it', async () => {
    at('2026-12-08T15:30:00');
    const answered = await asDepartment(civil, 'POST', `/department/fact-requests/${requestId}/fact`, {
      field: livesAlone,
    });
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({
      status: 'answered',
      answeredInTime: true,
      answer: { kind: 'fact-added', sourceId: 'civil-affairs', factKey: livesAlone.key },
    });
    const draftId: string = answered.json.answer.draftId;
    const draft = await catalogDrafts(store).findOne({ _id: draftId });
    expect(draft).toMatchObject({
      status: 'submitted',
      facts: [livesAlone.key],
      requestId,
      createdById: `civil-affairs-${run}`,
    });
    // A retried answer lands once: the same draft.
    const retried = await asDepartment(civil, 'POST', `/department/fact-requests/${requestId}/fact`, {
      field: livesAlone,
    });
    expect(retried.json.answer.draftId).toBe(draftId);
    expect(await catalogDrafts(store).countDocuments({ requestId })).toBe(1);

    // The officer sees the answer and an alert; a reviewer publishes the fact (four eyes).
    const shown = await asStaff(officer, 'GET', `/fact-requests/${requestId}`);
    expect(shown.json).toMatchObject({ status: 'answered', answer: { draftId } });
    const listed = await asStaff(officer, 'GET', '/fact-requests');
    expect(listed.json.alerts).toEqual([
      expect.objectContaining({
        kind: 'fact-request.answered',
        factRequestId: requestId,
        text: expect.objectContaining({ zh: expect.stringContaining('市民政局已答复') }),
      }),
    ]);
    expect(findFact(livesAlone.key)).toBeUndefined();
    await createCatalogService({ store }).approve({ id: reviewer.id, name: '李明', role: 'reviewer' }, draftId);
    expect(findFact(livesAlone.key)?.source.id).toBe('civil-affairs');
  });

  it('is refused with a reason the officer reads, and then stays refused', async () => {
    at('2026-12-08T10:00:00');
    const filed = await asStaff(
      officer,
      'POST',
      '/fact-requests',
      filing({
        fact: { description: '家庭存款余额' },
        why: 'an asset test',
        sourceId: undefined,
        department: `civil-affairs-${run}`,
      }),
    );
    expect(filed.status).toBe(201);
    const id = filed.json.request.id;
    const noReason = await asDepartment(civil, 'POST', `/department/fact-requests/${id}/refuse`, { reason: '  ' });
    expect(noReason).toMatchObject({ status: 400, json: { code: 'REASON_REQUIRED', field: 'reason' } });
    const refused = await asDepartment(civil, 'POST', `/department/fact-requests/${id}/refuse`, {
      reason: '存款信息由金融机构掌握，本部门不掌握该数据',
    });
    expect(refused).toMatchObject({ status: 200, json: { status: 'refused', answer: { kind: 'refused' } } });
    const shown = await asStaff(supervisor, 'GET', `/fact-requests/${id}`);
    expect(shown.json.answer.reason).toBe('存款信息由金融机构掌握，本部门不掌握该数据');
    const alerts = (await asStaff(officer, 'GET', '/fact-requests')).json.alerts;
    expect(alerts.map((a: { kind: string }) => a.kind)).toContain('fact-request.refused');
    const withdraw = await asStaff(officer, 'POST', `/fact-requests/${id}/withdraw`);
    expect(withdraw).toMatchObject({ status: 409, json: { code: 'FACT_REQUEST_CLOSED', field: 'id' } });
    const addLater = await asDepartment(civil, 'POST', `/department/fact-requests/${id}/fact`, { field: livesAlone });
    expect(addLater.json.code).toBe('FACT_REQUEST_CLOSED');
  });
});

describe('who may', () => {
  let requestId: string;

  it('refuses an unsigned request, another department, a person’s token and a source the department does not keep', async () => {
    at('2026-12-08T11:00:00');
    requestId = (await asStaff(officer, 'POST', '/fact-requests', filing({ fact: { description: '是否有赡养人' } })))
      .json.request.id;
    const unsigned = await asDepartment(undefined, 'GET', '/department/fact-requests');
    expect(unsigned).toMatchObject({ status: 401, json: { code: 'DEPARTMENT_UNAUTHENTICATED' } });
    const person = await asStaff(officer, 'POST', `/department/fact-requests/${requestId}/refuse`, { reason: 'x' });
    expect(person).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    // Another department neither sees nor answers it.
    expect((await asDepartment(tax, 'GET', '/department/fact-requests')).json.requests).toEqual([]);
    const other = await asDepartment(tax, 'POST', `/department/fact-requests/${requestId}/refuse`, {
      reason: '不是本部门',
    });
    expect(other).toMatchObject({ status: 404, json: { code: 'FACT_REQUEST_NOT_FOUND', field: 'id' } });
    // The department asked adds facts only to its own sources.
    const wrongSource = await asDepartment(civil, 'POST', `/department/fact-requests/${requestId}/fact`, {
      sourceId: 'tax',
      field: { ...livesAlone, key: 'person.hasCarer' },
    });
    expect(wrongSource).toMatchObject({ status: 403, json: { code: 'SOURCE_NOT_ALLOWED', field: 'sourceId' } });
    expect((await asStaff(reviewer, 'GET', `/fact-requests/${requestId}`)).json.status).toBe('open');
  });

  it('refuses filings naming the field at fault, and a reviewer filing', async () => {
    const unknown = await asStaff(
      officer,
      'POST',
      '/fact-requests',
      filing({ sourceId: undefined, department: 'no-such-department' }),
    );
    expect(unknown).toMatchObject({ status: 400, json: { code: 'BAD_VALUE', field: 'department' } });
    const badKey = await asStaff(
      officer,
      'POST',
      '/fact-requests',
      filing({ fact: { description: 'x', key: 'livesAlone' } }),
    );
    expect(badKey).toMatchObject({ status: 400, json: { field: 'fact.key' } });
    const mismatch = await asStaff(officer, 'POST', '/fact-requests', filing({ department: `tax-${run}` }));
    expect(mismatch).toMatchObject({ status: 400, json: { field: 'sourceId' } });
    const noVersion = await asStaff(
      officer,
      'POST',
      '/fact-requests',
      filing({ policy: { id: 'elderly-care-allowance', version: 7 } }),
    );
    expect(noVersion).toMatchObject({ status: 400, json: { field: 'policy.version' } });
    const byReviewer = await asStaff(reviewer, 'POST', '/fact-requests', filing());
    expect(byReviewer).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
  });

  it('lets only the officer who filed a request withdraw it', async () => {
    const other = await asStaff(otherOfficer, 'POST', `/fact-requests/${requestId}/withdraw`);
    expect(other).toMatchObject({ status: 403, json: { code: 'NOT_FILER' } });
    at('2026-12-08T12:00:00');
    const own = await asStaff(officer, 'POST', `/fact-requests/${requestId}/withdraw`);
    expect(own).toMatchObject({ status: 200, json: { status: 'withdrawn' } });
    expect((await asDepartment(civil, 'GET', '/department/fact-requests')).json.requests).toEqual([]);
  });
});

describe('数据共享有效需求满足率', () => {
  const row = async (query: string) => {
    const metrics = await asStaff(supervisor, 'GET', `/programme-metrics?${query}`);
    expect(metrics.status).toBe(200);
    return metrics.json.dataSharingDemand.rows.find(
      (r: { department: string }) => r.department === `disability-${run}`,
    );
  };
  const file = async (cityTime: string, description: string) => {
    at(cityTime);
    const filed = await asStaff(
      officer,
      'POST',
      '/fact-requests',
      filing({ sourceId: 'disability-federation', fact: { description } }),
    );
    expect(filed.status).toBe(201);
    return filed.json.request.id as string;
  };
  const answer = async (id: string, cityTime: string, column: string) => {
    at(cityTime);
    const field: FactField = { ...livesAlone, key: `person.${column}`, column, label: { zh: column, en: column } };
    const answered = await asDepartment(disability, 'POST', `/department/fact-requests/${id}/fact`, { field });
    expect(answered.status).toBe(200);
    return answered.json;
  };

  it('counts a Friday-evening request answered on Monday morning as answered within one working day', async () => {
    const friday = await file('2026-12-04T18:00:00', '残疾人两项补贴领取状态');
    expect((await answer(friday, '2026-12-07T09:30:00', `twoSubsidies${run}`)).answeredInTime).toBe(true);
    expect(await row('from=2026-12-01')).toMatchObject({ month: '2026-12', due: 1, satisfied: 1, rate: 1 });
  });

  it('moves the rate to one half when a second request is answered late, and ignores one not yet due', async () => {
    const tuesday = await file('2026-12-08T09:00:00', '辅助器具适配记录');
    expect((await answer(tuesday, '2026-12-10T09:00:00', `assistiveDevices${run}`)).answeredInTime).toBe(false);
    await file('2026-12-10T10:00:00', '康复服务记录');
    at('2026-12-10T11:00:00');
    expect(await row('from=2026-12-01&to=2026-12-31')).toMatchObject({ due: 2, satisfied: 1, late: 1, rate: 0.5 });
    const metrics = await asStaff(supervisor, 'GET', '/programme-metrics?to=2026-12-31');
    expect(metrics.json.dataSharingDemand.target.rate).toBe(0.99);
    expect(metrics.json.indicators.dataSharingDemand.label.zh).toBe('数据共享有效需求满足率');
    const text = (await api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain(
      `applyfree_data_sharing_demand_satisfaction_ratio{department="disability-${run}",month="2026-12"} 0.5`,
    );
  });
});
