/**
 * How every route group answers an error: a Refusal (each service's own subclass: lifecycle,
 * identity, event, sweep, simulation, correction, filter…) with its status, both languages,
 * the field at fault and any issues; a request
 * the route's schema rejects with 400 BAD_REQUEST naming the property; anything else with its
 * own status or 500. A group may answer some errors its own way first (`special`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../domain/refusal.js';

/** The JSON body of an error answer. */
export interface ErrorBody {
  code: string;
  message: string;
  messageZh?: string;
  field?: string;
  issues?: ReadonlyArray<{ path: string; message: string }>;
}

type ValidationDetail = { instancePath?: string; params?: { missingProperty?: string } };

/** The property a schema refusal names: `version`, `policyId`, `facts.person.birthDate`… */
function schemaField(error: FastifyError & { validation?: ValidationDetail[] }): string | undefined {
  const first = error.validation?.[0];
  const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  return [path, first?.params?.missingProperty].filter(Boolean).join('.') || error.validationContext || undefined;
}

/** An error handler for a route group (`app.setErrorHandler(answerErrors())`). */
export function answerErrors(special?: (error: Error) => { status: number; body: ErrorBody } | undefined) {
  return (error: FastifyError & { validation?: ValidationDetail[] }, _request: FastifyRequest, reply: FastifyReply) => {
    const own = special?.(error);
    if (own) return reply.code(own.status).send(own.body);
    if (error instanceof Refusal) {
      const { code, message, messageZh, field, issues } = error;
      return reply.code(error.status).send({ code, message, messageZh, field, ...(issues ? { issues } : {}) });
    }
    if (error.validation) {
      return reply.code(400).send({
        code: 'BAD_REQUEST',
        message: error.message,
        messageZh: `请求格式有误：${error.message}`,
        field: schemaField(error),
      });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return reply
      .code(status)
      .send({ code: status === 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST'), message: error.message });
  };
}
