/**
 * The entitlement routes (/entitlements): staff who work with policies list a policy's
 * entitlements (ledger references and masked identifiers, never a subject key); an officer
 * suspends, resumes or ends one with a reason the citizen reads (domain/permissions.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ENTITLEMENT_ACTIONS,
  type EntitlementAction,
  type EntitlementService,
} from '../services/payroll/entitlements.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { actorOf } from './auth.js';

export interface EntitlementApiDeps {
  entitlements: EntitlementService;
}

const text = { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } } as const;
const entitlementSchema = {
  type: 'object',
  properties: {
    ref: { type: 'string', description: 'the subject’s ledger reference for this policy (a hash, not an identifier)' },
    policy: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' } } },
    status: { type: 'string', enum: ['active', 'suspended', 'ended'] },
    firstPeriod: { type: 'string' },
    endedFrom: { type: 'string' },
    reason: text,
    nextReviewOn: { type: 'string', format: 'date', description: 'the first period no payroll has paid yet begins' },
    subject: { type: 'object', properties: { masked: { type: 'string' } } },
  },
} as const;
const security = bearerSecurity;
const WHAT: Record<EntitlementAction, string> = {
  suspend:
    'Suspend an active entitlement from the first period not yet paid; no payroll resumes it, only an officer · 暂停发放',
  resume: 'Resume a suspended entitlement from the first period not yet paid · 恢复发放',
  end: 'End an entitlement from the first period not yet paid · 终止发放',
};

export async function entitlementRoutes(app: FastifyInstance, deps: EntitlementApiDeps): Promise<void> {
  const { entitlements } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/entitlements',
    {
      schema: {
        tags: ['payroll'],
        summary: 'A policy’s entitlements, optionally of one status (at most 500, masked) · 待遇资格列表',
        querystring: {
          type: 'object',
          required: ['policyId'],
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: ['active', 'suspended', 'ended'] },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: { type: 'array', items: entitlementSchema },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { policyId: string; status?: string } }>) =>
      entitlements.list(actorOf(request), request.query),
  );

  for (const action of Object.keys(ENTITLEMENT_ACTIONS) as EntitlementAction[])
    app.post(
      `/entitlements/:policyId/:ref/${action}`,
      {
        schema: {
          tags: ['payroll'],
          summary: `${WHAT[action]} (an officer, with a reason the citizen reads; the same move again changes nothing)`,
          params: {
            type: 'object',
            required: ['policyId', 'ref'],
            properties: { policyId: { type: 'string', maxLength: 100 }, ref: { type: 'string', maxLength: 40 } },
          },
          body: {
            type: 'object',
            required: ['reason'],
            properties: { reason: { type: 'string', maxLength: 500 } },
            additionalProperties: false,
          },
          security,
          response: {
            200: entitlementSchema,
            400: errorSchema,
            401: errorSchema,
            403: errorSchema,
            404: errorSchema,
            409: errorSchema,
          },
        },
      },
      async (request: FastifyRequest<{ Params: { policyId: string; ref: string }; Body: { reason: string } }>) =>
        entitlements.move(actorOf(request), request.params.policyId, request.params.ref, action, request.body),
    );
}
