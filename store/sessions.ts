/**
 * Sessions (S8): every bearer token and console cookie is a session of one user, acting in one of
 * their roles. Only the token's SHA-256 is stored, as the session's `_id`, so each request is one
 * `_id` lookup of the session and one of its user, and a leaked database holds no working token.
 * A session ends at the first of: its idle limit since it was last seen, its absolute limit since
 * it was opened, sign-out (ended here), its user's sessions being revoked or the user disabled
 * (store/users.ts moves the user's token generation on), or the role leaving the user. `lastSeenAt`
 * is written at most once a minute, so a busy session costs no write per request; the idle limit
 * is therefore exact to within that minute.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { ROLES, type Role } from '../domain/roles.js';
import { findUser, UserRegisterError, type User, type UserRecord } from './users.js';

/**
 * `console`: a person's session in a browser (the console's cookie, opened by signing in with the
 * identity provider or a token), with the short limits. `machine`: a token `applyfree user` prints
 * for a program or the CLI (and the demo's people), with the long limits.
 */
export type SessionKind = 'console' | 'machine';

export interface SessionRecord {
  /** SHA-256 (hex) of the token. */
  _id: string;
  userId: string;
  role: Role;
  kind: SessionKind;
  /** How it was opened: the user command, a token signed in at the console, the identity provider. */
  via: 'cli' | 'token' | 'oidc' | 'demo' | 'test';
  /** The user's token generation when it was issued (store/users.ts). */
  generation: number;
  /** The provider's authentication methods (`amr`) for a provider sign-in: what MFA was used. */
  amr?: string[];
  createdAt: Date;
  lastSeenAt: Date;
  endedAt?: Date;
  endReason?: 'signed-out';
}

const sessionSchema = new Schema<SessionRecord>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    kind: { type: String, required: true, enum: ['console', 'machine'] },
    via: { type: String, required: true, enum: ['cli', 'token', 'oidc', 'demo', 'test'] },
    generation: { type: Number, required: true },
    amr: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    endedAt: { type: Date },
    endReason: { type: String, enum: ['signed-out'] },
  },
  { collection: 'user_sessions', versionKey: false },
);

export function registerSessionModel(connection: Connection): Model<SessionRecord> {
  return (connection.models.UserSession as Model<SessionRecord>) ?? connection.model('UserSession', sessionSchema);
}

/** How long a session lasts: since it was last seen (idle) and since it was opened (absolute), in milliseconds. */
export interface SessionLimit {
  idleMs: number;
  absoluteMs: number;
}

export type SessionLimits = Record<SessionKind, SessionLimit>;

/** The defaults (workers/config.ts reads the environment's): 30 minutes idle and 12 hours for a person at the console; 30 and 90 days for a machine token. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  console: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 },
  machine: { idleMs: 30 * 86_400_000, absoluteMs: 90 * 86_400_000 },
};

/** `lastSeenAt` is written when it is at least this old: at most one write a minute per session. */
export const LAST_SEEN_GRANULARITY_MS = 60_000;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Why a token opens nothing: never issued, or ended and how. */
export type SessionFailure = 'unknown' | 'idle' | 'absolute' | 'signed-out' | 'revoked' | 'disabled';

/** A session that admitted a request: who, and until when. */
export interface ActiveSession {
  /** The session's `_id` (the token's hash), to end it. */
  id: string;
  kind: SessionKind;
  via: SessionRecord['via'];
  /** When it ends unless used again (idle), and at the latest (absolute). */
  idleExpiresAt: Date;
  expiresAt: Date;
}

export type SessionCheck =
  { actor: User; session: ActiveSession } | { failure: SessionFailure; kind?: SessionKind; limit?: SessionLimit };

/** The person a user record acts as in a role. */
export const actorOf = (user: UserRecord, role: Role): User => ({
  id: user._id,
  name: user.name,
  role,
  ...(user.department ? { department: user.department } : {}),
  ...(user.subjectKey ? { subjectKey: user.subjectKey } : {}),
});

/**
 * Opens a session for an active user in one of their roles and returns its token, the only
 * time it is visible. Throws UserRegisterError for an unknown user, and an Error for a disabled one or a role they do not hold.
 */
export async function issueSession(
  store: Connection,
  input: {
    userId: string;
    role?: Role;
    kind: SessionKind;
    via: SessionRecord['via'];
    amr?: string[];
    now?: Date;
  },
): Promise<{ token: string; session: SessionRecord; user: UserRecord }> {
  const user = await findUser(store, input.userId);
  if (!user) throw new UserRegisterError('UNKNOWN_USER', `no user ${input.userId}`, 'id');
  if (user.status !== 'active') throw new Error(`user ${user._id} is disabled: no session is opened for them`);
  const role = input.role ?? user.roles[0];
  if (!user.roles.includes(role)) throw new Error(`user ${user._id} does not hold the role ${role}`);
  const token = `af_${randomBytes(24).toString('base64url')}`;
  const at = input.now ?? new Date();
  const session: SessionRecord = {
    _id: tokenHash(token),
    userId: user._id,
    role,
    kind: input.kind,
    via: input.via,
    generation: user.tokenGeneration,
    ...(input.amr ? { amr: input.amr } : {}),
    createdAt: at,
    lastSeenAt: at,
  };
  await registerSessionModel(store).create(session);
  return { token, session, user };
}

/**
 * Whom a token acts as now, or why it opens nothing. Refreshes `lastSeenAt` when it is a minute
 * old or more (the idle limit runs from it).
 */
export async function resolveSession(
  store: Connection,
  token: string,
  options: { limits?: SessionLimits; now?: Date } = {},
): Promise<SessionCheck> {
  const Session = registerSessionModel(store);
  const session = await Session.findById(tokenHash(token)).lean();
  if (!session) return { failure: 'unknown' };
  if (session.endedAt) return { failure: 'signed-out' };
  const now = options.now ?? new Date();
  const limit = (options.limits ?? DEFAULT_SESSION_LIMITS)[session.kind];
  const expiresAt = new Date(session.createdAt.getTime() + limit.absoluteMs);
  if (now >= expiresAt) return { failure: 'absolute', kind: session.kind, limit };
  if (now.getTime() - session.lastSeenAt.getTime() >= limit.idleMs)
    return { failure: 'idle', kind: session.kind, limit };
  const user = await findUser(store, session.userId);
  // A session whose user record is gone is nobody's: as unknown as a token never issued.
  if (!user) return { failure: 'unknown' };
  if (user.status !== 'active') return { failure: 'disabled' };
  if (user.tokenGeneration !== session.generation || !user.roles.includes(session.role)) return { failure: 'revoked' };
  let lastSeenAt = session.lastSeenAt;
  if (now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS) {
    lastSeenAt = now;
    // Only forward: two requests racing never move it back.
    await Session.updateOne({ _id: session._id, lastSeenAt: { $lt: now } }, { $set: { lastSeenAt: now } });
  }
  const idleExpiresAt = new Date(Math.min(lastSeenAt.getTime() + limit.idleMs, expiresAt.getTime()));
  return {
    actor: actorOf(user, session.role),
    session: { id: session._id, kind: session.kind, via: session.via, idleExpiresAt, expiresAt },
  };
}

/** Ends a session (sign-out): its token opens nothing from now on. Idempotent; false when there was none. */
export async function endSession(store: Connection, sessionId: string, now: Date = new Date()): Promise<boolean> {
  const result = await registerSessionModel(store).updateOne(
    { _id: sessionId, endedAt: { $exists: false } },
    { $set: { endedAt: now, endReason: 'signed-out' } },
  );
  return result.matchedCount === 1;
}

/**
 * A user's session for a program or the CLI (`applyfree user add|rotate-token`, the demo, tests):
 * the machine limits apply.
 */
export async function issueMachineToken(
  store: Connection,
  userId: string,
  role?: Role,
  via: SessionRecord['via'] = 'cli',
): Promise<string> {
  return (await issueSession(store, { userId, role, kind: 'machine', via })).token;
}
