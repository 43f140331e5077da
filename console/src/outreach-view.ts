/**
 * Outreach (应享尽享, `#/outreach`): officers and supervisors see the people likely eligible whom
 * the engine could not decide, grouped by policy and cause (a source that failed, a fact with no
 * value) with the department that owns the data; ask that department for a group's data in one
 * request, and contact people (a notice and an outreach task each, once per person and policy).
 * Figures and a chart of who is still waiting on top. Uses /outreach only.
 */
import { api, errorText } from './api.js';
import { barChart } from './charts.js';
import { fillSelect } from './choices.js';
import { h, mount } from './dom.js';
import type { Session } from './form-kit.js';
import { formatNumber, pick, t } from './i18n.js';
import type { Text } from './types.js';
import { allows } from '../../domain/permissions.js';

/** GET /outreach (services/outreach/worklist.ts OutreachGroup), as shown here. */
export interface OutreachPersonView {
  subjectKey: string;
  masked?: string;
  caseId: string;
  decidedAt: string;
  served: { granted: boolean; contacted: boolean; dataRequested: boolean };
}
export interface OutreachGroupView {
  id: string;
  policyId: string;
  policyTitle: Text;
  cause: { kind: 'source' | 'fact'; key: string; label: Text };
  source: string;
  department: Text;
  counts: { people: number; granted: number; contacted: number; dataRequested: number; waiting: number };
  people: OutreachPersonView[];
  nextOffset?: number;
  dataRequests: Array<{ id: string; day: string; status: string; people: number; requestedByName: string }>;
}
interface Worklist {
  groups: OutreachGroupView[];
  totals: { groups: number; people: number; waiting: number };
}

const CHANNELS = ['inbox', 'phone', 'letter'] as const;
let policyFilter = '';
/** The last thing each group's actions said: kept while the page reloads its figures after an action. */
const notes = new Map<string, string>();

/** What has been done for a person, in words (not colour alone). */
function servedBadges(p: OutreachPersonView): HTMLElement[] {
  const badges: HTMLElement[] = [];
  if (p.served.granted) badges.push(h('span', { class: 'badge ok served-granted' }, t('outreachGranted')));
  if (p.served.contacted) badges.push(h('span', { class: 'badge served-contacted' }, t('outreachContacted')));
  if (p.served.dataRequested) badges.push(h('span', { class: 'badge served-requested' }, t('outreachDataRequested')));
  if (badges.length === 0) badges.push(h('span', { class: 'badge warn served-waiting' }, t('outreachWaiting')));
  return badges;
}

const stat = (label: string, value: number, cls: string) =>
  h('div', { class: `stat ${cls}` }, h('span', {}, label), h('strong', {}, formatNumber(value)));

/** One group: its cause, department, counts, people (with checkboxes) and its two bulk actions. */
function groupCard(group: OutreachGroupView, session: Session, reload: () => void): HTMLElement {
  const note = h('p', { class: 'muted outreach-note', role: 'status' }, notes.get(group.id) ?? '');
  const say = (text: string) => {
    notes.set(group.id, text);
    note.textContent = text;
  };
  const picked = new Set<string>();
  const mayAct = allows(session.role, 'outreach.act');
  const body = h('tbody', {});
  const addRows = (people: OutreachPersonView[]) => {
    for (const person of people) {
      const box = h('input', {
        type: 'checkbox',
        class: 'outreach-pick',
        'aria-label': t('outreachPick', { id: person.masked ?? person.subjectKey }),
        disabled: !mayAct || person.served.granted,
      });
      box.addEventListener('change', () => (box.checked ? picked.add(person.caseId) : picked.delete(person.caseId)));
      body.append(
        h(
          'tr',
          { class: 'outreach-person', 'data-case': person.caseId, 'data-subject': person.subjectKey },
          h('td', {}, box),
          h(
            'td',
            {},
            h('div', { class: 'mono masked-id' }, person.masked ?? '—'),
            h(
              'div',
              { class: 'muted mono subject-key', title: person.subjectKey },
              person.subjectKey.slice(0, 14) + '…',
            ),
          ),
          h('td', { class: 'mono case-id' }, person.caseId),
          h('td', { class: 'served' }, ...servedBadges(person)),
        ),
      );
    }
  };
  addRows(group.people);
  let nextOffset = group.nextOffset;
  const more = h(
    'button',
    { type: 'button', class: 'ghost outreach-more', hidden: nextOffset === undefined },
    t('outreachMore'),
  );
  more.addEventListener('click', () => {
    void (async () => {
      const query = new URLSearchParams({
        policy: group.policyId,
        cause: group.cause.kind,
        key: group.cause.key,
        offset: String(nextOffset ?? 0),
      });
      const page = await api<Worklist>('GET', `/outreach?${query}`);
      const same = page.groups.find((g) => g.id === group.id);
      addRows(same?.people ?? []);
      nextOffset = same?.nextOffset;
      more.hidden = nextOffset === undefined;
    })().catch((error) => say(errorText(error)));
  });

  const channel = h(
    'select',
    { class: 'outreach-channel', 'aria-label': t('outreachChannel') },
    ...CHANNELS.map((c) => h('option', { value: c }, t(`outreachChannel_${c}`))),
  );
  const requestData = h(
    'button',
    { type: 'button', class: 'outreach-request' },
    t('outreachRequestData', { department: pick(group.department) }),
  );
  requestData.addEventListener('click', () => {
    void (async () => {
      const answer = await api<{ created: boolean; request: { subjectKeys: string[] } }>(
        'POST',
        '/outreach/data-requests',
        {
          policyId: group.policyId,
          [group.cause.kind]: group.cause.key,
        },
      );
      say(
        t(answer.created ? 'outreachRequested' : 'outreachRequestedBefore', {
          count: answer.request.subjectKeys.length,
          department: pick(group.department),
        }),
      );
      reload();
    })().catch((error) => say(errorText(error)));
  });
  const contact = h('button', { type: 'button', class: 'primary outreach-contact' }, t('outreachContact'));
  contact.addEventListener('click', () => {
    void (async () => {
      const caseIds = picked.size
        ? [...picked]
        : group.people.filter((p) => !p.served.granted && !p.served.contacted).map((p) => p.caseId);
      if (caseIds.length === 0) {
        say(t('outreachNobody'));
        return;
      }
      const answer = await api<{ contacts: Array<{ created: boolean }> }>('POST', '/outreach/contacts', {
        caseIds,
        policyId: group.policyId,
        channel: channel.value,
      });
      say(
        t('outreachContacted_n', {
          created: answer.contacts.filter((c) => c.created).length,
          again: answer.contacts.filter((c) => !c.created).length,
        }),
      );
      reload();
    })().catch((error) => say(errorText(error)));
  });

  const c = group.counts;
  return h(
    'section',
    { class: 'card outreach-group', 'data-group': group.id },
    h(
      'header',
      { class: 'outreach-head' },
      h('h3', {}, pick(group.policyTitle)),
      h('p', { class: 'outreach-cause' }, h('strong', {}, pick(group.cause.label))),
      h(
        'p',
        { class: 'muted outreach-department' },
        t('outreachOwner', { department: pick(group.department), source: group.source }),
      ),
    ),
    h(
      'div',
      { class: 'stats outreach-counts' },
      stat(t('outreachPeople'), c.people, 'count-people'),
      stat(t('outreachWaiting'), c.waiting, 'count-waiting'),
      stat(t('outreachContacted'), c.contacted, 'count-contacted'),
      stat(t('outreachDataRequested'), c.dataRequested, 'count-requested'),
      stat(t('outreachGranted'), c.granted, 'count-granted'),
    ),
    mayAct
      ? h(
          'div',
          { class: 'outreach-actions' },
          requestData,
          h('label', { class: 'inline' }, h('span', {}, t('outreachChannel')), channel),
          contact,
        )
      : null,
    note,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'outreach-people' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, h('span', { class: 'visually-hidden' }, t('outreachPickColumn'))),
            h('th', {}, t('outreachPerson')),
            h('th', {}, t('outreachCase')),
            h('th', {}, t('outreachServed')),
          ),
        ),
        body,
      ),
    ),
    more,
    group.dataRequests.length
      ? h(
          'div',
          { class: 'outreach-requests' },
          h('h4', {}, t('outreachRequests')),
          h(
            'ul',
            {},
            ...group.dataRequests.map((r) =>
              h(
                'li',
                { class: `outreach-request-row req-${r.status}`, 'data-request': r.id },
                `${r.day} · ${t('outreachRequestPeople', { count: r.people })} · ${r.requestedByName} · `,
                h(
                  'span',
                  { class: `badge ${r.status === 'answered' ? 'ok' : ''}` },
                  t(r.status === 'answered' ? 'outreachAnswered' : 'outreachAwaitingAnswer'),
                ),
                mayAct && r.status === 'requested'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'ghost outreach-answered',
                        onclick: () =>
                          void api('POST', `/outreach/data-requests/${encodeURIComponent(r.id)}/answered`, {})
                            .then(reload)
                            .catch((error) => say(errorText(error))),
                      },
                      t('outreachMarkAnswered'),
                    )
                  : null,
              ),
            ),
          ),
        )
      : null,
  );
}

/** `#/outreach`: the figures, the chart, the policy filter and a card per group. */
export function renderOutreach(session: Session): HTMLElement {
  const content = h('div', { class: 'outreach-body' }, h('p', { class: 'muted' }, t('loading')));
  const policy = h('select', { class: 'outreach-policy-filter', 'aria-label': t('metricsPolicy') });
  const titles = new Map<string, Text>();
  policy.addEventListener('change', () => {
    policyFilter = policy.value;
    void load();
  });
  async function load(): Promise<void> {
    try {
      const query = policyFilter ? `?policy=${encodeURIComponent(policyFilter)}` : '';
      const list = await api<Worklist>('GET', `/outreach${query}`);
      for (const g of list.groups) titles.set(g.policyId, g.policyTitle);
      fillSelect(policy, t('metricsAnyPolicy'), titles);
      policy.value = policyFilter;
      const chart = barChart(
        t('outreachChart'),
        list.groups.map((g) => ({
          label: `${pick(g.policyTitle)} · ${pick(g.cause.label)}`,
          hint: `${pick(g.policyTitle)} · ${pick(g.cause.label)} · ${pick(g.department)}`,
          bars: [
            {
              value: g.counts.waiting,
              series: 'down',
              text: `${formatNumber(g.counts.waiting)} ${t('outreachWaiting')}`,
            },
            {
              value: g.counts.people - g.counts.waiting,
              series: 'up',
              text: `${formatNumber(g.counts.people - g.counts.waiting)} ${t('outreachServedShort')}`,
            },
          ],
        })),
        formatNumber,
        {
          legend: [
            ['down', t('outreachWaiting')],
            ['up', t('outreachServedShort')],
          ],
          className: 'outreach-chart',
        },
        t('outreachNone'),
      );
      mount(
        content,
        h(
          'div',
          { class: 'stats outreach-totals' },
          stat(t('outreachGroups'), list.totals.groups, 'total-groups'),
          stat(t('outreachPeople'), list.totals.people, 'total-people'),
          stat(t('outreachWaiting'), list.totals.waiting, 'total-waiting'),
        ),
        chart,
        list.groups.length === 0 ? h('p', { class: 'muted outreach-empty' }, t('outreachNone')) : null,
        ...list.groups.map((g) => groupCard(g, session, () => void load())),
      );
    } catch (error) {
      mount(content, h('p', { class: 'error-box' }, errorText(error)));
    }
  }
  void load();
  return h(
    'section',
    { class: 'outreach' },
    h('h2', {}, t('outreachTitle')),
    h('p', { class: 'muted' }, t('outreachIntro')),
    h('div', { class: 'outreach-filter' }, policy),
    content,
  );
}
