/**
 * The API with sweeps on the test stack, as `npm start` wires it: a seeded small city in a
 * pipeline's store (shipped policies published there), a worker running sweeps on the
 * pipeline's task queue, the sweep helpers on a Temporal client, and an officer's and a
 * reviewer's tokens. Shared by the sweep API, CLI and console tests.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../client/api/server.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../../client/policy-lifecycle.js';
import { createSimulationRunner } from '../../client/simulation.js';
import { createSweepService, type SweepService } from '../../client/sweeps.js';
import { seedCity } from '../../infra/seed/index.js';
import { registerSearchAttributes } from '../../infra/search-attributes.js';
import { issueToken, userOfToken } from '../../store/users.js';
import { TEST_SECRET } from './city.js';
import { openPipeline, type Pipeline } from './pipeline.js';
import { connectClient } from './temporal.js';
import type { TestStackInfo } from './test-stack.js';
import { ALL_UP } from './all-up.js';

export interface SweepApi {
  api: FastifyInstance;
  url: string;
  pipeline: Pipeline;
  lifecycle: PolicyLifecycle;
  sweeps: SweepService;
  officer: string;
  reviewer: string;
  close(): Promise<void>;
}

export async function openSweepApi(stack: TestStackInfo, name: string, options: { residents: number; console?: boolean }): Promise<SweepApi> {
  const client: Client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  const pipeline = await openPipeline(stack, name, { policies: 'store', client });
  await seedCity(pipeline.store, { residents: options.residents, enterprises: 0, seed: `${name}-test`, secret: TEST_SECRET, asOf: '2026-11-01' });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker: Worker = await pipeline.worker(connection, stack.temporalNamespace);
  const running = worker.run();
  const lifecycle = createPolicyLifecycle(pipeline.store);
  const sweeps = createSweepService({ store: pipeline.store, temporal: client, taskQueue: pipeline.taskQueue, lifecycle });
  const officer = await issueToken(pipeline.store, '王芳', 'officer');
  const reviewer = await issueToken(pipeline.store, '李明', 'reviewer');
  const api = buildApi({
    policies: { lifecycle, simulation: createSimulationRunner({ store: pipeline.store, lifecycle }), authenticate: (token) => userOfToken(pipeline.store, token) },
    sweeps,
    console: options.console ?? false,
    health: ALL_UP,
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    api,
    url,
    pipeline,
    lifecycle,
    sweeps,
    officer,
    reviewer,
    async close() {
      await api.close();
      worker.shutdown();
      await running;
      await connection.close();
      await pipeline.close();
      await client.connection.close();
    },
  };
}
