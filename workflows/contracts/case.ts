/**
 * The life-event case's contract (workflows/life-event.ts): its business-key ID, input and
 * result, its stage query, the case statuses it and the objection workflow publish in
 * AfCaseStatus, and the patch that added AfOutcome and AfDepartment to case search.
 */
import { defineQuery } from '@temporalio/workflow';
import type { SubjectKind } from '../../domain/sources.js';
import { SearchAttributes, type DecisionSummary } from './shared.js';

/** The case's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const LIFE_EVENT_WORKFLOW_TYPE = 'lifeEvent';

const PREFIX = 'life-event:';

/** A case ID as a pattern (the HTTP API's path check); parseLifeEventWorkflowId is the same rule. */
export const LIFE_EVENT_WORKFLOW_ID_PATTERN = `^${PREFIX}.+`;

/** Workflow ID of a life-event case: the first delivery's source event ID. */
export function lifeEventWorkflowId(sourceEventId: string): string {
  return `${PREFIX}${sourceEventId}`;
}

/** The source event ID in a case's workflow ID; undefined for any other ID. */
export function parseLifeEventWorkflowId(workflowId: string): { sourceEventId: string } | undefined {
  return workflowId.startsWith(PREFIX) && workflowId.length > PREFIX.length
    ? { sourceEventId: workflowId.slice(PREFIX.length) }
    : undefined;
}

/** Whether an ID (say, a grant's caseId) names a life-event case rather than a sweep or an objection. */
export function isLifeEventWorkflowId(workflowId: string): boolean {
  return parseLifeEventWorkflowId(workflowId) !== undefined;
}

/** A case as people type it: its workflow ID, or the source event ID it was started by (the CLI takes both). */
export function lifeEventWorkflowIdFromInput(text: string): string {
  return isLifeEventWorkflowId(text) ? text : lifeEventWorkflowId(text);
}

export interface LifeEventInput {
  caseId: string;
  eventType: string;
  subjectKey: string;
  subjectKind: SubjectKind;
  /** YYYY-MM-DD: policies are resolved and evaluated as of this date. */
  eventDate: string;
}

export type CaseAction = 'granted' | 'offered' | 'pledged' | 'already-handled' | 'manual-review' | 'none';

export interface LifeEventResult {
  caseId: string;
  decisions: Array<DecisionSummary & { action: CaseAction; benefitWorkflowId?: string }>;
}

export type LifeEventWorkflow = (input: LifeEventInput) => Promise<LifeEventResult>;

/** Where a running case is: the stage query's answer. */
export type CaseStage = 'resolving' | 'fetching' | 'evaluating' | 'acting' | 'done';
export const getCaseStageQuery = defineQuery<CaseStage>('getCaseStage');

/**
 * Every value AfCaseStatus takes: `started` when ingestion starts a case, `evaluating` once its
 * policies are resolved, `decided` when it has acted; an objection's workflow ends
 * `objection-rejected` or `objection-resolved`.
 */
export const CaseStatus = {
  started: 'started',
  evaluating: 'evaluating',
  decided: 'decided',
  objectionRejected: 'objection-rejected',
  objectionResolved: 'objection-resolved',
} as const;
export type CaseStatus = (typeof CaseStatus)[keyof typeof CaseStatus];

/** The statuses a life-event case goes through, in order: what case search filters on. */
export const LIFE_EVENT_CASE_STATUSES = [CaseStatus.started, CaseStatus.evaluating, CaseStatus.decided] as const;
export type LifeEventCaseStatus = (typeof LIFE_EVENT_CASE_STATUSES)[number];

/** A status read back from visibility, if it is one this contract knows. */
export function isCaseStatus(value: unknown): value is CaseStatus {
  return (Object.values(CaseStatus) as unknown[]).includes(value);
}

/** The AfCaseStatus search attribute pair for a status: the only way a status is written. */
export function caseStatusAttribute(status: CaseStatus) {
  return { key: SearchAttributes.caseStatus, value: status };
}

/**
 * Patch (issue 5): cases set AfOutcome and AfDepartment once decided, and the benefit workflows
 * they start carry AfDepartment. Pinned by life-event-birth-granted@case-search-outcome-department.
 */
export const CASE_SEARCH_OUTCOME_DEPARTMENT_PATCH = 'case-search-outcome-department';

/**
 * Patch (issue 17, item 2): a case resolves its policies in a local activity and decides them in
 * one more (`decideCase`: every policy's facts from one read per source, the snapshots and the
 * decisions each written in one bulk insert), instead of three activities and one collectFacts per
 * policy. Pinned by life-event-birth-granted@case-one-read and life-event-sixtieth-offered@case-one-read.
 */
export const CASE_ONE_READ_PATCH = 'case-one-read';
