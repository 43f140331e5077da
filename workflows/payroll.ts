/**
 * A payroll (按月发放): one workflow per recurring policy and period pins the version in force,
 * streams the policy's active entitlements slice by slice (never the population), re-checks each
 * and writes its payment line or ends or suspends it (activities/payroll.ts), then assembles the
 * payment batch for preview. Nothing is paid here: a reviewer other than whoever started it
 * releases the batch (services/payroll/service.ts). A slice's writes are keyed, so a retried slice,
 * a killed worker or a restarted server writes no line twice; continue-as-new bounds the history.
 */
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  DEFAULT_PAYROLL_SLICE_SIZE,
  DEFAULT_PAYROLL_SLICES_PER_RUN,
  getPayrollProgressQuery,
  type PayrollInput,
  type PayrollResult,
  type PayrollStatus,
} from './contracts/payroll.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const { beginPayroll, assemblePayrollBatch } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});
/** A slice reads and writes thousands of entitlements: a long start-to-close, a heartbeat per entitlement. */
const { payrollSlice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
});

export async function payroll(input: PayrollInput): Promise<PayrollResult> {
  const batchId = workflowInfo().workflowId;
  let status: PayrollStatus = input.carried ? 'paying' : 'starting';
  let processed = input.carried?.processed ?? 0;
  let slices = input.carried?.slices ?? 0;
  let cursor = input.carried?.cursor;
  setHandler(getPayrollProgressQuery, () => ({
    status,
    policyId: input.policyId,
    period: input.period,
    processed,
    slices,
  }));

  const pinned =
    input.carried ??
    (await beginPayroll({
      batchId,
      policyId: input.policyId,
      period: input.period,
      startedBy: input.startedBy,
      ...(input.startedById ? { startedById: input.startedById } : {}),
    }));
  status = 'paying';
  for (let run = 0; ; run++) {
    const slice = await payrollSlice({
      batchId,
      plan: pinned.plan,
      period: input.period,
      asOf: pinned.asOf,
      ...(cursor === undefined ? {} : { cursor }),
      limit: input.sliceSize ?? DEFAULT_PAYROLL_SLICE_SIZE,
    });
    processed += slice.processed;
    slices += 1;
    cursor = slice.cursor;
    if (cursor === undefined) break;
    if (run + 1 >= (input.slicesPerRun ?? DEFAULT_PAYROLL_SLICES_PER_RUN) || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof payroll>({
        ...input,
        carried: { plan: pinned.plan, asOf: pinned.asOf, cursor, slices, processed },
      });
  }
  const result = await assemblePayrollBatch({ batchId });
  status = 'preview';
  return result;
}
