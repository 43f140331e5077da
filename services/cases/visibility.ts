/**
 * Case search in Temporal visibility: life-event cases by the custom search attributes
 * (workflows/contracts/), which carry pseudonymous keys and codes only. Values are quoted
 * for the visibility query language, so a filter cannot change the query's meaning.
 */
import type { Client } from '@temporalio/client';
import {
  isCaseStatus,
  LIFE_EVENT_WORKFLOW_TYPE,
  SearchAttributes,
  type CaseStatus,
  type LifeEventCaseStatus,
} from '../../workflows/contracts/index.js';

/** What visibility knows of a case. */
export interface VisibleCase {
  caseId: string;
  runId: string;
  execution: string;
  startedAt: string;
  subjectKey?: string;
  eventType?: string;
  policyIds: string[];
  caseStatus?: CaseStatus;
  outcome?: string;
  departments: string[];
}

export interface VisibilityFilter {
  subjectKey?: string;
  policy?: string;
  eventType?: string;
  status?: LifeEventCaseStatus;
  outcome?: string;
  fromAt?: Date;
  toAt?: Date;
  taskQueue?: string;
  limit: number;
}

/** A status visibility holds, if the contract knows it: a value from elsewhere is left out, not passed on. */
const caseStatusOf = (value: string | undefined) => (isCaseStatus(value) ? { caseStatus: value } : {});

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query for a filter: life-event cases only, every given filter ANDed. */
export function visibilityQuery(filter: Omit<VisibilityFilter, 'limit'>): string {
  const clauses = [`WorkflowType = ${quote(LIFE_EVENT_WORKFLOW_TYPE)}`];
  if (filter.taskQueue) clauses.push(`TaskQueue = ${quote(filter.taskQueue)}`);
  if (filter.subjectKey) clauses.push(`${SearchAttributes.subjectKey.name} = ${quote(filter.subjectKey)}`);
  if (filter.eventType) clauses.push(`${SearchAttributes.eventType.name} = ${quote(filter.eventType)}`);
  if (filter.policy) clauses.push(`${SearchAttributes.policyIds.name} = ${quote(filter.policy)}`);
  if (filter.status) clauses.push(`${SearchAttributes.caseStatus.name} = ${quote(filter.status)}`);
  if (filter.outcome) clauses.push(`${SearchAttributes.outcome.name} = ${quote(filter.outcome)}`);
  if (filter.fromAt) clauses.push(`StartTime >= ${quote(filter.fromAt.toISOString())}`);
  if (filter.toAt) clauses.push(`StartTime < ${quote(filter.toAt.toISOString())}`);
  return clauses.join(' AND ');
}

/** Cases visibility lists for the filter, newest first, at most `limit`. Throws when visibility does not answer. */
export async function searchVisibility(temporal: Client, filter: VisibilityFilter): Promise<VisibleCase[]> {
  const found: VisibleCase[] = [];
  for await (const info of temporal.workflow.list({
    query: visibilityQuery(filter),
    pageSize: Math.min(filter.limit, 1000),
  })) {
    const attributes = info.typedSearchAttributes;
    found.push({
      caseId: info.workflowId,
      runId: info.runId,
      execution: info.status.name,
      startedAt: info.startTime.toISOString(),
      subjectKey: attributes.get(SearchAttributes.subjectKey),
      eventType: attributes.get(SearchAttributes.eventType),
      policyIds: attributes.get(SearchAttributes.policyIds) ?? [],
      ...caseStatusOf(attributes.get(SearchAttributes.caseStatus)),
      outcome: attributes.get(SearchAttributes.outcome),
      departments: attributes.get(SearchAttributes.department) ?? [],
    });
    if (found.length >= filter.limit) break;
  }
  return found;
}
