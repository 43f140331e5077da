/**
 * Fact requests (数据需求, `#/fact-requests`): an officer whose policy needs a fact the catalog lacks
 * asks the department that keeps it — what, why, for which policy, on what legal basis — and follows
 * the answer here: the fact added (the catalog draft a reviewer publishes) or the department's reason
 * for refusing, with the answers' alerts on top. Reviewers and supervisors read the same list. Uses
 * /fact-requests and, for the source picker, the catalog already loaded.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button, field, select, textArea, textInput, type Session } from './form-kit.js';
import { formatTime, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Catalog, Text } from './types.js';
import { allows } from '../../domain/permissions.js';

/** GET /fact-requests (services/fact-requests/service.ts FactRequestView), as shown here. */
interface FactRequestView {
  id: string;
  status: 'open' | 'answered' | 'refused' | 'withdrawn';
  fact: { description: string; key?: string; type?: string };
  why: string;
  policy: { id: string; version?: number };
  legalBasis: string;
  department: string;
  departmentName: Text;
  sourceId?: string;
  filedBy: { id: string; name: string };
  filedAt: string;
  dueAt: string;
  answer?:
    { kind: 'fact-added'; sourceId: string; factKey: string; draftId: string } | { kind: 'refused'; reason: string };
  answeredAt?: string;
  answeredInTime?: boolean;
}
interface Listing {
  requests: FactRequestView[];
  alerts: Array<{ kind: string; factRequestId?: string; text: Text; at: string }>;
}

const FACT_TYPES = ['', 'boolean', 'date', 'number', 'string'] as const;

/** The filing form: the fields of POST /fact-requests, the source picked from the catalog. */
function filingForm(catalog: Catalog, onFiled: (text: string) => void): HTMLElement {
  const draft = {
    description: '',
    key: '',
    type: '',
    why: '',
    policyId: '',
    version: '',
    legalBasis: '',
    sourceId: '',
  };
  const note = h('p', { class: 'muted fact-request-note', role: 'status' });
  const sources: Array<[string, string]> = [
    ['', t('factRequestPickSource')],
    ...catalog.sources.map((s): [string, string] => [s.id, `${pick(s.department)} · ${s.id}`]),
  ];
  const form = h(
    'form',
    { class: 'card fact-request-form' },
    h('h3', {}, t('factRequestNew')),
    field(
      t('factRequestWhat'),
      textArea('', (v) => (draft.description = v), { class: 'fact-what', rows: 2, maxlength: 500 }),
      'fact.description',
    ),
    h(
      'div',
      { class: 'row' },
      field(
        t('factRequestKey'),
        textInput('', (v) => (draft.key = v), { class: 'fact-key', placeholder: 'person.livesAlone' }),
        'fact.key',
      ),
      field(
        t('factRequestType'),
        select(
          FACT_TYPES.map((type): [string, string] => [type, type ? t(`factType_${type}` as MessageKey) : '—']),
          '',
          (v) => (draft.type = v),
          { class: 'fact-type' },
        ),
        'fact.type',
      ),
    ),
    field(
      t('factRequestWhy'),
      textArea('', (v) => (draft.why = v), { class: 'fact-why', rows: 2, maxlength: 1000 }),
      'why',
    ),
    h(
      'div',
      { class: 'row' },
      field(
        t('factRequestPolicy'),
        textInput('', (v) => (draft.policyId = v), { class: 'fact-policy', placeholder: 'elderly-care-allowance' }),
        'policy.id',
      ),
      field(
        t('factRequestVersion'),
        textInput('', (v) => (draft.version = v), { class: 'fact-version', inputmode: 'numeric' }),
        'policy.version',
      ),
    ),
    field(
      t('factRequestLegalBasis'),
      textInput('', (v) => (draft.legalBasis = v), { class: 'fact-legal-basis', maxlength: '500' }),
      'legalBasis',
    ),
    field(
      t('factRequestSource'),
      select(sources, '', (v) => (draft.sourceId = v), { class: 'fact-source' }),
      'sourceId',
    ),
    h(
      'div',
      { class: 'actions' },
      button(
        t('factRequestFile'),
        () =>
          void (async () => {
            for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
            const version = draft.version.trim();
            const answer = await api<{ created: boolean; request: FactRequestView }>('POST', '/fact-requests', {
              fact: {
                description: draft.description,
                ...(draft.key.trim() ? { key: draft.key.trim() } : {}),
                ...(draft.type ? { type: draft.type } : {}),
              },
              why: draft.why,
              policy: { id: draft.policyId.trim(), ...(version ? { version: Number(version) } : {}) },
              legalBasis: draft.legalBasis,
              ...(draft.sourceId ? { sourceId: draft.sourceId } : {}),
            });
            onFiled(
              t(answer.created ? 'factRequestFiled' : 'factRequestFiledBefore', {
                department: pick(answer.request.departmentName),
                due: formatTime(answer.request.dueAt),
              }),
            );
          })().catch((error: unknown) => {
            const path = (error as { field?: string }).field;
            const slot = path ? form.querySelector(`[data-path="${path}"] .field-error`) : null;
            if (slot) slot.textContent = errorText(error);
            note.textContent = errorText(error);
          }),
        { class: 'primary fact-request-file' },
      ),
    ),
    note,
  );
  return form;
}

/** The answer of a request, in words: the draft that adds the fact, the reason refused, or what it waits for. */
function answerCell(r: FactRequestView): HTMLElement {
  if (r.answer?.kind === 'fact-added')
    return h(
      'div',
      { class: 'fact-answer' },
      h('div', {}, t('factRequestAdded', { key: r.answer.factKey, source: r.answer.sourceId })),
      h('div', { class: 'muted mono' }, t('factRequestDraft', { draft: r.answer.draftId })),
      h(
        'span',
        { class: `badge ${r.answeredInTime ? 'ok' : 'warn'} fact-in-time` },
        t(r.answeredInTime ? 'factRequestInTime' : 'factRequestLate'),
      ),
    );
  if (r.answer?.kind === 'refused') return h('div', { class: 'fact-answer fact-refusal' }, r.answer.reason);
  return h('span', { class: 'muted' }, r.status === 'open' ? t('factRequestWaiting') : '—');
}

const STATUS_BADGE: Record<FactRequestView['status'], string> = {
  open: '',
  answered: 'ok',
  refused: 'warn',
  withdrawn: '',
};

/** `#/fact-requests`: alerts, the form (officers), and every request with its answer. */
export function renderFactRequests(session: Session, catalog: Catalog): HTMLElement {
  const content = h('div', { class: 'fact-requests-body' }, h('p', { class: 'muted' }, t('loading')));
  let said = '';
  async function load(): Promise<void> {
    try {
      const { requests, alerts } = await api<Listing>('GET', '/fact-requests');
      const mayFile = allows(session.role, 'fact-request.file');
      const rows = requests.map((r) =>
        h(
          'tr',
          { class: `fact-request req-${r.status}`, 'data-request': r.id },
          h(
            'td',
            {},
            h('div', { class: 'fact-description' }, r.fact.description),
            r.fact.key
              ? h('div', { class: 'muted mono' }, `${r.fact.key}${r.fact.type ? ` · ${r.fact.type}` : ''}`)
              : null,
            h('div', { class: 'muted fact-why' }, r.why),
          ),
          h('td', { class: 'mono' }, `${r.policy.id}${r.policy.version ? ` v${r.policy.version}` : ''}`),
          h('td', {}, pick(r.departmentName), r.sourceId ? h('div', { class: 'muted mono' }, r.sourceId) : null),
          h('td', {}, formatTime(r.filedAt), h('div', { class: 'muted' }, r.filedBy.name)),
          h('td', { class: 'fact-due' }, formatTime(r.dueAt)),
          h(
            'td',
            {},
            h('span', { class: `badge ${STATUS_BADGE[r.status]} fact-status` }, t(`factRequestStatus_${r.status}`)),
          ),
          h('td', {}, answerCell(r)),
          h(
            'td',
            {},
            r.status === 'open' && r.filedBy.id === session.id && allows(session.role, 'fact-request.withdraw')
              ? button(
                  t('factRequestWithdraw'),
                  () =>
                    void api('POST', `/fact-requests/${encodeURIComponent(r.id)}/withdraw`, {})
                      .then(load)
                      .catch((error) => alert(errorText(error))),
                  { class: 'ghost fact-request-withdraw' },
                )
              : null,
          ),
        ),
      );
      mount(
        content,
        alerts.length
          ? h(
              'ul',
              { class: 'card fact-alerts', role: 'status' },
              ...alerts.map((a) =>
                h(
                  'li',
                  { class: `fact-alert alert-${a.kind === 'fact-request.answered' ? 'answered' : 'refused'}` },
                  h('span', { class: 'muted' }, formatTime(a.at)),
                  ' ',
                  pick(a.text),
                ),
              ),
            )
          : null,
        said ? h('p', { class: 'ok-box fact-request-said', role: 'status' }, said) : null,
        mayFile
          ? filingForm(catalog, (text) => {
              said = text;
              void load();
            })
          : null,
        h('h3', {}, t('factRequestList')),
        requests.length === 0
          ? h('p', { class: 'muted fact-requests-empty' }, t('factRequestNone'))
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'fact-requests' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ...(
                      [
                        'factRequestWhat',
                        'factRequestPolicy',
                        'factRequestDepartment',
                        'factRequestFiledAt',
                        'factRequestDue',
                        'factRequestStatus',
                        'factRequestAnswer',
                        'factRequestActions',
                      ] as const
                    ).map((key) => h('th', {}, t(key))),
                  ),
                ),
                h('tbody', {}, ...rows),
              ),
            ),
      );
    } catch (error) {
      mount(content, h('p', { class: 'error-box' }, errorText(error)));
    }
  }
  void load();
  return h(
    'section',
    { class: 'fact-requests-page' },
    h('h2', {}, t('factRequestTitle')),
    h('p', { class: 'muted' }, t('factRequestIntro')),
    content,
  );
}
