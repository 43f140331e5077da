/**
 * The HTTP API. Errors are JSON with a stable `code`, a message and, where it applies,
 * the field at fault.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { EventValidationError } from '../../domain/event-payloads.js';
import { checkHealth, type HealthChecks } from '../health.js';
import type { IngestResult } from '../ingest.js';
import { policyRoutes, type PolicyApiDeps } from './policies.js';

export interface ApiDeps {
  health: HealthChecks;
  /** Accepts a life event (POST /events); absent in a health-only API. */
  ingest?: (body: unknown) => Promise<IngestResult>;
  /** The live programme summary (GET /summary): cases, decisions, grants, notices; absent in a health-only API. */
  summary?: () => Promise<object>;
  /** The policy authoring routes (/policies); absent in a health-only API. */
  policies?: PolicyApiDeps;
  temporalUiUrl?: string;
  /** Pino logging for requests; off in tests. */
  logger?: boolean;
}

export interface ApiError {
  code: string;
  message: string;
  /** The message in Chinese, where one exists. */
  messageZh?: string;
  field?: string;
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false });

  app.get('/', async () => ({
    name: 'applyfree',
    description: { zh: '免申即享 主动服务引擎', en: 'Apply-free proactive public services engine' },
    links: { health: '/health', ...(deps.summary ? { summary: '/summary' } : {}), temporalUi: deps.temporalUiUrl },
  }));

  // Its own error handler (lifecycle refusals, 401) stays inside the plugin's scope.
  if (deps.policies) {
    const policies = deps.policies;
    void app.register(async (scope) => policyRoutes(scope, policies));
  }

  app.get('/health', async (_request, reply) => {
    const report = await checkHealth(deps.health);
    return reply.code(report.status === 'up' ? 200 : 503).send(report);
  });

  if (deps.ingest) {
    const ingest = deps.ingest;
    /** A registry publishes a life event; 202 with the case, also for a repeated delivery. */
    app.post('/events', async (request, reply) => {
      const result = await ingest(request.body);
      return reply.code(202).send(result);
    });
  }

  if (deps.summary) {
    const summary = deps.summary;
    /** The live summary as JSON; 503 SUMMARY_UNAVAILABLE when the store does not answer. */
    app.get('/summary', async (_request, reply) => {
      try {
        return reply.send(await summary());
      } catch (error) {
        const body: ApiError = {
          code: 'SUMMARY_UNAVAILABLE',
          message: `the summary could not be read: ${error instanceof Error ? error.message : String(error)}`,
          messageZh: '暂时无法读取实时概况',
        };
        return reply.code(503).send(body);
      }
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` };
    return reply.code(404).send(body);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof EventValidationError) {
      const body: ApiError = { code: error.code, message: error.message, messageZh: error.messageZh, field: error.field };
      return reply.code(400).send(body);
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const body: ApiError = { code: error.code ?? (status === 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: error.message };
    return reply.code(status).send(body);
  });

  return app;
}
