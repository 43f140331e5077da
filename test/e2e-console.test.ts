/**
 * The console end to end, in Debian's Chromium: an officer takes a shipped policy to a
 * second version entirely in the browser — a dated parameter and a condition edited in the
 * form, inline validation errors fixed, tests added and run, the impact simulated — and
 * submits it; a reviewer approves and publishes; the list shows v2 published. Screenshots
 * go to test-output/console/ and are checked to be real rendered pages.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { addResident } from './support/city.js';
import { checkedScreenshot, launchConsoleBrowser, signInAs } from './support/console-browser.js';
import { ALL_UP } from './support/all-up.js';
import { nextDraftVersion } from './support/next-version.js';

const stack = inject('stack');
let store: Connection;
let lifecycle: PolicyLifecycle;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let officer: string;
let reviewer: string;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_console_${randomUUID().slice(0, 8)}$1`),
  );
  lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  officer = await testToken(store, '王芳', 'officer');
  reviewer = await testToken(store, '李明', 'reviewer');
  // A small population for the simulation: residents around 60 and 65, local or not.
  for (const [i, birthDate] of [
    '1958-03-01',
    '1961-07-15',
    '1963-01-20',
    '1964-11-02',
    '1966-05-05',
    '1970-02-02',
    '1950-09-09',
    '1962-12-12',
  ].entries()) {
    await addResident(store, birthDate, {
      'person.localHukou': i % 4 !== 3,
      'person.alive': true,
      'person.district': i % 2 === 0 ? '德城区' : '陵城区',
    });
  }
  api = buildApi({
    sessions: testSessions(store),
    policies: {
      lifecycle,
      simulation: createSimulationRunner({ store, lifecycle }),
    },
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

const screenshot = (page: Page, name: string) => checkedScreenshot(page, name);

const signIn = (page: Page, token: string, name: string, role: string) => signInAs(page, url, token, name, role);

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

describe('the policy console', () => {
  it('takes a policy from draft to published entirely in the browser', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The console runs under its strict Content Security Policy (api/edge.ts): nothing it does is refused.
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });

    // The catalog the editor offers: facts with labels, operators with labels, triggers; no token needed.
    const catalog = (await fetch(`${url}/catalog`).then((r) => r.json())) as {
      sources: Array<{ fields: Array<{ key: string; label: { zh: string } }> }>;
      operators: Array<{ name: string; label: { zh: string } }>;
    };
    expect(
      catalog.sources.flatMap((source) => source.fields).find((f) => f.key === 'person.hukouSince')?.label.zh,
    ).toBe('落户日期');
    expect(catalog.operators.find((op) => op.name === 'daysSinceAtLeast')?.label.zh).toBe('距今至少（天）');

    // The officer signs in and starts v2 of the senior card from the published v1.
    await page.goto(`${url}/console`);
    expect(await text(page, 'h2')).toBe('登录');
    await signIn(page, officer, '王芳', '政策经办人');
    const v1 = page.locator('tr[data-policy="senior-preferential-card"][data-version="1"]');
    expect(await v1.locator('.status').innerText()).toBe('已发布');
    await v1.getByRole('link').click();
    await page.locator('.act-next').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/policy/senior-preferential-card/2/form');
    expect(await text(page, '.title-row .status')).toBe('草稿');
    expect(await text(page, '.title-row h2')).toContain('老年人优待证');

    // A dated parameter row with a bad value, and a condition that needs a fact not yet declared.
    const minimumAge = page.locator('[data-parameter="minimumAge"]');
    await minimumAge.locator('.add-row').click();
    await minimumAge.locator('tbody tr').nth(1).locator('input[type=date]').first().fill('2027-01-01');
    await minimumAge.locator('input.param-value').nth(1).fill('六十五');
    const localHukou = page.locator('[data-name="localHukou"]');
    await localHukou.getByRole('button', { name: '套入条件组' }).click();
    await localHukou.locator('.group-kind').selectOption('any');
    await localHukou.locator('.add-leaf').click();
    const leaf = page.locator('[data-path="namedConditions.localHukou.any[1]"]');
    await leaf.locator('.fact-select').selectOption('person.hukouSince');
    // The fact picker groups the catalog by department, once each: civil affairs holds assistance,
    // the low-income population and older people's records in one group.
    const groups = await leaf.locator('.fact-select optgroup').evaluateAll((nodes) =>
      nodes.map((node) => ({
        label: node.getAttribute('label'),
        facts: [...node.querySelectorAll('option')].map((option) => option.getAttribute('value')),
      })),
    );
    expect(new Set(groups.map((group) => group.label)).size).toBe(groups.length);
    expect(groups.find((group) => group.label === '市民政局')?.facts).toEqual(
      expect.arrayContaining(['person.minimumLivingAllowance', 'person.lowIncomeMarginal', 'person.livesAlone']),
    );
    expect(groups.find((group) => group.label === '市退役军人事务局')?.facts).toContain('person.veteran');
    await leaf.locator('.operator-select').selectOption('daysSinceAtLeast');
    await leaf.locator('.value-number').fill('365');
    expect(await text(page, '.chip.dirty')).toBe('有未保存的修改');
    await page.locator('.act-validate').click();

    // Each issue next to its field, in the officer's language; in English once switched to English.
    const valueError = page.locator('[data-path="parameters.minimumAge[1].value"] .issue');
    const factError = page.locator('[data-path="namedConditions.localHukou.any[1].fact"] .issue');
    await expect.poll(() => valueError.count()).toBeGreaterThan(0);
    expect(await valueError.first().innerText()).toBe('必须是数字，或由数字组成的非空对照表');
    expect(await factError.innerText()).toBe('数据项 "person.hukouSince"（落户日期）未在数据清单（facts）中声明');
    expect(await text(page, '.flash')).toContain('发现');
    await screenshot(page, 'editor-inline-errors');
    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.lang-switch')).toBe('中文');
    await page.locator('.act-validate').click();
    await expect.poll(() => factError.count()).toBe(1);
    expect(await valueError.first().innerText()).toBe('must be a number or a non-empty table of numbers');
    expect(await factError.innerText()).toBe('fact "person.hukouSince" is not declared in facts');
    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.lang-switch')).toBe('English');
    await page.locator('.act-validate').click();
    await expect.poll(() => factError.count()).toBe(1);
    expect(await factError.innerText()).toContain('落户日期');

    // The JSON view shows the same document, with the issues marked on their lines.
    await page.locator('.tab-json').click();
    expect(await page.locator('textarea.json-text').inputValue()).toContain('"daysSinceAtLeast"');
    expect(await page.locator('.json-gutter .gl.marked').count()).toBeGreaterThan(0);
    expect(await text(page, '.json-problems')).toContain('parameters.minimumAge[1].value');
    const json = page.locator('textarea.json-text');
    await json.fill((await json.inputValue()).replace('"expiresAfterDays": 30', '"expiresAfterDays": 45'));
    await expect.poll(() => page.locator('.chip.dirty').count()).toBe(1);
    await page.locator('.tab-form').click();

    // Fix both: a number, and the fact declared with its purpose.
    await minimumAge.locator('input.param-value').nth(1).fill('65');
    await page.locator('select.add-fact').selectOption('person.hukouSince');
    await page.locator('tr[data-fact="person.hukouSince"] input').fill('落户满一年的居民同样享受优待');
    // The benefit's code, from the list of benefits of its kind (the duplicate check compares codes).
    const code = page.locator('select.benefit-code');
    expect(await code.locator('option').allInnerTexts()).toEqual(
      expect.arrayContaining(['老年人优待证 · ELDER-CARD']) as unknown as string[],
    );
    expect(await code.locator('option[value="ELDER-ALLOWANCE"]').count()).toBe(0);
    await code.selectOption('ELDER-CARD');
    await page.locator('.act-validate').click();
    await expect.poll(() => text(page, '.flash')).toContain('校验通过');
    expect(await page.locator('.issue').count()).toBe(0);
    expect(await text(page, '.chips')).toContain('校验: 通过');
    await screenshot(page, 'editor');

    // A new test case, first with a wrong expectation: the runner says what differed and why.
    await page.locator('.tab-tests').click();
    await page.locator('.add-test').click();
    const added = page.locator('.test-case').last();
    await added
      .locator('input[type=text]')
      .first()
      .fill('a local resident aged 62 in June 2027 is not offered the card once the age is 65');
    await added.locator('input[type=date]').first().fill('2027-06-01');
    for (const fact of ['person.birthDate', 'person.localHukou', 'person.alive'])
      await added.locator('select.fact-select').selectOption(fact);
    await added.locator('.fact-row').nth(0).locator('input[type=date]').fill('1965-01-01');
    await added.locator('.fact-row').nth(1).locator('select').selectOption('true');
    await added.locator('.fact-row').nth(2).locator('select').selectOption('true');
    await page.locator('.act-test').click();
    await expect.poll(() => text(page, '.test-summary')).toBe('4 个通过，1 个失败');
    const failure = page.locator('.test-result.fail');
    expect(await failure.locator('strong').innerText()).toContain('aged 62 in June 2027');
    expect(await failure.locator('.compare').innerText()).toMatch(/预期\s+符合[\s\S]*实际\s+不符合/);
    expect(await failure.locator('.leaves').innerText()).toContain('✗ 年满60周岁');
    await screenshot(page, 'tests-failing');
    await added.locator('[data-path="tests[4].expect.outcome"] select').selectOption('ineligible');
    await page.locator('.run-tests').click();
    await expect.poll(() => text(page, '.test-summary')).toBe('5 个通过，0 个失败');
    await screenshot(page, 'tests');

    // The impact simulation over the city, against the published v1.
    await page.locator('.tab-simulation').click();
    await expect.poll(() => text(page, '.simulation')).toContain('该版本尚未模拟');
    await page.locator('.simulation input[type=date]').fill('2025-06-01');
    await page.locator('.run-simulation').click();
    await expect.poll(() => page.locator('.sim-result').count(), { timeout: 60_000 }).toBe(1);
    expect(await text(page, '.stats')).toMatch(/人群规模\s+8/);
    // Eight residents are all small cells: every count is withheld, and the page says why.
    expect(await text(page, '.sim-eligible')).toBe('<10（不公开）');
    expect(await text(page, '.sim-suppressed')).toContain('小于 10 的计数');
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(4);
    expect(await text(page, '.charts')).toContain('德城区');
    expect(await text(page, '.charts')).toContain('落户日期');
    await expect.poll(() => text(page, '.chips')).toContain('模拟: 通过');
    await screenshot(page, 'simulation');

    // Submit with a note: refused while the validation predates the new test case, in the officer's language.
    await page.locator('.note').fill('自2027年起最低年龄调整为65周岁；落户满一年也可享受');
    await page.locator('.act-submit').click();
    await expect.poll(() => text(page, '.flash')).toContain('CHECKS_REQUIRED');
    expect(await text(page, '.flash')).toContain('提交前须');
    expect(await text(page, '.chips')).toContain('校验: 未运行');
    await page.locator('.act-validate').click();
    await expect.poll(() => text(page, '.flash')).toContain('校验通过');
    await page.locator('.act-submit').click();
    await expect.poll(() => text(page, '.title-row .status')).toBe('已提交');

    // The reviewer approves and publishes.
    await page.locator('.sign-out').click();
    await signIn(page, reviewer, '李明', '审核人');
    const v2 = page.locator('tr[data-policy="senior-preferential-card"][data-version="2"]');
    expect(await v2.locator('.status').innerText()).toBe('已提交');
    await v2.getByRole('link').click();
    expect(await page.locator('.act-submit').count()).toBe(0);
    await page.locator('.act-approve').click();
    await expect.poll(() => text(page, '.title-row .status')).toBe('已批准');
    await page.locator('.act-publish').click();
    await expect.poll(() => text(page, '.title-row .status')).toBe('已发布');
    await page.locator('.tab-history').click();
    await expect.poll(() => text(page, '.history')).toContain('发布');
    expect(await text(page, '.history')).toContain('namedConditions.localHukou');
    expect(await text(page, '.history')).toContain('offer.expiresAfterDays: 30 → 45');
    await screenshot(page, 'history');
    await page.locator('.back').click();
    await expect.poll(() => v2.locator('.status').innerText()).toBe('已发布');
    await screenshot(page, 'list');

    const published = await lifecycle.get('senior-preferential-card', 2);
    expect(published).toMatchObject({ status: 'published', submittedBy: '王芳', approvedBy: '李明' });
    expect((published.document.benefit as { code?: string }).code).toBe('ELDER-CARD');
    expect((published.document.parameters as Record<string, unknown>).minimumAge).toEqual([
      { from: '2024-01-01', value: 60 },
      { from: '2027-01-01', value: 65 },
    ]);

    // English, once, and remembered.
    await page.locator('.lang-switch').click();
    await expect.poll(() => text(page, '.brand strong')).toBe('Policy console');
    expect(await v2.locator('.status').innerText()).toBe('published');
    await page.reload();
    await expect.poll(() => text(page, 'th')).toBe('Policy');
    await expect.poll(() => v2.locator('.status').innerText()).toBe('published');
    await screenshot(page, 'list-en');
    expect(pageErrors).toEqual([]);
    expect(refused).toEqual([]);
    await context.close();
  }, 300_000);

  it('starts next year’s draft from this year’s and shows both side by side in the list', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, officer, '王芳', '政策经办人');
    const next = nextDraftVersion('old-age-allowance');
    const row = (version: number) => page.locator(`tr[data-policy="old-age-allowance"][data-version="${version}"]`);
    await row(1).getByRole('link').click();
    await page.locator('.act-next').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/policy/old-age-allowance/${next}/form`);
    // From that draft, still a draft, the next one.
    await page.locator('.act-next').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/policy/old-age-allowance/${next + 1}/form`);
    expect(await text(page, '.title-row .status')).toBe('草稿');
    await page.locator('.back').click();
    await expect.poll(() => row(next + 1).count()).toBe(1);
    expect(
      await row(next + 1)
        .locator('.status')
        .innerText(),
    ).toBe('草稿');
    expect(await row(next).locator('.status').innerText()).toBe('草稿');
    expect(await row(1).locator('.effective').innerText()).toBe('2024-01-01 – …');
    // The policy's first row says how many of its versions are in progress; the others follow it.
    expect(
      await row(next + 1)
        .locator('.drafts-open')
        .innerText(),
    ).toBe('2 个版本在办');
    expect(await row(next).getAttribute('class')).toContain('same-policy');
    await row(next + 1).scrollIntoViewIfNeeded();
    await screenshot(page, 'list-drafts');

    // In the draft, a condition group gets a name and a label: explanations group its conditions under it.
    await row(next + 1)
      .getByRole('link')
      .click();
    await expect.poll(() => text(page, '.title-row .status')).toBe('草稿');
    await page.locator('[data-path="conditions"] > .cond-add').getByRole('button', { name: '+ 添加条件组' }).click();
    const naming = page.locator('.group-naming').first();
    await naming.locator('input.group-name').fill('thisYearsCohort');
    await naming.locator('input.group-label-zh').fill('本年度出生批次');
    await naming.locator('input.group-label-en').fill('this year’s birth cohort');
    await naming.scrollIntoViewIfNeeded();
    await screenshot(page, 'editor-group-name');
    await page.locator('.tab-json').click();
    const document = JSON.parse(await page.locator('textarea.json-text').inputValue()) as {
      conditions: { all: Array<Record<string, unknown>> };
    };
    expect(document.conditions.all.at(-1)).toEqual({
      all: [],
      name: 'thisYearsCohort',
      label: { zh: '本年度出生批次', en: 'this year’s birth cohort' },
    });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('fits a phone screen', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    await signIn(page, reviewer, '李明', '审核人');
    await expect.poll(() => page.locator('tr.policy-row').count()).toBeGreaterThanOrEqual(9);
    await page.goto(`${url}/console#/policy/old-age-allowance/1/form`);
    await expect.poll(() => text(page, '.title-row .status')).toBe('已发布');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-editor');
    await context.close();
  }, 120_000);
});
