/**
 * Signing in and out of the console in Debian's Chromium, with the city's identity provider
 * configured (a real provider on this machine, test/support/oidc-provider.ts): staff sign in
 * through it and land in their console; the session is an httpOnly cookie no script can read,
 * and no token is in localStorage or sessionStorage; sign-out ends the session on the server; a
 * session that ended (revoked here) sends the person back to sign in, saying so in both
 * languages; a refused provider sign-in says so; a staff token is refused at the sign-in form
 * (the provider's second factor would be bypassed), a citizen's is taken. Screenshots of the
 * sign-in page on a desktop and at 390 px go to test-output/console/.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createOidcClient } from '../services/identity/oidc.js';
import { createSessionService } from '../services/identity/sessions.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { userOfIdentity } from '../store/user-identities.js';
import { revokeUserSessions } from '../store/users.js';
import { ALL_UP } from './support/all-up.js';
import { checkedScreenshot, launchConsoleBrowser, PHONE } from './support/console-browser.js';
import { freePort } from './support/free-port.js';
import { startTestProvider, type TestProvider } from './support/oidc-provider.js';
import { testUser } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let provider: TestProvider;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_sign_in_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  provider = await startTestProvider({ redirectUri: `${url}/auth/callback` });
  const sessions = createSessionService({ store, staffSignInWithProvider: true });
  const oidc = createOidcClient({
    store,
    sessions,
    development: true,
    settings: {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUrl: `${url}/auth/callback`,
      scopes: ['openid', 'profile'],
      rolesClaim: 'applyfree_roles',
      departmentClaim: 'department',
      nameClaim: 'name',
      requiredAmr: ['otp', 'hwk'],
    },
  });
  api = buildApi({ sessions, oidc, policies: { lifecycle }, console: true, health: ALL_UP });
  await api.listen({ host: '127.0.0.1', port });
  browser = await launchConsoleBrowser(stack.cacheDir);
  provider.user = {
    sub: 'staff-wangfang',
    name: '王芳',
    amr: ['pwd', 'otp'],
    claims: { applyfree_roles: ['officer'], department: '市民政局' },
  };
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await provider?.close();
  await store?.dropDatabase();
  await store?.close();
});

/** Everything the page's scripts can read: storage and document.cookie. */
const readableByScripts = (page: Page) =>
  page.evaluate(() => ({
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }));

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies(url)).find((cookie) => cookie.name === '__Host-applyfree-session');
}

/** Whether the server still knows a session cookie's value. */
const serverKnows = async (value: string) =>
  (await fetch(`${url}/console/session`, { headers: { cookie: `__Host-applyfree-session=${value}` } })).status;

describe('the sign-in page', () => {
  it('offers the city account first and a token below, on a desktop and on a phone', async () => {
    for (const [name, options] of [
      ['sign-in', { viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }],
      ['sign-in-phone', PHONE],
    ] as const) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      await page.goto(`${url}/console`);
      await page.locator('a.provider-sign-in').waitFor();
      expect(await page.locator('a.provider-sign-in').innerText()).toBe('统一身份认证登录');
      expect(await page.locator('#token').count()).toBe(1);
      await checkedScreenshot(page, name, { minHeight: 400 });
      await context.close();
    }
  });
});

describe('staff through the identity provider', () => {
  it('signs in with the city account, keeps no token where a script can read it, and signs out on the server', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/console`);
    await page.locator('a.provider-sign-in').click();
    await expect.poll(() => page.locator('.user-name').textContent(), { timeout: 15_000 }).toBe('王芳');
    expect(await page.locator('.user-role').textContent()).toBe('政策经办人');
    expect(new URL(page.url()).pathname).toBe('/console');

    const cookie = (await sessionCookie(context))!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    const readable = await readableByScripts(page);
    expect(readable.cookie).not.toContain('applyfree-session');
    expect(readable.storage).not.toContain('af_');
    expect(readable.storage).not.toContain(cookie.value);
    expect(await serverKnows(cookie.value)).toBe(200);

    await page.locator('.sign-out').click();
    await page.locator('.sign-in-notice').waitFor();
    expect(await page.locator('.sign-in-notice').innerText()).toBe('已退出登录，会话已在服务器端结束。');
    expect(await serverKnows(cookie.value)).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends the person back to sign in, saying so in both languages, once their session has ended', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${url}/console`);
    await page.locator('a.provider-sign-in').click();
    await expect.poll(() => page.locator('.user-name').textContent(), { timeout: 15_000 }).toBe('王芳');
    const user = (await userOfIdentity(store, provider.issuer, 'staff-wangfang'))!;
    await revokeUserSessions(store, user._id);

    // The person goes on to another page. Not by clicking its link: the landing page may still be
    // loading, and its own next request can meet the ended session first and take the menu away.
    await page.evaluate(() => {
      window.location.hash = '#/sweeps';
    });
    await page.locator('.sign-in-notice').waitFor();
    expect(await page.locator('.sign-in-notice').innerText()).toBe(
      '登录已失效，请重新登录 (该令牌已被吊销（已签发新令牌或已撤销该角色），请重新登录)',
    );
    await page.locator('.lang-switch').click();
    await page.reload();
    await page.locator('.sign-in-notice').waitFor();
    expect(await page.locator('.sign-in-notice').innerText()).toBe(
      'Your session has ended: sign in again (this token was revoked (a new one was issued, or the role withdrawn): sign in again)',
    );
    await context.close();
  });

  it('says a refused sign-in was refused, and opens no session', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    provider.user = { ...provider.user, amr: ['pwd'] };
    try {
      await page.goto(`${url}/console`);
      await page.locator('a.provider-sign-in').click();
      await page.locator('.sign-in-notice').waitFor();
      expect(await page.locator('.sign-in-notice').innerText()).toBe('统一身份认证登录未通过：请重试，或联系管理员。');
      expect(await sessionCookie(context)).toBeUndefined();
    } finally {
      provider.user = { ...provider.user, amr: ['pwd', 'otp'] };
      await context.close();
    }
  });
});

describe('a token at the sign-in form', () => {
  it('is refused to staff while the provider signs staff in, and taken from a citizen without being kept', async () => {
    const staff = await testUser(store, '李明', 'reviewer');
    const citizen = await testUser(store, '张秀英', 'citizen', { subjectKey: `p_${'b'.repeat(26)}` });
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${url}/console`);
    await page.locator('#token').fill(staff.token);
    await page.locator('button.token-sign-in').click();
    await page.locator('.sign-in-problem:not([hidden])').waitFor();
    expect(await page.locator('.sign-in-problem').innerText()).toContain('工作人员须通过城市统一身份认证登录');
    expect(await sessionCookie(context)).toBeUndefined();

    await page.locator('#token').fill(citizen.token);
    await page.locator('button.token-sign-in').click();
    await expect.poll(() => page.locator('.user-name').textContent()).toBe('张秀英');
    const readable = await readableByScripts(page);
    expect(readable.storage).not.toContain(citizen.token);
    expect(readable.storage).not.toContain('af_');
    expect(readable.cookie).toBe('');
    expect((await sessionCookie(context))?.value).not.toBe(citizen.token);
    await context.close();
  });
});
