/**
 * `npm run record-histories`: runs each workflow on a fresh embedded stack and saves its
 * history to test/histories/<name>.json for the replay tests. Re-record only when a
 * workflow change is meant to be incompatible (otherwise use patched()).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { openNoticeQueues } from '../activities/notices.js';
import { staticPolicySource } from '../activities/policy-source.js';
import { connectStore } from '../store/connection.js';
import { createTemporalWorker } from '../workers/temporal-worker.js';
import { stackProbeWorkflowId } from '../workflows/contracts.js';
import { stackProbe } from '../workflows/stack-probe.js';
import { HISTORIES_DIR } from './support/histories.js';
import { startTestStack } from './support/test-stack.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

/** Saves a finished workflow's history in the CLI's JSON form, the form replay tests load. */
function record(name: string, workflowId: string): void {
  const shown = spawnSync(info.temporalCliPath, ['workflow', 'show', '--address', info.temporalAddress, '--namespace', info.temporalNamespace, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' });
  if (shown.status !== 0) throw new Error(`temporal workflow show failed: ${shown.stderr}`);
  const events = (JSON.parse(shown.stdout) as { events: unknown[] }).events.length;
  writeFileSync(`${HISTORIES_DIR}${name}.json`, shown.stdout);
  console.log(`recorded ${HISTORIES_DIR}${name}.json (${events} events)`);
}
const { info, stop } = await startTestStack();
const store = await connectStore(info.mongodbUri);
const taskQueue = uniqueTaskQueue('record');
const noticeQueues = openNoticeQueues({ redisUrl: info.redisUrl, webhook: false });
const worker = await createTemporalWorker({ address: info.temporalAddress, namespace: info.temporalNamespace, taskQueue, activities: createActivities({ store, noticeQueues, policies: staticPolicySource([]) }) });
const client = await connectClient(info.temporalAddress, info.temporalNamespace);
try {
  const probeId = randomUUID();
  const workflowId = stackProbeWorkflowId(probeId);
  await worker.worker.runUntil(
    client.workflow.execute(stackProbe, { workflowId, taskQueue, args: [{ probeId, requestedBy: 'record-histories' }] }),
  );
  record('stack-probe', workflowId);
} finally {
  await client.connection.close();
  await worker.connection.close();
  await noticeQueues.close();
  await store.close();
  await stop();
}
