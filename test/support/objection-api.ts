/**
 * The API with objections on the test stack, as `npm start` wires it: a pipeline on the dev
 * server, notice workers, the case and objection services (telling citizens of corrections through the
 * pipeline's notice queues), tokens for every role and three supervisors (one files or records a
 * correction, another confirms it), and two
 * residents certified disabled on 2026-03-01 through ingestion — one at grade 3 (living subsidy
 * only) and one at grade 1 (also the care subsidy at 150) — whose cases and grants have finished;
 * with `console`, the web console too.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { catalogPolicySource } from '../../rules/policy-source.js';
import { buildApi } from '../../api/server.js';
import { createCaseService } from '../../services/cases/service.js';
import { createObjectionService } from '../../services/objections/service.js';
import { createPolicyLifecycle } from '../../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { testSessions, testUser } from './users.js';
import { makeEnqueueNotice } from '../../activities/notices.js';
import type { LifeEventResult } from '../../workflows/contracts/index.js';
import { addResident, TEST_SECRET, type TestSubject } from './city.js';
import type { Pipeline } from './pipeline.js';
import { openRunningPipeline, type RunningPipeline } from './running-pipeline.js';
import type { TestStackInfo } from './test-stack.js';
import { ALL_UP } from './all-up.js';

export interface ObjectionApi {
  url: string;
  api: FastifyInstance;
  pipeline: Pipeline;
  client: Client;
  /** Posts a life event as a registry would (RunningPipeline.ingest), and a suffix for its source event IDs. */
  ingest: RunningPipeline['ingest'];
  run: string;
  gradeThree: TestSubject & { caseId: string };
  gradeOne: TestSubject & { caseId: string };
  /** Another resident certified at `grade` on 2026-03-01, their case and grants finished. */
  certified(grade: number, birthDate: string): Promise<TestSubject & { caseId: string }>;
  tokens: Record<ObjectionApiPerson, string>;
  /** Each person's user ID. */
  users: Record<ObjectionApiPerson, string>;
  close(): Promise<void>;
}

/** The people of the objection tests; 吴督查 (secondSupervisor) and 郑督查 (thirdSupervisor) confirm what another recorded or filed. */
export type ObjectionApiPerson =
  | 'supervisor'
  | 'secondSupervisor'
  | 'thirdSupervisor'
  | 'officer'
  | 'reviewer'
  | 'inspector'
  | 'citizen'
  | 'otherCitizen';

export async function openObjectionApi(
  stack: TestStackInfo,
  name: string,
  options: { console?: boolean } = {},
): Promise<ObjectionApi> {
  const running = await openRunningPipeline(stack, name);
  const { client, pipeline, ingest, run } = running;
  const store = pipeline.store;

  /** A resident of a dibao household certified disabled at `grade` on 2026-03-01, whose case and grants have finished. */
  const certified = async (grade: number, birthDate: string) => {
    const resident = await addResident(store, birthDate, {
      'person.localHukou': true,
      'person.alive': true,
      'person.minimumLivingAllowance': true,
      'person.disabilityCertified': true,
      'person.disabilityGrade': grade,
      'person.disabilityType': 'physical',
      'person.disabilityCertifiedOn': '2026-03-01',
    });
    const accepted = await ingest({
      sourceEventId: `dpf-${grade}-${run}`,
      source: 'disability-federation',
      type: 'disability.certified',
      occurredOn: '2026-03-01',
      subject: { residentId: resident.id },
      payload: { grade, disabilityType: 'physical' },
    });
    const result = (await client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
    for (const decision of result.decisions)
      if (decision.benefitWorkflowId) await client.workflow.getHandle(decision.benefitWorkflowId).result();
    return { ...resident, caseId: accepted.caseId };
  };
  const gradeThree = await certified(3, '1980-04-02');
  const gradeOne = await certified(1, '1975-09-12');
  const neighbour = await addResident(store, '1981-01-01', { 'person.localHukou': true, 'person.alive': true });

  const catalog = await loadPolicyCatalog();
  const policies = catalogPolicySource(catalog);
  // The shipped catalog published in the store, as npm start does: GET /policies lists it.
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog(catalog.policies);
  const people: Record<ObjectionApiPerson, { id: string; token: string }> = {
    supervisor: await testUser(store, '周督查', 'supervisor'),
    secondSupervisor: await testUser(store, '吴督查', 'supervisor'),
    thirdSupervisor: await testUser(store, '郑督查', 'supervisor'),
    officer: await testUser(store, '王芳', 'officer'),
    reviewer: await testUser(store, '李明', 'reviewer'),
    inspector: await testUser(store, '陈核查', 'inspector'),
    citizen: await testUser(store, '刘建国', 'citizen', { subjectKey: gradeThree.subjectKey }),
    otherCitizen: await testUser(store, '邻居', 'citizen', { subjectKey: neighbour.subjectKey }),
  };
  const of = (field: 'id' | 'token') =>
    Object.fromEntries(Object.entries(people).map(([person, user]) => [person, user[field]])) as Record<
      ObjectionApiPerson,
      string
    >;
  const tokens = of('token');
  const users = of('id');
  const api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle },
    cases: createCaseService({
      store,
      temporal: client,
      namespace: stack.temporalNamespace,
      taskQueue: pipeline.taskQueue,
      subjectKeySecret: TEST_SECRET,
    }),
    objections: createObjectionService({
      store,
      temporal: client,
      taskQueue: pipeline.taskQueue,
      subjectKeySecret: TEST_SECRET,
      policies,
      notify: makeEnqueueNotice(store, pipeline.queues),
    }),
    console: options.console ?? false,
    health: ALL_UP,
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    api,
    pipeline,
    client,
    ingest,
    run,
    gradeThree,
    gradeOne,
    certified,
    tokens,
    users,
    async close() {
      await api.close();
      await running.close();
    },
  };
}
