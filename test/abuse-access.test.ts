/**
 * The access side of the security review's abuse tests (docs: /work/shared/reviews/security.md,
 * "Abuse tests the suite should contain"), over HTTP on the real stack, each named by its number:
 * a citizen cannot answer, read or mark another's offers, notices, cases or objections (7); raw-ID
 * searches need a reason and trip a per-person limit (16); policy documents that reach for the
 * engine's inherited names or nest 10,000 deep are refused with their path, and nothing is
 * published or stored (20, 21); a filter-less case search reads a page, not the city (24).
 * Abuse tests 1, 4 and 12 run in test/permissions.test.ts (every route as every caller) and
 * test/notice-queue.test.ts (queue jobs).
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeEnqueueNotice } from '../activities/notices.js';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { residentIdCheckChar, validateResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import type { Policy } from '../rules/types.js';
import { createCaseService } from '../services/cases/service.js';
import { SUBJECT_SEARCHES_PER_MINUTE } from '../services/cases/subject-search.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createObjectionService } from '../services/objections/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import { openObjectionApi, type ObjectionApi } from './support/objection-api.js';
import { pollUntil } from './support/poll.js';
import { callApi } from './support/running-pipeline.js';
import { openCountingStore, seedDecidedCases, type CountingStore } from './support/seeded-cases.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;

describe('a citizen, a supervisor and an officer on the running pipeline', () => {
  let env: ObjectionApi;
  let api: FastifyInstance;
  let url: string;
  /** A resident turning 60, offered the senior card: citizen B of the offer. */
  let senior: TestSubject;
  let seniorToken: string;
  let offerKey: string;
  /** Raw-ID searches are counted per person and minute: this clock stays in one minute. */
  const searchMinute = new Date('2026-12-07T09:30:05Z');
  let shipped: readonly Policy[];

  beforeAll(async () => {
    env = await openObjectionApi(stack, 'abuseaccess');
    const store = env.pipeline.store;
    senior = await addResident(store, '1966-05-20', { 'person.localHukou': true, 'person.alive': true });
    const milestone = await env.ingest({
      sourceEventId: `bdb-60-${env.run}`,
      source: 'household-registry',
      type: 'age.milestone',
      occurredOn: '2026-05-20',
      subject: { residentId: senior.id },
      payload: { age: 60 },
    });
    const result = (await env.client.workflow.getHandle(milestone.caseId).result()) as LifeEventResult;
    const offered = result.decisions.find((d) => d.policy.id === 'senior-preferential-card');
    if (offered?.action !== 'offered' || !offered.benefitWorkflowId)
      throw new Error(`the senior card was not offered: ${JSON.stringify(result.decisions)}`);
    offerKey = offered.benefitWorkflowId;
    await pollUntil('the offer record', () => env.pipeline.models.Offer.exists({ _id: offerKey }));
    // Citizen B of the notices: the grade-three resident's grant notices, delivered by the notice workers.
    await pollUntil('a grant notice in the inbox', () =>
      store.db!.collection('inbox').findOne({ subjectKey: env.gradeThree.subjectKey }),
    );
    seniorToken = (await testUser(store, '张秀英', 'citizen', { subjectKey: senior.subjectKey })).token;
    const catalog = await loadPolicyCatalog();
    shipped = catalog.policies;
    // Every route group these tests reach, as workers/main.ts builds them, on the fixture's store.
    api = buildApi({
      sessions: testSessions(store),
      policies: { lifecycle: createPolicyLifecycle(store) },
      cases: createCaseService({
        store,
        temporal: env.client,
        namespace: stack.temporalNamespace,
        taskQueue: env.pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        now: () => searchMinute,
      }),
      objections: createObjectionService({
        store,
        temporal: env.client,
        taskQueue: env.pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        policies: catalogPolicySource(catalog),
        notify: makeEnqueueNotice(store, env.pipeline.queues),
      }),
      citizen: createCitizenService({ store, temporal: env.client }),
      health: ALL_UP,
    });
    url = await api.listen({ host: '127.0.0.1', port: 0 });
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await env?.close();
  });

  const call = (method: string, path: string, token: string, body?: unknown) => callApi(url, method, path, token, body);
  /** A JSON body sent as written: keys JSON.stringify would not write, nesting it could not. */
  const callRaw = async (method: string, path: string, token: string, text: string) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: text,
    });
    return { status: response.status, json: (await response.json()) as Json };
  };
  const offerPath = (key: string, answer: 'confirm' | 'decline') => `/me/offers/${encodeURIComponent(key)}/${answer}`;

  describe('citizen A and citizen B', () => {
    it("abuse 7: a stranger declining B's offer is told it does not exist, and B can still confirm it", async () => {
      const stranger = await call('POST', offerPath(offerKey, 'decline'), env.tokens.otherCitizen);
      expect([stranger.status, stranger.json.code]).toEqual([404, 'NOT_FOUND']);
      // Another citizen holding an open offer of their own is no different.
      const other = await call('POST', offerPath(offerKey, 'decline'), env.tokens.citizen);
      expect([other.status, other.json.code]).toEqual([404, 'NOT_FOUND']);

      expect((await call('GET', '/me/offers', seniorToken)).json).toEqual([
        expect.objectContaining({ key: offerKey, status: 'open' }),
      ]);
      const confirmed = await call('POST', offerPath(offerKey, 'confirm'), seniorToken);
      expect(confirmed.status).toBe(200);
      expect(confirmed.json).toMatchObject({ offer: { key: offerKey, status: 'confirmed' }, grant: { key: offerKey } });
      expect((await call('GET', '/me/benefits', seniorToken)).json).toEqual([
        expect.objectContaining({ key: offerKey, basis: 'offer-confirmed', status: 'granted' }),
      ]);
      // Once B has answered, the stranger is still told nothing about it.
      const after = await call('POST', offerPath(offerKey, 'confirm'), env.tokens.otherCitizen);
      expect([after.status, after.json.code]).toEqual([404, 'NOT_FOUND']);
    });

    it("abuse 7: a stranger marking B's unread notice read is told it does not exist, and B still sees it unread", async () => {
      const before = (await call('GET', '/me/inbox', env.tokens.citizen)).json;
      const notice = (before.notices as Json[]).find((n) => !n.readAt);
      expect(notice).toBeDefined();
      const stranger = await call('POST', `/me/inbox/${encodeURIComponent(notice.key)}/read`, env.tokens.otherCitizen);
      expect([stranger.status, stranger.json.code]).toEqual([404, 'NOT_FOUND']);
      expect(stranger.text).not.toContain(notice.title.zh);
      const senior = await call('POST', `/me/inbox/${encodeURIComponent(notice.key)}/read`, seniorToken);
      expect([senior.status, senior.json.code]).toEqual([404, 'NOT_FOUND']);

      const after = (await call('GET', '/me/inbox', env.tokens.citizen)).json;
      expect(after.unread).toBe(before.unread);
      expect((after.notices as Json[]).find((n) => n.key === notice.key)).not.toHaveProperty('readAt');
      // B marks it read themselves: the first time is B's.
      const own = await call('POST', `/me/inbox/${encodeURIComponent(notice.key)}/read`, env.tokens.citizen);
      expect(own.status).toBe(200);
      expect((await call('GET', '/me/inbox', env.tokens.citizen)).json.unread).toBe(before.unread - 1);
    });

    it("abuse 7: a stranger reading B's case timeline or B's objection is told neither exists, and B's list is not theirs", async () => {
      const timeline = `/cases/${encodeURIComponent(env.gradeThree.caseId)}/timeline`;
      expect((await call('GET', timeline, env.tokens.citizen)).status).toBe(200);
      const stranger = await call('GET', timeline, env.tokens.otherCitizen);
      expect([stranger.status, stranger.json.code]).toEqual([404, 'CASE_NOT_FOUND']);

      const filed = await call('POST', '/objections', env.tokens.citizen, {
        caseId: env.gradeThree.caseId,
        policyId: 'severe-disability-care-subsidy',
        statement: '我认为我应当享受重度残疾人护理补贴',
      });
      expect(filed.status).toBe(201);
      const objection = `/objections/${encodeURIComponent(filed.json.id)}`;
      expect((await call('GET', objection, env.tokens.citizen)).json).toMatchObject({ id: filed.json.id });
      for (const token of [env.tokens.otherCitizen, seniorToken]) {
        const read = await call('GET', objection, token);
        expect([read.status, read.json.code]).toEqual([404, 'OBJECTION_NOT_FOUND']);
        expect(read.text).not.toContain('重度残疾人护理补贴');
        expect((await call('GET', '/objections', token)).json.objections).toEqual([]);
      }
    });
  });

  describe('a supervisor searching by raw ID', () => {
    const REASON = '核查群众来电反映的补贴发放情况';
    /** The `n`th candidate resident ID, as one rebuilt from a masked ID would be: valid, check digit and all (GB 11643). */
    const candidate = (n: number) => {
      const first17 = `371402196605${String(n).padStart(2, '0')}123`;
      const id = first17 + residentIdCheckChar(first17);
      validateResidentId(id);
      return id;
    };

    it('abuse 16: a search by resident ID without a reason is refused, naming the reason field', async () => {
      for (const body of [{ subject: env.gradeOne.id }, { subject: env.gradeOne.id, reason: ' 查 ' }]) {
        const refused = await call('POST', '/cases/search', env.tokens.thirdSupervisor, body);
        expect(refused).toMatchObject({
          status: 400,
          json: { code: 'REASON_REQUIRED', field: 'reason', messageZh: expect.stringContaining('理由') as unknown },
        });
        expect(refused.text).not.toContain(env.gradeOne.id);
      }
    });

    it(`abuse 16: ${SUBJECT_SEARCHES_PER_MINUTE} different candidate IDs a minute are searched; the next is 429 RATE_LIMITED, and another supervisor is not limited`, async () => {
      const ids = Array.from({ length: SUBJECT_SEARCHES_PER_MINUTE + 1 }, (_, i) => candidate(i + 1));
      expect(new Set(ids).size).toBe(SUBJECT_SEARCHES_PER_MINUTE + 1);
      for (const id of ids.slice(0, SUBJECT_SEARCHES_PER_MINUTE)) {
        const found = await call('POST', '/cases/search', env.tokens.supervisor, { subject: id, reason: REASON });
        expect(found.status, id.slice(-4)).toBe(200);
      }
      const over = await call('POST', '/cases/search', env.tokens.supervisor, {
        subject: ids[SUBJECT_SEARCHES_PER_MINUTE],
        reason: REASON,
      });
      expect(over).toMatchObject({
        status: 429,
        json: {
          code: 'RATE_LIMITED',
          field: 'subject',
          message: expect.stringContaining(`${SUBJECT_SEARCHES_PER_MINUTE} times a minute`) as unknown,
          messageZh: expect.stringContaining(
            `每分钟最多按身份证号或信用代码查询 ${SUBJECT_SEARCHES_PER_MINUTE} 次`,
          ) as unknown,
        },
      });
      expect(over.text).not.toContain(ids[SUBJECT_SEARCHES_PER_MINUTE]);
      // The refused search was neither searched nor logged as a reveal of its subject.
      const log = env.pipeline.store.db!.collection('unmask_log');
      expect(
        await log.countDocuments({ subjectKey: subjectKey('person', ids[SUBJECT_SEARCHES_PER_MINUTE], TEST_SECRET) }),
      ).toBe(0);
      expect(await log.countDocuments({ subjectKey: subjectKey('person', ids[0], TEST_SECRET) })).toBe(1);
      // Another supervisor, in the same minute, searches as usual.
      const other = await call('POST', '/cases/search', env.tokens.secondSupervisor, {
        subject: env.gradeThree.id,
        reason: REASON,
      });
      expect(other.status).toBe(200);
      expect((other.json.cases as Json[]).map((c) => c.caseId)).toContain(env.gradeThree.caseId);
    });
  });

  describe('an officer sending policy documents', () => {
    /** The childcare subsidy as a new policy, with `changes` applied. */
    const draftOf = (id: string, changes: Record<string, unknown>) => ({
      ...structuredClone(shipped.find((p) => p.id === 'childcare-subsidy')!),
      id,
      ...changes,
    });
    /** Whether any version of the policy exists, as its author reads it. */
    const stored = async (id: string) =>
      (await call('GET', `/policies/${id}/versions/1`, env.tokens.officer)).status !== 404;
    const published = async (id: string) =>
      ((await call('GET', '/policies', env.tokens.reviewer)).json as Json[]).some(
        (v) => v.policyId === id && v.status === 'published',
      );

    it.each([
      ['toString', 'abuse-tostring'],
      ['constructor', 'abuse-constructor'],
      ['__proto__', 'abuse-proto'],
      ['hasOwnProperty', 'abuse-hasownproperty'],
    ])(
      'abuse 20: a condition named %s is kept as a draft with its issue, refused at test 422 naming conditions.all[0].condition, and never submitted or published',
      async (name, id) => {
        const path = `/policies/${id}/versions/1`;
        const drafted = await call('POST', '/policies', env.tokens.officer, {
          ...draftOf(id, { conditions: { all: [{ condition: name }] } }),
        });
        expect([drafted.status, drafted.json.status]).toEqual([201, 'draft']);
        const validated = await call('POST', `${path}/validate`, env.tokens.officer);
        expect(validated.status).toBe(200);
        expect(validated.json.valid).toBe(false);
        expect(validated.json.issues).toContainEqual(
          expect.objectContaining({
            path: 'conditions.all[0].condition',
            message: expect.stringMatching(/not defined/),
          }),
        );
        const tested = await call('POST', `${path}/test`, env.tokens.officer);
        expect(tested).toMatchObject({
          status: 422,
          json: { code: 'POLICY_INVALID', field: 'conditions.all[0].condition' },
        });
        expect(tested.json.messageZh).toMatch(/[\u4e00-\u9fff]/);
        const submitted = await call('POST', `${path}/submit`, env.tokens.officer, {});
        expect([submitted.status, submitted.json.code]).toEqual([409, 'CHECKS_REQUIRED']);
        expect((await call('GET', path, env.tokens.officer)).json.status).toBe('draft');
        expect(await published(id)).toBe(false);
      },
    );

    it('abuse 20: an inherited name as an amount rule is refused at test, naming benefit.amount.type', async () => {
      const id = 'abuse-amount-tostring';
      const shippedBenefit = shipped.find((p) => p.id === 'childcare-subsidy')!.benefit;
      const drafted = await call('POST', '/policies', env.tokens.officer, {
        ...draftOf(id, { benefit: { ...structuredClone(shippedBenefit), amount: { type: 'toString' } } }),
      });
      expect(drafted.status).toBe(201);
      const tested = await call('POST', `/policies/${id}/versions/1/test`, env.tokens.officer);
      expect(tested).toMatchObject({ status: 422, json: { code: 'POLICY_INVALID' } });
      expect((tested.json.issues as Json[]).map((i) => i.path)).toContain('benefit.amount.type');
      expect(await published(id)).toBe(false);
    });

    it.each([
      ['"__proto__"', '"__proto__":{"fact":"person.alive","op":"eq","value":true}', 'namedConditions.__proto__'],
      [
        '"constructor" with "prototype"',
        '"constructor":{"prototype":{"fact":"person.alive","op":"eq","value":true}}',
        'namedConditions.constructor.prototype',
      ],
    ])(
      'abuse 20: a body with a %s key is refused 400 naming where, before anything reads it, and nothing is stored',
      async (key, member, path) => {
        const id = 'abuse-proto-key';
        const text = JSON.stringify(draftOf(id, {})).replace('"namedConditions":{', `"namedConditions":{${member},`);
        expect(text).toContain(member);
        const answer = await callRaw('POST', '/policies', env.tokens.officer, text);
        expect(answer).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST', field: path } });
        expect(answer.json.message).toContain(`${key} at ${path}`);
        expect(answer.json.messageZh).toContain(`在 ${path} 处含有 ${key} 键`);
        expect(await stored(id)).toBe(false);
      },
    );

    it('abuse 21: a document nested 10,000 deep is refused 422 naming where it got too deep, and nothing is stored', async () => {
      const id = 'abuse-deep';
      // Written as text: JSON.stringify itself would overflow on it.
      const deep = (policyId: string) =>
        JSON.stringify(draftOf(policyId, { conditions: { all: ['DEEP'] } })).replace(
          '"DEEP"',
          `${'{"not":'.repeat(10_000)}{"condition":"childUnderThree"}${'}'.repeat(10_000)}`,
        );
      const created = await callRaw('POST', '/policies', env.tokens.officer, deep(id));
      expect(created).toMatchObject({
        status: 422,
        json: { code: 'POLICY_INVALID', message: expect.stringContaining('nested more than 32 levels') as unknown },
      });
      expect(created.json.field).toMatch(/^conditions\.all\[0\](\.not)+$/);
      expect(created.json.messageZh).toMatch(/嵌套超过 32 层/);
      expect(await stored(id)).toBe(false);

      // An existing draft replaced by it stays as it was.
      const path = '/policies/abuse-deep-edit/versions/1';
      expect((await call('POST', '/policies', env.tokens.officer, draftOf('abuse-deep-edit', {}))).status).toBe(201);
      const before = (await call('GET', path, env.tokens.officer)).json;
      const edited = await callRaw('PUT', path, env.tokens.officer, deep('abuse-deep-edit'));
      expect([edited.status, edited.json.code]).toEqual([422, 'POLICY_INVALID']);
      expect(edited.json.field).toMatch(/^conditions\.all\[0\](\.not)+$/);
      const after = (await call('GET', path, env.tokens.officer)).json;
      expect([after.hash, after.updatedAt]).toEqual([before.hash, before.updatedAt]);
      expect(await published('abuse-deep-edit')).toBe(false);
    });
  });
});

describe('a supervisor listing cases over a seeded city', () => {
  const CASES = 1_500;
  let store: Connection;
  let client: Client;
  let api: FastifyInstance;
  let supervisor: string;
  let counting: CountingStore;

  beforeAll(async () => {
    counting = await openCountingStore(stack.mongodbUri, 'abuse_cases');
    store = counting.store;
    // A city's cases, one a minute, each with its decision.
    await seedDecidedCases(store, 'abuse-bounded', CASES);
    supervisor = (await testUser(store, '周督查', 'supervisor')).token;
    client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
    api = buildApi({
      sessions: testSessions(store),
      policies: { lifecycle: createPolicyLifecycle(store) },
      cases: createCaseService({
        store,
        temporal: client,
        namespace: stack.temporalNamespace,
        taskQueue: uniqueTaskQueue('abuse-bounded'),
        subjectKeySecret: TEST_SECRET,
        now: () => new Date(`${cityToday()}T04:00:00Z`),
      }),
      health: ALL_UP,
    });
    await api.ready();
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await client?.connection.close();
    await store?.dropDatabase();
    await store?.close();
  });

  const list = async (query: string) => {
    counting.reset();
    const response = await api.inject({
      method: 'GET',
      url: `/cases${query}`,
      headers: { authorization: `Bearer ${supervisor}` },
    });
    return {
      status: response.statusCode,
      json: response.json<Json>(),
      read: new Map(counting.read),
      total: counting.total(),
    };
  };

  it(`abuse 24: GET /cases without filters answers the newest page of ${CASES.toLocaleString('en')} cases, reading about a page of documents, not the city`, async () => {
    const page = await list('');
    expect(page.status).toBe(200);
    const limit = 50; // the default page
    expect((page.json.cases as Json[]).map((c) => c.caseId)).toEqual(
      Array.from({ length: limit }, (_, i) => `life-event:abuse-bounded-${CASES - 1 - i}`),
    );
    expect(page.json.next).toEqual(expect.any(String));
    // limit + 1 life events (the one past the page says there is more), their decisions (one each
    // here), and who is asking (the session and its user): a page's worth, whatever the city's size.
    expect(page.read.get('life_events')).toBeLessThanOrEqual(limit + 1);
    expect(page.total).toBeLessThanOrEqual(2 * (limit + 1) + 5);

    const small = await list('?limit=5');
    expect((small.json.cases as Json[]).length).toBe(5);
    expect(small.read.get('life_events')).toBeLessThanOrEqual(6);
    expect(small.total).toBeLessThanOrEqual(2 * 6 + 5);
  });
});
