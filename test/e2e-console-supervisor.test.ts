/**
 * Supervision and the citizen's page end to end, in Debian's Chromium: a birth runs through the
 * pipeline; a supervisor signs in, types the child's resident ID with the reason the search needs,
 * opens the case, reads its timeline (decision, grant, notice) and the decision's conditions with
 * the ID's last four characters and no birth date, finds the Temporal Web UI link to the case's
 * workflow, has the decision explained and the ID unmasked, each with a reason, and sees the
 * reveals logged. A
 * citizen at phone width (390 px, nothing overflowing) sees their inbox and benefit and confirms
 * an offer, which becomes a benefit. Screenshots go to test-output/console/ and are checked.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createObjectionService } from '../services/objections/service.js';
import { storePolicySource } from '../store/policy-source.js';
import { ingestEvent } from '../services/events/ingest.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { cityToday } from '../domain/calendar.js';
import { maskForStaff, maskResidentId } from '../domain/identity.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { testSessions, testToken } from './support/users.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import { openCaseApi, TEMPORAL_UI, type CaseApi } from './support/case-api.js';
import { addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { ALL_UP } from './support/all-up.js';
import { pollUntil } from './support/poll.js';

const stack = inject('stack');
let env: CaseApi;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let senior: TestSubject;
let seniorToken: string;

/** Runs one life event through the pipeline and waits for the benefit workflow it started to finish or wait. */
async function runEvent(body: Record<string, unknown>): Promise<LifeEventResult> {
  const store = env.pipeline.store;
  const accepted = await ingestEvent(
    {
      store,
      temporal: env.client,
      taskQueue: env.pipeline.taskQueue,
      subjectKeySecret: TEST_SECRET,
      today: () => cityToday(),
    },
    body,
    TEST_PUBLISHER,
  );
  return (await env.client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
}

beforeAll(async () => {
  // The birth of env.child runs through the pipeline here: granted, notified, delivered to the inbox.
  env = await openCaseApi(stack, 'e2esupervisor');
  const store = env.pipeline.store;
  await createPolicyLifecycle(store).importCatalog((await loadPolicyCatalog()).policies);

  // A resident certified disabled (granted the living subsidy) who then turns 60 (offered the senior card).
  senior = await addResident(store, '1966-05-20', {
    'person.localHukou': true,
    'person.alive': true,
    'person.disabilityCertified': true,
    'person.disabilityGrade': 2,
    'person.minimumLivingAllowance': true,
  });
  const run = env.pipeline.taskQueue.slice(-8);
  const disability = await runEvent({
    sourceEventId: `cl-cjz-${run}`,
    source: 'disabled-persons-federation',
    type: 'disability.certified',
    occurredOn: '2026-04-02',
    subject: { residentId: senior.id },
    payload: { grade: 2, disabilityType: 'physical' },
  });
  const granted = disability.decisions.find((d) => d.policy.id === 'disability-living-subsidy');
  if (granted?.action !== 'granted' || !granted.benefitWorkflowId)
    throw new Error(`the disability subsidy was not granted: ${JSON.stringify(disability.decisions)}`);
  await env.client.workflow.getHandle(granted.benefitWorkflowId).result();
  const milestone = await runEvent({
    sourceEventId: `hr-60-${run}`,
    source: 'household-registry',
    type: 'age.milestone',
    occurredOn: '2026-05-20',
    subject: { residentId: senior.id },
    payload: { age: 60 },
  });
  if (!milestone.decisions.some((d) => d.policy.id === 'senior-preferential-card' && d.action === 'offered'))
    throw new Error(`the senior card was not offered: ${JSON.stringify(milestone.decisions)}`);
  await pollUntil(
    "both of the senior's notices in the inbox",
    () => env.pipeline.models.Inbox.countDocuments({ subjectKey: senior.subjectKey }),
    (count) => count >= 2,
  );
  seniorToken = await testToken(store, '张秀英', 'citizen', { subjectKey: senior.subjectKey });

  api = buildApi({
    sessions: testSessions(store),
    policies: {
      lifecycle: createPolicyLifecycle(store),
    },
    cases: env.cases,
    citizen: createCitizenService({ store, temporal: env.client }),
    objections: createObjectionService({
      store,
      temporal: env.client,
      taskQueue: env.pipeline.taskQueue,
      subjectKeySecret: TEST_SECRET,
      policies: storePolicySource(store),
    }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await env?.close();
});

const screenshot = (page: Page, name: string) => checkedScreenshot(page, name);

const signIn = (page: Page, token: string, name: string, role: string) => signInAs(page, url, token, name, role);

describe('the supervisor’s console', () => {
  it('finds a case by resident ID with a reason, reads its timeline without a birth date, links to Temporal, and explains and unmasks with logged reasons', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await signIn(page, env.tokens.supervisor, '周督查', '督查人员');
    expect(await page.locator('.brand strong').innerText()).toBe('案件督查台');
    expect(await page.locator('.top-nav a').allInnerTexts()).toContain('案件查询');
    await page.locator('#case-subject').fill(env.child.id);
    // A search by resident ID is a reveal: without a reason it is refused, with one it is logged.
    await page.getByRole('button', { name: '查询' }).click();
    await expect
      .poll(() => page.locator('.cases .error-box').innerText())
      .toContain('按身份证号或统一社会信用代码查询案件的理由');
    await page.locator('.case-search-reason').fill('群众来电反映未收到育儿补贴');
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator(`tr.case-row[data-case="${env.birthCase}"]`);
    await row.waitFor();
    expect(await page.locator('tr.case-row').count()).toBe(1);
    // Staff see the last four characters, and no date of a birth case.
    expect(await row.locator('.masked-id').innerText()).toBe(maskForStaff(env.child.id));
    expect(await row.innerText()).not.toContain('2026-03-20');
    expect(await row.innerText()).toContain('出生登记');
    expect(await row.innerText()).toContain('childcare-subsidy');
    await screenshot(page, 'case-search');

    await row.getByRole('link').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/case/${encodeURIComponent(env.birthCase)}`);
    const entry = (kind: string) => page.locator(`.tl-entry[data-kind="${kind}"]`);
    await entry('decision').first().waitFor();
    for (const kind of [
      'event.received',
      'data.access',
      'decision',
      'grant',
      'notice.queued',
      'notice.delivered',
      'workflow.started',
    ])
      expect(await entry(kind).count(), kind).toBeGreaterThan(0);
    expect(await entry('grant').first().innerText()).toContain('发放 childcare-subsidy');
    expect(await entry('grant').first().locator('.tl-meta').innerText()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日.*system/);
    const explanation = page.locator('.explanation[data-policy="childcare-subsidy"]');
    expect(await explanation.locator('h4').innerText()).toContain('符合');
    expect(await explanation.locator('tr[data-fact="person.localHukou"]').innerText()).toMatch(
      /本市户籍[\s\S]*是[\s\S]*✓ 满足/,
    );
    const temporal = page.locator('a.temporal-link');
    expect(await temporal.getAttribute('href')).toMatch(
      new RegExp(
        `^${TEMPORAL_UI}/namespaces/${env.namespace}/workflows/${encodeURIComponent(env.birthCase)}/[0-9a-f-]+/history$`,
      ),
    );
    expect(await temporal.getAttribute('target')).toBe('_blank');
    expect(await page.content()).not.toContain(env.child.id);
    // No birth date: the recorded value is masked, the event's date not shown.
    expect(await explanation.locator('tr[data-fact="person.birthDate"] .fact-value').innerText()).toBe('***');
    expect(await page.locator('.case-head .title-row').innerText()).toContain('日期涉及出生日期，不显示');
    expect(await page.content()).not.toContain('2026-03-10');
    await screenshot(page, 'case-timeline');

    // Explaining a decision from the child's data needs a reason too; then it says what would change it, and when.
    await explanation.locator('.act-explain').click();
    await explanation.locator('.act-explain-confirm').click();
    await expect
      .poll(() => explanation.locator('.what-if .flash-bad').innerText())
      .toContain('请说明查看判定数据依据的理由');
    await explanation.locator('.explain-reason').fill('核实育儿补贴发放依据');
    await explanation.locator('.act-explain-confirm').click();
    await explanation.locator('.what-if .next-change').waitFor();
    expect(await explanation.locator('.what-if .flip').allInnerTexts()).toContainEqual(
      expect.stringMatching(/^若 本市户籍 是 → 否，结果将为 不符合$/),
    );
    expect(await explanation.locator('.what-if .next-change').innerText()).toMatch(
      /^\d{4}-\d{2}-\d{2} 起结果将变为 不符合$/,
    );
    expect(await explanation.locator('.explain-logged').innerText()).toContain('核实育儿补贴发放依据');

    // The reveal needs a reason; it is logged and appears in the timeline.
    await page.locator('.act-unmask').click();
    await page.locator('.act-unmask-confirm').click();
    await expect.poll(() => page.locator('.unmask .flash-bad').innerText()).toContain('请说明查看完整身份标识的理由');
    const reason = '群众来电反映未收到育儿补贴，核实身份';
    await page.locator('.unmask-reason').fill(reason);
    await page.locator('.act-unmask-confirm').click();
    await expect.poll(() => page.locator('.revealed-id').innerText()).toBe(env.child.id);
    await expect.poll(() => entry('unmask').count()).toBe(1);
    expect(await entry('unmask').innerText()).toContain(`周督查查看了完整身份标识，理由：${reason}`);
    expect(await entry('explanation').innerText()).toContain(
      '周督查查看了 childcare-subsidy 的判定数据依据，理由：核实育儿补贴发放依据',
    );
    await screenshot(page, 'case-unmasked');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('the supervisor’s console on a phone', () => {
  it('finds a case and reads its timeline and explanation at 390 px, nothing scrolling sideways', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, env.tokens.supervisor, '周督查', '督查人员');
    await page.locator('#case-subject').fill(env.child.id);
    await page.locator('.case-search-reason').fill('核对群众反映的情况');
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.locator(`tr.case-row[data-case="${env.birthCase}"]`);
    await row.waitFor();
    await expectFitsScreen(page, ['.case-search', 'tr.case-row']);
    await row.getByRole('link').click();
    await page.locator('.tl-entry[data-kind="decision"]').first().waitFor();
    await page.locator('.explanation[data-policy="childcare-subsidy"]').waitFor();
    await expectFitsScreen(page, [
      '.tl-entry[data-kind="decision"]',
      '.explanation[data-policy="childcare-subsidy"]',
      'a.temporal-link',
    ]);
    await screenshot(page, 'case-timeline-phone');
    await context.close();
  });
});

describe('the inspector’s console', () => {
  it('lists the cases of the inspections assigned to the inspector, and only those', async () => {
    const assign = await fetch(`${url}/cases/${encodeURIComponent(env.reviewCase)}/inspector`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.tokens.supervisor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inspectorId: env.users.inspector }),
    });
    expect(assign.status).toBe(200);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    await signIn(page, env.tokens.inspector, '陈核查', '核查人员');
    expect(await page.locator('.top-nav a').allInnerTexts()).toEqual(['核查任务', '待办任务', '免提交证明']);
    await page.locator('tr.case-row').first().waitFor();
    expect(
      await page.locator('tr.case-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-case'))),
    ).toEqual([env.reviewCase]);
    expect(await page.locator('#case-subject').count()).toBe(0);
    await page.locator('tr.case-row a').click();
    await page.locator('.tl-entry[data-kind="inspection.assigned"]').waitFor();
    expect(await page.locator('.act-unmask').count()).toBe(0);
    await screenshot(page, 'inspector-case');
    await context.close();
  });
});

describe('the citizen’s page on a phone', () => {
  it('shows the inbox and benefit at 390 px and confirms an offer, which becomes a benefit', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await signIn(page, seniorToken, '张秀英', '群众');
    await page.locator('.me-who h2').waitFor();
    expect(await page.locator('.brand strong').innerText()).toBe('免申即享');
    expect(await page.locator('.me-who').innerText()).toContain(maskResidentId(senior.id));
    const offer = page.locator('.me-offers .offer');
    await offer.waitFor();
    expect(await offer.innerText()).toContain('老年人优待证');
    await page.locator('.me-benefits .benefit[data-policy="disability-living-subsidy"]').waitFor();
    expect(await page.locator('.me-benefits').innerText()).toContain('困难残疾人生活补贴');
    await expect.poll(() => page.locator('.me-inbox .notice-item').count()).toBeGreaterThanOrEqual(2);
    await page.locator('.me-access .access-item').first().waitFor();
    expect(await page.locator('.me-access').innerText()).toContain('市公安局');
    await expectFitsScreen(page, []);
    expect(await page.content()).not.toContain(senior.id);
    await screenshot(page, 'citizen-phone');

    const grantsBefore = await env.pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey });
    await offer.locator('.act-confirm').click();
    await page.locator('.me-offers .none').waitFor();
    await page.locator('.me-benefits .benefit[data-policy="senior-preferential-card"]').waitFor();
    expect(await page.locator('.me-benefits .benefit[data-policy="senior-preferential-card"]').innerText()).toContain(
      '一键确认',
    );
    expect(await env.pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(grantsBefore + 1);
    // The workflow's notice of the confirmation arrives in the inbox shortly after.
    await page.locator('.me-inbox .notice-item[data-template="offer.confirmed"]').waitFor({ timeout: 15_000 });

    // An objection to the disability subsidy's decision, filed from the phone, is listed as filed.
    const choice = await page
      .locator('.objection-policy option', { hasText: '困难残疾人生活补贴' })
      .getAttribute('value');
    await page.locator('.objection-policy').selectOption(choice!);
    await page.locator('.objection-kind').selectOption('data');
    await page.locator('.objection-fact').selectOption('person.disabilityGrade');
    await page.locator('.objection-claimed').fill('1');
    await page.locator('.objection-statement').fill('残疾等级登记有误，应为一级');
    await page.locator('.act-object').click();
    await expect.poll(() => page.locator('.me-objection .flash').innerText()).toBe('异议已提交，请留意消息。');
    expect(await page.locator('.objection-item').first().innerText()).toContain('残疾等级登记有误');
    await expectFitsScreen(page, []);
    await screenshot(page, 'citizen-phone-confirmed');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
