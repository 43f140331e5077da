/**
 * `applyfree case …` (案件督查): search cases (by resident ID with a stated reason), read one
 * case's timeline, unmask its identifier or explain its decision from the subject's data, each
 * with a stated reason, assign its pledge inspections — through the API as the person in
 * APPLYFREE_TOKEN, so the same roles and masking apply as in the console. Human output by
 * default (times in the city's zone), `--json` for scripts.
 */
import type { Explanation } from '../rules/explain-subject.js';
import type { CaseSearchResult } from '../services/cases/service.js';
import type { CaseTimeline } from '../services/cases/timeline.js';
import { lifeEventWorkflowIdFromInput } from '../workflows/contracts/case.js';
import { formatExplanation } from './explain.js';

/** What cli.ts lends: its API call, argument helper, usage errors and output. */
export const CASE_USAGE = `usage: applyfree case <command> [--json]      案件督查: trace cases (supervisor; citizens their own, inspectors assigned ones)
  search [--subject ID|- --reason TEXT] [--policy P] [--event-type T] [--status S] [--outcome O] [--from D] [--to D]
         [--limit N] [--before CURSOR] cases, newest first, identifiers masked (--before: the next ones); a
                                       search by resident ID or credit code needs a reason, which is
                                       logged (20 a minute); --subject - reads it from stdin,
                                       out of the process list and shell history
  timeline <case-id>                   everything that happened, in order, with Temporal UI links
  unmask <case-id> --reason TEXT       the full resident ID or credit code; the reason is logged
  explain <case-id> <policy> --reason TEXT [--version N] [--as-of D]
                                       why the case's decision is what it is, from the subject's data
                                       (sensitive data withheld); the reason is logged (supervisor)
  assign <case-id> --inspector USER-ID assign the case's pledge inspections to an inspector by user ID (supervisor)`;

export interface CaseCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  flag(args: string[], name: string): string | undefined;
  identifier(args: string[], name: string): Promise<string | undefined>;
  usage(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
}

/** An instant as the city reads it: YYYY-MM-DD HH:MM:SS in Asia/Shanghai (UTC+8 all year). */
const cityTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const casePath = (caseId: string) => `/cases/${encodeURIComponent(lifeEventWorkflowIdFromInput(caseId))}`;
const SEARCH_FLAGS = {
  '--subject': 'subject',
  '--reason': 'reason',
  '--policy': 'policy',
  '--event-type': 'eventType',
  '--status': 'status',
  '--outcome': 'outcome',
  '--from': 'from',
  '--to': 'to',
  '--limit': 'limit',
  '--before': 'before',
} as const;

function searchLines(result: CaseSearchResult): string[] {
  if (result.cases.length === 0) return ['no cases found · 未找到案件'];
  const lines = result.cases.map((c) => {
    const policies = c.policies
      .map((p) => `${p.id} v${p.version} ${p.outcome}${p.amount === undefined ? '' : ` ${p.amount}`}`)
      .join('; ');
    return `${c.caseId}  ${c.eventDate ?? '—'} ${c.eventType}  ${c.subject.maskedId ?? c.subject.subjectKey}  ${c.caseStatus}${c.outcome ? ` · ${c.outcome}` : ''}${policies ? `  ${policies}` : ''}`;
  });
  lines.push(
    `${result.cases.length} case(s) · 共 ${result.cases.length} 件${result.temporal === 'unavailable' ? ' (Temporal visibility did not answer: records only · 仅来自业务记录)' : ''}`,
  );
  if (result.next) lines.push(`more · 更多: --before ${result.next}`);
  return lines;
}

function timelineLines(timeline: CaseTimeline): string[] {
  const lines = [
    `${timeline.caseId}  ${timeline.eventType} ${timeline.eventDate ?? '(a birth date, not shown · 出生日期不显示)'}`,
    `  subject 当事人: ${timeline.subject.maskedId ?? '(unknown)'} (${timeline.subject.kind}, ${timeline.subject.subjectKey})`,
    ...timeline.workflows.map(
      (w) =>
        `  ${w.type.padEnd(13)} ${w.workflowId}${w.temporalUi ? `  ${w.temporalUi}` : ''}${w.history === 'read' ? '' : '  (history not found · 无历史)'}`,
    ),
    '',
  ];
  for (const entry of timeline.entries) {
    lines.push(
      `${cityTime(entry.at)}  ${entry.source === 'temporal' ? 'T' : 'R'}  ${entry.summary.zh} · ${entry.summary.en}  — ${entry.actor}`,
    );
    const conditions =
      entry.kind === 'decision'
        ? ((entry.detail?.conditions as Array<{
            fact: string;
            factValue: unknown;
            result: unknown;
            label?: { zh: string };
          }>) ?? [])
        : [];
    for (const c of conditions)
      lines.push(
        `      ${c.result === true ? '✓' : c.result === false ? '✗' : '?'} ${c.label?.zh ?? c.fact}: ${c.fact} = ${JSON.stringify(c.factValue) ?? '(missing · 缺失)'}`,
      );
  }
  lines.push('', 'T = Temporal history · 工作流历史, R = record · 业务记录');
  return lines;
}

/** Runs one `applyfree case` command; returns the exit code. */
export async function runCaseCommand(argv: string[], context: CaseCommandContext): Promise<number> {
  const { api, flag, identifier, usage, out } = context;
  const args = [...argv];
  const [command, ...rest] = args;
  switch (command) {
    case 'search': {
      // In the body of a POST: an identifier never travels in a URL (security review S11).
      const search: Record<string, string | number> = {};
      for (const [name, key] of Object.entries(SEARCH_FLAGS)) {
        const value = name === '--subject' ? await identifier(rest, name) : flag(rest, name);
        if (value === undefined) continue;
        if (key === 'limit' && !/^\d+$/.test(value)) throw usage(`--limit: a whole number 1-200, got "${value}"`);
        search[key] = key === 'limit' ? Number(value) : value;
      }
      if (rest.length > 0)
        throw usage(
          `unexpected ${rest.join(' ')}: search takes --subject, --reason, --policy, --event-type, --status, --outcome, --from, --to, --limit, --before`,
        );
      const result = (await api('POST', '/cases/search', search)) as CaseSearchResult;
      out.print(searchLines(result), result);
      return 0;
    }
    case 'timeline': {
      if (!rest[0]) throw usage('give a case ID, e.g. life-event:hr-birth-123');
      const timeline = (await api('GET', `${casePath(rest[0])}/timeline`)) as CaseTimeline;
      out.print(timelineLines(timeline), timeline);
      return 0;
    }
    case 'unmask': {
      const reason = flag(rest, '--reason');
      if (!rest[0] || !reason) throw usage('unmask <caseId> --reason "why you need the identifier" (logged)');
      const answer = (await api('POST', `${casePath(rest[0])}/unmask`, { reason })) as {
        caseId: string;
        subject: { id: string; kind: string };
        reason: string;
        at: string;
      };
      out.print(
        [
          `${answer.caseId}: ${answer.subject.id} (${answer.subject.kind})`,
          `logged at 已记录 ${cityTime(answer.at)}: ${answer.reason}`,
        ],
        answer,
      );
      return 0;
    }
    case 'explain': {
      const reason = flag(rest, '--reason');
      const version = flag(rest, '--version');
      const asOf = flag(rest, '--as-of');
      const [caseId, policyId, ...extra] = rest;
      if (!caseId || !policyId || !reason || extra.length > 0)
        throw usage('explain <caseId> <policy> --reason "why you need it" [--version N] [--as-of D] (logged)');
      if (version !== undefined && !/^[1-9]\d*$/.test(version))
        throw usage(`--version must be a version number, got ${version}`);
      if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
        throw usage(`--as-of must be a YYYY-MM-DD date, got ${asOf}`);
      const explanation = (await api('POST', `${casePath(caseId)}/explain`, {
        policyId,
        reason,
        ...(version ? { version: Number(version) } : {}),
        ...(asOf ? { asOf } : {}),
      })) as Explanation;
      out.print([...formatExplanation(explanation), '', `logged · 已记录: ${reason}`], explanation);
      return 0;
    }
    case 'assign': {
      const inspector = flag(rest, '--inspector');
      if (!rest[0] || !inspector) throw usage('assign <caseId> --inspector USER-ID');
      const answer = (await api('POST', `${casePath(rest[0])}/inspector`, { inspectorId: inspector })) as {
        caseId: string;
        inspectorId: string;
        inspector: string;
        pledges: number;
      };
      out.print(
        `${answer.caseId}: ${answer.pledges} inspection(s) assigned to ${answer.inspector} (${answer.inspectorId}) · 已指派核查`,
        answer,
      );
      return 0;
    }
    default:
      throw usage(command ? `unknown case command "${command}"` : 'name a case command');
  }
}
