/**
 * The sweep routes (/sweeps, 主动筛查): an officer or reviewer requests the sweep of a published
 * version as of a date no later than today, another reviewer approves it and it starts; staff who
 * work with policies (officers, reviewers, supervisors) read progress and the list (security review
 * S14), officers and reviewers pause and resume, and only a reviewer cancels (or declines
 * a request) — domain/permissions.ts, checked before each route runs. Answers hold counts only: no
 * resident ID or credit code.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestSweepInput, SweepService } from '../services/sweeps/service.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { actorOf, identityOf } from './auth.js';
import { staffNamesFor } from './staff-names.js';
import { MAX_SWEEP_PARTS } from '../workflows/contracts/index.js';

/** What the sweep routes need: the sweep helpers (who is signed in comes from the request's session). */
export interface SweepApiDeps {
  sweeps: SweepService;
}

const integer = { type: 'integer' } as const;
const viewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'sweep:<policyId>@<version>:<asOf>' },
    status: { type: 'string', enum: ['awaiting-approval', 'running', 'paused', 'cancelled', 'done', 'failed'] },
    policy: { type: 'object', properties: { id: { type: 'string' }, version: integer, hash: { type: 'string' } } },
    asOf: { type: 'string', format: 'date' },
    total: { ...integer, description: 'subjects to screen' },
    processed: integer,
    eligible: integer,
    ineligible: integer,
    undetermined: integer,
    granted: { ...integer, description: 'eligible subjects whose grant exists (auto mode)' },
    grantsCreated: { ...integer, description: 'of those, grants this sweep wrote' },
    started: { ...integer, description: 'offer or pledge workflows started' },
    alreadyHandled: integer,
    noticesQueued: integer,
    horizonsNoted: { ...integer, description: 'ineligible subjects noted to become eligible on a known day' },
    scope: {
      type: 'string',
      enum: ['population', 'due'],
      description: 'the whole population, or only subjects due today (daily milestone sweep)',
    },
    slices: integer,
    startedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    requestedBy: { type: 'string' },
    requestedById: { type: 'string' },
    approval: {
      type: 'object',
      description:
        'the request behind a sweep a person launched: approved or declined by a reviewer other than the requester',
      properties: {
        status: { type: 'string', enum: ['awaiting-approval', 'approved', 'declined'] },
        backDated: { type: 'boolean', description: 'asOf is in a grant period before the current one: it back-pays' },
        requestedAt: { type: 'string', format: 'date-time' },
        decidedBy: { type: 'string' },
        decidedById: { type: 'string' },
        decidedAt: { type: 'string', format: 'date-time' },
      },
    },
    undeterminedCauses: {
      type: 'array',
      items: { type: 'object', properties: { fact: { type: 'string' }, count: integer } },
    },
    live: { type: 'boolean', description: 'counts read from the running workflow rather than its last record' },
    created: { type: 'boolean', description: 'POST /sweeps: false when this sweep was already requested or run' },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, messageZh: { type: 'string' } },
    },
  },
} as const;
const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the sweep ID, URL-encoded' } },
} as const;
const security = bearerSecurity;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type RequestBody = RequestSweepInput;
type SweepStatusFilter = 'awaiting-approval' | 'running' | 'paused' | 'cancelled' | 'done';

/** Registers /sweeps in its own scope (its own error answers). */
export async function sweepRoutes(app: FastifyInstance, deps: SweepApiDeps): Promise<void> {
  const { sweeps } = deps;
  // Staff read progress (sweep.read); who launched a sweep only those the table lets see staff names (staff.names).
  const names = staffNamesFor(identityOf);

  app.setErrorHandler(answerErrors());

  app.post(
    '/sweeps',
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'Request the sweep of a published policy version as of a date no later than today (officer or reviewer); it starts once another reviewer approves it; the same sweep again returns the one requested · 申请主动筛查',
        body: {
          type: 'object',
          required: ['policyId', 'version'],
          properties: {
            policyId: { type: 'string', minLength: 1, maxLength: 100 },
            version: { type: 'integer', minimum: 1 },
            asOf: {
              type: 'string',
              pattern: '^\\d{4}-\\d{2}-\\d{2}$',
              description: 'YYYY-MM-DD, not after today (FUTURE_AS_OF); default today in the city',
            },
            sliceSize: {
              type: 'integer',
              minimum: 1,
              maximum: 1_000_000,
              description: 'subjects per slice (default 10,000)',
            },
            startsPerSecond: {
              type: 'number',
              minimum: 0,
              maximum: 10_000,
              description: 'offer or pledge workflows started per second at most (default 50)',
            },
            parts: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_SWEEP_PARTS,
              description: `_id ranges screened side by side, each a child workflow with its own cursor (default 1; a population of under two slices a part is cut into fewer) · 并行分段数`,
            },
          },
          additionalProperties: false,
        },
        security,
        response: { 202: viewSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: RequestBody }>, reply) =>
      reply.code(202).send(await sweeps.request(actorOf(request), request.body)),
  );

  app.post(
    '/sweeps/:id/approve',
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'Approve a requested sweep, which then starts (a reviewer other than the requester: FOUR_EYES) · 批准主动筛查',
        params: idParams,
        security,
        response: { 200: viewSchema, ...errors },
      },
    },
    async (request: IdRequest) => sweeps.approve(actorOf(request), request.params.id),
  );

  app.get(
    '/sweeps',
    {
      schema: {
        tags: ['sweeps'],
        summary: 'Sweeps, newest first, with their counts · 主动筛查列表',
        querystring: {
          type: 'object',
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: ['awaiting-approval', 'running', 'paused', 'cancelled', 'done'] },
            limit: { type: 'integer', minimum: 1, maximum: 500, description: 'the newest this many (default 100)' },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: { type: 'array', items: viewSchema }, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (
      request: FastifyRequest<{
        Querystring: { policyId?: string; status?: SweepStatusFilter; limit?: number };
      }>,
    ) => {
      const shown = await names(request);
      return (await sweeps.list(request.query)).map(shown);
    },
  );

  app.get(
    '/sweeps/:id',
    {
      schema: {
        tags: ['sweeps'],
        summary: 'One sweep’s progress: live while it runs, its record once it has ended · 筛查进度',
        params: idParams,
        security,
        response: { 200: viewSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: IdRequest) => (await names(request))(await sweeps.progress(request.params.id)),
  );

  const steer = (action: 'pause' | 'resume' | 'cancel', summary: string) =>
    app.post(
      `/sweeps/:id/${action}`,
      { schema: { tags: ['sweeps'], summary, params: idParams, security, response: { 200: viewSchema, ...errors } } },
      async (request: IdRequest) =>
        action === 'cancel' ? sweeps.cancel(request.params.id, actorOf(request)) : sweeps[action](request.params.id),
    );
  steer('pause', 'Pause after the slice in flight (officer or reviewer) · 暂停筛查');
  steer('resume', 'Resume exactly where it paused (officer or reviewer) · 继续筛查');
  steer(
    'cancel',
    'Stop for good after the slice in flight, what was granted staying granted; or decline a request awaiting approval (reviewer) · 取消筛查',
  );
}
