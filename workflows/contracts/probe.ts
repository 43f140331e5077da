/**
 * The stack probe's contract: a round trip through Temporal, a worker, an activity and the
 * store (workflows/stack-probe.ts), started under a business key the caller chooses.
 */
import { defineQuery } from '@temporalio/workflow';

/** The probe's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const STACK_PROBE_WORKFLOW_TYPE = 'stackProbe';

const PREFIX = 'stack-probe:';

/** Workflow ID of a stack probe: a business key chosen by the caller. */
export function stackProbeWorkflowId(probeId: string): string {
  return `${PREFIX}${probeId}`;
}

/** The probe ID in a stack probe's workflow ID; undefined for any other ID. */
export function parseStackProbeWorkflowId(workflowId: string): { probeId: string } | undefined {
  return workflowId.startsWith(PREFIX) && workflowId.length > PREFIX.length
    ? { probeId: workflowId.slice(PREFIX.length) }
    : undefined;
}

export interface StackProbeInput {
  probeId: string;
  /** Who asked for the probe (operator name or "health-check"); stored with the record. */
  requestedBy: string;
}

export interface StackProbeResult {
  probeId: string;
  /** True the first time the probe record was written; false when a retry found it already there. */
  created: boolean;
  recordedAt: string;
}

export type StackProbeWorkflow = (input: StackProbeInput) => Promise<StackProbeResult>;

export type ProbeStage = 'recording' | 'done';
export const getProbeStageQuery = defineQuery<ProbeStage>('getProbeStage');
