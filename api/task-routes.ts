/**
 * Worklists over HTTP (/tasks, 任务): list with filters and counts (overdue first), read one,
 * claim, release, reassign (a supervisor) and complete (the holder) a task. Who may is
 * domain/permissions.ts, checked before each route runs; which tasks a role sees, and who holds a
 * task, is decided in services/tasks/service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FINDINGS, PROVENANCE_KINDS, TASK_STATUSES, TASK_TYPES } from '../domain/tasks.js';
import type { TaskListQuery, TaskService } from '../services/tasks/service.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface TaskApiDeps {
  tasks: TaskService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const security = bearerSecurity;
const text = textSchema;
const open = { type: 'object', additionalProperties: true } as const;

const resolutionSchema = {
  type: 'object',
  properties: { action: { type: 'string' }, text, benefitWorkflowId: { type: 'string' } },
} as const;

const taskSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: [...TASK_TYPES] },
    status: { type: 'string', enum: [...TASK_STATUSES] },
    title: text,
    source: { type: 'object', properties: { kind: { type: 'string' }, key: { type: 'string' } } },
    caseId: { type: 'string' },
    subjectKey: { type: 'string' },
    policyId: { type: 'string' },
    department: { type: 'string' },
    missingFacts: { type: 'array', items: { type: 'string' } },
    failedSources: { type: 'array', items: { type: 'string' } },
    timeLimitDays: { type: 'number' },
    openedAt: { type: 'string' },
    remindAt: { type: 'string' },
    dueAt: { type: 'string' },
    overdue: { type: 'boolean' },
    assigneeId: { type: 'string' },
    assigneeName: { type: 'string' },
    escalatedAt: { type: 'string' },
    outcome: { ...open, description: 'facts-supplied, decided, finding or closed (domain/tasks.ts TaskOutcome)' },
    completedAt: { type: 'string' },
    completedById: { type: 'string' },
    completedByName: { type: 'string' },
    resolution: resolutionSchema,
    migratedFrom: { type: 'string' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          action: { type: 'string' },
          byId: { type: 'string' },
          byName: { type: 'string' },
          note: { type: 'string' },
        },
      },
    },
  },
} as const;

const countsSchema = {
  type: 'object',
  properties: {
    open: { type: 'number' },
    claimed: { type: 'number' },
    overdue: { type: 'number' },
    dueSoon: { type: 'number' },
    byType: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 400 } },
} as const;

const outcomeSchema = {
  type: 'object',
  required: ['kind'],
  description: `by type: review facts-supplied { facts: [{ fact, value, provenance: { kind (${PROVENANCE_KINDS.join(', ')}), reference, note? } }] } or decided { outcome: eligible|ineligible, reason }; inspection and inconclusive-inspection finding { finding (${FINDINGS.join(', ')}), notes, evidence: [] }; any other closed { note }`,
  properties: { kind: { type: 'string', enum: ['facts-supplied', 'decided', 'finding', 'closed'] } },
  additionalProperties: true,
} as const;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** Registers /tasks in its own scope (its own error answers). */
export async function taskRoutes(app: FastifyInstance, deps: TaskApiDeps): Promise<void> {
  const { tasks } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'The caller’s worklist: the task types their role handles, overdue first and marked, then by due date, with counts · 待办任务',
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', maxLength: 40 },
            status: {
              type: 'string',
              maxLength: 20,
              description: 'active (open and claimed, the default) or one status',
            },
            assignee: { type: 'string', maxLength: 40, description: 'me, none or a user ID' },
            overdue: { type: 'string', enum: ['true', 'false'] },
            department: { type: 'string', maxLength: 100 },
            limit: { type: 'string', maxLength: 4, description: '1 to 200, default 50' },
            cursor: { type: 'string', maxLength: 400, description: 'nextCursor of the page before' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              counts: countsSchema,
              tasks: { type: 'array', items: taskSchema },
              nextCursor: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: TaskListQuery }>) => tasks.list(actorOf(request), request.query),
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One task with its history (404 when the caller’s role does not handle it) · 任务详情',
        params: idParams,
        security,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request: IdRequest) => tasks.get(actorOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/claim',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Claim an open task (staff who handle its type) · 认领任务',
        params: idParams,
        security,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request: IdRequest) => tasks.claim(actorOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/release',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Put a claimed task back on the worklist (its holder, or a supervisor) · 退回任务',
        params: idParams,
        security,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request: IdRequest) => tasks.release(actorOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/reassign',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Assign a task to active staff who handle its type, by user ID (supervisor) · 指派或改派任务',
        params: idParams,
        body: {
          type: 'object',
          properties: { assigneeId: { type: 'string', maxLength: 40 } },
          additionalProperties: false,
        },
        security,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { assigneeId?: string } | undefined }>) =>
      tasks.reassign(actorOf(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/tasks/:id/complete',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'Complete a task with its outcome (its holder): a review re-evaluates the case, an inspection’s finding closes or revokes the pledge; answers what was done · 办结任务',
        params: idParams,
        body: {
          type: 'object',
          properties: { outcome: outcomeSchema },
          additionalProperties: false,
        },
        security,
        response: {
          200: { type: 'object', properties: { resolution: resolutionSchema, task: taskSchema } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { outcome?: unknown } | undefined }>) =>
      tasks.complete(actorOf(request), request.params.id, request.body ?? {}),
  );
}
