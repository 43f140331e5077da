/**
 * The public page "what you no longer need to bring" (无需再提交的证明) in Chromium: an anonymous
 * visitor finds it in the navigation and sees the matters for people and for firms, each proof
 * they used to bring struck through with how it is obtained now, the list's version and date, and
 * the chart of proofs by method; in English too; a signed-in officer finds it in their navigation;
 * a list older than six months carries the stale warning.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createMattersService, openMatters } from '../services/matters/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { STARTER_MATTERS } from '../domain/matters-starter.js';
import { ALL_UP } from './support/all-up.js';
import { checkedScreenshot, launchConsoleBrowser, SHOTS, signInAs } from './support/console-browser.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let browser: Browser;
const apis: FastifyInstance[] = [];
let officer = '';

/** An API whose clock reads `at` (the list's staleness is judged on the city's day). */
async function serve(at?: string): Promise<string> {
  const api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    matters: createMattersService({ store, ...(at ? { now: () => new Date(at) } : {}) }),
    console: true,
    health: ALL_UP,
  });
  apis.push(api);
  return api.listen({ host: '127.0.0.1', port: 0 });
}

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_consolematters_${randomUUID().slice(0, 8)}$1`),
  );
  await openMatters({ store });
  officer = await testToken(store, '王芳', 'officer');
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const api of apis) await api.close();
  await store?.dropDatabase();
  await store?.close();
});

async function page(locale = 'zh-CN'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const opened = await context.newPage();
  const errors: string[] = [];
  opened.on('pageerror', (error) => errors.push(error.message));
  return { page: opened, errors };
}

const matter = (p: Page, id: string) => p.locator(`article.matter[data-matter="${id}"]`);
const proof = (p: Page, matterId: string, proofId: string) =>
  matter(p, matterId).locator(`li[data-proof="${proofId}"]`);

describe('what you no longer need to bring', () => {
  it('shows an anonymous visitor every matter, each old proof struck through with how it is obtained now', async () => {
    const url = await serve('2027-01-10T03:00:00Z');
    const { page: p, errors } = await page();
    await p.goto(`${url}/console`);
    await p.locator('.nav-matters').click();
    await expect.poll(() => p.locator('.matters-version').textContent()).toBe('用证事项清单第 1 版 · 2026-12-01 发布');
    expect(await p.locator('.matters-stale').count()).toBe(0);
    const groups = p.locator('.matters-group');
    expect(await groups.nth(0).locator('h3').textContent()).toContain('个人事项');
    expect(await groups.nth(1).locator('h3').textContent()).toContain('企业事项');
    expect(await groups.nth(0).locator('article.matter').count()).toBe(
      STARTER_MATTERS.filter((m) => m.subject === 'person').length,
    );
    expect(await groups.nth(1).locator('article.matter').count()).toBe(
      STARTER_MATTERS.filter((m) => m.subject === 'enterprise').length,
    );

    // 户口簿 struck through: the handling department reads it from the household registry.
    const hukou = proof(p, 'home-care-service-subsidy', 'household-register');
    expect(await hukou.locator('s.proof-title').textContent()).toBe('户口簿');
    expect(await hukou.innerText()).toMatch(/→ 数据共享：由办理部门直接调取（本市户籍、出生日期）/);
    expect(await proof(p, 'public-rental-housing', 'no-housing-proof').innerText()).toContain(
      '部门核验：由市自然资源和规划局（不动产登记中心）核验“在本市无登记住房”',
    );
    expect(await proof(p, 'old-age-allowance', 'senior-card').innerText()).toContain(
      '电子证照：出示电子证照“老年人优待证”即可',
    );
    expect(await proof(p, 'public-rental-housing', 'income-proof').innerText()).toContain('告知承诺：签署承诺');
    expect(await proof(p, 'marriage-registration', 'household-register').innerText()).toContain('直接取消：不再要求');
    // What is still needed on paper is said plainly, not struck through.
    const paper = proof(p, 'birth-registration', 'birth-medical-certificate');
    expect(await paper.locator('s').count()).toBe(0);
    expect(await paper.innerText()).toContain('仍需提交');
    expect(await matter(p, 'birth-registration').locator('.matter-paper').textContent()).toBe('仍有材料需提交');
    expect(await matter(p, 'public-rental-housing').locator('.matter-proof-free').textContent()).toBe('免提交证明');

    const chart = p.locator('.matters-chart');
    expect(await chart.locator('figcaption').textContent()).toMatch(/过去需要的 \d+ 项证明材料，现在如何获取/);
    expect(await chart.locator('svg').textContent()).toMatch(
      /数据共享.*部门核验.*电子证照.*告知承诺.*直接取消.*仍需提交/,
    );
    await checkedScreenshot(p, 'matters-public', { minHeight: 2000 });
    // The top of the page as a visitor first sees it, for a person to look at (the whole page is long).
    await p.screenshot({ path: join(SHOTS, 'matters-public-top.png') });
    await matter(p, 'hazardous-chemicals-licence').scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(SHOTS, 'matters-public-firms.png') });

    // In English.
    await p.locator('.lang-switch').click();
    await expect.poll(() => p.locator('.matters-view h2').textContent()).toBe('What you no longer need to bring');
    expect(await hukou.innerText()).toMatch(/Shared data: read by the handling department/);
    expect(errors).toEqual([]);
  });

  it('is in a signed-in officer’s navigation too', async () => {
    const url = await serve();
    const { page: p, errors } = await page();
    await signInAs(p, url, officer, '王芳');
    await p.locator('.nav-matters').click();
    await expect.poll(() => p.locator('.matters-view h2').textContent()).toBe('无需再提交的证明');
    expect(await p.locator('.nav-matters.current').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('warns when the list is older than six months', async () => {
    const url = await serve('2027-07-20T03:00:00Z');
    const { page: p, errors } = await page();
    await p.goto(`${url}/console#/matters`);
    await expect.poll(() => p.locator('.matters-stale').textContent()).toContain('已超过六个月未更新');
    await checkedScreenshot(p, 'matters-stale', { minHeight: 900 });
    await p.screenshot({ path: join(SHOTS, 'matters-stale-top.png') });
    expect(errors).toEqual([]);
  });
});
