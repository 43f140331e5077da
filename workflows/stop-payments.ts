/**
 * A death or a move out of the city stops every recurring payment of its subject from the month
 * after (activities/payroll-stops.ts): entitlements end with a recorded transition and a notice,
 * lines of unreleased batches are taken out, and periods already paid after the stop become
 * recovery lines. One workflow per case, every write keyed: a redelivered event stops nothing twice.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { StopPaymentsInput, StopPaymentsResult } from './contracts/payroll.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const { stopPaymentsOnEvent } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

export async function stopPayments(input: StopPaymentsInput): Promise<StopPaymentsResult> {
  return stopPaymentsOnEvent(input);
}
