/**
 * Case supervision (案件督查) in the console: a supervisor searches cases by resident ID with a
 * reason (sent in the body of POST /cases/search, never in a URL; logged, answered masked), an
 * inspector sees the cases of inspections assigned to them, and one case's page shows its whole
 * timeline, each decision's recorded conditions, the Temporal Web UI link (supervisors), the logged
 * reveal of the identifier, and each decision explained from the subject's data (supervisors, each
 * with a reason that is logged).
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button } from './form-kit.js';
import { formatTime, pick, t, tOr } from './i18n.js';
import type { Catalog, Role, Text } from './types.js';
import { allows, conditionOf } from '../../domain/permissions.js';
import { conditionMet } from '../../rules/types.js';

/** A case as POST /cases/search lists it (services/cases/service.ts CaseSummary). */
export interface CaseSummary {
  caseId: string;
  eventType: string;
  eventDate?: string;
  receivedAt?: string;
  subject: { kind: string; subjectKey: string; maskedId?: string };
  policies: Array<{ id: string; version: number; outcome: string; amount?: number }>;
  caseStatus: string;
  outcome?: string;
  execution?: string;
  links: { timeline: string; temporalUi?: string };
}

/** One recorded condition of a decision (rules/types.ts ConditionResult). */
export interface RecordedCondition {
  name?: string;
  label?: Text;
  fact: string;
  operator: string;
  value: unknown;
  factValue?: unknown;
  result: boolean | 'unknown';
  pledged?: boolean;
  /** Under a `not`: the policy needs it not to hold. */
  negated?: boolean;
  /** Missing, but a known branch settles its group: it did not matter. */
  notNeeded?: boolean;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  actor: string;
  summary: Text;
  source: 'temporal' | 'record';
  workflowId?: string;
  detail?: Record<string, unknown>;
}
export interface CaseTimeline {
  caseId: string;
  eventType: string;
  /** Absent for staff when it is a birth date. */
  eventDate?: string;
  subject: CaseSummary['subject'];
  workflows: Array<{ workflowId: string; type: string; runId?: string; temporalUi?: string; history: string }>;
  entries: TimelineEntry[];
}

export const caseHash = (caseId: string): string => `#/case/${encodeURIComponent(caseId)}`;
const casePath = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;

/** The kind of a timeline entry as a category: its colour, its one-character mark and its legend. */
function category(kind: string): { cls: string; mark: string } {
  if (kind.startsWith('event.')) return { cls: 'k-event', mark: '事' };
  if (kind === 'data.access') return { cls: 'k-data', mark: '数' };
  if (kind === 'decision' || kind === 'manual-review') return { cls: 'k-decision', mark: '判' };
  if (kind === 'grant') return { cls: 'k-grant', mark: '发' };
  if (kind === 'grant.revoked' || kind === 'recovery') return { cls: 'k-bad', mark: '追' };
  if (kind.startsWith('offer')) return { cls: 'k-offer', mark: '确' };
  if (kind.startsWith('pledge') || kind.startsWith('inspection')) return { cls: 'k-pledge', mark: '核' };
  if (kind.startsWith('notice')) return { cls: 'k-notice', mark: '通' };
  if (kind === 'unmask' || kind === 'explanation') return { cls: 'k-unmask', mark: '揭' };
  if (kind.startsWith('objection')) return { cls: 'k-objection', mark: '异' };
  return { cls: 'k-temporal', mark: '流' };
}

const eventLabel = (catalog: Catalog, type: string): string =>
  pick(catalog.triggers.find((trigger) => trigger.type === type)?.label) || type;

const show = (value: unknown): string =>
  value === undefined || value === null
    ? '—'
    : typeof value === 'boolean'
      ? t(value ? 'yes' : 'no')
      : Array.isArray(value)
        ? value.map(show).join('、')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);

/** A decision's conditions as a table: condition, fact, test, the subject's (masked) value and the result. */
export function conditionTable(conditions: RecordedCondition[], catalog: Catalog): HTMLElement {
  const facts = new Map(
    catalog.sources.flatMap((source) => source.fields.map((field) => [field.key, field.label] as const)),
  );
  const operators = new Map(catalog.operators.map((op) => [op.name, op.label] as const));
  const mark = (result: RecordedCondition['result']) =>
    h(
      'span',
      { class: `cond-result ${result === true ? 'ok' : result === false ? 'bad' : 'unknown'}` },
      result === true ? `✓ ${t('condMet')}` : result === false ? `✗ ${t('condNotMet')}` : `? ${t('condUnknown')}`,
    );
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'conditions-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('colCondition')),
          h('th', {}, t('colTest')),
          h('th', {}, t('colFactValue')),
          h('th', {}, t('colResult')),
        ),
      ),
      ...groupedRows(conditions).map((group) => {
        const rows = group.leaves.map((c, i) => {
          // A fact's label once per group; a group of one says its condition's label in its row, as before.
          const firstOfFact = group.leaves.findIndex((other) => other.fact === c.fact) === i;
          const single = group.leaves.length === 1;
          return h(
            'tr',
            { 'data-fact': c.fact, class: i >= MAX_ROWS ? 'cond-more' : '', hidden: i >= MAX_ROWS },
            h(
              'td',
              {},
              single ? pick(c.label) || c.name || '' : '',
              firstOfFact ? h('div', { class: 'muted' }, pick(facts.get(c.fact)) || c.fact) : null,
            ),
            h(
              'td',
              {},
              `${c.negated ? `${t('condNot')} ` : ''}${pick(operators.get(c.operator)) || c.operator} ${show(c.value)}`,
            ),
            h(
              'td',
              { class: 'fact-value' },
              firstOfFact ? show(c.factValue) : '',
              c.pledged ? h('div', { class: 'muted' }, t('condPledged')) : null,
              c.notNeeded ? h('div', { class: 'muted not-needed' }, t('condNotNeeded')) : null,
            ),
            h('td', {}, mark(conditionMet(c))),
          );
        });
        const hiddenCount = group.leaves.length - MAX_ROWS;
        const body = h(
          'tbody',
          { class: 'cond-group', 'data-group': group.name ?? '' },
          group.leaves.length > 1
            ? h(
                'tr',
                { class: 'cond-group-head' },
                h('th', { colspan: 4, scope: 'rowgroup' }, pick(group.label) || group.name || t('colCondition')),
              )
            : null,
          ...rows,
        );
        if (hiddenCount > 0) {
          const more = h(
            'tr',
            { class: 'cond-more-toggle' },
            h(
              'td',
              { colspan: 4 },
              button(t('condShowMore', { n: hiddenCount }), () => {
                for (const row of body.querySelectorAll<HTMLElement>('tr.cond-more')) row.hidden = false;
                more.remove();
              }),
            ),
          );
          body.append(more);
        }
        return body;
      }),
    ),
  );
}

/** At most this many conditions of one group are listed before a "show N more" (a large group stays readable). */
const MAX_ROWS = 6;

/** Consecutive leaves of one named condition or named group, as one group of rows. */
function groupedRows(
  conditions: RecordedCondition[],
): Array<{ name?: string; label?: Text; leaves: RecordedCondition[] }> {
  const groups: Array<{ name?: string; label?: Text; leaves: RecordedCondition[] }> = [];
  for (const c of conditions) {
    const last = groups.at(-1);
    if (last && last.name !== undefined && last.name === c.name) last.leaves.push(c);
    else groups.push({ name: c.name, label: c.label, leaves: [c] });
  }
  return groups;
}

function caseRow(c: CaseSummary, catalog: Catalog): HTMLElement {
  return h(
    'tr',
    { class: 'case-row', 'data-case': c.caseId },
    h(
      'td',
      {},
      h('a', { href: caseHash(c.caseId) }, eventLabel(catalog, c.eventType)),
      h('div', { class: 'muted mono' }, c.caseId),
    ),
    h('td', { class: 'mono masked-id' }, c.subject.maskedId ?? c.subject.subjectKey),
    h(
      'td',
      {},
      ...c.policies.map((p) =>
        h(
          'div',
          {},
          h('span', { class: `badge outcome-${p.outcome}` }, tOr(`outcome_${p.outcome}`, p.outcome)),
          ` ${p.id}${p.amount === undefined ? '' : ` · ¥${p.amount}`}`,
        ),
      ),
    ),
    h(
      'td',
      { class: 'num' },
      c.eventDate ?? '',
      h('div', { class: 'muted' }, c.receivedAt ? formatTime(c.receivedAt) : ''),
    ),
    h(
      'td',
      {},
      tOr(`caseStatus_${c.caseStatus}`, c.caseStatus),
      c.execution ? h('div', { class: 'muted' }, c.execution) : null,
    ),
  );
}

/**
 * The case search (supervisor: by resident ID, credit code or nothing) or, for an inspector,
 * the cases of the inspections assigned to them. The typed ID goes to the API only.
 */
export function renderCaseSearch(role: Role, catalog: Catalog): HTMLElement {
  const inspector = conditionOf(role, 'case.search') === 'assigned-inspector';
  const body = h('tbody', {});
  const note = h('p', { class: 'muted search-note' });
  const subject = h('input', {
    type: 'search',
    id: 'case-subject',
    class: 'case-subject',
    autocomplete: 'off',
    placeholder: t('caseSubjectPlaceholder'),
    'aria-label': t('caseSubject'),
  });
  // A search by resident ID or credit code is a reveal: the reason is logged, and the citizen sees it.
  const reason = h('input', {
    type: 'text',
    class: 'case-search-reason',
    autocomplete: 'off',
    placeholder: t('caseSearchReasonPlaceholder'),
    'aria-label': t('caseSearchReason'),
  });
  const load = async () => {
    mount(body, h('tr', {}, h('td', { colspan: 5, class: 'muted' }, t('loading'))));
    // The typed ID and its reason go in the body of a POST, never in a URL (security review S11).
    const typed = !inspector ? subject.value.trim() : '';
    const search = typed ? { subject: typed, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) } : {};
    try {
      const found = await api<{ cases: CaseSummary[]; temporal: string }>('POST', '/cases/search', search);
      mount(
        body,
        ...(found.cases.length
          ? found.cases.map((c) => caseRow(c, catalog))
          : [
              h(
                'tr',
                {},
                h('td', { colspan: 5, class: 'muted cases-none' }, t(inspector ? 'inspectionsNone' : 'casesNone')),
              ),
            ]),
      );
      note.textContent =
        found.temporal === 'unavailable'
          ? t('casesTemporalUnavailable')
          : t('casesFound', { count: found.cases.length });
    } catch (error) {
      mount(body, h('tr', {}, h('td', { colspan: 5, class: 'error-box' }, errorText(error))));
      note.textContent = '';
    }
  };
  const form = h(
    'form',
    { class: 'row case-search' },
    subject,
    reason,
    h('button', { type: 'submit', class: 'primary' }, t('caseSearch')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  window.setTimeout(() => void load(), 0);
  return h(
    'section',
    { class: 'card list cases' },
    h('h2', {}, t(inspector ? 'inspectionsTitle' : 'casesTitle')),
    h('p', { class: 'muted' }, t(inspector ? 'inspectionsIntro' : 'casesIntro')),
    inspector ? null : form,
    note,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'case-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('colCase')),
            h('th', {}, t('colSubject')),
            h('th', {}, t('colDecisions')),
            h('th', {}, t('colEventDate')),
            h('th', {}, t('colStatus')),
          ),
        ),
        body,
      ),
    ),
  );
}

function entryItem(entry: TimelineEntry, caseId: string): HTMLElement {
  const { cls, mark } = category(entry.kind);
  const child = entry.workflowId && entry.workflowId !== caseId ? entry.workflowId : undefined;
  return h(
    'li',
    { class: `tl-entry ${cls} src-${entry.source}`, 'data-kind': entry.kind },
    h('span', { class: 'tl-mark', 'aria-hidden': 'true' }, mark),
    h(
      'div',
      { class: 'tl-body' },
      h('div', { class: 'tl-summary' }, pick(entry.summary)),
      h(
        'div',
        { class: 'tl-meta muted' },
        h('time', { datetime: entry.at }, formatTime(entry.at)),
        ` · ${entry.actor}`,
        ` · ${entry.source === 'temporal' ? 'Temporal' : t('sourceRecord')}`,
        child ? h('span', { class: 'mono' }, ` · ${child}`) : null,
      ),
    ),
  );
}

/** POST /cases/:caseId/explain's answer, the parts shown here (rules/explain-subject.ts Explanation). */
export interface SubjectExplanation {
  decision: {
    outcome: string;
    conditions: Array<
      | { fact: string; label?: Text; factLabel?: Text; withheld: true }
      | { fact: string; label?: Text; factLabel?: Text; result: boolean | 'unknown'; actual?: Text }
    >;
  };
  flips: Array<{ changes: Array<{ fact: string; factLabel?: Text; from: unknown; to: unknown }>; outcome: string }>;
  nextChange: { date: string; outcome: string } | null;
  withheld?: { facts: string[]; flips: boolean; nextChange: boolean };
  summary: Text;
}

const outcomeText = (outcome: string) => tOr(`outcome_${outcome}`, outcome);

/** The explanation as read: the summary, what would change it and when (or why those are withheld). */
function explanationBody(x: SubjectExplanation): Array<HTMLElement | null> {
  const withheld = x.decision.conditions.filter((c) => 'withheld' in c);
  return [
    h('p', { class: 'explain-summary' }, pick(x.summary)),
    withheld.length
      ? h(
          'p',
          { class: 'muted explain-withheld' },
          t('caseExplainWithheld', {
            facts: withheld.map((c) => pick(c.factLabel) || c.fact).join('、'),
          }),
        )
      : null,
    x.withheld?.flips
      ? h('p', { class: 'muted flip-withheld' }, t('caseFlipWithheld'))
      : x.flips.length
        ? h(
            'ul',
            { class: 'flips' },
            ...x.flips.map((flip) =>
              h(
                'li',
                { class: 'flip' },
                t('caseFlip', {
                  changes: flip.changes
                    .map((c) => `${pick(c.factLabel) || c.fact} ${show(c.from)} → ${show(c.to)}`)
                    .join('、'),
                  outcome: outcomeText(flip.outcome),
                }),
              ),
            ),
          )
        : h('p', { class: 'muted flip-none' }, t('caseNoFlip')),
    x.withheld?.nextChange
      ? null
      : h(
          'p',
          { class: 'next-change' },
          x.nextChange
            ? t('caseNextChange', { date: x.nextChange.date, outcome: outcomeText(x.nextChange.outcome) })
            : t('caseNoNextChange'),
        ),
  ];
}

/** Explaining a decision from the subject's data: a reason first (logged, shown to the citizen), then the answer. */
function explainBox(caseId: string, policy: { id: string; version: number }, asOf: string): HTMLElement {
  const box = h('div', { class: 'what-if' });
  const reason = h('textarea', {
    class: 'explain-reason',
    rows: 2,
    placeholder: t('caseExplainReasonPlaceholder'),
    'aria-label': t('caseExplainReason'),
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const submit = button(
    t('caseExplainConfirm'),
    async () => {
      submit.disabled = true;
      try {
        const x = await api<SubjectExplanation>('POST', `${casePath(caseId)}/explain`, {
          policyId: policy.id,
          version: policy.version,
          reason: reason.value,
          ...(asOf ? { asOf } : {}),
        });
        mount(
          box,
          h('h5', {}, t('caseWhatIf')),
          ...explanationBody(x),
          h('div', { class: 'muted explain-logged' }, t('caseExplainLogged', { reason: reason.value.trim() })),
        );
      } catch (error) {
        mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        submit.disabled = false;
      }
    },
    { class: 'act-explain-confirm' },
  );
  const open = button(
    t('caseWhatIf'),
    () =>
      mount(
        box,
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('caseExplainReason')), reason),
        h('div', { class: 'actions' }, submit),
        flash,
      ),
    { class: 'act-explain' },
  );
  mount(box, open);
  return box;
}

/** The decision explanations: each decision's outcome and recorded conditions; for supervisors, why from the subject's data. */
function explanations(caseId: string, entries: TimelineEntry[], catalog: Catalog, role: Role): HTMLElement {
  const decisions = entries.filter((e) => e.kind === 'decision');
  return h(
    'section',
    { class: 'card explanations' },
    h('h3', {}, t('caseExplanations')),
    h('p', { class: 'muted' }, t('caseExplainNote')),
    ...decisions.map((d) => {
      const detail = d.detail ?? {};
      const policy = detail.policy as { id: string; version: number };
      const missing = (detail.missingFacts as string[] | undefined) ?? [];
      return h(
        'div',
        { class: 'explanation', 'data-policy': policy.id },
        h(
          'h4',
          {},
          `${policy.id} v${policy.version} `,
          h(
            'span',
            { class: `badge outcome-${String(detail.outcome)}` },
            tOr(`outcome_${String(detail.outcome)}`, String(detail.outcome)),
          ),
          detail.amount === undefined ? null : ` ¥${String(detail.amount)}`,
        ),
        h(
          'div',
          { class: 'muted' },
          t('caseDecisionMeta', {
            asOf: detail.asOf === undefined ? t('caseDateWithheld') : String(detail.asOf),
            period: String(detail.period ?? ''),
            at: formatTime(d.at),
          }),
        ),
        conditionTable((detail.conditions as RecordedCondition[] | undefined) ?? [], catalog),
        missing.length ? h('p', { class: 'notice' }, t('caseMissingFacts', { facts: missing.join('、') })) : null,
        allows(role, 'case.explain') ? explainBox(caseId, policy, String(detail.asOf ?? '')) : null,
      );
    }),
    decisions.length ? null : h('p', { class: 'muted' }, t('caseNoDecision')),
  );
}

/** The logged reveal of the identifier: a reason first, then the ID and a fresh timeline. */
function unmaskBox(caseId: string, reload: () => void): HTMLElement {
  const box = h('div', { class: 'unmask' });
  const reason = h('textarea', {
    class: 'unmask-reason',
    rows: 2,
    placeholder: t('unmaskReasonPlaceholder'),
    'aria-label': t('unmaskReason'),
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const submit = button(
    t('unmaskConfirm'),
    async () => {
      submit.disabled = true;
      try {
        const revealed = await api<{ subject: { id: string }; reason: string; unmaskedBy: string }>(
          'POST',
          `${casePath(caseId)}/unmask`,
          { reason: reason.value },
        );
        mount(
          box,
          h(
            'div',
            { class: 'revealed' },
            h('span', { class: 'muted' }, t('unmaskRevealed')),
            h('strong', { class: 'mono revealed-id' }, revealed.subject.id),
            h('div', { class: 'muted' }, t('unmaskLogged', { reason: revealed.reason })),
          ),
        );
        reload();
      } catch (error) {
        mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        submit.disabled = false;
      }
    },
    { class: 'danger act-unmask-confirm' },
  );
  const open = button(
    t('unmask'),
    () =>
      mount(
        box,
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('unmaskReason')), reason),
        h('div', { class: 'actions' }, submit),
        flash,
      ),
    { class: 'act-unmask' },
  );
  mount(box, open);
  return box;
}

/** One case: header with masked subject and Temporal UI link, explanations, and the timeline. */
export function renderCase(caseId: string, role: Role, catalog: Catalog): HTMLElement {
  const head = h('div', { class: 'case-head' }, h('p', { class: 'muted' }, t('loading')));
  const explained = h('div', {});
  const list = h('ol', { class: 'timeline' });
  const showTemporal = h('input', { type: 'checkbox', class: 'toggle-temporal', checked: true });
  let unmask: HTMLElement | undefined;
  const load = async () => {
    try {
      const timeline = await api<CaseTimeline>('GET', `${casePath(caseId)}/timeline`);
      const own = timeline.workflows.find((w) => w.workflowId === caseId);
      if (allows(role, 'case.unmask')) unmask ??= unmaskBox(caseId, () => void load());
      mount(
        head,
        h(
          'a',
          { href: '#/cases', class: 'back' },
          `← ${t(conditionOf(role, 'case.timeline') === 'assigned-inspector' ? 'inspectionsTitle' : 'casesTitle')}`,
        ),
        h(
          'div',
          { class: 'title-row' },
          h('h2', {}, eventLabel(catalog, timeline.eventType)),
          h('span', { class: 'muted' }, timeline.eventDate ?? t('caseDateWithheld')),
        ),
        h('div', { class: 'mono muted case-id' }, caseId),
        h(
          'div',
          { class: 'case-subject-line' },
          `${t('colSubject')}：`,
          h('strong', { class: 'mono masked-id' }, timeline.subject.maskedId ?? timeline.subject.subjectKey),
          h('span', { class: 'muted mono' }, ` · ${timeline.subject.subjectKey}`),
        ),
        h(
          'div',
          { class: 'actions' },
          own?.temporalUi
            ? h(
                'a',
                { class: 'button-link temporal-link', href: own.temporalUi, target: '_blank', rel: 'noopener' },
                `${t('openTemporal')} ↗`,
              )
            : h('span', { class: 'muted' }, t('noTemporalUi')),
          ...timeline.workflows
            .filter((w) => w.workflowId !== caseId)
            .map((w) =>
              w.temporalUi
                ? h(
                    'a',
                    { class: 'child-link mono', href: w.temporalUi, target: '_blank', rel: 'noopener' },
                    `${w.type} ↗`,
                  )
                : null,
            ),
        ),
        unmask ?? null,
      );
      mount(explained, explanations(caseId, timeline.entries, catalog, role));
      mount(list, ...timeline.entries.map((entry) => entryItem(entry, caseId)));
    } catch (error) {
      mount(
        head,
        h('a', { href: '#/cases', class: 'back' }, `← ${t('casesTitle')}`),
        h('p', { class: 'error-box' }, errorText(error)),
      );
    }
  };
  showTemporal.addEventListener('change', () => list.classList.toggle('hide-temporal', !showTemporal.checked));
  window.setTimeout(() => void load(), 0);
  return h(
    'div',
    { class: 'case-page' },
    h('section', { class: 'card case' }, head),
    explained,
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'row' },
        h('h3', {}, t('caseTimeline')),
        h('label', { class: 'check' }, showTemporal, t('caseShowTemporal')),
      ),
      list,
    ),
  );
}
