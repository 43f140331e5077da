/**
 * `applyfree case …` against the API on the real stack: a supervisor searches by resident ID
 * with a reason and reads masked lines (the last four characters, no birth date), reads the
 * timeline with the decision's conditions and Temporal UI links, unmasks with a reason (logged,
 * then in the timeline), and gets --json for scripts; refusals are one line with their code and
 * field (exit 1), a wrong command line exits 2.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CaseSearchResult } from '../services/cases/service.js';
import { openCaseApi, TEMPORAL_UI, type CaseApi } from './support/case-api.js';
import { finished, runEntry } from './support/run-node.js';

const stack = inject('stack');
let env: CaseApi;

beforeAll(async () => {
  env = await openCaseApi(stack, 'clicase');
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const cli = (args: string[], token: string = env.tokens.supervisor) =>
  finished(runEntry('cli/main.ts', ['case', ...args], { APPLYFREE_API_URL: env.url, APPLYFREE_TOKEN: token }));
const masked = () => `**************${env.child.id.slice(-4)}`;

describe('applyfree case', () => {
  it('searches by resident ID with a reason, the identifier masked and no birth date, and prints JSON with --json', async () => {
    const unexplained = await cli(['search', '--subject', env.child.id]);
    expect([unexplained.code, unexplained.stderr]).toEqual([1, expect.stringContaining('REASON_REQUIRED [reason]')]);
    const human = await cli(['search', '--subject', env.child.id, '--reason', '核实群众来电反映的情况']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${env.birthCase}  — birth.registered  ${masked()}  decided · eligible`);
    expect(human.stdout).toContain('childcare-subsidy v1 eligible 3000');
    expect(human.stdout).toMatch(/^1 case\(s\) · 共 1 件$/m);
    expect(human.stdout).not.toContain(env.child.id);

    const json = await cli(['search', '--policy', 'business-startup-subsidy', '--json']);
    expect((JSON.parse(json.stdout) as CaseSearchResult).cases.map((c) => c.caseId)).toEqual([env.reviewCase]);
  }, 30_000);

  it('reads the resident ID from standard input with --subject -, so it is in no process list', async () => {
    const child = runEntry('cli/main.ts', ['case', 'search', '--subject', '-', '--reason', '核实群众来电反映的情况'], {
      APPLYFREE_API_URL: env.url,
      APPLYFREE_TOKEN: env.tokens.supervisor,
    });
    expect(child.spawnargs.join(' ')).not.toContain(env.child.id);
    child.stdin.end(`${env.child.id}\n`);
    const run = await finished(child);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(`${env.birthCase}  — birth.registered  ${masked()}`);

    const empty = runEntry('cli/main.ts', ['case', 'search', '--subject', '-', '--reason', '核实群众来电反映的情况'], {
      APPLYFREE_API_URL: env.url,
      APPLYFREE_TOKEN: env.tokens.supervisor,
    });
    empty.stdin.end();
    const refused = await finished(empty);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('--subject -: give the identifier')]);
  }, 30_000);

  it('prints the timeline in order with condition values and Temporal UI links', async () => {
    const run = await cli(['timeline', env.birthCase]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`subject 当事人: ${masked()} (person, ${env.child.subjectKey})`);
    expect(run.stdout).toMatch(new RegExp(`^  lifeEvent\\s+${env.birthCase}  ${TEMPORAL_UI}/namespaces/`, 'm'));
    expect(run.stdout).toMatch(
      /R {2}childcare-subsidy 第1版：符合，金额 3000 · childcare-subsidy v1: eligible, amount 3000 {2}— rules engine/,
    );
    expect(run.stdout).toMatch(/^ {6}✓ .+: person\.localHukou = true$/m);
    expect(run.stdout).toMatch(/^ {6}✓ .+: person\.birthDate = "\*\*\*"$/m);
    expect(run.stdout).toContain('birth.registered (a birth date, not shown · 出生日期不显示)');
    const order = ['收到生活事件', '调取共享数据并判定', '发放 childcare-subsidy', '通知（grant.awarded）已送达'].map(
      (text) => run.stdout.indexOf(text),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(run.stdout).not.toContain(env.child.id);
  }, 30_000);

  it('unmasks with a reason, which the timeline then shows; refuses without one or for a citizen', async () => {
    const usage = await cli(['unmask', env.birthCase]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^applyfree case: unmask <caseId> --reason/);

    const short = await cli(['unmask', env.birthCase, '--reason', 'why']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^applyfree: REASON_REQUIRED \[reason\]: state why .* · 请说明/);

    const citizen = await cli(['unmask', env.birthCase, '--reason', 'my own case'], env.tokens.citizen);
    expect([citizen.code, citizen.stderr]).toEqual([
      1,
      expect.stringMatching(/^applyfree: FORBIDDEN_ROLE: only a supervisor may unmask/),
    ]);

    const revealed = await cli([
      'unmask',
      env.birthCase.replace(/^life-event:/, ''),
      '--reason',
      '核实补贴发放对象身份',
    ]);
    expect(revealed.code).toBe(0);
    expect(revealed.stdout).toContain(`${env.birthCase}: ${env.child.id} (person)`);
    const timeline = await cli(['timeline', env.birthCase]);
    expect(timeline.stdout).toContain('周督查查看了完整身份标识，理由：核实补贴发放对象身份');
  }, 30_000);

  it('refuses an officer and a malformed ID in one line each', async () => {
    const officer = await cli(['search'], env.tokens.officer);
    expect([officer.code, officer.stderr]).toEqual([
      1,
      expect.stringMatching(/^applyfree: FORBIDDEN_ROLE: only a supervisor.* · 只有督查人员/),
    ]);
    const bad = await cli(['search', '--subject', '37140220260310123', '--reason', '核实群众来电反映的情况']);
    expect([bad.code, bad.stderr.trim().split('\n')]).toEqual([
      1,
      [expect.stringMatching(/^applyfree: INVALID_RESIDENT_ID \[subject\]: Invalid resident ID/)],
    ]);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
  }, 30_000);
});
