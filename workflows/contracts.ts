/**
 * The one contracts file: task queues, workflow ID helpers, search attribute keys,
 * signal/query definitions, DTOs and error types. Imported by workflows, activities,
 * workers and clients alike, so it holds no Node or database imports.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SubjectKind, Text } from '../domain/sources.js';
import type { Outcome, PolicyMode, PolicyRef } from '../rules/types.js';

/** Temporal task queue served by the applyfree worker. */
export const TASK_QUEUE = 'applyfree';

/**
 * How the pipeline's workflows call activities. Activities are idempotent store writes and
 * data pulls, retried until they succeed. Each heartbeats while it runs
 * (activities/guard.ts), so a dead worker's activity moves to another worker within
 * the heartbeat timeout rather than the start-to-close timeout.
 */
export const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/**
 * Custom search attributes. Values are pseudonymous keys and codes, never a raw
 * resident ID or credit code (DESIGN.md, data and privacy).
 */
export const SearchAttributes = {
  subjectKey: defineSearchAttributeKey('AfSubjectKey', SearchAttributeType.KEYWORD),
  eventType: defineSearchAttributeKey('AfEventType', SearchAttributeType.KEYWORD),
  policyIds: defineSearchAttributeKey('AfPolicyIds', SearchAttributeType.KEYWORD_LIST),
  mode: defineSearchAttributeKey('AfMode', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('AfOutcome', SearchAttributeType.KEYWORD),
  department: defineSearchAttributeKey('AfDepartment', SearchAttributeType.KEYWORD_LIST),
  caseStatus: defineSearchAttributeKey('AfCaseStatus', SearchAttributeType.KEYWORD),
} as const;

/** Failure types thrown by activities (ApplicationFailure.type). */
export enum ErrorType {
  InvalidInput = 'InvalidInput',
  StoreUnavailable = 'StoreUnavailable',
  UnknownPolicyVersion = 'UnknownPolicyVersion',
  PolicyHashMismatch = 'PolicyHashMismatch',
  MissingFactSnapshot = 'MissingFactSnapshot',
  // Shared data (activities/shared-data/fetch-facts.ts): a wrong request, never retried…
  UnknownSubject = 'UnknownSubject',
  UndeclaredFact = 'UndeclaredFact',
  SubjectKindMismatch = 'SubjectKindMismatch',
  // …except a failed access-record write, which is retried (no pull without its record).
  AccessRecordWriteFailed = 'AccessRecordWriteFailed',
  // The rules layer (rules/errors.ts codes): the same policy and facts fail the same way on every retry.
  PolicyInvalid = 'PolicyInvalid',
  PolicyNotFound = 'PolicyNotFound',
  ParameterNotInForce = 'ParameterNotInForce',
  AmountUnresolved = 'AmountUnresolved',
  InvalidAsOf = 'InvalidAsOf',
  // Sweeps: the pinned version does not apply on the sweep's date.
  PolicyNotInForce = 'PolicyNotInForce',
}

/** Workflow ID of a stack probe: a business key chosen by the caller. */
export function stackProbeWorkflowId(probeId: string): string {
  return `stack-probe:${probeId}`;
}

export interface StackProbeInput {
  probeId: string;
  /** Who asked for the probe (operator name or "health-check"); stored with the record. */
  requestedBy: string;
}

export interface StackProbeResult {
  probeId: string;
  /** True the first time the probe record was written; false when a retry found it already there. */
  created: boolean;
  recordedAt: string;
}

export const getProbeStageQuery = defineQuery<'recording' | 'done'>('getProbeStage');

// ---- The life-event pipeline ----

/** Workflow ID of a life-event case: the first delivery's source event ID. */
export function lifeEventWorkflowId(sourceEventId: string): string {
  return `life-event:${sourceEventId}`;
}

/**
 * Workflow ID of the benefit workflow (grant, offer or pledge) for one subject, policy and
 * period: at most one exists, so a subject is never granted twice for the same period.
 */
export function benefitWorkflowId(policyId: string, subjectKey: string, period: string): string {
  return `grant:${policyId}:${subjectKey}:${period}`;
}

export interface LifeEventInput {
  caseId: string;
  eventType: string;
  subjectKey: string;
  subjectKind: SubjectKind;
  /** YYYY-MM-DD: policies are resolved and evaluated as of this date. */
  eventDate: string;
}

/** A policy version pinned by a case, with what the workflow needs to act on it. */
export interface PolicyPlan {
  ref: PolicyRef;
  title: Text;
  /** The owning department (AfDepartment carries its Chinese name); absent in plans recorded before it was carried. */
  department?: Text;
  mode: PolicyMode;
  benefitKind: string;
  facts: Record<string, { source: string; purpose: string }>;
  offer?: { expiresAfterDays: number; reminderDaysBeforeExpiry: number[] };
  pledge?: { pledgedFacts: string[]; inspectAfterDays: number };
}

export interface DecisionSummary {
  policy: PolicyRef;
  outcome: Outcome;
  /** The date the policy was evaluated as of (the event date); a pledge inspection re-checks as of it too. */
  asOf: string;
  amount?: number;
  period: string;
  missingFacts: string[];
  failedSources: string[];
}

export type CaseAction = 'granted' | 'offered' | 'pledged' | 'already-handled' | 'manual-review' | 'none';

export interface LifeEventResult {
  caseId: string;
  decisions: Array<DecisionSummary & { action: CaseAction; benefitWorkflowId?: string }>;
}

/** The benefit workflow type for each delivery mode, by name (activities start them through a client). */
export const BENEFIT_WORKFLOW_BY_MODE = {
  auto: 'grantBenefit',
  offer: 'offerBenefit',
  pledge: 'pledgeBenefit',
} as const;

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

export const getCaseStageQuery = defineQuery<'resolving' | 'fetching' | 'evaluating' | 'acting' | 'done'>(
  'getCaseStage',
);
export const getBenefitStatusQuery = defineQuery<BenefitStatus>('getBenefitStatus');
/** The citizen confirms an offer (一键确认). */
export const confirmOfferSignal = defineSignal('confirmOffer');
/** The citizen declines an offer. */
export const declineOfferSignal = defineSignal('declineOffer');

// ---- Sweeps (主动办): screening the whole population for one policy ----

/**
 * What a sweep screens: the whole population, or only the subjects whose eligibility horizon
 * (store/horizons.ts) is the sweep's date — the daily milestone sweep.
 */
export type SweepScope = 'population' | 'due';

/** Workflow ID of a sweep: one per policy version, date and scope, so the same sweep never runs twice. */
export function sweepWorkflowId(
  policyId: string,
  version: number,
  asOf: string,
  scope: SweepScope = 'population',
): string {
  return `sweep:${policyId}@${version}:${asOf}${scope === 'due' ? ':due' : ''}`;
}

export type SweepStatus = 'running' | 'paused' | 'cancelled' | 'done';

/** Running totals of a sweep; exact however often a slice is retried (a slice's totals are added once). */
export interface SweepCounts {
  processed: number;
  eligible: number;
  ineligible: number;
  undetermined: number;
  /** Eligible subjects whose grant exists after their slice (auto mode; bulk-written). */
  granted: number;
  /** Of those, grants this sweep wrote; the rest already existed (a life event or an earlier sweep). */
  grantsCreated: number;
  /** Offer or pledge workflows started (offer and pledge modes, throttled). */
  started: number;
  /** Eligible subjects whose benefit workflow for the period already existed. */
  alreadyHandled: number;
  /** Notices queued (bulk). */
  noticesQueued: number;
  /** Ineligible subjects noted to become eligible on a known day within the year (the eligibility horizon). */
  horizonsNoted: number;
}

export interface SweepInput {
  policy: { id: string; version: number };
  /** YYYY-MM-DD: the policy is evaluated as of this date. */
  asOf: string;
  /** Default 'population'. */
  scope?: SweepScope;
  /** Subjects per slice activity (default 20,000): a retried slice redoes at most this many, idempotently. */
  sliceSize?: number;
  /** Offer or pledge workflows started per second at most (default 50). */
  startsPerSecond?: number;
  /** Slices per workflow run before it continues as new (default 100): bounds the history. */
  slicesPerRun?: number;
  /** Who started it (officer name or "schedule"). */
  requestedBy: string;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: SweepCarried;
}

export interface SweepCarried {
  plan: PolicyPlan;
  total: number;
  counts: SweepCounts;
  /** Opaque, encrypted resume position (never a raw ID in the history). */
  cursor?: string;
  slices: number;
  startedAt: string;
  paused: boolean;
  /** Missing facts behind undetermined outcomes so far, with counts. */
  undeterminedCauses: Record<string, number>;
}

export interface SweepProgress extends SweepCounts {
  status: SweepStatus;
  policy: PolicyRef;
  asOf: string;
  total: number;
  slices: number;
  startedAt: string;
  updatedAt: string;
}

export interface SweepSliceResult {
  counts: SweepCounts;
  /** Encrypted position after the slice's last subject; absent when the population is exhausted. */
  cursor?: string;
  /** Missing facts that left subjects undetermined, with counts. */
  undeterminedCauses: Record<string, number>;
}

export const getSweepProgressQuery = defineQuery<SweepProgress>('getSweepProgress');
/** Pause after the slice in flight; resume continues exactly where it stopped. */
export const pauseSweepSignal = defineSignal('pauseSweep');
export const resumeSweepSignal = defineSignal('resumeSweep');
/** Stop after the slice in flight; what was granted stays granted. */
export const cancelSweepSignal = defineSignal('cancelSweep');

// ---- Scheduled sweeps (Temporal Schedules, Asia/Shanghai) ----

/**
 * daily: at 01:00 each day, a due sweep for every date-driven policy in force (the subjects
 * whose eligibility horizon is today); yearly: on 1 January, a population sweep of every policy
 * in force (yearly renewals, and the horizon for the year ahead).
 */
export type SweepScheduleKind = 'daily' | 'yearly';

export interface ScheduledSweepsInput {
  kind: SweepScheduleKind;
  /** The city date to sweep as of; absent, the Shanghai date of the scheduled time (so catch-up runs sweep their own day). */
  asOf?: string;
}

export interface ScheduledSweepsResult {
  kind: SweepScheduleKind;
  asOf: string;
  sweeps: Array<{
    workflowId: string;
    policy: { id: string; version: number };
    status: SweepStatus | 'already-run' | 'failed';
    processed?: number;
    eligible?: number;
    error?: string;
  }>;
}

/** Set by Temporal on scheduled runs: when the run was due (also for catch-up runs after downtime). */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

// ---- Objections (异议): re-evaluation after a correction ----

/** Workflow ID of an objection's re-evaluation: one per objection, ever. */
export function objectionWorkflowId(objectionId: string): string {
  return `objection:${objectionId}`;
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

/** The owning department recorded its correction (the record holds it; the signal carries no value). */
export const objectionCorrectedSignal = defineSignal('objectionCorrected');
/** A supervisor resolved the objection without a correction: re-check as is, or reject (the record holds the reason). */
export const objectionResolvedSignal = defineSignal<['reevaluate' | 'reject']>('objectionResolved');
export const getObjectionStageQuery = defineQuery<ObjectionStage>('getObjectionStage');
/** The objection workflow's type name, for clients that start or signal it. */
export const OBJECTION_WORKFLOW_TYPE = 'objection';
