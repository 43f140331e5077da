/**
 * An application asked for a proof that never comes lapses (withdrawn) after its 30 days, on the
 * Java time-skipping server: a home owner's public-rental-housing application, whose no-housing
 * verification answers no, is asked for that proof; nobody uploads it; a month later the
 * application is withdrawn, its record says so, the applicant is told, and no handling task was
 * ever opened. The real
 * activities run against the test stack's FerretDB (support/pipeline.ts), on a server of this
 * file's own.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { AWAITING_PROOFS_DAYS } from '../workflows/contracts/application.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { createApplicationService } from '../services/applications/service.js';
import { registerApplicationModel } from '../store/applications.js';
import { registerNoticeModels } from '../store/notices.js';
import { ALL_UP } from './support/all-up.js';
import { addResident } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { productionBundle } from './support/temporal.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let api: FastifyInstance;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: stack.testServerPath } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  pipeline = await openPipeline(stack, 'application-lapse');
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: pipeline.taskQueue,
    activities: pipeline.activities,
    workflowBundle: await productionBundle(),
  });
  running = worker.run();
  api = buildApi({
    sessions: testSessions(pipeline.store),
    applications: createApplicationService({
      store: pipeline.store,
      temporal: env.client,
      taskQueue: pipeline.taskQueue,
    }),
    health: ALL_UP,
  });
  await api.ready();
}, 300_000);

afterAll(async () => {
  await api?.close();
  worker?.shutdown();
  await running;
  await pipeline?.close();
  await env?.teardown();
});

describe('an application whose asked-for proof never comes', () => {
  it(`lapses after ${AWAITING_PROOFS_DAYS} days: withdrawn, and never handled`, async () => {
    const owner = await addResident(pipeline.store, '1990-05-06', {
      'person.localHukou': true,
      'person.district': '陵城区',
      'person.maritalStatus': 'married',
      'person.householdIncomePerCapita': 1500,
      'person.ownsHousing': true,
    });
    const token = await testToken(pipeline.store, '孙立', 'citizen', { subjectKey: owner.subjectKey });
    const submitted = await api.inject({
      method: 'POST',
      url: '/applications',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        matter: 'public-rental-housing',
        fields: { 'household-size': 3, 'contact-phone': '13900000000' },
        pledges: ['income-proof'],
      },
    });
    expect(submitted.statusCode).toBe(201);
    const { id } = submitted.json<{ id: string }>();
    const record = await registerApplicationModel(pipeline.store).findById(id).lean();
    const handle = env.client.workflow.getHandle(record!.workflowId);
    const startedAt = await env.currentTimeMs();

    // Waiting on the result lets the server skip the 30 days nobody uploads in.
    expect(await handle.result()).toEqual({ status: 'withdrawn' });
    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(startedAt + AWAITING_PROOFS_DAYS * 86_400_000);
    const lapsed = await registerApplicationModel(pipeline.store).findById(id).lean();
    expect(lapsed).toMatchObject({ status: 'withdrawn' });
    expect(lapsed!.proofs.find((p) => p.id === 'no-housing-proof')?.obtainedBy).toBeUndefined();
    // Told so, once: the lapse's notice, and no decision's.
    const notices = await registerNoticeModels(pipeline.store).Notice.find({ subjectKey: owner.subjectKey }).lean();
    expect(notices.map((n) => n.template)).toEqual(['application.lapsed']);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name)).toBe(
      false,
    );
  }, 120_000);
});
