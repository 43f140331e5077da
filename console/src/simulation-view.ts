/**
 * The impact simulation (政策沙盘): run the version over the whole population as of a date,
 * follow its progress, then read the outcome counts against the version in force, the cost,
 * the breakdowns, winners and losers, and why cases stay undetermined.
 */
import { api, ApiFailure, errorText } from './api.js';
import { barChart } from './charts.js';
import { h } from './dom.js';
import { button, type EditorContext } from './form-kit.js';
import { currentLang, formatNumber, pick, t } from './i18n.js';
import type { BreakdownRow, Cell, SimulationResult, SimulationView } from './types.js';
import type { Bar } from './charts.js';

export const todayInCity = (): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** What the pane last knew, kept by the editor across tab switches. */
export type SimulationState =
  { kind: 'unknown' } | { kind: 'unavailable' } | { kind: 'none' } | { kind: 'view'; view: SimulationView };

/** `beforeRun` saves unsaved edits; `finished` is told when a run this pane followed has ended (the version's checks changed). */
export function renderSimulation(
  ctx: EditorContext,
  state: SimulationState,
  remember: (state: SimulationState) => void,
  beforeRun: () => Promise<void>,
  finished: () => void,
): HTMLElement {
  const base = `/policies/${ctx.view.policyId}/versions/${ctx.view.version}`;
  const body = h('div', { class: 'sim-body' });
  const asOf = h('input', {
    type: 'date',
    value: state.kind === 'view' ? state.view.asOf : todayInCity(),
    'aria-label': t('simAsOf'),
  });

  const classify = (error: unknown): SimulationState | undefined => {
    if (error instanceof ApiFailure && error.status === 404)
      return error.code === 'NO_SIMULATION' ? { kind: 'none' } : { kind: 'unavailable' };
    return undefined;
  };

  let followed = false;
  const show = (next: SimulationState) => {
    remember(next);
    if (next.kind === 'view') asOf.value = next.view.asOf;
    if (next.kind === 'view' && next.view.status === 'running') followed = true;
    else if (followed && next.kind === 'view') {
      followed = false;
      finished();
    }
    if (next.kind === 'unavailable')
      return body.replaceChildren(h('p', { class: 'notice sim-unavailable' }, t('simNotAvailable')));
    if (next.kind === 'none' || next.kind === 'unknown')
      return body.replaceChildren(h('p', { class: 'muted' }, next.kind === 'none' ? t('simNone') : t('loading')));
    const { view } = next;
    if (view.status === 'running') {
      const { processed, total } = view.progress;
      body.replaceChildren(
        h(
          'p',
          { class: 'sim-progress-text' },
          t('simRunning', { processed: formatNumber(processed), total: formatNumber(total) }),
        ),
        h('progress', { class: 'sim-progress', max: Math.max(total, 1), value: processed }),
      );
      window.setTimeout(() => void poll(), 500);
      return;
    }
    if (view.status === 'failed' || !view.result) {
      const message = view.error ? (currentLang() === 'zh' ? view.error.messageZh : view.error.message) : '';
      return body.replaceChildren(h('p', { class: 'error-box' }, `${t('simFailed')}: ${message}`));
    }
    body.replaceChildren(renderResult(view.result));
  };

  const poll = async () => {
    if (!body.isConnected) return;
    try {
      show({ kind: 'view', view: await api<SimulationView>('GET', `${base}/simulation`) });
    } catch (error) {
      const known = classify(error);
      if (known) show(known);
      else body.replaceChildren(h('p', { class: 'error-box' }, errorText(error)));
    }
  };

  const run = button(
    t('simRun'),
    async () => {
      run.disabled = true;
      try {
        await beforeRun();
        followed = true;
        show({ kind: 'view', view: await api<SimulationView>('POST', `${base}/simulate`, { asOf: asOf.value }) });
      } catch (error) {
        const known = classify(error);
        if (known) show(known);
        else body.replaceChildren(h('p', { class: 'error-box' }, errorText(error)));
      } finally {
        run.disabled = false;
      }
    },
    { class: 'primary run-simulation' },
  );

  const pane = h(
    'section',
    { class: 'card simulation' },
    h(
      'div',
      { class: 'row' },
      h('h3', {}, t('tabSimulation')),
      h('label', { class: 'inline' }, t('simAsOf'), asOf),
      run,
    ),
    body,
  );
  // After the pane is on the page: poll() stops once it is not.
  if (state.kind === 'unknown') window.setTimeout(() => void poll(), 0);
  else show(state);
  return pane;
}

/** A count as shown: the number, or "<10" where the API withholds it. */
export const cellText = (value: Cell, minimum = 10): string =>
  value === null ? t('simWithheld', { minimum }) : formatNumber(value);

/** A cost as shown: the amount, or "withheld" where the eligible count behind it is withheld. */
export const costText = (value: Cell): string => (value === null ? t('simCostWithheld') : formatNumber(value));

/** A bar for a count; a withheld one is drawn empty and labelled "<10". */
const bar = (value: Cell, series: string): Bar => ({
  value: value ?? 0,
  series,
  ...(value === null ? { text: cellText(null) } : {}),
});

/** A bar for a cost; one withheld with its eligible count is drawn empty and labelled so. */
const costBar = (value: Cell, series: string): Bar => ({
  value: value ?? 0,
  series,
  ...(value === null ? { text: costText(null) } : {}),
});

function renderResult(result: SimulationResult): HTMLElement {
  const baseline = result.baseline;
  const seriesLegend: Array<[string, string]> = [
    ['this', t('simThisVersion')],
    ...(baseline ? [['base', t('simBaseline', { version: baseline.version })] as [string, string]] : []),
  ];
  const counts = barChart(
    t('simCounts'),
    (['eligible', 'ineligible', 'undetermined'] as const).map((outcome) => ({
      label: t(`outcome_${outcome}`),
      bars: [bar(result.counts[outcome], 'this'), ...(baseline ? [bar(baseline.counts[outcome], 'base')] : [])],
    })),
    formatNumber,
    { legend: seriesLegend },
  );
  const hasCost = result.totalCost !== 0 || (baseline !== undefined && baseline.totalCost !== 0);
  const cost = !hasCost
    ? null
    : barChart(
        t('simCost'),
        [
          {
            label: '¥',
            bars: [costBar(result.totalCost, 'this'), ...(baseline ? [costBar(baseline.totalCost, 'base')] : [])],
          },
        ],
        formatNumber,
        { legend: seriesLegend },
      );
  const breakdown = (title: string, rows: BreakdownRow[] | undefined) =>
    rows && rows.length > 0
      ? barChart(
          title,
          rows.map((row) => ({
            label: pick(row.label),
            bars: [
              bar(row.eligible, 'this'),
              ...(row.baselineEligible === undefined ? [] : [bar(row.baselineEligible, 'base')]),
            ],
          })),
          formatNumber,
          { legend: seriesLegend },
        )
      : null;
  const changes = result.changes
    ? barChart(
        `${t('simChanges')} · ${t('unchanged')} ${cellText(result.changes.unchanged)}`,
        [
          { label: t('winners'), bars: [bar(result.changes.winners, 'up')] },
          { label: t('losers'), bars: [bar(result.changes.losers, 'down')] },
          { label: t('amountUp'), bars: [bar(result.changes.amountUp, 'up')] },
          { label: t('amountDown'), bars: [bar(result.changes.amountDown, 'down')] },
        ],
        formatNumber,
      )
    : null;
  const causes =
    result.undeterminedCauses.length > 0
      ? barChart(
          t('undeterminedCauses'),
          result.undeterminedCauses.map((cause) => ({
            label: pick(cause.label) || cause.fact,
            bars: [bar(cause.count, 'unknown')],
          })),
          formatNumber,
        )
      : null;
  return h(
    'div',
    { class: 'sim-result' },
    h(
      'div',
      { class: 'stats' },
      h('div', { class: 'stat' }, h('span', {}, t('simPopulation')), h('strong', {}, formatNumber(result.population))),
      h(
        'div',
        { class: 'stat' },
        h('span', {}, t('outcome_eligible')),
        h('strong', { class: 'sim-eligible' }, cellText(result.counts.eligible)),
      ),
      hasCost
        ? h('div', { class: 'stat' }, h('span', {}, t('simCost')), h('strong', {}, costText(result.totalCost)))
        : h(
            'div',
            { class: 'stat' },
            h('span', {}, t('outcome_undetermined')),
            h('strong', {}, cellText(result.counts.undetermined)),
          ),
      h(
        'div',
        { class: 'stat' },
        h('span', {}, t('asOf')),
        h('strong', {}, result.asOf),
        h('small', { class: 'muted' }, t('elapsed', { seconds: (result.elapsedMs / 1000).toFixed(1) })),
      ),
    ),
    result.notInForceOnAsOf ? h('p', { class: 'notice' }, t('simWhatIf', { asOf: result.asOf })) : null,
    result.suppression.withheld > 0
      ? h(
          'p',
          { class: 'muted sim-suppressed' },
          t('simSuppressedNote', {
            count: result.suppression.withheld,
            minimum: result.suppression.minimumCellSize,
          }),
        )
      : null,
    h(
      'div',
      { class: 'charts' },
      counts,
      cost,
      changes,
      breakdown(t('simDistrict'), result.breakdowns.district),
      breakdown(t('simAgeBand'), result.breakdowns.ageBand),
      breakdown(t('simEnterpriseSize'), result.breakdowns.enterpriseSize),
      causes,
    ),
  );
}
