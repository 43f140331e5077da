/**
 * The data catalog page (数据目录) in Chromium, as an officer and a reviewer use it: the sources
 * with department, legal basis, update frequency, and each fact's unit and coverage in words; the
 * officer drafts a number fact, is told it needs a unit (the field marked), adds it and submits;
 * the reviewer approves it, which publishes version 2, and the fact is listed with its coverage.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { useShippedCatalog } from '../domain/sources.js';
import { createCatalogService, openCatalog } from '../services/catalog/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { checkedScreenshot, launchConsoleBrowser, signInAs } from './support/console-browser.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
let url: string;
let browser: Browser;
const tokens = { officer: '', reviewer: '' };

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_consolecatalog_${randomUUID().slice(0, 8)}$1`),
  );
  await openCatalog({ store });
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    catalog: createCatalogService({ store }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 240_000);

afterAll(async () => {
  useShippedCatalog();
  await browser?.close();
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

async function page(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const opened = await context.newPage();
  const errors: string[] = [];
  opened.on('pageerror', (error) => errors.push(error.message));
  return { page: opened, errors };
}

const factRow = (p: Page, key: string) => p.locator(`tr[data-fact="${key}"]`);

describe('the data catalog page', () => {
  it('shows each source’s metadata and each fact’s coverage in words', async () => {
    const { page: p, errors } = await page();
    await signInAs(p, url, tokens.officer, '王芳');
    await p.locator('.nav-catalog').click();
    await expect.poll(() => p.locator('.catalog-version').textContent()).toContain('第 1 版');
    const disability = p.locator('.catalog-source[data-source="disability-federation"]');
    expect(await disability.locator('h3').textContent()).toContain('市残疾人联合会');
    expect(await disability.locator('.catalog-meta').textContent()).toMatch(
      /共享依据：《中华人民共和国残疾人保障法》.*更新频率：每日/,
    );
    expect(await factRow(p, 'person.disabilityCertified').locator('.catalog-coverage').textContent()).toBe(
      '无记录即"否"',
    );
    expect(await factRow(p, 'person.disabilityGrade').innerText()).toMatch(/级\s+敏感\s+无记录即"未知"/);
    await checkedScreenshot(p, 'catalog-officer', { minHeight: 900 });
    expect(errors).toEqual([]);
  });

  it('lets an officer draft a fact, refused until it has a unit, and a reviewer publish it', async () => {
    const { page: officer } = await page();
    await signInAs(officer, url, tokens.officer, '王芳');
    await officer.goto(`${url}/console#/catalog`);
    const form = officer.locator('.catalog-draft');
    await form.locator('select[name="sourceId"]').selectOption('civil-affairs');
    await form.locator('input[name="field"]').fill('careVisitsLastYear');
    await form.locator('input[name="labelZh"]').fill('上年度上门探访次数');
    await form.locator('input[name="labelEn"]').fill('home visits last year');
    await form.locator('select[name="type"]').selectOption('number');
    await form.locator('.catalog-draft-send').click();
    await expect.poll(() => form.locator('.catalog-draft-status').textContent()).toContain('单位');
    expect(await form.locator('[data-path="facts[0].unit"]').getAttribute('class')).toContain('invalid');
    await form.locator('input[name="unitZh"]').fill('次');
    await form.locator('input[name="unitEn"]').fill('visits');
    await form.locator('.catalog-draft-send').click();
    await expect
      .poll(() => officer.locator('.catalog-said').textContent())
      .toContain('已提交审核：person.careVisitsLastYear');
    // The officer has no approve button: a second person publishes.
    expect(await officer.locator('.catalog-approve').count()).toBe(0);

    const { page: reviewer, errors } = await page();
    await signInAs(reviewer, url, tokens.reviewer, '李明');
    await reviewer.goto(`${url}/console#/catalog`);
    await expect.poll(() => reviewer.locator('tr[data-draft] .catalog-approve').count()).toBe(1);
    await checkedScreenshot(reviewer, 'catalog-reviewer');
    await reviewer.locator('.catalog-approve').click();
    await expect.poll(() => reviewer.locator('.catalog-said').textContent()).toBe('已批准并发布为第 2 版');
    expect(await reviewer.locator('.catalog-version').textContent()).toContain('第 2 版');
    expect(await factRow(reviewer, 'person.careVisitsLastYear').innerText()).toMatch(
      /上年度上门探访次数\s+数值\s+次\s+个人\s+无记录即"否"/,
    );
    await checkedScreenshot(reviewer, 'catalog-published');
    expect(errors).toEqual([]);
  });
});
