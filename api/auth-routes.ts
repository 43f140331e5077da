/**
 * Signing in and out (S8). The console keeps no token in the page: signing in with a token or
 * through the city's identity provider opens a console session (30 minutes idle, 12 hours at
 * most, by default) whose token travels only as an httpOnly, Secure, SameSite=Strict cookie, so
 * no script — and no injected one — can read it; changes made with it must carry the console's
 * header (api/auth.ts, CSRF). Sign-out ends the session on the server, whichever way it came.
 *
 * - `GET /auth/methods`: how one may sign in here (a token; the identity provider when configured).
 * - `POST /auth/sign-in` `{token}`: a token exchanged for a console session (the cookie).
 * - `GET /auth/login[?role=]` → the provider; `GET /auth/callback` ← the provider: a console session, then /console.
 * - `POST /auth/sign-out`: ends the session that sends it (bearer token or cookie).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '../domain/roles.js';
import type { OidcClient } from '../services/identity/oidc.js';
import { SignInRefusal } from '../services/identity/oidc.js';
import type { OpenedSession, SessionService } from '../services/identity/sessions.js';
import { actorOf, ApiRefusal, CONSOLE_HEADER, cookieOf, SESSION_COOKIE, setCookie, SIGN_IN_COOKIE } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema } from './schemas.js';

export interface AuthApiDeps {
  sessions: SessionService;
  /** The city's identity provider; absent, only tokens sign in. */
  oidc?: OidcClient;
  /** How the provider is named on the sign-in page. */
  providerName?: { zh: string; en: string };
}

/** Who is signed in, as the console shows it. */
const sessionView = (opened: Pick<OpenedSession, 'actor' | 'session'>) => ({
  id: opened.actor.id,
  name: opened.actor.name,
  role: opened.actor.role,
  ...(opened.actor.department ? { department: opened.actor.department } : {}),
  expiresAt: opened.session.expiresAt.toISOString(),
  idleExpiresAt: opened.session.idleExpiresAt.toISOString(),
});

const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'the user ID' },
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    department: { type: 'string' },
    expiresAt: { type: 'string', format: 'date-time' },
    idleExpiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Registers the /auth routes. */
export async function authRoutes(app: FastifyInstance, deps: AuthApiDeps): Promise<void> {
  const { sessions, oidc } = deps;
  const maxAge = Math.floor(sessions.limits.console.absoluteMs / 1000);
  app.setErrorHandler(answerErrors());

  const setSession = (reply: FastifyReply, token: string) =>
    reply.header('set-cookie', setCookie(SESSION_COOKIE, token, { maxAgeSeconds: maxAge, sameSite: 'Strict' }));

  app.get(
    '/auth/methods',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'How one may sign in here: a token, and the city’s identity provider when configured · 登录方式',
      },
    },
    async () => ({
      token: true,
      ...(oidc
        ? { provider: { name: deps.providerName ?? { zh: '统一身份认证', en: 'city account' }, login: '/auth/login' } }
        : {}),
    }),
  );

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Open a console session with a token: the session travels as an httpOnly cookie, never in the page; send the x-applyfree-console header · 令牌登录',
        body: {
          type: 'object',
          required: ['token'],
          properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
          additionalProperties: false,
        },
        response: { 200: sessionSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { token: string } }>, reply) => {
      // Another site cannot send this header (no CORS): it cannot sign a browser in as someone else.
      if (request.headers[CONSOLE_HEADER] === undefined)
        throw new ApiRefusal(
          'CSRF_REFUSED',
          `sign in from the console: send the ${CONSOLE_HEADER} header`,
          `请从控制台登录（须携带 ${CONSOLE_HEADER} 请求头）`,
        );
      const opened = await sessions.signInWithToken(request.body.token);
      return setSession(reply, opened.token).send(sessionView(opened));
    },
  );

  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'End this session on the server (bearer token or console cookie): it opens nothing afterwards · 退出登录',
        security: bearerSecurity,
        response: { 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const { id: userId } = actorOf(request);
      const session = request.session;
      if (!session) throw new Error('POST /auth/sign-out admitted no session');
      await sessions.signOut(session.id);
      request.log.info({ userId, via: session.via }, 'signed out');
      if (session.cookie)
        reply.header('set-cookie', setCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, sameSite: 'Strict' }));
      return reply.send({ signedOut: true });
    },
  );

  app.get(
    '/auth/login',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Sign in through the city’s identity provider (staff): redirects there; ?role= picks one of several roles · 统一身份认证登录',
        querystring: {
          type: 'object',
          properties: { role: { type: 'string', enum: ROLES.filter((role) => role !== 'citizen') } },
        },
        response: { 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { role?: Role } }>, reply) => {
      if (!oidc) throw new SignInRefusal('SIGN_IN_NOT_CONFIGURED', 'no provider');
      const { redirect, state } = await oidc.begin(request.query.role ? { role: request.query.role } : {});
      return reply
        .header('set-cookie', setCookie(SIGN_IN_COOKIE, state, { maxAgeSeconds: 600, sameSite: 'Lax' }))
        .redirect(redirect, 302);
    },
  );

  app.get(
    '/auth/callback',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Where the identity provider sends the browser back: a console session, then /console (or /console with the refusal) · 统一身份认证回调',
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 2000 },
            state: { type: 'string', maxLength: 200 },
            error: { type: 'string', maxLength: 200 },
          },
        },
        response: { 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { code?: string; state?: string; error?: string } }>, reply) => {
      if (!oidc) throw new SignInRefusal('SIGN_IN_NOT_CONFIGURED', 'no provider');
      const clearSignIn = setCookie(SIGN_IN_COOKIE, '', { maxAgeSeconds: 0, sameSite: 'Lax' });
      try {
        const opened = await oidc.finish({ ...request.query, boundState: cookieOf(request, SIGN_IN_COOKIE) });
        request.log.info(
          { userId: opened.actor.id, role: opened.actor.role },
          'signed in through the identity provider',
        );
        return reply
          .header('set-cookie', [
            clearSignIn,
            setCookie(SESSION_COOKIE, opened.token, { maxAgeSeconds: maxAge, sameSite: 'Strict' }),
          ])
          .redirect('/console#/', 303);
      } catch (error) {
        if (!(error instanceof SignInRefusal)) throw error;
        request.log.warn({ reason: error.reason }, 'sign-in through the identity provider refused');
        return reply.header('set-cookie', clearSignIn).redirect(`/console#/sign-in/${error.code}`, 303);
      }
    },
  );
}
