/**
 * The API with sweeps on the test stack, as `npm start` wires it: a seeded small city in a
 * running pipeline's store (shipped policies published there, no notice workers unless asked), its worker
 * running sweeps on the pipeline's task queue, the sweep helpers on a Temporal client, and an officer's and
 * two reviewers' tokens (a sweep one person requests, another approves). Shared by the sweep API, CLI and
 * console tests.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../../services/policies/lifecycle.js';
import { createSimulationRunner } from '../../services/policies/simulation.js';
import { createSweepService, type SweepService } from '../../services/sweeps/service.js';
import { seedCity } from '../../infra/seed/index.js';
import { testSessions, testUser } from './users.js';
import { TEST_SECRET } from './city.js';
import type { Pipeline } from './pipeline.js';
import { openRunningPipeline, type RunningPipeline } from './running-pipeline.js';
import type { TestStackInfo } from './test-stack.js';
import { ALL_UP } from './all-up.js';

export interface SweepApi {
  api: FastifyInstance;
  url: string;
  pipeline: Pipeline;
  /** The Temporal client the sweeps run on, to read a sweep's history. */
  client: Client;
  /** Accepts a life event body as POST /events does (the pipeline's cases run beside the sweeps). */
  ingest: RunningPipeline['ingest'];
  lifecycle: PolicyLifecycle;
  sweeps: SweepService;
  officer: string;
  reviewer: string;
  /** A second reviewer (赵审核), to approve what 李明 requests. */
  secondReviewer: string;
  /** The officer's and the reviewers' user IDs. */
  users: { officer: string; reviewer: string; secondReviewer: string };
  close(): Promise<void>;
}

export async function openSweepApi(
  stack: TestStackInfo,
  name: string,
  options: { residents: number; console?: boolean; notices?: boolean },
): Promise<SweepApi> {
  const running = await openRunningPipeline(stack, name, { policies: 'store', notices: options.notices ?? false });
  const { client, pipeline } = running;
  await seedCity(pipeline.store, {
    residents: options.residents,
    enterprises: 0,
    seed: `${name}-test`,
    secret: TEST_SECRET,
    asOf: '2026-11-01',
  });
  const lifecycle = createPolicyLifecycle(pipeline.store);
  const sweeps = createSweepService({
    store: pipeline.store,
    temporal: client,
    taskQueue: pipeline.taskQueue,
    lifecycle,
  });
  const asOfficer = await testUser(pipeline.store, '王芳', 'officer');
  const asReviewer = await testUser(pipeline.store, '李明', 'reviewer');
  const asSecondReviewer = await testUser(pipeline.store, '赵审核', 'reviewer');
  const [officer, reviewer, secondReviewer] = [asOfficer.token, asReviewer.token, asSecondReviewer.token];
  const api = buildApi({
    sessions: testSessions(pipeline.store),
    policies: {
      lifecycle,
      simulation: createSimulationRunner({ store: pipeline.store, lifecycle }),
    },
    sweeps,
    console: options.console ?? false,
    health: ALL_UP,
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    api,
    url,
    pipeline,
    client,
    ingest: running.ingest,
    lifecycle,
    sweeps,
    officer,
    reviewer,
    secondReviewer,
    users: { officer: asOfficer.id, reviewer: asReviewer.id, secondReviewer: asSecondReviewer.id },
    async close() {
      await api.close();
      await running.close();
    },
  };
}
