/**
 * `applyfree objection …` (异议): file an objection, list and show objections, record the owning
 * department's correction and, as a second supervisor, confirm or reject it, re-check or reject — through the API as the person in APPLYFREE_TOKEN,
 * so the same roles and masking apply as in the console. Human output by default, `--json` for scripts.
 */
import type { ObjectionView } from '../services/objections/view.js';

/** What cli.ts lends: its API call, argument helper, usage errors and output. */
export interface ObjectionCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  flag(args: string[], name: string): string | undefined;
  identifier(args: string[], name: string): Promise<string | undefined>;
  usage(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
}

export const OBJECTION_USAGE = `usage: applyfree objection <command> [--json]  异议: dispute a decision or a data value
  file --policy P [--case C] --statement TEXT [--fact F [--claimed V]]
                                       file (citizens their own; supervisors from the citizen's case, --case)
  list [--status S] [--policy P]       objections, newest first
  show <objection-id>                  one objection with its steps, correction and outcome
  correct <objection-id> --value V --reason TEXT [--fact F]
                                       record the owning department's correction (a supervisor who did not
                                       file it); it applies once a second supervisor confirms it
  confirm <objection-id> [--reject --reason TEXT]
                                       confirm the recorded correction (neither its recorder nor the filer):
                                       the record changes, the citizen is told, re-evaluation follows
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
      `  correction 更正: ${c.department} ${c.fact} ${JSON.stringify(c.oldValue) ?? '(none)'} → ${JSON.stringify(c.newValue)} by ${c.by.name}${c.confirmedBy ? `, confirmed by 确认 ${c.confirmedBy.name}` : ''}: ${c.reason}`,
    );
  }
  if (o.pendingCorrection) {
    const p = o.pendingCorrection;
    lines.push(
      `  correction awaiting confirmation 待确认的更正: ${p.fact} → ${JSON.stringify(p.value)} recorded by 登记 ${p.by.name}: ${p.reason}`,
      `    a second supervisor confirms it: applyfree objection confirm ${o.id}`,
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
  const { api, flag, identifier, usage, out } = context;
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
        subject: await identifier(rest, '--subject'),
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
        [
          `recorded 已登记 ${corrected.id}: it applies once a second supervisor confirms it · 待另一位督查人员确认后生效`,
          ...details(corrected),
        ],
        corrected,
      );
      return 0;
    }
    case 'confirm': {
      const reject = rest.includes('--reject');
      const args = rest.filter((arg) => arg !== '--reject');
      const reason = flag(args, '--reason');
      if (reject && !reason) throw usage('confirm <objection-id> --reject --reason "why it is rejected"');
      const confirmed = (await api('POST', `${path(args[0])}/confirm`, {
        action: reject ? 'reject' : 'confirm',
        ...(reason ? { reason } : {}),
      })) as ObjectionView;
      out.print(
        [
          reject
            ? `rejected 已退回 the correction of ${confirmed.id}: nothing changed · 记录未改变`
            : `corrected 已更正 ${confirmed.id}: the citizen is told, re-evaluation follows · 已通知本人，将重新判定`,
          ...details(confirmed),
        ],
        confirmed,
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
