/**
 * The payroll (按月发放) in the console end to end, in Debian's Chromium, on the real stack (a
 * worker on the dev server runs the payroll workflow): three residents hold the old-age allowance;
 * an officer starts September's payroll from the console and follows it to its preview, whose
 * figures are the batch's; the same person, signed in as a reviewer, reads the API's four-eyes
 * refusal; another reviewer releases it, and the list shows it released with its total. October
 * pays the 90-year-old the higher amount, ends the resident who moved away and is released; a death
 * registered afterwards turns October's payment into a recovery. The programme charts show both
 * months; the citizens, at phone width, see their payments in yuan to the fen, the stop with its
 * reason and the recovery due. Screenshots go to test-output/console/ and are checked.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPayrollService } from '../services/payroll/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { issueSession } from '../store/sessions.js';
import { payrollWorkflowId, stopPaymentsWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, updateFacts, type TestSubject } from './support/city.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { grantPeriod } from './support/payroll-city.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';
import { apiCaller } from './support/api-call.js';

const stack = inject('stack');
const FACTS = { 'person.localHukou': true, 'person.alive': true };
const SEPTEMBER = payrollWorkflowId('old-age-allowance', '2026-09');
const OCTOBER = payrollWorkflowId('old-age-allowance', '2026-10');

let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
/** 90 in September 2026: 100 CNY a month through September, 200 from October. */
let nonagenarian: TestSubject;
/** Moves away before October's payroll: ended by its re-check. */
let mover: TestSubject;
/** Granted for July, unpaid in August: new in September; dies in September after October was paid. */
let late: TestSubject;
const tokens: Record<'officer' | 'officerAsReviewer' | 'reviewer' | 'supervisor' | 'senior' | 'family', string> = {
  officer: '',
  officerAsReviewer: '',
  reviewer: '',
  supervisor: '',
  senior: '',
  family: '',
};

interface Batch {
  id: string;
  status: string;
  totalFen: number;
  counts: { lines: number; new: number; amountChanged: number; ended: number; suspended: number; removed: number };
}

/** The grant of a period, as a case records it (which opens, or opens again, the entitlement). */
const grant = (subject: TestSubject, birthDate: string, period: string) =>
  grantPeriod(running.pipeline, subject, birthDate, period);

const call = apiCaller(() => api);

const batchPath = (id: string) => `/payroll/batches/${encodeURIComponent(id)}`;
const batch = (id: string) => call<Batch>('GET', batchPath(id), tokens.reviewer);

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'consolepayroll', { policies: 'store', notices: false });
  const store = running.pipeline.store;
  nonagenarian = await addResident(store, '1936-09-15', FACTS);
  mover = await addResident(store, '1942-06-20', FACTS);
  late = await addResident(store, '1940-03-03', FACTS);
  await grant(nonagenarian, '1936-09-15', '2026-08');
  await grant(mover, '1942-06-20', '2026-08');
  await grant(late, '1940-03-03', '2026-07');

  const officer = await testUser(store, '王芳', 'officer', { roles: ['officer', 'reviewer'] });
  tokens.officer = officer.token;
  // The same person, signed in with their other role: four eyes compare user IDs, not roles.
  tokens.officerAsReviewer = (
    await issueSession(store, { userId: officer.id, role: 'reviewer', kind: 'machine', via: 'test' })
  ).token;
  tokens.reviewer = (await testUser(store, '李明', 'reviewer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  tokens.senior = (await testUser(store, '陈桂兰', 'citizen', { subjectKey: nonagenarian.subjectKey })).token;
  tokens.family = (await testUser(store, '刘建国', 'citizen', { subjectKey: late.subjectKey })).token;

  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    payroll: createPayrollService({ store, temporal: running.client, taskQueue: running.pipeline.taskQueue }),
    citizen: createCitizenService({ store, temporal: running.client }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await running?.close();
});

async function desktop(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

const screenshot = (page: Page, name: string) => checkedScreenshot(page, name);
/** A chart's row labels as drawn (each label's tooltip, its full text, left out). */
const labelsOf = (labels: Element[]) => labels.map((label) => label.lastChild?.textContent ?? '');
const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const yuan = (fen: number) =>
  `${fen < 0 ? '-' : ''}¥${Math.floor(Math.abs(fen) / 100).toLocaleString('en')}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

/** The figures a batch page shows, read off the page. */
async function shownFigures(page: Page) {
  const stat = (name: string) => text(page, `.batch-stats .stat-${name} strong`);
  return {
    lines: await stat('lines'),
    total: await stat('total'),
    new: await stat('new'),
    ended: await stat('ended'),
    amountChanged: await stat('amountChanged'),
    suspended: await stat('suspended'),
    removed: await stat('removed'),
  };
}
const figuresOf = (b: Batch) => ({
  lines: String(b.counts.lines),
  total: yuan(b.totalFen),
  new: String(b.counts.new),
  ended: String(b.counts.ended),
  amountChanged: String(b.counts.amountChanged),
  suspended: String(b.counts.suspended),
  removed: String(b.counts.removed),
});

describe('the payroll in the console', () => {
  it('an officer starts a payroll and reads its preview; whoever started it may not release it; another reviewer does', async () => {
    const { context, page, errors } = await desktop();
    await signInAs(page, url, tokens.officer, '王芳', '政策经办人');
    await page.locator('.nav-payroll').click();
    await expect.poll(() => text(page, '.payroll-none')).toBe('暂无发放批次。');
    // Only the recurring policies, the allowance among them, monthly.
    const options = page.locator('.payroll-start-policy option');
    await expect.poll(() => options.allInnerTexts()).toContain('高龄津贴 · 按月');
    expect((await options.allInnerTexts()).every((option) => /· 按(月|年)$/.test(option))).toBe(true);
    await page.locator('.payroll-start-policy').selectOption('old-age-allowance');
    await page.locator('.payroll-start-period').fill('2026-09');
    await screenshot(page, 'payroll-start');
    await page.locator('.act-start-payroll').click();

    // Followed until the preview is up; then the page's figures are the batch's.
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe(`#/payroll/${SEPTEMBER}`);
    await expect.poll(() => text(page, '.batch .batch-status'), { timeout: 60_000 }).toBe('待放款');
    const preview = await batch(SEPTEMBER);
    // All three paid 100 CNY; the one granted for July, unpaid in August, is new.
    expect(preview).toMatchObject({
      status: 'preview',
      totalFen: 30_000,
      counts: { lines: 3, new: 1, amountChanged: 0, ended: 0, suspended: 0, removed: 0 },
    });
    expect(await shownFigures(page)).toEqual(figuresOf(preview));
    expect(await text(page, '.batch-stats .stat-total strong')).toBe('¥300.00');
    expect(await text(page, '.batch-head h2')).toContain('高龄津贴');
    expect(await text(page, '.batch-meta')).toContain('由您发起');
    // The changes chart draws each change with its number.
    const changes = page.locator('.chart-changes');
    expect(await changes.locator('.chart-label').evaluateAll(labelsOf)).toEqual([
      '新增',
      '停发',
      '金额变化',
      '暂停',
      '放款前剔除',
    ]);
    expect(await changes.locator('.chart-value').allTextContents()).toEqual(['1', '0', '0', '0', '0']);
    // An officer previews; a reviewer releases: no button here.
    expect(await page.locator('.act-release').count()).toBe(0);
    expect(await text(page, '.payroll-reviewer-releases')).toBe('待审核人（发起人以外）核对后放款。');
    await screenshot(page, 'payroll-preview-officer');

    // The same person as a reviewer: the button, the warning, and the API's own refusal when pressed.
    await page.locator('.sign-out').click();
    await signInAs(page, url, tokens.officerAsReviewer, '王芳', '审核人');
    await page.goto(`${url}/console#/payroll/${encodeURIComponent(SEPTEMBER)}`);
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('待放款');
    expect(await text(page, '.payroll-own-batch')).toBe('此批次由您发起，须由另一位审核人放款。');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('.act-release').click();
    await expect
      .poll(() => text(page, '.release-refused.refused-FOUR_EYES'))
      .toBe('该发放由 王芳 发起，须由另一位审核人放款 (FOUR_EYES)');
    expect((await batch(SEPTEMBER)).status).toBe('preview');
    await screenshot(page, 'payroll-four-eyes');

    // Another reviewer releases it, after confirming the sum.
    await page.locator('.sign-out').click();
    await signInAs(page, url, tokens.reviewer, '李明', '审核人');
    await page.goto(`${url}/console#/payroll/${encodeURIComponent(SEPTEMBER)}`);
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('待放款');
    expect(await page.locator('.payroll-own-batch').count()).toBe(0);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.locator('.act-release').click();
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('已放款');
    expect(asked).toBe('确认放款 ¥300.00（3 笔）？放款后不可撤回。');
    expect(await text(page, '.batch .flash .flash-ok')).toBe('已放款。');
    const released = await batch(SEPTEMBER);
    expect(released.status).toBe('released');
    expect(await shownFigures(page)).toEqual(figuresOf(released));
    expect(await page.locator('.act-release').count()).toBe(0);
    await screenshot(page, 'payroll-released');

    // The list: released, with its total and lines.
    await page.locator('.batch .back').click();
    const row = page.locator(`tr.batch-row[data-batch="${SEPTEMBER}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('released');
    expect(await row.locator('.batch-status').innerText()).toBe('已放款');
    expect(await row.locator('.batch-total').innerText()).toBe(yuan(released.totalFen));
    expect(await row.locator('.batch-lines').innerText()).toBe(String(released.counts.lines));
    // Reviewers start nothing.
    expect(await page.locator('.payroll-start').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('October pays the higher amount and ends the move-out; the list and programme charts show both months', async () => {
    await updateFacts(running.pipeline.store, mover, { 'person.localHukou': false });
    const started = await call<{ id: string }>('POST', '/payroll/batches', tokens.officer, {
      policyId: 'old-age-allowance',
      period: '2026-10',
    });
    expect(started.id).toBe(OCTOBER);
    await expect.poll(async () => (await batch(OCTOBER)).status, { timeout: 60_000 }).toBe('preview');
    const october = await call<Batch>('POST', `${batchPath(OCTOBER)}/release`, tokens.reviewer);
    // 200 for the nonagenarian (amount changed), 100 for the late grant; the mover ended.
    expect(october).toMatchObject({
      status: 'released',
      totalFen: 30_000,
      counts: { lines: 2, new: 0, amountChanged: 1, ended: 1, suspended: 0, removed: 0 },
    });
    const september = await batch(SEPTEMBER);

    const { context, page, errors } = await desktop();
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.locator('.nav-payroll').click();
    const rows = page.locator('tr.batch-row');
    await expect.poll(() => rows.count()).toBe(2);
    // Newest period first, each with its figures.
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-batch')))).toEqual([
      OCTOBER,
      SEPTEMBER,
    ]);
    for (const b of [october, september]) {
      const row = page.locator(`tr.batch-row[data-batch="${b.id}"]`);
      expect(await row.locator('.batch-total').innerText()).toBe(yuan(b.totalFen));
      expect(await row.locator('.batch-lines').innerText()).toBe(String(b.counts.lines));
    }
    expect(await page.locator(`tr.batch-row[data-batch="${OCTOBER}"] .batch-changes`).innerText()).toBe(
      '新增 0 · 停发 1 · 金额变化 1 · 暂停 0',
    );
    // The programme: amount and lines per period, oldest first.
    const amounts = page.locator('.programme[data-policy="old-age-allowance"] .chart-programme-amount');
    expect(await amounts.locator('.chart-label').evaluateAll(labelsOf)).toEqual(['2026-09', '2026-10']);
    expect(await amounts.locator('.chart-value').allTextContents()).toEqual(['¥300.00 · 3 笔', '¥300.00 · 2 笔']);
    const lines = page.locator('.programme[data-policy="old-age-allowance"] .chart-programme-lines');
    expect(await lines.locator('.chart-value').allTextContents()).toEqual(['3', '2']);
    // A supervisor reads; starting is an officer's.
    expect(await page.locator('.payroll-start').count()).toBe(0);
    // Filtered by a policy with no batches: none.
    await page.locator('.payroll-filter-policy').selectOption('childcare-subsidy');
    await expect.poll(() => text(page, '.payroll-none')).toBe('暂无发放批次。');
    await page.locator('.payroll-filter-policy').selectOption('old-age-allowance');
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(page, 'payroll-list');

    // A payroll just started has no batch yet (404): its page says it is starting and keeps looking.
    await page.goto(`${url}/console#/payroll/${encodeURIComponent(payrollWorkflowId('old-age-allowance', '2026-11'))}`);
    await expect.poll(() => text(page, '.batch .payroll-progress .bar-text')).toMatch(/^正在启动发放…（\d+ s）$/);
    expect(await page.locator('.batch .payroll-progress [role="progressbar"]').count()).toBe(1);
    await screenshot(page, 'payroll-starting');
    await page.goto(`${url}/console#/payroll`);
    await page.locator(`tr.batch-row[data-batch="${OCTOBER}"] .batch-policy`).click();
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('已放款');
    expect(await shownFigures(page)).toEqual(figuresOf(october));
    expect(await page.locator('.batch .actions button').count()).toBe(0);
    await screenshot(page, 'payroll-october');
    // The same page in English.
    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('Released');
    expect(await text(page, '.batch-stats .stat-amountChanged span')).toBe('Amount changed');
    expect(await text(page, '.batch-stats .stat-total strong')).toBe(yuan(october.totalFen));
    await screenshot(page, 'payroll-october-en');
    await page.locator('.lang-switch').click();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('citizens see their payments in yuan, a stop with its reason and a recovery due, on a phone', async () => {
    // A death in September, accepted after October was paid: October is recovered.
    const accepted = await running.ingest({
      sourceEventId: `psb-${randomUUID()}`,
      source: 'household-registry',
      type: 'death.registered',
      occurredOn: '2026-09-20',
      subject: { residentId: late.id },
      payload: {},
    });
    await running.client.workflow.getHandle(stopPaymentsWorkflowId(accepted.caseId)).result();

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, tokens.senior, '陈桂兰');
    const mine = page.locator('.me-payments [data-policy="old-age-allowance"]');
    await expect.poll(() => mine.locator('tr.payment-row').count()).toBe(2);
    const rowOf = (period: string, kind = 'payment') =>
      mine.locator(`tr.payment-row[data-period="${period}"][data-kind="${kind}"]`);
    expect(await rowOf('2026-10').locator('.payment-amount').innerText()).toBe('¥200.00');
    expect(await rowOf('2026-09').locator('.payment-amount').innerText()).toBe('¥100.00');
    expect(await rowOf('2026-10').locator('.payment-status-paid').innerText()).toBe('已发放');
    expect(await text(page, '.me-payments .entitlement-line')).toContain('发放中');
    const chart = mine.locator('.chart-my-payments');
    expect(await chart.locator('.chart-label').evaluateAll(labelsOf)).toEqual(['2026-09', '2026-10']);
    expect(await chart.locator('.chart-value').allTextContents()).toEqual(['¥100.00', '¥200.00']);
    await page.locator('.me-payments').scrollIntoViewIfNeeded();
    await expectFitsScreen(page, ['.me-payments', '.me-payments .payments-table', '.me-payments .chart-box']);
    await screenshot(page, 'payroll-citizen');

    await page.locator('.sign-out').click();
    await signInAs(page, url, tokens.family, '刘建国');
    const theirs = page.locator('.me-payments [data-policy="old-age-allowance"]');
    await expect.poll(() => theirs.locator('tr.payment-row').count()).toBe(3);
    const recovery = theirs.locator('tr.payment-row[data-kind="recovery"]');
    expect(await recovery.getAttribute('data-period')).toBe('2026-10');
    expect(await recovery.locator('.payment-amount').innerText()).toBe('-¥100.00');
    expect(await recovery.locator('.payment-status-recovery-due').innerText()).toBe('待退回');
    // Highlighted: the row is drawn in the refusal colour.
    expect(
      await recovery
        .locator('td')
        .first()
        .evaluate((cell) => getComputedStyle(cell).backgroundColor),
    ).not.toBe('rgba(0, 0, 0, 0)');
    expect(await text(page, '.me-payments .recovery-due-notice')).toContain('¥100.00');
    const stop = theirs.locator('.entitlement-stop');
    expect(await stop.innerText()).toContain('自 2026-10 起停止发放');
    expect(await stop.locator('.stop-reason').innerText()).toMatch(/死亡/);
    const values = await theirs.locator('.chart-my-payments .chart-value').allTextContents();
    expect(values).toEqual(['¥100.00', '¥100.00', '-¥100.00']);
    await expectFitsScreen(page, ['.me-payments', '.me-payments .payments-table']);
    await page.locator('.me-payments').scrollIntoViewIfNeeded();
    await screenshot(page, 'payroll-citizen-recovery');
    expect(errors).toEqual([]);
    await context.close();
  });
});
