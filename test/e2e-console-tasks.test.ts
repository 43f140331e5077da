/**
 * The worklist (待办任务) in the console end to end, in Debian's Chromium, on the real stack (a
 * worker on the dev server runs the cases, the task workflows and their resolutions): two births
 * the engine could not decide open two review tasks, and an outreach task opened forty days ago is
 * overdue. The officer, at desktop width, reads the counts (the API's) and the chart, sees the
 * overdue task first and marked 逾期 in words, filters to reviews, claims one and fills its form
 * (the missing birth date from the certificate seen at the window) and submits it: the case is
 * decided again and the child granted, once; then claims the overdue outreach task and closes it
 * with a note. The supervisor, on a phone, reassigns the other review to the officer. Screenshots go to
 * test-output/console/tasks-*.png and are checked.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTask } from '../activities/tasks.js';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createTaskService } from '../services/tasks/service.js';
import { registerTaskModels } from '../store/tasks.js';
import type { LifeEventResult } from '../workflows/contracts/index.js';
import type { TaskListView } from '../console/src/tasks-view.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, removeFacts, type TestSubject } from './support/city.js';
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
import { apiCaller } from './support/api-call.js';

const stack = inject('stack');
const POLICY = 'childcare-subsidy';
const BIRTHS = ['2026-01-21', '2026-01-22'] as const;

let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let browser: Browser;
const babies: TestSubject[] = [];
const reviews: string[] = [];
let overdueKey = '';
const users: Record<'officer' | 'supervisor', { id: string; token: string }> = {
  officer: { id: '', token: '' },
  supervisor: { id: '', token: '' },
};
const call = apiCaller(() => api);

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'consoletasks', { notices: false });
  const store = running.pipeline.store;
  for (const birthDate of BIRTHS) {
    const baby = await addResident(store, birthDate, { 'person.localHukou': true, 'person.alive': true });
    await removeFacts(store, baby, ['person.birthDate']);
    babies.push(baby);
    const { caseId } = await running.ingest({
      sourceEventId: `hr-${birthDate}-${running.run}`,
      source: 'household-registry',
      type: 'birth.registered',
      occurredOn: '2026-01-28',
      subject: { residentId: baby.id },
      payload: { birthDate },
    });
    const result = (await running.client.workflow.getHandle(caseId).result()) as LifeEventResult;
    expect(result.decisions.find((d) => d.policy.id === POLICY)?.outcome).toBe('undetermined');
    const { Task } = registerTaskModels(store);
    const review = await pollUntil(`the review task of ${caseId}`, () =>
      Task.findOne({ caseId, type: 'review' }, { _id: 1 }).lean(),
    );
    reviews.push(String(review!._id));
  }
  // An outreach contact opened forty days ago: past its thirty-day limit (its timers are not kept here).
  overdueKey = `outreach:${POLICY}:${babies[0].subjectKey}`;
  await openTask(
    { store },
    {
      key: overdueKey,
      type: 'outreach',
      source: { kind: 'outreach', key: overdueKey },
      subjectKey: babies[0].subjectKey,
      policyId: POLICY,
      openedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    },
  );
  users.officer = await testUser(store, '王芳', 'officer');
  users.supervisor = await testUser(store, '周督查', 'supervisor');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    tasks: createTaskService({
      store,
      temporal: running.client,
      taskQueue: running.pipeline.taskQueue,
      policies: running.pipeline.policies,
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
  await running?.close();
});

const figure = (page: Page, cls: string) => page.locator(`.task-counts .${cls} strong`).innerText();
const row = (page: Page, id: string) => page.locator(`.task-row[data-task="${id}"]`);

describe('the worklist in the console', () => {
  it('the officer sees the overdue first and marked, fills a review’s form, and closes the overdue outreach task with a note', async () => {
    const listed = await call<TaskListView>('GET', '/tasks', users.officer.token);
    expect(listed.counts).toMatchObject({ open: 3, overdue: 1 });
    expect(listed.tasks[0]).toMatchObject({ id: overdueKey, overdue: true });

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInAs(page, url, users.officer.token, '王芳', '政策经办人');
    await page.locator('.nav-tasks').click();
    await expect.poll(() => page.locator('.task-row').count()).toBe(3);
    expect(await figure(page, 'count-open')).toBe(String(listed.counts.open));
    expect(await figure(page, 'count-overdue')).toBe('1');
    expect(await figure(page, 'count-mine')).toBe('0');
    expect(await page.locator('.task-chart .chart-label').count()).toBe(2);
    // Overdue first, marked in words as well as colour.
    const first = page.locator('.task-row').first();
    expect(await first.getAttribute('data-task')).toBe(overdueKey);
    expect(await first.getAttribute('class')).toContain('overdue');
    expect(await first.locator('.overdue-badge').innerText()).toBe('逾期');
    await checkedScreenshot(page, 'tasks-desktop');

    // Reviews only; claim one, then open it.
    await page.locator('.filter-type').selectOption('review');
    await expect.poll(() => page.locator('.task-row').count()).toBe(2);
    await row(page, reviews[0]).locator('.task-claim').click();
    await expect.poll(() => row(page, reviews[0]).getAttribute('data-status')).toBe('claimed');
    await expect.poll(() => figure(page, 'count-mine')).toBe('1');
    await row(page, reviews[0]).locator('.task-link').click();
    const detail = page.locator(`.task-detail[data-task="${reviews[0]}"]`);
    await expect.poll(() => detail.locator('.task-history li').count()).toBe(2);
    expect(await detail.locator('.task-assignee').innerText()).toBe('王芳');

    // The review's form: the missing birth date, from the birth certificate seen at the window, or a decision
    // outright. Submitting it runs the review's resolution: the case is decided again and granted.
    expect(await detail.locator('.fact-key').inputValue()).toBe('person.birthDate');
    await detail.locator('.fact-value').fill(BIRTHS[0]);
    await detail.locator('.provenance-kind').selectOption('document-at-window');
    await detail.locator('.provenance-reference').fill('出生医学证明 Q370000123');
    await checkedScreenshot(page, 'tasks-desktop-review');
    await detail.locator('.mode-decide').check();
    expect(await detail.locator('.decide-outcome').count()).toBe(1);
    expect(await detail.locator('.decide-reason').count()).toBe(1);
    await detail.locator('.mode-facts').check();
    await detail.locator('.task-submit').click();
    await expect.poll(() => detail.locator('.task-status').innerText(), { timeout: 60_000 }).toBe('已办结');
    await expect.poll(() => page.locator('body').innerText()).toContain('审核后符合条件');
    await expect
      .poll(() => running.pipeline.models.Grant.countDocuments({ subjectKey: babies[0].subjectKey }), {
        timeout: 30_000,
      })
      .toBe(1);

    // The overdue outreach contact: claimed, and closed with a note of what was done.
    await page.locator('.filter-type').selectOption('');
    await expect.poll(() => page.locator('.task-row').count()).toBe(2); // the review done is off the open worklist
    await row(page, overdueKey).locator('.task-claim').click();
    await expect.poll(() => row(page, overdueKey).getAttribute('data-status')).toBe('claimed');
    await row(page, overdueKey).locator('.task-link').click();
    const outreach = page.locator(`.task-detail[data-task="${overdueKey}"]`);
    await outreach.locator('.task-note').fill('电话联系家长，已预约到窗口补交出生医学证明');
    await outreach.locator('.task-submit').click();
    await expect.poll(() => outreach.locator('.task-status').innerText(), { timeout: 60_000 }).toBe('已办结');
    expect(await outreach.locator('.task-note-line').innerText()).toContain('电话联系家长');
    expect(await outreach.locator('.task-history li').last().innerText()).toContain('办结');
    await checkedScreenshot(page, 'tasks-desktop-done');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the supervisor reassigns the other review to the officer on a phone, all on the screen', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, users.supervisor.token, '周督查', '督查人员');
    await page.locator('.nav-tasks').click();
    // The review the officer closed and the outreach task are done: the other review is what is open.
    await expect.poll(() => page.locator('.task-row').count()).toBe(1);
    await expectFitsScreen(page, ['.task-counts', '.task-chart', '.task-filters', '.task-row']);
    await checkedScreenshot(page, 'tasks-phone');
    await row(page, reviews[1]).locator('.task-link').click();
    const detail = page.locator(`.task-detail[data-task="${reviews[1]}"]`);
    await detail.locator('.reassign-id').fill(users.officer.id);
    await detail.locator('.task-reassign-button').click();
    await expect.poll(() => detail.locator('.task-assignee').innerText()).toBe('王芳');
    await expectFitsScreen(page, ['.task-detail', '.task-history']);
    await checkedScreenshot(page, 'tasks-phone-reassigned');
    const task = await call<{ assigneeId?: string; status: string }>(
      'GET',
      `/tasks/${encodeURIComponent(reviews[1])}`,
      users.supervisor.token,
    );
    expect(task).toMatchObject({ assigneeId: users.officer.id });
    await context.close();
  });
});
