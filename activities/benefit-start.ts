/**
 * Starting a subject's benefit workflow from an activity (a sweep, an objection) as a
 * life-event case starts it from its workflow: the grant, offer or pledge workflow of the
 * plan's mode, under the ID one subject, policy and period get ever, so a second start is
 * the same workflow, not another.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  BENEFIT_WORKFLOW_BY_MODE,
  benefitWorkflowId,
  SearchAttributes,
  type BenefitInput,
} from '../workflows/contracts/index.js';

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

/** Starts the benefit workflow of `input`; `started` is false when it already existed (a retry, or an earlier case or sweep). */
export async function startBenefitWorkflow(
  workflows: BenefitStarter,
  input: BenefitInput,
): Promise<{ workflowId: string; started: boolean }> {
  const { plan, subjectKey, decision } = input;
  const workflowId = benefitWorkflowId(plan.ref.id, subjectKey, decision.period);
  try {
    await workflows.starter.start(BENEFIT_WORKFLOW_BY_MODE[plan.mode], {
      workflowId,
      taskQueue: workflows.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SearchAttributes.subjectKey, value: subjectKey },
        { key: SearchAttributes.policyIds, value: [plan.ref.id] },
        { key: SearchAttributes.mode, value: plan.mode },
        { key: SearchAttributes.outcome, value: decision.outcome },
      ],
    });
    return { workflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { workflowId, started: false };
  }
}
