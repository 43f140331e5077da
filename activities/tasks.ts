/**
 * Opening a human task (domain/tasks.ts): the task's record, once by its key (`$setOnInsert`), and
 * its `humanTask` workflow, once by its ID (a second start is the same workflow). A retried
 * activity, a replayed workflow or a duplicate event opens nothing new. Without a workflow starter
 * (a worker built without a Temporal client) the record is written and its timers are not kept.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { DEFAULT_TIME_LIMIT_DAYS, taskDeadlines, type TaskSource, type TaskType } from '../domain/tasks.js';
import { registerTaskModels } from '../store/tasks.js';
import { HUMAN_TASK_WORKFLOW_TYPE, taskWorkflowId, type HumanTaskInput } from '../workflows/contracts/index.js';
import type { BenefitStarter } from './benefit-start.js';

export interface OpenTaskInput {
  /** The task's business key, derived from its source's (e.g. `${caseId}:manual:${policyId}`): never a raw ID. */
  key: string;
  type: TaskType;
  source: TaskSource;
  caseId?: string;
  subjectKey?: string;
  policyId?: string;
  department?: string;
  missingFacts?: string[];
  failedSources?: string[];
  /** The policy's statutory limit for this type, in calendar days; absent, the type's default. */
  timeLimitDays?: number;
  /** When the task opened (ISO); absent, now. A migration passes the original opening time. */
  openedAt?: string;
  migratedFrom?: string;
}

export interface TaskDeps {
  store: Connection;
  workflows?: BenefitStarter;
}

/** Opens a task and starts its timers; `created` is false when it already existed. */
export async function openTask(
  deps: TaskDeps,
  input: OpenTaskInput,
): Promise<{ created: boolean; workflowId: string }> {
  const { Task } = registerTaskModels(deps.store);
  const timeLimitDays = input.timeLimitDays ?? DEFAULT_TIME_LIMIT_DAYS[input.type];
  const openedAt = input.openedAt ? new Date(input.openedAt) : new Date();
  const { remindAt, dueAt } = taskDeadlines(openedAt, timeLimitDays);
  const workflowId = taskWorkflowId(input.key);
  const result = await Task.updateOne(
    { _id: input.key },
    {
      $setOnInsert: {
        key: input.key,
        type: input.type,
        status: 'open',
        source: input.source,
        ...(input.caseId ? { caseId: input.caseId } : {}),
        ...(input.subjectKey ? { subjectKey: input.subjectKey } : {}),
        ...(input.policyId ? { policyId: input.policyId } : {}),
        ...(input.department ? { department: input.department } : {}),
        missingFacts: input.missingFacts ?? [],
        failedSources: input.failedSources ?? [],
        timeLimitDays,
        openedAt,
        remindAt,
        dueAt,
        workflowId,
        ...(input.migratedFrom ? { migratedFrom: input.migratedFrom } : {}),
        history: [{ at: openedAt, action: 'opened' }],
      },
    },
    { upsert: true },
  );
  // The stored deadlines win over this attempt's: a retry an hour later keeps the first opening's clock.
  const stored = await Task.findById(input.key, { type: 1, openedAt: 1, remindAt: 1, dueAt: 1, status: 1 }).lean();
  if (deps.workflows && stored && (stored.status === 'open' || stored.status === 'claimed')) {
    await startHumanTask(deps.workflows, {
      taskKey: input.key,
      type: stored.type,
      openedAt: stored.openedAt.toISOString(),
      remindAt: stored.remindAt.toISOString(),
      dueAt: stored.dueAt.toISOString(),
    });
  }
  return { created: result.upsertedCount === 1, workflowId };
}

/** Starts a task's humanTask workflow under its one ID; a second start (a retry, a migration run again) is the same workflow. */
export async function startHumanTask(workflows: BenefitStarter, args: HumanTaskInput): Promise<void> {
  try {
    await workflows.starter.start(HUMAN_TASK_WORKFLOW_TYPE, {
      workflowId: taskWorkflowId(args.taskKey),
      taskQueue: workflows.taskQueue,
      args: [args],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
