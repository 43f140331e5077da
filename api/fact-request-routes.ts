/**
 * Fact requests over HTTP (数据需求, services/fact-requests/service.ts). Staff, with their token:
 * officers file (`POST /fact-requests`) and withdraw their own; officers, reviewers and supervisors
 * read them. Departments, with their signed request (as they publish events, api/auth.ts): list what
 * is asked of them (`/department/fact-requests`) and answer it — the fact added to one of their
 * sources as a catalog draft, or a refusal with a reason. Who may is domain/permissions.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FACT_REQUEST_STATUSES, type FactRequestFiling, type FactRequestStatus } from '../domain/fact-requests.js';
import type { FactField } from '../domain/sources.js';
import type { FactRequestQuery, FactRequestService } from '../services/fact-requests/service.js';
import { actorOf, departmentOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface FactRequestApiDeps {
  factRequests: FactRequestService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const departmentSecurity = [{ department: [] }];
const factTypes = ['date', 'number', 'boolean', 'string'] as const;

const answer = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['fact-added', 'refused'] },
    sourceId: { type: 'string' },
    factKey: { type: 'string' },
    draftId: { type: 'string', description: 'the catalog draft that adds the fact, for a second person to publish' },
    reason: { type: 'string' },
  },
} as const;

const requestProperties = {
  id: { type: 'string' },
  status: { type: 'string', enum: [...FACT_REQUEST_STATUSES] },
  fact: {
    type: 'object',
    properties: {
      description: { type: 'string' },
      key: { type: 'string' },
      type: { type: 'string', enum: [...factTypes] },
    },
  },
  why: { type: 'string' },
  policy: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' } } },
  legalBasis: { type: 'string' },
  department: { type: 'string' },
  departmentName: textSchema,
  sourceId: { type: 'string' },
  filedAt: { type: 'string' },
  dueAt: { type: 'string', description: 'one working day after filing (weekends and public holidays do not count)' },
  answer,
  answeredAt: { type: 'string' },
  answeredInTime: { type: 'boolean' },
  withdrawnAt: { type: 'string' },
} as const;

const staffRequest = {
  type: 'object',
  properties: {
    ...requestProperties,
    filedBy: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
  },
} as const;
const departmentRequest = { type: 'object', properties: requestProperties } as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 40 } },
} as const;

const filingBody = {
  type: 'object',
  required: ['fact', 'why', 'policy', 'legalBasis'],
  properties: {
    fact: {
      type: 'object',
      required: ['description'],
      properties: {
        description: { type: 'string', maxLength: 500, description: 'the fact wanted, in words' },
        key: { type: 'string', maxLength: 80, description: 'the proposed key, person.<field> or enterprise.<field>' },
        type: { type: 'string', enum: [...factTypes] },
      },
      additionalProperties: false,
    },
    why: { type: 'string', maxLength: 1000 },
    policy: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', maxLength: 100 }, version: { type: 'integer', minimum: 1 } },
      additionalProperties: false,
    },
    legalBasis: { type: 'string', maxLength: 500, description: 'the law under which the fact may be shared' },
    department: { type: 'string', maxLength: 64, description: 'the registered department asked' },
    sourceId: { type: 'string', maxLength: 64, description: 'or the catalog source it keeps' },
    requestKey: { type: 'string', maxLength: 100, description: 'the client’s key: the same key files once' },
  },
  additionalProperties: false,
} as const;

const label = {
  type: 'object',
  required: ['zh', 'en'],
  properties: { zh: { type: 'string', maxLength: 200 }, en: { type: 'string', maxLength: 200 } },
  additionalProperties: false,
} as const;

/** A fact's definition as the catalog keeps it (domain/sources.ts FactField). */
const fieldBody = {
  type: 'object',
  required: ['key', 'column', 'type', 'sensitivity', 'label', 'coverage', 'synthetic'],
  properties: {
    key: { type: 'string', maxLength: 80 },
    column: { type: 'string', maxLength: 80 },
    type: { type: 'string', enum: [...factTypes] },
    sensitivity: { type: 'string', enum: ['public', 'personal', 'sensitive'] },
    label,
    values: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
    unit: label,
    coverage: { type: 'string', enum: ['absent-means-no', 'absent-means-unknown'] },
    synthetic: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string', enum: ['seed', 'bernoulli', 'integer', 'choice', 'date'] } },
      description: 'how the synthetic city gets its values (domain/sources.ts SyntheticGenerator)',
    },
  },
  additionalProperties: false,
} as const;

/** Registers /fact-requests and /department/fact-requests in their own scope (their own error answers). */
export async function factRequestRoutes(app: FastifyInstance, deps: FactRequestApiDeps): Promise<void> {
  const { factRequests } = deps;
  app.setErrorHandler(answerErrors());

  app.post(
    '/fact-requests',
    {
      schema: {
        tags: ['fact-requests'],
        summary:
          'Ask the department that owns a fact the catalog lacks for it: what, why, for which policy, on what legal basis (201 filed; 200 the same filing before) · 提出数据需求',
        body: filingBody,
        security: bearerSecurity,
        response: {
          200: { type: 'object', properties: { request: staffRequest, created: { type: 'boolean' } } },
          201: { type: 'object', properties: { request: staffRequest, created: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Body: FactRequestFiling }>, reply) => {
      const result = await factRequests.file(actorOf(request), request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    '/fact-requests',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'Fact requests, newest first, and the caller’s alerts about their answers · 查看数据需求',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...FACT_REQUEST_STATUSES] },
            department: { type: 'string', maxLength: 64 },
            policy: { type: 'string', maxLength: 100 },
            mine: { type: 'boolean', description: 'only the caller’s own filings' },
          },
          additionalProperties: false,
        },
        security: bearerSecurity,
        response: {
          200: {
            type: 'object',
            properties: {
              requests: { type: 'array', items: staffRequest },
              alerts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    kind: { type: 'string' },
                    factRequestId: { type: 'string' },
                    text: textSchema,
                    at: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: FactRequestQuery }>) =>
      factRequests.list(actorOf(request), request.query),
  );

  app.get(
    '/fact-requests/:id',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'One fact request, with its answer · 查看一项数据需求',
        params: idParams,
        security: bearerSecurity,
        response: { 200: staffRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      factRequests.show(actorOf(request), request.params.id),
  );

  app.post(
    '/fact-requests/:id/withdraw',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'Withdraw an open fact request (the officer who filed it) · 撤回数据需求',
        params: idParams,
        security: bearerSecurity,
        response: { 200: staffRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      factRequests.withdraw(actorOf(request), request.params.id),
  );

  app.get(
    '/department/fact-requests',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'The fact requests filed to the signing department (open ones unless asked) · 部门查看数据需求',
        querystring: {
          type: 'object',
          properties: { status: { type: 'string', enum: [...FACT_REQUEST_STATUSES, 'all'], default: 'open' } },
          additionalProperties: false,
        },
        security: departmentSecurity,
        response: {
          200: { type: 'object', properties: { requests: { type: 'array', items: departmentRequest } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { status?: FactRequestStatus | 'all' } }>) =>
      factRequests.forDepartment(departmentOf(request), request.query),
  );

  app.get(
    '/department/fact-requests/:id',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'One fact request filed to the signing department · 部门查看一项数据需求',
        params: idParams,
        security: departmentSecurity,
        response: { 200: departmentRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      factRequests.showForDepartment(departmentOf(request), request.params.id),
  );

  app.post(
    '/department/fact-requests/:id/fact',
    {
      schema: {
        tags: ['fact-requests'],
        summary:
          'Answer by adding the fact to one of the department’s sources: a catalog draft a second person publishes (four eyes) · 部门答复：增加数据项',
        params: idParams,
        body: {
          type: 'object',
          required: ['field'],
          properties: {
            sourceId: { type: 'string', maxLength: 64, description: 'default: the source the request named' },
            field: fieldBody,
          },
          additionalProperties: false,
        },
        security: departmentSecurity,
        response: { 200: departmentRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { sourceId?: string; field: FactField } }>) =>
      factRequests.addFact(departmentOf(request), request.params.id, request.body),
  );

  app.post(
    '/department/fact-requests/:id/refuse',
    {
      schema: {
        tags: ['fact-requests'],
        summary: 'Answer by refusing, with the reason the officer reads · 部门答复：拒绝并说明理由',
        params: idParams,
        body: {
          type: 'object',
          required: ['reason'],
          properties: { reason: { type: 'string', maxLength: 1000 } },
          additionalProperties: false,
        },
        security: departmentSecurity,
        response: { 200: departmentRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { reason?: string } }>) =>
      factRequests.refuse(departmentOf(request), request.params.id, request.body),
  );
}
