/**
 * Who is asking, for every route at once: `guardRoutes` refuses to register a route that
 * api/route-permissions.ts has no row for, and authorises each request from its row before the
 * body is read — the bearer token resolved once, onto `request.actor`; 401 UNAUTHENTICATED
 * without a known token, 403 FORBIDDEN_ROLE naming who may (domain/permissions.ts), both in
 * English and Chinese. Open routes read no token unless their handler asks (`identifier`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize, isOpen, type Action } from '../domain/permissions.js';
import { Refusal } from '../domain/refusal.js';
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
  }
}

/** The person a bearer token belongs to, or undefined (store/users.ts userOfToken). */
export type Authenticate = (token: string) => Promise<User | undefined>;

/** A refusal of the API layer (401, 403, 400…): stable code, both languages, the field at fault. */
export class ApiRefusal extends Refusal {}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * The person a request's token names; undefined without a token. A token nobody holds is a 401
 * even where no token is needed: a mistyped token must not silently show less.
 */
export function identifier(authenticate?: Authenticate): (request: FastifyRequest) => Promise<User | undefined> {
  return async (request) => {
    const token = bearerToken(request);
    if (!token) return undefined;
    const actor = authenticate ? await authenticate(token) : undefined;
    if (!actor) throw new ApiRefusal('UNAUTHENTICATED', 'the bearer token is not known', '令牌无效');
    return actor;
  };
}

/** The person the route's permission admitted (a route whose row names roles or asks for a token). */
export function actorOf(request: FastifyRequest): User {
  if (!request.actor) throw new Error(`${request.method} ${request.routeOptions.url} admits anyone: it has no actor`);
  return request.actor;
}

/**
 * Registers, first of all, the check that every route has a row (registration throws, naming
 * the route) and the hook that authorises every request from it.
 */
export function guardRoutes(app: FastifyInstance, authenticate?: Authenticate): void {
  const identify = identifier(authenticate);
  app.decorateRequest('actor', undefined);
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
    const { action } = request.routeOptions.config;
    // No action: no route matched, and the not-found handler answers.
    if (!action || isOpen(action)) return;
    const actor = await identify(request);
    authorize(actor, action, ApiRefusal);
    request.actor = actor;
  });
}
