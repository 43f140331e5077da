/**
 * The console's sweeps end to end, in Debian's Chromium, on the real stack: a reviewer
 * publishes an approved version, the console offers its sweep with the last impact simulation's
 * eligible count and cost first, and the reviewer requests it; it waits, back-dated, for another
 * reviewer (the requester has no Approve button), who approves it and follows it to the end; the
 * sweeps list shows it done; an officer sees a paused sweep with Resume but no Cancel, and a
 * reviewer cancels it. Screenshots go to test-output/console/ and are checked to be real rendered pages.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openSweepApi, type SweepApi } from './support/sweep-api.js';
import {
  boxesOf,
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { apiCaller } from './support/api-call.js';
import { nextDraftVersion } from './support/next-version.js';

const stack = inject('stack');
// Sweep workflow IDs are per namespace: dates no other test file sweeps, so files can run side by side.
const RESIDENTS = 300;
let env: SweepApi;
let browser: Browser;

beforeAll(async () => {
  env = await openSweepApi(stack, 'consolesweep', { residents: RESIDENTS, console: true });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const call = apiCaller(() => env.api);

/** The version the officer's draft gets: the next after the shipped ones. */
const DRAFT = nextDraftVersion('old-age-allowance');

const screenshot = (page: Page, name: string) => checkedScreenshot(page, name);

const signIn = (page: Page, token: string, name: string) => signInAs(page, env.url, token, name);

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

describe('sweeps in the console', () => {
  it('offers the sweep after publishing, with the simulation first, launches it and follows it to the end', async () => {
    // A new version of the old-age allowance (after the shipped ones), drafted, checked, simulated, submitted and approved through the API.
    const draft = `/policies/old-age-allowance/versions/${DRAFT}`;
    // It ends before the shipped v2 begins (2027): a version swallowing a published one's start is refused.
    const v1 = (await env.lifecycle.get('old-age-allowance', 1)).document;
    await call('POST', '/policies', env.officer, {
      ...v1,
      version: DRAFT,
      effective: { from: '2024-01-01', to: '2026-12-31' },
    });
    await call('POST', `${draft}/validate`, env.officer);
    await call('POST', `${draft}/test`, env.officer);
    await call('POST', `${draft}/simulate`, env.officer, { asOf: '2026-11-07' });
    await expect
      .poll(async () => (await call('GET', `${draft}/simulation`, env.officer)).status, { timeout: 60_000 })
      .toBe('done');
    const simulated = (await call('GET', `${draft}/simulation`, env.officer)).result as {
      counts: { eligible: number | null };
      totalCost: number | null;
    };
    // Enough eligible residents that the count is shown (counts below 10 are withheld).
    expect(simulated.counts.eligible).toBeGreaterThan(9);
    await call('POST', `${draft}/submit`, env.officer, { note: '按新标准发放' });
    await call('POST', `${draft}/approve`, env.reviewer, {});

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The progress bar's width is set under the strict Content Security Policy (no style attributes).
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await signIn(page, env.reviewer, '李明');
    await page.goto(`${env.url}/console#/policy/old-age-allowance/${DRAFT}/form`);
    await expect.poll(() => text(page, '.title-row .status')).toBe('已批准');
    expect(await page.locator('.launch-offer').count()).toBe(0);
    await page.locator('.act-publish').click();
    await expect.poll(() => text(page, '.title-row .status')).toBe('已发布');

    // The offer: the simulation's eligible count and cost, before anything starts.
    const offer = page.locator('.launch-offer.just-published');
    await expect
      .poll(() => offer.locator('.launch-simulation').innerText())
      .toContain(`符合 ${simulated.counts.eligible}`);
    expect(await offer.locator('.launch-simulation').innerText()).toContain(
      `支出 ¥${simulated.totalCost!.toLocaleString('zh-CN')}`,
    );
    expect(await text(page, '.launch-offer h3')).toBe('为该版本发起主动筛查');
    expect(await env.sweeps.list()).toEqual([]);
    await offer.locator('input.launch-as-of').fill('2026-11-07');
    await screenshot(page, 'sweep-offer');
    expect(await text(page, '.launch-sweep')).toBe('申请筛查');
    await offer.locator('.launch-sweep').click();

    // Requested, not started: it waits for a reviewer other than 李明, and says it back-pays.
    const id = `sweep:old-age-allowance@${DRAFT}:2026-11-07`;
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe(`#/sweep/${id}`);
    await expect.poll(() => text(page, '.sweep .sweep-status')).toBe('待批准');
    expect(await text(page, '.sweep-awaiting')).toContain('该筛查由 李明 申请，须经另一位审核人批准后才开始');
    expect(await text(page, '.sweep-back-dated')).toContain('将补发此前各期待遇');
    expect(await page.locator('.act-approve').count()).toBe(0);
    expect(await text(page, '.sweep-own-request')).toBe('这是您本人的申请，须由另一位审核人批准');
    expect(await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' })).toBe(0);
    await screenshot(page, 'sweep-awaiting');

    await page.locator('.sign-out').click();
    await signIn(page, env.secondReviewer, '赵审核');
    await page.goto(`${env.url}/console#/sweep/${encodeURIComponent(id)}`);
    await expect.poll(() => text(page, '.sweep .sweep-status')).toBe('待批准');
    await page.locator('.act-approve').click();
    await expect.poll(() => text(page, '.sweep .sweep-status'), { timeout: 60_000 }).toBe('已完成');
    expect(await text(page, '.sweep-decided')).toContain('由 赵审核 于');
    const done = await env.sweeps.progress(id);
    expect(done).toMatchObject({
      status: 'done',
      processed: RESIDENTS,
      requestedBy: '李明',
      approval: { status: 'approved', decidedBy: '赵审核' },
    });
    expect(await text(page, '.stat-eligible strong')).toBe(String(done.eligible));
    expect(await text(page, '.stat-granted strong')).toBe(String(done.granted));
    expect(await text(page, '.sweep .bar-text')).toBe(`${RESIDENTS} / ${RESIDENTS} (100%)`);
    expect(await page.locator('.sweep .actions button').count()).toBe(0);
    await screenshot(page, 'sweep-done');

    await page.locator('.nav-sweeps').click();
    const row = page.locator(`tr.sweep-row[data-sweep="${id}"]`);
    await expect.poll(() => row.locator('.sweep-status').innerText()).toBe('已完成');
    expect(await row.innerText()).toContain('李明');
    // The policy by its title, its ID and version beneath.
    await expect.poll(() => row.locator('.sweep-policy').innerText()).toBe('高龄津贴');
    expect(await row.locator('.sweep-policy-id').innerText()).toBe(`old-age-allowance · v${DRAFT}`);
    await screenshot(page, 'sweeps-list');
    expect(pageErrors).toEqual([]);
    expect(refused).toEqual([]);
    await context.close();
  }, 300_000);

  it('fits a phone: the finished sweep and the sweeps list at 390 px, nothing scrolling sideways', async () => {
    const id = `sweep:old-age-allowance@${DRAFT}:2026-11-07`;
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signIn(page, env.reviewer, '李明');
    await page.goto(`${env.url}/console#/sweep/${encodeURIComponent(id)}`);
    await expect.poll(() => text(page, '.sweep .sweep-status')).toBe('已完成');
    await expectFitsScreen(page, ['.sweep', '.sweep .sweep-progress', '.sweep .stat-eligible']);
    await checkedScreenshot(page, 'sweep-phone');
    await page.locator('.nav-sweeps').click();
    // The list as a person reads it: the sweep's row with its policy's title. The rows are drawn
    // again, as new elements, when the titles arrive after the sweeps; measure only after that.
    const row = `tr.sweep-row[data-sweep="${id}"]`;
    await expect.poll(() => page.locator(`${row} .sweep-policy`).innerText()).toBe('高龄津贴');
    await expectFitsScreen(page, [row]);
    // Each sweep a block: its status beside its policy, the progress bar under them at full width.
    const [policy, status, bar] = await boxesOf(
      page,
      ['td:nth-child(1)', 'td:nth-child(3)', 'td:nth-child(4)'].map((cell) => `${row} ${cell}`),
    );
    expect(Math.abs(policy.y - status.y)).toBeLessThan(4);
    expect(bar.y).toBeGreaterThan(policy.y);
    expect(bar.width).toBeGreaterThan(300);
    await checkedScreenshot(page, 'sweeps-list-phone');
    await context.close();
  }, 60_000);

  it('shows a paused sweep with Resume to an officer, and Cancel only to a reviewer', async () => {
    const requested = await env.sweeps.request(
      { id: env.users.officer, name: '王芳', role: 'officer' },
      { policyId: 'old-age-allowance', version: DRAFT, asOf: '2026-11-08', sliceSize: 10 },
    );
    const started = await env.sweeps.approve({ id: env.users.reviewer, name: '李明', role: 'reviewer' }, requested.id);
    await env.sweeps.pause(started.id);
    await expect.poll(async () => (await env.sweeps.progress(started.id)).status, { timeout: 30_000 }).toBe('paused');

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    await signIn(page, env.officer, '王芳');
    await page.goto(`${env.url}/console#/sweep/${encodeURIComponent(started.id)}`);
    await expect.poll(() => text(page, '.sweep .sweep-status')).toBe('已暂停');
    expect(await page.locator('.act-resume').count()).toBe(1);
    expect(await page.locator('.act-cancel').count()).toBe(0);
    expect(await text(page, '.sweep .actions')).toContain('只有审核人可以取消筛查');
    await screenshot(page, 'sweep-paused');

    await page.locator('.sign-out').click();
    await signIn(page, env.reviewer, '李明');
    await page.goto(`${env.url}/console#/sweep/${encodeURIComponent(started.id)}`);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.locator('.act-cancel').click();
    await expect.poll(() => text(page, '.sweep .sweep-status'), { timeout: 30_000 }).toBe('已取消');
    expect((await env.sweeps.progress(started.id)).processed).toBeLessThan(RESIDENTS);
    await context.close();
  }, 120_000);
});
