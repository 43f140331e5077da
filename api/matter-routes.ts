/**
 * The list of matters (用证事项清单) over HTTP. Public and read-only: the list in force — each
 * matter's department, legal basis, level, time limit, form fields and the proofs it used to ask
 * for with how each is obtained now, whether it is fully proof-free, counts by replacement method,
 * the version, its date and whether it is stale (older than six months) — one matter, and every
 * published version. Drafts are staff work: officers draft the whole next list and submit it, a
 * second person (a reviewer) approves, which publishes it (services/matters/service.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MattersService } from '../services/matters/service.js';
import type { MatterDraftStatus } from '../store/matter-versions.js';
import type { SubjectKind } from '../domain/sources.js';
import { actorOf } from './auth.js';
import { MATTERS_BODY_LIMIT } from './edge.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema } from './schemas.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const idParams = (what: string) =>
  ({
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', maxLength: 120, description: what } },
  }) as const;
const noteBody = (required: boolean) =>
  ({
    type: 'object',
    ...(required ? { required: ['note'] } : {}),
    properties: {
      note: { type: 'string', maxLength: 2000, description: required ? 'why (required)' : 'optional remark' },
    },
    additionalProperties: false,
  }) as const;
const STATUSES: readonly MatterDraftStatus[] = ['draft', 'submitted', 'approved', 'published', 'rejected'];

type DraftRequest = FastifyRequest<{ Params: { id: string }; Body: { note?: string } | undefined }>;

/** Registers /matters (public) and /matters/drafts (staff). */
export async function matterRoutes(app: FastifyInstance, deps: { matters: MattersService }): Promise<void> {
  const { matters } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/matters',
    {
      schema: {
        tags: ['matters'],
        summary:
          'The list of matters in force: each matter with the proofs it used to require and how each is obtained now, proof-free or not; counts by replacement method, version, date, stale flag; filter by subject or department · 用证事项清单',
        querystring: {
          type: 'object',
          properties: {
            subject: { type: 'string', enum: ['person', 'enterprise'] },
            department: { type: 'string', maxLength: 64, pattern: '^[a-z][a-z0-9-]*$' },
          },
          additionalProperties: false,
        },
        response: { 400: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { subject?: SubjectKind; department?: string } }>, reply) =>
      reply.header('cache-control', 'no-cache').send(await matters.list(request.query)),
  );

  app.get(
    '/matters/versions',
    {
      schema: {
        tags: ['matters'],
        summary: 'Every published version of the list of matters, newest first: its date and what it added · 清单版本',
      },
    },
    async () => matters.versions(),
  );

  app.get(
    '/matters/drafts',
    {
      schema: {
        tags: ['matters'],
        summary: 'Drafts of the list of matters, newest first (officers, reviewers, supervisors) · 清单草稿',
        querystring: { type: 'object', properties: { status: { type: 'string', enum: [...STATUSES] } } },
        security: bearerSecurity,
        response: { 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { status?: MatterDraftStatus } }>) =>
      matters.drafts({ status: request.query.status }),
  );

  app.post(
    '/matters/drafts',
    {
      bodyLimit: MATTERS_BODY_LIMIT,
      schema: {
        tags: ['matters'],
        summary:
          'Draft the next version of the list (officer): {matters: [...]}, the whole list; refused with every problem at its path, a dropped matter named (只增不减) · 起草清单新版本',
        body: { type: 'object', required: ['matters'], properties: { matters: { type: 'array' } } },
        security: bearerSecurity,
        response: errors,
      },
    },
    async (request: FastifyRequest<{ Body: unknown }>, reply) =>
      reply.code(201).send(await matters.draft(actorOf(request), request.body)),
  );

  app.get(
    '/matters/drafts/:id',
    {
      schema: {
        tags: ['matters'],
        summary:
          'One draft of the list with its matters, history and what it would be refused for now (officers, reviewers, supervisors) · 查看清单草稿',
        params: idParams('draft ID'),
        security: bearerSecurity,
        response: { 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: DraftRequest) => matters.get(request.params.id),
  );

  const step = (
    path: string,
    summary: string,
    run: (request: DraftRequest) => Promise<unknown>,
    body: ReturnType<typeof noteBody>,
  ) =>
    app.post(
      `/matters/drafts/:id/${path}`,
      {
        schema: {
          tags: ['matters'],
          summary,
          params: idParams('draft ID'),
          body,
          security: bearerSecurity,
          response: errors,
        },
      },
      async (request: DraftRequest) => run(request),
    );
  step(
    'submit',
    'Submit a draft of the list for review (officer) · 提交审核',
    (r) => matters.submit(actorOf(r), r.params.id, r.body?.note),
    noteBody(false),
  );
  step(
    'approve',
    'Approve and publish as the list’s next version, in force at once (reviewer; not the drafter or submitter: FOUR_EYES); a retry publishes once · 批准并发布',
    (r) => matters.approve(actorOf(r), r.params.id, r.body?.note),
    noteBody(false),
  );
  step(
    'reject',
    'Send a submitted draft back, saying why (reviewer) · 退回',
    (r) => matters.reject(actorOf(r), r.params.id, r.body?.note ?? ''),
    noteBody(true),
  );

  // After /matters/versions and /matters/drafts: a matter's ID never takes those names (kebab-case, checked).
  app.get(
    '/matters/:id',
    {
      schema: {
        tags: ['matters'],
        summary: 'One matter of the list in force, with its proofs and how each is obtained now · 事项详情',
        params: idParams('matter ID (kebab-case)'),
        response: { 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => matters.matter(request.params.id),
  );
}
