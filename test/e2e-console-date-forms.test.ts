/**
 * The console's editor shows the date forms of issue 18: compulsory-school-enrollment v2's school
 * age reads "six by the intake's cut-off" with both members naming parameters, the operator select
 * offers the age-in-months and age-on operators with their labels, and a new age-on leaf gets an age
 * and a month-day input. Screenshot: test-output/console/editor-age-on.png.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { checkedScreenshot, launchConsoleBrowser, signInAs } from './support/console-browser.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let officer: string;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_dates_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  officer = await testToken(store, '王芳', 'officer');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle, simulation: createSimulationRunner({ store, lifecycle }) },
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

describe('the editor and the date forms', () => {
  it('shows an age on the intake cut-off with its parameters, and offers the new operators', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${url}/console`);
    await signInAs(page, url, officer, '王芳', '政策经办人');
    await page.goto(`${url}/console#/policy/compulsory-school-enrollment/2/form`);

    const leaf = page.locator('[data-path="namedConditions.schoolAge.all[0]"]');
    await expect.poll(() => leaf.count()).toBe(1);
    const operator = leaf.locator('.operator-select');
    expect(await operator.locator('option:checked').innerText()).toBe(
      '判定年度某月日时年龄满（周岁，如 8月31日前满6周岁）',
    );
    expect(await leaf.locator('.param-ref').allInnerTexts()).toEqual(['参数：schoolAge', '参数：intakeCutOff']);
    const offered = await operator.locator('option').allInnerTexts();
    expect(offered).toContain('截至判定日年龄满（足月数）');
    expect(offered).toContain('判定年度某月日时年龄未满（周岁）');
    await checkedScreenshot(page, 'editor-age-on');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
