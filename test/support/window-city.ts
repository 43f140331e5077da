/**
 * The service window's test city on the real stack, shared by the API and browser tests: the
 * pipeline running with the departments' seals (grants issue their decision letters), the shipped
 * catalog in the store, a resident turning 60 (张秀英, no phone) offered the senior card, a second
 * whose household record is missing (the card undetermined, and she is told so), two window staff,
 * and the API with the citizen, certificate, objection and window services — its window clock able
 * to run ahead, to expire a visit without waiting.
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server.js';
import { ensureCjkFont } from '../../infra/fonts.js';
import { createProgress } from '../../infra/progress.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { createCertificateService } from '../../services/certificates/service.js';
import { createCitizenService } from '../../services/citizen/service.js';
import { createObjectionService } from '../../services/objections/service.js';
import { createPolicyLifecycle } from '../../services/policies/lifecycle.js';
import { createWindowService } from '../../services/window/service.js';
import { registerObjectionModel } from '../../store/objections.js';
import { storePolicySource } from '../../store/policy-source.js';
import type { LifeEventResult } from '../../workflows/contracts/index.js';
import { ALL_UP } from './all-up.js';
import { addEnterprise, addResident, TEST_SECRET, type TestSubject } from './city.js';
import { pollUntil } from './poll.js';
import { openRunningPipeline, type RunningPipeline } from './running-pipeline.js';
import type { TestStackInfo } from './test-stack.js';
import { testSessions, testToken, testUser } from './users.js';

export const WINDOW = '德州市政务服务中心 3号窗口';

export interface WindowCity {
  running: RunningPipeline;
  api: FastifyInstance;
  /** The senior offered the card, and the one whose card is undetermined. */
  senior: TestSubject;
  undecided: TestSubject;
  offerKey: string;
  caseId: string;
  staffId: string;
  tokens: { staff: string; otherStaff: string; senior: string; supervisor: string };
  /** Runs the window service's clock `hours` ahead (0: the real time). */
  setHoursAhead(hours: number): void;
  close(): Promise<void>;
}

/**
 * A young firm whose annual review offers the start-up subsidy in pledge mode (告知承诺): its pledge
 * waits for the signature of its written notice. Answers the firm and the pledge's key.
 */
export async function firmAwaitingSignature(
  city: WindowCity,
  name: string,
): Promise<{ firm: TestSubject; pledgeKey: string }> {
  const { running } = city;
  const firm = await addEnterprise(running.pipeline.store, {
    'enterprise.establishedOn': '2025-05-01',
    'enterprise.status': 'active',
    'enterprise.size': 'micro',
    'enterprise.premiumsInArrears': false,
    'enterprise.seriousDishonesty': false,
  });
  const review = await running.ingest({
    sourceEventId: `window-amr-${name}-${running.run}`,
    source: 'market-regulation',
    type: 'enterprise.annual-review',
    occurredOn: '2026-06-01',
    subject: { creditCode: firm.id },
    payload: { year: 2026 },
  });
  const reviewed = (await running.client.workflow.getHandle(review.caseId).result()) as LifeEventResult;
  const pledgeKey = reviewed.decisions.find((d) => d.policy.id === 'business-startup-subsidy')!.benefitWorkflowId!;
  await pollUntil('the written notice', () =>
    running.pipeline.models.Pledge.exists({ _id: pledgeKey, status: 'awaiting-signature' }),
  );
  return { firm, pledgeKey };
}

/** Opens the city; `console` serves the web console too. */
export async function openWindowCity(
  stack: TestStackInfo,
  name: string,
  options: { console?: boolean } = {},
): Promise<WindowCity> {
  await ensureCjkFont(createProgress({ interactive: false }), stack.cacheDir);
  const running = await openRunningPipeline(stack, name, { seals: true });
  const { pipeline, client } = running;
  const store = pipeline.store;
  await createPolicyLifecycle(store).importCatalog((await loadPolicyCatalog()).policies);
  const senior = await addResident(store, '1966-07-08', { 'person.localHukou': true, 'person.alive': true });
  await store.db!.collection('subjects').updateOne({ _id: senior.subjectKey } as object, {
    $set: { displayName: '张秀英' },
  });
  const undecided = await addResident(store, '1966-07-09', { 'person.alive': true });
  const turned60 = (who: TestSubject, day: string, suffix: string) =>
    running.ingest({
      sourceEventId: `window-60${suffix}-${running.run}`,
      source: 'household-registry',
      type: 'age.milestone',
      occurredOn: day,
      subject: { residentId: who.id },
      payload: { age: 60 },
    });
  const milestone = await turned60(senior, '2026-07-08', '');
  const unknown = await turned60(undecided, '2026-07-09', 'u');
  await client.workflow.getHandle(unknown.caseId).result();
  const result = (await client.workflow.getHandle(milestone.caseId).result()) as LifeEventResult;
  const offered = result.decisions.find((d) => d.policy.id === 'senior-preferential-card');
  if (offered?.action !== 'offered' || !offered.benefitWorkflowId)
    throw new Error(`the senior card was not offered: ${JSON.stringify(result.decisions)}`);
  const offerKey = offered.benefitWorkflowId;
  await pollUntil('the offer record', () => pipeline.models.Offer.exists({ _id: offerKey }));

  const staff = await testUser(store, '赵窗口', 'window', { department: '市政务服务管理局' });
  const tokens = {
    staff: staff.token,
    otherStaff: await testToken(store, '钱窗口', 'window', { department: '市政务服务管理局' }),
    senior: await testToken(store, '张秀英', 'citizen', { subjectKey: senior.subjectKey }),
    supervisor: await testToken(store, '周督查', 'supervisor'),
  };
  let hoursAhead = 0;
  const citizen = createCitizenService({ store, temporal: client, answerWaitMs: 20_000 });
  const certificates = createCertificateService({ store, seals: pipeline.seals! });
  const objections = createObjectionService({
    store,
    temporal: client,
    taskQueue: pipeline.taskQueue,
    subjectKeySecret: TEST_SECRET,
    policies: storePolicySource(store),
  });
  const api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    citizen,
    certificates,
    objections,
    window: createWindowService({
      store,
      subjectKeySecret: TEST_SECRET,
      citizen,
      certificates,
      objections,
      now: () => new Date(Date.now() + hoursAhead * 3_600_000),
    }),
    ...(options.console ? { console: true } : {}),
    health: ALL_UP,
  });
  await api.ready();
  return {
    running,
    api,
    senior,
    undecided,
    offerKey,
    caseId: milestone.caseId,
    staffId: staff.id,
    tokens,
    setHoursAhead: (hours) => void (hoursAhead = hours),
    async close() {
      await api.close();
      // An objection filed at the window waits for a supervisor: end its workflow rather than leave it on the shared server.
      for (const objection of await registerObjectionModel(store).find({}).lean())
        await client.workflow
          .getHandle(objection.workflowId)
          .terminate('test over')
          .catch(() => undefined);
      await running.close();
    },
  };
}
