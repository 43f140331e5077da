/**
 * The steps a task's humanTask workflow (workflows/task.ts) takes on its record: the reminder at
 * 80 % of the limit, the escalation to the supervisors when overdue (each with a staff alert,
 * store/staff-alerts.ts), the completion, the resolution's result and a cancellation. Each is a
 * step of store/task-steps.ts guarded by the task's status and keyed alerts, so a retried
 * activity changes nothing twice; a completion of a task already closed by someone else is a
 * non-retryable TaskClosed failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import { TASK_ROLES, TASK_TYPE_TEXT, type TaskOutcome, type TaskSource, type TaskType } from '../domain/tasks.js';
import { alertStaff } from '../store/staff-alerts.js';
import { stepTask } from '../store/task-steps.js';
import { registerTaskModels, type Task } from '../store/tasks.js';
import { ErrorType, type TaskActor, type TaskResolutionResult } from '../workflows/contracts/index.js';

export interface TaskStepDeps {
  store: Connection;
}

/** What a resolution needs of the task as it was opened. */
export interface RecordedTask {
  type: TaskType;
  source: TaskSource;
  caseId?: string;
  subjectKey?: string;
  policyId?: string;
}

const isOpen = (task: Task) => task.status === 'open' || task.status === 'claimed';

const noTask = (taskKey: string) =>
  ApplicationFailure.create({ type: ErrorType.InvalidInput, message: `no task ${taskKey}`, nonRetryable: true });

const recorded = (task: Task): RecordedTask => ({
  type: task.type,
  source: task.source,
  ...(task.caseId ? { caseId: task.caseId } : {}),
  ...(task.subjectKey ? { subjectKey: task.subjectKey } : {}),
  ...(task.policyId ? { policyId: task.policyId } : {}),
});

export function makeTaskStepActivities(deps: TaskStepDeps) {
  const { store } = deps;

  return {
    /** At 80 % of the limit: `remindedAt`, a `reminded` line, and an alert to the assignee (else the type's handlers). */
    async remindTask(input: { taskKey: string }): Promise<{ reminded: boolean }> {
      const at = new Date();
      const done = await stepTask(store, input.taskKey, (task) =>
        isOpen(task) && !task.remindedAt
          ? { fields: { remindedAt: at }, entry: { at, action: 'reminded', note: `due ${cityToday(task.dueAt)}` } }
          : undefined,
      );
      if (!done) throw noTask(input.taskKey);
      const { task } = done;
      if (!task.remindedAt) return { reminded: false };
      const type = TASK_TYPE_TEXT[task.type];
      const due = cityToday(task.dueAt);
      await alertStaff(store, {
        key: `${task.key}:reminded`,
        kind: 'task.reminder',
        taskKey: task.key,
        taskType: task.type,
        ...(task.assigneeId ? { toUserId: task.assigneeId } : {}),
        toRoles: task.assigneeId ? [] : [...TASK_ROLES[task.type]],
        text: {
          zh: `任务即将到期：${type.zh}，须于 ${due} 前办结`,
          en: `task due soon: ${type.en}, to be completed by ${due}`,
        },
        at: task.remindedAt,
      });
      return { reminded: true };
    },

    /** Overdue: `escalatedAt`, an `escalated` line, and an alert to the supervisors. */
    async escalateTask(input: { taskKey: string }): Promise<{ escalated: boolean }> {
      const at = new Date();
      const done = await stepTask(store, input.taskKey, (task) =>
        isOpen(task) && !task.escalatedAt
          ? {
              fields: { escalatedAt: at },
              entry: { at, action: 'escalated', note: `overdue since ${cityToday(task.dueAt)}; supervisors alerted` },
            }
          : undefined,
      );
      if (!done) throw noTask(input.taskKey);
      const { task } = done;
      if (!task.escalatedAt) return { escalated: false };
      const type = TASK_TYPE_TEXT[task.type];
      const due = cityToday(task.dueAt);
      const holder = task.assigneeName ? `，承办人 ${task.assigneeName}` : '，尚无人认领';
      await alertStaff(store, {
        key: `${task.key}:escalated`,
        kind: 'task.escalated',
        taskKey: task.key,
        taskType: task.type,
        toRoles: ['supervisor'],
        text: {
          zh: `任务已超期：${type.zh}，办结时限 ${due}${holder}`,
          en: `task overdue: ${type.en}, due ${due}${task.assigneeName ? `, held by ${task.assigneeName}` : ', unclaimed'}`,
        },
        at: task.escalatedAt,
      });
      return { escalated: true };
    },

    /**
     * Records the outcome once (open or claimed → done) and answers what the resolution needs. The
     * same completion again (a retry) answers the same; any other of a closed task is TaskClosed.
     */
    async recordTaskOutcome(input: { taskKey: string; outcome: TaskOutcome; by: TaskActor }): Promise<RecordedTask> {
      const at = new Date();
      const done = await stepTask(store, input.taskKey, (task) =>
        isOpen(task)
          ? {
              fields: {
                status: 'done',
                outcome: input.outcome,
                completedAt: at,
                completedById: input.by.id,
                completedByName: input.by.name,
              },
              entry: { at, action: 'completed', byId: input.by.id, byName: input.by.name, note: input.outcome.kind },
            }
          : undefined,
      );
      if (!done) throw noTask(input.taskKey);
      const { task, stepped } = done;
      const retried =
        task.status === 'done' &&
        task.completedById === input.by.id &&
        JSON.stringify(task.outcome) === JSON.stringify(input.outcome);
      if (!stepped && !retried)
        throw ApplicationFailure.create({
          type: ErrorType.TaskClosed,
          message: `task ${input.taskKey} is already ${task.status}`,
          details: [task.status],
          nonRetryable: true,
        });
      return recorded(task);
    },

    /** Keeps what the resolution did on the task, for its worklist line and the case timeline. */
    async recordTaskResolution(input: { taskKey: string; resolution: TaskResolutionResult }): Promise<void> {
      await registerTaskModels(store).Task.updateOne(
        { _id: input.taskKey },
        { $set: { resolution: input.resolution } },
      );
    },

    /** The cause went away: open or claimed → cancelled, with the reason. */
    async cancelTask(input: { taskKey: string; reason: string }): Promise<{ cancelled: boolean }> {
      const at = new Date();
      const done = await stepTask(store, input.taskKey, (task) =>
        isOpen(task)
          ? { fields: { status: 'cancelled' }, entry: { at, action: 'cancelled', note: input.reason } }
          : undefined,
      );
      return { cancelled: Boolean(done?.stepped) };
    },
  };
}
