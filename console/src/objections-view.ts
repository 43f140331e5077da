/**
 * Objection handling (异议处理): supervisors list objections by status, read one with its steps,
 * the department's correction and the re-evaluation's outcome, and record the correction (never on
 * an objection they filed), confirm or reject another's recorded correction, or re-evaluate /
 * reject with a reason. An objection being re-evaluated is re-read every second until it settles.
 * Uses /objections only.
 */
import { fillSelect, loadPolicyTitles } from './choices.js';
import { api, errorText } from './api.js';
import { caseHash } from './cases-view.js';
import { confirmForm, correctionForm, disputedFact, objectionPath, resolveForm } from './objection-forms.js';
import type { Session } from './form-kit.js';
import { h, mount } from './dom.js';
import { formatNumber, formatTime, pick, t, tOr } from './i18n.js';
import type { Catalog, Objection, ObjectionPerson, ObjectionStatus, Text } from './types.js';
import { allows, conditionOf } from '../../domain/permissions.js';

/** The objection the API answers staff: declared with the console's other API types, named here too for its readers. */
export type { Objection };

const STATUSES: readonly ObjectionStatus[] = ['filed', 'correcting', 're-evaluating', 'resolved', 'rejected'];
const POLL_MS = 1000;
const LIST_POLL_MS = 2000;

/** `#/objections`, or one objection selected in it. */
export const objectionHash = (id?: string): string => (id ? `#/objections/${encodeURIComponent(id)}` : '#/objections');

/** The status and policy filters, kept while the person moves from one objection to another. */
let statusFilter: ObjectionStatus | '' = '';
let policyFilter = '';
const policyTitles = new Map<string, Text>();

/** A correction or a supervisor's answer is in and the objection workflow has not closed it yet. */
const settling = (o: Objection): boolean =>
  o.status === 're-evaluating' ||
  ((o.status === 'filed' || o.status === 'correcting') &&
    o.pendingCorrection === undefined &&
    (o.correction !== undefined || o.resolution !== undefined));
/** Nothing recorded yet: the department's correction (or a re-check or rejection) may be recorded. */
const awaitingCorrection = (o: Objection): boolean =>
  (o.status === 'filed' || o.status === 'correcting') && !o.correction && !o.resolution && !o.pendingCorrection;

const show = (value: unknown): string =>
  value === undefined || value === null
    ? '—'
    : typeof value === 'boolean'
      ? t(value ? 'yes' : 'no')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
const money = (amount: number | undefined) => (amount === undefined ? '' : `¥${formatNumber(amount)}`);
const statusBadge = (status: string) =>
  h('span', { class: `badge objection-status obj-${status}` }, tOr(`objectionStatus_${status}`, status));
const outcomeBadge = (outcome: string) =>
  h('span', { class: `badge outcome-${outcome}` }, tOr(`outcome_${outcome}`, outcome));
const masked = (value: unknown) =>
  h(
    'span',
    {
      class: `mono obj-value${value === '***' ? ' masked' : ''}`,
      title: value === '***' ? t('objMaskedHint') : undefined,
    },
    show(value),
  );

function row(o: Objection, selected: boolean): HTMLElement {
  return h(
    'tr',
    {
      class: `objection-row${selected ? ' selected' : ''}`,
      'data-objection': o.id,
      'data-status': o.status,
      onclick: () => {
        location.hash = objectionHash(o.id);
      },
    },
    h(
      'td',
      { class: 'num' },
      h('a', { href: objectionHash(o.id), class: 'objection-link' }, formatTime(o.filedAt)),
      h('div', { class: 'muted' }, o.filedBy.name),
    ),
    h(
      'td',
      {},
      h('div', { class: 'obj-policy', title: o.policyId }, o.policyTitle ? pick(o.policyTitle) : o.policyId),
      h('div', { class: 'muted mono masked-id' }, o.subject.maskedId ?? o.subjectKey),
    ),
    h(
      'td',
      {},
      h('div', { class: 'obj-fact' }, disputedFact(o)),
      h('div', { class: 'muted' }, tOr(`objectionKind_${o.kind}`, o.kind)),
    ),
    h(
      'td',
      { class: 'obj-values' },
      o.claimedValue !== undefined ? h('div', {}, `${t('objClaimedShort')} `, masked(o.claimedValue)) : null,
      o.correction ? h('div', {}, `${t('objCorrectedShort')} `, masked(o.correction.newValue)) : null,
      o.claimedValue === undefined && !o.correction ? '—' : null,
    ),
    h('td', {}, statusBadge(o.status)),
  );
}

/** The list with its status filter; re-reads itself while any objection listed is settling. */
function listPane(selected: string | undefined): {
  element: HTMLElement;
  filters: HTMLElement;
  reload: () => Promise<void>;
} {
  const body = h('tbody', {});
  const note = h('p', { class: 'muted objections-note' });
  const filters = h('div', { class: 'objection-filter', role: 'group', 'aria-label': t('objFilter') });
  let timer: number | undefined;
  let sequence = 0;
  const policy = h('select', { class: 'objection-policy-filter', 'aria-label': t('metricsPolicy') });
  policy.addEventListener('change', () => {
    policyFilter = policy.value;
    void load();
  });
  const refreshPolicies = () => {
    fillSelect(policy, t('metricsAnyPolicy'), policyTitles);
    if (policyFilter && !policyTitles.has(policyFilter)) policyFilter = '';
    policy.value = policyFilter;
  };
  loadPolicyTitles(policyTitles, refreshPolicies);
  const drawFilters = () =>
    mount(
      filters,
      ...(['', ...STATUSES] as const).map((status) =>
        h(
          'button',
          {
            type: 'button',
            class: `filter-chip${statusFilter === status ? ' current' : ''}`,
            'data-status': status || 'all',
            'aria-pressed': String(statusFilter === status),
            onclick: () => {
              statusFilter = status;
              drawFilters();
              void load();
            },
          },
          status ? tOr(`objectionStatus_${status}`, status) : t('objFilterAll'),
        ),
      ),
      policy,
    );
  const load = async () => {
    if (!body.isConnected) return;
    window.clearTimeout(timer);
    const mine = ++sequence;
    try {
      const query = new URLSearchParams();
      if (statusFilter) query.set('status', statusFilter);
      if (policyFilter) query.set('policy', policyFilter);
      const { objections } = await api<{ objections: Objection[] }>(
        'GET',
        `/objections${query.size ? `?${query}` : ''}`,
      );
      if (mine !== sequence) return;
      for (const o of objections)
        if (o.policyTitle && !policyTitles.has(o.policyId)) policyTitles.set(o.policyId, o.policyTitle);
      refreshPolicies();
      mount(
        body,
        ...(objections.length
          ? objections.map((o) => row(o, o.id === selected))
          : [h('tr', {}, h('td', { colspan: 5, class: 'muted objections-none' }, t('objNone')))]),
      );
      note.textContent = t('objCount', { count: objections.length });
      if (objections.some(settling)) timer = window.setTimeout(() => void load(), LIST_POLL_MS);
    } catch (error) {
      if (mine !== sequence) return;
      mount(body, h('tr', {}, h('td', { colspan: 5, class: 'error-box' }, errorText(error))));
      note.textContent = '';
    }
  };
  drawFilters();
  window.setTimeout(() => void load(), 0);
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      ...(['objColFiled', 'objColPolicy', 'objColDisputed', 'objColValues', 'colStatus'] as const).map((key) =>
        h('th', {}, t(key)),
      ),
    ),
  );
  const element = h(
    'section',
    { class: 'card objection-list' },
    note,
    h('div', { class: 'table-wrap' }, h('table', { class: 'objection-table' }, head, body)),
  );
  return { element, filters, reload: load };
}

function outcomeBox(outcome: NonNullable<Objection['outcome']>): HTMLElement {
  const difference = outcome.arrears
    ? h('p', { class: 'obj-arrears flash-ok' }, t('objArrears', { amount: money(outcome.arrears) }))
    : outcome.overpayment
      ? h('p', { class: 'obj-recovery notice' }, t('objRecovery', { amount: money(outcome.overpayment) }))
      : outcome.benefitWorkflowId
        ? h(
            'p',
            { class: 'obj-benefit flash-ok' },
            t('objBenefitStarted'),
            h('span', { class: 'mono muted' }, ` ${outcome.benefitWorkflowId}`),
          )
        : outcome.revokedGrantKeys?.length
          ? h('p', { class: 'obj-revoked notice' }, t('objRevoked', { count: outcome.revokedGrantKeys.length }))
          : h('p', { class: 'muted obj-no-difference' }, t('objNoDifference'));
  return h(
    'div',
    { class: 'obj-box obj-outcome' },
    h('h4', {}, t('objOutcome')),
    h(
      'p',
      { class: 'obj-decisions' },
      h(
        'span',
        { class: 'obj-previous' },
        `${t('objPrevious')} `,
        outcomeBadge(outcome.previousOutcome),
        outcome.amountBefore === undefined ? null : ` ${money(outcome.amountBefore)}`,
      ),
      ' → ',
      h(
        'span',
        { class: 'obj-new' },
        `${t('objNew')} `,
        outcomeBadge(outcome.outcome),
        outcome.amountAfter === undefined ? null : ` ${money(outcome.amountAfter)}`,
      ),
    ),
    difference,
    // A benefit in kind has nothing paid or due by period: no table of zeros.
    outcome.periods.some((p) => p.paid !== 0 || p.due !== 0)
      ? h(
          'table',
          { class: 'obj-periods' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, t('objColPeriod')), h('th', {}, t('objColPaid')), h('th', {}, t('objColDue'))),
          ),
          h(
            'tbody',
            {},
            ...outcome.periods.map((p) =>
              h(
                'tr',
                {},
                h('td', {}, p.period),
                h('td', { class: 'num' }, money(p.paid)),
                h('td', { class: 'num' }, money(p.due)),
              ),
            ),
          ),
        )
      : null,
  );
}

/** The objection itself: who, what, the case, progress, correction, answer, outcome, steps, and the forms. */
function details(
  o: Objection,
  session: Session,
  catalog: Catalog,
  done: (updated: Objection) => void,
): Array<HTMLElement | null> {
  const { role } = session;
  const item = (label: string, ...value: Array<Node | string>) => [h('dt', {}, label), h('dd', {}, ...value)];
  const { correction, pendingCorrection, resolution } = o;
  // Four eyes, as the API checks them (by user ID; a record from before user IDs by name): the filer does not record
  // the correction; neither they nor the recorder confirms it.
  const isMe = (person: ObjectionPerson | undefined) =>
    person !== undefined && (person.id ? person.id === session.id : person.name === session.name);
  const filedIt = isMe(o.filedBy);
  const mayRecord =
    allows(role, 'objection.correct') && !(conditionOf(role, 'objection.correct') === 'not-filer' && filedIt);
  const mayConfirm =
    allows(role, 'objection.confirm-correction') &&
    !(conditionOf(role, 'objection.confirm-correction') === 'not-recorder' && (filedIt || isMe(pendingCorrection?.by)));
  return [
    h(
      'div',
      { class: 'title-row' },
      h(
        'h3',
        {},
        o.policyTitle ? pick(o.policyTitle) : o.policyId,
        ' ',
        h('span', { class: 'muted mono' }, o.policyId),
      ),
      statusBadge(o.status),
    ),
    h('div', { class: 'mono muted obj-id' }, o.id),
    h(
      'dl',
      { class: 'obj-facts' },
      ...item(t('objColFiled'), formatTime(o.filedAt)),
      ...item(t('objFiledBy'), `${o.filedBy.name} · ${tOr(`role_${o.filedBy.role}`, o.filedBy.role)}`),
      ...item(t('colSubject'), h('span', { class: 'mono masked-id' }, o.subject.maskedId ?? o.subjectKey)),
      ...item(t('objectionKind'), tOr(`objectionKind_${o.kind}`, o.kind)),
      ...(o.fact ? item(t('objectionFact'), disputedFact(o), h('span', { class: 'muted mono' }, ` ${o.fact}`)) : []),
      ...(o.claimedValue === undefined ? [] : item(t('objClaimed'), masked(o.claimedValue))),
      ...item(t('objectionStatement'), h('span', { class: 'obj-statement' }, o.statement)),
      // The case page is for who may read the case (cases-view.ts); officers see the ID only.
      ...item(
        t('objCase'),
        allows(role, 'case.timeline')
          ? h('a', { class: 'case-link mono', href: caseHash(o.caseId) }, o.caseId)
          : h('span', { class: 'mono' }, o.caseId),
      ),
    ),
    settling(o)
      ? h(
          'p',
          { class: 'obj-progress', role: 'status' },
          h('span', { class: 'spinner', 'aria-hidden': 'true' }),
          t(o.status === 're-evaluating' ? 'objReevaluating' : 'objSettling'),
          ' ',
          h(
            'span',
            { class: 'muted' },
            t('objAutoRefresh', {
              time: new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }),
            }),
          ),
        )
      : null,
    correction
      ? h(
          'div',
          { class: 'obj-box obj-correction' },
          h(
            'h4',
            {},
            `${t('objCorrection')} · ${correction.departmentLabel ? pick(correction.departmentLabel) : correction.department}`,
          ),
          h(
            'p',
            {},
            `${pick(correction.factLabel) || correction.fact}：`,
            masked(correction.oldValue),
            ' → ',
            masked(correction.newValue),
          ),
          h('p', { class: 'obj-reason' }, t('objReason', { reason: correction.reason })),
          h(
            'div',
            { class: 'muted obj-correction-by' },
            correction.confirmedBy
              ? t('objConfirmedBy', {
                  name: correction.by.name,
                  confirmer: correction.confirmedBy.name,
                  at: formatTime(correction.at),
                })
              : t('objByAt', { name: correction.by.name, at: formatTime(correction.at) }),
          ),
        )
      : null,
    pendingCorrection
      ? h(
          'div',
          { class: 'obj-box obj-pending' },
          h('h4', {}, t('objPending')),
          h(
            'p',
            {},
            `${pick(pendingCorrection.factLabel) || pendingCorrection.fact} ${t('objCorrectedShort')} `,
            masked(pendingCorrection.value),
          ),
          h('p', { class: 'obj-reason' }, t('objReason', { reason: pendingCorrection.reason })),
          h(
            'div',
            { class: 'muted obj-pending-note' },
            t('objPendingNote', { name: pendingCorrection.by.name, at: formatTime(pendingCorrection.at) }),
          ),
          allows(role, 'objection.confirm-correction')
            ? mayConfirm
              ? confirmForm(o, done)
              : h('p', { class: 'muted obj-pending-own' }, t('objPendingOwn'))
            : null,
        )
      : null,
    resolution
      ? h(
          'div',
          { class: `obj-box obj-resolution obj-${resolution.action}` },
          h(
            'h4',
            {},
            `${t('objResolution')} · ${t(resolution.action === 'reject' ? 'objAction_reject' : 'objAction_reevaluate')}`,
          ),
          h('p', { class: 'obj-reason' }, t('objReason', { reason: resolution.reason })),
          h('div', { class: 'muted' }, t('objByAt', { name: resolution.by.name, at: formatTime(resolution.at) })),
        )
      : null,
    o.outcome ? outcomeBox(o.outcome) : null,
    h('h4', {}, t('objSteps')),
    h(
      'ol',
      { class: 'obj-steps' },
      ...o.steps.map((step) =>
        h(
          'li',
          { class: 'obj-step', 'data-kind': step.kind },
          h('div', { class: 'obj-step-summary' }, pick(step.summary)),
          h('div', { class: 'muted obj-step-meta' }, `${formatTime(step.at)} · ${step.actor}`),
        ),
      ),
    ),
    !awaitingCorrection(o)
      ? null
      : mayRecord
        ? correctionForm(o, catalog, done)
        : h('p', { class: 'muted obj-readonly' }, t('objReadOnly')),
    allows(role, 'objection.resolve') && awaitingCorrection(o) && o.status === 'filed' ? resolveForm(o, done) : null,
  ];
}

/** One objection, re-read every second while it settles; `changed` is told each time its status moves. */
function detailPane(id: string, session: Session, catalog: Catalog, changed: () => void): HTMLElement {
  const pane = h(
    'section',
    { class: 'card objection-detail', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, t('loading')),
  );
  let timer: number | undefined;
  let following = false;
  const draw = (o: Objection) => {
    window.clearTimeout(timer);
    const before = pane.dataset.status;
    pane.dataset.objection = o.id;
    pane.dataset.status = o.status;
    mount(pane, ...details(o, session, catalog, draw));
    following = settling(o);
    if (following) timer = window.setTimeout(() => void load(), POLL_MS);
    if (before !== undefined && before !== o.status) changed();
  };
  const load = async () => {
    if (!pane.isConnected) return;
    try {
      draw(await api<Objection>('GET', objectionPath(id)));
    } catch (error) {
      mount(
        pane,
        h('p', { class: 'error-box' }, errorText(error)),
        h('a', { href: objectionHash() }, `← ${t('objTitle')}`),
      );
      // A lost answer while following a re-evaluation is tried again; a refusal on first reading is not.
      if (following) timer = window.setTimeout(() => void load(), POLL_MS * 2);
    }
  };
  window.setTimeout(() => void load(), 0);
  return pane;
}

/** The objections page (`#/objections`, `#/objections/<id>`): the list, and the one selected beside it. */
export function renderObjections(selected: string | undefined, session: Session, catalog: Catalog): HTMLElement {
  const { role } = session;
  const list = listPane(selected);
  const detail = selected
    ? detailPane(selected, session, catalog, () => void list.reload())
    : h('section', { class: 'card objection-detail obj-empty' }, h('p', { class: 'muted' }, t('objPickOne')));
  return h(
    'div',
    { class: 'objections-page' },
    h(
      'section',
      { class: 'card objections-head' },
      h('h2', {}, t('objTitle')),
      h('p', { class: 'muted' }, t(allows(role, 'objection.resolve') ? 'objIntro' : 'objIntroReadOnly')),
      list.filters,
    ),
    h('div', { class: 'objections-layout' }, list.element, detail),
  );
}
