/**
 * Fact requests (数据需求) in the console end to end, in Debian's Chromium, on the real stack: the
 * officer opens 数据需求, files a request without saying why and is told at the field, then files it
 * to the civil affairs bureau by picking its source; the bureau answers with its signed request by
 * adding the fact; the officer's page then shows the answer (the catalog draft, in time) and the
 * alert. A supervisor reads the same list, without the form, and the indicator on the metrics page. Screenshots go to
 * test-output/console/fact-requests-*.png and are checked.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { useShippedCatalog } from '../domain/sources.js';
import { openCatalog, proposeFact } from '../services/catalog/service.js';
import { createFactRequestService } from '../services/fact-requests/service.js';
import { createMetricsService } from '../services/metrics/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { checkedScreenshot, launchConsoleBrowser, PHONE, signInAs } from './support/console-browser.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 6);
let store: Connection;
let client: Client;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let closeEvents: () => Promise<void>;
let civil: DepartmentCredential;
const tokens = { officer: '', supervisor: '' };

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_console_fact_requests_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await openCatalog({ store });
  const events = testEventApi(stack.redisUrl, {
    store,
    temporal: client,
    taskQueue: uniqueTaskQueue('console-fact-requests'),
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  });
  closeEvents = events.close;
  civil = await registerTestDepartment(store, TEST_SECRET, {
    id: `civil-affairs-${run}`,
    name: { zh: '市民政局', en: 'Civil Affairs Bureau' },
    sources: ['civil-affairs'],
  });
  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  api = buildApi({
    sessions: testSessions(store),
    events: events.events,
    policies: { lifecycle: createPolicyLifecycle(store) },
    factRequests: createFactRequestService({
      store,
      proposeFact: (proposer, proposal) => proposeFact({ store }, proposer, proposal),
    }),
    metrics: createMetricsService({ store, catalog: await loadPolicyCatalog() }, { maxAgeMs: 0 }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 300_000);

afterAll(async () => {
  useShippedCatalog();
  await browser?.close();
  await api?.close();
  await closeEvents?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

describe('数据需求 in the console', () => {
  it('the officer files a request, is told at the field what is missing, and reads the department’s answer', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, tokens.officer, '王芳', '政策经办人');
    await page.locator('.nav-fact-requests').click();
    await expect.poll(() => page.locator('.fact-requests-empty').count()).toBe(1);

    const form = page.locator('.fact-request-form');
    await form.locator('.fact-what').fill('是否独居（民政部门走访登记）');
    await form.locator('.fact-key').fill(`person.livesAlone${run}`);
    await form.locator('.fact-type').selectOption('boolean');
    await form.locator('.fact-policy').fill('elderly-care-allowance');
    await form.locator('.fact-legal-basis').fill('《山东省养老服务条例》第二十条');
    await form.locator('.fact-source').selectOption('civil-affairs');
    // Without saying why: refused, at the field.
    await form.locator('.fact-request-file').click();
    await expect.poll(() => form.locator('[data-path="why"] .field-error').innerText()).toContain('用途');
    await form.locator('.fact-why').fill('高龄独居老人护理补贴只发给独居的 80 周岁以上老人');
    await form.locator('.fact-request-file').click();
    await expect.poll(() => page.locator('.fact-request-said').innerText()).toContain('已向市民政局提出');
    const row = page.locator('tr.fact-request');
    expect(await row.count()).toBe(1);
    expect(await row.locator('.fact-status').innerText()).toBe('待答复');

    // The bureau answers with its signed request: the fact, as a catalog draft.
    const id = await row.getAttribute('data-request');
    const path = `/department/fact-requests/${id}/fact`;
    const body = JSON.stringify({
      field: {
        key: `person.livesAlone${run}`,
        column: `livesAlone${run}`,
        type: 'boolean',
        sensitivity: 'personal',
        label: { zh: '独居', en: 'lives alone' },
        coverage: 'absent-means-no',
        synthetic: { kind: 'bernoulli', p: 0.2 },
      },
    });
    const answered = await api.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...signDepartmentRequest(civil, { method: 'POST', path, body }) },
      payload: body,
    });
    expect(answered.statusCode, answered.body).toBe(200);

    await page.reload();
    await expect.poll(() => page.locator('tr.fact-request .fact-status').innerText()).toBe('已答复');
    expect(await page.locator('tr.fact-request .fact-answer').innerText()).toContain('待第二人审核发布');
    expect(await page.locator('tr.fact-request .fact-in-time').innerText()).toBe('1 个工作日内答复');
    expect(await page.locator('.fact-alert').innerText()).toContain('市民政局已答复');
    await checkedScreenshot(page, 'fact-requests-officer');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a supervisor reads the same requests on a phone, without the form', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.goto(`${url}/console#/fact-requests`);
    await expect.poll(() => page.locator('tr.fact-request').count()).toBe(1);
    expect(await page.locator('.fact-request-form').count()).toBe(0);
    expect(await page.locator('.fact-request-withdraw').count()).toBe(0);
    await checkedScreenshot(page, 'fact-requests-supervisor-phone');
    await context.close();
  });

  it('the metrics page shows 数据共享有效需求满足率 from the request answered in time, against the plan’s 99 %', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.goto(`${url}/console#/metrics`);
    await expect.poll(() => page.locator('.stat-demand strong').count()).toBe(1);
    expect(await page.locator('.stat-demand span').innerText()).toBe('数据共享有效需求满足率');
    expect(await page.locator('.stat-demand strong').innerText()).toBe('100%');
    expect(await page.locator('.stat-demand small').innerText()).toContain('目标 99%');
    expect(await page.locator('.chart-demand').innerText()).toContain('市民政局');
    await checkedScreenshot(page, 'fact-requests-metrics');
    await context.close();
  });
});
