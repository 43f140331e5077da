/**
 * The citizen's own page (我的事项), phone-sized first: offers awaiting confirmation (confirm or
 * decline), the inbox, benefits received, the monthly payments of recurring benefits with any stop
 * (payments-view.ts), what was decided and why, pledges to sign and their inspection outcome, credit
 * records (pledge-view.ts), who used their data, and filing an objection (异议). Reads only /me and
 * /objections, which answer for the signed-in citizen alone.
 */
import { api, ApiFailure, errorText } from './api.js';
import { conditionTable, type RecordedCondition } from './cases-view.js';
import { h, mount } from './dom.js';
import { button, numberOrText } from './form-kit.js';
import { formatNumber, formatTime, pick, t, tOr } from './i18n.js';
import type { Catalog, Text } from './types.js';
import { accessItem, type AccessView } from './access-view.js';
import { loadMyPayments } from './payments-view.js';
import { loadMyCreditRecords, pledgeItem, type PledgeView } from './pledge-view.js';

export type { AccessView } from './access-view.js';
export type { PledgeView } from './pledge-view.js';

type PolicyLabel = { id: string; version: number; title: Text };
export interface Offer {
  key: string;
  policy: PolicyLabel;
  period: string;
  amount?: number;
  status: string;
  offeredAt: string;
  expiresAt: string;
}
export interface Notice {
  key: string;
  template: string;
  title: Text;
  body: Text;
  deliveredAt: string;
  readAt?: string;
}
export interface Benefit {
  key: string;
  policy: PolicyLabel;
  period: string;
  amount?: number;
  basis: string;
  status: string;
  grantedAt: string;
  revokeReason?: string;
}
export interface DecisionView {
  key: string;
  caseId: string;
  policy: PolicyLabel;
  outcome: string;
  amount?: number;
  period: string;
  decidedAt: string;
  conditions: RecordedCondition[];
  /** Facts staff recorded on review (人工审核补充), from what document, by whom. */
  suppliedFacts?: Array<{
    fact: string;
    label: Text;
    provenance: { kind: string; kindText: Text; reference: string };
    by: { name: string };
    at: string;
  }>;
  decidedOnReview?: { by: { name: string }; reason: string };
}
export interface ObjectionView {
  id: string;
  status: string;
  policyId: string;
  statement: string;
  filedAt: string;
}

const money = (amount: number | undefined) => (amount === undefined ? '' : `¥${formatNumber(amount)}`);
/** The objection routes are another part of the release: a missing route is "not yet", anything else an error. */
const missingRoute = (error: unknown) =>
  error instanceof ApiFailure && error.status === 404 && error.code === 'NOT_FOUND' && /no route/.test(error.message);

/** One section of the page that loads itself and can be reloaded. */
function section(
  cls: string,
  title: string,
  load: () => Promise<Array<HTMLElement | null>>,
): { element: HTMLElement; reload: () => Promise<void> } {
  const body = h('div', { class: 'me-body' }, h('p', { class: 'muted' }, t('loading')));
  const reload = async () => {
    try {
      mount(body, ...(await load()));
    } catch (error) {
      mount(body, h('p', { class: 'error-box' }, errorText(error)));
    }
  };
  return { element: h('section', { class: `card me-section ${cls}` }, h('h3', {}, title), body), reload };
}

const none = (key: Parameters<typeof t>[0]) => [h('p', { class: 'muted none' }, t(key))];

/** The citizen's page; `name` is the signed-in citizen's. */
export function renderCitizen(catalog: Catalog): HTMLElement {
  const who = h('section', { class: 'card me-who' }, h('p', { class: 'muted' }, t('loading')));
  void api<{ name: string; subject: { maskedId?: string } }>('GET', '/me').then(
    (me) =>
      mount(
        who,
        h('h2', {}, t('meGreeting', { name: me.name })),
        h('div', { class: 'muted' }, t('meId'), h('span', { class: 'mono masked-id' }, me.subject.maskedId ?? '—')),
      ),
    (error: unknown) => mount(who, h('p', { class: 'error-box' }, errorText(error))),
  );

  const benefits = section('me-benefits', t('meBenefits'), async () => {
    const list = await api<Benefit[]>('GET', '/me/benefits');
    return list.length
      ? list.map((b) =>
          h(
            'div',
            { class: `me-item benefit benefit-${b.status}`, 'data-policy': b.policy.id },
            h(
              'div',
              { class: 'me-line' },
              h('strong', {}, pick(b.policy.title)),
              h('span', { class: 'amount' }, money(b.amount)),
            ),
            h(
              'div',
              { class: 'muted' },
              `${tOr(`basis_${b.basis}`, b.basis)} · ${b.period === 'once' ? t('periodOnce') : b.period} · ${formatTime(b.grantedAt)}`,
            ),
            b.status === 'revoked'
              ? h('div', { class: 'flash-bad' }, t('meRevoked', { reason: b.revokeReason ?? '' }))
              : null,
          ),
        )
      : none('meNoBenefits');
  });

  const offers = section('me-offers', t('meOffers'), async () => {
    const list = await api<Offer[]>('GET', '/me/offers');
    return list.length
      ? list.map((o) => {
          const flash = h('div', { class: 'flash', role: 'status' });
          const answer = (what: 'confirm' | 'decline') => async () => {
            if (what === 'decline' && !window.confirm(t('meDeclineConfirm'))) return;
            try {
              await api('POST', `/me/offers/${encodeURIComponent(o.key)}/${what}`);
              await Promise.all([offers.reload(), benefits.reload(), inbox.reload()]);
              // The workflow's notice of the answer reaches the inbox through the notice queue, a moment later.
              window.setTimeout(() => void inbox.reload(), 2500);
            } catch (error) {
              mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
            }
          };
          return h(
            'div',
            { class: 'me-item offer', 'data-offer': o.key },
            h(
              'div',
              { class: 'me-line' },
              h('strong', {}, pick(o.policy.title)),
              h('span', { class: 'amount' }, money(o.amount)),
            ),
            h('div', { class: 'muted' }, t('meOfferExpires', { date: formatTime(o.expiresAt) })),
            h(
              'div',
              { class: 'actions' },
              button(t('meConfirm'), answer('confirm'), { class: 'primary act-confirm' }),
              button(t('meDecline'), answer('decline'), { class: 'ghost act-decline' }),
            ),
            flash,
          );
        })
      : none('meNoOffers');
  });

  const inbox = section('me-inbox', t('meInbox'), async () => {
    const { notices, unread } = await api<{ notices: Notice[]; unread: number }>('GET', '/me/inbox');
    return notices.length
      ? [
          h('p', { class: 'muted' }, t('meUnread', { count: unread })),
          ...notices.map((n) => {
            const item = h(
              'details',
              { class: `me-item notice-item${n.readAt ? '' : ' unread'}`, 'data-template': n.template },
              h(
                'summary',
                {},
                h('strong', {}, pick(n.title)),
                h('div', { class: 'muted notice-time' }, formatTime(n.deliveredAt)),
              ),
              h('p', {}, pick(n.body)),
            );
            item.addEventListener('toggle', () => {
              if (item.open && item.classList.contains('unread'))
                void api('POST', `/me/inbox/${encodeURIComponent(n.key)}/read`).then(
                  () => item.classList.remove('unread'),
                  () => undefined,
                );
            });
            return item;
          }),
        ]
      : none('meNoNotices');
  });

  let decided: DecisionView[] = [];
  const decisions = section('me-decisions', t('meDecisions'), async () => {
    decided = await api<DecisionView[]>('GET', '/me/decisions');
    objection.reload();
    return decided.length
      ? decided.map((d) =>
          h(
            'details',
            { class: 'me-item decision', 'data-policy': d.policy.id },
            h(
              'summary',
              {},
              h('strong', {}, pick(d.policy.title)),
              ' ',
              h('span', { class: `badge outcome-${d.outcome}` }, tOr(`outcome_${d.outcome}`, d.outcome)),
              d.amount === undefined ? null : ` ${money(d.amount)}`,
            ),
            h('div', { class: 'muted' }, formatTime(d.decidedAt)),
            ...(d.suppliedFacts ?? []).map((s) =>
              h(
                'div',
                { class: 'notice supplied-fact', 'data-fact': s.fact },
                t('meSuppliedFact', {
                  fact: pick(s.label),
                  name: s.by.name,
                  source: pick(s.provenance.kindText),
                  reference: s.provenance.reference,
                }),
              ),
            ),
            d.decidedOnReview
              ? h(
                  'div',
                  { class: 'notice decided-on-review' },
                  t('meDecidedOnReview', { name: d.decidedOnReview.by.name, reason: d.decidedOnReview.reason }),
                )
              : null,
            conditionTable(d.conditions, catalog),
          ),
        )
      : none('meNoDecisions');
  });

  const pledges = section('me-pledges', t('mePledges'), async () => {
    const list = await api<PledgeView[]>('GET', '/me/pledges');
    // A signature grants: the benefits, the inbox and the pledge's own status change with it.
    const signed = () => Promise.all([pledges.reload(), benefits.reload(), inbox.reload()]).then(() => undefined);
    return list.length ? list.map((p) => pledgeItem(p, signed)) : none('meNoPledges');
  });

  const payments = section('me-payments', t('mePayments'), loadMyPayments);
  const credit = section('me-credit', t('meCreditRecords'), loadMyCreditRecords);

  const access = section('me-access', t('meAccess'), async () => {
    const list = await api<AccessView[]>('GET', '/me/access');
    return list.length ? [h('p', { class: 'muted' }, t('meAccessIntro')), ...list.map(accessItem)] : none('meNoAccess');
  });

  const objection = objectionSection(() => decided, catalog);
  window.setTimeout(
    () =>
      void Promise.all([
        offers.reload(),
        inbox.reload(),
        benefits.reload(),
        payments.reload(),
        decisions.reload(),
        pledges.reload(),
        credit.reload(),
        access.reload(),
      ]),
    0,
  );
  return h(
    'div',
    { class: 'citizen' },
    who,
    offers.element,
    inbox.element,
    benefits.element,
    payments.element,
    decisions.element,
    pledges.element,
    credit.element,
    access.element,
    objection.element,
  );
}

/** Filing an objection (异议) against a decision or a data value, and the objections already filed. */
function objectionSection(
  decided: () => DecisionView[],
  catalog: Catalog,
): { element: HTMLElement; reload: () => void } {
  const labels = new Map(
    catalog.sources.flatMap((source) => source.fields.map((field) => [field.key, field.label] as const)),
  );
  const mine = h('div', { class: 'my-objections' });
  const flash = h('div', { class: 'flash', role: 'status' });
  const policy = h('select', { class: 'objection-policy', 'aria-label': t('objectionPolicy') });
  const kind = h(
    'select',
    { class: 'objection-kind', 'aria-label': t('objectionKind') },
    h('option', { value: 'decision' }, t('objectionKind_decision')),
    h('option', { value: 'data' }, t('objectionKind_data')),
  );
  const fact = h('select', { class: 'objection-fact', 'aria-label': t('objectionFact') });
  const claimed = h('input', {
    type: 'text',
    class: 'objection-claimed',
    placeholder: t('objectionClaimedPlaceholder'),
    'aria-label': t('objectionClaimed'),
  });
  const dataFields = h(
    'div',
    { class: 'objection-data', hidden: true },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('objectionFact')), fact),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('objectionClaimed')), claimed),
  );
  /** The facts of the chosen decision, for an objection to a data value. */
  const fillFacts = () => {
    const chosen = decided()[Number(policy.value)];
    mount(
      fact,
      ...[...new Set((chosen?.conditions ?? []).map((c) => c.fact))].map((key) =>
        h('option', { value: key }, pick(labels.get(key)) || key),
      ),
    );
    dataFields.hidden = kind.value !== 'data';
  };
  policy.addEventListener('change', fillFacts);
  kind.addEventListener('change', fillFacts);
  const statement = h('textarea', {
    class: 'objection-statement',
    rows: 3,
    placeholder: t('objectionStatementPlaceholder'),
    'aria-label': t('objectionStatement'),
  });
  const listMine = async () => {
    try {
      const filed = await api<ObjectionView[] | { objections: ObjectionView[] }>('GET', '/objections');
      const list = Array.isArray(filed) ? filed : filed.objections;
      mount(
        mine,
        ...list.map((o) =>
          h(
            'div',
            { class: 'me-item objection-item' },
            h(
              'div',
              { class: 'me-line' },
              h('strong', {}, pick(decided().find((d) => d.policy.id === o.policyId)?.policy.title) || o.policyId),
              h('span', { class: 'badge' }, tOr(`objectionStatus_${o.status}`, o.status)),
            ),
            h('div', { class: 'muted' }, `${formatTime(o.filedAt)} · ${o.statement}`),
          ),
        ),
      );
    } catch (error) {
      mount(mine, missingRoute(error) ? null : h('p', { class: 'error-box' }, errorText(error)));
    }
  };
  const submit = button(
    t('objectionFile'),
    async () => {
      const chosen = decided()[Number(policy.value)];
      if (!chosen || statement.value.trim().length < 5)
        return mount(flash, h('div', { class: 'flash-bad' }, t('objectionIncomplete')));
      submit.disabled = true;
      try {
        const data =
          kind.value === 'data'
            ? { fact: fact.value, ...(claimed.value.trim() ? { claimedValue: numberOrText(claimed.value) } : {}) }
            : {};
        await api('POST', '/objections', {
          caseId: chosen.caseId,
          policyId: chosen.policy.id,
          kind: kind.value,
          ...data,
          statement: statement.value.trim(),
        });
        statement.value = '';
        mount(flash, h('div', { class: 'flash-ok' }, t('objectionFiled')));
        await listMine();
      } catch (error) {
        mount(
          flash,
          h(
            'div',
            { class: missingRoute(error) ? 'flash-info objection-unavailable' : 'flash-bad' },
            missingRoute(error) ? t('objectionUnavailable') : errorText(error),
          ),
        );
      }
      submit.disabled = false;
    },
    { class: 'primary act-object' },
  );
  const element = h(
    'section',
    { class: 'card me-section me-objection' },
    h('h3', {}, t('objectionTitle')),
    h('p', { class: 'muted' }, t('objectionIntro')),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('objectionPolicy')), policy),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('objectionKind')), kind),
    dataFields,
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('objectionStatement')), statement),
    h('div', { class: 'actions' }, submit),
    flash,
    mine,
  );
  return {
    element,
    reload: () => {
      mount(
        policy,
        ...decided().map((d, i) =>
          h('option', { value: i }, `${pick(d.policy.title)} · ${tOr(`outcome_${d.outcome}`, d.outcome)}`),
        ),
      );
      fillFacts();
      void listMine();
    },
  };
}
