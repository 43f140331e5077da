/**
 * Verifications over HTTP (证明核验, services/verifications). Departments, with their signed
 * request (as they publish events, api/auth.ts): `POST /verifications` with the matter, the
 * subject and the claim in the body — a raw ID never travels in a URL — answered yes / no /
 * cannot-tell (or pending) with its validity and signature, never the facts; rate-limited per
 * department. They poll one (`GET /verifications/:id`) and read their log (`GET /verifications`).
 * The certifying department lists the verifications its procedure answers and answers them
 * (`/department/verifications`). Staff: the log (`GET /staff/verifications`), and a supervisor's
 * entry of a department's written answer. Who may is domain/permissions.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VerificationBody, VerificationLogQuery, VerificationService } from '../services/verifications/service.js';
import { ApiRefusal, actorOf, departmentOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface VerificationApiDeps {
  verifications: VerificationService;
  /** Requests per department per window (POST /verifications), counted after the signature is verified. */
  rateLimit?: { max: number; timeWindowMs: number };
}

const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
  429: errorSchema,
} as const;
const departmentSecurity = [{ department: [] }];

const signature = {
  type: 'object',
  description:
    'sm2-seal: the certifying department’s e-seal (verify against GET /seals); hmac-sha256: the service’s key for that department (docs/VERIFICATIONS.md)',
  properties: {
    scheme: { type: 'string', enum: ['sm2-seal', 'hmac-sha256'] },
    sealId: { type: 'string' },
    department: { type: 'string' },
    algorithm: { type: 'string' },
    userId: { type: 'string' },
    keyId: { type: 'string' },
    signedAt: { type: 'string' },
    value: { type: 'string' },
  },
} as const;

const answerProperties = {
  verificationId: { type: 'string' },
  answer: { type: 'string', enum: ['yes', 'no', 'cannot-tell', 'pending'] },
  validUntil: { type: 'string', description: 'until when the answer may be relied on' },
  proofId: { type: 'string', description: 'the archived proof the answer is (or will be filed under)' },
  reused: { type: 'boolean', description: 'an archived answer within its validity: no new read' },
  dueAt: { type: 'string', description: 'a pending answer is due by then (working days)' },
  signature,
  signedBy: { type: 'object', properties: { department: { type: 'string' }, name: textSchema } },
} as const;

const answerSchema = { type: 'object', properties: answerProperties } as const;

const logProperties = {
  ...answerProperties,
  status: { type: 'string', enum: ['answered', 'pending'] },
  matter: { type: 'object', properties: { id: { type: 'string' }, title: textSchema } },
  claim: { type: 'object', properties: { id: { type: 'string' }, statement: textSchema } },
  requester: {
    type: 'object',
    properties: {
      kind: { type: 'string' },
      id: { type: 'string' },
      department: { type: 'string' },
      name: textSchema,
    },
  },
  subjectKind: { type: 'string', enum: ['person', 'enterprise'] },
  requestedAt: { type: 'string' },
  answeredAt: { type: 'string' },
  answeredBy: {
    type: 'object',
    properties: { kind: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
  },
  reference: { type: 'string' },
  overdue: { type: 'boolean', description: 'a pending answer past its time limit (逾期未答复)' },
} as const;

const logEntry = { type: 'object', properties: logProperties } as const;
const staffEntry = {
  type: 'object',
  properties: { ...logProperties, subject: { type: 'string', description: 'the identifier, masked' } },
} as const;
const pendingEntry = {
  type: 'object',
  properties: {
    ...logProperties,
    subject: {
      type: 'object',
      description: 'the subject’s identifier, which the certifying department’s procedure needs',
      properties: { kind: { type: 'string' }, id: { type: 'string' } },
    },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 40 } },
} as const;

const logQuery = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['answered', 'pending'] },
    requester: { type: 'string', maxLength: 64 },
    certifiedBy: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
  },
  additionalProperties: false,
} as const;

const answerBody = {
  type: 'object',
  required: ['answer'],
  properties: {
    answer: { type: 'string', enum: ['yes', 'no', 'cannot-tell'] },
    reference: { type: 'string', maxLength: 200, description: 'the written answer’s reference (文号)' },
  },
  additionalProperties: false,
} as const;

/** Registers the verification routes in their own scope (their own error answers). */
export async function verificationRoutes(app: FastifyInstance, deps: VerificationApiDeps): Promise<void> {
  app.setErrorHandler(answerErrors());
  const { verifications } = deps;
  const limit = deps.rateLimit;

  app.post(
    '/verifications',
    {
      schema: {
        tags: ['verifications'],
        summary:
          'Verify a claim the matter lists about a person or a firm (signed department request): yes / no / cannot-tell or pending, signed, never the facts · 证明核验',
        body: {
          type: 'object',
          required: ['matter', 'subject', 'claim'],
          properties: {
            matter: {
              type: 'string',
              maxLength: 100,
              description: 'a matter of the list in force that the department handles',
            },
            claim: {
              type: 'string',
              maxLength: 100,
              description: 'a claim the matter lists (domain/verification-claims.ts)',
            },
            subject: {
              type: 'object',
              required: ['kind', 'id'],
              properties: {
                kind: { type: 'string', enum: ['person', 'enterprise'] },
                id: { type: 'string', maxLength: 30, description: 'resident ID or unified social credit code' },
              },
              additionalProperties: false,
            },
            requestKey: {
              type: 'string',
              maxLength: 100,
              description: 'the department’s key: the same key answers the first verification again',
            },
            purpose: { type: 'string', maxLength: 500 },
          },
          additionalProperties: false,
        },
        security: departmentSecurity,
        response: { 200: answerSchema, ...errors },
      },
      ...(limit
        ? {
            config: {
              rateLimit: {
                max: limit.max,
                timeWindow: limit.timeWindowMs,
                // After the signature is verified: only a department's own verifications count against it.
                hook: 'preHandler' as const,
                keyGenerator: (request: FastifyRequest) =>
                  `verification:department:${departmentOf(request).department}`,
                errorResponseBuilder: (request: FastifyRequest, context: { max: number; ttl: number }) => {
                  const department = departmentOf(request).department;
                  const seconds = Math.ceil(context.ttl / 1000);
                  request.log.warn({ department, max: context.max }, 'department verification rate limit reached');
                  return new ApiRefusal(
                    'RATE_LIMITED',
                    `department ${department} may ask ${context.max} verifications per ${limit.timeWindowMs / 1000} s: retry in ${seconds} s`,
                    `部门 ${department} 每 ${limit.timeWindowMs / 1000} 秒最多申请 ${context.max} 次核验：请 ${seconds} 秒后重试`,
                  );
                },
              },
            },
          }
        : {}),
    },
    async (request: FastifyRequest<{ Body: VerificationBody }>) =>
      verifications.request(departmentOf(request), request.body),
  );

  app.get(
    '/verifications',
    {
      schema: {
        tags: ['verifications'],
        summary: 'The signing department’s own verifications, newest first · 本部门的核验记录',
        querystring: logQuery,
        security: departmentSecurity,
        response: { 200: { type: 'array', items: logEntry }, ...errors },
      },
    },
    async (request: FastifyRequest<{ Querystring: VerificationLogQuery }>) =>
      verifications.log(departmentOf(request), request.query),
  );

  app.get(
    '/verifications/:id',
    {
      schema: {
        tags: ['verifications'],
        summary: 'One verification the department asked or certifies: poll a pending one · 查询一项核验',
        params: idParams,
        security: departmentSecurity,
        response: { 200: logEntry, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      verifications.show(departmentOf(request), request.params.id),
  );

  app.get(
    '/department/verifications',
    {
      schema: {
        tags: ['verifications'],
        summary:
          'The pending verifications the signing department’s procedure answers, with the subject’s identifier · 待本部门按程序答复的核验',
        security: departmentSecurity,
        response: { 200: { type: 'array', items: pendingEntry }, ...errors },
      },
    },
    async (request) => verifications.pending(departmentOf(request)),
  );

  app.post(
    '/department/verifications/:id/answer',
    {
      schema: {
        tags: ['verifications'],
        summary: 'The certifying department answers a pending verification; the answer is archived · 部门答复核验',
        params: idParams,
        body: answerBody,
        security: departmentSecurity,
        response: { 200: answerSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { answer?: unknown; reference?: unknown } }>) =>
      verifications.answer(departmentOf(request), request.params.id, request.body),
  );

  app.get(
    '/staff/verifications',
    {
      schema: {
        tags: ['verifications'],
        summary:
          'The verification log, newest first, by requester, certifying department or status (staff) · 证明核验记录',
        querystring: logQuery,
        security: bearerSecurity,
        response: { 200: { type: 'array', items: staffEntry }, ...errors },
      },
    },
    async (request: FastifyRequest<{ Querystring: VerificationLogQuery }>) =>
      verifications.staffLog(actorOf(request), request.query),
  );

  app.post(
    '/staff/verifications/:id/answer',
    {
      schema: {
        tags: ['verifications'],
        summary:
          'Enter a certifying department’s written answer to a pending verification (supervisor) · 录入部门的核验答复',
        params: idParams,
        body: answerBody,
        security: bearerSecurity,
        response: { 200: answerSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { answer?: unknown; reference?: unknown } }>) =>
      verifications.staffAnswer(actorOf(request), request.params.id, request.body),
  );
}
