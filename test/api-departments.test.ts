/**
 * Departments publish with their own keys, on the real stack (FerretDB register, Redis nonces and
 * limits, Temporal cases): every way a request can fail to be a department's — unsigned, a wrong
 * signature, a changed body, an unknown or revoked key, a timestamp out of the window, a replayed
 * nonce — is the same 401 and writes nothing; a department may publish only its own sources and
 * event types, no further back than its window; a rotation keeps the old key until it is revoked
 * or its grace ends, and a rotation of the master secret keeps keys working while the old secret is
 * on the ring; one department using up its rate limit leaves another's alone.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { addDays, cityToday } from '../domain/calendar.js';
import { departmentSecret, type DepartmentCredential } from '../domain/department-signature.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import type { IngestDeps } from '../services/events/ingest.js';
import { registerCaseModels } from '../store/cases.js';
import { connectStore } from '../store/connection.js';
import { revokeCredential, rotateCredential } from '../store/departments.js';
import { registerSubjectModel } from '../store/subjects.js';
import { lifeEventWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { postSigned, registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const MASTER = 'the-departments-test-master-secret-of-44-chars';
const NEXT_MASTER = 'the-next-departments-master-secret-of-44-char';
const run = randomUUID().slice(0, 8);
const today = cityToday();
let store: Connection;
let temporal: Client;
let ingestDeps: IngestDeps;
let api: FastifyInstance;
const closers: Array<() => Promise<unknown>> = [];
/** Cases started here, terminated at the end: no worker serves this task queue. */
const started = new Set<string>();
let household: DepartmentCredential;
let civilAffairs: DepartmentCredential;

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_departments_${run}$1`));
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  ingestDeps = { store, temporal, taskQueue: `departments-${run}`, subjectKeySecret: MASTER, today: () => today };
  household = await registerTestDepartment(store, MASTER, { id: 'public-security-household', backdatingDays: 30 });
  civilAffairs = await registerTestDepartment(store, MASTER, {
    id: 'civil-affairs',
    name: { zh: '市民政局', en: 'Civil Affairs Bureau' },
    sources: ['civil-affairs'],
    eventTypes: ['age.milestone', 'disability.certified'],
  });
  api = await eventApi();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  for (const caseId of started)
    await temporal?.workflow
      .getHandle(caseId)
      .terminate('test over')
      .catch(() => undefined);
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

/** An API with the event routes, as workers/main.ts builds it (another master ring, a small limit…). */
async function eventApi(options: Parameters<typeof testEventApi>[2] = {}): Promise<FastifyInstance> {
  const events = testEventApi(stack.redisUrl, ingestDeps, options);
  const app = buildApi({ events: events.events, health: ALL_UP });
  await app.ready();
  closers.push(events.close, () => app.close());
  return app;
}

let sequence = 0;
/** A birth the household registry reports: a new child each time, born three days before the event. */
function birth(overrides: Record<string, unknown> = {}, occurredOn = addDays(today, -1)) {
  const born = addDays(occurredOn, -3);
  const residentId = makeResidentId('371402', born, 100 + ++sequence, 'female');
  return {
    sourceEventId: `GA-HJ-${run}-${sequence}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn,
    subject: { residentId },
    payload: { birthDate: born },
    ...overrides,
  };
}

type Birth = ReturnType<typeof birth>;

async function post(
  app: FastifyInstance,
  credential: DepartmentCredential | undefined,
  body: unknown,
  options: Parameters<typeof postSigned>[3] = {},
) {
  const answer = await postSigned(app, credential, body, options);
  if (answer.status === 202) started.add(String(answer.json.caseId));
  return answer;
}

/** Nothing of the event was written: no subject, no life event, no delivery, no case. */
async function nothingWritten(event: Pick<Birth, 'sourceEventId' | 'subject'>): Promise<void> {
  const { LifeEvent, EventDelivery } = registerCaseModels(store);
  expect(await LifeEvent.countDocuments({ firstSourceEventId: event.sourceEventId })).toBe(0);
  expect(await EventDelivery.exists({ _id: event.sourceEventId })).toBeNull();
  expect(
    await registerSubjectModel(store).exists({ _id: subjectKey('person', event.subject.residentId, MASTER) }),
  ).toBeNull();
  await expect(temporal.workflow.getHandle(lifeEventWorkflowId(event.sourceEventId)).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
}

const UNAUTHENTICATED = {
  code: 'DEPARTMENT_UNAUTHENTICATED',
  message: expect.stringContaining('x-applyfree-signature'),
  messageZh: expect.stringContaining('签名'),
};

describe('a request no department validly signed', () => {
  const forged = (secret: string): DepartmentCredential => ({ ...household, secret });
  const refusals: Array<[string, (event: Birth) => Promise<Awaited<ReturnType<typeof post>>>]> = [
    ['unsigned', (event) => post(api, undefined, event)],
    [
      'signed with a wrong secret',
      (event) => post(api, forged(departmentSecret(MASTER, 'someone-else', household.keyId)), event),
    ],
    [
      'whose body was changed after signing',
      (event) =>
        post(api, household, event, { signedBody: JSON.stringify({ ...event, occurredOn: addDays(today, -2) }) }),
    ],
    [
      'with a key its department does not have',
      (event) => post(api, { ...household, keyId: '0123456789abcdef' }, event),
    ],
    [
      'naming a department that is not registered',
      (event) => post(api, { ...household, department: 'no-such-department' }, event),
    ],
    [
      'naming another department with its own key',
      (event) => post(api, { ...household, department: civilAffairs.department }, event),
    ],
    [
      'timestamped ten minutes ago',
      (event) => post(api, household, event, { sign: { timestamp: nowSeconds() - 600 } }),
    ],
    [
      'timestamped ten minutes ahead',
      (event) => post(api, household, event, { sign: { timestamp: nowSeconds() + 600 } }),
    ],
    ['with a malformed nonce', (event) => post(api, household, event, { sign: { nonce: 'short' } })],
  ];

  it.each(refusals)(
    '%s is a 401 DEPARTMENT_UNAUTHENTICATED, and nothing is written (abuse 19)',
    async (_what, send) => {
      const event = birth();
      const answer = await send(event);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(UNAUTHENTICATED);
      await nothingWritten(event);
    },
  );

  it('replaying a nonce is refused alike, even with a new body signed right', async () => {
    const nonce = `nonce-${randomUUID()}`;
    const first = birth();
    expect((await post(api, household, first, { sign: { nonce } })).status).toBe(202);
    // The same request again (a captured one), and a new event under the same nonce.
    const again = await post(api, household, first, { sign: { nonce } });
    expect([again.status, again.json]).toEqual([401, UNAUTHENTICATED]);
    const second = birth();
    const reused = await post(api, household, second, { sign: { nonce } });
    expect([reused.status, reused.json]).toEqual([401, UNAUTHENTICATED]);
    await nothingWritten(second);
    // The same nonce is another department's to use: nonces are per department.
    const milestone = await post(api, civilAffairs, ageMilestone(), { sign: { nonce } });
    expect(milestone.status).toBe(202);
  });

  it('is refused before its body is parsed: malformed JSON from nobody is a 401, not a 400', async () => {
    const answer = await post(api, undefined, '{"type": "birth.registered",');
    expect([answer.status, answer.json.code]).toEqual([401, 'DEPARTMENT_UNAUTHENTICATED']);
  });
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function ageMilestone() {
  const residentId = makeResidentId('371402', addDays(today, -60 * 365 - 20), 200 + ++sequence, 'male');
  return {
    sourceEventId: `MZ-${run}-${sequence}`,
    source: 'civil-affairs',
    type: 'age.milestone',
    occurredOn: addDays(today, -1),
    subject: { residentId },
    payload: { age: 60 },
  };
}

describe('a department publishes only what it is registered for', () => {
  it('is accepted for its own source and type, and the answer carries the case, not the subject key (abuse 19)', async () => {
    const event = birth();
    const answer = await post(api, household, event);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ caseId: lifeEventWorkflowId(event.sourceEventId), status: 'accepted' });
    const delivery = await registerCaseModels(store).EventDelivery.findById(event.sourceEventId).lean();
    expect(delivery).toMatchObject({ source: 'household-registry', department: 'public-security-household' });
  });

  it('may not claim another department’s source: 403 SOURCE_NOT_ALLOWED, nothing written (abuse 19)', async () => {
    const event = birth({ source: 'civil-affairs' });
    const answer = await post(api, household, event);
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: 'SOURCE_NOT_ALLOWED', field: 'source' });
    expect(String(answer.json.messageZh)).toContain('civil-affairs');
    await nothingWritten(event);
  });

  it('may not publish an event type it is not registered for: 403 EVENT_TYPE_NOT_ALLOWED, nothing written', async () => {
    const event = { ...birth(), type: 'death.registered', payload: {} };
    const answer = await post(api, household, event);
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ code: 'EVENT_TYPE_NOT_ALLOWED', field: 'type' });
    await nothingWritten(event);
  });

  it('may date an event back to the edge of its window, and no further: 400 BACKDATED naming occurredOn (abuse 19)', async () => {
    const edge = birth({}, addDays(today, -30));
    expect((await post(api, household, edge)).status).toBe(202);
    const beyond = birth({}, addDays(today, -31));
    const answer = await post(api, household, beyond);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'BACKDATED', field: 'occurredOn' });
    expect(String(answer.json.message)).toContain(addDays(today, -30));
    await nothingWritten(beyond);
  });
});

describe('keys over time', () => {
  it('after a rotation both keys work; the old one stops once revoked', async () => {
    const rotated = await rotateCredential(store, household.department, MASTER);
    const next = rotated.credential;
    expect(next.keyId).not.toBe(household.keyId);
    expect((await post(api, next, birth())).status).toBe(202);
    expect((await post(api, household, birth())).status).toBe(202);

    await revokeCredential(store, household.department, household.keyId);
    const refused = birth();
    expect((await post(api, household, refused)).status).toBe(401);
    await nothingWritten(refused);
    expect((await post(api, next, birth())).status).toBe(202);
    household = next;
  });

  it('a rotation without a grace period stops the old key at once (expired)', async () => {
    const { credential } = await rotateCredential(store, civilAffairs.department, MASTER, { graceDays: 0 });
    expect((await post(api, civilAffairs, ageMilestone())).status).toBe(401);
    expect((await post(api, credential, ageMilestone())).status).toBe(202);
    civilAffairs = credential;
  });

  it('keeps working after the master secret is rotated, while the old secret is on the ring', async () => {
    const rotatedRing = await eventApi({
      keys: { subjectKeySecret: NEXT_MASTER, previousSubjectKeySecrets: [MASTER] },
    });
    expect((await post(rotatedRing, household, birth())).status).toBe(202);
    // Without the old secret the key cannot be derived again: the fingerprint does not match.
    const forgotten = await eventApi({ keys: { subjectKeySecret: NEXT_MASTER } });
    expect((await post(forgotten, household, birth())).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('answer 429 to a department past its limit while another still passes, and count only signed requests', async () => {
    const limited = await eventApi({ rateLimit: 3 });
    // Requests not validly signed do not use up the department's quota.
    for (let i = 0; i < 3; i++)
      expect((await post(limited, { ...household, secret: 'not-the-secret' }, {})).status).toBe(401);
    // An empty body is admitted (then refused by validation), so no case is started.
    for (let i = 0; i < 3; i++) expect((await post(limited, household, {})).status).toBe(400);
    const over = await post(limited, household, {});
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ code: 'RATE_LIMITED' });
    expect(String(over.json.message)).toContain(household.department);
    expect(String(over.json.messageZh)).toContain('请');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(limited, civilAffairs, {})).status).toBe(400);
  });
});
