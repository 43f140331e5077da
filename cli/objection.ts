/**
 * `applyfree objection …` (异议): file an objection, list and show objections, record the owning
 * department's correction, re-check or reject — through the API as the person in APPLYFREE_TOKEN,
 * so the same roles and masking apply as in the console. Human output by default, `--json` for scripts.
 */
import type { ObjectionView } from '../services/objections/view.js';

/** What cli.ts lends: its API call, argument helper, usage errors and output. */
export interface ObjectionCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  flag(args: string[], name: string): string | undefined;
  usage(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
}

export const OBJECTION_USAGE = `usage: applyfree objection <command> [--json]  异议: dispute a decision or a data value
  file --policy P [--case C] [--subject ID] --statement TEXT [--fact F [--claimed V]]
                                       file (citizens their own; officers and supervisors name the resident)
  list [--status S] [--policy P]       objections, newest first
  show <objection-id>                  one objection with its steps, correction and outcome
  correct <objection-id> --value V --reason TEXT [--fact F]
                                       the owning department's correction (supervisor); re-evaluation follows
  resolve <objection-id> --action reevaluate|reject --reason TEXT   (supervisor)`;

/** An instant as the city reads it: YYYY-MM-DD HH:MM:SS in Asia/Shanghai (UTC+8 all year). */
const cityTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const STATUS_ZH: Record<string, string> = {
  filed: '已受理',
  correcting: '更正中',
  're-evaluating': '复核中',
  resolved: '已办结',
  rejected: '不予支持',
};

/** A value typed on the command line: JSON where it parses (2, true), text otherwise (physical). */
const parseValue = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const line = (o: ObjectionView) =>
  `${o.id}  ${o.status} · ${STATUS_ZH[o.status] ?? o.status}  ${o.policyId}  ${o.subject.maskedId ?? o.subjectKey}  ${o.kind}${o.fact ? ` ${o.fact}` : ''}  ${cityTime(o.filedAt)}`;

function details(o: ObjectionView): string[] {
  const lines = [
    line(o),
    `  case 案件: ${o.caseId}`,
    `  statement 异议: ${o.statement}`,
    `  filed by 提出人: ${o.filedBy.name} (${o.filedBy.role})`,
  ];
  if (o.claimedValue !== undefined) lines.push(`  claimed 主张: ${o.fact} = ${JSON.stringify(o.claimedValue)}`);
  if (o.correction) {
    const c = o.correction;
    lines.push(
      `  correction 更正: ${c.department} ${c.fact} ${JSON.stringify(c.oldValue) ?? '(none)'} → ${JSON.stringify(c.newValue)} by ${c.by.name}: ${c.reason}`,
    );
  }
  if (o.outcome) {
    const out = o.outcome;
    lines.push(
      `  outcome 结果: ${out.previousOutcome} ${out.amountBefore ?? ''} → ${out.outcome} ${out.amountAfter ?? ''}${out.arrears ? `; arrears 补发 ${out.arrears}` : ''}${out.overpayment ? `; recovery 追回 ${out.overpayment}` : ''}`,
    );
  }
  lines.push(
    '  steps 过程:',
    ...o.steps.map((s) => `    ${cityTime(s.at)}  ${s.summary.zh} · ${s.summary.en}  — ${s.actor}`),
    `  timeline: ${o.links.timeline}`,
  );
  return lines;
}

/** Runs one `applyfree objection` command; returns the exit code. */
export async function runObjectionCommand(argv: string[], context: ObjectionCommandContext): Promise<number> {
  const { api, flag, usage, out } = context;
  const [command, ...rest] = argv;
  const path = (id: string | undefined) => {
    if (!id || id.startsWith('--')) throw usage('give an objection ID, e.g. obj-1a2b3c4d5e6f');
    return `/objections/${encodeURIComponent(id)}`;
  };
  switch (command) {
    case 'file': {
      const body = {
        policyId: flag(rest, '--policy'),
        caseId: flag(rest, '--case'),
        subject: flag(rest, '--subject'),
        statement: flag(rest, '--statement'),
        fact: flag(rest, '--fact'),
        claimedValue: ((value) => (value === undefined ? undefined : parseValue(value)))(flag(rest, '--claimed')),
      };
      if (!body.policyId || !body.statement) throw usage('file needs --policy and --statement');
      const filed = (await api('POST', '/objections', {
        ...JSON.parse(JSON.stringify(body)),
        kind: body.fact ? 'data' : 'decision',
      })) as ObjectionView;
      out.print([`filed 已受理 ${filed.id}`, ...details(filed)], filed);
      return 0;
    }
    case 'list': {
      const query = new URLSearchParams();
      const status = flag(rest, '--status');
      const policy = flag(rest, '--policy');
      if (status) query.set('status', status);
      if (policy) query.set('policy', policy);
      const { objections } = (await api('GET', `/objections${query.size ? `?${query}` : ''}`)) as {
        objections: ObjectionView[];
      };
      out.print(
        objections.length
          ? [...objections.map(line), `${objections.length} objection(s) · 共 ${objections.length} 件`]
          : 'no objections · 没有异议',
        { objections },
      );
      return 0;
    }
    case 'show': {
      const objection = (await api('GET', path(rest[0]))) as ObjectionView;
      out.print(details(objection), objection);
      return 0;
    }
    case 'correct': {
      const value = flag(rest, '--value');
      const reason = flag(rest, '--reason');
      const fact = flag(rest, '--fact');
      if (value === undefined || !reason) throw usage('correct <objection-id> --value V --reason "why" [--fact F]');
      const corrected = (await api('POST', `${path(rest[0])}/correct`, {
        ...(fact ? { fact } : {}),
        value: parseValue(value),
        reason,
      })) as ObjectionView;
      out.print(
        [`corrected 已更正 ${corrected.id}: re-evaluation follows · 将重新判定`, ...details(corrected)],
        corrected,
      );
      return 0;
    }
    case 'resolve': {
      const action = flag(rest, '--action');
      const reason = flag(rest, '--reason');
      if (!action || !reason) throw usage('resolve <objection-id> --action reevaluate|reject --reason "why"');
      const resolved = (await api('POST', `${path(rest[0])}/resolve`, { action, reason })) as ObjectionView;
      out.print(details(resolved), resolved);
      return 0;
    }
    default:
      throw usage(command ? `unknown objection command "${command}"` : 'name an objection command');
  }
}
