/**
 * The ledger routes (/ledger, 台账): staff who work with policies read the programme ledger per
 * policy and period (with each released batch checked against it) and the collection list (JSON,
 * or CSV for the finance bureau); an officer records a collection. Answers name a subject's ledger
 * by its reference (ledgerRef), never by a subject key or an ID number.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LedgerService } from '../services/ledger/service.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { actorOf } from './auth.js';

export interface LedgerApiDeps {
  ledger: LedgerService;
}

const integer = { type: 'integer' } as const;
const sums = {
  lines: { ...integer, description: 'grants, payments and repayments posted' },
  grossFen: { ...integer, description: 'their whole amounts, in fen' },
  rejectedLines: { ...integer, description: 'payments the bank returned' },
  rejectedFen: integer,
  recoveryFen: { ...integer, description: 'over-payments raised (owed back)' },
  recoveredFen: { ...integer, description: 'taken back: withheld from payments or collected' },
  paidFen: { ...integer, description: 'what reached citizens (less returned, withheld, collected)' },
  owedFen: {
    ...integer,
    description:
      'owed back: raised less taken back (a period can be negative, a withholding being booked in the month of the payment it came out of)',
  },
  netFen: { ...integer, description: 'paidFen − owedFen: what citizens keep' },
} as const;
const periodPattern = { type: 'string', pattern: '^\\d{4}(-\\d{2})?$', description: 'YYYY-MM or YYYY' } as const;
const policyQuery = {
  type: 'object',
  properties: { policyId: { type: 'string', maxLength: 100 } },
  additionalProperties: false,
} as const;
const collectionItem = {
  type: 'object',
  properties: {
    ref: { type: 'string', description: 'the subject’s ledger of this policy (a hash, not an identifier)' },
    policyId: { type: 'string' },
    owedFen: integer,
    since: { type: 'string', description: 'the first period recovered' },
    because: {
      type: 'string',
      enum: ['policy-collects', 'entitlement-ended', 'entitlement-suspended', 'no-entitlement'],
    },
  },
} as const;
const security = bearerSecurity;
const reads = { 400: errorSchema, 401: errorSchema, 403: errorSchema } as const;

type PolicyRequest = FastifyRequest<{ Querystring: { policyId?: string } }>;

export async function ledgerRoutes(app: FastifyInstance, deps: LedgerApiDeps): Promise<void> {
  const { ledger } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/ledger/programme',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'The programme ledger per policy and period — paid, returned, recovered, still owed — with each released batch checked against it · 发放台账',
        querystring: {
          type: 'object',
          properties: { policyId: { type: 'string', maxLength: 100 }, from: periodPattern, to: periodPattern },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              rows: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { policyId: { type: 'string' }, period: { type: 'string' }, ...sums },
                },
              },
              totals: { type: 'object', properties: sums },
              batches: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    period: { type: 'string' },
                    totalFen: { ...integer, description: 'the released batch’s total' },
                    ledgerFen: { ...integer, description: 'what the ledger posted as transferred by it' },
                    balanced: { type: 'boolean' },
                  },
                },
              },
            },
          },
          ...reads,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { policyId?: string; from?: string; to?: string } }>) =>
      ledger.programme(actorOf(request), request.query),
  );

  app.get(
    '/ledger/collections',
    {
      schema: {
        tags: ['ledger'],
        summary: 'What is owed back that no payment will withhold: the collection list · 追缴清单',
        querystring: policyQuery,
        security,
        response: { 200: { type: 'array', items: collectionItem }, ...reads },
      },
    },
    async (request: PolicyRequest) => ledger.collections(actorOf(request), request.query),
  );

  app.get(
    '/ledger/collections.csv',
    {
      schema: {
        tags: ['ledger'],
        summary: 'The collection list as CSV for the finance bureau (UTF-8 with BOM, yuan) · 追缴清单（CSV）',
        querystring: policyQuery,
        security,
        response: { 200: { type: 'string', description: 'text/csv' }, ...reads },
      },
    },
    async (request: PolicyRequest, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="collections.csv"')
        .send(await ledger.collectionsCsv(actorOf(request), request.query)),
  );

  app.post(
    '/ledger/collections/:ref',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Record what a subject paid back, under the receipt’s reference (an officer); the same reference again changes nothing · 登记追回缴款',
        params: {
          type: 'object',
          required: ['ref'],
          properties: { ref: { type: 'string', pattern: '^LG[0-9A-F]{24}$' } },
        },
        body: {
          type: 'object',
          required: ['amountFen', 'reference'],
          properties: {
            amountFen: { type: 'integer', minimum: 1, description: 'fen received' },
            reference: { type: 'string', minLength: 1, maxLength: 64, description: 'the receipt’s reference' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              ref: { type: 'string' },
              collectedFen: integer,
              owedFen: { ...integer, description: 'still owed after it' },
              recorded: { type: 'boolean', description: 'false: this reference was recorded before' },
            },
          },
          ...reads,
          404: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { ref: string }; Body: { amountFen: number; reference: string } }>) =>
      ledger.recordCollection(actorOf(request), request.params.ref, request.body),
  );
}
