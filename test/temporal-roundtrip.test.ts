import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Connection as MongooseConnection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { openNoticeQueues, type NoticeQueues } from '../notices/queues.js';
import { staticPolicySource } from '../rules/policy-source.js';
import { connectStore } from '../store/connection.js';
import { registerModels } from '../store/models.js';
import { createTemporalWorker, type TemporalWorker } from '../workers/temporal-worker.js';
import { getProbeStageQuery, stackProbeWorkflowId } from '../workflows/contracts/index.js';
import { stackProbe } from '../workflows/stack-probe.js';
import { TEST_SECRET } from './support/city.js';
import { connectClient, productionBundle, uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
let store: MongooseConnection;
let noticeQueues: NoticeQueues;
let worker: TemporalWorker;
let client: Client;
const taskQueue = uniqueTaskQueue('roundtrip');

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri);
  noticeQueues = openNoticeQueues({ redisUrl: stack.redisUrl, webhook: false, prefix: `test-${taskQueue}` });
  worker = await createTemporalWorker({
    address: stack.temporalAddress,
    namespace: stack.temporalNamespace,
    taskQueue,
    activities: createActivities({
      store,
      noticeQueues,
      policies: staticPolicySource([]),
      subjectKeySecret: TEST_SECRET,
    }),
    workflowBundle: await productionBundle(),
  });
  void worker.run();
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
});

afterAll(async () => {
  await worker?.shutdown();
  await client?.connection.close();
  await noticeQueues?.close();
  await store?.close();
});

describe('a workflow round trip on the Temporal dev server', () => {
  it('runs the stack probe through the worker and writes its record to the store', async () => {
    const probeId = randomUUID();
    const handle = await client.workflow.start(stackProbe, {
      workflowId: stackProbeWorkflowId(probeId),
      taskQueue,
      args: [{ probeId, requestedBy: 'roundtrip test' }],
    });
    const result = await handle.result();
    expect(result).toMatchObject({ probeId, created: true });
    expect(await handle.query(getProbeStageQuery)).toBe('done');

    const { Probe } = registerModels(store);
    const records = await Probe.find({ probeId }).lean();
    expect(records).toHaveLength(1);
    expect(records[0].key).toBe(`${stackProbeWorkflowId(probeId)}:record`);
    expect(records[0].recordedAt.toISOString()).toBe(result.recordedAt);
  });

  it('refuses a second run of the same business key while keeping the first result', async () => {
    const probeId = randomUUID();
    const options = {
      workflowId: stackProbeWorkflowId(probeId),
      taskQueue,
      args: [{ probeId, requestedBy: 'dup test' }] as const,
    };
    const first = await client.workflow.execute(stackProbe, { ...options, args: [...options.args] });
    await expect(
      client.workflow.start(stackProbe, {
        ...options,
        args: [...options.args],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const { Probe } = registerModels(store);
    expect(await Probe.countDocuments({ probeId })).toBe(1);
    expect(first.created).toBe(true);
  });

  it('writes the probe record only once when the activity is retried with the same key', async () => {
    const activities = createActivities({
      store,
      noticeQueues,
      policies: staticPolicySource([]),
      subjectKeySecret: TEST_SECRET,
    });
    const input = { idempotencyKey: `retry-${randomUUID()}:record`, probeId: 'retry', requestedBy: 'retry test' };
    const first = await activities.recordProbe(input);
    const retry = await activities.recordProbe(input);
    expect(first.created).toBe(true);
    expect(retry).toEqual({ created: false, recordedAt: first.recordedAt });
  });
});
