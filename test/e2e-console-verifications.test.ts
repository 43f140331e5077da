/**
 * The verification log (证明核验记录) in the console end to end, in Debian's Chromium, on the real
 * stack: the housing bureau verifies an applicant's local hukou twice (the second answered from the
 * archive) and the police open a procedure claim; a supervisor opens 证明核验, sees the three with
 * the subject masked, filters the pending one and enters the police's written answer; an officer
 * reads the log without the answer form; the citizen sees the verification under who used their
 * data. Screenshots go to test-output/console/verifications-*.png and are looked at.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { makeResidentId } from '../domain/identity.js';
import { mattersInForce, putMattersInForce, type MatterList } from '../domain/matters.js';
import { STARTER_MATTER_LIST } from '../domain/matters-starter.js';
import { subjectKey } from '../domain/pseudonym.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createVerificationService } from '../services/verifications/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { checkedScreenshot, launchConsoleBrowser, PHONE, signInAs } from './support/console-browser.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testToken, testUser } from './support/users.js';

const stack = inject('stack');
const APPLICANT = makeResidentId('371402', '1968-08-08', 71, 'male');
let store: Connection;
let client: Client;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let closeEvents: () => Promise<void>;
let starter: MatterList;
const tokens = { officer: '', supervisor: '', citizen: '' };

async function verify(credential: DepartmentCredential, body: unknown): Promise<Record<string, unknown>> {
  const payload = JSON.stringify(body);
  const response = await api.inject({
    method: 'POST',
    url: '/verifications',
    headers: {
      'content-type': 'application/json',
      ...signDepartmentRequest(credential, { method: 'POST', path: '/verifications', body: payload }),
    },
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Record<string, unknown>>();
}

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_console_verifications_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await store.db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertOne({
    _id: APPLICANT,
    idNumber: APPLICANT,
    localHukou: true,
    birthDate: '1968-08-08',
  });
  starter = mattersInForce();
  putMattersInForce({
    ...STARTER_MATTER_LIST,
    matters: [
      ...STARTER_MATTER_LIST.matters,
      {
        id: 'security-guard-permit',
        subject: 'person',
        title: { zh: '保安员证核发', en: 'Security guard permit' },
        department: { id: 'public-security', name: { zh: '市公安局', en: 'Municipal Public Security Bureau' } },
        legalBasis: { zh: '《保安服务管理条例》第十六条', en: 'Regulation on Security Services, art. 16' },
        level: 'city',
        timeLimitWorkingDays: 15,
        fields: [],
        proofs: [],
        claims: ['no-criminal-record'],
      },
    ],
  });
  const events = testEventApi(stack.redisUrl, {
    store,
    temporal: client,
    taskQueue: uniqueTaskQueue('console-verifications'),
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  });
  closeEvents = events.close;
  const run = randomUUID().slice(0, 6);
  const housing = await registerTestDepartment(store, TEST_SECRET, {
    id: 'housing-urban-rural',
    name: { zh: '市住房和城乡建设局', en: 'Housing Bureau' },
    sources: [`housing-${run}`],
  });
  const police = await registerTestDepartment(store, TEST_SECRET, {
    id: 'public-security',
    name: { zh: '市公安局', en: 'Public Security Bureau' },
    sources: [`police-${run}`],
  });
  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  tokens.citizen = await testToken(store, '赵建军', 'citizen', {
    subjectKey: subjectKey('person', APPLICANT, TEST_SECRET),
  });
  api = buildApi({
    sessions: testSessions(store),
    events: events.events,
    policies: { lifecycle: createPolicyLifecycle(store) },
    citizen: createCitizenService({ store, temporal: client }),
    verifications: {
      service: createVerificationService({
        store,
        adapters: createAdapterRegistry({ connection: store }),
        subjectKeySecret: TEST_SECRET,
      }),
    },
    console: true,
    health: ALL_UP,
  });
  await api.ready();
  const hukou = { matter: 'public-rental-housing', claim: 'local-hukou', subject: { kind: 'person', id: APPLICANT } };
  expect(await verify(housing, hukou)).toMatchObject({ answer: 'yes', reused: false });
  expect(await verify(housing, hukou)).toMatchObject({ answer: 'yes', reused: true });
  expect(
    await verify(police, {
      matter: 'security-guard-permit',
      claim: 'no-criminal-record',
      subject: { kind: 'person', id: APPLICANT },
    }),
  ).toMatchObject({ answer: 'pending' });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 300_000);

afterAll(async () => {
  putMattersInForce(starter);
  await browser?.close();
  await api?.close();
  await closeEvents?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

describe('证明核验 in the console', () => {
  it('a supervisor reads the log, the subject masked, and enters the police’s written answer to the pending claim', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.locator('.nav-verifications').click();
    await expect.poll(() => page.locator('tr.verification').count()).toBe(3);
    expect(await page.locator('.verification-counts').innerText()).toBe(
      '共 3 次核验，其中复用已归档结果 1 次，待答复 1 次',
    );
    expect(await page.locator('.verifications-page').innerText()).not.toContain(APPLICANT);
    const housingRows = page.locator('tr.verification', { hasText: '公共租赁住房申请' });
    expect(await housingRows.count()).toBe(2);
    expect(await housingRows.first().locator('.verification-claim').innerText()).toContain('户籍在本市');
    expect(await housingRows.first().locator('.verification-answer').innerText()).toBe('是');
    expect(await page.locator('.verification-reused').count()).toBe(1);
    expect(await housingRows.first().locator('.verification-signature').innerText()).toContain('服务签名');
    const pending = page.locator('tr.verification-pending');
    expect(await pending.locator('.verification-answer').innerText()).toBe('待答复');
    expect(await pending.locator('.verification-validity').innerText()).toMatch(/^应于 .+ 前答复$/);
    await checkedScreenshot(page, 'verifications-supervisor');

    // Only the pending ones; then the police's written answer, entered with its reference.
    await page.locator('.verification-filter-status').selectOption('pending');
    await page.locator('.verification-filter').click();
    await expect.poll(() => page.locator('tr.verification').count()).toBe(1);
    await pending.locator('.verification-reference').fill('德公（治）证〔2026〕118号');
    await pending.locator('.verification-answer-yes').click();
    await expect.poll(() => page.locator('tr.verification').count()).toBe(0);
    await page.locator('.verification-filter-status').selectOption('');
    await page.locator('.verification-filter').click();
    const answered = page.locator('tr.verification', { hasText: '保安员证核发' });
    await expect.poll(() => answered.locator('.verification-answer').innerText()).toBe('是');
    expect(await answered.locator('.verification-signature').innerText()).toContain(
      '周督查 · 德公（治）证〔2026〕118号',
    );
    await checkedScreenshot(page, 'verifications-answered');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an officer reads the log on a phone, without the answer form', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, tokens.officer, '王芳', '政策经办人');
    await page.goto(`${url}/console#/verifications`);
    await expect.poll(() => page.locator('tr.verification').count()).toBe(3);
    expect(await page.locator('.verification-answer-form').count()).toBe(0);
    await checkedScreenshot(page, 'verifications-officer-phone');
    await context.close();
  });

  it('the citizen sees each verification, and the one read of their data, under who used my data', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, tokens.citizen, '赵建军', '群众');
    const items = page.locator('.me-access .access-item[data-kind="verification"]');
    await expect.poll(() => items.count()).toBe(3);
    const texts = await items.allInnerTexts();
    expect(
      texts.some((text) =>
        /市住房和城乡建设局[\s\S]*公共租赁住房申请[\s\S]*户籍在本市[\s\S]*仅获知结果：是/.test(text),
      ),
    ).toBe(true);
    expect(texts.some((text) => text.includes('使用了已归档的核验结果：是'))).toBe(true);
    expect(await page.locator('.me-access .access-item[data-kind="data-pull"]').count()).toBe(1);
    await checkedScreenshot(page, 'verifications-citizen-access', { minHeight: 600 });
    await context.close();
  });
});
