/**
 * Objection handling (异议处理) in the console, end to end in Debian's Chromium: a resident
 * certified at disability grade 3 was refused the severe-disability care subsidy and objects,
 * through the API, that the grade is 2. A supervisor finds the objection by status with the grade
 * masked, records the federation's correction — a bad value and a short reason refused at their
 * fields — which waits, the record unchanged, for a second supervisor (the recorder has no Confirm);
 * the second confirms it and watches the re-evaluation settle into the new decision and 100 of
 * arrears; the case page it links to shows the correction. An officer has no objections page (S10);
 * a supervisor rejects an objection with a reason. English relabels the page. Screenshots are checked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ObjectionView } from '../services/objections/service.js';
import { maskForStaff } from '../domain/identity.js';
import { registerObjectionModel } from '../store/objections.js';
import {
  checkedScreenshot,
  boxesOf,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { openObjectionApi, type ObjectionApi } from './support/objection-api.js';
import { callApi } from './support/running-pipeline.js';

const stack = inject('stack');
let env: ObjectionApi;
let url: string;
let browser: Browser;
let supervisor: { context: BrowserContext; page: Page; errors: string[] };
/** A second supervisor, who confirms what the first recorded. */
let confirmer: { context: BrowserContext; page: Page; errors: string[] } | undefined;
const POLICY = 'severe-disability-care-subsidy';
const REASON = '市残联复核鉴定档案，等级录入有误，应为二级';

beforeAll(async () => {
  // Two residents certified disabled on 2026-03-01 (grades 3 and 1), their cases and grants finished.
  env = await openObjectionApi(stack, 'e2eobjections', { console: true });
  url = env.url;
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await supervisor?.context.close();
  await confirmer?.context.close();
  await browser?.close();
  // An objection left open by a failed test waits for an answer: end its workflow rather than leave it on the shared server.
  const open = env ? await registerObjectionModel(env.pipeline.store).find({}).lean() : [];
  for (const objection of open)
    if (objection.status !== 'resolved' && objection.status !== 'rejected')
      await env.client.workflow
        .getHandle(objection.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  await env?.close();
});

const call = (method: string, path: string, token: string, body?: unknown) => callApi(url, method, path, token, body);

async function openPage(
  token: string,
  name: string,
  role: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  // A missing element fails its own step, well inside the test's timeout.
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signInAs(page, url, token, name, role);
  return { context, page, errors };
}

let filed: ObjectionView;

describe('a supervisor handling an objection to a disability grade', () => {
  it('finds the citizen’s objection under 异议处理 by its status, the grade and the ID masked', async () => {
    const response = await call('POST', '/objections', env.tokens.citizen, {
      caseId: env.gradeThree.caseId,
      policyId: POLICY,
      kind: 'data',
      fact: 'person.disabilityGrade',
      claimedValue: 2,
      statement: '我的残疾等级应为二级，证件上是二级，系统记录为三级',
    });
    expect(response.status).toBe(201);
    filed = response.json;

    supervisor = await openPage(env.tokens.supervisor, '周督查', '督查人员');
    const { page } = supervisor;
    await page.locator('.top-nav a.nav-objections').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/objections');
    expect(await page.locator('.top-nav a.current').innerText()).toBe('异议处理');
    const row = page.locator(`tr.objection-row[data-objection="${filed.id}"]`);
    await row.waitFor();
    const text = await row.innerText();
    for (const shown of [
      '重度残疾人护理补贴',
      maskForStaff(env.gradeThree.id),
      '残疾等级（1-4级）',
      '所用数据有误',
      '主张 ***',
      '已提交',
      '刘建国',
    ])
      expect(text).toContain(shown);
    expect(await page.content()).not.toContain(env.gradeThree.id);

    // By policy: another policy has no objections; this one lists it again.
    await page.locator('.objection-policy-filter').selectOption('childcare-subsidy');
    await page.locator('.objections-none').waitFor();
    await page.locator('.objection-policy-filter').selectOption(POLICY);
    await row.waitFor();

    await page.locator('.objection-filter [data-status="resolved"]').click();
    await page.locator('.objections-none').waitFor();
    expect(await row.count()).toBe(0);
    await page.locator('.objection-filter [data-status="filed"]').click();
    await row.waitFor();
    expect(
      await page.locator('tr.objection-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))),
    ).toEqual(['filed']);
    expect(await page.locator('.objection-filter .current').innerText()).toBe('已提交');
    await checkedScreenshot(page, 'objections-list');
  });

  it('records the federation’s correction, refusals shown at their fields; a second supervisor confirms it and follows the re-evaluation to the new decision and arrears', async () => {
    let { page } = supervisor;
    await page.locator(`tr.objection-row[data-objection="${filed.id}"]`).click();
    let detail = page.locator(`.objection-detail[data-objection="${filed.id}"]`);
    await detail.waitFor();
    expect(
      await detail.locator('.obj-step').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-kind'))),
    ).toEqual(['filed']);
    expect(await detail.locator('a.case-link').getAttribute('href')).toBe(
      `#/case/${encodeURIComponent(env.gradeThree.caseId)}`,
    );
    expect(await detail.locator('.obj-statement').innerText()).toBe(filed.statement);
    expect(await detail.locator('.correction-fact').inputValue()).toContain('person.disabilityGrade');

    const form = detail.locator('form.objection-correct');
    const errorAt = (field: string) => form.locator(`[data-field="${field}"] .field-error`);
    await form.locator('.correction-value').fill('7');
    await form.locator('.correction-reason').fill(REASON);
    await form.locator('.act-correct').click();
    await expect.poll(() => errorAt('value').innerText()).toBe('残疾等级（1-4级）的值须为1至4的整数');
    expect(await form.locator('[data-field="value"]').getAttribute('class')).toContain('invalid');
    await form.locator('.correction-value').fill('2');
    await form.locator('.correction-reason').fill('有误');
    await form.locator('.act-correct').click();
    await expect.poll(() => errorAt('reason').innerText()).toBe('请说明更正理由（至少5个字）');
    expect(await errorAt('value').innerText()).toBe('');
    await checkedScreenshot(page, 'objection-correction-refused');
    const record = await env.pipeline.store
      .db!.collection('dp_disability')
      .findOne({ _id: env.gradeThree.id } as object);
    expect(record?.disabilityGrade).toBe(3);

    await form.locator('.correction-reason').fill(REASON);
    await form.locator('.act-correct').click();
    // Recorded, not applied: it waits for a second supervisor; the recorder cannot confirm it.
    await expect.poll(() => detail.getAttribute('data-status')).toBe('correcting');
    expect(await detail.locator('.obj-pending').innerText()).toMatch(/待确认的更正[\s\S]*更正为 \*\*\*[\s\S]*周督查/);
    expect(await detail.locator('.obj-pending-own').innerText()).toBe('您登记或提出了该异议，须由另一位督查人员确认。');
    expect(await detail.locator('.objection-confirm, form.objection-correct').count()).toBe(0);
    expect(
      (await env.pipeline.store.db!.collection('dp_disability').findOne({ _id: env.gradeThree.id } as object))
        ?.disabilityGrade,
    ).toBe(3);
    await checkedScreenshot(supervisor.page, 'objection-pending');

    // A second supervisor confirms it: the record changes, and the re-evaluation follows.
    confirmer = await openPage(env.tokens.secondSupervisor, '吴督查', '督查人员');
    page = confirmer.page;
    await page.goto(`${url}/console#/objections/${filed.id}`);
    detail = page.locator(`.objection-detail[data-objection="${filed.id}"]`);
    await detail.locator('.objection-confirm .act-confirm').click();
    // The answer to the confirmation is drawn at once, re-evaluating, and re-read until it settles.
    await detail.locator('.obj-progress').waitFor();
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('resolved');
    expect(await detail.locator('.obj-progress').count()).toBe(0);
    expect(await detail.locator('form.objection-correct, .objection-resolve').count()).toBe(0);
    expect(await detail.locator('.obj-correction').innerText()).toMatch(
      /市残疾人联合会[\s\S]*\*\*\* → \*\*\*[\s\S]*理由：市残联复核鉴定档案[\s\S]*周督查 登记 · 吴督查 确认/,
    );
    expect(await detail.locator('.obj-outcome .obj-previous').innerText()).toBe('原判定 不符合');
    expect(await detail.locator('.obj-outcome .obj-new').innerText()).toBe('新判定 符合 ¥100');
    expect(await detail.locator('.obj-outcome .obj-arrears').innerText()).toBe('补发 ¥100');
    expect(await detail.locator('.obj-periods tbody tr').innerText()).toMatch(/^2026-03\s+¥0\s+¥100$/);
    expect(
      await detail.locator('.obj-step').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-kind'))),
    ).toEqual(['filed', 'correction-recorded', 'corrected', 're-evaluation', 'decision', 'arrears', 'resolved']);
    // The list, filtered to 已提交 on the recorder's page, lets it go once its status moves on; the confirmer's, unfiltered, shows it resolved.
    const row = page.locator(`tr.objection-row[data-objection="${filed.id}"]`);
    await supervisor.page.reload();
    await supervisor.page.locator('.objection-filter [data-status="filed"]').click();
    await supervisor.page.locator('.objections-none').waitFor();
    await expect.poll(() => row.getAttribute('data-status')).toBe('resolved');
    expect(await row.innerText()).toMatch(/更正为 \*\*\*[\s\S]*已办结/);
    expect(await row.getAttribute('class')).toContain('selected');
    const arrears = await env.pipeline.models.Grant.find({
      subjectKey: env.gradeThree.subjectKey,
      'policy.id': POLICY,
    }).lean();
    expect(arrears.map((g) => [g.amount, g.basis])).toEqual([[100, 'objection-arrears']]);
    expect(await page.content()).not.toContain(env.gradeThree.id);
    await checkedScreenshot(page, 'objection-resolved', { minHeight: 700 });

    // The same page in English.
    await page.locator('.lang-switch').click();
    await expect.poll(() => page.locator('.objections-head h2').innerText()).toBe('Objections');
    expect(await page.locator('.top-nav a.nav-objections').innerText()).toBe('Objections');
    await expect.poll(() => detail.locator('.obj-outcome .obj-arrears').innerText()).toBe('Arrears paid: ¥100');
    expect(await detail.locator('.objection-status').innerText()).toBe('resolved');
    expect(await detail.locator('.obj-step[data-kind="arrears"]').innerText()).toContain(
      'arrears of 100 paid for 2026-03',
    );
    expect(await detail.locator('.obj-correction').innerText()).toContain('Municipal Disabled Persons’ Federation');
    expect(await detail.locator('.title-row h3').innerText()).toContain('Care subsidy for severely disabled people');
    await page.locator('.lang-switch').click();
    await expect.poll(() => page.locator('.objections-head h2').innerText()).toBe('异议处理');

    // The case page the objection links to shows the correction in the case's timeline.
    await detail.locator('a.case-link').click();
    await page.locator('.tl-entry[data-kind="objection.corrected"]').waitFor();
    expect(supervisor.errors).toEqual([]);
    expect(confirmer.errors).toEqual([]);
  });
});

describe('the objections page on a phone', () => {
  it('shows the list and a settled objection at 390 px with nothing overflowing', async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await signInAs(page, url, env.tokens.supervisor, '周督查', '督查人员');
      await page.goto(`${url}/console#/objections/${filed.id}`);
      const detail = page.locator(`.objection-detail[data-objection="${filed.id}"]`);
      await detail.waitFor();
      await page.locator(`tr.objection-row[data-objection="${filed.id}"]`).waitFor();
      // Each part fits the screen: the filters, the list, the outcome by period and the steps.
      await expectFitsScreen(page, [
        '.objection-filter',
        '.objection-list',
        '.objection-table',
        '.obj-periods',
        '.obj-steps',
        '.obj-correction',
      ]);
      expect(await detail.locator('.obj-outcome .obj-arrears').innerText()).toBe('补发 ¥100');
      // The list row reads as a block: its time and status side by side, the policy below them.
      const [time, status, policy] = await boxesOf(
        page,
        ['td:nth-child(1)', 'td:nth-child(5)', 'td:nth-child(2)'].map(
          (cell) => `tr.objection-row[data-objection="${filed.id}"] ${cell}`,
        ),
      );
      expect(Math.abs(time.y - status.y)).toBeLessThan(4);
      expect(policy.y).toBeGreaterThanOrEqual(time.y + time.height - 1);
      expect(policy.width).toBeGreaterThan(300);
      await checkedScreenshot(page, 'objection-phone', { minHeight: 700 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('an objection an officer cannot open, rejected by a supervisor', () => {
  it('gives an officer no objections page, and refuses a supervisor’s rejection without a reason at the field', async () => {
    // A supervisor files for the citizen from their case.
    const response = await call('POST', '/objections', env.tokens.secondSupervisor, {
      caseId: env.gradeOne.caseId,
      policyId: POLICY,
      statement: '当事人来电对补贴认定提出异议',
    });
    expect(response.status).toBe(201);
    const id = response.json.id as string;

    // Officers author policies: no objections in their console, not even by address (S10).
    const officer = await openPage(env.tokens.officer, '王芳', '政策经办人');
    expect(await officer.page.locator('.top-nav a.nav-objections').count()).toBe(0);
    await officer.page.goto(`${url}/console#/objections/${id}`);
    await officer.page.locator('.top-nav').waitFor();
    expect(await officer.page.locator('.objection-detail, .objections-page').count()).toBe(0);
    expect(officer.errors).toEqual([]);
    await officer.context.close();

    const { page } = supervisor;
    await page.goto(`${url}/console#/objections/${id}`);
    const detail = page.locator(`.objection-detail[data-objection="${id}"]`);
    const resolve = detail.locator('.objection-resolve');
    await resolve.locator('.resolve-reason').fill('不行');
    await resolve.locator('.act-reject').click();
    await expect
      .poll(() => resolve.locator('[data-field="reason"] .field-error').innerText())
      .toBe('请说明理由（至少5个字）');
    await resolve.locator('.resolve-reason').fill('经核实，原认定所用数据无误');
    await resolve.locator('.act-reject').click();
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('rejected');
    expect(await detail.locator('.obj-resolution').innerText()).toMatch(
      /不予支持[\s\S]*理由：经核实，原认定所用数据无误[\s\S]*周督查/,
    );
    expect(await detail.locator('.obj-outcome').count()).toBe(0);
    expect(
      await detail.locator('.obj-step').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-kind'))),
    ).toEqual(['filed', 'rejection', 'rejected']);
    await checkedScreenshot(page, 'objection-rejected');
    expect(supervisor.errors).toEqual([]);
  });
});
