/**
 * Every route of the API, as `npm start` wires it on the real stack, called by every kind of
 * caller (nobody, an unknown token, the literal token `x`, a token whose user was deleted, each
 * role, a registered department and a registered verifier signing their requests) and held to the permission table
 * (domain/permissions.ts, api/route-permissions.ts): whom the row leaves out gets 401
 * UNAUTHENTICATED or 403 FORBIDDEN_ROLE naming who may; whom it admits never does; and no answer
 * but an unmask's carries a raw resident ID or credit code (security review abuse tests 1, 4, 12).
 * Path parameters name nothing and bodies are empty, so an admitted call ends in 400 or 404 and
 * writes nothing. A route without a row fails here, and stops the API from starting.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { ROUTE_PERMISSIONS, actionOfRoute, routeKey } from '../api/route-permissions.js';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import type { Publisher } from '../domain/departments.js';
import { makeResidentId } from '../domain/identity.js';
import {
  CONDITIONS,
  DEPARTMENT_CALLER,
  PERMISSIONS,
  ROLE_NAMES,
  VERIFIER_CALLER,
  allows,
  allowsDepartment,
  allowsVerifier,
  departmentsOnly,
  isOpen,
  verifiersOnly,
  type Action,
  type Role,
} from '../domain/permissions.js';
import { signVerifierRequest, type VerifierCredential } from '../domain/verifier-signature.js';
import { subjectKey } from '../domain/pseudonym.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { createCaseService } from '../services/cases/service.js';
import { createCreditService } from '../services/credit/export.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createWindowService } from '../services/window/service.js';
import { createWindowVisits } from '../services/window/visits.js';
import { createApplicationService } from '../services/applications/service.js';
import { createCertificateService } from '../services/certificates/service.js';
import { ingestEvent } from '../services/events/ingest.js';
import { countIngest } from '../services/events/ingest-tally.js';
import { createMetricsService } from '../services/metrics/service.js';
import { createSummarySource } from '../services/metrics/summary.js';
import { createObjectionService } from '../services/objections/service.js';
import { clientStarter, createOutreachService } from '../services/outreach/service.js';
import { createTaskService } from '../services/tasks/service.js';
import { createFactRequestService } from '../services/fact-requests/service.js';
import { createVerificationService } from '../services/verifications/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createCatalogService, proposeFact } from '../services/catalog/service.js';
import { createMattersService } from '../services/matters/service.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { createPayrollService } from '../services/payroll/service.js';
import { createLedgerService } from '../services/ledger/service.js';
import { createEntitlementService } from '../services/payroll/entitlements.js';
import { createSweepService } from '../services/sweeps/service.js';
import { connectStore } from '../store/connection.js';
import { storePolicySource } from '../store/policy-source.js';
import { registerUserModels, ROLES } from '../store/users.js';
import { testSessions, testToken, testUser } from './support/users.js';
import { ALL_UP } from './support/all-up.js';
import { testSeals } from './support/seals.js';
import { TEST_SECRET } from './support/city.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { registerTestVerifier, testCodeApi } from './support/verifiers.js';
import { certificateWallet } from '../services/codes/wallet.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { identifiersIn } from './support/histories.js';

const stack = inject('stack');
let store: Connection;
/** The seals' key files (the revocation list is sealed when it is read). */
let sealKeys: ReturnType<typeof testSeals> | undefined;
let client: Client;
let api: FastifyInstance;
let closeEvents: () => Promise<void>;
let closeCodes: () => Promise<void>;
/** A registered verifier's key: its signed requests are the only way to scan a code. */
let verifier: VerifierCredential;
/** A registered department's key: its signed requests are the only way to publish events. */
let department: DepartmentCredential;
/** Every route the API registered, as `METHOD url` with the URL pattern it was registered with. */
const routes: Array<{ method: string; url: string }> = [];
const tokens = {} as Record<Role, string>;
/** Each role's second token, for signing out: signing out with `tokens` would end them for every later route. */
const spareTokens = {} as Record<Role, string>;
/** A supervisor's token whose user record was then deleted (abuse test 1). */
let orphanToken: string;
const NAMES: Record<Role, string> = {
  officer: '王芳',
  reviewer: '李明',
  supervisor: '周督查',
  inspector: '陈核查',
  window: '赵窗口',
  citizen: '刘建国',
};

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_permissions_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const taskQueue = uniqueTaskQueue('permissions');
  const catalog = await loadPolicyCatalog();
  const lifecycle = createPolicyLifecycle(store);
  const ingestDeps = { store, temporal: client, taskQueue, subjectKeySecret: TEST_SECRET, today: () => cityToday() };
  const ingest = countIngest((body: unknown, publisher: Publisher) => ingestEvent(ingestDeps, body, publisher));
  const events = testEventApi(stack.redisUrl, ingestDeps);
  closeEvents = events.close;
  department = await registerTestDepartment(store, TEST_SECRET);
  verifier = await registerTestVerifier(store, TEST_SECRET);
  const certificates = createCertificateService({
    store,
    seals: (sealKeys = testSeals(store)).seals,
  });
  const codes = testCodeApi(stack.redisUrl, {
    store,
    keys: { subjectKeySecret: TEST_SECRET },
    wallet: certificateWallet(store, certificates),
  });
  closeCodes = codes.close;
  const citizen = createCitizenService({ store, temporal: client });
  const objections = createObjectionService({
    store,
    temporal: client,
    taskQueue,
    subjectKeySecret: TEST_SECRET,
    policies: storePolicySource(store),
  });
  const summary = createSummarySource({ store, catalog, temporal: client, taskQueue, tally: ingest.tally });
  for (const role of ROLES)
    for (const set of [tokens, spareTokens])
      set[role] = await testToken(store, NAMES[role], role, {
        ...(role === 'citizen'
          ? { subjectKey: subjectKey('person', makeResidentId('371402', '1980-04-02', 7, 'male'), TEST_SECRET) }
          : {}),
      });
  const orphan = await testUser(store, '已删除', 'supervisor');
  await registerUserModels(store).UserAccount.deleteOne({ _id: orphan.id });
  orphanToken = orphan.token;
  // Every route group, each with its real service: what workers/main.ts builds.
  api = buildApi({
    events: { ...events.events, ingest: ingest.ingest },
    summary: () => summary.get(),
    sessions: testSessions(store),
    policies: {
      lifecycle,
      simulation: createSimulationRunner({ store, lifecycle }),
    },
    catalog: createCatalogService({ store }),
    matters: createMattersService({ store }),
    objections,
    tasks: createTaskService({ store, temporal: client, taskQueue }),
    factRequests: createFactRequestService({
      store,
      proposeFact: (proposer, proposal) => proposeFact({ store }, proposer, proposal),
    }),
    applications: createApplicationService({
      store,
      temporal: client,
      taskQueue,
      visits: createWindowVisits({ store, subjectKeySecret: TEST_SECRET }),
    }),
    verifications: {
      service: createVerificationService({
        store,
        adapters: createAdapterRegistry({ connection: store }),
        subjectKeySecret: TEST_SECRET,
      }),
      rateLimit: { max: 1000, timeWindowMs: 60_000 },
    },
    outreach: createOutreachService({
      store,
      policies: storePolicySource(store),
      notify: async () => undefined,
      workflows: clientStarter(client, taskQueue),
    }),
    cases: createCaseService({
      store,
      temporal: client,
      namespace: stack.temporalNamespace,
      taskQueue,
      subjectKeySecret: TEST_SECRET,
      explain: {
        fetchFacts: makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) }),
        policies: storePolicySource(store),
      },
    }),
    citizen,
    credit: createCreditService({ store }),
    certificates,
    window: createWindowService({ store, subjectKeySecret: TEST_SECRET, citizen, certificates, objections }),
    codes: codes.codes,
    sweeps: createSweepService({ store, temporal: client, taskQueue, lifecycle }),
    payroll: createPayrollService({ store, temporal: client, taskQueue }),
    ledger: createLedgerService({ store, policies: storePolicySource(store) }),
    entitlements: createEntitlementService({
      store,
      policies: storePolicySource(store),
      notify: async () => undefined,
    }),
    metrics: createMetricsService({ store, catalog, temporal: client, taskQueue }),
    console: true,
    health: ALL_UP,
  });
  // Plugins register their routes when the API gets ready: this hook, added now, sees every one.
  api.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await closeEvents?.();
  await closeCodes?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
  sealKeys?.remove();
});

/** The route's URL with parameters that name nothing: nothing is found, nothing is written. */
function dummyPath(url: string): string {
  const id = url.startsWith('/objections')
    ? 'obj-000000000000'
    : url.startsWith('/sweeps')
      ? encodeURIComponent('sweep:no-such-policy@1:2026-01-01')
      : url.startsWith('/payroll')
        ? encodeURIComponent('payroll:no-such-policy:2026-01')
        : 'no-such-policy';
  return url
    .replace(':caseId', encodeURIComponent('life-event:no-such-case'))
    .replace(':visitId', 'wv_aaaaaaaaaaaaaaaaaaaaaaaaaa')
    .replace(':offerId', 'no-such-offer')
    .replace(':pledgeKey', 'no-such-pledge')
    .replace(':noticeId', 'no-such-notice')
    .replace(':certificateId', 'no-such-certificate')
    .replace(':printId', 'pr_aaaaaaaaaaaaaaaaaaaaaaaaaa')
    .replace(':version', '1')
    .replace(':key', 'no-such-key')
    .replace(':policyId', 'no-such-policy')
    .replace(':ref', 'LG000000000000000000000000')
    .replace(':matter', 'no-such-matter')
    .replace(':id', id)
    .replace('*', 'no-such-file.js');
}

type Caller = {
  label: string;
  role?: Role;
  token?: string;
  department?: DepartmentCredential;
  verifier?: VerifierCredential;
};
const callers = (action?: Action): Caller[] => [
  { label: 'anonymous' },
  { label: 'an unknown token', token: 'af_not-a-token' },
  // The literal a careless client sends (security review, abuse test 1).
  { label: 'the token "x"', token: 'x' },
  { label: 'a token whose user was deleted', token: orphanToken },
  ...ROLES.map((role) => ({ label: role, role, token: (action === 'session.sign-out' ? spareTokens : tokens)[role] })),
  { label: 'a department', department },
  { label: 'a verifier', verifier },
];

async function call(method: string, url: string, caller: Omit<Caller, 'label'> = {}) {
  const path = dummyPath(url);
  const payload = method === 'POST' || method === 'PUT' ? '{}' : undefined;
  const response = await api.inject({
    method: method as 'GET',
    url: path,
    headers: {
      ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(caller.department ? signDepartmentRequest(caller.department, { method, path, body: payload }) : {}),
      ...(caller.verifier ? signVerifierRequest(caller.verifier, { method, path, body: payload }) : {}),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  const body = method === 'HEAD' || !response.body.startsWith('{') ? {} : response.json<Record<string, string>>();
  return {
    status: response.statusCode,
    code: body.code,
    message: body.message,
    messageZh: body.messageZh,
    text: response.body,
  };
}

describe('the route table', () => {
  it('has a row for every route and a route for every row', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((route) => !actionOfRoute(route.method, route.url))).toEqual([]);
    const registered = new Set(routes.map((route) => routeKey(route.method, route.url)));
    expect(Object.keys(ROUTE_PERMISSIONS).filter((key) => !registered.has(key))).toEqual([]);
  });

  it('stops the API from starting when a route has no row, naming it', async () => {
    const app = buildApi({ health: ALL_UP });
    void app.register(async (scope) => {
      scope.get('/unlisted', async () => ({}));
    });
    await expect(app.ready()).rejects.toThrow('GET /unlisted has no row in api/route-permissions.ts');
    await app.close().catch(() => undefined);
  });
});

/** The 401 a caller without a person gets: a signed parties' action names its kind of signature. */
function unauthenticatedCode(action: Action, caller: Caller): string {
  if (caller.token) return 'UNAUTHENTICATED';
  if (departmentsOnly(action)) return 'DEPARTMENT_UNAUTHENTICATED';
  if (verifiersOnly(action)) return 'VERIFIER_UNAUTHENTICATED';
  return 'UNAUTHENTICATED';
}

/**
 * Asserts one answer against the row: refused (401, 403 naming who may) or admitted (neither). A
 * department's (a verifier's) signature admits it to the departments' (verifiers') actions and the
 * open ones and is not read elsewhere; a signed parties' action refuses people with 403 and the
 * unsigned, or another kind's signature, with 401 DEPARTMENT_UNAUTHENTICATED (VERIFIER_UNAUTHENTICATED).
 */
function expectAnswer(
  where: string,
  action: Action,
  caller: Caller,
  answer: Awaited<ReturnType<typeof call>>,
  anonymous: Awaited<ReturnType<typeof call>>,
  head: boolean,
): void {
  const { roles, conditions = {} } = PERMISSIONS[action];
  const admitted = caller.department
    ? allowsDepartment(action)
    : caller.verifier
      ? allowsVerifier(action)
      : caller.role
        ? allows(caller.role, action)
        : isOpen(action);
  if (!admitted && !caller.role) {
    expect(answer.status, where).toBe(401);
    if (!head) expect(answer.code, where).toBe(unauthenticatedCode(action, caller));
  } else if (!admitted && caller.role) {
    expect(answer.status, where).toBe(403);
    if (head) return;
    expect(answer.code, where).toBe('FORBIDDEN_ROLE');
    // Who may, with their conditions, and who this is, in both languages.
    const named = departmentsOnly(action)
      ? [DEPARTMENT_CALLER]
      : verifiersOnly(action)
        ? [VERIFIER_CALLER]
        : (roles as readonly Role[]).map((role) => {
            const condition = conditions[role];
            return (condition && CONDITIONS[condition].names) || ROLE_NAMES[role];
          });
    for (const name of named) {
      expect(answer.message, where).toContain(name.en);
      expect(answer.messageZh, where).toContain(name.zh);
    }
    expect(answer.message, where).toContain(`${NAMES[caller.role]} is ${ROLE_NAMES[caller.role].en}`);
    expect(answer.messageZh, where).toContain(`${NAMES[caller.role]}是${ROLE_NAMES[caller.role].zh}`);
  } else if (caller.token && !caller.role) {
    // An open route: an unknown token is answered as nobody, or refused where the route reads it; never admitted as someone.
    if (answer.status !== anonymous.status) {
      expect(answer.status, where).toBe(401);
      if (!head) expect(answer.code, where).toBe('UNAUTHENTICATED');
    }
  } else {
    expect(answer.status, where).not.toBe(401);
    expect(answer.status, where).not.toBe(403);
    expect(answer.status, where).toBeLessThan(500);
  }
}

/** The route that exists to reveal one identifier, with a stated and logged reason (abuse test 12). */
const REVEALS = new Set(['POST /cases/:caseId/unmask']);

/** Raw resident IDs and credit codes anywhere in an answer: in its JSON, or in its text (HTML, scripts). */
function rawIdsIn(text: string): string[] {
  if (!text) return [];
  try {
    return identifiersIn(text);
  } catch {
    return identifiersIn(JSON.stringify(text));
  }
}

describe('every route, as every caller', () => {
  it.each(Object.entries(ROUTE_PERMISSIONS))('%s is %s (abuse 1, abuse 4, abuse 12)', async (key, action) => {
    const [method, url] = key.split(' ');
    // HEAD answers as its GET, without a body.
    for (const asked of method === 'GET' ? ['GET', 'HEAD'] : [method]) {
      const anonymous = await call(asked, url);
      for (const caller of callers(action as Action)) {
        const answer =
          caller.token || caller.department || caller.verifier ? await call(asked, url, caller) : anonymous;
        const where = `${asked} ${url} (${action}) as ${caller.label}: ${answer.status} ${answer.code ?? ''}`;
        expectAnswer(where, action, caller, answer, anonymous, asked === 'HEAD');
        // No answer carries a raw resident ID or credit code, but the one route that reveals one (abuse 12).
        if (!REVEALS.has(key)) expect(rawIdsIn(answer.text), where).toEqual([]);
      }
    }
  });
});
