/**
 * People for tests: a user (store/users.ts) with a machine token (store/sessions.ts), as
 * `applyfree user add` makes them, and the session service the API resolves tokens with.
 */
import type { Connection } from 'mongoose';
import { createSessionService, type SessionServiceDeps } from '../../services/identity/sessions.js';
import { issueSession } from '../../store/sessions.js';
import { addUser, type Role } from '../../store/users.js';

/** The department test staff belong to, unless a test names another. */
export const TEST_DEPARTMENT = '市民政局';

/** A new user in a role (or several) with a machine token for `role` (issued at `now`): their ID and token. */
export async function testUser(
  store: Connection,
  name: string,
  role: Role,
  options: { subjectKey?: string; department?: string; roles?: Role[]; now?: Date } = {},
): Promise<{ id: string; token: string }> {
  const user = await addUser(
    store,
    {
      name,
      roles: options.roles ?? [role],
      ...(role === 'citizen' ? {} : { department: options.department ?? TEST_DEPARTMENT }),
      ...(options.subjectKey ? { subjectKey: options.subjectKey } : {}),
    },
    { origin: 'test', ...(options.now ? { now: options.now } : {}) },
  );
  const { token } = await issueSession(store, {
    userId: user._id,
    role,
    kind: 'machine',
    via: 'test',
    ...(options.now ? { now: options.now } : {}),
  });
  return { id: user._id, token };
}

/** A new user's token (testUser, for tests that need no ID). */
export async function testToken(
  store: Connection,
  name: string,
  role: Role,
  options: { subjectKey?: string; department?: string } = {},
): Promise<string> {
  return (await testUser(store, name, role, options)).token;
}

/** The session service over a test store, with the default limits unless a test sets its own. */
export const testSessions = (store: Connection, options: Omit<SessionServiceDeps, 'store'> = {}) =>
  createSessionService({ store, ...options });
