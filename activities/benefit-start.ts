/**
 * Starting a subject's benefit workflow from an activity (a sweep, an objection) with the start
 * a life-event case gives its child (benefitWorkflowStart, the benefit contract): the workflow
 * of the plan's mode, under the ID one subject, policy and period get ever — so a second start
 * is the same workflow, not another — and the same search attributes, AfDepartment included.
 */
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { benefitWorkflowStart, type BenefitInput } from '../workflows/contracts/index.js';

/** How a worker starts workflows: its Temporal client's `workflow.start`. */
export interface WorkflowStarter {
  start(
    workflowType: string,
    options: {
      workflowId: string;
      taskQueue: string;
      args: unknown[];
      workflowIdReusePolicy: 'REJECT_DUPLICATE';
      typedSearchAttributes: unknown;
    },
  ): Promise<unknown>;
}

/** A worker's starter and the task queue its benefit workflows run on. */
export interface BenefitStarter {
  starter: WorkflowStarter;
  taskQueue: string;
}

/** A Temporal client as the starter activities and services take: its workflows run on `taskQueue`. */
export function clientStarter(temporal: Client, taskQueue: string): BenefitStarter {
  return {
    starter: { start: (type, options) => temporal.workflow.start(type, options as WorkflowStartOptions) },
    taskQueue,
  };
}

/** Starts the benefit workflow of `input`; `started` is false when it already existed (a retry, or an earlier case or sweep). */
export async function startBenefitWorkflow(
  workflows: BenefitStarter,
  input: BenefitInput,
): Promise<{ workflowId: string; started: boolean }> {
  const { workflowType, ...start } = benefitWorkflowStart(input);
  const { workflowId } = start;
  try {
    await workflows.starter.start(workflowType, { ...start, taskQueue: workflows.taskQueue });
    return { workflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { workflowId, started: false };
  }
}
