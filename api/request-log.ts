/**
 * The API's access log (security review S12): one structured JSON line per request on stdout —
 * who (user ID and role, or the signing department), which route (its pattern, never the URL
 * with its query), the object keys from its parameters, the status, the time taken and, for a
 * refusal, its code. 401, 403, 421 and 429 are logged at warn, 5xx at error. No bodies, no tokens, no
 * query strings; and whatever a line still carries that looks like a resident ID (GB 11643) or
 * a credit code (GB 32100) is replaced before it is written, wherever it is in the line.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import type { User } from '../store/users.js';

/** Where and how much the API logs (ApiDeps.logger). */
export interface RequestLogOptions {
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go (default stdout: the platform ships them, 12-factor). */
  destination?: { write(line: string): unknown };
}

/** What replaces an identifier in a log line. */
export const REDACTED = '[redacted]';

/**
 * 18 characters of a resident ID (17 digits and a digit or X) or of a credit code (GB 32100: two
 * code characters, six digits of region, ten code characters) standing alone: not inside a longer
 * run of letters and digits, so hashes, keys and tokens are left as they are. Any structure match
 * is scrubbed, check character or not: a mistyped ID is still someone's.
 */
const IDENTIFIER =
  /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}\d{6}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10})(?![0-9A-Za-z])/g;

/** Whether `offset` of a JSON text is inside a string (an odd number of unescaped quotes before it). */
function insideJsonString(text: string, offset: number): boolean {
  let inside = false;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') inside = !inside;
  }
  return inside;
}

/**
 * The text with every identifier-shaped run replaced; in a JSON line a bare 18-digit number
 * becomes the string "[redacted]", so the line stays JSON.
 */
export function scrubIdentifiers(text: string): string {
  return text.replace(IDENTIFIER, (_match, offset: number) =>
    !text.startsWith('{') || insideJsonString(text, offset) ? REDACTED : `"${REDACTED}"`,
  );
}

/** A destination that scrubs each line as a whole (message, fields, error stacks) before writing it. */
export function scrubbingDestination(destination: { write(line: string): unknown }): { write(line: string): void } {
  return {
    write(line: string) {
      destination.write(scrubIdentifiers(line));
    },
  };
}

/** Header and field paths never written even if a line names them (pino `redact`). */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-applyfree-signature"]',
  'headers.authorization',
  'headers.cookie',
  'body',
  'req.body',
  'query',
  'req.query',
];

/** The pino logger of an API: JSON lines, known secrets redacted, identifiers scrubbed. */
export function createRequestLogger(options: RequestLogOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { service: 'applyfree-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbingDestination(options.destination ?? process.stdout),
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The refusal code the answer carried, for the access log. */
    outcomeCode?: string;
  }
}

/** Who acted, as the log names them: a stable ID where users have one, the role; a citizen only by their subject key. */
export function actorForLog(actor: User): { id: string; role: string } {
  const withId = actor as User & { id?: unknown };
  const id =
    typeof withId.id === 'string' ? withId.id : actor.role === 'citizen' ? (actor.subjectKey ?? 'citizen') : actor.name;
  return { id, role: actor.role };
}

/** The refusal code of an error answer (our JSON errors all carry one). */
function codeOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length > 20_000 || !payload.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Refusals an operator watches: who is not known (401), not allowed (403), at the wrong host (421), too fast (429). */
const REFUSALS_AT_WARN = [401, 403, 421, 429];

/** The line for one answered request. */
function lineOf(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const route = request.routeOptions.url;
  const params =
    request.params && typeof request.params === 'object' ? (request.params as Record<string, unknown>) : {};
  const keys = Object.fromEntries(
    Object.entries(params).filter(([, value]) => typeof value === 'string' || typeof value === 'number'),
  );
  return {
    event: 'request',
    method: request.method,
    // The pattern (`/cases/:caseId/timeline`); an unmatched request only its path, never a query string.
    route: route ?? null,
    ...(route ? {} : { path: request.url.split('?')[0] }),
    ...(route && Object.keys(keys).length ? { keys } : {}),
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 10) / 10,
    ...(request.actor ? { user: actorForLog(request.actor) } : {}),
    ...(request.department ? { department: request.department.department } : {}),
    ...(request.outcomeCode ? { outcome: request.outcomeCode } : {}),
    // A refused Host is what the operator needs to see (a misconfigured name, or a rebinding page).
    ...(request.outcomeCode === 'HOST_NOT_ALLOWED' ? { host: request.headers.host ?? null } : {}),
    ip: request.ip,
  };
}

/**
 * Registers the access log: the refusal code is read from each error answer as it is sent, and
 * one line is written when the answer is done (Fastify's own request lines are off: they carry URLs).
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest('outcomeCode', undefined);
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) request.outcomeCode = codeOf(payload);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const line = lineOf(request, reply);
    if (status >= 500) request.log.error(line, 'request failed');
    else if (REFUSALS_AT_WARN.includes(status)) request.log.warn(line, 'request refused');
    else request.log.info(line, 'request');
  });
}
