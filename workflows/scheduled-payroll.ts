/**
 * The run a payroll schedule starts (services/payroll/schedules.ts): it picks the period holding
 * the scheduled time's city date — so a catch-up run after downtime pays the period it stood for —
 * and runs that period's payroll as a child under its business-key ID. A payroll that already ran
 * for the period (an earlier attempt, an officer's start) is reported, not repeated.
 */
import { executeChild, ParentClosePolicy, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { ChildWorkflowFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { payrollWorkflowId, type ScheduledPayrollInput, type ScheduledPayrollResult } from './contracts/payroll.js';
import { TEMPORAL_SCHEDULED_START_TIME } from './contracts/schedule.js';
import { payroll } from './payroll.js';

/** China keeps UTC+8 all year: the city date of an instant without a time-zone library. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const cityDate = (at: Date) => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

export async function scheduledPayroll(input: ScheduledPayrollInput): Promise<ScheduledPayrollResult> {
  const info = workflowInfo();
  const date = cityDate(info.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME) ?? info.startTime);
  const period = input.period ?? (input.cadence === 'year' ? date.slice(0, 4) : date.slice(0, 7));
  const batchId = payrollWorkflowId(input.policyId, period);
  try {
    await executeChild(payroll, {
      workflowId: batchId,
      args: [{ policyId: input.policyId, period, startedBy: 'schedule' }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { policyId: input.policyId, period, status: 'preview', batchId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return { policyId: input.policyId, period, status: 'already-run', batchId };
    if (error instanceof ChildWorkflowFailure)
      return {
        policyId: input.policyId,
        period,
        status: 'failed',
        batchId,
        error: error.cause?.message ?? error.message,
      };
    throw error;
  }
}
