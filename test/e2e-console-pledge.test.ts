/**
 * The citizen's pledge in the console end to end, in Debian's Chromium on a phone, on the real stack
 * (a worker on the dev server runs the case and the pledge): a young firm's annual review offers
 * pledge mode; the firm's page shows the pledge awaiting its signature with the written notice
 * (告知承诺书) and a 签署承诺 button; one tap signs the hash of the text shown, and the grant
 * follows (on the benefits list, the pledge signed in the app). A credit record of a false pledge
 * is shown with its reason and the day pledge mode opens again. Screenshots go to
 * test-output/console/pledge-*.png and are checked.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { addEnterprise, type TestSubject } from './support/city.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { pollUntil } from './support/poll.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let firm: TestSubject;
let pledgeKey: string;
let token: string;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'consolepledge', { policies: 'store', notices: false });
  const store = running.pipeline.store;
  firm = await addEnterprise(store, {
    'enterprise.establishedOn': '2025-03-01',
    'enterprise.status': 'active',
    'enterprise.size': 'micro',
    'enterprise.premiumsInArrears': false,
    'enterprise.seriousDishonesty': false,
  });
  const accepted = await running.ingest({
    sourceEventId: `amr-pledge-${running.run}`,
    source: 'market-regulation',
    type: 'enterprise.annual-review',
    occurredOn: '2026-06-01',
    subject: { creditCode: firm.id },
    payload: { year: 2026 },
  });
  const result = (await running.client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
  pledgeKey = result.decisions.find((d) => d.policy.id === 'business-startup-subsidy')!.benefitWorkflowId!;
  await pollUntil('the written notice', () =>
    running.pipeline.models.Pledge.exists({ _id: pledgeKey, status: 'awaiting-signature' }),
  );
  token = (await testUser(store, '德州某科技公司', 'citizen', { subjectKey: firm.subjectKey })).token;
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    citizen: createCitizenService({ store, temporal: running.client }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  // The signed pledge waits 30 days for its inspection: end it rather than leave it on the shared server.
  if (pledgeKey)
    await running?.client.workflow
      .getHandle(pledgeKey)
      .terminate('test over')
      .catch(() => undefined);
  await running?.close();
});

describe('the pledge on the citizen’s page (告知承诺)', () => {
  it('shows the written notice with a Sign button on a phone; one tap signs it and the grant follows', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, token, '德州某科技公司');

    const pledge = page.locator(`.me-pledges [data-pledge="${pledgeKey}"]`);
    await expect.poll(() => pledge.locator('.pledge-notice').count()).toBe(1);
    expect(await pledge.locator('.badge').innerText()).toBe('待签署');
    const notice = await pledge.locator('.pledge-notice').innerText();
    expect(notice).toContain('告知承诺书');
    expect(notice).toContain('无欠缴社会保险费（承诺事项）');
    expect(notice).toContain('四、不实承诺的法律责任');
    const stored = await running.pipeline.models.Pledge.findById(pledgeKey).lean();
    expect(await pledge.locator('.notice-hash').innerText()).toContain(stored!.noticeHash!.slice(0, 16));
    expect(await page.locator('.me-benefits [data-policy="business-startup-subsidy"]').count()).toBe(0);
    await pledge.scrollIntoViewIfNeeded();
    await expectFitsScreen(page, ['.me-pledges', '.me-pledges .act-sign-pledge']);
    await checkedScreenshot(page, 'pledge-citizen-notice');

    await pledge.getByRole('button', { name: '签署承诺' }).click();
    await expect.poll(() => pledge.locator('.badge').innerText()).toBe('待核查');
    expect(await pledge.locator('.pledge-signed').innerText()).toMatch(/^已于 .+ 签署（手机）$/);
    expect(await pledge.locator('.act-sign-pledge').count()).toBe(0);
    const grant = await running.pipeline.models.Grant.findById(pledgeKey).lean();
    expect(grant).toMatchObject({ basis: 'pledge', status: 'granted', amount: 12000 });
    const signed = await running.pipeline.models.Pledge.findById(pledgeKey).lean();
    expect(signed?.signature).toMatchObject({ channel: 'app', noticeHash: stored!.noticeHash });
    await expect.poll(() => page.locator('.me-benefits').innerText()).toContain('一次性创业补贴');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a credit record with its reason and until when it bars pledge mode', async () => {
    const key = `${pledgeKey}:credit`;
    await running.pipeline.models.CreditRecord.create({
      _id: key,
      key,
      subjectKey: firm.subjectKey,
      kind: 'false-pledge',
      policyId: 'business-startup-subsidy',
      grantKey: pledgeKey,
      recordedAt: new Date('2026-07-01T02:00:00Z'),
      reason: '核查人员认定承诺不实 inspector found the pledge false: 现场无经营迹象',
      blockDays: 1095,
    });
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, token, '德州某科技公司');
    const record = page.locator(`.me-credit [data-credit="${key}"]`);
    await expect.poll(() => record.count()).toBe(1);
    expect(await record.innerText()).toContain('现场无经营迹象');
    expect(await record.locator('.credit-bar').innerText()).toBe(
      '2029-06-30 前不能以告知承诺方式办理，将改为核验证明后办理。',
    );
    await record.scrollIntoViewIfNeeded();
    await checkedScreenshot(page, 'pledge-citizen-credit');
    await context.close();
  });
});
