/**
 * Who is asking, for every route at once: `guardRoutes` refuses to register a route that
 * api/route-permissions.ts has no row for, and authorises each request from its row before the
 * body is parsed — the session resolved once (store/sessions.ts), onto `request.actor` and
 * `request.session`; 401 UNAUTHENTICATED without a known token, 401 SESSION_EXPIRED for a session
 * that ended (idle, absolute limit, signed out, revoked, user disabled), 403 FORBIDDEN_ROLE naming
 * who may (domain/permissions.ts), all in English and Chinese. A person's session comes as a
 * bearer token (programs, the CLI) or as the console's httpOnly cookie; a change made with the
 * cookie must carry the console's header (x-applyfree-console), which no other site can send
 * (no CORS), else 403 CSRF_REFUSED. Open routes read no session unless their handler asks (`identityOf`).
 * A departments' route (POST /events) is admitted only by a department's signed request
 * (domain/department-signature.ts), verified over the raw body before it is parsed, onto
 * `request.department`; any failure is one 401 DEPARTMENT_UNAUTHENTICATED, its reason only logged.
 * A verifiers' route (POST /codes/scan) likewise by a verifier's (domain/verifier-signature.ts),
 * onto `request.verifier`, else 401 VERIFIER_UNAUTHENTICATED.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { DEPARTMENT_HEADERS, type DepartmentClaim } from '../domain/department-signature.js';
import {
  authorize,
  departmentsOnly,
  departmentUnauthenticated,
  isOpen,
  signedCallerOf,
  verifiersOnly,
  verifierUnauthenticated,
  type Action,
} from '../domain/permissions.js';
import { Refusal } from '../domain/refusal.js';
import { SIGNED_REQUEST_HEADERS } from '../domain/signed-request.js';
import { VERIFIER_HEADERS, type VerifierClaim } from '../domain/verifier-signature.js';
import type { DepartmentAuthentication, DepartmentPrincipal } from '../services/departments/authenticate.js';
import type { VerifierAuthentication, VerifierPrincipal } from '../services/verifiers/authenticate.js';
import { sessionRefusal } from '../services/identity/sessions.js';
import type { ActiveSession, SessionCheck } from '../store/sessions.js';
import type { User } from '../store/users.js';
import { actionOfRoute } from './route-permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's action (api/route-permissions.ts), attached when the route is registered. */
    action?: Action;
  }
  interface FastifyRequest {
    /** The person the route's permission admitted; absent on open routes. */
    actor?: User;
    /** The session that admitted them, and whether it came as the console's cookie. */
    session?: ActiveSession & { cookie: boolean };
    /** The department whose signed request a departments' route admitted. */
    department?: DepartmentPrincipal;
    /** The verifier whose signed request a verifiers' route admitted. */
    verifier?: VerifierPrincipal;
  }
}

/** Whom a token acts as, or why it opens nothing (services/identity/sessions.ts authenticate). */
export type Authenticate = (token: string) => Promise<SessionCheck>;

/** The console's session cookie: httpOnly (no script reads it), Secure, SameSite=Strict, the whole host (`__Host-`). */
export const SESSION_COOKIE = '__Host-applyfree-session';
/** Binds a sign-in through the provider to the browser that began it (the OIDC state); Lax, so the provider's redirect back carries it. */
export const SIGN_IN_COOKIE = '__Host-applyfree-sign-in';
/** The header the console sends with every request: a change made with the cookie needs it (CSRF). */
export const CONSOLE_HEADER = 'x-applyfree-console';

/** A cookie's value from the request's Cookie header, if any. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** A Set-Cookie value for one of our `__Host-` cookies; `maxAgeSeconds` 0 clears it. */
export function setCookie(name: string, value: string, options: { maxAgeSeconds: number; sameSite: 'Strict' | 'Lax' }) {
  return `${name}=${value}; Path=/; Max-Age=${options.maxAgeSeconds}; HttpOnly; Secure; SameSite=${options.sameSite}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The department that signed a request, or why none did (services/departments/authenticate.ts). */
export type AuthenticateDepartment = (claim: Partial<DepartmentClaim>) => Promise<DepartmentAuthentication>;

/** The verifier that signed a request, or why none did (services/verifiers/authenticate.ts). */
export type AuthenticateVerifier = (claim: Partial<VerifierClaim>) => Promise<VerifierAuthentication>;

/** A refusal of the API layer (401, 403, 400…): stable code, both languages, the field at fault. */
export class ApiRefusal extends Refusal {}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

const identities = new WeakMap<FastifyRequest, Promise<User | undefined>>();
/** Each request's authenticator, set by the guard's first hook (open routes resolve a session only if they ask). */
const authenticators = new WeakMap<FastifyRequest, Authenticate | undefined>();

/**
 * The person a request's session names (bearer token first, else the console's cookie);
 * undefined without either. A token nobody holds is a 401 even where no token is needed (a
 * mistyped token must not silently show less), an ended session 401 SESSION_EXPIRED, and a change
 * made with the cookie but without the console's header 403 CSRF_REFUSED. Resolved once per request.
 */
export function identityOf(request: FastifyRequest): Promise<User | undefined> {
  let identity = identities.get(request);
  if (!identity) {
    identity = resolveIdentity(request, authenticators.get(request));
    identities.set(request, identity);
  }
  return identity;
}

async function resolveIdentity(request: FastifyRequest, authenticate?: Authenticate): Promise<User | undefined> {
  const bearer = bearerToken(request);
  const token = bearer ?? cookieOf(request, SESSION_COOKIE);
  if (!token) return undefined;
  const check: SessionCheck = authenticate ? await authenticate(token) : { failure: 'unknown' };
  if ('failure' in check) {
    if (check.failure !== 'unknown') request.log.info({ reason: check.failure }, 'ended session refused');
    throw check.failure === 'unknown'
      ? new ApiRefusal('UNAUTHENTICATED', 'the bearer token is not known', '令牌无效')
      : sessionRefusal(check);
  }
  const cookie = bearer === undefined;
  if (cookie && !SAFE_METHODS.has(request.method) && request.headers[CONSOLE_HEADER] === undefined)
    throw new ApiRefusal(
      'CSRF_REFUSED',
      `a change made with the console's session must carry the ${CONSOLE_HEADER} header`,
      `使用控制台会话的修改须携带 ${CONSOLE_HEADER} 请求头`,
    );
  request.session = { ...check.session, cookie };
  return check.actor;
}

/** The department a departments' route admitted. */
export function departmentOf(request: FastifyRequest): DepartmentPrincipal {
  if (!request.department) throw new Error(`${request.method} ${request.routeOptions.url} admitted no department`);
  return request.department;
}

/** The verifier a verifiers' route admitted. */
export function verifierOf(request: FastifyRequest): VerifierPrincipal {
  if (!request.verifier) throw new Error(`${request.method} ${request.routeOptions.url} admitted no verifier`);
  return request.verifier;
}

/**
 * Whether a request carries any of the signature's headers of the action's party (then it is judged
 * as that party's: a department's headers on a verifiers' route are a verifier's without its ID).
 */
const signsAs = (request: FastifyRequest, action: Action) =>
  Object.values(departmentsOnly(action) ? DEPARTMENT_HEADERS : VERIFIER_HEADERS).some(
    (name) => request.headers[name] !== undefined,
  );

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** The raw body, at most `limit` bytes (413 beyond), hashed as it is read. */
async function readRawBody(payload: NodeJS.ReadableStream, limit: number): Promise<{ body: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    hash.update(bytes);
    chunks.push(bytes);
  }
  return { body: Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}

/** The person the route's permission admitted (a route whose row names roles or asks for a token). */
export function actorOf(request: FastifyRequest): User {
  if (!request.actor) throw new Error(`${request.method} ${request.routeOptions.url} admits anyone: it has no actor`);
  return request.actor;
}

/** The signed parties' authenticators: without one, no party of that kind is admitted. */
export interface SignedPartyAuthenticators {
  department?: AuthenticateDepartment;
  verifier?: AuthenticateVerifier;
}

/** Verifies a signed parties' request over its raw body's hash, onto the request; throws the kind's 401. */
async function admitSignedParty(
  request: FastifyRequest,
  action: Action,
  bodySha256: string,
  parties: SignedPartyAuthenticators,
): Promise<void> {
  const parts = {
    keyId: header(request, SIGNED_REQUEST_HEADERS.keyId),
    timestamp: header(request, SIGNED_REQUEST_HEADERS.timestamp),
    nonce: header(request, SIGNED_REQUEST_HEADERS.nonce),
    signature: header(request, SIGNED_REQUEST_HEADERS.signature),
    method: request.method,
    path: request.url,
    bodySha256,
  };
  if (verifiersOnly(action)) {
    const result: VerifierAuthentication = parties.verifier
      ? await parties.verifier({ ...parts, party: header(request, VERIFIER_HEADERS.verifier) })
      : { failure: 'this API authenticates no verifier' };
    if ('failure' in result) {
      request.log.warn({ reason: result.failure }, 'verifier request refused');
      throw verifierUnauthenticated();
    }
    request.verifier = result.principal;
    return;
  }
  const result: DepartmentAuthentication = parties.department
    ? await parties.department({ ...parts, department: header(request, DEPARTMENT_HEADERS.department) })
    : { failure: 'this API authenticates no department' };
  if ('failure' in result) {
    request.log.warn({ reason: result.failure }, 'department request refused');
    throw departmentUnauthenticated();
  }
  request.department = result.principal;
}

/**
 * Registers, first of all, the check that every route has a row (registration throws, naming
 * the route) and the hooks that authorise every request from it: people by their token, departments
 * and verifiers by their signature over the raw body (without their authenticator, none is admitted).
 */
export function guardRoutes(
  app: FastifyInstance,
  authenticate?: Authenticate,
  parties: SignedPartyAuthenticators = {},
): void {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('session', undefined);
  app.decorateRequest('department', undefined);
  app.decorateRequest('verifier', undefined);
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const actions = new Set(methods.map((method) => actionOfRoute(method, route.url)));
    const [action] = actions;
    if (actions.size !== 1 || !action) {
      throw new Error(
        `${methods.join(',')} ${route.url} has no row in api/route-permissions.ts: say which action it is (domain/permissions.ts)`,
      );
    }
    route.config = { ...route.config, action };
  });
  app.addHook('onRequest', async (request) => {
    authenticators.set(request, authenticate);
    const { action } = request.routeOptions.config;
    // No action: no route matched, and the not-found handler answers.
    if (!action || isOpen(action)) return;
    // A signed party's signature is checked with its body (preParsing, below); a person is told they are one (403).
    if (signedCallerOf(action) && signsAs(request, action)) return;
    const actor = await identityOf(request);
    // Known before the verdict, so the access log names who was refused (api/request-log.ts).
    request.actor = actor;
    authorize(actor, action, ApiRefusal);
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const { action } = request.routeOptions.config;
    if (!action || !signedCallerOf(action)) return payload;
    const { body, sha256 } = await readRawBody(payload, request.routeOptions.bodyLimit);
    await admitSignedParty(request, action, sha256, parties);
    // The body as it came, for the parser.
    return Readable.from([body], { objectMode: false });
  });
}
