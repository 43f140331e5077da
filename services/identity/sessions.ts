/**
 * Signing in and out (S8), for the API and the console: every request's token resolved to its
 * session (store/sessions.ts) with the configured limits, a token exchanged for a console session
 * (the console keeps no token of its own: api/auth.ts sets it as an httpOnly cookie), and sign-out
 * ending the session on the server. Each refusal says why in both languages; an ended session is
 * SESSION_EXPIRED, so the console can send the person back to sign in with that message.
 */
import type { Connection } from 'mongoose';
import { Refusal } from '../../domain/refusal.js';
import {
  DEFAULT_SESSION_LIMITS,
  endSession,
  issueSession,
  resolveSession,
  type ActiveSession,
  type SessionCheck,
  type SessionLimit,
  type SessionLimits,
  type SessionRecord,
} from '../../store/sessions.js';
import type { User } from '../../store/users.js';

/** Why someone is not signed in, or may not sign in this way. */
export class SessionRefusal extends Refusal {
  declare readonly code: 'UNAUTHENTICATED' | 'SESSION_EXPIRED' | 'SIGN_IN_WITH_PROVIDER' | 'BAD_REQUEST';
}

/** A session that was just opened: the token (for the cookie, never shown), who, and until when. */
export interface OpenedSession {
  token: string;
  actor: User;
  session: ActiveSession;
}

export interface SessionServiceDeps {
  store: Connection;
  limits?: SessionLimits;
  now?: () => Date;
  /**
   * When the city's identity provider signs staff in: staff may not open a console session with a
   * token (the provider's second factor would be bypassed); citizens and programs still may.
   */
  staffSignInWithProvider?: boolean;
}

const hours = (ms: number) => Math.round(ms / 3_600_000);
const minutes = (ms: number) => Math.round(ms / 60_000);
const days = (ms: number) => Math.round(ms / 86_400_000);

/** A limit as people read it: "30 minutes", "12 hours", "90 days". */
function spell(ms: number): { en: string; zh: string } {
  if (ms % 86_400_000 === 0) return { en: `${days(ms)} days`, zh: `${days(ms)} 天` };
  if (ms % 3_600_000 === 0) return { en: `${hours(ms)} hours`, zh: `${hours(ms)} 小时` };
  return { en: `${minutes(ms)} minutes`, zh: `${minutes(ms)} 分钟` };
}

/** The refusal of a token that opens nothing, saying why in both languages. */
export function sessionRefusal(check: Extract<SessionCheck, { failure: unknown }>): SessionRefusal {
  const limit: SessionLimit | undefined = check.limit;
  switch (check.failure) {
    case 'unknown':
      return new SessionRefusal('UNAUTHENTICATED', 'the bearer token is not known', '令牌无效');
    case 'idle': {
      const idle = spell(limit?.idleMs ?? 0);
      return new SessionRefusal(
        'SESSION_EXPIRED',
        `your session ended after ${idle.en} without activity: sign in again`,
        `会话已因 ${idle.zh}无操作而结束，请重新登录`,
      );
    }
    case 'absolute': {
      const absolute = spell(limit?.absoluteMs ?? 0);
      return new SessionRefusal(
        'SESSION_EXPIRED',
        `your session reached its limit of ${absolute.en}: sign in again`,
        `会话已达 ${absolute.zh}上限，请重新登录`,
      );
    }
    case 'signed-out':
      return new SessionRefusal(
        'SESSION_EXPIRED',
        'this session was signed out: sign in again',
        '该会话已退出登录，请重新登录',
      );
    case 'revoked':
      return new SessionRefusal(
        'SESSION_EXPIRED',
        'this token was revoked (a new one was issued, or the role withdrawn): sign in again',
        '该令牌已被吊销（已签发新令牌或已撤销该角色），请重新登录',
      );
    case 'disabled':
      return new SessionRefusal('SESSION_EXPIRED', 'this user is disabled', '该用户已停用');
  }
}

/** The session service behind api/auth.ts and the /auth routes. */
export function createSessionService(deps: SessionServiceDeps) {
  const limits = deps.limits ?? DEFAULT_SESSION_LIMITS;
  const now = deps.now ?? (() => new Date());

  /** Opens a console session for a user in a role (sign-in with a token or through the provider). */
  async function openConsoleSession(
    userId: string,
    role: User['role'],
    via: SessionRecord['via'],
    amr?: string[],
  ): Promise<OpenedSession> {
    const at = now();
    const { token, session, user } = await issueSession(deps.store, {
      userId,
      role,
      kind: 'console',
      via,
      ...(amr ? { amr } : {}),
      now: at,
    });
    const limit = limits.console;
    return {
      token,
      actor: {
        id: user._id,
        name: user.name,
        role,
        ...(user.department ? { department: user.department } : {}),
        ...(user.subjectKey ? { subjectKey: user.subjectKey } : {}),
      },
      session: {
        id: session._id,
        kind: 'console',
        via,
        idleExpiresAt: new Date(at.getTime() + limit.idleMs),
        expiresAt: new Date(at.getTime() + limit.absoluteMs),
      },
    };
  }

  return {
    limits,

    /** Whom a token acts as, or why it opens nothing (the guard turns that into a refusal). */
    authenticate: (token: string): Promise<SessionCheck> => resolveSession(deps.store, token, { limits, now: now() }),

    /**
     * Exchanges a token for a console session of the same user and role, with the console's
     * limits; the token itself stays with whoever holds it. Staff are refused (SIGN_IN_WITH_PROVIDER)
     * when the identity provider signs them in.
     */
    async signInWithToken(token: unknown): Promise<OpenedSession> {
      if (typeof token !== 'string' || !token.trim())
        throw new SessionRefusal('BAD_REQUEST', 'give the token to sign in with', '请填写令牌', 'token');
      const check = await resolveSession(deps.store, token.trim(), { limits, now: now() });
      if ('failure' in check) throw sessionRefusal(check);
      if (deps.staffSignInWithProvider && check.actor.role !== 'citizen')
        throw new SessionRefusal(
          'SIGN_IN_WITH_PROVIDER',
          'staff sign in through the city’s identity provider (两步验证 two factors): use “Sign in with the city account”',
          '工作人员须通过城市统一身份认证登录（两步验证）：请使用“统一身份认证登录”',
          'token',
        );
      return openConsoleSession(check.actor.id, check.actor.role, 'token');
    },

    openConsoleSession,

    /** Ends a session on the server: its token or cookie opens nothing from now on. */
    async signOut(sessionId: string): Promise<void> {
      await endSession(deps.store, sessionId, now());
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
