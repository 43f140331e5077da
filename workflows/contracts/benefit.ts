/**
 * The benefit workflows' contract (grant, offer, pledge): the business-key ID one subject,
 * policy and period get ever, their input and result, their status query, and the citizen's
 * answer to an offer.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PolicyMode } from '../../rules/types.js';
import type { DecisionSummary, PolicyPlan } from './shared.js';

/**
 * The benefit workflow type for each delivery mode, by name: activities and clients start them
 * by name (workflows/workflow-types.check.ts holds each to its exported function).
 */
export const BENEFIT_WORKFLOW_BY_MODE = {
  auto: 'grantBenefit',
  offer: 'offerBenefit',
  pledge: 'pledgeBenefit',
} as const satisfies Record<PolicyMode, string>;
export type BenefitWorkflowType = (typeof BENEFIT_WORKFLOW_BY_MODE)[PolicyMode];

const PREFIX = 'grant';

/**
 * Workflow ID of the benefit workflow (grant, offer or pledge) for one subject, policy and
 * period: at most one exists, so a subject is never granted twice for the same period.
 */
export function benefitWorkflowId(policyId: string, subjectKey: string, period: string): string {
  return `${PREFIX}:${policyId}:${subjectKey}:${period}`;
}

/** Policy, subject key and period of a benefit workflow's ID; undefined for any other ID. */
export function parseBenefitWorkflowId(
  workflowId: string,
): { policyId: string; subjectKey: string; period: string } | undefined {
  const parts = workflowId.split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX || parts.some((part) => part === '')) return undefined;
  const [, policyId, subjectKey, period] = parts;
  return { policyId, subjectKey, period };
}

export interface BenefitInput {
  caseId: string;
  subjectKey: string;
  plan: PolicyPlan;
  decision: DecisionSummary;
}

export type BenefitStatus =
  | 'granting'
  | 'granted'
  | 'offered'
  | 'confirmed'
  | 'declined'
  | 'expired'
  | 'pledged'
  | 'inspection-passed'
  | 'inspection-inconclusive'
  | 'revoked';

export interface BenefitResult {
  status: BenefitStatus;
  /** False when the grant already existed (a retry or restart found it). */
  grantCreated?: boolean;
}

export type BenefitWorkflow = (input: BenefitInput) => Promise<BenefitResult>;

export const getBenefitStatusQuery = defineQuery<BenefitStatus>('getBenefitStatus');

/** The citizen confirms an offer (一键确认). */
export const confirmOfferSignal = defineSignal('confirmOffer');
/** The citizen declines an offer. */
export const declineOfferSignal = defineSignal('declineOffer');
