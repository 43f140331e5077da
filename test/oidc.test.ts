/**
 * Staff sign-in through the city's identity provider, end to end against a real provider on this
 * machine (test/support/oidc-provider.ts): the API sends the browser there with state, nonce and
 * a PKCE challenge, takes the code back once, verifies the ID token against the provider's
 * published key, maps the provider's subject to a user ID and opens a console session (the
 * httpOnly cookie). An ID token for another audience, expired, signed by another key or carrying
 * another nonce, a state that is not this browser's or is used twice, a sign-in without the
 * required second factor, a disabled or unregistered user: each is refused, and no session is opened.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createOidcClient } from '../services/identity/oidc.js';
import { createSessionService } from '../services/identity/sessions.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { registerSessionModel } from '../store/sessions.js';
import { linkIdentity, userOfIdentity } from '../store/user-identities.js';
import { addUser, findUser, revokeUserSessions } from '../store/users.js';
import type { OidcSettings } from '../workers/config.js';
import { ALL_UP } from './support/all-up.js';
import { startTestProvider, type TestProvider } from './support/oidc-provider.js';

const stack = inject('stack');
const REDIRECT = 'http://127.0.0.1:3999/auth/callback';
let store: Connection;
let provider: TestProvider;
const apis: FastifyInstance[] = [];

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_oidc_${randomUUID().slice(0, 8)}$1`),
  );
  provider = await startTestProvider({ redirectUri: REDIRECT });
});

afterAll(async () => {
  for (const api of apis) await api.close();
  await provider?.close();
  await store?.dropDatabase();
  await store?.close();
});

beforeEach(() => {
  provider.tamper = undefined;
  provider.user = {
    sub: `staff-${randomUUID().slice(0, 8)}`,
    name: '王芳',
    amr: ['pwd', 'otp'],
    claims: { applyfree_roles: ['officer'], department: '市民政局' },
  };
});

/** An API with the provider configured as given (roles from claims unless `registered`). */
function apiWith(settings: Partial<OidcSettings> = {}): FastifyInstance {
  const sessions = createSessionService({ store, staffSignInWithProvider: true });
  const oidc = createOidcClient({
    store,
    sessions,
    development: true,
    settings: {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUrl: REDIRECT,
      scopes: ['openid', 'profile'],
      rolesClaim: 'applyfree_roles',
      departmentClaim: 'department',
      nameClaim: 'name',
      requiredAmr: [],
      ...settings,
    },
  });
  const api = buildApi({
    sessions,
    oidc,
    policies: { lifecycle: createPolicyLifecycle(store) },
    console: true,
    health: ALL_UP,
  });
  apis.push(api);
  return api;
}

const cookieValue = (setCookie: unknown, name: string): string | undefined =>
  [setCookie]
    .flat()
    .map(String)
    .map((line) => line.split(';')[0])
    .find((pair) => pair.startsWith(`${name}=`) && pair.length > name.length + 1);

/**
 * A browser signing in: GET /auth/login, the provider's login page, back to /auth/callback with
 * the sign-in cookie (or another browser's, or none). The callback's answer and the session cookie set.
 */
async function signIn(
  api: FastifyInstance,
  options: { role?: string; browserState?: (state: string) => string | undefined; replay?: boolean } = {},
) {
  const login = await api.inject({ method: 'GET', url: `/auth/login${options.role ? `?role=${options.role}` : ''}` });
  expect(login.statusCode).toBe(302);
  const bound = cookieValue(login.headers['set-cookie'], '__Host-applyfree-sign-in')!;
  expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; Secure; SameSite=Lax/);
  const authorize = new URL(String(login.headers.location));
  expect(authorize.origin).toBe(provider.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const atProvider = await fetch(authorize, { redirect: 'manual' });
  expect(atProvider.status).toBe(302);
  const back = new URL(atProvider.headers.get('location')!);
  const state = back.searchParams.get('state')!;
  const cookieState = options.browserState ? options.browserState(state) : state;
  const callback = () =>
    api.inject({
      method: 'GET',
      url: `/auth/callback${back.search}`,
      headers: cookieState ? { cookie: `__Host-applyfree-sign-in=${cookieState}` } : {},
    });
  let answer = await callback();
  if (options.replay) answer = await callback();
  expect(bound).toBe(`__Host-applyfree-sign-in=${state}`);
  return {
    status: answer.statusCode,
    location: String(answer.headers.location),
    session: cookieValue(answer.headers['set-cookie'], '__Host-applyfree-session'),
  };
}

const whoami = async (api: FastifyInstance, session: string) =>
  (await api.inject({ method: 'GET', url: '/console/session', headers: { cookie: session } })).json();

const oidcSessions = () => registerSessionModel(store).countDocuments({ via: 'oidc' });

describe('signing in through the provider', () => {
  it('opens a console session for the user the provider’s subject maps to, with PKCE and the client’s secret', async () => {
    const api = apiWith();
    const first = await signIn(api);
    expect([first.status, first.location]).toEqual([303, '/console#/']);
    expect(first.session).toMatch(/^__Host-applyfree-session=af_/);
    expect(provider.exchanges.at(-1)).toEqual({ pkce: true, clientAuthenticated: true });

    const user = (await userOfIdentity(store, provider.issuer, provider.user.sub))!;
    expect(user).toMatchObject({ name: '王芳', roles: ['officer'], department: '市民政局', origin: 'oidc' });
    expect(await whoami(api, first.session!)).toMatchObject({ id: user._id, name: '王芳', role: 'officer' });
    const session = await registerSessionModel(store).findOne({ userId: user._id, via: 'oidc' }).lean();
    expect(session).toMatchObject({ kind: 'console', role: 'officer', amr: ['pwd', 'otp'] });

    // The same subject is the same user next time, with what the provider now says of them.
    provider.user.name = '王芳芳';
    provider.user.claims = { applyfree_roles: ['officer', 'reviewer'], department: '市民政局' };
    const second = await signIn(api, { role: 'reviewer' });
    expect(await whoami(api, second.session!)).toMatchObject({ id: user._id, name: '王芳芳', role: 'reviewer' });
  });

  it('signs in a user registered beforehand when the provider gives no roles, and nobody else', async () => {
    const api = apiWith({ rolesClaim: undefined, departmentClaim: undefined });
    provider.user.claims = {};
    const before = await oidcSessions();
    expect((await signIn(api)).location).toBe('/console#/sign-in/SIGN_IN_REFUSED');
    expect(await oidcSessions()).toBe(before);

    const registered = await addUser(store, { name: '周督查', roles: ['supervisor'], department: '市政务服务管理局' });
    await linkIdentity(store, provider.issuer, provider.user.sub, registered._id);
    const signedIn = await signIn(api);
    expect(await whoami(api, signedIn.session!)).toMatchObject({ id: registered._id, role: 'supervisor' });
  });

  it('shows the provider among the ways to sign in, and answers 404 where none is configured', async () => {
    expect((await apiWith().inject({ method: 'GET', url: '/auth/methods' })).json()).toEqual({
      token: true,
      provider: { name: { zh: '统一身份认证', en: 'city account' }, login: '/auth/login' },
    });
    const none = buildApi({ sessions: createSessionService({ store }), health: ALL_UP });
    apis.push(none);
    expect((await none.inject({ method: 'GET', url: '/auth/methods' })).json()).toEqual({ token: true });
    const login = await none.inject({ method: 'GET', url: '/auth/login' });
    expect([login.statusCode, login.json().code]).toEqual([404, 'SIGN_IN_NOT_CONFIGURED']);
  });
});

describe('a sign-in is refused, and opens no session, when', () => {
  it.each([
    ['the ID token is for another client (audience)', { audience: 'another-client' }],
    ['the ID token has expired', { expiresIn: -120 }],
    ['the ID token is signed by a key the provider does not publish', { foreignKey: true }],
    ['the ID token carries another sign-in’s nonce', { nonce: 'not-this-sign-ins-nonce' }],
  ])('%s', async (_case, tamper) => {
    const api = apiWith();
    const before = await oidcSessions();
    provider.tamper = tamper;
    const refused = await signIn(api);
    expect([refused.status, refused.location, refused.session]).toEqual([
      303,
      '/console#/sign-in/SIGN_IN_REFUSED',
      undefined,
    ]);
    expect(await oidcSessions()).toBe(before);
    // The same sign-in, untampered, succeeds: the one change was the reason.
    expect((await signIn(api)).session).toBeDefined();
  });

  it.each([
    ['the state is not the one this browser was sent with', () => 'another-browsers-state'],
    ['the browser brings no state at all', () => undefined],
  ])('%s', async (_case, browserState) => {
    const api = apiWith();
    const before = await oidcSessions();
    const refused = await signIn(api, { browserState });
    expect([refused.location, refused.session]).toEqual(['/console#/sign-in/SIGN_IN_REFUSED', undefined]);
    expect(await oidcSessions()).toBe(before);
  });

  it('the same answer from the provider comes back twice', async () => {
    const replayed = await signIn(apiWith(), { replay: true });
    expect([replayed.location, replayed.session]).toEqual(['/console#/sign-in/SIGN_IN_REFUSED', undefined]);
  });

  it('two factors are required and the person used one', async () => {
    const api = apiWith({ requiredAmr: ['otp', 'hwk', 'mfa'] });
    provider.user.amr = ['pwd'];
    expect((await signIn(api)).location).toBe('/console#/sign-in/SIGN_IN_REFUSED');
    provider.user.amr = ['pwd', 'hwk'];
    expect((await signIn(api)).location).toBe('/console#/');
  });

  it('the user is disabled, the role asked for is not theirs, or the provider names no staff role', async () => {
    const api = apiWith();
    const signedIn = await signIn(api);
    const user = (await userOfIdentity(store, provider.issuer, provider.user.sub))!;
    expect((await signIn(api, { role: 'supervisor' })).location).toBe('/console#/sign-in/SIGN_IN_REFUSED');

    await revokeUserSessions(store, user._id, { disable: true });
    expect((await signIn(api)).location).toBe('/console#/sign-in/SIGN_IN_REFUSED');
    expect(
      (await api.inject({ method: 'GET', url: '/console/session', headers: { cookie: signedIn.session } })).statusCode,
    ).toBe(401);
    expect((await findUser(store, user._id))?.status).toBe('disabled');

    provider.user = { sub: 'citizen-0001', name: '张三', claims: { applyfree_roles: ['citizen'], department: 'x' } };
    expect((await signIn(api)).location).toBe('/console#/sign-in/SIGN_IN_REFUSED');
  });
});
