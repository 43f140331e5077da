/**
 * The human task's contract (workflows/task.ts): one `humanTask` workflow per task keeps its
 * timers (a reminder at 80 % of the statutory limit, escalation to the supervisors when overdue)
 * and takes its completion as an update; a completion that changes a case runs as the task type's
 * resolution workflow (a review re-evaluates the case with the supplied facts; an inspection's
 * finding closes, or revokes, the pledge), started as its child under one ID, so it runs once.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Text } from '../../domain/sources.js';
import type { TaskOutcome, TaskSource, TaskStatus, TaskType } from '../../domain/tasks.js';

/** The human task workflow's type, for the activity that starts it by name. */
export const HUMAN_TASK_WORKFLOW_TYPE = 'humanTask';

const PREFIX = 'task:';

/** Workflow ID of a task's timers and completion: one per task key, ever. */
export function taskWorkflowId(taskKey: string): string {
  return `${PREFIX}${taskKey}`;
}

/** The task key in a human task's workflow ID; undefined for any other ID. */
export function parseTaskWorkflowId(workflowId: string): { taskKey: string } | undefined {
  return workflowId.startsWith(PREFIX) && workflowId.length > PREFIX.length
    ? { taskKey: workflowId.slice(PREFIX.length) }
    : undefined;
}

/** What a human task workflow starts with: its key and deadlines, never a personal value. */
export interface HumanTaskInput {
  taskKey: string;
  type: TaskType;
  /** ISO instants: when the task opened, when its reminder is due, when it is overdue. */
  openedAt: string;
  remindAt: string;
  dueAt: string;
}

/** Who acted: a user by ID, with the display name they had when they acted. */
export interface TaskActor {
  id: string;
  name: string;
}

/** A completion: the outcome (domain/tasks.ts) and who recorded it. */
export interface CompleteTaskInput {
  outcome: TaskOutcome;
  by: TaskActor;
}

/** What a resolution did, for the person who closed the task: an action code and a sentence. */
export interface TaskResolutionResult {
  /** e.g. 'granted', 'offered', 'pledged', 'refused', 'still-undetermined', 'closed', 'revoked', 'passed'. */
  action: string;
  text: Text;
  /** The benefit workflow the resolution started, when it started one. */
  benefitWorkflowId?: string;
}

/** The humanTask workflow's signature (workflows/task.ts), held to it in workflows/workflow-types.check.ts. */
export type HumanTaskWorkflow = (input: HumanTaskInput) => Promise<HumanTaskResult>;

export interface HumanTaskResult {
  status: Extract<TaskStatus, 'done' | 'cancelled'>;
  resolution?: TaskResolutionResult;
}

/** The task's state for a client: where its timers stand. */
export interface HumanTaskState {
  status: TaskStatus | 'resolving';
  reminded: boolean;
  escalated: boolean;
}

export const completeTaskUpdate = defineUpdate<TaskResolutionResult, [CompleteTaskInput]>('completeTask');
/** The cause went away (the case was resolved another way, the subject erased): the timers stop, nothing is done. */
export const cancelTaskSignal = defineSignal<[{ reason: string }]>('cancelTask');
export const getTaskStateQuery = defineQuery<HumanTaskState>('getTaskState');

/**
 * The resolution workflow of each task type whose outcome changes a case, by name (started as the
 * human task's child, ID `${taskWorkflowId}:resolution`). Types absent here close with their outcome alone.
 */
export const TASK_RESOLUTION_WORKFLOW = {
  review: 'reviewResolution',
  inspection: 'inspectionResolution',
  'inconclusive-inspection': 'inspectionResolution',
} as const satisfies Partial<Record<TaskType, string>>;

/** What a resolution workflow starts with: the task as it was opened, and its outcome. */
export interface TaskResolutionInput {
  taskKey: string;
  type: TaskType;
  source: TaskSource;
  caseId?: string;
  subjectKey?: string;
  policyId?: string;
  outcome: TaskOutcome;
  by: TaskActor;
}

export type TaskResolutionWorkflow = (input: TaskResolutionInput) => Promise<TaskResolutionResult>;

/** The resolution's workflow ID: a child of the task, once. */
export const taskResolutionWorkflowId = (taskKey: string): string => `${taskWorkflowId(taskKey)}:resolution`;
