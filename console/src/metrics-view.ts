/**
 * Programme metrics (监督指标) in the console: the indicators of the certificate-free city plan
 * for a period — proactive grants by policy, department and month, take-up per policy, why cases
 * stay undetermined, event-to-grant latency, data-sharing satisfaction per providing department,
 * certificate substitution — as hand-written SVG bar charts over GET /programme-metrics.
 */
import { fillSelect, loadPolicyTitles } from './choices.js';
import { api, errorText } from './api.js';
import { barChart } from './charts.js';
import { h, mount } from './dom.js';
import { formatNumber, pick, t } from './i18n.js';
import { todayInCity } from './simulation-view.js';

type Text = { zh: string; en: string };
interface Latency {
  count: number;
  p50Seconds?: number;
  p90Seconds?: number;
  p99Seconds?: number;
}
interface PolicyRow {
  policyId: string;
  title: Text;
  department: Text;
  grants: number;
  amount: number;
  decisions: number;
  undetermined: number;
  takeUpEligible: number;
  takeUpGranted: number;
}
/** GET /programme-metrics (services/metrics/service.ts ProgrammeMetrics), the parts shown here. */
export interface ProgrammeMetricsView {
  readAt: string;
  indicators: Record<string, { label: Text; definition: Text }>;
  grants: {
    count: number;
    amount: number;
    revoked: number;
    byBasis: Record<string, number>;
    byMonth: Array<{ month: string; count: number; amount: number }>;
  };
  byPolicy: PolicyRow[];
  byDepartment: Array<Omit<PolicyRow, 'policyId' | 'title'>>;
  takeUp: {
    eligible: number;
    granted: number;
    rate: number | null;
    /** Undetermined subject-policy-periods, and those of them granted since (served after outreach or a review). */
    undetermined?: number;
    undeterminedServed?: number;
  };
  undetermined: {
    decisions: number;
    undetermined: number;
    rate: number | null;
    causes: Array<{
      source: string;
      department: Text;
      fact: string;
      factLabel: Text;
      reason: string;
      reasonLabel: Text;
      count: number;
    }>;
  };
  latency: Latency & { byBasis: Record<string, Latency> };
  dataSharing: {
    requested: number;
    answered: number;
    notFound: number;
    failed: number;
    rate: number | null;
    byDepartment: Array<{ department: Text; requested: number; answered: number; notFound: number; failed: number }>;
  };
  /** 数据共享有效需求满足率: fact requests answered with the fact within one working day ÷ requests due. */
  dataSharingDemand?: {
    target: { rate: number; source: Text };
    total: DemandCounts;
    rows: Array<DemandCounts & { month: string; department: string; departmentName: Text }>;
  };
  /** The seed indicators of proof-free applications (domain/proof-indicators.ts). */
  proofIndicators: {
    total: ProofCounts;
    rows: Array<
      ProofCounts & {
        month: string;
        department: string;
        departmentName: Text;
        targets: { fieldSharing?: number; proofSharing?: number };
      }
    >;
    proofFreeMatters: {
      total: { matters: number; proofFree: number; rate: number | null };
      byDepartment: Array<{
        department: string;
        departmentName: Text;
        matters: number;
        proofFree: number;
        rate: number | null;
      }>;
    };
  };
  casesRunning?: number;
}
interface Share {
  part: number;
  whole: number;
  rate: number | null;
}
interface ProofCounts {
  applications: number;
  fieldSharing: Share;
  proofSharing: Share;
  certificateSubstitution: Share;
  uploads: number;
}
interface DemandCounts {
  due: number;
  satisfied: number;
  late: number;
  refused: number;
  unanswered: number;
  rate: number | null;
}

interface Bar {
  label: string;
  value: number;
  text: string;
  series: string;
  track?: boolean;
  hint?: string;
}

/** One bar per row, its text beside it, scaled to `max` (rates: 1, drawn over a grey 100% track); `legend` pairs series with labels. */
function bars(
  title: string,
  rows: Bar[],
  max: number | undefined,
  className: string,
  legend: Array<[string, string]> = [],
): HTMLElement {
  const chartRows = rows.map((row) => ({
    label: row.label,
    hint: row.hint,
    bars: [{ value: row.value, series: row.series, text: row.text }],
  }));
  return barChart(
    title,
    chartRows,
    formatNumber,
    { max, track: rows.some((row) => row.track), legend, className },
    t('metricsNone'),
  );
}

const causeSeries = (reason: string) =>
  reason === 'source-failed' ? 'down' : reason === 'no-record' ? 'base' : 'unknown';
const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(rate >= 0.9995 || rate === 0 ? 0 : 1)}%`;
const money = (amount: number) => `¥${formatNumber(Math.round(amount))}`;

/** Seconds as the most readable unit. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function stat(label: string, value: string, detail: string, cls: string): HTMLElement {
  return h(
    'div',
    { class: `stat ${cls}` },
    h('span', {}, label),
    h('strong', {}, value),
    h('small', { class: 'muted' }, detail),
  );
}

function dashboard(m: ProgrammeMetricsView): HTMLElement {
  const label = (key: string) => pick(m.indicators[key]?.label) || key;
  const rate = (value: number, whole: number) => (whole > 0 ? value / whole : 0);
  const granted = m.byPolicy.filter((row) => row.grants > 0);
  const takeUp = m.byPolicy.filter((row) => row.takeUpEligible > 0);
  // All grants at P50, P90 and P99; then each basis at its median, its P99 beside it (offers wait for the citizen).
  const latencyRows: Bar[] = [
    ...(m.latency.count === 0
      ? []
      : (
          [
            ['P50', m.latency.p50Seconds],
            ['P90', m.latency.p90Seconds],
            ['P99', m.latency.p99Seconds],
          ] as const
        ).map(([q, v]) => ({ label: `${t('metricsAll')} ${q}`, value: v ?? 0, text: duration(v), series: 'this' }))),
    ...Object.entries(m.latency.byBasis).map(([basis, l]) => ({
      label: `${t(`metricsBasis_${basis}` as 'metricsBasis_auto')} P50`,
      value: l.p50Seconds ?? 0,
      text: `${duration(l.p50Seconds)} · P99 ${duration(l.p99Seconds)}`,
      series: 'base',
    })),
  ];
  const maxLatency = Math.max(
    1,
    m.latency.p99Seconds ?? 0,
    ...Object.values(m.latency.byBasis).map((l) => l.p99Seconds ?? 0),
  );
  return h(
    'div',
    { class: 'metrics-body' },
    h(
      'div',
      { class: 'stats metrics-stats' },
      stat(
        label('proactiveGrants'),
        formatNumber(m.grants.count),
        t('metricsAmount', { amount: money(m.grants.amount) }),
        'stat-grants',
      ),
      stat(
        label('takeUp'),
        percent(m.takeUp.rate),
        [
          t('metricsOf', { part: formatNumber(m.takeUp.granted), whole: formatNumber(m.takeUp.eligible) }),
          t('metricsUndeterminedServed', {
            part: formatNumber(m.takeUp.undeterminedServed ?? 0),
            whole: formatNumber(m.takeUp.undetermined ?? 0),
          }),
        ].join(' · '),
        'stat-takeup',
      ),
      stat(
        label('undeterminedRate'),
        percent(m.undetermined.rate),
        t('metricsOf', {
          part: formatNumber(m.undetermined.undetermined),
          whole: formatNumber(m.undetermined.decisions),
        }),
        'stat-undetermined',
      ),
      stat(
        label('eventToGrantLatency'),
        duration(m.latency.p50Seconds),
        t('metricsLatencyDetail', { p90: duration(m.latency.p90Seconds), count: formatNumber(m.latency.count) }),
        'stat-latency',
      ),
      stat(
        label('dataSharingSatisfaction'),
        percent(m.dataSharing.rate),
        t('metricsPulls', { failed: formatNumber(m.dataSharing.failed), whole: formatNumber(m.dataSharing.requested) }),
        'stat-sharing',
      ),
      m.dataSharingDemand
        ? stat(
            label('dataSharingDemand'),
            percent(m.dataSharingDemand.total.rate),
            [
              t('metricsOf', {
                part: formatNumber(m.dataSharingDemand.total.satisfied),
                whole: formatNumber(m.dataSharingDemand.total.due),
              }),
              t('metricsDemandTarget', { target: `${Math.round(m.dataSharingDemand.target.rate * 1000) / 10}%` }),
            ].join(' · '),
            'stat-demand',
          )
        : null,
      ...proofStats(m),
      stat(
        t('metricsRevoked'),
        formatNumber(m.grants.revoked),
        Object.entries(m.grants.byBasis)
          .map(([basis, n]) => `${t(`metricsBasis_${basis}` as 'metricsBasis_auto')} ${formatNumber(n)}`)
          .join(' · ') || '—',
        'stat-basis',
      ),
      stat(
        t('metricsRunning'),
        m.casesRunning === undefined ? '—' : formatNumber(m.casesRunning),
        t('metricsReadAt', { at: new Date(m.readAt).toLocaleTimeString() }),
        'stat-running',
      ),
    ),
    h(
      'div',
      { class: 'charts' },
      bars(
        t('metricsGrantsByPolicy'),
        granted.map((row) => ({
          label: pick(row.title),
          value: row.grants,
          text: row.amount > 0 ? `${formatNumber(row.grants)} · ${money(row.amount)}` : formatNumber(row.grants),
          series: 'this',
        })),
        undefined,
        'chart-grants-policy',
      ),
      bars(
        t('metricsGrantsByDepartment'),
        m.byDepartment
          .filter((row) => row.grants > 0)
          .map((row) => ({
            label: pick(row.department),
            value: row.grants,
            text: row.amount > 0 ? `${formatNumber(row.grants)} · ${money(row.amount)}` : formatNumber(row.grants),
            series: 'this',
          })),
        undefined,
        'chart-grants-department',
      ),
      bars(
        t('metricsGrantsByMonth'),
        m.grants.byMonth.map((row) => ({
          label: row.month,
          value: row.count,
          text: row.amount > 0 ? `${formatNumber(row.count)} · ${money(row.amount)}` : formatNumber(row.count),
          series: 'base',
        })),
        undefined,
        'chart-grants-month',
      ),
      bars(
        t('metricsTakeUpByPolicy'),
        takeUp.map((row) => ({
          label: pick(row.title),
          value: rate(row.takeUpGranted, row.takeUpEligible),
          text: `${percent(rate(row.takeUpGranted, row.takeUpEligible))} (${row.takeUpGranted}/${row.takeUpEligible})`,
          series: row.takeUpGranted < row.takeUpEligible ? 'unknown' : 'up',
          track: true,
        })),
        1,
        'chart-takeup',
      ),
      bars(
        t('metricsCauses'),
        m.undetermined.causes.map((cause) => ({
          label: pick(cause.factLabel),
          hint: `${pick(cause.factLabel)} · ${pick(cause.department)} · ${pick(cause.reasonLabel)}`,
          value: cause.count,
          text: formatNumber(cause.count),
          series: causeSeries(cause.reason),
        })),
        undefined,
        'chart-causes',
        [
          ...new Map(
            m.undetermined.causes.map((cause) => [
              cause.reason,
              [causeSeries(cause.reason), pick(cause.reasonLabel)] as [string, string],
            ]),
          ).values(),
        ],
      ),
      bars(t('metricsLatency'), latencyRows, maxLatency, 'chart-latency'),
      bars(
        t('metricsSharingByDepartment'),
        m.dataSharing.byDepartment.map((row) => ({
          label: pick(row.department),
          value: rate(row.answered + row.notFound, row.requested),
          text: `${percent(rate(row.answered + row.notFound, row.requested))} (${row.answered + row.notFound}/${row.requested})`,
          series: row.failed > 0 ? 'down' : 'up',
          track: true,
        })),
        1,
        'chart-sharing',
      ),
      bars(
        t('metricsDemandByDepartment'),
        (m.dataSharingDemand?.rows ?? []).map((row) => ({
          label: `${pick(row.departmentName)} · ${row.month}`,
          hint: t('metricsDemandHint', {
            late: formatNumber(row.late),
            refused: formatNumber(row.refused),
            unanswered: formatNumber(row.unanswered),
          }),
          value: row.rate ?? 0,
          text: `${percent(row.rate)} (${row.satisfied}/${row.due})`,
          series: (row.rate ?? 0) >= (m.dataSharingDemand?.target.rate ?? 1) ? 'up' : 'down',
          track: true,
        })),
        1,
        'chart-demand',
      ),
      bars(
        t('metricsProofsByDepartment'),
        m.proofIndicators.rows.flatMap((row) => [
          {
            label: `${t('metricsFieldsShort')} · ${pick(row.departmentName)} · ${row.month}`,
            hint: `${label('fieldSharing')} · ${pick(row.departmentName)} · ${row.month}`,
            value: row.fieldSharing.rate ?? 0,
            text: `${percent(row.fieldSharing.rate)} (${row.fieldSharing.part}/${row.fieldSharing.whole})`,
            series: (row.fieldSharing.rate ?? 0) >= (row.targets.fieldSharing ?? 0) ? 'up' : 'down',
            track: true,
          },
          {
            label: `${t('metricsProofsShort')} · ${pick(row.departmentName)} · ${row.month}`,
            hint: `${label('proofSharing')} · ${pick(row.departmentName)} · ${row.month} · ${t('metricsUploads', { uploads: formatNumber(row.uploads) })}`,
            value: row.proofSharing.rate ?? 0,
            text: `${percent(row.proofSharing.rate)} (${row.proofSharing.part}/${row.proofSharing.whole})`,
            series: (row.proofSharing.rate ?? 0) >= (row.targets.proofSharing ?? 0) ? 'up' : 'down',
            track: true,
          },
        ]),
        1,
        'chart-proofs',
      ),
      bars(
        t('metricsProofFreeByDepartment'),
        m.proofIndicators.proofFreeMatters.byDepartment.map((row) => ({
          label: pick(row.departmentName),
          value: row.rate ?? 0,
          text: `${percent(row.rate)} (${row.proofFree}/${row.matters})`,
          series: row.proofFree < row.matters ? 'unknown' : 'up',
          track: true,
        })),
        1,
        'chart-proof-free',
      ),
    ),
    h(
      'details',
      { class: 'metrics-definitions' },
      h('summary', {}, t('metricsDefinitions')),
      h(
        'dl',
        {},
        ...Object.values(m.indicators).flatMap((i) => [h('dt', {}, pick(i.label)), h('dd', {}, pick(i.definition))]),
      ),
    ),
  );
}

/** The seed indicators of proof-free applications as figures, each with its part of the whole and the plan's target. */
function proofStats(m: ProgrammeMetricsView): HTMLElement[] {
  const p = m.proofIndicators;
  const label = (key: string) => pick(m.indicators[key]?.label) || key;
  const latest = p.rows.at(-1)?.targets ?? {};
  const of = (s: Share) => t('metricsOf', { part: formatNumber(s.part), whole: formatNumber(s.whole) });
  const target = (rate: number | undefined) =>
    rate === undefined ? [] : [t('metricsDemandTarget', { target: `${Math.round(rate * 100)}%` })];
  return [
    stat(
      label('fieldSharing'),
      percent(p.total.fieldSharing.rate),
      [of(p.total.fieldSharing), ...target(latest.fieldSharing)].join(' · '),
      'stat-field-sharing',
    ),
    stat(
      label('proofSharing'),
      percent(p.total.proofSharing.rate),
      [
        of(p.total.proofSharing),
        ...target(latest.proofSharing),
        t('metricsUploads', { uploads: formatNumber(p.total.uploads) }),
      ].join(' · '),
      'stat-proof-sharing',
    ),
    stat(
      label('certificateSubstitution'),
      percent(p.total.certificateSubstitution.rate),
      of(p.total.certificateSubstitution),
      'stat-substitution',
    ),
    stat(
      label('proofFreeMatters'),
      percent(p.proofFreeMatters.total.rate),
      t('metricsOf', {
        part: formatNumber(p.proofFreeMatters.total.proofFree),
        whole: formatNumber(p.proofFreeMatters.total.matters),
      }),
      'stat-proof-free',
    ),
  ];
}

/** Choices of a filter select, kept across answers so a filtered answer does not narrow them: value → label. */
/** The metrics page with its filters: period (from, to: city dates; empty counts all time), policy and owning department. */
export function renderMetrics(): HTMLElement {
  const body = h('div', { class: 'metrics-result' }, h('p', { class: 'muted' }, t('loading')));
  const from = h('input', { type: 'date', class: 'metrics-from', 'aria-label': t('metricsFrom') });
  const to = h('input', { type: 'date', class: 'metrics-to', 'aria-label': t('metricsTo'), max: todayInCity() });
  const policy = h('select', { class: 'metrics-policy', 'aria-label': t('metricsPolicy') });
  const department = h('select', { class: 'metrics-department', 'aria-label': t('metricsDepartment') });
  const policies = new Map<string, Text>();
  const departments = new Map<string, Text>();
  const refreshChoices = () => {
    fillSelect(policy, t('metricsAnyPolicy'), policies);
    fillSelect(department, t('metricsAnyDepartment'), departments);
  };
  refreshChoices();
  // Every stored policy; the metrics answers add the departments and any policy not stored.
  loadPolicyTitles(policies, refreshChoices);
  const load = async () => {
    const query = new URLSearchParams();
    if (from.value) query.set('from', from.value);
    if (to.value) query.set('to', to.value);
    if (policy.value) query.set('policy', policy.value);
    if (department.value) query.set('department', department.value);
    mount(body, h('p', { class: 'muted' }, t('loading')));
    try {
      const metrics = await api<ProgrammeMetricsView>(
        'GET',
        `/programme-metrics${query.toString() ? `?${query}` : ''}`,
      );
      for (const row of metrics.byPolicy) if (!policies.has(row.policyId)) policies.set(row.policyId, row.title);
      for (const row of metrics.byDepartment) departments.set(row.department.zh, row.department);
      refreshChoices();
      mount(body, dashboard(metrics));
    } catch (error) {
      mount(body, h('p', { class: 'error-box' }, errorText(error)));
    }
  };
  const preset = (days: number | undefined) => () => {
    from.value =
      days === undefined
        ? ''
        : new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
            new Date(Date.now() - (days - 1) * 86_400_000),
          );
    to.value = days === undefined ? '' : todayInCity();
    void load();
  };
  const form = h(
    'form',
    { class: 'row metrics-filter' },
    h('label', { class: 'inline' }, t('metricsFrom'), from),
    h('label', { class: 'inline' }, t('metricsTo'), to),
    h('label', { class: 'inline' }, t('metricsPolicy'), policy),
    h('label', { class: 'inline' }, t('metricsDepartment'), department),
    h('button', { type: 'submit', class: 'primary metrics-apply' }, t('metricsApply')),
    h('button', { type: 'button', class: 'ghost metrics-30', onclick: preset(30) }, t('metricsLast30')),
    h('button', { type: 'button', class: 'ghost metrics-all', onclick: preset(undefined) }, t('metricsAllTime')),
  );
  for (const select of [policy, department]) select.addEventListener('change', () => void load());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  window.setTimeout(() => void load(), 0);
  return h(
    'section',
    { class: 'card metrics' },
    h('h2', {}, t('metricsTitle')),
    h('p', { class: 'muted' }, t('metricsIntro')),
    form,
    body,
  );
}
