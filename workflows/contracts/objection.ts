/**
 * The objection's contract (异议, workflows/objection.ts): re-evaluation after a correction. Its
 * business-key ID, input and result, the department's and supervisor's signals, its stage query,
 * and the patches its notices went through.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Text } from '../../domain/sources.js';
import type { Outcome } from '../../rules/types.js';

/** The objection workflow's type, for clients that start or signal it by name (workflows/workflow-types.check.ts). */
export const OBJECTION_WORKFLOW_TYPE = 'objection';

const PREFIX = 'objection:';

/** Workflow ID of an objection's re-evaluation: one per objection, ever. */
export function objectionWorkflowId(objectionId: string): string {
  return `${PREFIX}${objectionId}`;
}

/** The objection ID in an objection's workflow ID; undefined for any other ID. */
export function parseObjectionWorkflowId(workflowId: string): { objectionId: string } | undefined {
  return workflowId.startsWith(PREFIX) && workflowId.length > PREFIX.length
    ? { objectionId: workflowId.slice(PREFIX.length) }
    : undefined;
}

/**
 * Keys the objection's own activities write under (its arrears grants and recoveries start with
 * it), so a settlement can leave its own earlier writes out when it reads what was paid.
 */
export function objectionKeyPrefix(objectionId: string): string {
  return `${objectionWorkflowId(objectionId)}:`;
}

/** What the objection workflow starts with: keys and the policy's title, never a raw ID or a personal value. */
export interface ObjectionInput {
  objectionId: string;
  subjectKey: string;
  caseId: string;
  policyId: string;
  policyTitle: Text;
}

export type ObjectionStage = 'waiting' | 're-evaluating' | 'settling' | 'resolved' | 'rejected';

/** The objection's end: the new decision's outcome and the money settled for the periods already paid. */
export interface ObjectionResult {
  status: 'resolved' | 'rejected';
  outcome?: Outcome;
  previousOutcome?: Outcome;
  amountBefore?: number;
  amountAfter?: number;
  arrears: number;
  overpayment: number;
  /** A benefit in kind now due: its grant, offer or pledge workflow. */
  benefitWorkflowId?: string;
  /** Grants in kind revoked because they are no longer due. */
  revoked?: number;
}

export type ObjectionWorkflow = (input: ObjectionInput) => Promise<ObjectionResult>;

/** The owning department recorded its correction (the record holds it; the signal carries no value). */
export const objectionCorrectedSignal = defineSignal('objectionCorrected');
/** A supervisor resolved the objection without a correction: re-check as is, or reject (the record holds the reason). */
export const objectionResolvedSignal = defineSignal<['reevaluate' | 'reject']>('objectionResolved');
export const getObjectionStageQuery = defineQuery<ObjectionStage>('getObjectionStage');

/**
 * Patch: later periods decided on the same records are settled too, and the notice names each
 * of them. Added after the first objections ran; pinned by objection-arrears-two-periods.
 */
export const OBJECTION_LATER_PERIODS_PATCH = 'objection-later-periods';
/**
 * Patch: benefits in kind (a card, a school place) are started or revoked rather than paid,
 * with notices of their own. Added after the first objections ran; pinned by objection-card-revoked.
 */
export const OBJECTION_BENEFITS_IN_KIND_PATCH = 'objection-benefits-in-kind';
