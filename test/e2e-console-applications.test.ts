/**
 * The application form in the console (依申请 免提交), in Debian's Chromium, on the real stack: a
 * senior opens 办事申请, picks the home-care subsidy, sees her birth date and district pre-filled
 * with "来自 市公安局（共享）" beside them, types her phone and address, presents her senior card
 * from the wallet picker, signs the pledge and submits; her status page shows every proof obtained
 * with nothing uploaded. A resident whose real-estate check answers "no" sees exactly that proof
 * asked for and uploads it from the page. Screenshots: test-output/console/applications-*.png.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { createApplicationService } from '../services/applications/service.js';
import { registerApplicationModel } from '../store/applications.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createTaskService } from '../services/tasks/service.js';
import { ALL_UP } from './support/all-up.js';
import { addResident } from './support/city.js';
import { checkedScreenshot, launchConsoleBrowser, PHONE, signInAs } from './support/console-browser.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
const tokens = { senior: '', owner: '', civil: '' };

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'console-applications', { seals: true });
  const { store } = running.pipeline;
  const senior = await addResident(store, '1948-03-02', {
    'person.localHukou': true,
    'person.district': '德城区',
    'person.livesAlone': true,
    'person.careDependencyLevel': 2,
    'person.minimumLivingAllowance': true,
  });
  const owner = await addResident(store, '1990-05-06', {
    'person.localHukou': true,
    'person.district': '陵城区',
    'person.maritalStatus': 'married',
    'person.householdIncomePerCapita': 1500,
    'person.ownsHousing': true,
  });
  await issueCertificate(
    { store, seals: running.pipeline.seals! },
    {
      key: `console-applications:${running.run}:senior-card`,
      type: 'senior-preferential-card',
      holder: { subjectKey: senior.subjectKey, displayName: '王桂兰' },
      issuedOn: cityToday(),
      basis: { kind: 'grant', ref: `grant:${running.run}:senior-card` },
      fields: { birthDate: '1948-03-02', district: '德城区', entitlements: '公共交通免费乘车' },
    },
  );
  tokens.senior = await testToken(store, '王桂兰', 'citizen', { subjectKey: senior.subjectKey });
  tokens.owner = await testToken(store, '孙立', 'citizen', { subjectKey: owner.subjectKey });
  tokens.civil = await testToken(store, '马承办', 'officer', { department: '市民政局' });
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    applications: createApplicationService({
      store,
      temporal: running.client,
      taskQueue: running.pipeline.taskQueue,
    }),
    tasks: createTaskService({ store, temporal: running.client, taskQueue: running.pipeline.taskQueue }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  // An application still with its department waits on its task's timers: end it rather than leave it on the shared server.
  if (running)
    for (const record of await registerApplicationModel(running.pipeline.store)
      .find({ status: { $nin: ['approved', 'refused', 'withdrawn'] } })
      .lean())
      await running.client.workflow
        .getHandle(record.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  await running?.close();
});

/** The application's status as the API answers the page's session (the page itself reads it when it opens). */
async function statusOf(page: Page): Promise<string | undefined> {
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/application/', ''));
  const response = await page.request.get(`${url}/applications/${encodeURIComponent(id)}`, {
    headers: { 'x-applyfree-console': '1' },
  });
  return response.ok() ? ((await response.json()) as { status: string }).status : undefined;
}

/** Waits for the application to reach `status`, then opens its page afresh to show it. */
async function untilShown(page: Page, status: string): Promise<void> {
  await expect.poll(() => statusOf(page), { timeout: 120_000, interval: 500 }).toBe(status);
  await page.reload();
  await page.locator(`.application-page[data-status="${status}"]`).waitFor();
}

describe('the application form', { timeout: 300_000 }, () => {
  it('pre-fills the home-care form with each source, takes the card and the pledge, and shows every proof obtained', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signInAs(page, url, tokens.senior, '王桂兰', '群众');
    await page.locator('.nav-apply').click();
    await page.locator('.application-matter[data-matter="home-care-service-subsidy"]').click();
    const field = (id: string) => page.locator(`.application-field[data-field="${id}"]`);
    await field('birth-date').waitFor();
    expect(await field('birth-date').locator('.field-value').textContent()).toBe('1948-03-02');
    expect(await field('birth-date').locator('.field-source').textContent()).toBe('来自 市公安局（共享）');
    expect(await field('lives-alone').locator('.field-source').textContent()).toBe('来自 市民政局（共享）');
    expect(await page.locator('.application-proof .proof-method').allTextContents()).toEqual([
      '数据共享',
      '电子证照',
      '部门核验',
      '告知承诺',
    ]);
    expect(await page.locator('.method-certificate select option').count()).toBe(2);
    await checkedScreenshot(page, 'applications-form-desktop', { minHeight: 800 });

    // Submitted without the phone: the API names the field and the form marks it.
    await field('service-address').locator('input').fill('德城区新湖街道 12 号');
    await page.locator('.application-submit').click();
    await expect.poll(() => page.locator('.application-problem').textContent()).toContain('联系电话');
    expect(await field('contact-phone').getAttribute('class')).toContain('invalid');

    await field('contact-phone').locator('input').fill('13800000000');
    await page.locator('.method-pledge input[type="checkbox"]').check();
    await page.locator('.application-submit').click();
    await page.waitForURL(/#\/application\/ap_/);
    await untilShown(page, 'handling');
    expect(await page.locator('.proof-obtained').allTextContents()).toEqual([
      '已通过数据共享取得',
      '已核验电子证照',
      '已经部门核验',
      '已签署承诺',
    ]);
    expect(await page.locator('.proof-asked').count()).toBe(0);
    await checkedScreenshot(page, 'applications-status-desktop', { minHeight: 700 });
    const applicationId = decodeURIComponent(new URL(page.url()).hash.replace('#/application/', ''));
    await context.close();

    // The civil affairs officer takes the task, reads the application from it and approves it.
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const desk = await staff.newPage();
    await signInAs(desk, url, tokens.civil, '马承办');
    await desk.goto(`${url}/console#/tasks/${encodeURIComponent(`${applicationId}:handling`)}`);
    const detail = desk.locator(`.task-detail[data-task="${applicationId}:handling"]`);
    await detail.locator('.task-claim').click();
    await detail.locator('.task-complete.application .decide-reason').fill('经核实符合居家养老服务补贴条件');
    await checkedScreenshot(desk, 'applications-task-desktop', { minHeight: 600 });
    await detail.locator('.task-complete.application .task-submit').click();
    await detail.locator('.task-application').click();
    await expect.poll(() => statusOf(desk), { timeout: 120_000, interval: 500 }).toBe('approved');
    await desk.reload();
    await desk.locator('.application-decision').waitFor();
    expect(await desk.locator('.application-decision').textContent()).toBe('准予：经核实符合居家养老服务补贴条件');
    await checkedScreenshot(desk, 'applications-approved-desktop', { minHeight: 600 });
    await staff.close();
  });

  it('asks on a phone for exactly the proof whose verification failed, and takes its upload', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, tokens.owner, '孙立', '群众');
    await page.goto(`${url}/console#/apply/public-rental-housing`);
    await page.locator('.application-field[data-field="household-size"] input').fill('3');
    await page.locator('.application-field[data-field="contact-phone"] input').fill('13900000000');
    await page.locator('.method-pledge input[type="checkbox"]').check();
    await checkedScreenshot(page, 'applications-form-phone', { minHeight: 800 });
    await page.locator('.application-submit').click();
    await page.waitForURL(/#\/application\/ap_/);
    await untilShown(page, 'awaiting-proofs');
    expect(
      await page.locator('.application-proof.asked').evaluateAll((els) => els.map((e) => e.getAttribute('data-proof'))),
    ).toEqual(['no-housing-proof']);
    await checkedScreenshot(page, 'applications-asked-phone', { minHeight: 800 });

    const scan = join(mkdtempSync(join(tmpdir(), 'applyfree-upload-')), '无房证明.pdf');
    writeFileSync(scan, '%PDF-1.4 无房证明扫描件');
    await page.locator('.application-proof.asked input[type="file"]').setInputFiles(scan);
    await page.locator('.application-proof.asked button[type="submit"]').click();
    await untilShown(page, 'handling');
    expect(await page.locator('[data-proof="no-housing-proof"] .proof-obtained').textContent()).toBe('已上传');
    await checkedScreenshot(page, 'applications-uploaded-phone', { minHeight: 800 });
    await context.close();
  });
});
