/**
 * The programme metrics page end to end, in Debian's Chromium: cases run through the pipeline
 * (a granted birth, a firm granted on its pledge, a birth the registry holds no date for, a 60th
 * birthday offered the senior card and not yet confirmed); a supervisor opens 监督指标 and reads
 * the same figures GET /programme-metrics gives, in charts; a period before any case empties it;
 * one policy's filter shows that policy's figures; the English switch relabels it. Two proof-free
 * applications (a firm's with every proof obtained, a resident's with one uploaded) give the seed
 * indicators of applications their figures and charts. Screenshots
 * go to test-output/console/ and are checked.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { ingestEvent } from '../services/events/ingest.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { createMetricsService, type ProgrammeMetrics } from '../services/metrics/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { addDays, cityToday } from '../domain/calendar.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { testSessions, testToken } from './support/users.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import { openCaseApi, type CaseApi } from './support/case-api.js';
import { addEnterprise, addResident, removeFacts, TEST_SECRET } from './support/city.js';
import { createApplicationService } from '../services/applications/service.js';
import { pollUntil } from './support/poll.js';
import {
  checkedScreenshot,
  boxesOf,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
let env: CaseApi;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let reviewer: string;
const openOffers: string[] = [];

beforeAll(async () => {
  env = await openCaseApi(stack, 'e2emetrics');
  const store = env.pipeline.store;
  const run = env.pipeline.taskQueue.slice(-8);
  const runEvent = async (body: object) =>
    (await env.client.workflow
      .getHandle(
        (
          await ingestEvent(
            {
              store,
              temporal: env.client,
              taskQueue: env.pipeline.taskQueue,
              subjectKeySecret: TEST_SECRET,
              today: () => cityToday(),
            },
            body,
            TEST_PUBLISHER,
          )
        ).caseId,
      )
      .result()) as LifeEventResult;
  const noDate = await addResident(store, '2026-02-02', { 'person.localHukou': true, 'person.alive': true });
  await removeFacts(store, noDate, ['person.birthDate']);
  await runEvent({
    sourceEventId: `hr-nodate-${run}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: '2026-02-10',
    subject: { residentId: noDate.id },
    payload: { birthDate: '2026-02-02' },
  });
  const senior = await addResident(store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
  const milestone = await runEvent({
    sourceEventId: `hr-60-${run}`,
    source: 'household-registry',
    type: 'age.milestone',
    occurredOn: '2026-06-01',
    subject: { residentId: senior.id },
    payload: { age: 60 },
  });
  openOffers.push(...milestone.decisions.filter((d) => d.action === 'offered').map((d) => d.benefitWorkflowId!));

  reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    cases: env.cases,
    applications: createApplicationService({ store, temporal: env.client, taskQueue: env.pipeline.taskQueue }),
    metrics: createMetricsService(
      { store, catalog: await loadPolicyCatalog(), temporal: env.client, taskQueue: env.pipeline.taskQueue },
      { maxAgeMs: 0 },
    ),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  await applyTwice(store);
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

/**
 * Two proof-free applications through the API and their workflows: a firm's hiring subsidy with
 * every proof obtained (two verifications, shared data, a pledge), and a home owner's public rental
 * housing, whose no-housing verification answers no and whose scan is then uploaded.
 */
async function applyTwice(store: CaseApi['pipeline']['store']): Promise<void> {
  const firm = await addEnterprise(store, {
    'enterprise.establishedOn': '2021-04-01',
    'enterprise.industry': 'manufacturing',
    'enterprise.status': 'active',
    'enterprise.premiumsInArrears': false,
    'enterprise.newJobsLastYear': 12,
    'enterprise.registeredUnemployedHiredLastYear': 4,
  });
  const owner = await addResident(store, '1990-05-06', {
    'person.localHukou': true,
    'person.district': '陵城区',
    'person.maritalStatus': 'married',
    'person.householdIncomePerCapita': 1500,
    'person.ownsHousing': true,
  });
  const call = async (method: 'GET' | 'POST', path: string, token: string, payload?: object) =>
    (await api.inject({ method, url: path, headers: { authorization: `Bearer ${token}` }, payload })).json<{
      id: string;
      status: string;
    }>();
  const until = (id: string, token: string, status: string) =>
    pollUntil(
      `application ${status}`,
      async () => (await call('GET', `/applications/${id}`, token)).status,
      (seen) => seen === status,
      { timeout: 120_000, interval: 200 },
    );
  const firmToken = await testToken(store, '德州精工', 'citizen', { subjectKey: firm.subjectKey });
  const hiring = await call('POST', '/applications', firmToken, {
    matter: 'enterprise-hiring-subsidy',
    fields: { 'contact-person': '李经办', 'contact-phone': '05340000000' },
    pledges: ['no-violation-statement'],
  });
  const ownerToken = await testToken(store, '孙立', 'citizen', { subjectKey: owner.subjectKey });
  const housing = await call('POST', '/applications', ownerToken, {
    matter: 'public-rental-housing',
    fields: { 'household-size': 3, 'contact-phone': '13900000000' },
    pledges: ['income-proof'],
  });
  await until(housing.id, ownerToken, 'awaiting-proofs');
  await call('POST', `/applications/${housing.id}/uploads`, ownerToken, {
    proof: 'no-housing-proof',
    fileName: '无房证明.pdf',
    contentBase64: Buffer.from('%PDF-1.4 无房证明扫描件').toString('base64'),
  });
  await until(housing.id, ownerToken, 'handling');
  await until(hiring.id, firmToken, 'handling');
}

afterAll(async () => {
  await browser?.close();
  await api?.close();
  for (const id of openOffers)
    await env?.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await env?.close();
});

const screenshot = (page: Page, name: string) => checkedScreenshot(page, name, { minHeight: 600 });

const signIn = (page: Page, token: string, name: string) => signInAs(page, url, token, name);

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

describe('the metrics page', () => {
  it('shows a supervisor the programme indicators in charts, filters by period and switches to English', async () => {
    const expected = (
      await api.inject({
        method: 'GET',
        url: '/programme-metrics',
        headers: { authorization: `Bearer ${env.tokens.supervisor}` },
      })
    ).json<ProgrammeMetrics>();
    expect(expected.grants.count).toBe(2);
    expect(expected.undetermined.undetermined).toBe(1);

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, env.tokens.supervisor, '周督查');
    await page.locator('.nav-metrics').click();
    await expect.poll(() => text(page, '.metrics h2')).toBe('监督指标');
    await expect.poll(() => page.locator('.stat-grants strong').count()).toBe(1);
    expect(await text(page, '.stat-grants strong')).toBe(String(expected.grants.count));
    expect(await text(page, '.stat-grants span')).toBe('“免申即享”主动兑现');
    expect(await text(page, '.stat-sharing span')).toBe('数据共享需求满足率');
    expect(await text(page, '.stat-substitution span')).toBe('电子证照证明替代率');
    // The two applications: their seed indicators as the API counts them, each against the plan's target.
    const proofs = expected.proofIndicators;
    expect(proofs.total).toMatchObject({ applications: 2, uploads: 1 });
    expect(await text(page, '.stat-proof-sharing small')).toContain(
      `${proofs.total.proofSharing.part} / ${proofs.total.proofSharing.whole}`,
    );
    expect(await text(page, '.stat-proof-sharing small')).toContain('目标 60%');
    expect(await text(page, '.stat-field-sharing small')).toContain('目标 50%');
    expect(await text(page, '.stat-substitution small')).toBe(
      `${proofs.total.certificateSubstitution.part} / ${proofs.total.certificateSubstitution.whole}`,
    );
    expect(await page.locator('.chart-proofs rect.bar').count()).toBe(proofs.rows.length * 2);
    expect(await page.locator('.chart-proofs').innerText()).toContain('市住房和城乡建设局');
    expect(await page.locator('.chart-proof-free rect.bar').count()).toBe(proofs.proofFreeMatters.byDepartment.length);
    expect(await text(page, '.stat-proof-free small')).toBe(
      `${expected.proofIndicators.proofFreeMatters.total.proofFree} / ${expected.proofIndicators.proofFreeMatters.total.matters}`,
    );
    expect(await text(page, '.stat-takeup strong')).toBe(`${((expected.takeUp.rate ?? 0) * 100).toFixed(1)}%`);
    expect(await text(page, '.stat-undetermined small')).toBe(
      `${expected.undetermined.undetermined} / ${expected.undetermined.decisions}`,
    );
    // One bar per granted policy, per department; the take-up, causes, latency and sharing charts drawn.
    expect(await page.locator('.chart-grants-policy rect.bar').count()).toBe(
      expected.byPolicy.filter((r) => r.grants > 0).length,
    );
    expect(await page.locator('.chart-grants-policy').innerText()).toContain('育儿补贴');
    expect(await page.locator('.chart-grants-department').innerText()).toContain('市卫生健康委员会');
    expect(await page.locator('.chart-takeup').innerText()).toContain('老年人优待证');
    expect(await page.locator('.chart-causes').innerText()).toContain('出生日期');
    expect(await page.locator('.chart-causes').innerText()).toContain('记录中缺少该数据项');
    expect(await page.locator('.chart-latency rect.bar').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.chart-sharing rect.bar').count()).toBe(expected.dataSharing.byDepartment.length);
    await screenshot(page, 'metrics');

    // A period that ends before any case: nothing counted.
    await page.locator('input.metrics-to').fill(addDays(cityToday(), -1));
    await page.locator('.metrics-apply').click();
    await expect.poll(() => text(page, '.stat-grants strong')).toBe('0');
    expect(await text(page, '.stat-takeup strong')).toBe('—');
    expect(await page.locator('.chart-grants-policy').innerText()).toContain('该期间暂无数据');
    await page.locator('.metrics-30').click();
    await expect.poll(() => text(page, '.stat-grants strong')).toBe(String(expected.grants.count));

    // One policy: the figures become that policy's own (GET /programme-metrics?policy=…), its one bar alone.
    const childcare = (
      await api.inject({
        method: 'GET',
        url: '/programme-metrics?policy=childcare-subsidy',
        headers: { authorization: `Bearer ${env.tokens.supervisor}` },
      })
    ).json<ProgrammeMetrics>();
    expect(childcare.grants.count).toBeGreaterThan(0);
    expect(childcare.grants.count).toBeLessThan(expected.grants.count);
    expect(await page.locator('.metrics-policy option', { hasText: '育儿补贴' }).getAttribute('value')).toBe(
      'childcare-subsidy',
    );
    await page.locator('.metrics-policy').selectOption('childcare-subsidy');
    await expect.poll(() => text(page, '.stat-grants strong')).toBe(String(childcare.grants.count));
    expect(await text(page, '.stat-undetermined small')).toBe(
      `${childcare.undetermined.undetermined} / ${childcare.undetermined.decisions}`,
    );
    expect(await page.locator('.chart-grants-policy rect.bar').count()).toBe(1);
    expect(await page.locator('.chart-grants-policy').innerText()).toContain('育儿补贴');
    await screenshot(page, 'metrics-policy');
    await page.locator('.metrics-policy').selectOption('');
    await expect.poll(() => text(page, '.stat-grants strong')).toBe(String(expected.grants.count));

    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.metrics h2')).toBe('Programme metrics');
    await expect.poll(() => page.locator('.stat-sharing span').count()).toBe(1);
    expect(await text(page, '.stat-sharing span')).toBe('Data-sharing demand satisfaction rate');
    expect(await page.locator('.chart-grants-policy').innerText()).toContain('Childcare subsidy');
    await screenshot(page, 'metrics-en');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('fits a phone: the figures and charts at 390 px, nothing scrolling sideways', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, env.tokens.supervisor, '周督查');
    await page.locator('.nav-metrics').click();
    await expect.poll(() => page.locator('.stat-grants strong').count()).toBe(1);
    await page.locator('.chart-grants-policy rect.bar').first().waitFor();
    await expectFitsScreen(page, [
      '.metrics-filter',
      '.metrics-stats',
      '.chart-grants-policy',
      '.chart-causes',
      '.chart-latency',
      '.chart-sharing',
    ]);
    // Each label on its own line above its bar, at a size one can read (squeezed beside the bars, it would be about 7 px).
    const [label, bar] = await boxesOf(page, ['.chart-grants-policy .chart-label', '.chart-grants-policy rect.bar']);
    expect(label.height).toBeGreaterThanOrEqual(11);
    expect(label.y + label.height).toBeLessThanOrEqual(bar.y + 1);
    expect(await page.locator('.chart-grants-policy').innerText()).toContain('育儿补贴');
    await screenshot(page, 'metrics-phone');
    // Turned to a wide screen, the charts redraw with the labels beside the bars.
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect
      .poll(async () => {
        const [l, b] = await boxesOf(page, ['.chart-grants-policy .chart-label', '.chart-grants-policy rect.bar']);
        return l.x + l.width <= b.x && l.y < b.y + b.height;
      })
      .toBe(true);
    await context.close();
  }, 60_000);

  it('offers the page to a reviewer, and not to an inspector', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, reviewer, '李明');
    await page.locator('.nav-metrics').click();
    await expect.poll(() => page.locator('.stat-grants strong').count()).toBe(1);
    await page.locator('.sign-out').click();
    await signIn(page, env.tokens.inspector, '陈核查');
    expect(await page.locator('.nav-metrics').count()).toBe(0);
    await context.close();
  }, 60_000);
});
