/**
 * The payroll routes (/payroll, 按月发放): officers start the payroll of a recurring policy for a
 * period (its batch comes up for preview); staff who work with policies read batches; a reviewer
 * other than whoever started it releases a batch (four eyes, domain/permissions.ts). Answers hold
 * figures and user IDs only: no subject key, no resident ID.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BatchView, PayrollService } from '../services/payroll/service.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { actorOf } from './auth.js';

export interface PayrollApiDeps {
  payroll: PayrollService;
}

const integer = { type: 'integer' } as const;
const batchSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'payroll:<policyId>:<period>' },
    status: { type: 'string', enum: ['running', 'preview', 'released'] },
    policy: { type: 'object', properties: { id: { type: 'string' }, version: integer, hash: { type: 'string' } } },
    period: { type: 'string', description: 'YYYY-MM (monthly) or YYYY (yearly)' },
    asOf: { type: 'string', format: 'date', description: 'entitlements are re-checked as of this day' },
    totalFen: { ...integer, description: 'the sum of the batch’s payment lines, in fen (分)' },
    counts: {
      type: 'object',
      properties: {
        lines: integer,
        new: { ...integer, description: 'paid this period, not the one before' },
        amountChanged: { ...integer, description: 'paid both periods, a different amount' },
        ended: { ...integer, description: 'entitlements this payroll ended' },
        suspended: { ...integer, description: 'entitlements this payroll suspended' },
        removed: { ...integer, description: 'lines taken out before release (a death or move-out accepted)' },
        netted: { ...integer, description: 'lines part of which is withheld against what the subject owes back' },
      },
    },
    withheldFen: { ...integer, description: 'fen withheld from the lines against what their subjects owe back' },
    startedById: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    previewedAt: { type: 'string', format: 'date-time' },
    releasedById: { type: 'string' },
    releasedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the batch ID (payroll:<policyId>:<period>), URL-encoded' } },
} as const;
const security = bearerSecurity;

/** Display names stay in the record; answers carry user IDs. */
const shown = (batch: BatchView) => {
  const { startedBy, releasedBy, ...rest } = batch;
  void startedBy;
  void releasedBy;
  return rest;
};

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export async function payrollRoutes(app: FastifyInstance, deps: PayrollApiDeps): Promise<void> {
  const { payroll } = deps;
  app.setErrorHandler(answerErrors());

  app.post(
    '/payroll/batches',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Start the payroll of a recurring policy for a period (officer): its batch comes up for preview; the same period again answers with the one started · 发起按月发放',
        body: {
          type: 'object',
          required: ['policyId', 'period'],
          properties: {
            policyId: { type: 'string', minLength: 1, maxLength: 100 },
            period: { type: 'string', pattern: '^\\d{4}(-\\d{2})?$', description: 'YYYY-MM or YYYY' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          202: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Body: { policyId: string; period: string } }>, reply) =>
      reply.code(202).send(await payroll.start(actorOf(request), request.body)),
  );

  app.get(
    '/payroll/batches',
    {
      schema: {
        tags: ['payroll'],
        summary: 'Payment batches, newest period first, with their figures · 发放批次列表',
        querystring: {
          type: 'object',
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 500, description: 'the newest this many (default 100)' },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: { type: 'array', items: batchSchema }, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { policyId?: string; limit?: number } }>) =>
      (await payroll.batches(request.query)).map(shown),
  );

  app.get(
    '/payroll/batches/:id',
    {
      schema: {
        tags: ['payroll'],
        summary: 'One payment batch: counts, total in fen and the changes against the period before · 发放批次',
        params: idParams,
        security,
        response: { 200: batchSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: IdRequest) => shown(await payroll.batch(request.params.id)),
  );

  app.post(
    '/payroll/batches/:id/release',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Release a batch in preview (a reviewer other than whoever started it: FOUR_EYES); lines of subjects whose death or move-out was accepted are taken out first · 放款',
        params: idParams,
        security,
        response: { 200: batchSchema, ...errors },
      },
    },
    async (request: IdRequest) => shown(await payroll.release(actorOf(request), request.params.id)),
  );
}
