/**
 * The ledger (台账) in the console, for staff who read it (domain/permissions.ts ledger.read): the
 * programme per policy and period — paid, recovered and returned as charts, every figure in a
 * table with its totals — and each released batch checked against what the ledger posted for it,
 * one out of balance marked so nobody misses it; and the collection list (追缴清单): what is owed
 * back that no payment will withhold, with the finance bureau's CSV, where an officer
 * (ledger.collect) records each receipt. Amounts are integer fen, shown in yuan exactly; what an
 * officer types in yuan becomes fen by string arithmetic (money.ts), never through a float.
 * Hash routes: `#/ledger`, `#/ledger/collections`.
 */
import { api, ApiFailure, errorText } from './api.js';
import { barChart, type Bar, type ChartRow } from './charts.js';
import { fillSelect, loadPolicyTitles } from './choices.js';
import { h, mount } from './dom.js';
import { button, type Session } from './form-kit.js';
import { formatNumber, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import { fenFromYuan, yuan } from './money.js';
import { batchHash } from './payroll-view.js';
import type { Text } from './types.js';
import { allows } from '../../domain/permissions.js';

/** The sums of a policy and period, or of all shown (api/ledger-routes.ts): integer fen and line counts. */
export interface LedgerSums {
  lines: number;
  grossFen: number;
  rejectedLines: number;
  rejectedFen: number;
  recoveryFen: number;
  recoveredFen: number;
  paidFen: number;
  owedFen: number;
  netFen: number;
}

/** GET /ledger/programme (services/ledger/service.ts programme). */
export interface ProgrammeLedgerView {
  rows: Array<LedgerSums & { policyId: string; period: string }>;
  totals: LedgerSums;
  batches: Array<{ id: string; period: string; totalFen: number; ledgerFen: number; balanced: boolean }>;
}

/** One line of GET /ledger/collections: a subject's ledger by its reference, never by a subject. */
export interface CollectionView {
  ref: string;
  policyId: string;
  owedFen: number;
  since: string;
  because: 'policy-collects' | 'entitlement-ended' | 'entitlement-suspended' | 'no-entitlement';
}

/** POST /ledger/collections/:ref. */
export interface CollectionRecorded {
  ref: string;
  collectedFen: number;
  owedFen: number;
  recorded: boolean;
}

type Row = ProgrammeLedgerView['rows'][number];
type Batch = ProgrammeLedgerView['batches'][number];
type Tab = 'programme' | 'collections';

const policyTitle = (titles: Map<string, Text>, id: string) => (titles.has(id) ? pick(titles.get(id)) : id);

/** The two pages, as tabs that are links (each has its own address). */
function tabs(current: Tab): HTMLElement {
  const tab = (which: Tab, href: string, label: MessageKey) =>
    h(
      'a',
      { href, class: `tab ledger-tab-${which}`, role: 'tab', 'aria-selected': which === current ? 'true' : 'false' },
      t(label),
    );
  return h(
    'div',
    { class: 'tabs ledger-tabs', role: 'tablist' },
    tab('programme', '#/ledger', 'ledgerTabProgramme'),
    tab('collections', '#/ledger/collections', 'ledgerTabCollections'),
  );
}

/** A policy filter filled with the stored policies' titles as they arrive; `then` redraws with them. */
function policyFilter(titles: Map<string, Text>, className: string, then: () => void): HTMLSelectElement {
  const filter = h('select', { class: className, 'aria-label': t('payrollPolicy') });
  fillSelect(filter, t('payrollAnyPolicy'), titles);
  loadPolicyTitles(titles, () => {
    fillSelect(filter, t('payrollAnyPolicy'), titles);
    then();
  });
  return filter;
}

/** The money columns after what the bank returned, in the order a reader follows the money. */
const AFTER_RETURNS: Array<[keyof LedgerSums, MessageKey]> = [
  ['recoveryFen', 'ledgerColRecovery'],
  ['recoveredFen', 'ledgerColRecovered'],
  ['paidFen', 'ledgerColPaid'],
  ['owedFen', 'ledgerColOwed'],
  ['netFen', 'ledgerColNet'],
];

/** A row's (or the totals') figures as table cells, each named by its field for whoever checks them. */
function sumCells(sums: LedgerSums): HTMLElement[] {
  const returned = t('payrollLinesCount', { count: formatNumber(sums.rejectedLines) });
  return [
    h('td', { class: 'num ledger-lines' }, formatNumber(sums.lines)),
    h('td', { class: 'num ledger-grossFen' }, yuan(sums.grossFen)),
    h(
      'td',
      { class: 'num ledger-rejectedFen', title: returned },
      yuan(sums.rejectedFen),
      sums.rejectedLines > 0 ? h('div', { class: 'muted ledger-rejectedLines' }, returned) : null,
    ),
    ...AFTER_RETURNS.map(([field]) =>
      h(
        'td',
        { class: `num ledger-${field}${field === 'owedFen' && sums.owedFen > 0 ? ' owing' : ''}` },
        yuan(sums[field]),
      ),
    ),
  ];
}

function programmeTable(rows: Row[], totals: LedgerSums, titles: Map<string, Text>): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'ledger-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('colPolicy')),
          h('th', {}, t('colPeriod')),
          h('th', { class: 'num' }, t('colLines')),
          h('th', { class: 'num' }, t('ledgerColGross')),
          h('th', { class: 'num' }, t('ledgerColRejected')),
          ...AFTER_RETURNS.map(([, label]) => h('th', { class: 'num' }, t(label))),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { class: 'ledger-row', 'data-policy': row.policyId, 'data-period': row.period },
            h('td', { class: 'ledger-policy' }, policyTitle(titles, row.policyId)),
            h('td', { class: 'mono ledger-period' }, row.period),
            ...sumCells(row),
          ),
        ),
      ),
      h(
        'tfoot',
        {},
        h('tr', { class: 'ledger-totals' }, h('th', { colspan: 2 }, t('ledgerTotals')), ...sumCells(totals)),
      ),
    ),
  );
}

/** One policy's periods, oldest first: what reached citizens, what was raised and taken back, what the bank returned; and lines. */
function programmeCharts(title: string, rows: Row[]): HTMLElement[] {
  const series: Array<[keyof LedgerSums, string, MessageKey]> = [
    ['paidFen', 'this', 'ledgerColPaid'],
    ['recoveryFen', 'down', 'ledgerColRecovery'],
    ['recoveredFen', 'up', 'ledgerColRecovered'],
    ['rejectedFen', 'unknown', 'ledgerColRejected'],
  ];
  // What reached citizens is always drawn; the others only where there is some, and named only when shown.
  const shown = series.filter(([field], i) => i === 0 || rows.some((row) => row[field] !== 0));
  const amounts: ChartRow[] = rows.map((row) => ({
    label: row.period,
    bars: shown
      .filter(([field], i) => i === 0 || row[field] !== 0)
      .map(([field, colour]): Bar => ({ value: row[field], series: colour, text: yuan(row[field]) })),
  }));
  const lines: ChartRow[] = rows.map((row) => ({
    label: row.period,
    bars: [
      { value: row.lines, series: 'this', text: formatNumber(row.lines) },
      ...(row.rejectedLines > 0 ? [{ value: row.rejectedLines, series: 'unknown' }] : []),
    ],
  }));
  const lineLegend: Array<[string, string]> = [['this', t('ledgerLinesPaid')]];
  if (rows.some((row) => row.rejectedLines > 0)) lineLegend.push(['unknown', t('ledgerColRejected')]);
  return [
    barChart(t('ledgerChartAmounts', { policy: title }), amounts, yuan, {
      legend: shown.map(([, colour, label]) => [colour, t(label)]),
      className: 'chart-ledger-amounts',
    }),
    barChart(t('ledgerChartLines', { policy: title }), lines, formatNumber, {
      legend: lineLegend,
      className: 'chart-ledger-lines',
    }),
  ];
}

/** Each released batch against the ledger: equal, or marked with the difference. */
function batchCheck(batches: Batch[], titles: Map<string, Text>): HTMLElement {
  const off = batches.filter((b) => !b.balanced);
  const summary =
    batches.length === 0
      ? h('p', { class: 'muted ledger-check-none' }, t('ledgerCheckNone'))
      : off.length === 0
        ? h('p', { class: 'flash-ok ledger-check-summary' }, t('ledgerCheckAllBalanced', { count: batches.length }))
        : h(
            'p',
            { class: 'flash-bad ledger-check-summary ledger-check-off' },
            t('ledgerCheckSomeOff', { count: off.length, whole: batches.length }),
          );
  const policyOf = (id: string) => /^payroll:(.+):[^:]+$/.exec(id)?.[1] ?? id;
  return h(
    'section',
    { class: 'ledger-check' },
    h('h3', {}, t('ledgerCheckTitle')),
    h('p', { class: 'muted' }, t('ledgerCheckIntro')),
    summary,
    batches.length === 0
      ? null
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'ledger-check-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, t('ledgerColBatch')),
                h('th', {}, t('colPeriod')),
                h('th', { class: 'num' }, t('ledgerColBatchTotal')),
                h('th', { class: 'num' }, t('ledgerColLedger')),
                h('th', {}, t('ledgerColCheck')),
              ),
            ),
            h(
              'tbody',
              {},
              ...batches.map((b) =>
                h(
                  'tr',
                  {
                    class: `ledger-batch-row${b.balanced ? '' : ' unbalanced'}`,
                    'data-batch': b.id,
                    'data-balanced': String(b.balanced),
                  },
                  h('td', {}, h('a', { href: batchHash(b.id) }, policyTitle(titles, policyOf(b.id)))),
                  h('td', { class: 'mono' }, b.period),
                  h('td', { class: 'num ledger-batch-total' }, yuan(b.totalFen)),
                  h('td', { class: 'num ledger-batch-ledger' }, yuan(b.ledgerFen)),
                  h(
                    'td',
                    { class: 'ledger-batch-mark' },
                    b.balanced
                      ? h('span', { class: 'badge ok' }, `✓ ${t('ledgerBalanced')}`)
                      : h(
                          'span',
                          { class: 'badge bad' },
                          `✗ ${t('ledgerUnbalanced', { difference: yuan(b.totalFen - b.ledgerFen) })}`,
                        ),
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

/** The programme ledger: filter by policy and period range; charts per policy, the table, the batch check. */
function renderProgramme(): HTMLElement {
  const titles = new Map<string, Text>();
  const from = h('input', {
    type: 'text',
    class: 'ledger-from',
    placeholder: 'YYYY-MM',
    'aria-label': t('ledgerFrom'),
  });
  const to = h('input', { type: 'text', class: 'ledger-to', placeholder: 'YYYY-MM', 'aria-label': t('ledgerTo') });
  const flash = h('div', { class: 'flash', role: 'status' });
  const body = h('div', { class: 'ledger-body' }, h('p', { class: 'muted' }, t('loading')));
  let shown: ProgrammeLedgerView | undefined;
  const draw = (ledger: ProgrammeLedgerView) => {
    shown = ledger;
    const byPolicy = new Map<string, Row[]>();
    for (const row of ledger.rows) byPolicy.set(row.policyId, [...(byPolicy.get(row.policyId) ?? []), row]);
    mount(
      body,
      ledger.rows.length === 0
        ? h('p', { class: 'muted ledger-none' }, t('ledgerNone'))
        : [
            ...[...byPolicy].map(([id, rows]) =>
              h(
                'div',
                { class: 'programme ledger-programme', 'data-policy': id },
                h('h3', {}, t('ledgerProgramme', { policy: policyTitle(titles, id) })),
                h('div', { class: 'charts' }, ...programmeCharts(policyTitle(titles, id), rows)),
              ),
            ),
            h('h3', {}, t('ledgerTableTitle')),
            h('p', { class: 'muted' }, t('ledgerTableNote')),
            programmeTable(ledger.rows, ledger.totals, titles),
          ],
      batchCheck(ledger.batches, titles),
    );
  };
  const filter = policyFilter(titles, 'ledger-filter-policy', () => shown && draw(shown));
  const load = async () => {
    const query = new URLSearchParams();
    if (filter.value) query.set('policyId', filter.value);
    if (from.value.trim()) query.set('from', from.value.trim());
    if (to.value.trim()) query.set('to', to.value.trim());
    try {
      const ledger = await api<ProgrammeLedgerView>('GET', `/ledger/programme${query.size ? `?${query}` : ''}`);
      flash.replaceChildren();
      for (const input of [from, to]) input.removeAttribute('aria-invalid');
      draw(ledger);
    } catch (error) {
      // The API names the period at fault (from or to): mark it, say why in its words.
      if (error instanceof ApiFailure && (error.field === 'from' || error.field === 'to'))
        (error.field === 'from' ? from : to).setAttribute('aria-invalid', 'true');
      mount(flash, h('div', { class: 'flash-bad ledger-refused' }, errorText(error)));
    }
  };
  filter.addEventListener('change', () => void load());
  const show = button(t('ledgerShow'), () => void load(), { class: 'primary act-ledger-show' });
  for (const input of [from, to])
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void load();
    });
  window.setTimeout(() => void load(), 0);
  return h(
    'section',
    { class: 'card ledger' },
    h('h2', {}, t('ledgerTitle')),
    h('p', { class: 'muted' }, t('ledgerIntro')),
    h(
      'div',
      { class: 'row ledger-filters' },
      h('label', { class: 'inline' }, t('payrollPolicy'), filter),
      h('label', { class: 'inline' }, t('ledgerFrom'), from),
      h('label', { class: 'inline' }, t('ledgerTo'), to),
      show,
    ),
    flash,
    body,
  );
}

/** Why a typed amount is not one, in words. */
const amountProblem = (typed: string): string | undefined => {
  const parsed = fenFromYuan(typed);
  return 'problem' in parsed ? t(`ledgerAmount_${parsed.problem}`) : undefined;
};

/**
 * An officer's form on one line of the list: the amount received in yuan and the receipt's
 * reference. Typed yuan become fen exactly or are refused here; the API's refusals (more than is
 * owed, a bad reference) are shown on the field it names. `recorded` reloads the list.
 */
function collectForm(item: CollectionView, recorded: (done: CollectionRecorded) => void): HTMLElement {
  const amount = h('input', {
    type: 'text',
    inputmode: 'decimal',
    class: 'collect-amount',
    placeholder: t('ledgerAmountPlaceholder'),
    'aria-label': t('ledgerAmount'),
  });
  const reference = h('input', {
    type: 'text',
    class: 'collect-reference',
    placeholder: t('ledgerReferencePlaceholder'),
    'aria-label': t('ledgerReference'),
    maxlength: 64,
  });
  const problem = h('div', { class: 'collect-problem', role: 'alert' });
  const refuse = (text: string, field?: HTMLInputElement) => {
    for (const input of [amount, reference]) input.removeAttribute('aria-invalid');
    field?.setAttribute('aria-invalid', 'true');
    mount(problem, h('div', { class: 'flash-bad' }, text));
  };
  const submit = button(
    t('ledgerRecord'),
    async () => {
      const typed = fenFromYuan(amount.value);
      if ('problem' in typed) return refuse(amountProblem(amount.value)!, amount);
      if (!reference.value.trim()) return refuse(t('ledgerReferenceMissing'), reference);
      if (
        !window.confirm(
          t('ledgerRecordConfirm', { amount: yuan(typed.fen), ref: item.ref, reference: reference.value.trim() }),
        )
      )
        return;
      submit.disabled = true;
      try {
        const done = await api<CollectionRecorded>('POST', `/ledger/collections/${encodeURIComponent(item.ref)}`, {
          amountFen: typed.fen,
          reference: reference.value.trim(),
        });
        recorded(done);
      } catch (error) {
        const field = error instanceof ApiFailure ? error.field : undefined;
        refuse(errorText(error), field === 'amountFen' ? amount : field === 'reference' ? reference : undefined);
        submit.disabled = false;
      }
    },
    { class: 'act-collect' },
  );
  amount.addEventListener('input', () => {
    // Said as soon as it is typed: a third decimal is never rounded away.
    const parsed = fenFromYuan(amount.value);
    if ('problem' in parsed && parsed.problem === 'decimals') refuse(t('ledgerAmount_decimals'), amount);
    else if (amount.hasAttribute('aria-invalid')) {
      amount.removeAttribute('aria-invalid');
      problem.replaceChildren();
    }
  });
  return h(
    'div',
    { class: 'collect-form' },
    h('div', { class: 'row collect-row' }, amount, reference, submit),
    problem,
  );
}

/** What a recorded receipt did: recorded (and what is still owed, if anything), or recorded before and counted once. */
function recordedText(done: CollectionRecorded): HTMLElement {
  return h(
    'div',
    { class: done.recorded ? 'flash-ok collect-done' : 'notice collect-done' },
    done.recorded
      ? t(done.owedFen > 0 ? 'ledgerRecorded' : 'ledgerRecordedSettled', {
          ref: done.ref,
          amount: yuan(done.collectedFen),
          owed: yuan(done.owedFen),
        })
      : t('ledgerRecordedBefore', { ref: done.ref, owed: yuan(done.owedFen) }),
  );
}

/** The collection list: by policy, with its CSV; officers record what was paid back, line by line. */
function renderCollections(session: Session): HTMLElement {
  const titles = new Map<string, Text>();
  const collects = allows(session.role, 'ledger.collect');
  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  const download = h(
    'a',
    { href: '/ledger/collections.csv', download: 'collections.csv', class: 'button-link collections-csv' },
    t('ledgerCsv'),
  );
  const columns = collects ? 6 : 5;
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: columns, class: 'muted' }, t('loading'))));
  let shown: CollectionView[] | undefined;
  const draw = (items: CollectionView[]) => {
    shown = items;
    body.replaceChildren(
      ...(items.length === 0
        ? [h('tr', {}, h('td', { colspan: columns, class: 'muted collections-none' }, t('ledgerCollectionsNone')))]
        : items.map((item) =>
            h(
              'tr',
              { class: 'collection-row', 'data-ref': item.ref, 'data-because': item.because },
              h('td', { class: 'mono collection-ref' }, item.ref),
              h('td', { class: 'collection-policy' }, policyTitle(titles, item.policyId)),
              h('td', { class: 'num collection-owed' }, yuan(item.owedFen)),
              h('td', { class: 'mono collection-since' }, item.since),
              h('td', { class: 'collection-because' }, t(`ledgerBecause_${item.because}`)),
              collects
                ? h(
                    'td',
                    { class: 'collection-record' },
                    collectForm(item, (done) => void load().then(() => mount(flash, recordedText(done)))),
                  )
                : null,
            ),
          )),
    );
  };
  const filter = policyFilter(titles, 'collections-filter-policy', () => shown && draw(shown));
  // The list as it now stands (after a receipt: the flash follows once it is redrawn).
  const load = async () => {
    const query = filter.value ? `?${new URLSearchParams({ policyId: filter.value })}` : '';
    download.setAttribute('href', `/ledger/collections.csv${query}`);
    try {
      draw(await api<CollectionView[]>('GET', `/ledger/collections${query}`));
    } catch (error) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: columns, class: 'error-box' }, errorText(error))));
    }
  };
  filter.addEventListener('change', () => void load());
  window.setTimeout(() => void load(), 0);
  return h(
    'section',
    { class: 'card collections' },
    h('h2', {}, t('ledgerCollectionsTitle')),
    h('p', { class: 'muted' }, t(collects ? 'ledgerCollectionsIntroOfficer' : 'ledgerCollectionsIntro')),
    h('div', { class: 'row ledger-filters' }, h('label', { class: 'inline' }, t('payrollPolicy'), filter), download),
    flash,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'collections-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('ledgerColRef')),
            h('th', {}, t('colPolicy')),
            h('th', { class: 'num' }, t('ledgerColOwedBack')),
            h('th', {}, t('ledgerColSince')),
            h('th', {}, t('ledgerColBecause')),
            collects ? h('th', {}, t('ledgerColRecord')) : null,
          ),
        ),
        body,
      ),
    ),
  );
}

/** The ledger's page: the programme (`#/ledger`) or the collection list (`#/ledger/collections`). */
export function renderLedger(tab: Tab, session: Session): HTMLElement {
  return h(
    'div',
    { class: 'ledger-page' },
    tabs(tab),
    tab === 'collections' ? renderCollections(session) : renderProgramme(),
  );
}
