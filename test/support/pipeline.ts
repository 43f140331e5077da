/**
 * A pipeline under test: the real activities on the test stack's FerretDB and Redis
 * (a database and queue prefix of the test file's own), the shipped policy catalog,
 * and a worker on a unique task queue of the given Temporal environment.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Connection } from 'mongoose';
import { clientStarter } from '../../activities/benefit-start.js';
import { createActivities, type Activities } from '../../activities/index.js';
import { openNoticeQueues, type NoticeQueues } from '../../notices/queues.js';
import { catalogPolicySource, type PolicySource } from '../../rules/policy-source.js';
import { storePolicySource } from '../../store/policy-source.js';
import { createPolicyLifecycle } from '../../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { connectStore } from '../../store/connection.js';
import { registerModels, type Models } from '../../store/models.js';
import { TEST_SECRET } from './city.js';
import { productionBundle } from './temporal.js';
import { testSeals } from './seals.js';
import type { SealKeeper } from '../../services/certificates/seal-keeper.js';
import type { TestStackInfo } from './test-stack.js';

export interface Pipeline {
  store: Connection;
  models: Models;
  activities: Activities;
  queues: NoticeQueues;
  taskQueue: string;
  /** Where its cases and payrolls find their policies. */
  policies: PolicySource;
  /** The seals its activities issue certificates with, when opened with `seals: true`. */
  seals?: SealKeeper;
  worker(connection: NativeConnection, namespace?: string): Promise<Worker>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  /**
   * Where cases find their policies: the shipped files (default), or the policy store as
   * in production, with the shipped catalog imported as published v1s and read fresh on every case.
   */
  policies?: 'catalog' | 'store';
  /** A client through which sweeps and objections start benefit workflows on the pipeline's task queue. */
  client?: Client;
  /** Give the activities the departments' seals (keys in a directory of the pipeline's own), so grants and refusals issue their certificates. */
  seals?: boolean;
}

export async function openPipeline(
  stack: TestStackInfo,
  name: string,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const database = `applyfree_${name}_${randomUUID().slice(0, 8)}`;
  const store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
  const queues = openNoticeQueues({ redisUrl: stack.redisUrl, webhook: false, prefix: `test-${database}` });
  const catalog = await loadPolicyCatalog();
  if (options.policies === 'store') await createPolicyLifecycle(store).importCatalog(catalog.policies);
  const policies =
    options.policies === 'store' ? storePolicySource(store, { refreshMs: 0 }) : catalogPolicySource(catalog);
  const taskQueue = `test-${name}-${randomUUID().slice(0, 8)}`;
  const client = options.client;
  const workflows = client ? clientStarter(client, taskQueue) : undefined;
  const keeper = options.seals ? testSeals(store) : undefined;
  const activities = createActivities({
    store,
    noticeQueues: queues,
    policies,
    subjectKeySecret: TEST_SECRET,
    ...(workflows ? { workflows } : {}),
    ...(keeper ? { seals: keeper.seals } : {}),
  });
  const workflowBundle = await productionBundle();
  return {
    store,
    models: registerModels(store),
    activities,
    queues,
    taskQueue,
    policies,
    ...(keeper ? { seals: keeper.seals } : {}),
    worker: (connection, namespace) => Worker.create({ connection, namespace, taskQueue, activities, workflowBundle }),
    async close() {
      await queues.close();
      await store.dropDatabase();
      await store.close();
      keeper?.remove();
    },
  };
}
