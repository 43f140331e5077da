/**
 * A round trip through every layer the pipeline uses: Temporal schedules the workflow,
 * the worker runs an activity, the activity writes to the store idempotently.
 * Used by the deep health check and by operators after a deployment.
 */
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { getProbeStageQuery, type ProbeStage, type StackProbeInput, type StackProbeResult } from './contracts/probe.js';

const { recordProbe } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumAttempts: 5 },
});

export async function stackProbe(input: StackProbeInput): Promise<StackProbeResult> {
  let stage: ProbeStage = 'recording';
  setHandler(getProbeStageQuery, () => stage);
  const { workflowId } = workflowInfo();
  const result = await recordProbe({
    idempotencyKey: `${workflowId}:record`,
    probeId: input.probeId,
    requestedBy: input.requestedBy,
  });
  stage = 'done';
  return { probeId: input.probeId, created: result.created, recordedAt: result.recordedAt };
}
