/**
 * `applyfree task …` against the API on the real stack: the worklist with its counts and the
 * overdue task marked first, a claim, the task with its history, a completion from flags and from
 * an outcome file, and refusals as one line with their code and field (exit 1); a wrong command
 * line exits 2 with the usage, `--help` exits 0.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientStarter } from '../activities/benefit-start.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTask } from '../activities/tasks.js';
import { buildApi } from '../api/server.js';
import type { TaskView } from '../domain/tasks.js';
import { createTaskService, type CompletedTask, type TaskList } from '../services/tasks/service.js';
import { taskWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { finished, runEntry } from './support/run-node.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const DAY_MS = 24 * 60 * 60 * 1000;
let running: RunningPipeline;
let api: FastifyInstance;
let url: string;
let dir: string;
const tokens = {} as Record<'officer' | 'supervisor', string>;
const run = randomUUID().slice(0, 8);
const review = `life-event:${run}:manual:childcare-subsidy`;
const payment = `payroll-return:${run}-1`;
const secondPayment = `payroll-return:${run}-2`;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'clitask', { notices: false });
  const { client, pipeline } = running;
  const store = pipeline.store;
  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.supervisor = (await testUser(store, '周督查', 'supervisor')).token;
  const workflows = clientStarter(client, pipeline.taskQueue);
  await openTask(
    { store, workflows },
    {
      key: review,
      type: 'review',
      source: { kind: 'case', key: `life-event:${run}` },
      caseId: `life-event:${run}`,
      policyId: 'childcare-subsidy',
      missingFacts: ['person.birthDate'],
      openedAt: new Date(Date.now() - 21 * DAY_MS).toISOString(),
    },
  );
  for (const key of [payment, secondPayment])
    await openTask({ store, workflows }, { key, type: 'returned-payment', source: { kind: 'payroll-return', key } });
  api = buildApi({
    sessions: testSessions(store),
    tasks: createTaskService({ store, temporal: client, taskQueue: pipeline.taskQueue }),
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'applyfree-task-'));
}, 120_000);

afterAll(async () => {
  await api?.close();
  for (const key of [review, payment, secondPayment])
    await running?.client.workflow
      .getHandle(taskWorkflowId(key))
      .terminate('test over')
      .catch(() => undefined);
  await running?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], token: string = tokens.officer) =>
  finished(runEntry('cli/main.ts', ['task', ...args], { APPLYFREE_API_URL: url, APPLYFREE_TOKEN: token }));

describe('applyfree task', () => {
  it('lists the worklist with its counts, the overdue task first and marked, and --json for scripts', async () => {
    const human = await cli(['list']);
    expect([human.code, human.stderr]).toEqual([0, '']);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^open 待认领 3 · claimed 办理中 0 · overdue 已超期 1 · due soon 即将到期 0/);
    expect(lines[1]).toMatch(
      new RegExp(`^! ${review}  review · 人工审核（无法自动判定）  open  due 时限 .* OVERDUE 已超期`),
    );
    expect(lines.slice(2).map((line) => line.trim().split('  ')[0])).toEqual([payment, secondPayment]);

    const json = await cli(['list', '--type', 'returned-payment', '--json']);
    expect((JSON.parse(json.stdout) as TaskList).tasks.map((task) => task.id)).toEqual([payment, secondPayment]);
  });

  it('claims a task, shows it with who took it, and completes it with a note', async () => {
    const claimed = await cli(['claim', payment]);
    expect([claimed.code, claimed.stderr]).toEqual([0, '']);
    expect(claimed.stdout).toContain(`claimed 已认领 ${payment}`);
    const shown = await cli(['show', payment]);
    expect(shown.stdout).toMatch(/claimed {2}— 王芳 \(u_[a-z2-7]{16}\)/);
    expect(shown.stdout).toContain('limit 办结时限: 10 days 天');

    const refused = await cli(['complete', payment, '--note', '已重新支付'], tokens.supervisor);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('NOT_TASK_HOLDER [id]')]);
    const done = await cli(['complete', payment, '--note', '已联系银行更正账户后重新支付']);
    expect([done.code, done.stderr]).toEqual([0, '']);
    expect(done.stdout).toContain(`completed 已办结 ${payment}: closed · 任务已办结：已联系银行更正账户后重新支付`);
    const again = await cli(['complete', payment, '--note', '再次办结']);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('TASK_CLOSED [id]')]);
  });

  it('completes with an outcome file, naming the field of a wrong one', async () => {
    await cli(['claim', secondPayment]);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ kind: 'decided', outcome: 'eligible', reason: '资料齐全，符合条件' }));
    const refused = await cli(['complete', secondPayment, '--outcome-file', wrong]);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('BAD_REQUEST [outcome.kind]')]);
    const right = join(dir, 'closed.json');
    writeFileSync(right, JSON.stringify({ kind: 'closed', note: '账户已更正' }));
    const done = await cli(['complete', secondPayment, '--outcome-file', right, '--json']);
    expect(done.code).toBe(0);
    const answer = JSON.parse(done.stdout) as CompletedTask;
    expect(answer.resolution.action).toBe('closed');
    expect(answer.task).toMatchObject<Partial<TaskView>>({
      status: 'done',
      outcome: { kind: 'closed', note: '账户已更正' },
    });
  });

  it('releases and reassigns as the roles allow; a wrong command line exits 2 and --help 0', async () => {
    expect(await cli(['claim', review])).toMatchObject({ code: 0 });
    const released = await cli(['release', review], tokens.supervisor);
    expect([released.code, released.stdout]).toEqual([0, expect.stringContaining(`released 已退回 ${review}`)]);
    const reassign = await cli(['reassign', review, '--to', 'u_aaaaaaaaaaaaaaaa']);
    expect([reassign.code, reassign.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
    const unknown = await cli(['reassign', review, '--to', 'u_aaaaaaaaaaaaaaaa'], tokens.supervisor);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('UNKNOWN_USER [assigneeId]')]);
    expect(await cli(['reassign', review])).toMatchObject({ code: 2, stderr: expect.stringContaining('--to') });
    expect(await cli(['complete', review])).toMatchObject({ code: 2 });
    const help = await cli(['--help']);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^usage: applyfree task/)]);
  });
});
