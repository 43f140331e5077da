/**
 * The ledger (台账) in the console end to end, in Debian's Chromium, on the real stack (a worker on
 * the dev server runs the payrolls and the stops): two residents hold the old-age allowance from
 * August. September is paid to both; one moves away (September is owed back), returns and is
 * granted October; October is paid; the other's death in September, accepted after, owes October
 * back — with the entitlement ended, on the collection list. November withholds the returner's
 * September from their 200 CNY. The supervisor reads the ledger — every figure on the page the
 * API's — with each batch checked, and a batch tampered with after release marked; the batch page
 * shows what November withheld; a reviewer reads the collection list and its CSV, with no form to
 * record; the officer records the receipts in yuan (a third decimal and more than is owed refused)
 * and the list follows; the returner, on a phone, sees the part withheld and their balance.
 * Screenshots go to test-output/console/ledger-*.png and are checked. The months are 2025's: a
 * payroll's workflow ID is its policy and period, and the payroll's e2e test pays 2026's on the
 * same dev server.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { ledgerRef } from '../domain/ledger.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createLedgerService } from '../services/ledger/service.js';
import { createPayrollService } from '../services/payroll/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { registerPayrollModels } from '../store/payroll.js';
import { payrollWorkflowId, stopPaymentsWorkflowId } from '../workflows/contracts/index.js';
import type { CollectionView, ProgrammeLedgerView, LedgerSums } from '../console/src/ledger-view.js';
import type { MyPayments } from '../console/src/payments-view.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, type TestSubject } from './support/city.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { pollUntil } from './support/poll.js';
import { grantPeriod } from './support/payroll-city.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';
import { apiCaller } from './support/api-call.js';

const stack = inject('stack');
const FACTS = { 'person.localHukou': true, 'person.alive': true };
const POLICY = 'old-age-allowance';
const OCTOBER = payrollWorkflowId(POLICY, '2025-10');
const NOVEMBER = payrollWorkflowId(POLICY, '2025-11');

let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
/** 90 on 2025-09-15: 100 CNY through September, 200 from October. Moves away and comes back. */
let returner: TestSubject;
/** Dies in September; October, paid before the death was accepted, is owed back. */
let deceased: TestSubject;
let ref: string;
const tokens: Record<'officer' | 'reviewer' | 'supervisor' | 'returner', string> = {
  officer: '',
  reviewer: '',
  supervisor: '',
  returner: '',
};

interface Batch {
  id: string;
  status: string;
  totalFen: number;
  withheldFen?: number;
  counts: { lines: number; netted?: number };
}

/** The grant of a period, as a case records it (which opens, or opens again, the entitlement). */
const grant = (subject: TestSubject, birthDate: string, period: string) =>
  grantPeriod(running.pipeline, subject, birthDate, period);

const call = apiCaller(() => api);

const batchPath = (id: string) => `/payroll/batches/${encodeURIComponent(id)}`;
const batch = (id: string) => call<Batch>('GET', batchPath(id), tokens.reviewer);

/** A month's payroll started by the officer, followed to its preview and released by the reviewer. */
async function payMonth(period: string): Promise<Batch> {
  const { id } = await call<{ id: string }>('POST', '/payroll/batches', tokens.officer, { policyId: POLICY, period });
  await pollUntil(
    `${id} in preview`,
    async () => (await batch(id)).status,
    (status) => status === 'preview',
    { timeout: 60_000 },
  );
  return call<Batch>('POST', `${batchPath(id)}/release`, tokens.reviewer);
}

/** A registry's event about a resident; a death or move-out is followed until its stop has run. */
async function lifeEvent(subject: TestSubject, type: string, occurredOn: string): Promise<void> {
  const accepted = await running.ingest({
    sourceEventId: `psb-${randomUUID()}`,
    source: 'household-registry',
    type,
    occurredOn,
    subject: { residentId: subject.id },
    payload: {},
  });
  if (type !== 'hukou.moved-in')
    await running.client.workflow.getHandle(stopPaymentsWorkflowId(accepted.caseId)).result();
}

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'consoleledger', { policies: 'store', notices: false });
  const store = running.pipeline.store;
  returner = await addResident(store, '1935-09-15', FACTS);
  deceased = await addResident(store, '1939-03-03', FACTS);
  await grant(returner, '1935-09-15', '2025-08');
  await grant(deceased, '1939-03-03', '2025-08');
  ref = ledgerRef(POLICY, deceased.subjectKey);

  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.reviewer = (await testUser(store, '李明', 'reviewer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  tokens.returner = (await testUser(store, '陈桂兰', 'citizen', { subjectKey: returner.subjectKey })).token;

  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    payroll: createPayrollService({ store, temporal: running.client, taskQueue: running.pipeline.taskQueue }),
    ledger: createLedgerService({ store, policies: running.pipeline.policies }),
    citizen: createCitizenService({ store, temporal: running.client }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);

  // September paid to both; the returner moved away in August (September owed back) and came back.
  await payMonth('2025-09');
  await lifeEvent(returner, 'hukou.moved-out', '2025-08-20');
  await lifeEvent(returner, 'hukou.moved-in', '2025-09-05');
  await grant(returner, '1935-09-15', '2025-10');
  // October: the returner's was granted; the other is paid, then their September death is accepted.
  expect(await payMonth('2025-10')).toMatchObject({ totalFen: 10_000, counts: { lines: 1 } });
  await lifeEvent(deceased, 'death.registered', '2025-09-20');
  // November: the returner's 200 CNY less the 100 CNY of September they owe back.
  expect(await payMonth('2025-11')).toMatchObject({
    totalFen: 10_000,
    withheldFen: 10_000,
    counts: { lines: 1, netted: 1 },
  });
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
    acceptDownloads: true,
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

const MONEY: Array<keyof LedgerSums> = ['grossFen', 'recoveryFen', 'recoveredFen', 'paidFen', 'owedFen', 'netFen'];
/** A programme row (or the totals) as the page shows it: each figure read off its cell. */
async function shownSums(row: ReturnType<Page['locator']>) {
  const cell = (field: string) => row.locator(`.ledger-${field}`).first().innerText();
  return {
    lines: await cell('lines'),
    rejectedFen:
      (await row
        .locator('.ledger-rejectedFen')
        .first()
        .evaluate((td) => td.firstChild?.textContent)) ?? '',
    ...Object.fromEntries(await Promise.all(MONEY.map(async (field) => [field, await cell(field)]))),
  };
}
/** The same figures from the API's answer, as the page should write them. */
const sumsOf = (sums: LedgerSums) => ({
  lines: String(sums.lines),
  rejectedFen: yuan(sums.rejectedFen),
  ...Object.fromEntries(MONEY.map((field) => [field, yuan(sums[field])])),
});

describe('the ledger in the console', () => {
  it('the supervisor reads the ledger, every figure the API’s, each batch checked, one tampered with marked; the batch page shows what was withheld', async () => {
    const ledger = await call<ProgrammeLedgerView>('GET', `/ledger/programme?policyId=${POLICY}`, tokens.supervisor);
    expect(ledger.rows.map((row) => row.period)).toEqual(['2025-08', '2025-09', '2025-10', '2025-11']);
    // November: the returner's whole 200 paid, 100 of it withheld; October's and September's recoveries raised.
    expect(ledger.rows.find((row) => row.period === '2025-11')).toMatchObject({
      lines: 1,
      grossFen: 20_000,
      recoveredFen: 10_000,
      paidFen: 10_000,
    });
    expect(ledger.totals).toMatchObject({ recoveryFen: 20_000, recoveredFen: 10_000, owedFen: 10_000 });
    expect(ledger.batches.map((b) => [b.period, b.balanced])).toEqual([
      ['2025-09', true],
      ['2025-10', true],
      ['2025-11', true],
    ]);

    const { context, page, errors } = await desktop();
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.locator('.nav-ledger').click();
    const rows = page.locator('tr.ledger-row');
    await expect.poll(() => rows.count()).toBe(4);
    for (const row of ledger.rows) {
      const shown = page.locator(`tr.ledger-row[data-policy="${row.policyId}"][data-period="${row.period}"]`);
      expect(await shownSums(shown), row.period).toEqual(sumsOf(row));
      expect(await shown.locator('.ledger-policy').innerText()).toBe('高龄津贴');
    }
    expect(await shownSums(page.locator('tr.ledger-totals'))).toEqual(sumsOf(ledger.totals));
    // The charts: per period, what reached citizens, what was raised and what was taken back.
    const amounts = page.locator(`.ledger-programme[data-policy="${POLICY}"] .chart-ledger-amounts`);
    expect(await amounts.locator('.chart-label').evaluateAll(labelsOf)).toEqual([
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
    ]);
    expect(await amounts.locator('.chart-value').allTextContents()).toEqual(
      ledger.rows.flatMap((row) =>
        [row.paidFen, row.recoveryFen, row.recoveredFen, row.rejectedFen]
          .filter((fen, i) => i === 0 || fen !== 0)
          .map(yuan),
      ),
    );
    expect(await amounts.locator('figcaption .legend').allInnerTexts()).toEqual(['实际到账', '应追回', '已追回']);
    const lines = page.locator(`.ledger-programme[data-policy="${POLICY}"] .chart-ledger-lines`);
    expect(await lines.locator('.chart-value').allTextContents()).toEqual(ledger.rows.map((row) => String(row.lines)));
    // Every released batch against the ledger.
    const checks = page.locator('tr.ledger-batch-row');
    expect(await checks.count()).toBe(3);
    for (const b of ledger.batches) {
      const check = page.locator(`tr.ledger-batch-row[data-batch="${b.id}"]`);
      expect(await check.locator('.ledger-batch-total').innerText()).toBe(yuan(b.totalFen));
      expect(await check.locator('.ledger-batch-ledger').innerText()).toBe(yuan(b.ledgerFen));
      expect(await check.locator('.ledger-batch-mark').innerText()).toBe('✓ 相符');
    }
    expect(await text(page, '.ledger-check-summary')).toBe('3 个已放款批次均与台账相符。');
    await screenshot(page, 'ledger-programme');

    // A period range: October and November, their totals the API's for the same range.
    const range = await call<ProgrammeLedgerView>(
      'GET',
      `/ledger/programme?policyId=${POLICY}&from=2025-10&to=2025-11`,
      tokens.supervisor,
    );
    await page.locator('.ledger-filter-policy').selectOption(POLICY);
    await page.locator('.ledger-from').fill('2025-10');
    await page.locator('.ledger-to').fill('2025-11');
    await page.locator('.act-ledger-show').click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await shownSums(page.locator('tr.ledger-totals'))).toEqual(sumsOf(range.totals));
    expect(await checks.count()).toBe(2);
    // A month that does not exist: the API's refusal, naming the field.
    await page.locator('.ledger-from').fill('2025-13');
    await page.locator('.act-ledger-show').click();
    await expect
      .poll(() => text(page, '.ledger-refused'))
      .toBe('from：须为月份（YYYY-MM）或年份（YYYY） (INVALID_INPUT)');
    expect(await page.locator('.ledger-from').getAttribute('aria-invalid')).toBe('true');

    // October's batch altered after its release: its check is marked, with the difference.
    const { PaymentBatch } = registerPayrollModels(running.pipeline.store);
    await PaymentBatch.updateOne({ _id: OCTOBER }, { $inc: { totalFen: 1 } });
    try {
      await page.locator('.ledger-from').fill('');
      await page.locator('.ledger-to').fill('');
      await page.locator('.act-ledger-show').click();
      const october = page.locator(`tr.ledger-batch-row[data-batch="${OCTOBER}"]`);
      await expect.poll(() => october.getAttribute('data-balanced')).toBe('false');
      expect(await october.locator('.ledger-batch-mark').innerText()).toBe('✗ 不符：相差 ¥0.01');
      expect(await text(page, '.ledger-check-summary')).toBe('3 个已放款批次中有 1 个与台账不符，请核查！');
      expect(
        await october
          .locator('td')
          .first()
          .evaluate((cell) => getComputedStyle(cell).backgroundColor),
      ).not.toBe('rgba(0, 0, 0, 0)');
      const checked = await call<ProgrammeLedgerView>('GET', '/ledger/programme', tokens.supervisor);
      expect(checked.batches.find((b) => b.id === OCTOBER)).toMatchObject({ balanced: false });
      await page.locator('.ledger-check').scrollIntoViewIfNeeded();
      await screenshot(page, 'ledger-unbalanced');
    } finally {
      await PaymentBatch.updateOne({ _id: OCTOBER }, { $inc: { totalFen: -1 } });
    }

    // The same page in English.
    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.ledger-check-summary')).toBe('All 3 released batches agree with the ledger.');
    expect(await text(page, '.ledger-table thead')).toContain('Still owed');
    await screenshot(page, 'ledger-programme-en');
    await page.locator('.lang-switch').click();

    // November's batch: what it withheld, and from how many lines.
    const november = await batch(NOVEMBER);
    await page.locator(`tr.ledger-batch-row[data-batch="${NOVEMBER}"] a`).click();
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('已放款');
    expect(await text(page, '.batch-stats .stat-total strong')).toBe(yuan(november.totalFen));
    expect(await text(page, '.batch-stats .stat-withheld strong')).toBe(yuan(november.withheldFen!));
    expect(await text(page, '.batch-stats .stat-netted strong')).toBe(String(november.counts.netted));
    expect(await text(page, '.batch-withheld-note')).toBe(
      '其中 1 笔从本期发放中抵扣了此前多发的款项，共 ¥100.00；发放总额为银行实际转账的金额。',
    );
    await screenshot(page, 'ledger-batch-withheld');
    // October withheld nothing: no such figures.
    await page.goto(`${url}/console#/payroll/${encodeURIComponent(OCTOBER)}`);
    await expect.poll(() => text(page, '.batch .batch-status')).toBe('已放款');
    expect(await page.locator('.batch-stats .stat-withheld').count()).toBe(0);
    expect(await page.locator('.batch-withheld-note').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a reviewer reads the collection list and downloads its CSV, with no form to record a receipt', async () => {
    const list = await call<CollectionView[]>('GET', `/ledger/collections?policyId=${POLICY}`, tokens.reviewer);
    // The deceased's October: nothing left to withhold from. The returner's September was withheld.
    expect(list).toEqual([{ ref, policyId: POLICY, owedFen: 10_000, since: '2025-10', because: 'entitlement-ended' }]);

    const { context, page, errors } = await desktop();
    await signInAs(page, url, tokens.reviewer, '李明', '审核人');
    await page.locator('.nav-ledger').click();
    await page.locator('.ledger-tab-collections').click();
    const row = page.locator(`tr.collection-row[data-ref="${ref}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.locator('tr.collection-row').count()).toBe(list.length);
    expect(await row.locator('.collection-owed').innerText()).toBe('¥100.00');
    expect(await row.locator('.collection-since').innerText()).toBe('2025-10');
    expect(await row.locator('.collection-policy').innerText()).toBe('高龄津贴');
    expect(await row.locator('.collection-because').innerText()).toBe('待遇已终止，无后续发放可抵扣');
    expect(await page.locator('.collect-form').count()).toBe(0);
    expect(await page.locator('.collections-table thead th').allInnerTexts()).not.toContain('登记缴款');
    // The finance bureau's CSV, with the reference and the amount in yuan, and nobody's identity.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.collections-csv').click()]);
    expect(download.suggestedFilename()).toBe('collections.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain(`"${ref}","${POLICY}","100.00","2025-10","entitlement-ended"`);
    expect(csv).not.toContain(deceased.subjectKey);
    expect(csv).not.toContain(deceased.id);
    await screenshot(page, 'ledger-collections-reviewer');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the officer records the receipts in yuan — a third decimal and more than is owed refused — and the list follows', async () => {
    const { context, page, errors } = await desktop();
    await signInAs(page, url, tokens.officer, '王芳', '政策经办人');
    await page.locator('.nav-ledger').click();
    await page.locator('.ledger-tab-collections').click();
    const row = page.locator(`tr.collection-row[data-ref="${ref}"]`);
    await expect.poll(() => row.locator('.collection-owed').innerText()).toBe('¥100.00');
    const amount = row.locator('.collect-amount');
    const reference = row.locator('.collect-reference');
    const accept = () => page.once('dialog', (dialog) => void dialog.accept());

    // A third decimal is said at once, and never sent.
    await amount.fill('60.005');
    expect(await row.locator('.collect-problem').innerText()).toBe('金额最多两位小数（精确到分），请核对');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    await reference.fill('RCPT-1');
    await row.locator('.act-collect').click();
    expect(await row.locator('.collect-problem').innerText()).toBe('金额最多两位小数（精确到分），请核对');
    // More than is owed: the API's refusal, on the amount.
    await amount.fill('200');
    accept();
    await row.locator('.act-collect').click();
    await expect
      .poll(() => row.locator('.collect-problem').innerText())
      .toBe('amountFen：¥200.00（20000 分）超过应追回的 ¥100.00 (INVALID_INPUT)');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'ledger-collections-refused');
    expect((await call<CollectionView[]>('GET', '/ledger/collections', tokens.officer))[0].owedFen).toBe(10_000);

    // 60 yuan received: recorded as 6000 fen; 40 yuan still owed.
    await amount.fill('60');
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await row.locator('.act-collect').click();
    await expect.poll(() => text(page, '.collections .collect-done')).toBe(`已登记 ${ref} 缴款 ¥60.00，尚欠 ¥40.00。`);
    expect(asked).toBe(`确认登记 ${ref} 缴款 ¥60.00（凭证号 RCPT-1）？`);
    await expect.poll(() => row.locator('.collection-owed').innerText()).toBe('¥40.00');
    expect(await call<CollectionView[]>('GET', '/ledger/collections', tokens.officer)).toEqual([
      expect.objectContaining({ ref, owedFen: 4_000 }),
    ]);
    await screenshot(page, 'ledger-collections-recorded');

    // The same receipt again counts once.
    await row.locator('.collect-amount').fill('60');
    await row.locator('.collect-reference').fill('RCPT-1');
    accept();
    await row.locator('.act-collect').click();
    await expect
      .poll(() => text(page, '.collections .collect-done'))
      .toBe(`该凭证号此前已登记，未重复记账；${ref} 尚欠 ¥40.00。`);
    // The rest, to the fen: the line leaves the list.
    await row.locator('.collect-amount').fill('40.00');
    await row.locator('.collect-reference').fill('RCPT-2');
    accept();
    await row.locator('.act-collect').click();
    await expect.poll(() => text(page, '.collections .collect-done')).toBe(`已登记 ${ref} 缴款 ¥40.00，已全部追回。`);
    await expect.poll(() => text(page, '.collections-none')).toBe('暂无待追缴款项。');
    expect(await call<CollectionView[]>('GET', '/ledger/collections', tokens.officer)).toEqual([]);
    await screenshot(page, 'ledger-collections-settled');

    // The ledger counts it in the month it was received: recovered, nothing owed.
    const ledger = await call<ProgrammeLedgerView>('GET', `/ledger/programme?policyId=${POLICY}`, tokens.officer);
    expect(ledger.totals).toMatchObject({ recoveryFen: 20_000, recoveredFen: 20_000, owedFen: 0 });
    await page.locator('.ledger-tab-programme').click();
    await expect.poll(() => page.locator('tr.ledger-row').count()).toBe(ledger.rows.length);
    expect(await shownSums(page.locator('tr.ledger-totals'))).toEqual(sumsOf(ledger.totals));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the returner sees, on a phone, the part of November withheld, September settled, and what they keep', async () => {
    const mine = await call<MyPayments>('GET', '/me/payments', tokens.returner);
    const balance = mine.balances!.find((b) => b.policy.id === POLICY)!;
    // August 100, September 100 (withheld back), October 200, November 200: 500 kept, nothing owed.
    expect(balance).toMatchObject({ paidFen: 50_000, owedFen: 0, netFen: 50_000 });

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, tokens.returner, '陈桂兰');
    const theirs = page.locator(`.me-payments [data-policy="${POLICY}"]`);
    await expect.poll(() => theirs.locator('tr.payment-row').count()).toBe(3);
    const november = theirs.locator('tr.payment-row[data-period="2025-11"][data-kind="payment"]');
    expect(await november.locator('.payment-amount').innerText()).toBe('¥100.00');
    expect(await theirs.locator('.payment-withheld').innerText()).toBe(
      '应发 ¥200.00，已抵扣 ¥100.00（抵回此前多发的款项），实发 ¥100.00',
    );
    const september = theirs.locator('tr.payment-row[data-period="2025-09"][data-kind="recovery"]');
    expect(await september.locator('.payment-amount').innerText()).toBe('-¥100.00');
    expect(await september.locator('.payment-status-recovery-settled').innerText()).toBe('已结清');
    // Settled: not drawn in the refusal colour, and no notice of money to pay back.
    expect(
      await september
        .locator('td')
        .first()
        .evaluate((cell) => getComputedStyle(cell).backgroundColor),
    ).toBe('rgba(0, 0, 0, 0)');
    expect(await page.locator('.me-payments .recovery-due-notice').count()).toBe(0);
    expect(await theirs.locator('.balance-paid strong').innerText()).toBe(yuan(balance.paidFen));
    expect(await theirs.locator('.balance-owed strong').innerText()).toBe(yuan(balance.owedFen));
    expect(await theirs.locator('.balance-net strong').innerText()).toBe(yuan(balance.netFen));
    expect(await theirs.locator('.chart-my-payments figcaption .legend').allInnerTexts()).toEqual([
      '已发放',
      '已抵扣',
      '已结清',
    ]);
    await page.locator('.me-payments').scrollIntoViewIfNeeded();
    await expectFitsScreen(page, ['.me-payments', '.me-payments .payments-table', '.me-payments .my-balance']);
    await screenshot(page, 'ledger-citizen');

    // In English.
    await page.locator('.lang-switch').click();
    await expect
      .poll(() => theirs.locator('.payment-withheld').innerText())
      .toBe('¥200.00 due, ¥100.00 withheld against an over-payment, ¥100.00 paid');
    expect(await theirs.locator('.balance-net span').innerText()).toBe('Kept');
    await page.locator('.me-payments').scrollIntoViewIfNeeded();
    await screenshot(page, 'ledger-citizen-en');
    expect(errors).toEqual([]);
    await context.close();
  });
});
