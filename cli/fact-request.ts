/**
 * `applyfree fact-request …` (数据需求): an officer asks the department that owns a fact the catalog
 * lacks for it, follows the answer and may withdraw it — through the API as the person in
 * APPLYFREE_TOKEN, with the same roles as the console. The department answers with its own signed
 * request (README "Fact requests"), not with this command. Human output by default, `--json` for scripts.
 */
import type { FactRequestAlert, FactRequestView } from '../services/fact-requests/service.js';
import type { CommandContext } from './context.js';

export const FACT_REQUEST_USAGE = `usage: applyfree fact-request <command> [--json]  数据需求: ask a department for a fact the catalog lacks
  file --what TEXT --why TEXT --policy P[@VERSION] --legal-basis TEXT (--department D | --source S)
       [--key person.field] [--type date|number|boolean|string] [--request-key K]
                                       file a request (officers); the same filing (or --request-key) files once
  list [--status open|answered|refused|withdrawn] [--department D] [--policy P] [--mine]
                                       requests, newest first, and your alerts about their answers
  show <request-id>                    one request with its answer (the catalog draft that adds the fact)
  withdraw <request-id>                withdraw an open request you filed`;

/** An instant as the city reads it: YYYY-MM-DD HH:MM in Asia/Shanghai (UTC+8 all year). */
const cityTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

const STATUS_ZH: Record<string, string> = {
  open: '待答复',
  answered: '已答复',
  refused: '已拒绝',
  withdrawn: '已撤回',
};

const line = (r: FactRequestView) =>
  `${r.id}  ${r.status} · ${STATUS_ZH[r.status] ?? r.status}  ${r.department}  ${r.fact.key ?? r.fact.description.slice(0, 30)}  ${r.policy.id}${r.policy.version ? `@${r.policy.version}` : ''}  due 时限 ${cityTime(r.dueAt)}`;

function details(r: FactRequestView): string[] {
  const lines = [
    line(r),
    `  fact 数据项: ${r.fact.description}${r.fact.key ? ` (${r.fact.key}${r.fact.type ? `, ${r.fact.type}` : ''})` : ''}`,
    `  why 用途: ${r.why}`,
    `  legal basis 共享依据: ${r.legalBasis}`,
    `  asked 提供部门: ${r.departmentName.zh} · ${r.departmentName.en} (${r.department})${r.sourceId ? `, source 数据源 ${r.sourceId}` : ''}`,
    `  filed 提出: ${cityTime(r.filedAt)} by ${r.filedBy.name}`,
  ];
  if (r.answer?.kind === 'fact-added')
    lines.push(
      `  answered 已答复 ${cityTime(r.answeredAt!)}${r.answeredInTime ? ' (within one working day · 1个工作日内)' : ' (late · 超时)'}: ${r.answer.factKey} added to ${r.answer.sourceId}`,
      `    catalog draft 目录草稿 ${r.answer.draftId}: a second person publishes it · 待第二人审核发布`,
    );
  if (r.answer?.kind === 'refused') lines.push(`  refused 已拒绝 ${cityTime(r.answeredAt!)}: ${r.answer.reason}`);
  if (r.withdrawnAt) lines.push(`  withdrawn 已撤回 ${cityTime(r.withdrawnAt)}`);
  return lines;
}

/** Runs one `applyfree fact-request` command; returns the exit code. */
export async function runFactRequestCommand(argv: string[], context: CommandContext): Promise<number> {
  const { api, flag, usage, out } = context;
  const [command, ...rest] = argv;
  const path = (id: string | undefined) => {
    if (!id || id.startsWith('--')) throw usage('give a fact request ID, e.g. fr_abcdefghijklmnopqrstuvwxyz');
    return `/fact-requests/${encodeURIComponent(id)}`;
  };
  switch (command) {
    case 'file': {
      const what = flag(rest, '--what');
      const why = flag(rest, '--why');
      const policy = flag(rest, '--policy');
      const legalBasis = flag(rest, '--legal-basis');
      const department = flag(rest, '--department');
      const sourceId = flag(rest, '--source');
      if (!what || !why || !policy || !legalBasis || (!department && !sourceId))
        throw usage('file needs --what, --why, --policy, --legal-basis and --department or --source');
      const [policyId, version] = policy.split('@');
      if (version !== undefined && !/^\d+$/.test(version))
        throw usage('--policy: P or P@VERSION, e.g. old-age-allowance@3');
      const key = flag(rest, '--key');
      const type = flag(rest, '--type');
      const requestKey = flag(rest, '--request-key');
      const { request, created } = (await api('POST', '/fact-requests', {
        fact: { description: what, ...(key ? { key } : {}), ...(type ? { type } : {}) },
        why,
        policy: { id: policyId, ...(version ? { version: Number(version) } : {}) },
        legalBasis,
        ...(department ? { department } : {}),
        ...(sourceId ? { sourceId } : {}),
        ...(requestKey ? { requestKey } : {}),
      })) as { request: FactRequestView; created: boolean };
      out.print(
        [
          created
            ? `filed 已提出 ${request.id}: ${request.departmentName.zh} answers by ${cityTime(request.dueAt)} · 应于此前答复`
            : `filed before 此前已提出 ${request.id} (nothing new was filed · 未重复提出)`,
          ...details(request),
        ],
        { request, created },
      );
      return 0;
    }
    case 'list': {
      const query = new URLSearchParams();
      for (const [name, param] of [
        ['--status', 'status'],
        ['--department', 'department'],
        ['--policy', 'policy'],
      ] as const) {
        const value = flag(rest, name);
        if (value) query.set(param, value);
      }
      if (rest.includes('--mine')) query.set('mine', 'true');
      const { requests, alerts } = (await api('GET', `/fact-requests${query.size ? `?${query}` : ''}`)) as {
        requests: FactRequestView[];
        alerts: FactRequestAlert[];
      };
      out.print(
        [
          ...alerts.slice(0, 5).map((alert) => `! ${cityTime(alert.at)}  ${alert.text.zh} · ${alert.text.en}`),
          ...(requests.length
            ? [...requests.map(line), `${requests.length} request(s) · 共 ${requests.length} 项`]
            : ['no fact requests · 没有数据需求']),
        ],
        { requests, alerts },
      );
      return 0;
    }
    case 'show': {
      const request = (await api('GET', path(rest[0]))) as FactRequestView;
      out.print(details(request), request);
      return 0;
    }
    case 'withdraw': {
      const request = (await api('POST', `${path(rest[0])}/withdraw`, {})) as FactRequestView;
      out.print([`withdrawn 已撤回 ${request.id}`, ...details(request)], request);
      return 0;
    }
    default:
      throw usage(command ? `unknown fact-request command "${command}"` : 'name a fact-request command');
  }
}
