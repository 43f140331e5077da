/**
 * Outreach (应享尽享) in the console end to end, in Debian's Chromium, on the real stack: three
 * births the engine could not decide (two with no birth date in the registry, one with no hukou
 * record) put three people in two groups. The officer, at desktop width, reads the figures and the
 * chart — the API's — asks the public security bureau for the birth dates (once: a second click
 * says it was asked today), contacts one person by phone and then the rest of the group, the
 * counts following; the tasks and notices are one per person. The supervisor reads the same page
 * on a phone, in English too, everything on the screen. Screenshots go to
 * test-output/console/outreach-*.png and are checked.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeEnqueueNotice } from '../activities/notices.js';
import { buildApi } from '../api/server.js';
import { clientStarter, createOutreachService } from '../services/outreach/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { registerTaskModels } from '../store/tasks.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import type { OutreachGroupView } from '../console/src/outreach-view.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, removeFacts, type TestSubject } from './support/city.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';
import { apiCaller } from './support/api-call.js';

const stack = inject('stack');
const BIRTH_DATE = 'childcare-subsidy|fact|person.birthDate';
const HUKOU = 'childcare-subsidy|fact|person.localHukou';

let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
const people: TestSubject[] = [];
const tokens: Record<'officer' | 'supervisor', string> = { officer: '', supervisor: '' };
const call = apiCaller(() => api);

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'consoleoutreach', { notices: false });
  const store = running.pipeline.store;
  const facts = { 'person.localHukou': true, 'person.alive': true };
  for (const [birthDate, missing] of [
    ['2026-01-11', 'person.birthDate'],
    ['2026-01-12', 'person.birthDate'],
    ['2026-01-13', 'person.localHukou'],
  ] as const) {
    const person = await addResident(store, birthDate, facts);
    await removeFacts(store, person, [missing]);
    people.push(person);
    const { caseId } = await running.ingest({
      sourceEventId: `hr-${birthDate}-${running.run}`,
      source: 'household-registry',
      type: 'birth.registered',
      occurredOn: '2026-01-20',
      subject: { residentId: person.id },
      payload: { birthDate },
    });
    const result = (await running.client.workflow.getHandle(caseId).result()) as LifeEventResult;
    expect(result.decisions.find((d) => d.policy.id === 'childcare-subsidy')?.outcome).toBe('undetermined');
  }
  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    outreach: createOutreachService({
      store,
      policies: running.pipeline.policies,
      notify: makeEnqueueNotice(store, running.pipeline.queues),
      // The outreach tasks' timers on a queue no worker polls: this test reads the records.
      workflows: clientStarter(running.client, `${running.pipeline.taskQueue}-outreach-tasks`),
    }),
    console: true,
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  if (running) {
    const { Task } = registerTaskModels(running.pipeline.store);
    for (const task of await Task.find({ type: 'outreach' }, { workflowId: 1 }).lean())
      await running.client.workflow
        .getHandle(task.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  }
  await running?.close();
});

const groups = async () =>
  (await call<{ groups: OutreachGroupView[] }>('GET', '/outreach?policy=childcare-subsidy', tokens.officer)).groups;
const card = (page: Page, id: string) => page.locator(`.outreach-group[data-group="${id}"]`);
const figure = (page: Page, id: string, cls: string) => card(page, id).locator(`.${cls} strong`).innerText();

describe('outreach in the console', () => {
  it('the officer reads the groups, asks the department for the data once and contacts people once', async () => {
    const before = await groups();
    expect(before.map((g) => [g.id, g.counts.people])).toEqual([
      [BIRTH_DATE, 2],
      [HUKOU, 1],
    ]);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, tokens.officer, '王芳', '政策经办人');
    await page.locator('.nav-outreach').click();
    await expect.poll(() => page.locator('.outreach-group').count()).toBe(2);

    // The figures are the API's; the chart has a row per group.
    expect(await page.locator('.total-groups strong').innerText()).toBe('2');
    expect(await page.locator('.total-people strong').innerText()).toBe('3');
    expect(await page.locator('.total-waiting strong').innerText()).toBe('3');
    expect(await page.locator('.outreach-chart .chart-label').count()).toBe(2);
    const birth = card(page, BIRTH_DATE);
    expect(await birth.locator('.outreach-cause').innerText()).toBe('缺少「出生日期」');
    expect(await birth.locator('.outreach-department').innerText()).toContain('市公安局');
    expect(await figure(page, BIRTH_DATE, 'count-waiting')).toBe('2');
    // Waiting is said in words, not by colour alone; no raw resident ID on the page.
    expect(await birth.locator('.served-waiting').count()).toBe(2);
    const html = await page.content();
    for (const person of people) expect(html).not.toContain(person.id);
    await checkedScreenshot(page, 'outreach-desktop');

    // The data request: once per group and day.
    await birth.locator('.outreach-request').click();
    await expect.poll(() => figure(page, BIRTH_DATE, 'count-requested')).toBe('2');
    expect(await card(page, BIRTH_DATE).locator('.outreach-request-row').count()).toBe(1);
    await card(page, BIRTH_DATE).locator('.outreach-request').click();
    await expect.poll(() => card(page, BIRTH_DATE).locator('.outreach-note').innerText()).toContain('未重复申请');
    expect(await card(page, BIRTH_DATE).locator('.outreach-request-row').count()).toBe(1);

    // One person by phone, then the rest of the group: each contacted once.
    const first = card(page, BIRTH_DATE).locator('.outreach-person').first();
    const firstCase = await first.getAttribute('data-case');
    await first.locator('.outreach-pick').check();
    await card(page, BIRTH_DATE).locator('.outreach-channel').selectOption('phone');
    await card(page, BIRTH_DATE).locator('.outreach-contact').click();
    await expect.poll(() => figure(page, BIRTH_DATE, 'count-contacted')).toBe('1');
    await card(page, BIRTH_DATE).locator('.outreach-contact').click();
    await expect.poll(() => figure(page, BIRTH_DATE, 'count-contacted')).toBe('2');
    await card(page, BIRTH_DATE).locator('.outreach-contact').click();
    await expect.poll(() => card(page, BIRTH_DATE).locator('.outreach-note').innerText()).toBe('没有待联系的人员。');
    await checkedScreenshot(page, 'outreach-desktop-served');

    const { Task } = registerTaskModels(running.pipeline.store);
    const tasks = await Task.find({ type: 'outreach', policyId: 'childcare-subsidy' }).lean();
    expect(tasks.map((t) => t.subjectKey).sort()).toEqual([people[0].subjectKey, people[1].subjectKey].sort());
    expect(tasks.some((t) => t.caseId === firstCase)).toBe(true);
    const notices = await running.pipeline.models.Notice.countDocuments({ template: 'outreach.contact' });
    expect(notices).toBe(2);
    const after = await groups();
    expect(after.find((g) => g.id === BIRTH_DATE)?.counts).toMatchObject({
      contacted: 2,
      dataRequested: 2,
      waiting: 0,
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the supervisor reads it on a phone, in Chinese and in English, all on the screen', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, tokens.supervisor, '周督查', '督查人员');
    await page.locator('.nav-outreach').click();
    await expect.poll(() => page.locator('.outreach-group').count()).toBe(2);
    await expectFitsScreen(page, ['.outreach-totals', '.outreach-chart', '.outreach-group', '.outreach-contact']);
    await checkedScreenshot(page, 'outreach-phone');
    await page.locator('.lang-switch').click();
    await expect
      .poll(() => page.locator('.outreach h2').innerText())
      .toBe('Outreach: people likely eligible but undetermined');
    expect(await card(page, HUKOU).locator('.served-waiting').innerText()).toBe('Waiting');
    await expectFitsScreen(page, ['.outreach-totals', '.outreach-group']);
    await checkedScreenshot(page, 'outreach-phone-en');
    await context.close();
  });
});
