/**
 * Outreach over HTTP (/outreach, 应享尽享): the worklist of people likely eligible but undetermined,
 * grouped by cause; a bulk request for the missing data to the department that owns it, and its
 * answer; contacting people (a notice and an outreach task each, once per person and policy). Who
 * may is domain/permissions.ts (officers and supervisors), checked before each route runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContactBody, DataRequestBody, OutreachService, WorklistQuery } from '../services/outreach/service.js';
import { CONTACT_CHANNELS } from '../store/outreach.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface OutreachApiDeps {
  outreach: OutreachService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const security = bearerSecurity;
const text = textSchema;
const strings = { type: 'array', items: { type: 'string' } } as const;
const cause = {
  type: 'object',
  properties: { kind: { type: 'string', enum: ['source', 'fact'] }, key: { type: 'string' }, label: text },
} as const;
const person = {
  type: 'object',
  properties: {
    subjectKey: { type: 'string' },
    masked: { type: 'string', description: 'the last characters of the identifier, as staff see them' },
    caseId: { type: 'string' },
    decisionKey: { type: 'string' },
    period: { type: 'string' },
    decidedAt: { type: 'string' },
    missingFacts: strings,
    failedSources: strings,
    served: {
      type: 'object',
      properties: {
        granted: { type: 'boolean' },
        contacted: { type: 'boolean' },
        dataRequested: { type: 'boolean' },
      },
    },
  },
} as const;
const group = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    policyId: { type: 'string' },
    policyTitle: text,
    policyDepartment: text,
    cause,
    source: { type: 'string' },
    department: text,
    counts: {
      type: 'object',
      properties: {
        people: { type: 'integer' },
        granted: { type: 'integer' },
        contacted: { type: 'integer' },
        dataRequested: { type: 'integer' },
        waiting: { type: 'integer', description: 'neither granted, contacted nor asked for' },
      },
    },
    people: { type: 'array', items: person },
    nextOffset: { type: 'integer' },
    dataRequests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          day: { type: 'string' },
          status: { type: 'string' },
          people: { type: 'integer' },
          requestedByName: { type: 'string' },
        },
      },
    },
  },
} as const;
const who = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } as const;
const dataRequest = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    policyId: { type: 'string' },
    cause: { type: 'object', properties: { kind: { type: 'string' }, key: { type: 'string' } } },
    source: { type: 'string' },
    department: text,
    subjectKeys: strings,
    requestedBy: who,
    requestedAt: { type: 'string' },
    day: { type: 'string' },
    status: { type: 'string', enum: ['requested', 'answered'] },
    answeredAt: { type: 'string' },
    answeredBy: who,
    reference: { type: 'string' },
  },
} as const;
const keyList = { type: 'array', items: { type: 'string', maxLength: 300 }, maxItems: 500 } as const;

/** Registers /outreach in its own scope (its own error answers). */
export async function outreachRoutes(app: FastifyInstance, deps: OutreachApiDeps): Promise<void> {
  const { outreach } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/outreach',
    {
      schema: {
        tags: ['outreach'],
        summary:
          'People likely eligible but undetermined, grouped by policy and cause (a failed source, a missing fact), with the owning department, counts of people served and a page of each group · 应享未享名单',
        querystring: {
          type: 'object',
          properties: {
            policy: { type: 'string', maxLength: 100 },
            cause: { type: 'string', enum: ['source', 'fact'] },
            key: { type: 'string', maxLength: 100, description: 'the source ID or fact key of one cause' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              groups: { type: 'array', items: group },
              totals: {
                type: 'object',
                properties: { groups: { type: 'integer' }, people: { type: 'integer' }, waiting: { type: 'integer' } },
              },
              readAt: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: WorklistQuery }>) =>
      outreach.worklist(actorOf(request), request.query),
  );

  app.post(
    '/outreach/data-requests',
    {
      schema: {
        tags: ['outreach'],
        summary:
          'Ask the department that owns the data for a group’s missing data: one request per group and day (201 new, 200 the day’s existing one) · 向部门申请补充数据',
        body: {
          type: 'object',
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            source: { type: 'string', maxLength: 100, description: 'the failed source of the group' },
            fact: { type: 'string', maxLength: 100, description: 'the missing fact of the group' },
            subjects: { ...keyList, description: 'subject keys of the group; absent, everyone not yet granted' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: { type: 'object', properties: { request: dataRequest, created: { type: 'boolean' } } },
          201: { type: 'object', properties: { request: dataRequest, created: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Body: DataRequestBody }>, reply) => {
      const result = await outreach.requestData(actorOf(request), request.body ?? {});
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    '/outreach/data-requests/:id/answered',
    {
      schema: {
        tags: ['outreach'],
        summary: 'Record that the department answered a data request, with its reply’s reference · 登记部门已答复',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', maxLength: 400 } },
        },
        body: {
          type: 'object',
          properties: { reference: { type: 'string', minLength: 1, maxLength: 200 } },
          additionalProperties: false,
        },
        security,
        response: { 200: dataRequest, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { reference?: string } }>) =>
      outreach.answered(actorOf(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/outreach/contacts',
    {
      schema: {
        tags: ['outreach'],
        summary:
          'Contact people on the worklist: a written notice and an outreach task each, once per person and policy (a second contact opens and sends nothing) · 联系应享未享人员',
        body: {
          type: 'object',
          properties: {
            caseIds: keyList,
            subjectKeys: keyList,
            policyId: { type: 'string', maxLength: 100 },
            channel: { type: 'string', enum: [...CONTACT_CHANNELS], default: 'inbox' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              contacts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    subjectKey: { type: 'string' },
                    caseId: { type: 'string' },
                    policyId: { type: 'string' },
                    taskId: { type: 'string' },
                    created: { type: 'boolean' },
                    channel: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Body: ContactBody }>) => outreach.contact(actorOf(request), request.body ?? {}),
  );
}
