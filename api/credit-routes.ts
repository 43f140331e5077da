/**
 * GET /credit-records/export (信用记录报送): a supervisor downloads the false-pledge credit records
 * written since a date as JSON lines for the credit office (services/credit/export.ts; the schema
 * in docs/CREDIT.md). Subjects are named by pseudonymous key only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreditService } from '../services/credit/export.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema } from './schemas.js';

export interface CreditApiDeps {
  credit: CreditService;
}

export async function creditRoutes(app: FastifyInstance, deps: CreditApiDeps): Promise<void> {
  app.setErrorHandler(answerErrors());
  app.get(
    '/credit-records/export',
    {
      schema: {
        tags: ['credit'],
        summary:
          'False-pledge credit records written since a date, oldest first, as JSON lines (schema applyfree.credit-record/1, docs/CREDIT.md) for the credit office; subjects by pseudonymous key (supervisor) · 信用记录报送',
        querystring: {
          type: 'object',
          required: ['since'],
          properties: { since: { type: 'string', description: 'YYYY-MM-DD (China time)' } },
          additionalProperties: false,
        },
        security: bearerSecurity,
        response: {
          200: { type: 'string', description: 'application/x-ndjson: one record a line' },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { since?: string } }>, reply) => {
      const lines = await deps.credit.exportSince(actorOf(request), request.query.since);
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="credit-records-${request.query.since}.jsonl"`)
        .send(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    },
  );
}
