/**
 * The HTTP API. Errors are JSON with a stable `code`, a message and, where it applies,
 * the field at fault.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { checkHealth, type HealthChecks } from '../health.js';

export interface ApiDeps {
  health: HealthChecks;
  temporalUiUrl?: string;
  /** Pino logging for requests; off in tests. */
  logger?: boolean;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false });

  app.get('/', async () => ({
    name: 'applyfree',
    description: { zh: '免申即享 主动服务引擎', en: 'Apply-free proactive public services engine' },
    links: { health: '/health', temporalUi: deps.temporalUiUrl },
  }));

  app.get('/health', async (_request, reply) => {
    const report = await checkHealth(deps.health);
    return reply.code(report.status === 'up' ? 200 : 503).send(report);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` };
    return reply.code(404).send(body);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const body: ApiError = { code: error.code ?? (status === 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: error.message };
    return reply.code(status).send(body);
  });

  return app;
}
