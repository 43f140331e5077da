/**
 * Objections over HTTP (/objections, 异议): file, list, read, the owning department's correction
 * (recorded by one supervisor, confirmed by a second before it applies) and a supervisor's re-check
 * or rejection. Who may is domain/permissions.ts, checked before each
 * route runs; whose objections a role sees is decided in services/objections/service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FileObjectionBody, ObjectionService } from '../services/objections/service.js';
import { actorOf } from './auth.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';
import { answerErrors } from './errors.js';

export interface ObjectionApiDeps {
  objections: ObjectionService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const security = bearerSecurity;
const open = { type: 'object', additionalProperties: true } as const;
const text = textSchema;
const person = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
} as const;
const anyValue = {
  description: 'a value of the fact’s catalog type (number, boolean, date string or one of its closed values)',
} as const;
const objectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['filed', 'correcting', 're-evaluating', 'resolved', 'rejected'] },
    subjectKey: { type: 'string' },
    subject: {
      type: 'object',
      properties: { kind: { type: 'string' }, subjectKey: { type: 'string' }, maskedId: { type: 'string' } },
    },
    policyId: { type: 'string' },
    policyTitle: text,
    caseId: { type: 'string' },
    decisionKey: { type: 'string' },
    kind: { type: 'string', enum: ['decision', 'data'] },
    fact: { type: 'string' },
    factLabel: text,
    claimedValue: anyValue,
    statement: { type: 'string' },
    filedBy: person,
    filedAt: { type: 'string' },
    workflowId: { type: 'string' },
    correction: {
      type: 'object',
      additionalProperties: true,
      description:
        'applied: fact, department, old value (masked where sensitive), new value, reason, by (recorder), confirmedBy',
    },
    pendingCorrection: {
      type: 'object',
      additionalProperties: true,
      description: 'recorded and awaiting a second supervisor: fact, value (masked where sensitive), reason, by, at',
    },
    resolution: open,
    outcome: open,
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          kind: { type: 'string' },
          actor: { type: 'string' },
          actorId: { type: 'string' },
          summary: text,
        },
      },
    },
    links: { type: 'object', properties: { timeline: { type: 'string' } } },
  },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^obj-[0-9a-f]+$' } },
} as const;

/** Registers /objections in its own scope (its own error answers). */
export async function objectionRoutes(app: FastifyInstance, deps: ObjectionApiDeps): Promise<void> {
  const { objections } = deps;

  app.setErrorHandler(answerErrors());

  app.post(
    '/objections',
    {
      schema: {
        tags: ['objections'],
        summary:
          'File an objection to a decision or a data value behind it (a citizen about their own; a supervisor for a citizen, from their case) · 提出异议',
        body: {
          type: 'object',
          properties: {
            caseId: { type: 'string', maxLength: 300, description: 'the case of the decision (required of staff)' },
            policyId: { type: 'string', maxLength: 100 },
            subject: {
              type: 'string',
              maxLength: 40,
              description:
                'a citizen’s own resident ID, optional (it comes from the token); staff name the case instead',
            },
            kind: { type: 'string', enum: ['decision', 'data'] },
            fact: { type: 'string', maxLength: 100 },
            claimedValue: { ...anyValue, description: `${anyValue.description}; a data objection's only` },
            statement: { type: 'string', maxLength: 2000 },
          },
          additionalProperties: false,
        },
        security,
        response: { 201: objectionSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: FileObjectionBody }>, reply) =>
      reply.code(201).send(await objections.file(actorOf(request), request.body ?? {})),
  );

  app.get(
    '/objections',
    {
      schema: {
        tags: ['objections'],
        summary: 'Objections, newest first: a citizen’s own; all for supervisors, values masked · 异议列表',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['filed', 'correcting', 're-evaluating', 'resolved', 'rejected'] },
            policy: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: { type: 'object', properties: { objections: { type: 'array', items: objectionSchema } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { status?: string; policy?: string } }>) =>
      objections.list(actorOf(request), request.query),
  );

  app.get(
    '/objections/:id',
    {
      schema: {
        tags: ['objections'],
        summary: 'One objection with its steps, correction and outcome · 异议详情',
        params: idParams,
        security,
        response: { 200: objectionSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => objections.get(actorOf(request), request.params.id),
  );

  app.post(
    '/objections/:id/correct',
    {
      schema: {
        tags: ['objections'],
        summary:
          'Record the owning department’s correction of the disputed fact (a supervisor who did not file the objection, for the department); it applies once a second supervisor confirms it · 登记数据更正',
        params: idParams,
        body: {
          type: 'object',
          required: ['value', 'reason'],
          properties: {
            fact: { type: 'string', maxLength: 100 },
            value: anyValue,
            reason: { type: 'string', maxLength: 1000 },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: objectionSchema, ...errors },
      },
    },
    async (
      request: FastifyRequest<{ Params: { id: string }; Body: { fact?: string; value?: unknown; reason?: string } }>,
    ) => objections.correct(actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/objections/:id/confirm',
    {
      schema: {
        tags: ['objections'],
        summary:
          'Confirm a recorded correction, which then changes the department’s record, tells the citizen and re-evaluates; or reject it with a reason (a second supervisor: neither the recorder nor the filer) · 确认数据更正',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: ['confirm', 'reject'], description: 'default confirm' },
            reason: { type: 'string', maxLength: 1000, description: 'why it is rejected (at least 5 characters)' },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: objectionSchema, ...errors },
      },
    },
    async (
      request: FastifyRequest<{ Params: { id: string }; Body: { action?: string; reason?: string } | undefined }>,
    ) => objections.confirmCorrection(actorOf(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/objections/:id/resolve',
    {
      schema: {
        tags: ['objections'],
        summary:
          'Re-evaluate on the records as they stand, or reject the objection, with a reason (supervisor) · 处理异议',
        params: idParams,
        body: {
          type: 'object',
          required: ['action', 'reason'],
          properties: {
            action: { type: 'string', enum: ['reevaluate', 'reject'] },
            reason: { type: 'string', maxLength: 1000 },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: objectionSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { action?: string; reason?: string } }>) =>
      objections.resolve(actorOf(request), request.params.id, request.body),
  );
}
