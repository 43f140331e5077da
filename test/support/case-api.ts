/**
 * The API with case supervision on the test stack, as `npm start` wires it: a pipeline on the
 * dev server (visibility answers custom search-attribute queries there), notice workers, the
 * case service, and tokens for every role. Two cases run to their end or their wait: a birth
 * granted the childcare subsidy, and a firm's annual review granted on its pledge.
 * Shared by the case API and CLI tests.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server.js';
import { createCaseService, type CaseService } from '../../services/cases/service.js';
import { createAdapterRegistry } from '../../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../../activities/shared-data/fetch-facts.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { catalogPolicySource } from '../../rules/policy-source.js';
import { createPolicyLifecycle } from '../../services/policies/lifecycle.js';
import { testSessions, testUser } from './users.js';
import { lifeEventWorkflowId, type LifeEventResult } from '../../workflows/contracts/index.js';
import { addEnterprise, addResident, TEST_SECRET, type TestSubject } from './city.js';
import type { Pipeline } from './pipeline.js';
import { openRunningPipeline } from './running-pipeline.js';
import type { TestStackInfo } from './test-stack.js';
import { ALL_UP } from './all-up.js';
import { pollUntil } from './poll.js';
import { signWhenNoticed } from './pledge-sign.js';

export const TEMPORAL_UI = 'http://temporal-ui.test';

/**
 * One user per role, and a second inspector with the first one's display name (陈核查): the same
 * name is not the same person.
 */
export type CaseApiPerson = 'supervisor' | 'officer' | 'inspector' | 'namesakeInspector' | 'citizen' | 'otherCitizen';

export interface CaseApi {
  url: string;
  api: FastifyInstance;
  pipeline: Pipeline;
  cases: CaseService;
  client: Client;
  namespace: string;
  /** The resident whose birth was granted, and the firm granted on its pledge. */
  child: TestSubject;
  firm: TestSubject;
  birthCase: string;
  reviewCase: string;
  tokens: Record<CaseApiPerson, string>;
  /** Each person's user ID. */
  users: Record<CaseApiPerson, string>;
  close(): Promise<void>;
}

export async function openCaseApi(stack: TestStackInfo, name: string): Promise<CaseApi> {
  const running = await openRunningPipeline(stack, name);
  const { client, pipeline, ingest, run } = running;
  const store = pipeline.store;

  const child = await addResident(store, '2026-03-10', { 'person.localHukou': true, 'person.alive': true });
  const other = await addResident(store, '2026-02-01', { 'person.localHukou': true, 'person.alive': true });
  const firm = await addEnterprise(store, {
    'enterprise.establishedOn': '2025-03-01',
    'enterprise.status': 'active',
    'enterprise.size': 'micro',
    'enterprise.premiumsInArrears': false,
    'enterprise.seriousDishonesty': false,
  });
  const birth = await ingest({
    sourceEventId: `hr-birth-${run}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: '2026-03-20',
    subject: { residentId: child.id },
    payload: { birthDate: '2026-03-10' },
  });
  const review = await ingest({
    sourceEventId: `amr-review-${run}`,
    source: 'market-regulation',
    type: 'enterprise.annual-review',
    occurredOn: '2026-06-01',
    subject: { creditCode: firm.id },
    payload: { year: 2026 },
  });
  const birthResult = (await client.workflow.getHandle(birth.caseId).result()) as LifeEventResult;
  const granted = birthResult.decisions.find((d) => d.policy.id === 'childcare-subsidy');
  if (granted?.action !== 'granted' || !granted.benefitWorkflowId)
    throw new Error(`the birth was not granted: ${JSON.stringify(birthResult.decisions)}`);
  await client.workflow.getHandle(granted.benefitWorkflowId).result();
  const reviewed = (await client.workflow.getHandle(review.caseId).result()) as LifeEventResult;
  // The firm signs the written notice of its pledge, as it would in the app: the grant follows.
  const pledged = reviewed.decisions.find((d) => d.policy.id === 'business-startup-subsidy');
  if (pledged?.action !== 'pledged' || !pledged.benefitWorkflowId)
    throw new Error(`the firm was not offered pledge mode: ${JSON.stringify(reviewed.decisions)}`);
  await signWhenNoticed(pipeline.models, client, pledged.benefitWorkflowId);
  // The notice of the grant reaches the inbox through the notice worker.
  await pollUntil('the grant notice delivered to the inbox', () =>
    pipeline.models.Notice.exists({ subjectKey: child.subjectKey, status: 'delivered' }),
  );

  const cases = createCaseService({
    store,
    temporal: client,
    namespace: stack.temporalNamespace,
    taskQueue: pipeline.taskQueue,
    subjectKeySecret: TEST_SECRET,
    temporalUiUrl: TEMPORAL_UI,
    // Explaining a case reads its subject's facts as the case did, under the shipped policies.
    explain: {
      fetchFacts: makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) }),
      policies: catalogPolicySource(await loadPolicyCatalog()),
    },
  });
  const people: Record<CaseApiPerson, { id: string; token: string }> = {
    supervisor: await testUser(store, '周督查', 'supervisor'),
    officer: await testUser(store, '王芳', 'officer'),
    inspector: await testUser(store, '陈核查', 'inspector'),
    namesakeInspector: await testUser(store, '陈核查', 'inspector', { department: '市税务局' }),
    citizen: await testUser(store, '小明家长', 'citizen', { subjectKey: child.subjectKey }),
    otherCitizen: await testUser(store, '邻居', 'citizen', { subjectKey: other.subjectKey }),
  };
  const of = (field: 'id' | 'token') =>
    Object.fromEntries(Object.entries(people).map(([person, user]) => [person, user[field]])) as Record<
      CaseApiPerson,
      string
    >;
  const tokens = of('token');
  const users = of('id');
  const api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    cases,
    health: ALL_UP,
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    api,
    pipeline,
    cases,
    client,
    namespace: stack.temporalNamespace,
    child,
    firm,
    birthCase: birth.caseId,
    reviewCase: review.caseId,
    tokens,
    users,
    async close() {
      await api.close();
      // The pledge waits 30 days for its inspection: end it rather than leave it on the shared server.
      const pledges = await pipeline.models.Pledge.find({ caseId: lifeEventWorkflowId(`amr-review-${run}`) }).lean();
      for (const pledge of pledges)
        await client.workflow
          .getHandle(pledge.key)
          .terminate('test over')
          .catch(() => undefined);
      await running.close();
    },
  };
}
