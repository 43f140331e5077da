/**
 * Worklists (任务) for the API, the CLI and the console: each staff role sees the task types it
 * handles (domain/tasks.ts TASK_ROLES; supervisors every type; an inspector only inspections
 * assigned to them or to nobody), overdue first, with counts; a task it may not see is answered as
 * absent. Claiming, releasing (the holder, or a supervisor) and reassigning (a supervisor, to an
 * active user whose role handles the type) are steps on the record (store/task-steps.ts), each a
 * line of its history with who and when. Completing (the holder only) is the task workflow's
 * completeTask update: the outcome is recorded once there, and the type's resolution runs.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { clientStarter } from '../../activities/benefit-start.js';
import { startHumanTask } from '../../activities/tasks.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import { outcomeProblem } from '../../domain/task-outcome.js';
import {
  TASK_ROLES,
  TASK_STATUSES,
  TASK_TYPES,
  type TaskOutcome,
  type TaskStatus,
  type TaskType,
  type TaskView,
} from '../../domain/tasks.js';
import { registerDecisionModels } from '../../store/decisions.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { storePolicySource } from '../../store/policy-source.js';
import { stepTask, type TaskStep } from '../../store/task-steps.js';
import { checkSuppliedFacts, suppliedFactsRefusal } from '../review/supplied-facts.js';
import { registerTaskModels, type Task } from '../../store/tasks.js';
import { findUser, USER_ID_PATTERN, type Role, type User } from '../../store/users.js';
import { completeTaskUpdate, ErrorType, type TaskResolutionResult } from '../../workflows/contracts/index.js';
import { ACTIVE_STATUSES, isOverdue, taskView } from './view.js';

/** A refused task step: a stable code, both languages and the field at fault. */
export class TaskRefusal extends Refusal {}

export interface TaskServiceDeps {
  store: Connection;
  temporal: Client;
  /** The task queue the humanTask workflows run on (a task opened without its workflow gets it here). */
  taskQueue: string;
  /** Where a review's pinned policy is read to check the facts supplied; the store's published versions by default. */
  policies?: PolicySource;
}

/** The worklist's filters, as the query string gives them. */
export interface TaskListQuery {
  type?: string;
  status?: string;
  /** `me`, `none` or a user ID. */
  assignee?: string;
  overdue?: string | boolean;
  department?: string;
  limit?: string | number;
  cursor?: string;
}

/** The counts over the caller's whole worklist (open and claimed tasks of the types they see), whatever the filters. */
export interface TaskCounts {
  open: number;
  claimed: number;
  /** Open or claimed past the due date. */
  overdue: number;
  /** Open or claimed past the reminder (80 % of the limit), not yet overdue. */
  dueSoon: number;
  byType: Partial<Record<TaskType, number>>;
}

export interface TaskList {
  counts: TaskCounts;
  /** Overdue first, then by due date. */
  tasks: TaskView[];
  /** Where the next page starts (`cursor`), when there is one. */
  nextCursor?: string;
}

export interface CompletedTask {
  resolution: TaskResolutionResult;
  task: TaskView;
}

const DEFAULT_LIMIT = 50;
const MOST = 200;

const badFilter = (field: string, message: string, messageZh: string) =>
  new TaskRefusal('BAD_FILTER', message, messageZh, field);
const notFound = (id: string) => new TaskRefusal('TASK_NOT_FOUND', `no task ${id}`, `没有任务 ${id}`, 'id');
const closed = (task: Task) =>
  new TaskRefusal(
    'TASK_CLOSED',
    `task ${task.key} is already ${task.status}`,
    `任务已${task.status === 'done' ? '办结' : '撤销'}`,
    'id',
  );

/** The task types a role handles; a supervisor every one. */
export function typesOf(role: Role): TaskType[] {
  return role === 'supervisor' ? [...TASK_TYPES] : TASK_TYPES.filter((type) => TASK_ROLES[type].includes(role));
}

/** Whether a user's roles handle a type (a supervisor handles all). */
const handles = (roles: readonly Role[], type: TaskType) =>
  roles.includes('supervisor') || roles.some((role) => TASK_ROLES[type].includes(role));

/** The tasks a person may see, as a store filter. */
function visibleFilter(actor: User): Record<string, unknown> {
  const filter: Record<string, unknown> = { type: { $in: typesOf(actor.role) } };
  if (actor.role === 'inspector') filter.$or = [{ assigneeId: actor.id }, { assigneeId: { $exists: false } }];
  return filter;
}

function canSee(actor: User, task: Task): boolean {
  if (!typesOf(actor.role).includes(task.type)) return false;
  return actor.role !== 'inspector' || !task.assigneeId || task.assigneeId === actor.id;
}

/** A page boundary: the due date and key of the last task shown. */
const encodeCursor = (task: Task) =>
  Buffer.from(JSON.stringify({ d: task.dueAt.getTime(), k: task.key })).toString('base64url');
function decodeCursor(cursor: string): { d: number; k: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown; k?: unknown };
    if (typeof parsed.d === 'number' && typeof parsed.k === 'string') return { d: parsed.d, k: parsed.k };
  } catch {
    // answered below
  }
  throw badFilter('cursor', 'not a cursor this list gave (nextCursor)', '不是本列表给出的翻页位置（nextCursor）');
}

/** The task service behind /tasks, `applyfree task` and the console's worklists. */
export function createTaskService(deps: TaskServiceDeps) {
  const { Task: TaskModel } = registerTaskModels(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  const policies = deps.policies ?? storePolicySource(deps.store);
  const workflows = clientStarter(deps.temporal, deps.taskQueue);

  /** The task, if this person may see it; else TASK_NOT_FOUND, as if there were none. */
  async function readable(actor: User, id: string): Promise<Task> {
    const task = await TaskModel.findById(id).lean();
    if (!task || !canSee(actor, task)) throw notFound(id);
    return task;
  }

  /** Takes a step on a task the person may see; the task after it. */
  async function step(actor: User, id: string, decide: (task: Task) => TaskStep | undefined): Promise<TaskView> {
    await readable(actor, id);
    const done = await stepTask(deps.store, id, decide);
    if (!done) throw notFound(id);
    return taskView(done.task);
  }

  async function counts(actor: User, now: Date): Promise<TaskCounts> {
    const active = await TaskModel.find(
      { ...visibleFilter(actor), status: { $in: ACTIVE_STATUSES } },
      { _id: 0, type: 1, status: 1, dueAt: 1, remindAt: 1 },
    ).lean();
    const byType = Object.fromEntries(typesOf(actor.role).map((type) => [type, 0])) as Partial<
      Record<TaskType, number>
    >;
    const tally: TaskCounts = { open: 0, claimed: 0, overdue: 0, dueSoon: 0, byType };
    for (const task of active) {
      if (task.status === 'open') tally.open += 1;
      else tally.claimed += 1;
      if (isOverdue(task, now)) tally.overdue += 1;
      else if (task.remindAt.getTime() <= now.getTime()) tally.dueSoon += 1;
      byType[task.type] = (byType[task.type] ?? 0) + 1;
    }
    return tally;
  }

  /** The list filter from the query: each value checked, naming the one at fault. */
  function listFilter(actor: User, query: TaskListQuery, now: Date): Record<string, unknown> {
    const and: Record<string, unknown>[] = [visibleFilter(actor)];
    if (query.type !== undefined && query.type !== '') {
      if (!TASK_TYPES.includes(query.type as TaskType))
        throw badFilter(
          'type',
          `type is one of ${TASK_TYPES.join(', ')}`,
          `任务类型须为 ${TASK_TYPES.join('、')} 之一`,
        );
      and.push({ type: query.type });
    }
    const status = query.status ?? '';
    if (status !== '' && status !== 'active' && !TASK_STATUSES.includes(status as TaskStatus))
      throw badFilter(
        'status',
        `status is one of active, ${TASK_STATUSES.join(', ')}`,
        `状态须为 active、${TASK_STATUSES.join('、')} 之一`,
      );
    and.push({ status: status === '' || status === 'active' ? { $in: ACTIVE_STATUSES } : status });
    if (query.assignee !== undefined && query.assignee !== '') {
      if (query.assignee === 'me') and.push({ assigneeId: actor.id });
      else if (query.assignee === 'none') and.push({ assigneeId: { $exists: false } });
      else if (USER_ID_PATTERN.test(query.assignee)) and.push({ assigneeId: query.assignee });
      else
        throw badFilter(
          'assignee',
          'assignee is me, none or a user ID (u_…)',
          '承办人须为 me（本人）、none（未认领）或用户编号（u_…）',
        );
    }
    const overdue = String(query.overdue ?? '');
    if (overdue !== '' && overdue !== 'true' && overdue !== 'false')
      throw badFilter('overdue', 'overdue is true or false', 'overdue 须为 true 或 false');
    if (overdue === 'true') and.push({ status: { $in: ACTIVE_STATUSES }, dueAt: { $lt: now } });
    if (query.department) and.push({ department: query.department });
    if (query.cursor) {
      const { d, k } = decodeCursor(query.cursor);
      and.push({ $or: [{ dueAt: { $gt: new Date(d) } }, { dueAt: new Date(d), _id: { $gt: k } }] });
    }
    return { $and: and };
  }

  function limitOf(value: TaskListQuery['limit']): number {
    if (value === undefined || value === '') return DEFAULT_LIMIT;
    const limit = Number(value);
    if (!Number.isInteger(limit) || limit < 1 || limit > MOST)
      throw badFilter('limit', `limit is a whole number from 1 to ${MOST}`, `limit 须为 1 至 ${MOST} 的整数`);
    return limit;
  }

  /**
   * A review's supplied facts, checked against the case's pinned policy (checkSuppliedFacts: the
   * reviewer hears of a wrong fact here, not from a failed workflow), their values kept on the task
   * record, and the outcome without them for the workflow: personal values stay out of histories.
   */
  async function keepSuppliedValues(
    task: Task,
    actor: User,
    outcome: Extract<TaskOutcome, { kind: 'facts-supplied' }>,
  ): Promise<Extract<TaskOutcome, { kind: 'facts-supplied' }>> {
    const decided = task.caseId
      ? await Decision.findById(`${task.caseId}:decision:${task.policyId}`, { policy: 1 }).lean()
      : null;
    const policy = decided ? await policies.version(decided.policy.id, decided.policy.version) : undefined;
    if (policy) {
      const problems = checkSuppliedFacts(policy, outcome.facts);
      if (problems.length > 0) throw suppliedFactsRefusal(problems);
    }
    const kept = await TaskModel.updateOne(
      { _id: task.key, status: { $in: ACTIVE_STATUSES }, assigneeId: actor.id },
      { $set: { suppliedValues: outcome.facts.map(({ fact, value }) => ({ fact, value: value ?? null })) } },
    );
    if (kept.matchedCount === 0) throw closed({ ...task, status: 'done' });
    return { kind: 'facts-supplied', facts: outcome.facts.map(({ fact, provenance }) => ({ fact, provenance })) };
  }

  return {
    /**
     * The caller's worklist: the tasks of the types their role handles, filtered, overdue first
     * (open and claimed tasks past their due date), then by due date; a page of `limit` (50, at
     * most 200) from `cursor`. The counts are over their whole worklist, whatever the filters.
     */
    async list(actor: User, query: TaskListQuery = {}): Promise<TaskList> {
      authorize(actor, 'task.read', TaskRefusal);
      const now = new Date();
      const filter = listFilter(actor, query, now);
      const limit = limitOf(query.limit);
      // By due date: among open and claimed tasks the overdue ones are exactly the earliest due.
      const found = await TaskModel.find(filter)
        .sort({ dueAt: 1, _id: 1 })
        .limit(limit + 1)
        .lean();
      const page = found.slice(0, limit);
      const tasks = page.map((task) => taskView(task, now));
      // Overdue first, whatever else the page holds (a closed task is never overdue).
      tasks.sort((a, b) => Number(b.overdue) - Number(a.overdue));
      return {
        counts: await counts(actor, now),
        tasks,
        ...(found.length > limit ? { nextCursor: encodeCursor(page[page.length - 1]) } : {}),
      };
    },

    /** One task with its history; TASK_NOT_FOUND when there is none, or the caller may not see it. */
    async get(actor: User, id: string): Promise<TaskView> {
      authorize(actor, 'task.read', TaskRefusal);
      return taskView(await readable(actor, id));
    },

    /** Claims an open task; claiming one's own again changes nothing; another's is TASK_CLAIMED. */
    async claim(actor: User, id: string): Promise<TaskView> {
      authorize(actor, 'task.claim', TaskRefusal);
      const at = new Date();
      return step(actor, id, (task) => {
        if (!ACTIVE_STATUSES.includes(task.status)) throw closed(task);
        if (task.status === 'claimed') {
          if (task.assigneeId === actor.id) return undefined;
          throw new TaskRefusal(
            'TASK_CLAIMED',
            `${task.assigneeName ?? 'someone'} (${task.assigneeId ?? '?'}) holds task ${task.key}: they release it, or a supervisor reassigns it`,
            `该任务已由 ${task.assigneeName ?? '他人'} 认领，须其退回或由督查人员改派`,
            'id',
          );
        }
        return {
          fields: { status: 'claimed', assigneeId: actor.id, assigneeName: actor.name, claimedAt: at },
          entry: { at, action: 'claimed', byId: actor.id, byName: actor.name },
        };
      });
    },

    /** Puts a claimed task back on the worklist: its holder, or a supervisor. An open one stays as it is. */
    async release(actor: User, id: string): Promise<TaskView> {
      authorize(actor, 'task.claim', TaskRefusal);
      const at = new Date();
      return step(actor, id, (task) => {
        if (!ACTIVE_STATUSES.includes(task.status)) throw closed(task);
        if (task.status === 'open') return undefined;
        if (task.assigneeId !== actor.id && actor.role !== 'supervisor')
          throw new TaskRefusal(
            'NOT_TASK_HOLDER',
            `${task.assigneeName ?? 'someone else'} holds task ${task.key}: only they or a supervisor release it`,
            `该任务由 ${task.assigneeName ?? '他人'} 承办，只有承办人或督查人员可以退回`,
            'id',
          );
        return {
          fields: { status: 'open', assigneeId: undefined, assigneeName: undefined, claimedAt: undefined },
          entry: {
            at,
            action: 'released',
            byId: actor.id,
            byName: actor.name,
            ...(task.assigneeId !== actor.id ? { note: `from ${task.assigneeName} (${task.assigneeId})` } : {}),
          },
        };
      });
    },

    /**
     * A supervisor assigns a task to a user by ID: an active user whose role handles its type. An
     * unknown ID is UNKNOWN_USER, anyone else NOT_A_HANDLER, both naming `assigneeId`.
     */
    async reassign(actor: User, id: string, body: { assigneeId?: unknown } = {}): Promise<TaskView> {
      authorize(actor, 'task.reassign', TaskRefusal);
      const task = await readable(actor, id);
      const assigneeId = typeof body.assigneeId === 'string' ? body.assigneeId.trim() : '';
      if (!USER_ID_PATTERN.test(assigneeId))
        throw new TaskRefusal(
          'UNKNOWN_USER',
          'name the assignee by user ID (u_ and 16 letters or digits: applyfree user list)',
          '请以用户编号指定承办人（u_ 加16位字母或数字，见 applyfree user list）',
          'assigneeId',
        );
      const user = await findUser(deps.store, assigneeId);
      if (!user) throw new TaskRefusal('UNKNOWN_USER', `no user ${assigneeId}`, `没有用户 ${assigneeId}`, 'assigneeId');
      if (user.status !== 'active' || !handles(user.roles, task.type))
        throw new TaskRefusal(
          'NOT_A_HANDLER',
          `${user.name} (${assigneeId}) is not active staff who handle ${task.type} tasks (${[...TASK_ROLES[task.type], 'supervisor'].join(', ')})`,
          `${user.name}（${assigneeId}）不是办理此类任务的在岗工作人员`,
          'assigneeId',
        );
      const at = new Date();
      return step(actor, id, (current) => {
        if (!ACTIVE_STATUSES.includes(current.status)) throw closed(current);
        if (current.status === 'claimed' && current.assigneeId === user._id) return undefined;
        return {
          fields: { status: 'claimed', assigneeId: user._id, assigneeName: user.name, claimedAt: at },
          entry: {
            at,
            action: 'reassigned',
            byId: actor.id,
            byName: actor.name,
            note: `to ${user.name} (${user._id})${current.assigneeId ? `, from ${current.assigneeName} (${current.assigneeId})` : ''}`,
          },
        };
      });
    },

    /**
     * The holder completes the task with its outcome: sent to its workflow as the completeTask
     * update, which records it once and runs the type's resolution; answers what the resolution
     * did and the task. A closed task is TASK_CLOSED; anyone but the holder NOT_TASK_HOLDER; a bad
     * outcome BAD_REQUEST naming the field.
     */
    async complete(actor: User, id: string, body: { outcome?: unknown } = {}): Promise<CompletedTask> {
      authorize(actor, 'task.complete', TaskRefusal);
      const task = await readable(actor, id);
      if (!ACTIVE_STATUSES.includes(task.status)) throw closed(task);
      if (task.assigneeId !== actor.id)
        throw new TaskRefusal(
          'NOT_TASK_HOLDER',
          task.assigneeId
            ? `${task.assigneeName} (${task.assigneeId}) holds task ${task.key}: only the holder completes it`
            : `claim task ${task.key} first: only its holder completes it`,
          task.assigneeId
            ? `该任务由 ${task.assigneeName} 承办，只有承办人可以办结`
            : '请先认领该任务，只有承办人可以办结',
          'id',
        );
      const problem = outcomeProblem(task.type, body.outcome);
      if (problem) throw new TaskRefusal('BAD_REQUEST', problem.message, problem.messageZh, problem.field);
      let outcome = body.outcome as TaskOutcome;
      if (outcome.kind === 'facts-supplied') outcome = await keepSuppliedValues(task, actor, outcome);
      // A task recorded without its clock (a worker without a client) gets its workflow now.
      await startHumanTask(workflows, {
        taskKey: task.key,
        type: task.type,
        openedAt: task.openedAt.toISOString(),
        remindAt: task.remindAt.toISOString(),
        dueAt: task.dueAt.toISOString(),
      });
      let resolution: TaskResolutionResult;
      try {
        resolution = await deps.temporal.workflow.getHandle(task.workflowId).executeUpdate(completeTaskUpdate, {
          args: [{ outcome, by: { id: actor.id, name: actor.name } }],
        });
      } catch (error) {
        throw refusalOfUpdate(error, task) ?? error;
      }
      return { resolution, task: taskView((await TaskModel.findById(id).lean())!) };
    },
  };
}

/** The workflow's refusal of a completion as the service's own; undefined for any other failure. */
function refusalOfUpdate(error: unknown, task: Task): TaskRefusal | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  if (cause.type === ErrorType.TaskClosed) {
    const [status] = (cause.details ?? []) as [TaskStatus?];
    return closed({ ...task, status: status ?? 'done' });
  }
  if (cause.type === ErrorType.InvalidInput) {
    const [field, messageZh] = (cause.details ?? []) as [string?, string?];
    return new TaskRefusal('BAD_REQUEST', cause.message, messageZh ?? cause.message, field ?? 'outcome');
  }
  return undefined;
}

export type TaskService = ReturnType<typeof createTaskService>;
