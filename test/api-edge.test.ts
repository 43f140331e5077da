/**
 * The HTTP edge on the real store (security review S11, S12, S14, S16; abuse tests 22, 23, 25-27):
 * the access log — one JSON line per request naming who, the route pattern and its keys, the
 * status and the refusal code, 401/403 at warn, no token, no body, no query string and no
 * identifier anywhere in it; security headers with a strict CSP on every answer; the Host check;
 * no CORS; limits per user and per address; body limits on every write route; and query strings
 * held to what each route declares.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROUTE_PERMISSIONS } from '../api/route-permissions.js';
import { buildApi, type ApiDeps } from '../api/server.js';
import { BODY_LIMIT, MATTERS_BODY_LIMIT, POLICY_BODY_LIMIT } from '../api/edge.js';
import { createMattersService } from '../services/matters/service.js';
import { cityToday } from '../domain/calendar.js';
import type { DepartmentCredential } from '../domain/department-signature.js';
import { makeResidentId } from '../domain/identity.js';
import { PERMISSIONS, type Action, type Role } from '../domain/permissions.js';
import { subjectKey } from '../domain/pseudonym.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { createCaseService } from '../services/cases/service.js';
import { createSweepService } from '../services/sweeps/service.js';
import { registerSweepModel } from '../store/sweeps.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { postSigned, registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
let store: Connection;
let client: Client;
let lifecycle: PolicyLifecycle;
let events: ReturnType<typeof testEventApi>;
let department: DepartmentCredential;
let redis: Redis;
const tokens = {} as Record<Role | 'otherOfficer', string>;
const apis: FastifyInstance[] = [];
/** A resident ID nobody may find in a log line. */
const residentId = makeResidentId('371402', '1958-06-30', 4, 'female');

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_edge_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.otherOfficer = await testToken(store, '刘洋', 'officer');
  tokens.reviewer = await testToken(store, '李明', 'reviewer');
  tokens.supervisor = await testToken(store, '周督查', 'supervisor');
  tokens.inspector = await testToken(store, '陈核查', 'inspector');
  tokens.citizen = await testToken(store, '张秀英', 'citizen', {
    subjectKey: subjectKey('person', residentId, TEST_SECRET),
  });
  events = testEventApi(stack.redisUrl, {
    store,
    temporal: client,
    taskQueue: uniqueTaskQueue('edge'),
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  });
  department = await registerTestDepartment(store, TEST_SECRET);
  redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  for (const api of apis) await api.close();
  await events?.close();
  await redis?.quit();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

/**
 * Every route group, as workers/main.ts builds the API: policies on the store, the case search on
 * the stack; the other services only register their routes (the edge refuses before they run).
 */
function fullApi(extra: Partial<ApiDeps> = {}): FastifyInstance {
  const api = buildApi({
    policies: { lifecycle },
    sessions: testSessions(store),
    events: events.events,
    summary: async () => ({}),
    cases: createCaseService({
      store,
      temporal: client,
      namespace: stack.temporalNamespace,
      taskQueue: uniqueTaskQueue('edge-cases'),
      subjectKeySecret: TEST_SECRET,
    }),
    sweeps: {} as never,
    objections: {} as never,
    citizen: {} as never,
    metrics: {} as never,
    matters: createMattersService({ store }),
    // A verifier's route reads its raw body too; no scan gets as far as the service here.
    codes: { codes: {} as never, authenticate: async () => ({ failure: 'no scans in this test' }) },
    health: ALL_UP,
    ...extra,
  });
  apis.push(api);
  return api;
}

const bearer = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});

/** An API whose access log is read back line by line, as the platform would read stdout. */
function loggedApi() {
  const lines: string[] = [];
  const api = fullApi({ logger: { level: 'info', destination: { write: (line: string) => lines.push(line) } } });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { api, lines, requests: () => entries().filter((entry) => entry.event === 'request') };
}

describe('the access log', () => {
  it('writes one JSON line per request: who, the route pattern and its keys, the status, the refusal code', async () => {
    const { api, requests } = loggedApi();
    const read = await api.inject({
      method: 'GET',
      url: '/policies/childcare-subsidy/versions/1',
      headers: bearer(tokens.officer),
    });
    expect(read.statusCode).toBe(200);
    await api.inject({ method: 'GET', url: '/cases' });
    await api.inject({ method: 'GET', url: '/cases', headers: bearer(tokens.officer) });
    await api.inject({ method: 'GET', url: '/cases', headers: bearer('af_not-a-token') });

    const [policyRead, anonymous, officer, unknownToken] = requests();
    expect(policyRead).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/policies/:id/versions/:version',
      keys: { id: 'childcare-subsidy', version: 1 },
      status: 200,
      user: { id: expect.stringMatching(/^u_[a-z2-7]{16}$/) as unknown, role: 'officer' },
    });
    expect(policyRead.ms).toEqual(expect.any(Number));
    // Every refused caller at warn, with the refusal's code; a refused person by name and role.
    expect(anonymous).toMatchObject({ level: 'warn', route: '/cases', status: 401, outcome: 'UNAUTHENTICATED' });
    expect(anonymous).not.toHaveProperty('user');
    expect(officer).toMatchObject({
      level: 'warn',
      status: 403,
      outcome: 'FORBIDDEN_ROLE',
      user: { id: expect.stringMatching(/^u_[a-z2-7]{16}$/) as unknown, role: 'officer' },
    });
    expect(unknownToken).toMatchObject({ level: 'warn', status: 401, outcome: 'UNAUTHENTICATED' });
  });

  it('names the department of a signed request and refuses an unsigned one at warn', async () => {
    const { api, requests } = loggedApi();
    const signed = await postSigned(api, department, { sourceEventId: 'not-an-event' });
    expect(signed.status).toBe(400);
    const unsigned = await postSigned(api, undefined, { sourceEventId: 'x' }, { headers: { 'x-applyfree-key': 'k' } });
    expect(unsigned.status).toBe(401);
    const [published, refused] = requests();
    expect(published).toMatchObject({
      route: '/events',
      status: 400,
      outcome: 'INVALID_EVENT',
      department: department.department,
    });
    expect(refused).toMatchObject({ level: 'warn', status: 401, outcome: 'DEPARTMENT_UNAUTHENTICATED' });
  });

  it('holds no token, body, query string or identifier, wherever a request put them', async () => {
    const { api, lines, requests } = loggedApi();
    // A search by raw ID states why (it is logged as a reveal, security review S3): the reason is body too.
    const reason = '群众来电核实办理情况';
    const search = await api.inject({
      method: 'POST',
      url: '/cases/search',
      headers: bearer(tokens.supervisor),
      payload: { subject: residentId, reason },
    });
    expect(search.statusCode).toBe(200);
    // An ID in a path parameter, in an unknown path and in a query string.
    await api.inject({
      method: 'GET',
      url: `/cases/${encodeURIComponent(`life-event:${residentId}`)}/timeline`,
      headers: bearer(tokens.supervisor),
    });
    // A case's explanation states a reason in its body: logged as a reveal by the service, never in this log.
    await api.inject({
      method: 'POST',
      url: `/cases/${encodeURIComponent(`life-event:${residentId}`)}/explain`,
      headers: bearer(tokens.supervisor),
      payload: { policyId: 'old-age-allowance', reason },
    });
    await api.inject({ method: 'GET', url: `/people/${residentId}?subject=${residentId}&token=${tokens.officer}` });
    await api.inject({ method: 'GET', url: `/cases?subject=${residentId}`, headers: bearer(tokens.supervisor) });
    // A server error's line, with the error's own text.
    const failed = await api.inject({ method: 'GET', url: '/sweeps', headers: bearer(tokens.officer) });
    expect(failed.statusCode).toBe(500);

    expect(requests().map((entry) => [entry.route, entry.status])).toEqual([
      ['/cases/search', 200],
      ['/cases/:caseId/timeline', 404],
      ['/cases/:caseId/explain', 404],
      [null, 404],
      ['/cases', 400],
      ['/sweeps', 500],
    ]);
    expect(requests()[2]).toMatchObject({ keys: { caseId: 'life-event:[redacted]' } });
    expect(requests()[3]).toMatchObject({ path: '/people/[redacted]' });
    expect(requests()[5]).toMatchObject({ level: 'error' });
    const text = lines.join('');
    for (const secret of [residentId, residentId.slice(0, 17), reason, ...Object.values(tokens)])
      expect(text).not.toContain(secret);
    expect(text).not.toContain('?');
    expect(text).toContain('[redacted]');
  });
});

describe('security headers', () => {
  it('serve the console with a strict Content Security Policy, never framed, no sniffing, no referrer (abuse 25)', async () => {
    const api = fullApi({ console: true });
    const page = await api.inject({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    // Over plain http, no HSTS (browsers ignore it there); the page loads nothing inline.
    expect(page.headers).not.toHaveProperty('strict-transport-security');
    expect(page.body).not.toMatch(/<script>|<style>| style=| on\w+=/);
    const script = await api.inject({ method: 'GET', url: '/console/app.js' });
    expect(script.body).not.toContain('sourceMappingURL');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
  });

  it('put them on refusals too, give Swagger UI a policy of its own, and send HSTS over https', async () => {
    const refused = await fullApi().inject({ method: 'GET', url: '/cases' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    const docs = await fullApi().inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    const docsCsp = String(docs.headers['content-security-policy']);
    expect(docsCsp).toContain("frame-ancestors 'none'");
    expect(docsCsp).toContain("object-src 'none'");
    expect(docsCsp).not.toContain('upgrade-insecure-requests');
    const https = await fullApi({ edge: { https: true } }).inject({ method: 'GET', url: '/health' });
    expect(https.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });
});

/** A request with the Host header as given (fetch sends the URL's own). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the Host check', () => {
  it('answers its own names and addresses and refuses any other Host before anything else (abuse 26)', async () => {
    const api = fullApi({ edge: { allowedHosts: ['applyfree.city.example'] } });
    const url = await api.listen({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await getWithHost(`${url}/health`, 'applyfree.city.example')).status).toBe(200);
    expect((await getWithHost(`${url}/health`, 'localhost:3000')).status).toBe(200);
    const rebound = await getWithHost(`${url}/policies`, 'evil.example');
    expect(rebound).toEqual({
      status: 421,
      body: expect.objectContaining({ code: 'HOST_NOT_ALLOWED', field: 'host', messageZh: expect.any(String) }),
    });
    // Refused before the token is read: a rebinding page learns nothing, not even whether a token works.
    const withToken = await api.inject({
      method: 'GET',
      url: '/cases',
      headers: { host: 'evil.example', ...bearer('af_not-a-token') },
    });
    expect([withToken.statusCode, withToken.json().code]).toEqual([421, 'HOST_NOT_ALLOWED']);
  });

  it('sends no CORS header: a page on another origin cannot read an answer (abuse 27)', async () => {
    const api = fullApi();
    const preflight = await api.inject({
      method: 'OPTIONS',
      url: '/cases',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
    expect(preflight.headers).not.toHaveProperty('access-control-allow-headers');
    const read = await api.inject({
      method: 'GET',
      url: '/policies',
      headers: { origin: 'https://evil.example', ...bearer(tokens.officer) },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers).not.toHaveProperty('access-control-allow-origin');
  });
});

describe('limits per user', () => {
  it('count each person by their user ID and anyone else by address, with 429 RATE_LIMITED in both languages', async () => {
    const api = fullApi({
      edge: {
        rateLimit: { user: 3, anonymous: 2, timeWindowMs: 60_000 },
        redis,
        prefix: `test-edge-${randomUUID().slice(0, 8)}`,
      },
    });
    const get = (url: string, token?: string) => api.inject({ method: 'GET', url, headers: bearer(token) });
    for (let i = 0; i < 3; i++) expect((await get('/policies', tokens.officer)).statusCode).toBe(200);
    const over = await get('/policies', tokens.officer);
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'RATE_LIMITED', messageZh: expect.stringContaining('秒后重试') });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Another person is not held back by the first one's requests, nor is a load balancer's liveness probe.
    expect((await get('/policies', tokens.otherOfficer)).statusCode).toBe(200);
    expect((await get('/health/live')).statusCode).toBe(200);
    // Without a token, by address.
    expect((await get('/catalog')).statusCode).toBe(200);
    expect((await get('/catalog')).statusCode).toBe(200);
    expect((await get('/catalog')).json()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

/** A path of the route table with its parameters filled in. */
const pathOf = (route: string) =>
  route
    .replace(':id/versions', 'childcare-subsidy/versions')
    .replace(':version', '1')
    .replace(':id', 'sweep:childcare-subsidy@1:2026-01-01')
    .replace(':caseId', 'life-event:edge-1')
    .replace(':key', 'notice-1');

/** A role the table admits to the action (the first it names). */
const roleFor = (action: Action): Role | undefined => {
  const { roles } = PERMISSIONS[action];
  // Any signed-in person (sign-out): an officer will do.
  if (roles === 'authenticated') return 'officer';
  return Array.isArray(roles) ? roles[0] : undefined;
};

describe('body limits', () => {
  const writes = Object.entries(ROUTE_PERMISSIONS).filter(([route]) => /^(POST|PUT) /.test(route));
  const isPolicyDocument = (route: string) =>
    route === 'POST /policies' || route === 'PUT /policies/:id/versions/:version';

  let shared: FastifyInstance | undefined;
  it.each(writes)('%s refuses a body over its limit with 413 BODY_TOO_LARGE (abuse 22)', async (route, action) => {
    const api = (shared ??= fullApi());
    const [method, path] = route.split(' ') as ['POST' | 'PUT', string];
    // A version of the list of matters is the whole list.
    const limit = isPolicyDocument(route)
      ? POLICY_BODY_LIMIT
      : route === 'POST /matters/drafts'
        ? MATTERS_BODY_LIMIT
        : BODY_LIMIT;
    const role = roleFor(action);
    const answer = await api.inject({
      method,
      url: pathOf(path),
      headers: {
        'content-type': 'application/json',
        // A signed party's route reads its body before the signature is judged; a person's route after the token.
        ...(role
          ? bearer(tokens[role])
          : PERMISSIONS[action].roles === 'verifiers'
            ? { 'x-applyfree-verifier': 'peoples-park' }
            : { 'x-applyfree-department': department.department }),
      },
      payload: JSON.stringify({ note: 'x'.repeat(limit + 1) }),
    });
    expect([answer.statusCode, answer.json().code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('takes a policy document larger than other bodies may be', async () => {
    const api = fullApi();
    const shipped = (await loadPolicyCatalog()).policies.find((policy) => policy.id === 'childcare-subsidy')!;
    // A draft with a long legal reference: twice what any other route takes.
    const document = { ...shipped, id: 'edge-large-draft', version: 1, reference: '《条例》'.repeat(BODY_LIMIT / 2) };
    expect(JSON.stringify(document).length).toBeGreaterThan(BODY_LIMIT * 2);
    const draft = await api.inject({
      method: 'POST',
      url: '/policies',
      headers: bearer(tokens.officer),
      payload: document,
    });
    expect([draft.statusCode, draft.json().status]).toEqual([201, 'draft']);
  });
});

describe('open answers', () => {
  it('name no member of staff to those the table does not show them to (staff.names), and sweeps are for staff alone (sweep.read)', async () => {
    await registerSweepModel(store).create({
      _id: 'sweep:childcare-subsidy@1:2026-01-05',
      policy: { id: 'childcare-subsidy', version: 1, hash: 'h' },
      asOf: '2026-01-05',
      status: 'done',
      requestedBy: '王芳',
      startedAt: new Date('2026-01-05T01:00:00Z'),
      updatedAt: new Date('2026-01-05T01:10:00Z'),
    });
    const api = fullApi({ sweeps: createSweepService({ store, temporal: client, taskQueue: 'edge', lifecycle }) });
    const get = async (url: string, token?: string) =>
      JSON.stringify((await api.inject({ method: 'GET', url, headers: bearer(token) })).json());
    for (const url of ['/policies', '/policies/childcare-subsidy/versions/1', '/sweeps']) {
      for (const token of [undefined, tokens.citizen, tokens.inspector])
        expect(await get(url, token), `${url} ${token ?? 'anonymous'}`).not.toMatch(
          /"(created|updated|published|requested)By"/,
        );
      expect(await get(url, tokens.officer), url).toMatch(/"(published|requested)By"/);
    }
    // A sweep's progress is not public at all (security review S14): nobody 401, a citizen or an inspector 403.
    const status = async (token?: string) =>
      (await api.inject({ method: 'GET', url: '/sweeps', headers: bearer(token) })).statusCode;
    expect([await status(), await status(tokens.citizen), await status(tokens.inspector)]).toEqual([401, 403, 403]);
    expect(await get('/sweeps', tokens.supervisor)).toMatch(/"requestedBy":"王芳"/);
  });

  it('answer a sweep read for anything but a sweep’s ID without asking Temporal', async () => {
    // A real client whose connection is closed: any call to Temporal would fail the request with a 500.
    const closed = await connectClient(stack.temporalAddress, stack.temporalNamespace);
    await closed.connection.close();
    const api = fullApi({ sweeps: createSweepService({ store, temporal: closed, taskQueue: 'edge', lifecycle }) });
    const probe = await api.inject({
      method: 'GET',
      url: `/sweeps/${encodeURIComponent('grant:senior-preferential-card:p_abcdefghijklmnopqrstuvwxyz:once')}`,
      headers: bearer(tokens.officer),
    });
    expect([probe.statusCode, probe.json().code]).toEqual([404, 'NO_SWEEP']);
  });
});

describe('query strings', () => {
  let shared: FastifyInstance | undefined;
  it.each([
    ['an operator in a name', '/cases?subject[$gt]=', 'subject[$gt]'],
    ['an operator on another filter', '/cases?policy[$ne]=childcare-subsidy', 'policy[$ne]'],
    ['a repeated key', '/cases?policy=childcare-subsidy&policy=old-age-allowance', 'policy'],
    ['a 10 KB value', `/cases?eventType=${'b'.repeat(10_000)}`, 'eventType'],
    ['an identifier, which goes in a body', `/cases?subject=${residentId}`, 'subject'],
    ['a repeated status', '/policies?status=draft&status=published', 'status'],
  ])('refuse %s with a 400 naming it, never a broader answer (abuse 23)', async (_what, url, field) => {
    const answer = await (shared ??= fullApi()).inject({ method: 'GET', url, headers: bearer(tokens.supervisor) });
    expect([answer.statusCode, answer.json().code, answer.json().field]).toEqual([400, 'BAD_REQUEST', field]);
    expect(answer.json().messageZh).toBeTruthy();
  });
});
