/**
 * The payroll's contract (按月发放, workflows/payroll.ts): one payroll workflow per recurring
 * policy and period, its business-key ID (built and parsed here only), input and result, the
 * progress query, and the scheduled run that starts it (workflows/scheduled-payroll.ts,
 * services/payroll/schedules.ts). No Node or database imports: workflows load it too.
 */
import { defineQuery } from '@temporalio/workflow';
import type { PolicyRef } from '../../rules/types.js';
import type { PolicyPlan } from './shared.js';

/** The payroll's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const PAYROLL_WORKFLOW_TYPE = 'payroll';
/** The scheduled run's workflow type. */
export const SCHEDULED_PAYROLL_WORKFLOW_TYPE = 'scheduledPayroll';

/** Entitlements per slice activity when the input names none. */
export const DEFAULT_PAYROLL_SLICE_SIZE = 2_000;
/** Slices per workflow run before a payroll continues as new. */
export const DEFAULT_PAYROLL_SLICES_PER_RUN = 100;

const PREFIX = 'payroll:';
const ID = /^payroll:([a-z0-9]+(?:-[a-z0-9]+)*):(\d{4}(?:-(?:0[1-9]|1[0-2]))?)$/;

/** Workflow ID of a payroll, and the ID of its payment batch: one per policy and period (`payroll:<policy>:<period>`). */
export function payrollWorkflowId(policyId: string, period: string): string {
  return `${PREFIX}${policyId}:${period}`;
}

/** Policy and period of a payroll's workflow ID; undefined for any other ID. */
export function parsePayrollWorkflowId(workflowId: string): { policyId: string; period: string } | undefined {
  const match = ID.exec(workflowId);
  return match ? { policyId: match[1], period: match[2] } : undefined;
}

/** A payroll or batch ID as people type it, with or without its `payroll:` prefix. */
export function payrollWorkflowIdFromInput(text: string): string {
  return text.startsWith(PREFIX) ? text : `${PREFIX}${text}`;
}

export interface PayrollInput {
  policyId: string;
  /** "2026-04" for a monthly policy, "2026" for a yearly one. */
  period: string;
  /** Who started it: a user's name, or "schedule". */
  startedBy: string;
  /** Their user ID; absent for the schedule. */
  startedById?: string;
  /** Entitlements per slice (default DEFAULT_PAYROLL_SLICE_SIZE). */
  sliceSize?: number;
  /** Slices per run before continue-as-new (default DEFAULT_PAYROLL_SLICES_PER_RUN). */
  slicesPerRun?: number;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: { plan: PolicyPlan; asOf: string; cursor?: string; slices: number; processed: number };
}

export type PayrollStatus = 'starting' | 'paying' | 'preview';

export interface PayrollProgress {
  status: PayrollStatus;
  policyId: string;
  period: string;
  /** Entitlements re-checked so far. */
  processed: number;
  slices: number;
}

export interface PayrollSliceResult {
  processed: number;
  /** The last entitlement key read (a policy and subject key, no raw ID); absent when none remain. */
  cursor?: string;
}

/** The batch in preview: what the payroll returns. */
export interface PayrollResult {
  batchId: string;
  policy: PolicyRef;
  period: string;
  lines: number;
  totalFen: number;
  new: number;
  amountChanged: number;
  ended: number;
  suspended: number;
}

export type PayrollWorkflow = (input: PayrollInput) => Promise<PayrollResult>;

export const getPayrollProgressQuery = defineQuery<PayrollProgress>('getPayrollProgress');

/** One payroll schedule per recurring policy; `prefix` keeps deployments (and test runs) apart. */
export function payrollScheduleId(policyId: string, prefix = 'applyfree'): string {
  return `${prefix}-payroll-${policyId}`;
}

/** The workflow ID a payroll schedule gives its runs; Temporal appends each run's scheduled time. */
export function scheduledPayrollWorkflowId(policyId: string): string {
  return `scheduled-payroll-${policyId}`;
}

export interface ScheduledPayrollInput {
  policyId: string;
  /** The policy's grant period: a monthly payroll pays the month of the scheduled date, a yearly one its year. */
  cadence: 'month' | 'year';
  /** The period to pay; absent, the period holding the scheduled time's city date (catch-up runs pay their own). */
  period?: string;
}

export interface ScheduledPayrollResult {
  policyId: string;
  period: string;
  status: 'preview' | 'already-run' | 'failed';
  batchId: string;
  error?: string;
}

export type ScheduledPayrollWorkflow = (input: ScheduledPayrollInput) => Promise<ScheduledPayrollResult>;

// ---- Stops on life events (workflows/stop-payments.ts) ----

/** The stop workflow's type. */
export const STOP_PAYMENTS_WORKFLOW_TYPE = 'stopPayments';

const STOP_PREFIX = 'stop-payments:';

/** Workflow ID of the stop a death or move-out case causes: one per case (`stop-payments:<caseId>`). */
export function stopPaymentsWorkflowId(caseId: string): string {
  return `${STOP_PREFIX}${caseId}`;
}

/** The case ID of a stop workflow's ID; undefined for any other ID. */
export function parseStopPaymentsWorkflowId(workflowId: string): { caseId: string } | undefined {
  return workflowId.startsWith(STOP_PREFIX) && workflowId.length > STOP_PREFIX.length
    ? { caseId: workflowId.slice(STOP_PREFIX.length) }
    : undefined;
}

export interface StopPaymentsInput {
  /** The life-event case of the death or move-out. */
  caseId: string;
  subjectKey: string;
  eventType: string;
  /** YYYY-MM-DD: nothing is paid from the first of the month after. */
  eventDate: string;
}

export interface StopPaymentsResult {
  /** Entitlements ended by the event. */
  ended: number;
  /** Lines of unreleased batches taken out. */
  removed: number;
  /** Released payments for periods after the stop, turned into recovery lines. */
  recovered: number;
  /** The recovery lines' total in fen (negative). */
  recoveredFen: number;
}

export type StopPaymentsWorkflow = (input: StopPaymentsInput) => Promise<StopPaymentsResult>;
