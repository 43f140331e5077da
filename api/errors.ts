/**
 * How every route group answers an error, and the only place a refusal becomes an HTTP status:
 * a Refusal (each layer's own subclass: lifecycle, identity, event, sweep, simulation,
 * correction, filter…) by its kind, with both languages, the field at fault and any issues; a
 * request the route's schema rejects with 400 BAD_REQUEST naming the property; Fastify's own
 * refusals (a body too large, a wrong content type, malformed JSON) with their status and a stable
 * code of ours; anything else with 500 INTERNAL and no detail (the log has it). A group may
 * answer some errors its own way first (`special`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal, type RefusalKind } from '../domain/refusal.js';
import { scrubIdentifiers } from './request-log.js';

/** The HTTP status of each kind of refusal. */
export const STATUS_OF_KIND: Record<RefusalKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'rate-limited': 429,
  misdirected: 421,
  unavailable: 503,
};

/** Fastify's own refusals, answered with a code of ours in both languages (not Fastify's FST_ERR_… code). */
const FASTIFY_REFUSALS: Record<string, { code: string; message: string; messageZh: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'BODY_TOO_LARGE',
    message: 'the request body is too large',
    messageZh: '请求内容过大',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
    messageZh: '请求内容须为 application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'BAD_REQUEST',
    message: 'the JSON body is empty',
    messageZh: '请求内容为空',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'BAD_REQUEST',
    message: 'the body is not valid JSON',
    messageZh: '请求内容不是有效的 JSON',
  },
};

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

/**
 * An error body as it may be shown: a refusal never needs a raw ID, and one that echoes what the
 * caller sent (an ID in a path, a value in a field) would otherwise hand back an identifier-shaped
 * input verbatim, so every identifier-shaped run in its texts is replaced.
 */
export function shown<Body extends Partial<ErrorBody>>(body: Body): Body {
  return {
    ...body,
    ...(body.message === undefined ? {} : { message: scrubIdentifiers(body.message) }),
    ...(body.messageZh === undefined ? {} : { messageZh: scrubIdentifiers(body.messageZh) }),
    ...(body.field === undefined ? {} : { field: scrubIdentifiers(body.field) }),
    ...(body.issues === undefined
      ? {}
      : { issues: body.issues.map((issue) => ({ ...issue, message: scrubIdentifiers(issue.message) })) }),
  };
}

/** An error handler for a route group (`app.setErrorHandler(answerErrors())`). */
export function answerErrors(special?: (error: Error) => { status: number; body: ErrorBody } | undefined) {
  return (error: FastifyError & { validation?: ValidationDetail[] }, request: FastifyRequest, reply: FastifyReply) => {
    const own = special?.(error);
    if (own) return reply.code(own.status).send(shown(own.body));
    if (error instanceof Refusal) {
      const { code, message, messageZh, field, issues } = error;
      return reply
        .code(STATUS_OF_KIND[error.kind])
        .send(shown({ code, message, messageZh, field, ...(issues ? { issues } : {}) }));
    }
    if (error.validation) {
      return reply.code(400).send(
        shown({
          code: 'BAD_REQUEST',
          message: error.message,
          messageZh: `请求格式有误：${error.message}`,
          field: schemaField(error),
        }),
      );
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ code: 'INTERNAL', message: 'internal error', messageZh: '服务内部错误' });
    }
    const known = FASTIFY_REFUSALS[error.code];
    if (known) return reply.code(status).send(known);
    // JSON.parse's own SyntaxError arrives with a 400 and no FST code on some paths.
    return reply.code(status).send(
      shown({
        code: 'BAD_REQUEST',
        message: error.message,
        messageZh: `请求有误：${error.message}`,
      }),
    );
  };
}
