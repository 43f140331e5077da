/**
 * Worklists (待办任务, `#/tasks` and `#/tasks/<id>`): each staff role sees the task types it handles
 * (the API decides which), with the counts on top — open, mine, overdue, due soon, and by type as
 * a chart — filters (type, status, assignee, overdue), overdue first and marked in words (逾期) as
 * well as colour, claim and release on each row, and a detail panel with the task's history and
 * the completion form of its type: a review's supplied facts (catalog fact, value, provenance and
 * its reference) or a decision outright with a reason; an inspection's finding, notes and evidence
 * references; any other type a note. Supervisors reassign to a user by ID. Uses /tasks only.
 */
import { api, errorText } from './api.js';
import { barChart } from './charts.js';
import { h, mount } from './dom.js';
import { button, factIndex, select, textArea, textInput, type Session } from './form-kit.js';
import { formatNumber, formatTime, pick, t, tOr } from './i18n.js';
import type { Catalog, Text } from './types.js';
import { allows } from '../../domain/permissions.js';
import {
  FINDINGS,
  FINDING_TEXT,
  PROVENANCE_KINDS,
  PROVENANCE_TEXT,
  TASK_STATUSES,
  TASK_TYPES,
  TASK_TYPE_TEXT,
  type Finding,
  type ProvenanceKind,
  type SuppliedFact,
  type TaskOutcome,
  type TaskType,
  type TaskView,
} from '../../domain/tasks.js';

/** GET /tasks (services/tasks/service.ts TaskList). */
export interface TaskListView {
  counts: {
    open: number;
    claimed: number;
    overdue: number;
    dueSoon: number;
    byType: Partial<Record<TaskType, number>>;
  };
  tasks: TaskView[];
  nextCursor?: string;
}
/** POST /tasks/:id/complete: what was done (`resolution`; `result` in the brief's wording) and the task. */
interface Completed {
  resolution?: { action: string; text: Text };
  result?: { action: string; text: Text };
  task: TaskView;
}

/** `#/tasks`, or one task opened in it. */
export const taskHash = (id?: string): string => (id ? `#/tasks/${encodeURIComponent(id)}` : '#/tasks');

/** The filters, kept while the person moves between tasks. */
const filters = { type: '', status: '', assignee: '', overdue: false };

const typeText = (type: TaskType) => pick(TASK_TYPE_TEXT[type]);
const statusText = (status: string) => tOr(`taskStatus_${status}`, status);
const soon = (task: TaskView) => !task.overdue && new Date(task.remindAt).getTime() <= Date.now();

/** Overdue and due soon, said in words beside the colour. */
function deadline(task: TaskView): HTMLElement {
  return h(
    'span',
    { class: 'task-due' },
    formatTime(task.dueAt),
    task.overdue ? h('span', { class: 'badge bad overdue-badge' }, t('taskOverdue')) : null,
    soon(task) && (task.status === 'open' || task.status === 'claimed')
      ? h('span', { class: 'badge warn due-soon-badge' }, t('taskDueSoon'))
      : null,
  );
}

const stat = (label: string, value: number, cls: string) =>
  h('div', { class: `stat ${cls}` }, h('span', {}, label), h('strong', {}, formatNumber(value)));

/** Claim (an open task) or release (one the person holds, or any for a supervisor) on a row or in the panel. */
function claimButtons(task: TaskView, session: Session, done: () => void, say: (text: string) => void): HTMLElement[] {
  const step = (action: 'claim' | 'release') => () =>
    void api('POST', `/tasks/${encodeURIComponent(task.id)}/${action}`, {})
      .then(done)
      .catch((error) => say(errorText(error)));
  const out: HTMLElement[] = [];
  if (task.status === 'open' && allows(session.role, 'task.claim'))
    out.push(button(t('taskClaim'), step('claim'), { class: 'task-claim' }));
  if (
    task.status === 'claimed' &&
    (task.assigneeId === session.id || session.role === 'supervisor') &&
    allows(session.role, 'task.claim')
  )
    out.push(button(t('taskRelease'), step('release'), { class: 'ghost task-release' }));
  return out;
}

/** A review's facts: one row per fact (catalog fact, value in its type, provenance and reference). */
function factsForm(task: TaskView, catalog: Catalog, facts: SuppliedFact[]): HTMLElement {
  const index = factIndex(catalog);
  const options: Array<[string, string]> = [...index.values()].map((f) => [f.key, `${pick(f.label)} (${f.key})`]);
  const list = h('div', { class: 'task-facts' });
  const draw = () =>
    mount(
      list,
      ...facts.map((fact, i) => {
        const field = index.get(fact.fact);
        const value =
          field?.type === 'boolean'
            ? select(
                [
                  ['true', t('yes')],
                  ['false', t('no')],
                ],
                String(fact.value ?? 'true'),
                (v) => (fact.value = v === 'true'),
                { class: 'fact-value', 'aria-label': t('taskFactValue') },
              )
            : field?.values
              ? select(
                  field.values.map((v) => [v, v] as [string, string]),
                  String(fact.value ?? field.values[0]),
                  (v) => (fact.value = v),
                  { class: 'fact-value', 'aria-label': t('taskFactValue') },
                )
              : textInput(
                  fact.value === null || fact.value === undefined ? '' : String(fact.value),
                  (v) => (fact.value = field?.type === 'number' && v.trim() !== '' ? Number(v) : v),
                  {
                    class: 'fact-value',
                    'aria-label': t('taskFactValue'),
                    placeholder: field?.type === 'date' ? 'YYYY-MM-DD' : '',
                    type: field?.type === 'date' ? 'date' : field?.type === 'number' ? 'number' : 'text',
                  },
                );
        return h(
          'fieldset',
          { class: 'task-fact' },
          h('legend', {}, t('taskFactN', { n: i + 1 })),
          h(
            'label',
            { class: 'field' },
            h('span', { class: 'field-label' }, t('taskFact')),
            select(
              options,
              fact.fact,
              (v) => {
                fact.fact = v;
                fact.value = null;
                draw();
              },
              { class: 'fact-key' },
            ),
          ),
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('taskFactValue')), value),
          h(
            'label',
            { class: 'field' },
            h('span', { class: 'field-label' }, t('taskProvenance')),
            select(
              PROVENANCE_KINDS.map((k) => [k, pick(PROVENANCE_TEXT[k])]),
              fact.provenance.kind,
              (v) => (fact.provenance.kind = v as ProvenanceKind),
              { class: 'provenance-kind' },
            ),
          ),
          h(
            'label',
            { class: 'field' },
            h('span', { class: 'field-label' }, t('taskReference')),
            textInput(fact.provenance.reference, (v) => (fact.provenance.reference = v), {
              class: 'provenance-reference',
              placeholder: t('taskReferenceHint'),
            }),
          ),
          facts.length > 1
            ? button(
                t('taskRemoveFact'),
                () => {
                  facts.splice(i, 1);
                  draw();
                },
                { class: 'ghost' },
              )
            : null,
        );
      }),
      button(
        t('taskAddFact'),
        () => {
          facts.push({
            fact: options[0]?.[0] ?? '',
            value: null,
            provenance: { kind: 'document-at-window', reference: '' },
          });
          draw();
        },
        { class: 'ghost task-add-fact' },
      ),
    );
  if (facts.length === 0)
    for (const fact of task.missingFacts.length ? task.missingFacts : [options[0]?.[0] ?? ''])
      facts.push({ fact, value: null, provenance: { kind: 'document-at-window', reference: '' } });
  draw();
  return list;
}

/** The completion form of the task's type; `submit` posts the outcome it builds. */
function completionForm(task: TaskView, catalog: Catalog, submit: (outcome: TaskOutcome) => void): HTMLElement {
  if (task.type === 'review') {
    let mode: 'facts' | 'decide' = 'facts';
    const facts: SuppliedFact[] = [];
    let decided: 'eligible' | 'ineligible' = 'eligible';
    let reason = '';
    const body = h('div', {});
    const draw = () =>
      mount(
        body,
        mode === 'facts'
          ? factsForm(task, catalog, facts)
          : h(
              'div',
              { class: 'task-decide' },
              h(
                'label',
                { class: 'field' },
                h('span', { class: 'field-label' }, t('taskDecision')),
                select(
                  [
                    ['eligible', tOr('outcome_eligible', 'eligible')],
                    ['ineligible', tOr('outcome_ineligible', 'ineligible')],
                  ],
                  decided,
                  (v) => (decided = v as 'eligible' | 'ineligible'),
                  { class: 'decide-outcome' },
                ),
              ),
              h(
                'label',
                { class: 'field' },
                h('span', { class: 'field-label' }, t('taskReason')),
                textArea(reason, (v) => (reason = v), { class: 'decide-reason', rows: 3 }),
              ),
            ),
      );
    const modes = h(
      'div',
      { class: 'task-modes', role: 'group' },
      ...(['facts', 'decide'] as const).map((m) =>
        h(
          'label',
          { class: 'inline' },
          h('input', {
            type: 'radio',
            name: `mode-${task.id}`,
            value: m,
            class: `mode-${m}`,
            checked: m === mode,
            onchange: () => {
              mode = m;
              draw();
            },
          }),
          t(m === 'facts' ? 'taskSupplyFacts' : 'taskDecideOutright'),
        ),
      ),
    );
    draw();
    return h(
      'form',
      { class: 'task-complete review' },
      modes,
      body,
      button(
        t('taskComplete'),
        () =>
          submit(
            mode === 'facts'
              ? { kind: 'facts-supplied', facts }
              : { kind: 'decided', outcome: decided, reason: reason.trim() },
          ),
        { class: 'primary task-submit' },
      ),
    );
  }
  if (task.type === 'application') {
    // The handling department approves or refuses the application, with the reason the applicant is told.
    let decided: 'eligible' | 'ineligible' = 'eligible';
    let reason = '';
    return h(
      'form',
      { class: 'task-complete application' },
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, t('taskDecision')),
        select(
          [
            ['eligible', t('applicationApprove')],
            ['ineligible', t('applicationRefuse')],
          ],
          decided,
          (v) => (decided = v as 'eligible' | 'ineligible'),
          { class: 'decide-outcome' },
        ),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, t('taskReason')),
        textArea(reason, (v) => (reason = v), { class: 'decide-reason', rows: 3 }),
      ),
      button(t('taskComplete'), () => submit({ kind: 'decided', outcome: decided, reason: reason.trim() }), {
        class: 'primary task-submit',
      }),
    );
  }
  if (task.type === 'inspection' || task.type === 'inconclusive-inspection') {
    let finding: Finding = 'conforms';
    let notes = '';
    let evidence = '';
    return h(
      'form',
      { class: 'task-complete inspection' },
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, t('taskFinding')),
        select(
          FINDINGS.map((f) => [f, pick(FINDING_TEXT[f])]),
          finding,
          (v) => (finding = v as Finding),
          { class: 'finding' },
        ),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, t('taskNotes')),
        textArea(notes, (v) => (notes = v), { class: 'finding-notes', rows: 3 }),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, t('taskEvidence')),
        textArea(evidence, (v) => (evidence = v), {
          class: 'finding-evidence',
          rows: 2,
          placeholder: t('taskEvidenceHint'),
        }),
      ),
      button(
        t('taskComplete'),
        () =>
          submit({
            kind: 'finding',
            finding,
            notes: notes.trim(),
            evidence: evidence
              .split(/[\n,，]/)
              .map((e) => e.trim())
              .filter(Boolean),
          }),
        { class: 'primary task-submit' },
      ),
    );
  }
  let note = '';
  return h(
    'form',
    { class: 'task-complete closed' },
    h(
      'label',
      { class: 'field' },
      h('span', { class: 'field-label' }, t('taskNote')),
      textArea(note, (v) => (note = v), { class: 'task-note', rows: 3 }),
    ),
    button(t('taskComplete'), () => submit({ kind: 'closed', note: note.trim() }), {
      class: 'primary task-submit',
    }),
  );
}

/** The detail panel: what the task is, its history, and what its holder (or a supervisor) may do. */
function detailPanel(id: string, session: Session, catalog: Catalog, reloadList: () => void): HTMLElement {
  const panel = h('section', { class: 'card task-detail', 'data-task': id }, h('p', { class: 'muted' }, t('loading')));
  const note = h('p', { class: 'task-note-line', role: 'status' });
  const say = (text: string) => (note.textContent = text);
  const load = async () => {
    try {
      const task = await api<TaskView>('GET', `/tasks/${encodeURIComponent(id)}`);
      draw(task);
    } catch (error) {
      mount(panel, h('p', { class: 'error-box' }, errorText(error)));
    }
  };
  const refresh = () => {
    reloadList();
    void load();
  };
  const draw = (task: TaskView) => {
    const holder = task.status === 'claimed' && task.assigneeId === session.id;
    let assignee = '';
    mount(
      panel,
      h(
        'header',
        { class: 'task-detail-head' },
        h('h3', {}, pick(task.title)),
        h(
          'p',
          {},
          h('span', { class: `badge task-type type-${task.type}` }, typeText(task.type)),
          ' ',
          h('span', { class: `badge task-status status-${task.status}` }, statusText(task.status)),
          ' ',
          deadline(task),
        ),
        button(t('taskCloseDetail'), () => (location.hash = taskHash()), { class: 'ghost task-close' }),
      ),
      h(
        'dl',
        { class: 'task-facts-list' },
        task.caseId ? [h('dt', {}, t('outreachCase')), h('dd', { class: 'mono' }, task.caseId)] : null,
        task.source.kind === 'application'
          ? [
              h('dt', {}, t('taskApplication')),
              h(
                'dd',
                {},
                h(
                  'a',
                  { class: 'mono task-application', href: `#/application/${encodeURIComponent(task.source.key)}` },
                  task.source.key,
                ),
              ),
            ]
          : null,
        task.policyId ? [h('dt', {}, t('colPolicy')), h('dd', {}, task.policyId)] : null,
        task.department ? [h('dt', {}, t('taskDepartment')), h('dd', {}, task.department)] : null,
        [h('dt', {}, t('taskLimit')), h('dd', {}, t('taskLimitDays', { days: task.timeLimitDays }))],
        task.missingFacts.length
          ? [h('dt', {}, t('taskMissing')), h('dd', { class: 'mono' }, task.missingFacts.join(', '))]
          : null,
        task.failedSources.length
          ? [h('dt', {}, t('taskFailed')), h('dd', { class: 'mono' }, task.failedSources.join(', '))]
          : null,
        [h('dt', {}, t('taskAssignee')), h('dd', { class: 'task-assignee' }, task.assigneeName ?? t('taskNobody'))],
      ),
      h('div', { class: 'task-actions' }, ...claimButtons(task, session, refresh, say)),
      session.role === 'supervisor' && allows(session.role, 'task.reassign') && task.status !== 'done'
        ? h(
            'div',
            { class: 'task-reassign' },
            h(
              'label',
              { class: 'inline' },
              h('span', {}, t('taskReassignTo')),
              textInput('', (v) => (assignee = v.trim()), { class: 'reassign-id', placeholder: 'u_…' }),
            ),
            button(
              t('taskReassign'),
              () =>
                void api('POST', `/tasks/${encodeURIComponent(task.id)}/reassign`, { assigneeId: assignee })
                  .then(refresh)
                  .catch((error) => say(errorText(error))),
              { class: 'task-reassign-button' },
            ),
          )
        : null,
      note,
      holder && allows(session.role, 'task.complete')
        ? h(
            'div',
            { class: 'task-completion' },
            h('h4', {}, t('taskCompleteTitle')),
            completionForm(
              task,
              catalog,
              (outcome) =>
                void api<Completed>('POST', `/tasks/${encodeURIComponent(task.id)}/complete`, { outcome })
                  .then((answer) => {
                    const done = answer.resolution ?? answer.result;
                    draw(answer.task);
                    say(done ? pick(done.text) : t('taskDone'));
                    reloadList();
                  })
                  .catch((error) => say(errorText(error))),
            ),
          )
        : null,
      task.outcome ? h('p', { class: 'task-outcome' }, t('taskOutcome'), ' ', outcomeText(task.outcome)) : null,
      h('h4', {}, t('taskHistory')),
      h(
        'ol',
        { class: 'task-history' },
        ...task.history.map((entry) =>
          h(
            'li',
            { class: `history-${entry.action}` },
            h('span', { class: 'muted' }, formatTime(entry.at)),
            ' ',
            tOr(`taskAction_${entry.action}`, entry.action),
            entry.byName ? ` · ${entry.byName}` : '',
            entry.note ? ` · ${entry.note}` : '',
          ),
        ),
      ),
    );
  };
  void load();
  return panel;
}

function outcomeText(outcome: TaskOutcome): string {
  switch (outcome.kind) {
    case 'facts-supplied':
      return outcome.facts
        .map(
          (f) =>
            `${f.fact} = ${String(f.value)} (${pick(PROVENANCE_TEXT[f.provenance.kind])} ${f.provenance.reference})`,
        )
        .join('; ');
    case 'decided':
      return `${tOr(`outcome_${outcome.outcome}`, outcome.outcome)}: ${outcome.reason}`;
    case 'finding':
      return `${pick(FINDING_TEXT[outcome.finding])}: ${outcome.notes}`;
    default:
      return outcome.note;
  }
}

/** `#/tasks` (and `#/tasks/<id>` with its panel): figures, chart, filters, the list. */
export function renderTasks(selected: string | undefined, session: Session, catalog: Catalog): HTMLElement {
  const figures = h('div', { class: 'task-figures' });
  const listBody = h('div', { class: 'task-list' }, h('p', { class: 'muted' }, t('loading')));
  const note = h('p', { class: 'task-list-note', role: 'status' });
  const say = (text: string) => (note.textContent = text);

  const query = () => {
    const q = new URLSearchParams();
    if (filters.type) q.set('type', filters.type);
    if (filters.status) q.set('status', filters.status);
    if (filters.assignee) q.set('assignee', filters.assignee);
    if (filters.overdue) q.set('overdue', 'true');
    const s = q.toString();
    return s ? `?${s}` : '';
  };
  async function load(): Promise<void> {
    try {
      const [list, mine] = await Promise.all([
        api<TaskListView>('GET', `/tasks${query()}`),
        api<TaskListView>('GET', '/tasks?assignee=me&status=claimed&limit=200'),
      ]);
      const c = list.counts;
      const byType = TASK_TYPES.filter((type) => (c.byType[type] ?? 0) > 0);
      mount(
        figures,
        h(
          'div',
          { class: 'stats task-counts' },
          stat(t('taskCountOpen'), c.open, 'count-open'),
          stat(t('taskCountMine'), mine.tasks.length, 'count-mine'),
          stat(t('taskCountOverdue'), c.overdue, 'count-overdue'),
          stat(t('taskCountDueSoon'), c.dueSoon, 'count-due-soon'),
        ),
        barChart(
          t('taskByType'),
          byType.map((type) => ({
            label: typeText(type),
            bars: [{ value: c.byType[type] ?? 0, series: 'this' }],
          })),
          formatNumber,
          { className: 'task-chart' },
          t('taskNone'),
        ),
      );
      mount(
        listBody,
        list.tasks.length === 0
          ? h('p', { class: 'muted task-empty' }, t('taskNone'))
          : h(
              'ul',
              { class: 'task-rows' },
              ...list.tasks.map((task) =>
                h(
                  'li',
                  {
                    class: `task-row${task.overdue ? ' overdue' : ''}${task.id === selected ? ' selected' : ''}`,
                    'data-task': task.id,
                    'data-type': task.type,
                    'data-status': task.status,
                  },
                  h(
                    'div',
                    { class: 'task-row-main' },
                    h('a', { href: taskHash(task.id), class: 'task-link' }, pick(task.title)),
                    h(
                      'div',
                      { class: 'muted task-row-meta' },
                      h('span', { class: `badge task-type type-${task.type}` }, typeText(task.type)),
                      ' ',
                      h('span', { class: `badge task-status status-${task.status}` }, statusText(task.status)),
                      ' ',
                      task.assigneeName ?? t('taskNobody'),
                    ),
                  ),
                  deadline(task),
                  h('div', { class: 'task-row-actions' }, ...claimButtons(task, session, () => void load(), say)),
                ),
              ),
            ),
      );
    } catch (error) {
      mount(listBody, h('p', { class: 'error-box' }, errorText(error)));
    }
  }

  const filterBar = h(
    'div',
    { class: 'task-filters', role: 'group', 'aria-label': t('taskFilters') },
    select(
      [['', t('taskAnyType')], ...TASK_TYPES.map((type) => [type, typeText(type)] as [string, string])],
      filters.type,
      (v) => {
        filters.type = v;
        void load();
      },
      { class: 'filter-type', 'aria-label': t('taskType') },
    ),
    select(
      [['', t('taskAnyStatus')], ...TASK_STATUSES.map((s) => [s, statusText(s)] as [string, string])],
      filters.status,
      (v) => {
        filters.status = v;
        void load();
      },
      { class: 'filter-status', 'aria-label': t('colStatus') },
    ),
    select(
      [
        ['', t('taskAnyAssignee')],
        ['me', t('taskAssigneeMe')],
        ['none', t('taskNobody')],
      ],
      filters.assignee,
      (v) => {
        filters.assignee = v;
        void load();
      },
      { class: 'filter-assignee', 'aria-label': t('taskAssignee') },
    ),
    h(
      'label',
      { class: 'inline' },
      h('input', {
        type: 'checkbox',
        class: 'filter-overdue',
        checked: filters.overdue,
        onchange: (event: Event) => {
          filters.overdue = (event.target as HTMLInputElement).checked;
          void load();
        },
      }),
      t('taskOnlyOverdue'),
    ),
  );
  void load();
  return h(
    'section',
    { class: 'tasks' },
    h('h2', {}, t('taskTitle')),
    figures,
    filterBar,
    note,
    h(
      'div',
      { class: `task-layout${selected ? ' with-detail' : ''}` },
      listBody,
      selected ? detailPanel(selected, session, catalog, () => void load()) : null,
    ),
  );
}
