/**
 * The payroll (按月发放) in the console, for staff who read payment batches (domain/permissions.ts
 * payroll.read): the batches with their figures, filtered by policy, and each policy's programme
 * (lines and amount per period) as charts; one batch's preview — count, total and the changes
 * against the period before, as numbers and as a chart; an officer starts a payroll and follows
 * it until its preview is up; a reviewer releases a batch in preview, and one who started it
 * reads the API's four-eyes refusal. A batch that withholds debts from its lines (the ledger's
 * netting) shows what it withholds and from how many lines. Hash routes: `#/payroll`, `#/payroll/<encoded batch ID>`.
 * Money is integer fen, shown exactly in yuan (money.ts).
 */
import { api, ApiFailure, errorText } from './api.js';
import { barChart, type ChartRow } from './charts.js';
import { fillSelect, loadPolicyTitles } from './choices.js';
import { h, mount } from './dom.js';
import { button, type Session } from './form-kit.js';
import { formatNumber, formatTime, pick, t } from './i18n.js';
import { yuan } from './money.js';
import { todayInCity } from './simulation-view.js';
import type { Policy, Text, VersionSummary, VersionView } from './types.js';
import { allows } from '../../domain/permissions.js';

/** A batch as GET /payroll/batches(/:id) answers (api/payroll-routes.ts): figures and user IDs, no subject. */
export interface BatchView {
  id: string;
  status: 'running' | 'preview' | 'released';
  policy: { id: string; version: number; hash?: string };
  period: string;
  asOf: string;
  /** Integer fen: what the bank transfers (each line's amount less any withholding). */
  totalFen: number;
  /** Integer fen withheld from the lines against what their subjects owe back (absent: none). */
  withheldFen?: number;
  counts: {
    lines: number;
    new: number;
    amountChanged: number;
    ended: number;
    suspended: number;
    removed: number;
    /** Lines part or all of which was withheld against a debt (absent on batches from before the ledger). */
    netted?: number;
  };
  startedById?: string;
  startedAt: string;
  previewedAt?: string;
  releasedById?: string;
  releasedAt?: string;
}

type Change = Exclude<keyof BatchView['counts'], 'lines' | 'netted'>;
/** The changes against the period before, in the order a reviewer reads them, with their chart colour. */
const CHANGES: Array<[Change, string]> = [
  ['new', 'up'],
  ['ended', 'down'],
  ['amountChanged', 'this'],
  ['suspended', 'unknown'],
  ['removed', 'base'],
];

export const batchHash = (id: string): string => `#/payroll/${encodeURIComponent(id)}`;
const batchPath = (id: string) => `/payroll/batches/${encodeURIComponent(id)}`;

function statusBadge(status: BatchView['status']): HTMLElement {
  return h('span', { class: `badge batch-status batch-${status}` }, t(`batchStatus_${status}`));
}

const policyTitle = (titles: Map<string, Text>, id: string) => (titles.has(id) ? pick(titles.get(id)) : id);

/** The payrolls an officer may start: recurring policies in force (a monthly or a yearly period), by their published versions. */
async function recurringPolicies(): Promise<Array<{ id: string; title: Text; period: Policy['period'] }>> {
  const published = await api<VersionSummary[]>('GET', '/policies?status=published');
  const latest = new Map<string, VersionSummary>();
  for (const v of published) if ((latest.get(v.policyId)?.version ?? 0) < v.version) latest.set(v.policyId, v);
  const views = await Promise.all(
    [...latest.values()].map((v) => api<VersionView>('GET', `/policies/${v.policyId}/versions/${v.version}`)),
  );
  return views
    .filter((v) => v.document.period !== 'once')
    .map((v) => ({ id: v.policyId, title: v.title, period: v.document.period }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The officer's form: a recurring policy and its period (a month, or a year for a yearly policy); starting opens the batch's page. */
function startForm(): HTMLElement {
  const policy = h('select', { class: 'payroll-start-policy', 'aria-label': t('payrollPolicy') });
  const period = h('input', { type: 'text', class: 'payroll-start-period', 'aria-label': t('payrollPeriod') });
  const flash = h('div', { class: 'flash', role: 'status' });
  let kinds = new Map<string, Policy['period']>();
  const periodFor = () => {
    const yearly = kinds.get(policy.value) === 'year';
    const today = todayInCity();
    period.placeholder = yearly ? 'YYYY' : 'YYYY-MM';
    if (!period.value || /^\d{4}(-\d{2})?$/.test(period.value))
      period.value = yearly ? today.slice(0, 4) : today.slice(0, 7);
  };
  policy.addEventListener('change', periodFor);
  void recurringPolicies().then(
    (found) => {
      kinds = new Map(found.map((p) => [p.id, p.period]));
      mount(
        policy,
        ...found.map((p) => h('option', { value: p.id }, `${pick(p.title)} · ${t(`payrollEvery_${p.period}`)}`)),
      );
      periodFor();
    },
    (error: unknown) => mount(flash, h('div', { class: 'flash-bad' }, errorText(error))),
  );
  const start = button(
    t('payrollStart'),
    async () => {
      const pattern = kinds.get(policy.value) === 'year' ? /^\d{4}$/ : /^\d{4}-(0[1-9]|1[0-2])$/;
      if (!policy.value || !pattern.test(period.value.trim()))
        return mount(
          flash,
          h('div', { class: 'flash-bad' }, t('payrollPeriodInvalid', { example: period.placeholder })),
        );
      start.disabled = true;
      try {
        const started = await api<{ id: string; created: boolean }>('POST', '/payroll/batches', {
          policyId: policy.value,
          period: period.value.trim(),
        });
        location.hash = batchHash(started.id);
      } catch (error) {
        mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        start.disabled = false;
      }
    },
    { class: 'primary act-start-payroll' },
  );
  return h(
    'section',
    { class: 'card payroll-start' },
    h('h3', {}, t('payrollStartTitle')),
    h('p', { class: 'muted' }, t('payrollStartIntro')),
    h(
      'div',
      { class: 'row payroll-start-row' },
      h('label', { class: 'inline' }, t('payrollPolicy'), policy),
      h('label', { class: 'inline' }, t('payrollPeriod'), period),
      start,
    ),
    flash,
  );
}

/** What changed against the period before, as figures in words: "新增 1 · 停发 0 …". */
const changesText = (counts: BatchView['counts']) =>
  CHANGES.filter(([change]) => change !== 'removed' || counts.removed > 0)
    .map(([change]) => `${t(`payrollChange_${change}`)} ${formatNumber(counts[change])}`)
    .join(' · ');

/** One policy's programme over the batches listed: amount and lines per period, oldest first. */
function programmeCharts(title: string, batches: BatchView[]): HTMLElement[] {
  const ordered = [...batches].sort((a, b) => a.period.localeCompare(b.period));
  const rows = (value: (b: BatchView) => number, text: (b: BatchView) => string, series: string): ChartRow[] =>
    ordered.map((b) => ({
      label: b.period,
      hint: `${b.period} · ${t(`batchStatus_${b.status}`)}`,
      bars: [{ value: value(b), series: b.status === 'released' ? series : 'unknown', text: text(b) }],
    }));
  // Released batches in the programme's colour; any not yet released in amber, named only when shown.
  const legend: Array<[string, string]> = [['this', t('batchStatus_released')]];
  if (ordered.some((b) => b.status !== 'released'))
    legend.push(['unknown', `${t('batchStatus_preview')} / ${t('batchStatus_running')}`]);
  return [
    barChart(
      t('payrollChartAmount', { policy: title }),
      rows(
        (b) => b.totalFen,
        (b) => `${yuan(b.totalFen)} · ${t('payrollLinesCount', { count: formatNumber(b.counts.lines) })}`,
        'this',
      ),
      yuan,
      { legend, className: 'chart-programme-amount' },
    ),
    barChart(
      t('payrollChartLines', { policy: title }),
      rows(
        (b) => b.counts.lines,
        (b) => formatNumber(b.counts.lines),
        'this',
      ),
      formatNumber,
      { legend, className: 'chart-programme-lines' },
    ),
  ];
}

/** The batches, newest period first, filtered by policy; the officer's start form; each policy's programme charts. */
export function renderPayrollList(session: Session): HTMLElement {
  const titles = new Map<string, Text>();
  const choices = new Map<string, Text>();
  const filter = h('select', { class: 'payroll-filter-policy', 'aria-label': t('payrollPolicy') });
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 7, class: 'muted' }, t('loading'))));
  const charts = h('div', { class: 'payroll-programme' });
  let shown: BatchView[] | undefined;
  const refreshChoices = () => fillSelect(filter, t('payrollAnyPolicy'), choices);
  const draw = (batches: BatchView[]) => {
    shown = batches;
    body.replaceChildren(
      ...(batches.length === 0
        ? [h('tr', {}, h('td', { colspan: 7, class: 'muted payroll-none' }, t('payrollNone')))]
        : batches.map((b) =>
            h(
              'tr',
              { class: 'batch-row', 'data-batch': b.id, 'data-status': b.status },
              h(
                'td',
                {},
                h('a', { href: batchHash(b.id), class: 'batch-policy' }, policyTitle(titles, b.policy.id)),
                h('div', { class: 'muted mono' }, `${b.policy.id} · v${b.policy.version}`),
              ),
              h('td', { class: 'mono batch-period' }, b.period),
              h('td', {}, statusBadge(b.status)),
              h('td', { class: 'num batch-lines' }, formatNumber(b.counts.lines)),
              h('td', { class: 'num batch-total' }, yuan(b.totalFen)),
              h('td', { class: 'muted batch-changes' }, changesText(b.counts)),
              h(
                'td',
                { class: 'muted batch-release-time' },
                b.releasedAt ? formatTime(b.releasedAt) : b.status === 'preview' ? t('payrollAwaitingRelease') : '—',
              ),
            ),
          )),
    );
    const byPolicy = new Map<string, BatchView[]>();
    for (const b of batches) byPolicy.set(b.policy.id, [...(byPolicy.get(b.policy.id) ?? []), b]);
    mount(
      charts,
      ...[...byPolicy].map(([id, list]) =>
        h(
          'div',
          { class: 'programme', 'data-policy': id },
          h('h3', {}, t('payrollProgramme', { policy: policyTitle(titles, id) })),
          h('div', { class: 'charts' }, ...programmeCharts(policyTitle(titles, id), list)),
        ),
      ),
    );
  };
  loadPolicyTitles(titles, () => {
    for (const [id, title] of titles) choices.set(id, title);
    refreshChoices();
    if (shown) draw(shown);
  });
  refreshChoices();
  const load = async () => {
    if (body.dataset.loaded && !body.isConnected) return;
    try {
      const query = new URLSearchParams({ limit: '100', ...(filter.value ? { policyId: filter.value } : {}) });
      const batches = await api<BatchView[]>('GET', `/payroll/batches?${query}`);
      body.dataset.loaded = 'yes';
      draw(batches);
      // A payroll running comes up for preview by itself: look again until none runs.
      if (batches.some((b) => b.status === 'running')) window.setTimeout(() => body.isConnected && void load(), 2000);
    } catch (error) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'error-box' }, errorText(error))));
    }
  };
  filter.addEventListener('change', () => void load());
  window.setTimeout(() => void load(), 0);
  return h(
    'div',
    { class: 'payroll' },
    allows(session.role, 'payroll.start') ? startForm() : null,
    h(
      'section',
      { class: 'card list payroll-batches' },
      h('h2', {}, t('payrollTitle')),
      h('p', { class: 'muted' }, t('payrollIntro')),
      h('div', { class: 'row' }, h('label', { class: 'inline' }, t('payrollPolicy'), filter)),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'batch-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, t('colPolicy')),
              h('th', {}, t('colPeriod')),
              h('th', {}, t('colStatus')),
              h('th', { class: 'num' }, t('colLines')),
              h('th', { class: 'num' }, t('colTotal')),
              h('th', {}, t('colChanges')),
              h('th', {}, t('colReleased')),
            ),
          ),
          body,
        ),
      ),
      charts,
    ),
  );
}

function stat(label: string, value: string, cls: string): HTMLElement {
  return h('div', { class: `stat ${cls}` }, h('span', {}, label), h('strong', {}, value));
}

/** What the batch withholds against debts, and from how many lines: shown only when there is some. */
function withholding(batch: BatchView): HTMLElement[] {
  if (!batch.withheldFen && !batch.counts.netted) return [];
  return [
    stat(t('payrollWithheld'), yuan(batch.withheldFen ?? 0), 'stat-withheld'),
    stat(t('payrollNetted'), formatNumber(batch.counts.netted ?? 0), 'stat-netted'),
  ];
}

/** How long a payroll has been starting or running, for the person waiting. */
const since = (from: number) => `${Math.max(0, Math.round((Date.now() - from) / 1000))} s`;
/** Polls after which a batch still not found is worth a word: its payroll may have been refused. */
const NOT_YET_POLLS = 60;

/**
 * One batch: followed once a second while its payroll starts (404 until the batch is written) and
 * runs, then its preview — figures, changes against the period before, and the release for a
 * reviewer.
 */
export function renderBatch(id: string, session: Session): HTMLElement {
  const head = h('div', { class: 'batch-head' });
  const figures = h('div', { class: 'batch-body' }, h('p', { class: 'muted' }, t('loading')));
  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  const opened = Date.now();
  let title: Text | undefined;
  let misses = 0;

  const release = async (batch: BatchView) => {
    if (
      !window.confirm(
        t('payrollReleaseConfirm', { total: yuan(batch.totalFen), lines: formatNumber(batch.counts.lines) }),
      )
    )
      return;
    try {
      show(await api<BatchView>('POST', `${batchPath(id)}/release`));
      mount(flash, h('div', { class: 'flash-ok' }, t('payrollReleased')));
    } catch (error) {
      // A refusal says why in the API's words (FOUR_EYES: whoever started it may not release it).
      mount(
        flash,
        h(
          'div',
          { class: `flash-bad release-refused${error instanceof ApiFailure ? ` refused-${error.code}` : ''}` },
          errorText(error),
        ),
      );
    }
  };

  function waiting(text: string): void {
    mount(
      figures,
      h(
        'div',
        { class: 'sweep-progress payroll-progress' },
        h('div', { class: 'bar bar-running indeterminate', role: 'progressbar' }, h('span', {})),
        h('span', { class: 'bar-text' }, text),
      ),
      misses >= NOT_YET_POLLS ? h('p', { class: 'notice payroll-not-started' }, t('payrollNotStarted')) : null,
    );
  }

  function show(batch: BatchView): void {
    const mine = batch.startedById === session.id;
    const actions: HTMLElement[] = [];
    if (batch.status === 'preview' && allows(session.role, 'payroll.release')) {
      // Four eyes, by user ID: the API refuses whoever started it; they read why here, before and after trying.
      if (mine) actions.push(h('span', { class: 'muted payroll-own-batch' }, t('payrollOwnBatch')));
      actions.push(button(t('payrollRelease'), () => release(batch), { class: 'primary act-release' }));
    } else if (batch.status === 'preview')
      actions.push(h('span', { class: 'muted payroll-reviewer-releases' }, t('payrollReviewerReleases')));
    mount(
      head,
      h('a', { href: '#/payroll', class: 'back' }, `← ${t('payrollBack')}`),
      h(
        'div',
        { class: 'title-row' },
        h('h2', {}, title ? pick(title) : batch.policy.id, h('span', { class: 'version' }, ` ${batch.period}`)),
        statusBadge(batch.status),
      ),
      h(
        'div',
        { class: 'muted batch-meta' },
        t('payrollMeta', {
          policy: batch.policy.id,
          version: batch.policy.version,
          asOf: batch.asOf,
          started: formatTime(batch.startedAt),
        }),
        mine ? ` · ${t('payrollStartedByYou')}` : '',
      ),
      h('div', { class: 'muted mono' }, batch.id),
      batch.releasedAt
        ? h('p', { class: 'flash-ok batch-released-at' }, t('payrollReleasedAt', { at: formatTime(batch.releasedAt) }))
        : null,
      h('div', { class: 'actions' }, ...actions),
      flash,
    );
    if (batch.status === 'running') return waiting(t('payrollRunning', { elapsed: since(opened) }));
    const c = batch.counts;
    mount(
      figures,
      h(
        'div',
        { class: 'stats batch-stats' },
        stat(t('payrollLines'), formatNumber(c.lines), 'stat-lines'),
        stat(t('payrollTotal'), yuan(batch.totalFen), 'stat-total'),
        ...CHANGES.map(([change]) => stat(t(`payrollChange_${change}`), formatNumber(c[change]), `stat-${change}`)),
        ...withholding(batch),
      ),
      batch.withheldFen || c.netted
        ? h(
            'p',
            { class: 'notice batch-withheld-note' },
            t('payrollWithheldNote', { netted: formatNumber(c.netted ?? 0), withheld: yuan(batch.withheldFen ?? 0) }),
          )
        : null,
      barChart(
        t('payrollChangesChart'),
        CHANGES.map(([change, series]) => ({
          label: t(`payrollChange_${change}`),
          bars: [{ value: c[change], series }],
        })),
        formatNumber,
        { className: 'chart-changes' },
      ),
      h('p', { class: 'muted' }, t('payrollChangesNote')),
    );
  }

  const poll = async () => {
    // Left for another page: stop following.
    if (!head.isConnected) return;
    let batch: BatchView | undefined;
    try {
      batch = await api<BatchView>('GET', batchPath(id));
      title ??= await api<VersionView>('GET', `/policies/${batch.policy.id}/versions/${batch.policy.version}`).then(
        (v) => v.title,
        () => undefined,
      );
      show(batch);
    } catch (error) {
      // Just started: the batch is written once its payroll begins.
      if (!(error instanceof ApiFailure && error.status === 404)) {
        mount(figures, h('p', { class: 'error-box' }, errorText(error)));
        return;
      }
      misses++;
      mount(head, h('a', { href: '#/payroll', class: 'back' }, `← ${t('payrollBack')}`), h('h2', {}, id));
      waiting(t('payrollStarting', { elapsed: since(opened) }));
    }
    // Once a minute has passed without a batch, ask less often: the payroll may never start.
    if (!batch || batch.status === 'running')
      window.setTimeout(() => void poll(), misses >= NOT_YET_POLLS ? 5000 : 1000);
  };
  window.setTimeout(() => void poll(), 0);
  return h('section', { class: 'card batch' }, head, figures);
}
