/**
 * The citizen's payments (我的发放) on their own page: each recurring benefit with its payments by
 * period (amount in yuan from integer fen, date paid, status), any stop with its reason, each
 * recovery due highlighted and one settled said so, the part of a payment withheld against an
 * earlier over-payment, the benefit's balance from the ledger (received, owed back, kept), and a
 * bar chart of the amounts by period. Reads GET /me/payments, which answers for the signed-in
 * citizen alone.
 */
import { api } from './api.js';
import { barChart, type ChartRow } from './charts.js';
import { h } from './dom.js';
import { formatTime, pick, t, tOr } from './i18n.js';
import type { MessageKey } from './messages.js';
import { yuan } from './money.js';
import type { Text } from './types.js';

type PolicyLabel = { id: string; version: number; title: Text };

/** GET /me/payments (services/citizen/payments.ts). */
export interface MyPayments {
  payments: Array<{
    policy: PolicyLabel;
    period: string;
    kind: 'payment' | 'recovery';
    /** Integer fen; negative for a recovery. A payment's is what reached the account, after any withholding. */
    amountFen: number;
    /** A payment part of which was withheld against an over-payment: the period's whole amount, and the part withheld. */
    grossFen?: number;
    withheldFen?: number;
    /** 'paid', 'recovery-due' or 'recovery-settled' (the API's schema names them; the service's type says string). */
    status: string;
    paidAt?: string;
    reason?: Text;
  }>;
  entitlements: Array<{
    policy: PolicyLabel;
    status: 'active' | 'suspended' | 'ended';
    firstPeriod: string;
    endedFrom?: string;
    reason?: Text;
  }>;
  /** The subject's ledger per benefit (integer fen): what reached them, what they owe back, what they keep. */
  balances?: Array<{ policy: PolicyLabel; paidFen: number; owedFen: number; netFen: number }>;
}

type Payment = MyPayments['payments'][number];
type Entitlement = MyPayments['entitlements'][number];
type Balance = NonNullable<MyPayments['balances']>[number];

/** Where a benefit stands: paid, or stopped from a period and why. */
function standing(entitlement: Entitlement): HTMLElement {
  const status = h(
    'span',
    { class: `badge entitlement-status entitlement-${entitlement.status}` },
    t(`entitlementStatus_${entitlement.status}` as MessageKey),
  );
  if (entitlement.status === 'active')
    return h(
      'div',
      { class: 'muted entitlement-line' },
      status,
      ' ',
      t('mePaidSince', { period: entitlement.firstPeriod }),
    );
  return h(
    'div',
    { class: 'flash-bad entitlement-stop' },
    status,
    ' ',
    entitlement.endedFrom ? t('meStoppedFrom', { period: entitlement.endedFrom }) : t('meSuspended'),
    entitlement.reason ? h('div', { class: 'stop-reason' }, pick(entitlement.reason)) : null,
  );
}

/** The payments of one benefit, newest period first; a recovery due stands out with its reason. */
function paymentTable(payments: Payment[]): HTMLElement {
  return h(
    'table',
    { class: 'payments-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, t('colPeriod')),
        h('th', { class: 'num' }, t('colAmount')),
        h('th', {}, t('colStatus')),
        h('th', {}, t('colPaidAt')),
      ),
    ),
    h(
      'tbody',
      {},
      ...payments.flatMap((p) => {
        const due = p.status === 'recovery-due';
        const row = h(
          'tr',
          { class: `payment-row payment-${p.status}`, 'data-period': p.period, 'data-kind': p.kind },
          h('td', { class: 'mono payment-period' }, p.period),
          h('td', { class: 'num payment-amount' }, yuan(p.amountFen)),
          h(
            'td',
            {},
            h('span', { class: `badge payment-status-${p.status}` }, tOr(`paymentStatus_${p.status}`, p.status)),
          ),
          h('td', { class: 'muted payment-paid-at' }, p.paidAt ? formatTime(p.paidAt) : '—'),
        );
        const withheld =
          p.withheldFen && p.grossFen !== undefined
            ? h(
                'tr',
                { class: 'payment-withheld-row' },
                h(
                  'td',
                  { colspan: 4, class: 'payment-withheld' },
                  t('meWithheld', { gross: yuan(p.grossFen), withheld: yuan(p.withheldFen), paid: yuan(p.amountFen) }),
                ),
              )
            : null;
        return [
          row,
          withheld,
          due || p.reason
            ? h(
                'tr',
                { class: `payment-reason-row payment-${p.status}` },
                h('td', { colspan: 4, class: 'payment-reason' }, p.reason ? pick(p.reason) : t('meRecoveryDue')),
              )
            : null,
        ].filter((r): r is HTMLTableRowElement => r !== null);
      }),
    ),
  );
}

/** Paid amount per period (oldest first), any part withheld beside it in amber, a recovery due in red and one settled in grey. */
function paymentChart(payments: Payment[]): HTMLElement {
  const periods = new Map<string, { paid: number; withheld: number; due: number; settled: number }>();
  for (const p of payments) {
    const sums = periods.get(p.period) ?? { paid: 0, withheld: 0, due: 0, settled: 0 };
    if (p.kind === 'recovery' && p.status === 'recovery-settled') sums.settled += -p.amountFen;
    else if (p.kind === 'recovery') sums.due += -p.amountFen;
    else {
      sums.paid += p.amountFen;
      sums.withheld += p.withheldFen ?? 0;
    }
    periods.set(p.period, sums);
  }
  const rows: ChartRow[] = [...periods]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, sums]) => ({
      label: period,
      bars: [
        { value: sums.paid, series: 'this', text: yuan(sums.paid) },
        ...(sums.withheld > 0 ? [{ value: sums.withheld, series: 'unknown', text: yuan(sums.withheld) }] : []),
        ...(sums.due > 0 ? [{ value: sums.due, series: 'down', text: yuan(-sums.due) }] : []),
        ...(sums.settled > 0 ? [{ value: sums.settled, series: 'base', text: yuan(-sums.settled) }] : []),
      ],
    }));
  const all = [...periods.values()];
  const legend: Array<[string, string]> = [['this', t('paymentStatus_paid')]];
  if (all.some((sums) => sums.withheld > 0)) legend.push(['unknown', t('meChartWithheld')]);
  if (all.some((sums) => sums.due > 0)) legend.push(['down', t('paymentStatus_recovery-due')]);
  if (all.some((sums) => sums.settled > 0)) legend.push(['base', t('paymentStatus_recovery-settled')]);
  return barChart(t('mePaymentsChart'), rows, (fen) => yuan(fen), { legend, className: 'chart-my-payments' });
}

/** A benefit's balance from the ledger: what reached the citizen, what they owe back, what they keep. */
function balanceOf(balance: Balance): HTMLElement {
  const figure = (label: string, fen: number, cls: string) =>
    h('div', { class: `stat ${cls}` }, h('span', {}, label), h('strong', {}, yuan(fen)));
  return h(
    'div',
    { class: 'my-balance' },
    h('div', { class: 'muted my-balance-title' }, t('meBalanceTitle')),
    h(
      'div',
      { class: 'stats my-balance-stats' },
      figure(t('meBalancePaid'), balance.paidFen, 'balance-paid'),
      figure(t('meBalanceOwed'), balance.owedFen, `balance-owed${balance.owedFen > 0 ? ' owing' : ''}`),
      figure(t('meBalanceNet'), balance.netFen, 'balance-net'),
    ),
    h('p', { class: 'muted my-balance-note' }, t('meBalanceNote')),
  );
}

/** The section's content: one block per benefit (its standing, its payments, their chart, its balance). */
export async function loadMyPayments(): Promise<Array<HTMLElement | null>> {
  return paymentsContent(await api<MyPayments>('GET', '/me/payments'));
}

/** The blocks of `mine` (GET /me/payments, or the service window's visit of the person present). */
export function paymentsContent(mine: MyPayments): Array<HTMLElement | null> {
  const policies = new Map<
    string,
    { label: PolicyLabel; entitlement?: Entitlement; payments: Payment[]; balance?: Balance }
  >();
  const of = (label: PolicyLabel) => {
    const found = policies.get(label.id) ?? { label, payments: [] };
    policies.set(label.id, found);
    return found;
  };
  for (const entitlement of mine.entitlements) of(entitlement.policy).entitlement = entitlement;
  for (const payment of mine.payments) of(payment.policy).payments.push(payment);
  // A benefit's balance beside its payments; one paid once appears only while something is owed back on it.
  for (const balance of mine.balances ?? [])
    if (policies.has(balance.policy.id) || balance.owedFen > 0) of(balance.policy).balance = balance;
  if (policies.size === 0) return [h('p', { class: 'muted none' }, t('meNoPayments'))];
  // What is owed back: the ledger's balance where the answer has it (less anything withheld or paid back).
  const due = mine.balances
    ? mine.balances.reduce((sum, b) => sum + Math.max(0, b.owedFen), 0)
    : mine.payments.filter((p) => p.status === 'recovery-due').reduce((sum, p) => sum - p.amountFen, 0);
  return [
    due > 0 ? h('p', { class: 'notice recovery-due-notice' }, t('meRecoveryTotal', { amount: yuan(due) })) : null,
    ...[...policies.values()].map(({ label, entitlement, payments, balance }) =>
      h(
        'div',
        { class: 'me-item my-benefit-payments', 'data-policy': label.id },
        h('div', { class: 'me-line' }, h('strong', {}, pick(label.title))),
        entitlement ? standing(entitlement) : null,
        payments.length
          ? h('div', { class: 'table-wrap' }, paymentTable(payments))
          : balance
            ? null
            : h('p', { class: 'muted' }, t('meNoPaymentsYet')),
        payments.length ? paymentChart(payments) : null,
        balance ? balanceOf(balance) : null,
      ),
    ),
  ];
}
