/**
 * Programme metrics over HTTP (监督指标): GET /programme-metrics as JSON with {zh,en} labels for
 * the console dashboard, and GET /metrics in Prometheus text format for operations. Both carry
 * aggregates only (policy, department, source, outcome), never a subject.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsFilter, MetricsService } from '../services/metrics/service.js';
import { prometheusText } from '../services/metrics/prometheus.js';
import { Refusal } from '../domain/refusal.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface MetricsApiDeps {
  metrics: MetricsService;
  /**
   * Serve GET /programme-metrics too: the API knows tokens (domain/permissions.ts metrics.programme
   * says whose); without them only the unauthenticated /metrics is served.
   */
  programme: boolean;
}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const text = textSchema;
const open = { type: 'object', additionalProperties: true } as const;
const rows = { type: 'array', items: open } as const;
const rate = { type: 'number', nullable: true, description: 'null when nothing was counted' } as const;
const programmeSchema = {
  type: 'object',
  properties: {
    filter: open,
    readAt: { type: 'string' },
    readMs: { type: 'number' },
    indicators: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { label: text, definition: text } },
    },
    grants: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        amount: { type: 'number' },
        revoked: { type: 'integer' },
        byBasis: { type: 'object', additionalProperties: { type: 'integer' } },
        byMonth: rows,
      },
    },
    byPolicy: rows,
    byDepartment: rows,
    takeUp: {
      type: 'object',
      properties: {
        eligible: { type: 'integer' },
        granted: { type: 'integer' },
        rate,
        undetermined: {
          type: 'integer',
          description: 'subject-policy-periods with an undetermined decision in the period',
        },
        undeterminedServed: {
          type: 'integer',
          description: 'of those, how many were granted since (served after outreach, a review or a late answer)',
        },
      },
    },
    undetermined: {
      type: 'object',
      properties: { decisions: { type: 'integer' }, undetermined: { type: 'integer' }, rate, causes: rows },
    },
    latency: open,
    dataSharing: {
      type: 'object',
      properties: {
        requested: { type: 'integer' },
        answered: { type: 'integer' },
        notFound: { type: 'integer' },
        failed: { type: 'integer' },
        rate,
        bySource: rows,
        byDepartment: rows,
      },
    },
    dataSharingDemand: {
      type: 'object',
      description:
        '数据共享有效需求满足率: fact requests answered with the fact within one working day ÷ requests due, per department and month filed, against the Dezhou plan’s target',
      properties: {
        target: open,
        total: open,
        rows,
      },
    },
    proofIndicators: {
      type: 'object',
      description:
        '字段共享率, 证明材料共享率, 电子证照证明替代率 of the proof-free applications submitted in the period, per handling department and month, against the Dezhou plan’s targets; and the share of matters in the list in force that are fully proof-free',
      properties: { targets: open, total: open, rows, proofFreeMatters: open },
    },
    casesRunning: { type: 'integer' },
  },
} as const;

/** Registers /metrics (and, with `authenticate`, /programme-metrics) in its own scope. */
export async function metricsRoutes(app: FastifyInstance, deps: MetricsApiDeps): Promise<void> {
  app.setErrorHandler(
    answerErrors((error) =>
      error instanceof Refusal || (error as { validation?: unknown }).validation
        ? undefined
        : {
            status: 503,
            body: {
              code: 'METRICS_UNAVAILABLE',
              message: `the metrics could not be read: ${error.message}`,
              messageZh: '暂时无法读取监督指标',
            },
          },
    ),
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Programme metrics and process runtime in Prometheus text format (unauthenticated, aggregates only) · Prometheus 监控指标',
      },
    },
    async (_request, reply) => {
      let body: string;
      try {
        body = prometheusText(await deps.metrics.read());
      } catch (error) {
        body = prometheusText(undefined, error instanceof Error ? error.message : String(error));
      }
      return reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(body);
    },
  );

  if (!deps.programme) return;
  app.get(
    '/programme-metrics',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Programme indicators: proactive grants, take-up, undetermined causes, event-to-grant latency, data-sharing satisfaction, certificate substitution (supervisor, officer, reviewer) · 监督指标',
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', pattern: DATE, description: 'first day counted (YYYY-MM-DD, city date)' },
            to: { type: 'string', pattern: DATE, description: 'last day counted (inclusive)' },
            policy: { type: 'string', maxLength: 100, description: 'policy id' },
            department: {
              type: 'string',
              maxLength: 100,
              description: 'owning department of the policies, Chinese or English name',
            },
          },
          additionalProperties: false,
        },
        security: bearerSecurity,
        response: { 200: programmeSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: MetricsFilter }>) => deps.metrics.read(request.query),
  );
}
