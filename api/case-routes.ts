/**
 * Case supervision over HTTP (/cases, 督查): search (by raw resident ID only with a logged
 * reason), one case's timeline, the logged reveal of a masked identifier, a case's decision
 * explained from the subject's data with a logged reason, and assigning a case's pledge
 * inspections. Who may is domain/permissions.ts, checked before each route runs; which cases a
 * role sees, and how much of a person, is decided in services/cases/service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseQuery, CaseService } from '../services/cases/service.js';
import type { ExplainCaseBody } from '../services/cases/explain.js';
import { actorOf } from './auth.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { explanationSchema, rulesErrorAnswer } from './explain-routes.js';
import { LIFE_EVENT_CASE_STATUSES, LIFE_EVENT_WORKFLOW_ID_PATTERN } from '../workflows/contracts/index.js';

/** What the case routes need: the case service (api/auth.ts admits the person first). */
export interface CaseApiDeps {
  cases: CaseService;
}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema } as const;
const security = bearerSecurity;
const caseParams = {
  type: 'object',
  required: ['caseId'],
  properties: {
    caseId: {
      type: 'string',
      pattern: LIFE_EVENT_WORKFLOW_ID_PATTERN,
      description: 'life-event:<sourceEventId>, URL-encoded',
    },
  },
} as const;
const subjectSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    subjectKey: { type: 'string', description: 'pseudonymous subject key' },
    maskedId: {
      type: 'string',
      description: 'resident ID or credit code, masked: staff see the last four characters (**************123X)',
    },
  },
} as const;
const open = { type: 'object', additionalProperties: true } as const;
const summarySchema = {
  type: 'object',
  properties: {
    caseId: { type: 'string' },
    eventType: { type: 'string' },
    eventDate: { type: 'string' },
    receivedAt: { type: 'string' },
    subject: subjectSchema,
    policies: { type: 'array', items: open },
    caseStatus: { type: 'string' },
    outcome: { type: 'string' },
    departments: { type: 'array', items: { type: 'string' } },
    execution: { type: 'string', description: 'Temporal execution status' },
    foundIn: { type: 'array', items: { type: 'string', enum: ['temporal', 'record'] } },
    links: { type: 'object', properties: { timeline: { type: 'string' }, temporalUi: { type: 'string' } } },
  },
} as const;
const timelineSchema = {
  type: 'object',
  properties: {
    caseId: { type: 'string' },
    eventType: { type: 'string' },
    eventDate: { type: 'string' },
    subject: subjectSchema,
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          workflowId: { type: 'string' },
          type: { type: 'string' },
          runId: { type: 'string' },
          temporalUi: { type: 'string' },
          history: { type: 'string' },
        },
      },
    },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          kind: { type: 'string' },
          actor: { type: 'string' },
          summary: textSchema,
          source: { type: 'string', enum: ['temporal', 'record'] },
          workflowId: { type: 'string' },
          detail: open,
        },
      },
    },
  },
} as const;

type CaseRequest = FastifyRequest<{ Params: { caseId: string } }>;

/** The filters of a case search other than the subject: the same in the query string and in a body. */
const filterProperties = {
  policy: { type: 'string', maxLength: 100 },
  eventType: { type: 'string', maxLength: 100 },
  status: { type: 'string', enum: [...LIFE_EVENT_CASE_STATUSES] },
  outcome: { type: 'string', enum: ['eligible', 'ineligible', 'undetermined', 'none'] },
  from: { type: 'string', pattern: DATE, description: 'received on or after (YYYY-MM-DD, city date)' },
  to: { type: 'string', pattern: DATE, description: 'received on or before' },
  limit: { type: 'integer', minimum: 1, maximum: 200, description: 'cases per answer (default 50)' },
  before: { type: 'string', maxLength: 200, description: 'where the previous answer stopped (its `next`)' },
} as const;

/** Registers /cases in its own scope (its own error answers). */
export async function caseRoutes(app: FastifyInstance, deps: CaseApiDeps): Promise<void> {
  const { cases } = deps;

  app.setErrorHandler(answerErrors(rulesErrorAnswer));

  const searchResponse = {
    200: {
      type: 'object',
      properties: {
        cases: { type: 'array', items: summarySchema },
        temporal: { type: 'string' },
        next: { type: 'string', description: 'more cases may match: send it as `before` for the next ones' },
      },
    },
    ...errors,
  } as const;

  /** Browsing without an identifier: filters in the query string, which never names a person. */
  app.get(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary:
          'List cases by policy, event type, status and dates, newest first (no identifier here: search by one with POST /cases/search); identifiers masked · 案件列表',
        querystring: { type: 'object', properties: filterProperties, additionalProperties: false },
        security,
        response: searchResponse,
      },
    },
    async (request: FastifyRequest<{ Querystring: CaseQuery }>) => cases.search(actorOf(request), request.query),
  );

  /**
   * Searching by a resident ID or credit code: in the body, so no URL, proxy or access log carries it (S11);
   * staff state why, and each such search is logged like a reveal and limited per minute (S3).
   */
  app.post(
    '/cases/search',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Search cases by resident ID or credit code (in the body, never the URL; staff state a logged reason, 20 searches a minute), subject key, policy, event type, status and dates; identifiers masked (supervisor; a citizen sees their own, an inspector assigned ones) · 案件查询',
        body: {
          type: 'object',
          properties: {
            subject: {
              type: 'string',
              maxLength: 40,
              description: 'resident ID, credit code or subject key; validated, turned into the key, never stored',
            },
            reason: {
              type: 'string',
              maxLength: 500,
              description:
                'why a resident ID or credit code is searched (staff, at least 5 characters); logged, and shown to the citizen',
            },
            ...filterProperties,
          },
          additionalProperties: false,
        },
        security,
        response: searchResponse,
      },
    },
    async (request: FastifyRequest<{ Body: CaseQuery | undefined }>) =>
      cases.search(actorOf(request), request.body ?? {}),
  );

  app.get(
    '/cases/:caseId/timeline',
    {
      schema: {
        tags: ['cases'],
        summary:
          'One case’s timeline: Temporal history of the case and its benefit workflows merged with decisions, data access, grants, notices and inspections, with Temporal UI links · 案件轨迹',
        params: caseParams,
        security,
        response: { 200: timelineSchema, ...errors },
      },
    },
    async (request: CaseRequest) => cases.timeline(actorOf(request), request.params.caseId),
  );

  app.post(
    '/cases/:caseId/unmask',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Reveal the case’s resident ID or credit code, stating why; the reveal is logged and shown in the timeline (supervisor) · 查看完整身份标识',
        params: caseParams,
        body: {
          type: 'object',
          properties: {
            reason: { type: 'string', maxLength: 500, description: 'why (at least 5 characters); logged' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              caseId: { type: 'string' },
              subject: { type: 'object', properties: { ...subjectSchema.properties, id: { type: 'string' } } },
              reason: { type: 'string' },
              unmaskedBy: { type: 'string' },
              unmaskedById: { type: 'string' },
              at: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { caseId: string }; Body: { reason?: string } | undefined }>) =>
      cases.unmask(actorOf(request), request.params.caseId, request.body?.reason),
  );

  app.post(
    '/cases/:caseId/explain',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Explain the case’s decision under a published or retired version from the subject’s own data, stating why: each condition (sensitive ones withheld whole), the smallest flip, the next change; logged like an unmask (supervisor) · 案件判定解释',
        params: caseParams,
        body: {
          type: 'object',
          required: ['policyId', 'reason'],
          properties: {
            policyId: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 },
            reason: { type: 'string', maxLength: 500, description: 'why (at least 5 characters); logged' },
            version: {
              type: 'integer',
              minimum: 1,
              description: 'published or retired; default the version the case’s decision pinned',
            },
            asOf: {
              type: 'string',
              pattern: DATE,
              description: 'YYYY-MM-DD; default the decision’s own date, else today',
            },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: explanationSchema, 422: errorSchema, 503: errorSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { caseId: string }; Body: ExplainCaseBody }>) =>
      cases.explain(actorOf(request), request.params.caseId, request.body),
  );

  app.post(
    '/cases/:caseId/inspector',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Assign the case’s pledge inspections to an active inspector, by user ID (supervisor); an unknown ID is 400 UNKNOWN_USER, anyone else 400 NOT_AN_INSPECTOR · 指派核查',
        params: caseParams,
        body: {
          type: 'object',
          required: ['inspectorId'],
          properties: { inspectorId: { type: 'string', maxLength: 100, description: 'the inspector’s user ID (u_…)' } },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              caseId: { type: 'string' },
              inspectorId: { type: 'string' },
              inspector: { type: 'string', description: 'the inspector’s display name' },
              pledges: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { caseId: string }; Body: { inspectorId: string } }>) =>
      cases.assignInspection(actorOf(request), request.params.caseId, request.body.inspectorId),
  );
}
