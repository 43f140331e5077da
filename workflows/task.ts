/**
 * A human task (任务, domain/tasks.ts): one workflow per task keeps its statutory clock on durable
 * timers — at 80 % of the limit the assignee is reminded, once overdue the supervisors are alerted
 * — and takes its completion as the completeTask update. The first valid completion counts: the
 * validator refuses a second one, an outcome kind the type does not take and a bad shape (naming
 * the field), so a refusal leaves no trace in the history. The outcome is recorded once; a type
 * whose outcome changes a case runs its resolution workflow as a child, by name and under one ID,
 * and the update answers with what it did. cancelTask stops the clock with nothing done.
 */
import { ApplicationFailure, condition, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { outcomeProblem } from '../domain/task-outcome.js';
import type { TaskOutcome, TaskType } from '../domain/tasks.js';
import {
  cancelTaskSignal,
  completeTaskUpdate,
  getTaskStateQuery,
  TASK_RESOLUTION_WORKFLOW,
  taskResolutionWorkflowId,
  type CompleteTaskInput,
  type HumanTaskInput,
  type HumanTaskResult,
  type HumanTaskState,
  type TaskResolutionInput,
  type TaskResolutionResult,
  type TaskResolutionWorkflow,
} from './contracts/task.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';

const { remindTask, escalateTask, recordTaskOutcome, recordTaskResolution, cancelTask } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** The resolution workflow of a type, if its outcome changes a case. */
const resolutionOf = (type: TaskType): string | undefined =>
  (TASK_RESOLUTION_WORKFLOW as Partial<Record<TaskType, string>>)[type];

/** What closing a task without a resolution did, in both languages. */
function closedText(outcome: TaskOutcome): TaskResolutionResult['text'] {
  const note = outcome.kind === 'closed' ? outcome.note : outcome.kind;
  return { zh: `任务已办结：${note}`, en: `task closed: ${note}` };
}

export async function humanTask(input: HumanTaskInput): Promise<HumanTaskResult> {
  let completion: CompleteTaskInput | undefined;
  let cancelled: string | undefined;
  let resolving: Promise<TaskResolutionResult> | undefined;
  let done = false;
  let reminded = false;
  let escalated = false;

  /** Refuses what cannot complete the task: a validator, so nothing of a refusal is recorded. */
  const refuse = (given: CompleteTaskInput) => {
    if (completion !== undefined || cancelled !== undefined) {
      const status = completion !== undefined ? 'done' : 'cancelled';
      throw ApplicationFailure.create({
        type: ErrorType.TaskClosed,
        message: `the task is already ${status}`,
        details: [status],
        nonRetryable: true,
      });
    }
    const problem =
      typeof given !== 'object' || given === null
        ? { field: 'outcome', message: 'give { outcome, by }', messageZh: '须提供办结结果和办理人' }
        : outcomeProblem(input.type, given.outcome, { valuesKept: true });
    const by = typeof given === 'object' && given !== null ? given.by : undefined;
    const noActor =
      !problem && !(typeof by?.id === 'string' && by.id !== '' && typeof by.name === 'string' && by.name !== '')
        ? { field: 'by', message: 'name who completes it: { id, name }', messageZh: '须注明办理人（用户编号和姓名）' }
        : undefined;
    const fault = problem ?? noActor;
    if (fault)
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `${fault.field}: ${fault.message}`,
        details: [fault.field, fault.messageZh],
        nonRetryable: true,
      });
  };

  /** Records the outcome, runs the type's resolution (if any) as a child once, and keeps what it did. */
  async function resolve(given: CompleteTaskInput): Promise<TaskResolutionResult> {
    const task = await recordTaskOutcome({ taskKey: input.taskKey, outcome: given.outcome, by: given.by });
    const workflowType = resolutionOf(input.type);
    let result: TaskResolutionResult;
    if (workflowType) {
      const args: [TaskResolutionInput] = [
        {
          taskKey: input.taskKey,
          type: input.type,
          source: task.source,
          ...(task.caseId ? { caseId: task.caseId } : {}),
          ...(task.subjectKey ? { subjectKey: task.subjectKey } : {}),
          ...(task.policyId ? { policyId: task.policyId } : {}),
          outcome: given.outcome,
          by: given.by,
        },
      ];
      result = await executeChild<TaskResolutionWorkflow>(workflowType, {
        workflowId: taskResolutionWorkflowId(input.taskKey),
        args,
      });
    } else result = { action: 'closed', text: closedText(given.outcome) };
    await recordTaskResolution({ taskKey: input.taskKey, resolution: result });
    return result;
  }

  setHandler(
    completeTaskUpdate,
    async (given) => {
      completion = given;
      resolving ??= resolve(given);
      return await resolving;
    },
    { validator: refuse },
  );
  setHandler(cancelTaskSignal, ({ reason }) => {
    if (completion === undefined) cancelled ??= reason;
  });
  setHandler(getTaskStateQuery, (): HumanTaskState => ({
    status: done ? 'done' : resolving ? 'resolving' : cancelled !== undefined ? 'cancelled' : 'open',
    reminded,
    escalated,
  }));

  const closing = () => completion !== undefined || cancelled !== undefined;
  const until = (iso: string) => Math.max(0, Date.parse(iso) - Date.now());

  if (!(await condition(closing, until(input.remindAt)))) {
    await remindTask({ taskKey: input.taskKey });
    reminded = true;
  }
  if (!closing() && !(await condition(closing, until(input.dueAt)))) {
    await escalateTask({ taskKey: input.taskKey });
    escalated = true;
  }
  await condition(closing);

  if (completion !== undefined) {
    const resolution = await resolving!;
    done = true;
    return { status: 'done', resolution };
  }
  await cancelTask({ taskKey: input.taskKey, reason: cancelled! });
  return { status: 'cancelled' };
}
