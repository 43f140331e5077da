/**
 * A worker for a pipeline's task queue on which the disability federation answers through its
 * verification service, and that service is down (nothing listens on its port): the federation's
 * facts fail as a source that does not answer, so decisions that need them are undetermined.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { catalogPolicySource } from '../../rules/policy-source.js';
import { TEST_SECRET } from './city.js';
import { freePort } from './free-port.js';
import type { Pipeline } from './pipeline.js';
import { productionBundle } from './temporal.js';
import type { TestStackInfo } from './test-stack.js';

export async function workerWithFederationDown(
  stack: TestStackInfo,
  pipeline: Pipeline,
): Promise<{ close(): Promise<void> }> {
  const deadPort = await freePort();
  const activities = createActivities({
    store: pipeline.store,
    noticeQueues: pipeline.queues,
    policies: catalogPolicySource(await loadPolicyCatalog()),
    subjectKeySecret: TEST_SECRET,
    verification: {
      'disability-federation': {
        baseUrl: `http://127.0.0.1:${deadPort}`,
        timeoutMs: 500,
        retries: 0,
        breaker: { failureThreshold: 50, cooldownMs: 1000 },
        development: true,
      },
    },
  });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: stack.temporalNamespace,
    taskQueue: pipeline.taskQueue,
    activities,
    workflowBundle: await productionBundle(),
  });
  const running = worker.run();
  return {
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
