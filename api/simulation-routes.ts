/**
 * The impact simulation routes (政策沙盘), inside /policies: an officer or reviewer starts a
 * simulation of a version over the whole population as of a date, and officers, reviewers and
 * supervisors read its progress and result (a token: domain/permissions.ts). Answers hold only
 * aggregates, every count below the minimum cell size withheld as null (rules/simulate-suppress.ts):
 * no resident ID or credit code, and no cell that singles a person out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimulationRunner } from '../services/policies/simulation.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';
import { actorOf } from './auth.js';

/** A count, null where it is withheld (below the minimum cell size, or the complement of one). */
const cell = { type: ['integer', 'null'] } as const;
const money = { type: ['number', 'null'], description: 'CNY; null where the eligible count is withheld' } as const;
const counts = {
  type: 'object',
  properties: { eligible: cell, ineligible: cell, undetermined: cell },
} as const;
const row = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    label: textSchema,
    ...counts.properties,
    cost: money,
    baselineEligible: { ...cell, description: 'eligible under the published version' },
  },
} as const;
const rows = { type: 'array', items: row } as const;

/** SimulationResult (rules/simulate.ts) as JSON Schema. */
const resultSchema = {
  type: 'object',
  properties: {
    policyId: { type: 'string' },
    version: { type: 'integer' },
    hash: { type: 'string' },
    asOf: { type: 'string', format: 'date' },
    period: { type: 'string', description: 'the grant period the cost is for: once, 2025 or 2025-06' },
    subject: { type: 'string', enum: ['person', 'enterprise'] },
    notInForceOnAsOf: { type: 'boolean', description: 'the version is not in force on asOf: a what-if' },
    population: { type: 'integer' },
    counts,
    totalCost: { ...money, description: 'CNY for the period; null where the eligible count is withheld' },
    baseline: { type: 'object', properties: { version: { type: 'integer' }, counts, totalCost: money } },
    changes: {
      type: 'object',
      description: 'per subject against the published version; the five add up to the population',
      properties: { winners: cell, losers: cell, amountUp: cell, amountDown: cell, unchanged: cell },
    },
    breakdowns: {
      type: 'object',
      description: 'district and ageBand for residents; district and enterpriseSize for enterprises',
      properties: { district: rows, ageBand: rows, enterpriseSize: rows },
    },
    undeterminedCauses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          fact: { type: 'string' },
          source: { type: 'string' },
          label: textSchema,
          count: cell,
        },
      },
    },
    suppression: {
      type: 'object',
      description: 'counts below minimumCellSize, and complements that would give one away, are null',
      properties: { minimumCellSize: { type: 'integer' }, withheld: { type: 'integer' } },
    },
    elapsedMs: { type: 'integer' },
  },
} as const;

const viewSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['running', 'done', 'failed'] },
    asOf: { type: 'string', format: 'date' },
    startedAt: { type: 'string', format: 'date-time' },
    progress: { type: 'object', properties: { processed: { type: 'integer' }, total: { type: 'integer' } } },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, messageZh: { type: 'string' } },
    },
    result: resultSchema,
  },
} as const;

const versionParams = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }, version: { type: 'integer', minimum: 1 } },
} as const;

type VersionRequest = FastifyRequest<{ Params: { id: string; version: number }; Body: { asOf?: string } | undefined }>;

/**
 * Registers POST …/simulate and GET …/simulation on the policy routes' scope. Refusals
 * (SimulationRefusal, lifecycle errors) go to the policy routes' error handler.
 */
export function simulationRoutes(app: FastifyInstance, runner: SimulationRunner): void {
  app.post(
    '/policies/:id/versions/:version/simulate',
    {
      schema: {
        tags: ['simulation'],
        summary:
          'Start an impact simulation over the whole population as of a date (officer or reviewer); a second request returns the running one · 发起影响模拟',
        params: versionParams,
        body: {
          type: 'object',
          properties: {
            asOf: {
              type: 'string',
              pattern: '^\\d{4}-\\d{2}-\\d{2}$',
              description: 'YYYY-MM-DD, default today in the city',
            },
          },
          additionalProperties: false,
        },
        security: bearerSecurity,
        response: { 202: viewSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request: VersionRequest, reply) => {
      const actor = actorOf(request);
      return reply
        .code(202)
        .send(await runner.start(actor, request.params.id, request.params.version, { asOf: request.body?.asOf }));
    },
  );

  app.get(
    '/policies/:id/versions/:version/simulation',
    {
      schema: {
        tags: ['simulation'],
        summary:
          'The latest simulation of a version: progress while it runs, then counts, cost, breakdowns and winners and losers against the published version, counts below 10 withheld (officer, reviewer or supervisor) · 影响模拟结果',
        params: versionParams,
        security: bearerSecurity,
        response: { 200: viewSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: VersionRequest) => runner.latest(request.params.id, request.params.version),
  );
}
