/**
 * What every workflow family shares: the task queue, how activities are called, the custom
 * search attribute keys, the failure types, and the pinned policy plan and decision that cases,
 * benefit workflows and sweeps all carry. No Node or database imports: workflows load it too.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Text } from '../../domain/sources.js';
import type { Outcome, PolicyMode, PolicyRef } from '../../rules/types.js';

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

/** Failure types (ApplicationFailure.type) thrown by activities, and by update validators to refuse a message. */
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
  // Update validators: the offer was already answered or has expired (details: [its status]).
  OfferClosed = 'OfferClosed',
  // Update validators: the sweep has ended or is being cancelled (details: [done or cancelled]).
  SweepFinished = 'SweepFinished',
  // Update validators and task activities: the task is already done or cancelled (details: [its status]).
  TaskClosed = 'TaskClosed',
  // Update validators of signPledge: the notice signed is not the one sent (details: [the notice's hash]),
  // the pledge is already signed, or its signing period is over.
  NoticeChanged = 'NoticeChanged',
  AlreadySigned = 'AlreadySigned',
  PledgeExpired = 'PledgeExpired',
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
  /** The pledge's timing and checks; the optional fields are absent in plans of policies that set none (rules/types.ts says the defaults). */
  pledge?: {
    pledgedFacts: string[];
    inspectAfterDays: number;
    signWithinDays?: number;
    creditBlockDays?: number;
    onSiteShare?: number;
    highRiskAmount?: number;
  };
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
  /**
   * The fact snapshot the decision was taken on when it is not the case's own (`${caseId}:facts:${policyId}`):
   * a review's, holding the facts a reviewer supplied; the grant's certificates are made from it.
   */
  factsKey?: string;
}

/** The owning departments of plans, by Chinese name, once each: the AfDepartment search attribute's value. */
export function departmentsOf(plans: readonly PolicyPlan[]): string[] {
  return [...new Set(plans.flatMap((plan) => (plan.department ? [plan.department.zh] : [])))];
}
