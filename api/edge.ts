/**
 * The HTTP edge, before any route runs (security review S14, S16, S11; abuse tests 22-27):
 * security headers on every answer with a strict Content Security Policy (@fastify/helmet), a
 * Host check against DNS rebinding, request limits per user (anonymous callers per address,
 * @fastify/rate-limit), body limits, and query strings held to what each route declares. No CORS
 * plugin: a page on another origin cannot read an answer, and a preflight gets no
 * Access-Control-Allow-Origin.
 */
import helmet from '@fastify/helmet';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { isIP } from 'node:net';
import { isOpen } from '../domain/permissions.js';
import { ApiRefusal, identityOf } from './auth.js';
import { actorForLog } from './request-log.js';

/** Request bodies of most routes: events, reasons, objections, sweep settings (413 BODY_TOO_LARGE beyond). */
export const BODY_LIMIT = 64 * 1024;
/** Policy documents (drafts and edits): well above the validator's node limit, still bounded. */
export const POLICY_BODY_LIMIT = 1024 * 1024;
/** A version of the list of matters (the whole list, some 100 KB for the starter list's 34 matters). */
export const MATTERS_BODY_LIMIT = 2 * 1024 * 1024;
/** The longest query-string value any route takes (400 beyond, whatever its schema says). */
export const QUERY_VALUE_LIMIT = 200;

/** Requests per window for a person (by user ID) and for an anonymous caller (by address). */
export interface UserRateLimit {
  /** Per signed-in user and window (APPLYFREE_USER_RATE_LIMIT a minute). */
  user: number;
  /** Per address and window, without a token (APPLYFREE_ANONYMOUS_RATE_LIMIT a minute). */
  anonymous: number;
  timeWindowMs: number;
}

/** What the edge is configured with (workers/config.ts). */
export interface EdgeOptions {
  /** Host names the API answers to besides loopback and IP addresses (API_HOST, APPLYFREE_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** Limits per user; none without (tests that are not about them). */
  rateLimit?: UserRateLimit;
  /** Answers reach people over https (a terminating proxy): HSTS is sent. */
  https?: boolean;
  /** Behind a proxy: the caller's address from X-Forwarded-For (APPLYFREE_TRUST_PROXY), for per-address limits. */
  trustProxy?: boolean;
  /** Where rate-limit counts live: Redis, shared by every API process of a deployment; in memory without. */
  redis?: Redis;
  /** Key prefix in Redis (the deployment's queue prefix). */
  prefix?: string;
}

/**
 * The console's policy: its own script and style only (no inline script, no eval), answers from
 * this origin only, no plugins, no <base>, never framed. Swagger UI at /docs has its own (openapi.ts).
 */
export const CONSOLE_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

/** helmet's settings: every answer, API and console alike. */
export function helmetOptions(options: Pick<EdgeOptions, 'https'>): FastifyHelmetOptions {
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { ...CONSOLE_CSP } },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Browsers ignore HSTS over http; sending it only over https keeps a plain-http development stack usable.
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  };
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), lower-case, without a trailing dot. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(header.trim());
  const name = match?.[1] ?? match?.[2];
  return name?.toLowerCase().replace(/\.$/, '');
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const WILDCARD = ['0.0.0.0', '::'];

/**
 * Whether the API answers a request with this Host: loopback, an IP address (a DNS-rebinding page
 * always sends its own name, never an address, and load balancers check health by address), or a
 * configured name. Anything else is refused before authentication.
 */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostName(header);
  if (!name) return false;
  return LOOPBACK.includes(name) || isIP(name) !== 0 || allowed.has(name);
}

/** The configured names, lower-case (API_HOST unless it is a wildcard address, and the extra ones). */
export function allowedHostSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(
    names
      .map((name) => name.trim().toLowerCase().replace(/\.$/, ''))
      .filter((name) => name && !WILDCARD.includes(name)),
  );
}

/**
 * Refuses a request whose Host is not this API's (421 HOST_NOT_ALLOWED), first of all: a page
 * that rebinds its own name to a loopback API reaches it under that name.
 */
export function registerHostCheck(app: FastifyInstance, names: readonly string[]): void {
  const allowed = allowedHostSet(names);
  app.addHook('onRequest', async (request) => {
    if (hostAllowed(request.headers.host, allowed)) return;
    throw new ApiRefusal(
      'HOST_NOT_ALLOWED',
      'this API does not answer to that Host: use its configured name (APPLYFREE_ALLOWED_HOSTS)',
      '此服务不接受该 Host 的请求：请使用配置的服务地址（APPLYFREE_ALLOWED_HOSTS）',
      'host',
    );
  });
}

/** The JSON schema a route declared for its query string, if any. */
function querySchemaOf(request: FastifyRequest): { properties?: Record<string, { type?: unknown }> } | undefined {
  const schema = request.routeOptions.schema?.querystring as
    { properties?: Record<string, { type?: unknown }> } | undefined;
  return schema && typeof schema === 'object' ? schema : undefined;
}

/**
 * Holds every query string to its route's schema before it is validated: a parameter the route
 * does not declare (`subject[$gt]`, or an identifier that now goes in a body), one given twice,
 * or a value longer than QUERY_VALUE_LIMIT is a 400 naming it — never dropped into a broader answer
 * (Fastify's validator would drop an undeclared one silently).
 */
export function registerQueryCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    const schema = querySchemaOf(request);
    // A route without a query schema reads no query: whatever is sent is left unread.
    if (!schema || !query || typeof query !== 'object') return;
    const declared = schema.properties ?? {};
    for (const [name, value] of Object.entries(query)) {
      if (!Object.hasOwn(declared, name)) {
        const identifier = name === 'subject' || /^subject\b/.test(name);
        throw new ApiRefusal(
          'BAD_REQUEST',
          identifier
            ? `query parameter ${name} is not taken here: identifiers go in a request body (POST /cases/search)`
            : `unknown query parameter ${name}`,
          identifier
            ? `此处不接受查询参数 ${name}：身份标识须放在请求体中（POST /cases/search）`
            : `未知的查询参数 ${name}`,
          name,
        );
      }
      if (Array.isArray(value) && declared[name].type !== 'array')
        throw new ApiRefusal(
          'BAD_REQUEST',
          `query parameter ${name} is given more than once`,
          `查询参数 ${name} 重复`,
          name,
        );
      const values = Array.isArray(value) ? value : [value];
      if (values.some((item) => typeof item === 'string' && item.length > QUERY_VALUE_LIMIT))
        throw new ApiRefusal(
          'BAD_REQUEST',
          `query parameter ${name} is longer than ${QUERY_VALUE_LIMIT} characters`,
          `查询参数 ${name} 超过 ${QUERY_VALUE_LIMIT} 个字符`,
          name,
        );
    }
  });
}

/**
 * Where a JSON document carries a key that reaches an object's prototype — `__proto__`, or
 * `constructor` holding `prototype` — as a path (`namedConditions.__proto__`), or undefined.
 * Walks with an explicit stack: a document nested 10,000 deep is walked, not overflowed.
 */
export function prototypeKeyPath(document: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: document, path: '' }];
  const at = (path: string, key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: at(path, i) }));
      continue;
    }
    if (Object.hasOwn(value, '__proto__')) return at(path, '__proto__');
    const constructor = (value as Record<string, unknown>).constructor;
    if (Object.hasOwn(value, 'constructor') && typeof constructor === 'object' && constructor !== null)
      if (Object.hasOwn(constructor, 'prototype')) return at(at(path, 'constructor'), 'prototype');
    for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: at(path, key) });
  }
  return undefined;
}

/**
 * JSON bodies are parsed by Fastify's own parser (secure-json-parse), which refuses a key that
 * would reach an object's prototype (security review abuse test 20). Its refusal says only "not
 * valid JSON"; here a body that is valid JSON but carries such a key is refused 400 naming the key
 * and where it is, in both languages. A body that is not JSON keeps Fastify's refusal.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const secure = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    secure(request, body as string, (error, parsed) => {
      if (!error) return done(null, parsed);
      let path: string | undefined;
      try {
        path = prototypeKeyPath(JSON.parse(body as string));
      } catch {
        // Not JSON at all: Fastify's own refusal stands.
      }
      if (!path) return done(error, undefined);
      const key = path.endsWith('.prototype') ? '"constructor" with "prototype"' : '"__proto__"';
      done(
        new ApiRefusal(
          'BAD_REQUEST',
          `the body has ${key} at ${path}: no request may carry a key that reaches an object's prototype`,
          `请求内容在 ${path} 处含有 ${key} 键：不接受可触及对象原型的键`,
          path,
        ),
        undefined,
      );
    });
  });
}

/**
 * On an open route, the person a known token names (api/auth.ts reads no token there): so the
 * access log names them and their requests count against their own limit, not their address's.
 * An unknown token changes nothing here; the routes that read it refuse it themselves.
 */
export function registerOpenRouteCaller(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const { action } = request.routeOptions.config;
    if (request.actor || !action || !isOpen(action)) return;
    // An open route refuses no caller: a token or cookie that names nobody counts by address.
    request.actor = await identityOf(request).catch(() => undefined);
  });
}

/** The rate-limit key of a request: the signed-in user, else the caller's address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.actor ? `user:${actorForLog(request.actor).id}` : `ip:${request.ip}`;
}

/** The refusal of a request over its limit, in both languages, with when to retry. */
export function rateLimited(who: string, max: number, windowMs: number, ttlMs: number): ApiRefusal {
  const seconds = Math.ceil(ttlMs / 1000);
  const window = Math.round(windowMs / 1000);
  return new ApiRefusal(
    'RATE_LIMITED',
    `${who} may make ${max} requests per ${window} s: retry in ${seconds} s`,
    `${who === 'this address' ? '该地址' : who} 每 ${window} 秒最多 ${max} 次请求：请 ${seconds} 秒后重试`,
  );
}

/** The global limit's settings for @fastify/rate-limit: after the person is known, per user or per address. */
export function userRateLimitSettings(limit: UserRateLimit) {
  return {
    global: true,
    // A route-level onRequest hook runs after the app's (api/auth.ts guardRoutes): the actor is known.
    hook: 'onRequest' as const,
    timeWindow: limit.timeWindowMs,
    max: (request: FastifyRequest) => (request.actor ? limit.user : limit.anonymous),
    keyGenerator: rateLimitKey,
    // The access log's line for the answer says RATE_LIMITED (api/request-log.ts).
    errorResponseBuilder: (request: FastifyRequest, context: { max: number; ttl: number }) =>
      rateLimited(
        request.actor ? `user ${actorForLog(request.actor).id}` : 'this address',
        context.max,
        limit.timeWindowMs,
        context.ttl,
      ),
  };
}

/** Registers helmet (headers on every answer, refusals included: its hooks run before any other). */
export function registerSecurityHeaders(app: FastifyInstance, options: Pick<EdgeOptions, 'https'>): void {
  void app.register(helmet, helmetOptions(options));
}
