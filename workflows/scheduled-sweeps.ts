/**
 * The run a sweep schedule starts (services/sweeps/schedules.ts): it picks the city date — the
 * scheduled time's, so a catch-up run after downtime sweeps the day it stood for — lists the
 * published policies that apply, and runs their sweeps one after another as children. A sweep
 * that already ran for that day (an earlier attempt, a manual start) is reported, not repeated.
 */
import {
  executeChild,
  proxyActivities,
  ParentClosePolicy,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { ChildWorkflowFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import {
  TEMPORAL_SCHEDULED_START_TIME,
  type ScheduledSweepsInput,
  type ScheduledSweepsResult,
} from './contracts/schedule.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';
import { sweepWorkflowId } from './contracts/sweep.js';
import { sweep } from './sweep.js';

const { listSweepPolicies } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** China keeps UTC+8 all year: the city date of an instant without a time-zone library. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const cityDate = (at: Date) => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

export async function scheduledSweeps(input: ScheduledSweepsInput): Promise<ScheduledSweepsResult> {
  const info = workflowInfo();
  const asOf = input.asOf ?? cityDate(info.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME) ?? info.startTime);
  const scope = input.kind === 'daily' ? 'due' : 'population';
  const policies = await listSweepPolicies({ asOf, dateDrivenOnly: input.kind === 'daily' });
  const sweeps: ScheduledSweepsResult['sweeps'] = [];
  for (const policy of policies) {
    const workflowId = sweepWorkflowId(policy.id, policy.version, asOf, scope);
    try {
      const done = await executeChild(sweep, {
        workflowId,
        args: [{ policy, asOf, scope, requestedBy: `schedule:${input.kind}` }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      sweeps.push({ workflowId, policy, status: done.status, processed: done.processed, eligible: done.eligible });
    } catch (error) {
      // One policy's failed sweep (say, a parameter not in force that day) does not stop the others.
      if (error instanceof ChildWorkflowFailure)
        sweeps.push({ workflowId, policy, status: 'failed', error: error.cause?.message ?? error.message });
      else if (error instanceof WorkflowExecutionAlreadyStartedError)
        sweeps.push({ workflowId, policy, status: 'already-run' });
      else throw error;
    }
  }
  return { kind: input.kind, asOf, sweeps };
}
