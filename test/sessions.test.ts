/**
 * Sessions on the real store, through the API (security review S8, abuse tests 1-3): a token
 * stops at its idle and absolute limits (a clock the test moves: no sleeping), at sign-out (on the
 * server), when its user's tokens are rotated or the user is disabled, and when the role is
 * withdrawn — each at the very next request, with SESSION_EXPIRED saying why in both languages.
 * The console's session is a cookie no script can read, with the console's limits; a change made
 * with it needs the console's header (CSRF).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { registerSessionModel, tokenHash } from '../store/sessions.js';
import { revokeUserSessions, updateUser } from '../store/users.js';
import { ALL_UP } from './support/all-up.js';
import { testSessions, testUser as newUser } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
/** The API's clock: tests move it. */
let clock = new Date('2026-09-01T09:00:00+08:00');
const MINUTE = 60_000;
const later = (ms: number) => (clock = new Date(clock.getTime() + ms));
/** A user with a machine token issued now, on the test's clock. */
const testUser = (...[connection, name, role, options]: Parameters<typeof newUser>) =>
  newUser(connection, name, role, { ...options, now: clock });

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_sessions_${randomUUID().slice(0, 8)}$1`),
  );
  api = buildApi({
    sessions: testSessions(store, { now: () => clock }),
    policies: { lifecycle: createPolicyLifecycle(store) },
    console: true,
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

/** Who the console's session route says a token or cookie is: 200 with the person, or the refusal. */
async function whoami(credential: { token?: string; cookie?: string }) {
  const response = await api.inject({
    method: 'GET',
    url: '/console/session',
    headers: {
      ...(credential.token ? { authorization: `Bearer ${credential.token}` } : {}),
      ...(credential.cookie ? { cookie: credential.cookie } : {}),
    },
  });
  return { status: response.statusCode, body: response.json<Record<string, string>>() };
}

/** Signs in at the console with a token: the cookie set (name=value) and its attributes. */
async function consoleSignIn(token: string) {
  const response = await api.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { 'x-applyfree-console': '1' },
    payload: { token },
  });
  const setCookie = String(response.headers['set-cookie'] ?? '');
  return {
    status: response.statusCode,
    body: response.json<Record<string, string>>(),
    setCookie,
    cookie: setCookie.split(';')[0],
  };
}

describe('a machine token', () => {
  it('names its user by ID, display name, role and department', async () => {
    const { id, token } = await testUser(store, '王芳', 'officer', { department: '市卫生健康委' });
    expect(await whoami({ token })).toEqual({
      status: 200,
      body: expect.objectContaining({ id, name: '王芳', role: 'officer', department: '市卫生健康委' }),
    });
    expect(id).toMatch(/^u_[a-z2-7]{16}$/);
  });

  it('is stored only as its SHA-256, and its last use is written at most once a minute', async () => {
    const { token } = await testUser(store, '李明', 'reviewer');
    const Session = registerSessionModel(store);
    expect(await Session.findById(token)).toBeNull();
    const opened = (await Session.findById(tokenHash(token)).lean())!;
    expect(opened.lastSeenAt).toEqual(clock);

    later(30_000);
    expect((await whoami({ token })).status).toBe(200);
    expect((await Session.findById(tokenHash(token)).lean())!.lastSeenAt).toEqual(opened.lastSeenAt);
    later(30_000);
    expect((await whoami({ token })).status).toBe(200);
    expect((await Session.findById(tokenHash(token)).lean())!.lastSeenAt).toEqual(clock);
  });

  it('ends after 30 days unused, and after 90 days however often it is used (abuse 2)', async () => {
    const idle = await testUser(store, '孙强', 'inspector');
    const busy = await testUser(store, '赵敏', 'supervisor');
    for (let stretch = 0; stretch < 3; stretch++) {
      later(29 * 24 * 60 * MINUTE);
      expect((await whoami({ token: busy.token })).status).toBe(200);
    }
    // 87 days on: the idle one was last seen on day 0.
    const refused = await whoami({ token: idle.token });
    expect(refused).toEqual({
      status: 401,
      body: expect.objectContaining({
        code: 'SESSION_EXPIRED',
        message: 'your session ended after 30 days without activity: sign in again',
        messageZh: '会话已因 30 天无操作而结束，请重新登录',
      }),
    });
    later(3 * 24 * 60 * MINUTE);
    expect((await whoami({ token: busy.token })).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'your session reached its limit of 90 days: sign in again',
      messageZh: '会话已达 90 天上限，请重新登录',
    });
  });
});

describe('revocation, at the next request', () => {
  it('ends every token of a user whose tokens are rotated, and no other user’s (abuse 2)', async () => {
    const first = await testUser(store, '陈核查', 'inspector');
    const other = await testUser(store, '陈核查', 'inspector');
    expect((await whoami({ token: first.token })).status).toBe(200);
    await revokeUserSessions(store, first.id);
    expect((await whoami({ token: first.token })).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: expect.stringContaining('this token was revoked'),
    });
    expect((await whoami({ token: other.token })).status).toBe(200);
  });

  it('refuses a disabled user’s tokens and console sessions, and their sign-in', async () => {
    const user = await testUser(store, '刘退休', 'officer');
    const signedIn = await consoleSignIn(user.token);
    await revokeUserSessions(store, user.id, { disable: true });
    for (const credential of [{ token: user.token }, { cookie: signedIn.cookie }])
      expect((await whoami(credential)).body).toMatchObject({
        code: 'SESSION_EXPIRED',
        message: 'this user is disabled',
        messageZh: '该用户已停用',
      });
    expect((await consoleSignIn(user.token)).status).toBe(401);
  });

  it('ends a session whose role the user no longer holds', async () => {
    const user = await testUser(store, '吴双', 'officer', { roles: ['officer', 'reviewer'] });
    await updateUser(store, user.id, { roles: ['reviewer'] });
    expect((await whoami({ token: user.token })).body).toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('answers a token nobody holds with UNAUTHENTICATED', async () => {
    expect((await whoami({ token: 'af_not-a-token' })).body).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('sign-out', () => {
  it('ends a bearer token on the server: the same token is refused afterwards (abuse 3)', async () => {
    const { token } = await testUser(store, '郑经办', 'officer');
    const out = await api.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { authorization: `Bearer ${token}` },
    });
    expect([out.statusCode, out.json()]).toEqual([200, { signedOut: true }]);
    expect((await whoami({ token })).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'this session was signed out: sign in again',
      messageZh: '该会话已退出登录，请重新登录',
    });
    const record = await registerSessionModel(store).findById(tokenHash(token)).lean();
    expect(record).toMatchObject({ endReason: 'signed-out', endedAt: clock });
  });
});

describe('the console’s session', () => {
  it('is a new session in an httpOnly, Secure, SameSite=Strict cookie, not the token signed in with', async () => {
    const user = await testUser(store, '王芳', 'officer');
    const signedIn = await consoleSignIn(user.token);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ id: user.id, name: '王芳', role: 'officer' });
    expect(signedIn.setCookie).toMatch(/^__Host-applyfree-session=af_[\w-]+; Path=\/; Max-Age=43200; /);
    expect(signedIn.setCookie).toContain('HttpOnly');
    expect(signedIn.setCookie).toContain('Secure');
    expect(signedIn.setCookie).toContain('SameSite=Strict');
    expect(signedIn.cookie).not.toContain(user.token);
    expect(JSON.stringify(signedIn.body)).not.toContain('af_');
    expect(await whoami({ cookie: signedIn.cookie })).toMatchObject({ status: 200, body: { id: user.id } });
  });

  it('ends after 30 minutes idle and 12 hours at most, while the machine token lasts', async () => {
    const user = await testUser(store, '李明', 'reviewer');
    const idle = await consoleSignIn(user.token);
    const busy = await consoleSignIn(user.token);
    later(29 * MINUTE);
    expect((await whoami({ cookie: busy.cookie })).status).toBe(200);
    later(2 * MINUTE);
    expect((await whoami({ cookie: idle.cookie })).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'your session ended after 30 minutes without activity: sign in again',
      messageZh: '会话已因 30 分钟无操作而结束，请重新登录',
    });
    for (let minutes = 31; minutes < 12 * 60; minutes += 25) {
      expect((await whoami({ cookie: busy.cookie })).status).toBe(200);
      later(25 * MINUTE);
    }
    expect((await whoami({ cookie: busy.cookie })).body).toMatchObject({
      code: 'SESSION_EXPIRED',
      message: 'your session reached its limit of 12 hours: sign in again',
    });
    expect((await whoami({ token: user.token })).status).toBe(200);
  });

  it('makes changes only with the console’s header (CSRF), and signs in only from the console', async () => {
    const user = await testUser(store, '王芳', 'officer');
    const { cookie } = await consoleSignIn(user.token);
    const draft = (headers: Record<string, string>) =>
      api.inject({ method: 'POST', url: '/policies', headers: { cookie, ...headers }, payload: {} });
    const forged = await draft({});
    expect([forged.statusCode, forged.json().code]).toEqual([403, 'CSRF_REFUSED']);
    // With the header the officer is admitted: the empty document is the lifecycle's to refuse.
    const sent = await draft({ 'x-applyfree-console': '1' });
    expect([sent.statusCode, sent.json().code]).toEqual([422, 'POLICY_INVALID']);

    const elsewhere = await api.inject({ method: 'POST', url: '/auth/sign-in', payload: { token: user.token } });
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([403, 'CSRF_REFUSED']);
    expect(elsewhere.headers['set-cookie']).toBeUndefined();
  });

  it('signs out on the server and clears the cookie (abuse 3)', async () => {
    const user = await testUser(store, '王芳', 'officer');
    const { cookie } = await consoleSignIn(user.token);
    const out = await api.inject({
      method: 'POST',
      url: '/auth/sign-out',
      headers: { cookie, 'x-applyfree-console': '1' },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^__Host-applyfree-session=; Path=\/; Max-Age=0; /);
    expect((await whoami({ cookie })).body).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect((await whoami({ token: user.token })).status).toBe(200);
  });

  it('is refused to staff with a token when the identity provider signs staff in; citizens still may', async () => {
    const provided = buildApi({
      sessions: testSessions(store, { now: () => clock, staffSignInWithProvider: true }),
      health: ALL_UP,
    });
    const staff = await testUser(store, '王芳', 'officer');
    const citizen = await testUser(store, '张三', 'citizen', { subjectKey: `p_${'a'.repeat(26)}` });
    const signIn = (token: string) =>
      provided.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { 'x-applyfree-console': '1' },
        payload: { token },
      });
    const refused = await signIn(staff.token);
    expect([refused.statusCode, refused.json().code, refused.json().field]).toEqual([
      403,
      'SIGN_IN_WITH_PROVIDER',
      'token',
    ]);
    expect((await signIn(citizen.token)).statusCode).toBe(200);
    await provided.close();
  });
});
