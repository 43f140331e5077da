/**
 * The one contracts file: task queues, workflow ID helpers, search attribute keys,
 * signal/query definitions, DTOs and error types. Imported by workflows, activities,
 * workers and clients alike, so it holds no Node or database imports.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

/** Temporal task queue served by the applyfree worker. */
export const TASK_QUEUE = 'applyfree';

/** BullMQ queue that carries notices to the channel workers (inbox, webhook). */
export const NOTICE_QUEUE = 'applyfree-notices';

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
