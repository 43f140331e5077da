/**
 * Verifications over the API, end to end on the real stack (issue 15 item 3): the housing bureau,
 * signing its request, verifies that an applicant has a local hukou for public rental housing and
 * gets "yes" with a validity and a signature, never the data; the citizen then sees the read and
 * the verification under "who used my data". A claim the matter does not list is refused naming
 * `claim`; an unsigned or wrongly signed request is refused 401; a department's requests are
 * rate-limited; the requester polls a pending procedure claim, the certifying department answers
 * it, and staff read the log with the subject masked.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { makeResidentId } from '../domain/identity.js';
import { mattersInForce, putMattersInForce, type MatterList } from '../domain/matters.js';
import { STARTER_MATTER_LIST } from '../domain/matters-starter.js';
import { subjectKey } from '../domain/pseudonym.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { createVerificationService } from '../services/verifications/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
const APPLICANT = makeResidentId('371402', '1979-05-05', 17, 'female');
const RATE_LIMIT = 8;

let store: Connection;
let client: Client;
let api: FastifyInstance;
let closeEvents: () => Promise<void>;
let housing: DepartmentCredential;
let police: DepartmentCredential;
let civilAffairs: DepartmentCredential;
let citizenToken: string;
let supervisorToken: string;
let officerToken: string;
let starter: MatterList;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_verifications_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await store.db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertOne({
    _id: APPLICANT,
    idNumber: APPLICANT,
    localHukou: true,
    birthDate: '1979-05-05',
  });
  const run = randomUUID().slice(0, 8);
  housing = await registerTestDepartment(store, TEST_SECRET, {
    id: 'housing-urban-rural',
    name: { zh: '市住房和城乡建设局', en: 'Municipal Housing and Urban-Rural Development Bureau' },
    sources: [`housing-${run}`],
  });
  police = await registerTestDepartment(store, TEST_SECRET, {
    id: 'public-security',
    name: { zh: '市公安局', en: 'Municipal Public Security Bureau' },
    sources: [`police-${run}`],
  });
  civilAffairs = await registerTestDepartment(store, TEST_SECRET, {
    id: 'civil-affairs',
    name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' },
    sources: [`civil-${run}`],
  });
  // A matter of the police's own that needs a certificate of no criminal record.
  starter = mattersInForce();
  putMattersInForce({
    ...STARTER_MATTER_LIST,
    matters: [
      ...STARTER_MATTER_LIST.matters,
      {
        id: 'test-security-guard-permit',
        subject: 'person',
        title: { zh: '保安员证核发（测试）', en: 'Security guard permit (test)' },
        department: { id: 'public-security', name: { zh: '市公安局', en: 'Municipal Public Security Bureau' } },
        legalBasis: { zh: '《保安服务管理条例》', en: 'Regulation on Security Services' },
        level: 'city',
        timeLimitWorkingDays: 15,
        fields: [],
        proofs: [],
        claims: ['no-criminal-record'],
      },
    ],
  });
  const ingestDeps = {
    store,
    temporal: client,
    taskQueue: uniqueTaskQueue('verifications'),
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  };
  const events = testEventApi(stack.redisUrl, ingestDeps);
  closeEvents = events.close;
  const lifecycle = createPolicyLifecycle(store);
  api = buildApi({
    events: events.events,
    sessions: testSessions(store),
    policies: { lifecycle, simulation: createSimulationRunner({ store, lifecycle }) },
    citizen: createCitizenService({ store, temporal: client }),
    verifications: {
      service: createVerificationService({
        store,
        adapters: createAdapterRegistry({ connection: store }),
        subjectKeySecret: TEST_SECRET,
      }),
      rateLimit: { max: RATE_LIMIT, timeWindowMs: 60_000 },
    },
    health: ALL_UP,
  });
  await api.ready();
  citizenToken = await testToken(store, '王秀英', 'citizen', {
    subjectKey: subjectKey('person', APPLICANT, TEST_SECRET),
  });
  supervisorToken = await testToken(store, '周督查', 'supervisor');
  officerToken = await testToken(store, '李经办', 'officer');
});

afterAll(async () => {
  putMattersInForce(starter);
  await api?.close();
  await closeEvents?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

/** A department's signed request. */
async function signed(
  credential: DepartmentCredential | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const response = await api.inject({
    method,
    url: path,
    headers: {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(credential ? signDepartmentRequest(credential, { method, path, body: payload }) : {}),
    },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>(), text: response.body };
}

const asPerson = async (token: string, path: string, method: 'GET' | 'POST' = 'GET', body?: unknown) => {
  const response = await api.inject({
    method,
    url: path,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, json: () => response.json<unknown>() };
};

const hukou = { matter: 'public-rental-housing', claim: 'local-hukou', subject: { kind: 'person', id: APPLICANT } };

describe('POST /verifications', () => {
  it('answers the housing bureau yes, signed, never the data; the citizen sees the read and the verification', async () => {
    const answered = await signed(housing, 'POST', '/verifications', { ...hukou, requestKey: 'housing-2026-0001' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      answer: 'yes',
      reused: false,
      signature: { scheme: 'hmac-sha256' },
      signedBy: { department: 'public-security' },
    });
    expect(typeof answered.body.validUntil).toBe('string');
    expect(answered.text).not.toContain(APPLICANT);
    expect(answered.text).not.toContain('localHukou');

    // The same request key again: the same verification, nothing read again.
    const again = await signed(housing, 'POST', '/verifications', { ...hukou, requestKey: 'housing-2026-0001' });
    expect(again.body.verificationId).toBe(answered.body.verificationId);

    const access = await asPerson(citizenToken, '/me/access');
    const entries = access.json() as Array<Record<string, unknown>>;
    const pull = entries.find((entry) => entry.kind === 'data-pull');
    expect(pull).toMatchObject({
      source: 'household-registry',
      policy: { title: { zh: '公共租赁住房申请' } },
    });
    expect(String((pull!.purposes as string[])[0])).toContain('证明核验：市住房和城乡建设局办理“公共租赁住房申请”');
    expect(entries.find((entry) => entry.kind === 'verification')).toMatchObject({
      department: { zh: '市住房和城乡建设局' },
      matter: { id: 'public-rental-housing' },
      claim: { id: 'local-hukou', statement: { zh: '户籍在本市' } },
      answer: 'yes',
    });
    expect(entries.filter((entry) => entry.kind === 'data-pull')).toHaveLength(1);

    // The bureau's own log lists it; the bureau polls it.
    const log = await signed(housing, 'GET', '/verifications');
    expect((log.body as unknown as Array<Record<string, unknown>>).map((v) => v.verificationId)).toContain(
      answered.body.verificationId,
    );
    const polled = await signed(housing, 'GET', `/verifications/${answered.body.verificationId as string}`);
    expect(polled.body).toMatchObject({ status: 'answered', answer: 'yes' });
  });

  it('refuses a claim the matter does not list, naming claim', async () => {
    const refused = await signed(housing, 'POST', '/verifications', { ...hukou, claim: 'disability-grade-2-or-above' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CLAIM_NOT_LISTED', field: 'claim' });
  });

  it('refuses an unsigned request and a signature over another body with 401', async () => {
    const unsigned = await signed(undefined, 'POST', '/verifications', hukou);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.code).toBe('DEPARTMENT_UNAUTHENTICATED');
    const headers = signDepartmentRequest(housing, { method: 'POST', path: '/verifications', body: '{}' });
    const tampered = await api.inject({
      method: 'POST',
      url: '/verifications',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(hukou),
    });
    expect(tampered.statusCode).toBe(401);
  });

  it('limits each department’s verifications per minute', async () => {
    const answers: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i += 1)
      answers.push(
        (await signed(civilAffairs, 'POST', '/verifications', { ...hukou, matter: 'home-care-service-subsidy' }))
          .status,
      );
    expect(answers.slice(0, RATE_LIMIT).every((status) => status === 200)).toBe(true);
    expect(answers.slice(RATE_LIMIT)).toEqual([429, 429]);
    // Another department's limit is its own.
    expect((await signed(housing, 'POST', '/verifications', hukou)).status).toBe(200);
  });
});

describe('a claim the certifying department answers by its procedure', () => {
  it('is pending; the requester polls; the police see it with the identifier and answer it; the answer is archived', async () => {
    const pending = await signed(police, 'POST', '/verifications', {
      matter: 'test-security-guard-permit',
      claim: 'no-criminal-record',
      subject: { kind: 'person', id: APPLICANT },
    });
    expect(pending.body).toMatchObject({ answer: 'pending' });
    expect(typeof pending.body.dueAt).toBe('string');
    const id = pending.body.verificationId as string;

    // Only the certifying department lists it, with the identifier its procedure needs; another sees nothing.
    const listed = (await signed(police, 'GET', '/department/verifications')).body as unknown as Array<
      Record<string, unknown>
    >;
    expect(listed.find((v) => v.verificationId === id)).toMatchObject({ subject: { kind: 'person', id: APPLICANT } });
    expect((await signed(housing, 'GET', '/department/verifications')).body).toEqual([]);
    expect((await signed(housing, 'POST', `/department/verifications/${id}/answer`, { answer: 'yes' })).status).toBe(
      404,
    );

    const answered = await signed(police, 'POST', `/department/verifications/${id}/answer`, {
      answer: 'yes',
      reference: '德公证〔2026〕12号',
    });
    expect(answered.body).toMatchObject({ answer: 'yes', verificationId: id });
    expect((await signed(police, 'GET', `/verifications/${id}`)).body).toMatchObject({
      status: 'answered',
      answer: 'yes',
    });
    // Within its validity the archived answer serves the next request at once.
    const next = await signed(police, 'POST', '/verifications', {
      matter: 'test-security-guard-permit',
      claim: 'no-criminal-record',
      subject: { kind: 'person', id: APPLICANT },
    });
    expect(next.body).toMatchObject({ answer: 'yes', reused: true });
  });
});

describe('the staff log', () => {
  it('lists the verifications with the subject masked; officers read, only supervisors answer', async () => {
    const log = await asPerson(supervisorToken, '/staff/verifications?requester=housing-urban-rural');
    expect(log.status).toBe(200);
    const rows = log.json() as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(APPLICANT);
    expect(rows[0]).toMatchObject({
      matter: { id: 'public-rental-housing' },
      requester: { id: 'housing-urban-rural' },
    });
    expect((await asPerson(officerToken, '/staff/verifications')).status).toBe(200);
    expect(
      (
        await asPerson(officerToken, `/staff/verifications/${rows[0].verificationId as string}/answer`, 'POST', {
          answer: 'yes',
        })
      ).status,
    ).toBe(403);
  });
});
