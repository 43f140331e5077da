/**
 * /me on the real stack: a citizen reads only their own inbox, decisions, benefits, offers,
 * pledges and data-access records, with their ID masked; confirming an offer is an update its
 * workflow answers once it has granted it — a second confirm changes nothing and a decline after it is
 * refused; someone else's records are not found, and staff roles get 403 in both languages.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { ingestEvent } from '../services/events/ingest.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { cityToday } from '../domain/calendar.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { testSessions, testToken } from './support/users.js';
import type { LifeEventResult, PledgeSignature } from '../workflows/contracts/index.js';
import { addEnterprise, addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import { createCreditService } from '../services/credit/export.js';
import { signPledge } from '../services/citizen/pledge-sign.js';
import { openCaseApi, type CaseApi } from './support/case-api.js';
import { ALL_UP } from './support/all-up.js';
import { pollUntil } from './support/poll.js';

const stack = inject('stack');
let env: CaseApi;
let api: FastifyInstance;
let url: string;
let senior: TestSubject;
let offerKey: string;
let newFirmPledge: string;
const tokens: Record<'senior' | 'firm' | 'newFirm' | 'supervisor', string> = {
  senior: '',
  firm: '',
  newFirm: '',
  supervisor: '',
};

beforeAll(async () => {
  env = await openCaseApi(stack, 'apicitizen');
  const store = env.pipeline.store;
  // As `npm start` does: the shipped catalog is in the store, so answers carry policy titles.
  await createPolicyLifecycle(store).importCatalog((await loadPolicyCatalog()).policies);
  // A resident turning 60 is offered the senior card (一键确认).
  senior = await addResident(store, '1966-05-20', { 'person.localHukou': true, 'person.alive': true });
  const ingest = (body: unknown) =>
    ingestEvent(
      {
        store,
        temporal: env.client,
        taskQueue: env.pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        today: () => cityToday(),
      },
      body,
      TEST_PUBLISHER,
    );
  const milestone = await ingest({
    sourceEventId: `bdb-60-${env.pipeline.taskQueue.slice(-8)}`,
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
  // A second young firm whose annual review offers pledge mode: it has not signed yet.
  const newFirm = await addEnterprise(store, {
    'enterprise.establishedOn': '2025-04-01',
    'enterprise.status': 'active',
    'enterprise.size': 'small',
    'enterprise.premiumsInArrears': false,
    'enterprise.seriousDishonesty': false,
  });
  const review = await ingest({
    sourceEventId: `amr-new-${env.pipeline.taskQueue.slice(-8)}`,
    source: 'market-regulation',
    type: 'enterprise.annual-review',
    occurredOn: '2026-06-01',
    subject: { creditCode: newFirm.id },
    payload: { year: 2026 },
  });
  const reviewed = (await env.client.workflow.getHandle(review.caseId).result()) as LifeEventResult;
  newFirmPledge = reviewed.decisions.find((d) => d.policy.id === 'business-startup-subsidy')!.benefitWorkflowId!;
  await pollUntil('the written notice', () =>
    env.pipeline.models.Pledge.exists({ _id: newFirmPledge, status: 'awaiting-signature' }),
  );
  tokens.newFirm = await testToken(store, '德州新创公司', 'citizen', { subjectKey: newFirm.subjectKey });
  tokens.supervisor = await testToken(store, '周督查', 'supervisor');
  tokens.senior = await testToken(store, '张秀英', 'citizen', { subjectKey: senior.subjectKey });
  tokens.firm = await testToken(store, '德州某科技公司', 'citizen', { subjectKey: env.firm.subjectKey });
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    cases: env.cases,
    citizen: createCitizenService({ store, temporal: env.client }),
    credit: createCreditService({ store }),
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
}, 180_000);

afterAll(async () => {
  await api?.close();
  // The signed pledge waits 30 days for its inspection: end it rather than leave it on the shared server.
  if (newFirmPledge)
    await env.client.workflow
      .getHandle(newFirmPledge)
      .terminate('test over')
      .catch(() => undefined);
  await env?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined;
  return { status: response.status, json, text };
}
const offerPath = (key: string, answer: 'confirm' | 'decline') => `/me/offers/${encodeURIComponent(key)}/${answer}`;

describe('a citizen', () => {
  it('sees who they are with their resident ID masked', async () => {
    const { status, json, text } = await call('GET', '/me', env.tokens.citizen);
    expect(status).toBe(200);
    expect(json).toEqual({
      name: '小明家长',
      role: 'citizen',
      subject: {
        kind: 'person',
        subjectKey: env.child.subjectKey,
        maskedId: `${env.child.id.slice(0, 4)}**********${env.child.id.slice(-4)}`,
      },
    });
    expect(text).not.toContain(env.child.id);
  });

  it('reads their own inbox, marks a notice read once, and cannot touch another’s', async () => {
    const inbox = await call('GET', '/me/inbox', env.tokens.citizen);
    expect(inbox.status).toBe(200);
    const grant = (inbox.json.notices as Json[]).find((n) => n.template === 'grant.awarded');
    expect(grant.title.zh).toContain('育儿补贴');
    expect(inbox.json.unread).toBe(inbox.json.notices.length);

    const read = await call('POST', `/me/inbox/${encodeURIComponent(grant.key)}/read`, env.tokens.citizen);
    expect(read.status).toBe(200);
    const again = await call('POST', `/me/inbox/${encodeURIComponent(grant.key)}/read`, env.tokens.citizen);
    expect(again.json.readAt).toBe(read.json.readAt);
    expect((await call('GET', '/me/inbox', env.tokens.citizen)).json.unread).toBe(inbox.json.unread - 1);

    expect((await call('GET', '/me/inbox', env.tokens.otherCitizen)).json).toEqual({ unread: 0, notices: [] });
    const foreign = await call('POST', `/me/inbox/${encodeURIComponent(grant.key)}/read`, env.tokens.otherCitizen);
    expect([foreign.status, foreign.json.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('sees what was decided and granted for them, with each condition’s value, and nobody else’s', async () => {
    const decisions = await call('GET', '/me/decisions', env.tokens.citizen);
    const childcare = (decisions.json as Json[]).find((d) => d.policy.id === 'childcare-subsidy');
    expect(childcare).toMatchObject({
      caseId: env.birthCase,
      outcome: 'eligible',
      amount: 3000,
      policy: { title: { zh: '育儿补贴' } },
    });
    expect(childcare.conditions).toContainEqual(
      expect.objectContaining({ fact: 'person.localHukou', factValue: true, result: true }),
    );

    const benefits = await call('GET', '/me/benefits', env.tokens.citizen);
    expect(benefits.json).toEqual([
      expect.objectContaining({
        caseId: env.birthCase,
        policy: expect.objectContaining({ id: 'childcare-subsidy' }),
        amount: 3000,
        period: '2026',
        basis: 'auto',
        status: 'granted',
      }),
    ]);
    for (const path of ['/me/decisions', '/me/benefits', '/me/offers', '/me/pledges', '/me/access']) {
      expect((await call('GET', path, env.tokens.otherCitizen)).json, path).toEqual([]);
    }
    expect((await call('GET', '/me/benefits', tokens.senior)).json).toEqual([]);
  });

  it('sees who accessed their data: department, fields, purpose, policy and time — no raw ID', async () => {
    const { json, text } = await call('GET', '/me/access', env.tokens.citizen);
    const household = (json as Json[]).find(
      (r) => r.source === 'household-registry' && r.policy.id === 'childcare-subsidy',
    );
    expect(household).toMatchObject({
      department: { zh: expect.stringContaining('公安') },
      outcome: 'answered',
      policy: { title: { zh: '育儿补贴' } },
    });
    expect(household.fields).toContainEqual({
      fact: 'person.birthDate',
      label: expect.objectContaining({ zh: '出生日期' }),
    });
    expect(household.purposes.length).toBeGreaterThan(0);
    expect(Date.parse(household.at)).toBeGreaterThan(Date.now() - 3_600_000);
    expect(text).not.toContain(env.child.id);
  });

  it('confirms an offer: its workflow grants it once, a second confirm changes nothing, a decline is then refused', async () => {
    expect((await call('GET', '/me/offers', env.tokens.citizen)).json).toEqual([]);
    const offers = await call('GET', '/me/offers', tokens.senior);
    expect(offers.json).toEqual([
      expect.objectContaining({
        key: offerKey,
        status: 'open',
        policy: {
          id: 'senior-preferential-card',
          version: 1,
          title: { zh: '老年人优待证', en: 'Senior preferential card' },
        },
      }),
    ]);

    // Nobody else can answer it, and it is not even shown to exist.
    const stranger = await call('POST', offerPath(offerKey, 'confirm'), env.tokens.citizen);
    expect([stranger.status, stranger.json.code]).toEqual([404, 'NOT_FOUND']);

    const confirmed = await call('POST', offerPath(offerKey, 'confirm'), tokens.senior);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ offer: { key: offerKey, status: 'confirmed' }, grant: { key: offerKey } });
    const again = await call('POST', offerPath(offerKey, 'confirm'), tokens.senior);
    expect(again.status).toBe(200);
    expect(again.json.grant).toEqual(confirmed.json.grant);
    expect(await env.pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(1);
    const decline = await call('POST', offerPath(offerKey, 'decline'), tokens.senior);
    expect([decline.status, decline.json.code]).toEqual([409, 'OFFER_CLOSED']);
    expect(decline.json.messageZh).toContain('已确认');

    expect((await call('GET', '/me/offers', tokens.senior)).json).toEqual([]);
    expect((await call('GET', '/me/benefits', tokens.senior)).json).toEqual([
      expect.objectContaining({ key: offerKey, basis: 'offer-confirmed', status: 'granted' }),
    ]);
    // One answer reached the workflow, as an update (the second confirm was answered from the record).
    const events = (await env.client.workflow.getHandle(offerKey).fetchHistory()).events ?? [];
    expect(
      events.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'answerOffer',
      ),
    ).toHaveLength(1);
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
    await expect
      .poll(
        async () => ((await call('GET', '/me/inbox', tokens.senior)).json.notices as Json[]).map((n) => n.template),
        { timeout: 15_000 },
      )
      .toContain('offer.confirmed');
  });

  it('an enterprise’s token sees its pledge awaiting inspection', async () => {
    const { json } = await call('GET', '/me/pledges', tokens.firm);
    expect(json).toEqual([
      expect.objectContaining({
        caseId: env.reviewCase,
        status: 'pending',
        policy: expect.objectContaining({ id: 'business-startup-subsidy' }),
      }),
    ]);
    expect(json[0].inspectOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('the pledge the citizen signs (告知承诺书) and their credit records', () => {
  const pledgePath = (rest: string) => `/me/pledges/${encodeURIComponent(newFirmPledge)}/${rest}`;

  it('a firm reads the written notice, is refused a hash of another text, signs once, and is granted', async () => {
    const [listed] = (await call('GET', '/me/pledges', tokens.newFirm)).json;
    expect(listed).toMatchObject({ key: newFirmPledge, status: 'awaiting-signature' });
    expect(listed.signBy).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const notice = await call('GET', pledgePath('notice'), tokens.newFirm);
    expect(notice.status).toBe(200);
    expect(notice.json.notice.zh).toContain('四、不实承诺的法律责任');
    expect(notice.json.notice.en).toContain('The legal consequence of a false pledge');
    expect(notice.json.noticeHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await call('GET', '/me/benefits', tokens.newFirm)).json).toEqual([]);

    const wrong = await call('POST', pledgePath('sign'), tokens.newFirm, { noticeHash: '0'.repeat(64) });
    expect([wrong.status, wrong.json.code, wrong.json.field]).toEqual([409, 'NOTICE_CHANGED', 'noticeHash']);
    // Another citizen cannot read or sign it.
    expect((await call('GET', pledgePath('notice'), tokens.firm)).status).toBe(404);
    const stranger = await call('POST', pledgePath('sign'), tokens.firm, { noticeHash: notice.json.noticeHash });
    expect(stranger.status).toBe(404);

    const signed = await call('POST', pledgePath('sign'), tokens.newFirm, { noticeHash: notice.json.noticeHash });
    expect(signed.status).toBe(200);
    expect(signed.json).toMatchObject({ pledgeId: newFirmPledge, status: 'pending', channel: 'app' });
    expect(signed.json.grant).toMatchObject({ key: newFirmPledge, amount: 12000 });
    // The same signature again is answered the same; a different one is refused.
    const again = await call('POST', pledgePath('sign'), tokens.newFirm, { noticeHash: notice.json.noticeHash });
    expect([again.status, again.json.signedAt]).toEqual([200, signed.json.signedAt]);
    const other = await call('POST', pledgePath('sign'), tokens.newFirm, { noticeHash: 'a'.repeat(64) });
    expect([other.status, other.json.code]).toEqual([409, 'ALREADY_SIGNED']);
    const benefits = (await call('GET', '/me/benefits', tokens.newFirm)).json;
    expect(benefits.map((b: Json) => [b.basis, b.status])).toEqual([['pledge', 'granted']]);
    const [after] = (await call('GET', '/me/pledges', tokens.newFirm)).json;
    expect(after.signature).toEqual({ signedAt: signed.json.signedAt, channel: 'app' });

    // The window's path (services/citizen/pledge-sign.ts): staff must name themselves and the paper form.
    const deps = { store: env.pipeline.store, temporal: env.client };
    const subjectKey = (await env.pipeline.models.Pledge.findById(newFirmPledge).lean())!.subjectKey;
    const atWindow = (signature: Partial<PledgeSignature>) =>
      signPledge(deps, {
        subjectKey,
        pledgeId: newFirmPledge,
        signature: { channel: 'window', noticeHash: notice.json.noticeHash, ...signature } as PledgeSignature,
      });
    await expect(atWindow({ staffId: 'u_window_1', staffName: '窗口 李' })).rejects.toMatchObject({
      code: 'BAD_VALUE',
      field: 'paperFormRef',
    });
    // Signed in the app already: the same hash is answered with the app's signature, nothing recorded twice.
    expect(await atWindow({ staffId: 'u_window_1', staffName: '窗口 李', paperFormRef: 'CN-1' })).toMatchObject({
      channel: 'app',
      signedAt: signed.json.signedAt,
    });
    await expect(
      signPledge(deps, {
        subjectKey: 'e_someone_else',
        pledgeId: newFirmPledge,
        signature: { channel: 'app', noticeHash: notice.json.noticeHash },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a citizen sees their credit records with the reason and the period, and a supervisor exports them by pseudonymous key', async () => {
    expect((await call('GET', '/me/credit-records', tokens.newFirm)).json).toEqual([]);
    const { CreditRecord } = env.pipeline.models;
    const key = `${newFirmPledge}:credit`;
    const subjectKey = (await env.pipeline.models.Pledge.findById(newFirmPledge).lean())!.subjectKey;
    await CreditRecord.create({
      _id: key,
      key,
      subjectKey,
      kind: 'false-pledge',
      policyId: 'business-startup-subsidy',
      grantKey: newFirmPledge,
      recordedAt: new Date('2026-07-01T02:00:00Z'),
      reason: '核查人员认定承诺不实 inspector found the pledge false: no business at the premises',
      blockDays: 1095,
    });
    const records = (await call('GET', '/me/credit-records', tokens.newFirm)).json;
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'false-pledge',
        reason: expect.stringContaining('no business at the premises'),
        barsPledgeModeUntil: '2029-06-30',
        policy: expect.objectContaining({ title: expect.objectContaining({ zh: '一次性创业补贴' }) }),
      }),
    ]);

    const exported = await call('GET', '/credit-records/export?since=2026-07-01', tokens.supervisor);
    expect(exported.status).toBe(200);
    const lines = exported.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(lines).toEqual([
      {
        schema: 'applyfree.credit-record/1',
        recordId: key,
        subjectKey,
        kind: 'false-pledge',
        policyId: 'business-startup-subsidy',
        recordedAt: '2026-07-01T02:00:00.000Z',
        reason: expect.stringContaining('inspector found the pledge false'),
        barsPledgeModeDays: 1095,
        barsPledgeModeUntil: '2029-06-30',
      },
    ]);
    expect(exported.text).not.toMatch(/[0-9A-HJ-NPQRTUWXY]{18}/);
    expect((await call('GET', '/credit-records/export?since=2026-07-02', tokens.supervisor)).text).toBe('');
    const badDate = await call('GET', '/credit-records/export?since=July', tokens.supervisor);
    expect([badDate.status, badDate.json.code, badDate.json.field]).toEqual([400, 'BAD_DATE', 'since']);
    const citizen = await call('GET', '/credit-records/export?since=2026-07-01', tokens.newFirm);
    expect([citizen.status, citizen.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
  });
});

describe('other roles', () => {
  it('staff get 403 in both languages, and no token gets 401', async () => {
    for (const [token, name] of [
      [env.tokens.supervisor, '周督查'],
      [env.tokens.officer, '王芳'],
      [env.tokens.inspector, '陈核查'],
    ] as const) {
      for (const [method, path] of [
        ['GET', '/me'],
        ['GET', '/me/inbox'],
        ['GET', '/me/access'],
        ['POST', offerPath(offerKey, 'confirm')],
      ] as const) {
        const refused = await call(method, path, token);
        expect([refused.status, refused.json.code], `${name} ${path}`).toEqual([403, 'FORBIDDEN_ROLE']);
        expect(refused.json.messageZh).toContain(`${name}是`);
      }
    }
    const anonymous = await call('GET', '/me/benefits');
    expect([anonymous.status, anonymous.json.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
