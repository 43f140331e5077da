/**
 * `applyfree metrics` (监督指标): the programme's indicators from GET /programme-metrics, as the
 * person in APPLYFREE_TOKEN (supervisor, officer or reviewer) — for a period, a policy or a
 * department. Human output by default: each indicator with its Chinese and English name, the
 * grants by month as bars, the rows by policy; `--json` gives the API's answer for scripts.
 */
import type { Text } from '../domain/sources.js';
import type { Latency, ProgrammeMetrics } from '../services/metrics/service.js';

/** What cli.ts lends: its API call, argument helper, usage errors and output. */
export interface MetricsCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  flag(args: string[], name: string): string | undefined;
  usage(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
}

export const METRICS_USAGE = `usage: applyfree metrics [--from D] [--to D] [--policy ID] [--department NAME] [--json]
                                       监督指标: grants, take-up, undetermined causes, latency, data sharing, certificate substitution`;

const FLAGS = { '--from': 'from', '--to': 'to', '--policy': 'policy', '--department': 'department' } as const;
const BAR_WIDTH = 30;

const count = (n: number) => n.toLocaleString('en');
const money = (n: number) => `¥${n.toLocaleString('en', { maximumFractionDigits: 2 })}`;
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const both = (text: Text) => `${text.zh} ${text.en}`;
const seconds = (value: number | undefined) =>
  value === undefined ? '—' : value < 60 ? `${value.toFixed(1)} s` : `${(value / 60).toFixed(1)} min`;
const latencyText = (l: Latency) =>
  l.count === 0
    ? 'no grants from cases · 无'
    : `p50 ${seconds(l.p50Seconds)} · p90 ${seconds(l.p90Seconds)} · p99 ${seconds(l.p99Seconds)}  (n=${count(l.count)})`;

/** The report as lines: each indicator, grants by month as bars, then the policies. */
/** The seed indicators of proof-free applications: each against its target, then by department and month. */
function proofIndicatorLines(m: ProgrammeMetrics): string[] {
  const ind = m.indicators;
  const p = m.proofIndicators;
  const share = (s: { part: number; whole: number; rate: number | null }) =>
    `${percent(s.rate)}  (${count(s.part)} / ${count(s.whole)})`;
  const target = (rate: number | undefined) => (rate === undefined ? '' : `; target 目标 ${Math.round(rate * 100)}%`);
  const latest = p.rows.at(-1)?.targets ?? {};
  return [
    `${both(ind.fieldSharing.label)}: ${share(p.total.fieldSharing)}${target(latest.fieldSharing)}`,
    `${both(ind.proofSharing.label)}: ${share(p.total.proofSharing)}${target(latest.proofSharing)}${p.total.uploads ? `  uploads 上传 ${count(p.total.uploads)}` : ''}`,
    `${both(ind.certificateSubstitution.label)}: ${share(p.total.certificateSubstitution)}`,
    ...p.rows.map(
      (row) =>
        `  ${row.month}  ${row.department}  applications 申请 ${count(row.applications)} · fields 字段 ${percent(row.fieldSharing.rate)} · proofs 证明 ${percent(row.proofSharing.rate)} · certificates 证照 ${percent(row.certificateSubstitution.rate)}`,
    ),
    `${both(ind.proofFreeMatters.label)}: ${percent(p.proofFreeMatters.total.rate)}  (${count(p.proofFreeMatters.total.proofFree)} / ${count(p.proofFreeMatters.total.matters)})`,
  ];
}

export function metricsLines(m: ProgrammeMetrics): string[] {
  const { indicators: ind } = m;
  const scope = [
    m.filter.from || m.filter.to ? `${m.filter.from ?? '…'} – ${m.filter.to ?? '…'}` : 'all time · 全部时间',
    ...(m.filter.policy ? [`policy 政策 ${m.filter.policy}`] : []),
    ...(m.filter.department ? [`department 部门 ${m.filter.department}`] : []),
  ].join(' · ');
  const lines = [
    `监督指标 programme metrics  ${scope}`,
    '',
    `${both(ind.proactiveGrants.label)}: ${count(m.grants.count)}  ${money(m.grants.amount)}${m.grants.revoked ? `  (revoked 已撤销 ${count(m.grants.revoked)})` : ''}`,
    `${both(ind.takeUp.label)}: ${percent(m.takeUp.rate)}  (${count(m.takeUp.granted)} / ${count(m.takeUp.eligible)})`,
    `${both(ind.undeterminedRate.label)}: ${percent(m.undetermined.rate)}  (${count(m.undetermined.undetermined)} / ${count(m.undetermined.decisions)})`,
    ...m.undetermined.causes
      .slice(0, 5)
      .map(
        (c) =>
          `    ${count(c.count).padStart(6)}  ${c.factLabel.zh} · ${c.department.zh} — ${c.reasonLabel.zh} (${c.fact}, ${c.reasonLabel.en})`,
      ),
    `${both(ind.eventToGrantLatency.label)}: ${latencyText(m.latency)}`,
    `${both(ind.dataSharingSatisfaction.label)}: ${percent(m.dataSharing.rate)}  (${count(m.dataSharing.answered)} / ${count(m.dataSharing.requested)}${m.dataSharing.failed ? `, failed 失败 ${count(m.dataSharing.failed)}` : ''})`,
    `${both(ind.dataSharingDemand.label)}: ${percent(m.dataSharingDemand.total.rate)}  (${count(m.dataSharingDemand.total.satisfied)} / ${count(m.dataSharingDemand.total.due)}; target 目标 ${Math.round(m.dataSharingDemand.target.rate * 1000) / 10}%)`,
    ...m.dataSharingDemand.rows.map(
      (row) =>
        `  ${row.month}  ${row.department}  ${percent(row.rate)}  (${count(row.satisfied)} / ${count(row.due)}; late 超时 ${count(row.late)}, refused 拒绝 ${count(row.refused)}, unanswered 未答复 ${count(row.unanswered)})`,
    ),
    ...proofIndicatorLines(m),
  ];
  if (m.casesRunning !== undefined) lines.push(`cases running 处理中案件: ${count(m.casesRunning)}`);

  if (m.grants.byMonth.length > 0) {
    const most = Math.max(...m.grants.byMonth.map((month) => month.count), 1);
    lines.push('', 'grants by month 按月兑现');
    for (const month of m.grants.byMonth) {
      const bar = '█'.repeat(Math.max(month.count > 0 ? 1 : 0, Math.round((month.count / most) * BAR_WIDTH)));
      lines.push(`  ${month.month}  ${bar.padEnd(BAR_WIDTH)}  ${count(month.count)}  ${money(month.amount)}`);
    }
  }
  if (m.byPolicy.length > 0) {
    lines.push('', 'by policy 按政策: grants 兑现 · amount 金额 · take-up 应享尽享 · undetermined 待定');
    for (const row of m.byPolicy) {
      const takeUp = row.takeUpEligible > 0 ? row.takeUpGranted / row.takeUpEligible : null;
      const undetermined = row.decisions > 0 ? row.undetermined / row.decisions : null;
      lines.push(
        `  ${row.title.zh} (${row.policyId})  ${count(row.grants)} · ${money(row.amount)} · ${percent(takeUp)} · ${percent(undetermined)}`,
      );
    }
  }
  return lines;
}

/** Runs `applyfree metrics`; returns the exit code. */
export async function runMetricsCommand(argv: string[], context: MetricsCommandContext): Promise<number> {
  const { api, flag, usage, out } = context;
  const rest = [...argv];
  const query = new URLSearchParams();
  for (const [name, key] of Object.entries(FLAGS)) {
    const value = flag(rest, name);
    if (value !== undefined) query.set(key, value);
  }
  if (rest.length > 0) throw usage(`unexpected ${rest.join(' ')}: metrics takes --from, --to, --policy, --department`);
  const metrics = (await api('GET', `/programme-metrics${query.size ? `?${query}` : ''}`)) as ProgrammeMetrics;
  out.print(metricsLines(metrics), metrics);
  return 0;
}
