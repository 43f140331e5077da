/**
 * The benefit workflows' contract (grant, offer, pledge): the business-key ID one subject,
 * policy and period get ever, the one way every path builds a benefit workflow's start (so the
 * search attributes never depend on who started it), their status query, and the citizen's
 * answer to an offer — the old signals and the update that answers with the offer's result.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PolicyMode } from '../../rules/types.js';
import { departmentsOf, SearchAttributes, type DecisionSummary, type PolicyPlan } from './shared.js';

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
  | 'revoked'
  // Since PLEDGE_SIGNATURE_PATCH: the written notice awaits the citizen's signature, which never came…
  | 'awaiting-signature'
  | 'lapsed'
  // …a credit record barred pledge mode and the facts were verified (granted) or went to a reviewer…
  | 'verified'
  | 'in-review'
  // …or the inspection went to an inspector (on site, or to settle an inconclusive re-check).
  | 'inspection-on-site';

export interface BenefitResult {
  status: BenefitStatus;
  /** False when the grant already existed (a retry or restart found it). */
  grantCreated?: boolean;
}

export type BenefitWorkflow = (input: BenefitInput) => Promise<BenefitResult>;

/** How a benefit workflow is started, whoever starts it: a client's `workflow.start` options and the type. */
export interface BenefitWorkflowStart {
  workflowType: BenefitWorkflowType;
  workflowId: string;
  args: [BenefitInput];
  /** One subject, policy and period gets one benefit workflow, ever: a second start is refused, not repeated. */
  workflowIdReusePolicy: 'REJECT_DUPLICATE';
  typedSearchAttributes: SearchAttributePair[];
}

/**
 * The start of `input`'s benefit workflow, the same from a case, a sweep or an objection: the
 * workflow of the plan's mode under the business-key ID, with AfSubjectKey, AfPolicyIds, AfMode,
 * AfOutcome and AfDepartment. `department: false` only for a case replaying a history recorded
 * before its patch (CASE_SEARCH_OUTCOME_DEPARTMENT_PATCH), whose start must stay as it was.
 */
export function benefitWorkflowStart(input: BenefitInput, options = { department: true }): BenefitWorkflowStart {
  const { plan, subjectKey, decision } = input;
  return {
    workflowType: BENEFIT_WORKFLOW_BY_MODE[plan.mode],
    workflowId: benefitWorkflowId(plan.ref.id, subjectKey, decision.period),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: SearchAttributes.subjectKey, value: subjectKey },
      { key: SearchAttributes.policyIds, value: [plan.ref.id] },
      { key: SearchAttributes.mode, value: plan.mode },
      { key: SearchAttributes.outcome, value: decision.outcome },
      ...(options.department ? [{ key: SearchAttributes.department, value: departmentsOf([plan]) }] : []),
    ],
  };
}

/** The same start as a case's child: the benefit outlives the case (offers wait weeks, pledges are inspected later). */
export function benefitChildWorkflowStart(input: BenefitInput, options = { department: true }) {
  return { ...benefitWorkflowStart(input, options), parentClosePolicy: 'ABANDON' as const };
}

/**
 * Patch (issue 17): an auto grant records the grant and queues its notice in two local activities,
 * in the workflow task that starts it, instead of two activity tasks and the two workflow tasks
 * that followed them. Pinned by grant-benefit@grant-local.
 */
export const GRANT_LOCAL_PATCH = 'grant-local';

export const getBenefitStatusQuery = defineQuery<BenefitStatus>('getBenefitStatus');

// ---- The citizen's answer to an offer (一键确认) ----

export type OfferAnswer = 'confirm' | 'decline';

/** What the offer workflow did with an answer: the offer closed as confirmed or declined, and a confirm's grant. */
export interface OfferAnswerResult {
  status: 'confirmed' | 'declined';
  /** The grant a confirm recorded (its key is the offer's); `created` false when it already existed. */
  grant?: { key: string; created: boolean };
}

/**
 * The citizen confirms or declines, and is answered once the offer workflow has acted on it:
 * the offer closed and, for a confirm, the grant recorded. Refused (ApplicationFailure of type
 * ErrorType.OfferClosed, details [the offer's status]) once the offer was answered or has expired.
 */
export const answerOfferUpdate = defineUpdate<OfferAnswerResult, [OfferAnswer]>('answerOffer');

/** The update ID of an answer: the same answer twice is one update, whose result Temporal returns to both. */
export function answerOfferUpdateId(answer: OfferAnswer): string {
  return `answer-offer:${answer}`;
}

/** The citizen confirms an offer: kept for offers answered by clients from before answerOfferUpdate. */
export const confirmOfferSignal = defineSignal('confirmOffer');
/** The citizen declines an offer: kept for offers answered by clients from before answerOfferUpdate. */
export const declineOfferSignal = defineSignal('declineOffer');

/**
 * Patch (answerOfferUpdate): an answer that arrives while the offer is open is acted on in the
 * handler that receives it, so the update returns what was done and a reminder notice in flight
 * no longer holds the answer back; before it, the main flow acted after its wait. Pinned by
 * offer-confirmed@offer-answer-update and offer-declined@offer-answer-update.
 */
export const OFFER_ANSWER_UPDATE_PATCH = 'offer-answer-update';

// ---- The citizen's signature of the pledge (告知承诺书) ----

/** Where the pledge was signed: one tap in the app, or a signed paper form recorded by window staff. */
export type PledgeChannel = 'app' | 'window';

/**
 * The citizen's signature of the written notice: the notice's content hash they were shown (so a
 * signature never covers a text they did not see) and, at the window, the staff member who recorded
 * the signed paper form, its reference and the person's recorded consent.
 */
export interface PledgeSignature {
  channel: PledgeChannel;
  noticeHash: string;
  staffId?: string;
  staffName?: string;
  paperFormRef?: string;
  consent?: string;
}

/** What the pledge workflow did with a signature: when it took it, and the grant that followed. */
export interface PledgeSignResult {
  signedAt: string;
  grant: { key: string; created: boolean };
}

/**
 * The citizen signs the pledge; answered once the signature is recorded and the grant made.
 * Refused (ApplicationFailure of type ErrorType.NoticeChanged, AlreadySigned or PledgeExpired) when
 * the hash is not the notice's, a signature was already taken, or the signing period is over.
 */
export const signPledgeUpdate = defineUpdate<PledgeSignResult, [PledgeSignature]>('signPledge');

/** The update ID of a signature: a retried request is one update, whose result Temporal returns again. */
export const SIGN_PLEDGE_UPDATE_ID = 'sign-pledge';

/**
 * Patch (signPledge): a pledge-mode benefit first reads the subject's credit records (a false
 * pledge within the policy's creditBlockDays sends the case to verification instead), then sends
 * the written notice and grants only on the citizen's signature (none within signWithinDays: lapsed,
 * no grant); an inconclusive re-check or an on-site inspection opens a task for an inspector.
 * Before it, the grant was made at once and an inconclusive re-check opened a manual review.
 */
export const PLEDGE_SIGNATURE_PATCH = 'pledge-signature';

/** The defaults of the pledge block's optional fields (rules/types.ts). */
export const PLEDGE_DEFAULTS = { signWithinDays: 30, creditBlockDays: 1095, onSiteShare: 0 } as const;
