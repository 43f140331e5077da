/**
 * Tasks: the human steps (domain/tasks.ts). One per business key (`_id`), opened by an activity
 * with `$setOnInsert` so a retried or duplicated opening is the same task; claims, releases and
 * completions are conditional updates on the status (a second completion matches nothing). The
 * `humanTask` workflow of each task (workflows/task.ts) keeps its timers; this record is what the
 * worklists read.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import type { TaskEntry, TaskOutcome, TaskSource, TaskStatus, TaskType } from '../domain/tasks.js';
import { TASK_STATUSES, TASK_TYPES } from '../domain/tasks.js';

export interface Task {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  type: TaskType;
  status: TaskStatus;
  source: TaskSource;
  caseId?: string;
  subjectKey?: string;
  policyId?: string;
  department?: string;
  missingFacts: string[];
  failedSources: string[];
  timeLimitDays: number;
  openedAt: Date;
  remindAt: Date;
  dueAt: Date;
  /** The humanTask workflow that keeps this task's timers (workflows/contracts/task.ts). */
  workflowId: string;
  assigneeId?: string;
  assigneeName?: string;
  claimedAt?: Date;
  remindedAt?: Date;
  escalatedAt?: Date;
  outcome?: TaskOutcome;
  completedAt?: Date;
  completedById?: string;
  completedByName?: string;
  /** What the task's resolution did (workflows/contracts/task.ts TaskResolutionResult), once it ran. */
  resolution?: { action: string; text: { zh: string; en: string }; benefitWorkflowId?: string };
  /**
   * How many steps the record has taken (store/task-steps.ts): each step is claimed under the
   * revision it starts from, so two people claiming at once make one claim. Absent before the first.
   */
  rev?: number;
  /**
   * A review's supplied values, kept here rather than in the completion the workflow records
   * (personal values stay out of histories); the review's resolution reads them (activities/review.ts).
   */
  suppliedValues?: Array<{ fact: string; value: string | number | boolean | null }>;
  /** Set on rows the one-time migration made from `manual_tasks` (services/tasks/migrate.ts). */
  migratedFrom?: string;
  history: TaskEntry[];
}

const taskSchema = new Schema<Task>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true, enum: TASK_TYPES },
    status: { type: String, required: true, enum: TASK_STATUSES },
    source: { kind: { type: String, required: true }, key: { type: String, required: true } },
    caseId: String,
    subjectKey: String,
    policyId: String,
    department: String,
    missingFacts: { type: [String], default: [] },
    failedSources: { type: [String], default: [] },
    timeLimitDays: { type: Number, required: true },
    openedAt: { type: Date, required: true },
    remindAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    workflowId: { type: String, required: true },
    assigneeId: String,
    assigneeName: String,
    claimedAt: Date,
    remindedAt: Date,
    escalatedAt: Date,
    outcome: Schema.Types.Mixed,
    completedAt: Date,
    completedById: String,
    completedByName: String,
    resolution: Schema.Types.Mixed,
    rev: Number,
    suppliedValues: { type: [{ fact: String, value: Schema.Types.Mixed, _id: false }], default: undefined },
    migratedFrom: String,
    history: {
      type: [{ at: Date, action: String, byId: String, byName: String, note: String, _id: false }],
      default: [],
    },
  },
  { collection: 'tasks', versionKey: false, minimize: false },
);
taskSchema.index({ key: 1 }, { unique: true });
idFromKey(taskSchema, 'key');
/** Worklists: open work by due date (overdue first), by type, by assignee. */
taskSchema.index({ status: 1, dueAt: 1 });
taskSchema.index({ type: 1, status: 1, dueAt: 1 });
taskSchema.index({ assigneeId: 1, status: 1 });
/** A case's tasks in its timeline; a person's in the service window. */
taskSchema.index({ caseId: 1 });
taskSchema.index({ subjectKey: 1 });

export function registerTaskModels(connection: Connection): { Task: Model<Task> } {
  return { Task: (connection.models.Task as Model<Task>) ?? connection.model<Task>('Task', taskSchema) };
}
