/**
 * The data catalog (数据目录, `#/catalog`): every source of the catalog in force with its owning
 * department, legal basis and update frequency, and each fact's type, unit, sensitivity and
 * coverage in words (无记录即"否" / 无记录即"未知"), so an officer writing a policy knows what an
 * absent record will mean. An officer drafts a new fact for a published source and submits it; a
 * reviewer who did not draft it approves it — which publishes it as the next version — or sends it
 * back with a reason. Uses GET /catalog, /catalog/versions and /catalog/drafts.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button, decorateIssues, field, select, textInput, type Session } from './form-kit.js';
import { formatTime, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Text } from './types.js';
import { allows } from '../../domain/permissions.js';

interface FieldView {
  key: string;
  type: 'date' | 'number' | 'boolean' | 'string';
  sensitivity: string;
  label: Text;
  values?: string[];
  unit?: Text;
  coverage: 'absent-means-no' | 'absent-means-unknown';
}
interface SourceView {
  id: string;
  subject: 'person' | 'enterprise';
  department: Text;
  legalBasis: Text;
  updateFrequency: string;
  fields: FieldView[];
}
interface CatalogView {
  version: number;
  sources: SourceView[];
}
interface DraftView {
  id: string;
  status: string;
  facts: string[];
  createdBy: string;
  createdById: string;
  submittedById?: string;
  publishedVersion?: number;
  history: Array<{ action: string; actor: string; at: string; note?: string }>;
}
interface VersionView {
  version: number;
  origin: string;
  added: string[];
  publishedBy: string;
  publishedAt: string;
}

/** Coverage in words: what no record means. */
export const coverageWords = (coverage: string): string =>
  t(coverage === 'absent-means-no' ? 'catalogCoverageNo' : 'catalogCoverageUnknown');

const tOf = (prefix: string, value: string) => t(`${prefix}${value}` as MessageKey);

/** One source: its metadata, then a row per fact. */
function sourceCard(source: SourceView): HTMLElement {
  return h(
    'section',
    { class: 'card catalog-source', 'data-source': source.id },
    h('h3', {}, `${pick(source.department)} · ${source.id}`),
    h(
      'p',
      { class: 'muted catalog-meta' },
      `${t('catalogLegalBasis')}：${pick(source.legalBasis)} · ${t('catalogFrequency')}：${tOf('catalogFrequency_', source.updateFrequency)} · ${tOf('catalogSubject_', source.subject)}`,
    ),
    h(
      'table',
      { class: 'catalog-facts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(
            [
              'catalogFact',
              'catalogLabel',
              'catalogType',
              'catalogUnit',
              'catalogSensitivity',
              'catalogCoverage',
            ] as const
          ).map((key) => h('th', {}, t(key))),
        ),
      ),
      h(
        'tbody',
        {},
        ...source.fields.map((f) =>
          h(
            'tr',
            { 'data-fact': f.key },
            h('td', {}, h('code', {}, f.key)),
            h('td', {}, pick(f.label)),
            h('td', {}, tOf('catalogType_', f.type)),
            h('td', {}, f.unit ? pick(f.unit) : '—'),
            h('td', {}, tOf('catalogSensitivity_', f.sensitivity)),
            h(
              'td',
              { class: `catalog-coverage ${f.coverage}` },
              h(
                'span',
                { class: f.coverage === 'absent-means-no' ? 'badge ok' : 'badge warn' },
                coverageWords(f.coverage),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The officer's form: one new fact for a published source, drafted and submitted for review. */
function draftForm(catalog: CatalogView, done: (text: string) => void): HTMLElement {
  const state = {
    sourceId: catalog.sources[0]?.id ?? '',
    field: '',
    zh: '',
    en: '',
    type: 'boolean',
    sensitivity: 'personal',
    unitZh: '',
    unitEn: '',
    values: '',
    coverage: 'absent-means-no',
    p: '0.3',
    min: '0',
    max: '10',
    from: '2000-01-01',
    to: '2025-12-31',
  };
  const status = h('p', { class: 'muted catalog-draft-status', role: 'status' });
  const subjectOf = () => catalog.sources.find((s) => s.id === state.sourceId)?.subject ?? 'person';
  const generator = () => {
    if (state.type === 'boolean') return { kind: 'bernoulli', p: Number(state.p) };
    if (state.type === 'number') return { kind: 'integer', min: Number(state.min), max: Number(state.max) };
    if (state.type === 'date') return { kind: 'date', from: state.from, to: state.to };
    const values = state.values
      .split(/[,，]/)
      .map((v) => v.trim())
      .filter(Boolean);
    return { kind: 'choice', weights: Object.fromEntries(values.map((v) => [v, 1])) };
  };
  const addition = () => ({
    sourceId: state.sourceId,
    facts: [
      {
        key: `${subjectOf()}.${state.field.trim()}`,
        type: state.type,
        sensitivity: state.sensitivity,
        label: { zh: state.zh, en: state.en },
        ...(state.type === 'number' && (state.unitZh || state.unitEn)
          ? { unit: { zh: state.unitZh, en: state.unitEn } }
          : {}),
        ...(state.type === 'string'
          ? {
              values: state.values
                .split(/[,，]/)
                .map((v) => v.trim())
                .filter(Boolean),
            }
          : {}),
        coverage: state.coverage,
        synthetic: generator(),
      },
    ],
  });
  const set = (key: keyof typeof state) => (value: string) => {
    state[key] = value;
  };
  const form: HTMLElement = h(
    'section',
    { class: 'card catalog-draft' },
    h('h3', {}, t('catalogDraftTitle')),
    h('p', { class: 'muted' }, t('catalogDraftIntro')),
    h(
      'div',
      { class: 'catalog-form' },
      field(
        t('catalogSource'),
        select(
          catalog.sources.map((s) => [s.id, `${pick(s.department)} · ${s.id}`]),
          state.sourceId,
          set('sourceId'),
          { name: 'sourceId' },
        ),
        'sourceId',
      ),
      field(
        t('catalogFieldName'),
        textInput('', set('field'), { name: 'field', placeholder: 'livesAlone' }),
        'facts[0].key',
      ),
      field(t('catalogLabelZh'), textInput('', set('zh'), { name: 'labelZh' }), 'facts[0].label'),
      field(t('catalogLabelEn'), textInput('', set('en'), { name: 'labelEn' }), 'facts[0].label.en'),
      field(
        t('catalogType'),
        select(
          (['boolean', 'number', 'string', 'date'] as const).map((v) => [v, tOf('catalogType_', v)]),
          state.type,
          set('type'),
          { name: 'type' },
        ),
        'facts[0].type',
      ),
      field(
        t('catalogSensitivity'),
        select(
          (['public', 'personal', 'sensitive'] as const).map((v) => [v, tOf('catalogSensitivity_', v)]),
          state.sensitivity,
          set('sensitivity'),
          { name: 'sensitivity' },
        ),
        'facts[0].sensitivity',
      ),
      field(t('catalogUnitZh'), textInput('', set('unitZh'), { name: 'unitZh', placeholder: '元' }), 'facts[0].unit'),
      field(
        t('catalogUnitEn'),
        textInput('', set('unitEn'), { name: 'unitEn', placeholder: 'CNY' }),
        'facts[0].unit.en',
      ),
      field(
        t('catalogValues'),
        textInput('', set('values'), { name: 'values', placeholder: 'a, b, c' }),
        'facts[0].values',
      ),
      field(
        t('catalogCoverage'),
        select(
          (['absent-means-no', 'absent-means-unknown'] as const).map((v) => [v, coverageWords(v)]),
          state.coverage,
          set('coverage'),
          { name: 'coverage' },
        ),
        'facts[0].coverage',
      ),
      field(t('catalogGeneratorP'), textInput(state.p, set('p'), { name: 'p' }), 'facts[0].synthetic.p'),
      field(
        t('catalogGeneratorRange'),
        h(
          'span',
          { class: 'catalog-range' },
          textInput(state.min, set('min'), { name: 'min' }),
          textInput(state.max, set('max'), { name: 'max' }),
        ),
        'facts[0].synthetic.min',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      button(
        t('catalogDraftSubmit'),
        () => {
          status.textContent = t('catalogSending');
          void (async () => {
            try {
              const draft = await api<DraftView>('POST', '/catalog/drafts', addition());
              await api<DraftView>('POST', `/catalog/drafts/${encodeURIComponent(draft.id)}/submit`, {});
              done(t('catalogDrafted', { fact: draft.facts.join(', ') }));
            } catch (error) {
              status.textContent = errorText(error);
              status.className = 'error-box catalog-draft-status';
              const issues =
                (error as { issues?: Array<{ path: string; message: string; messageZh?: string }> }).issues ?? [];
              decorateIssues(form, issues);
            }
          })();
        },
        { class: 'primary catalog-draft-send' },
      ),
    ),
    status,
  );
  return form;
}

/** The drafts: a reviewer who did not draft one approves (publishes) or sends it back. */
function draftsTable(drafts: DraftView[], session: Session, done: (text: string) => void): HTMLElement {
  const mayApprove = allows(session.role, 'catalog.approve');
  return h(
    'section',
    { class: 'card catalog-drafts' },
    h('h3', {}, t('catalogDrafts')),
    drafts.length === 0
      ? h('p', { class: 'muted' }, t('catalogNoDrafts'))
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...(['catalogFact', 'catalogStatus', 'catalogBy', 'catalogActions'] as const).map((k) =>
                h('th', {}, t(k)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...drafts.map((d) => {
              const reason = h('input', {
                type: 'text',
                class: 'catalog-reject-reason',
                placeholder: t('catalogRejectReason'),
              });
              const act = (path: string, body: object) =>
                void api<DraftView>('POST', `/catalog/drafts/${encodeURIComponent(d.id)}/${path}`, body)
                  .then((after) =>
                    done(
                      after.status === 'published'
                        ? t('catalogPublished', { version: after.publishedVersion ?? '' })
                        : t('catalogRejected'),
                    ),
                  )
                  .catch((error: unknown) => done(errorText(error)));
              return h(
                'tr',
                { 'data-draft': d.id },
                h('td', {}, ...d.facts.map((f) => h('code', {}, f))),
                h('td', {}, tOf('catalogStatus_', d.status), d.publishedVersion ? ` · v${d.publishedVersion}` : ''),
                h('td', {}, `${d.createdBy} · ${formatTime(d.history[0]?.at ?? '')}`),
                h(
                  'td',
                  {},
                  mayApprove && d.status === 'submitted'
                    ? h(
                        'span',
                        { class: 'catalog-review' },
                        button(t('catalogApprove'), () => act('approve', {}), { class: 'primary catalog-approve' }),
                        reason,
                        button(t('catalogReject'), () => act('reject', { note: reason.value }), {
                          class: 'ghost catalog-reject',
                        }),
                      )
                    : '',
                ),
              );
            }),
          ),
        ),
  );
}

/** The page: the catalog in force, the officer's form, the drafts and the versions. */
export function renderCatalog(session: Session, onPublished: () => void): HTMLElement {
  const root = h('div', { class: 'catalog-page' }, h('p', { class: 'muted' }, t('loading')));
  let said = '';
  const load = async () => {
    try {
      const catalog = await api<CatalogView>('GET', '/catalog');
      const [drafts, versions] = await Promise.all([
        api<DraftView[]>('GET', '/catalog/drafts'),
        api<VersionView[]>('GET', '/catalog/versions'),
      ]);
      const done = (text: string) => {
        said = text;
        onPublished();
        void load();
      };
      mount(
        root,
        h(
          'h2',
          {},
          t('catalogTitle'),
          h('span', { class: 'muted catalog-version' }, ` · ${t('catalogVersion', { version: catalog.version })}`),
        ),
        h('p', { class: 'muted' }, t('catalogIntro')),
        said ? h('p', { class: 'notice catalog-said', role: 'status' }, said) : null,
        allows(session.role, 'catalog.draft') ? draftForm(catalog, done) : null,
        draftsTable(drafts, session, done),
        ...catalog.sources.map(sourceCard),
        h(
          'section',
          { class: 'card catalog-versions' },
          h('h3', {}, t('catalogVersions')),
          h(
            'ul',
            {},
            ...versions.map((v) =>
              h('li', {}, `v${v.version} · ${formatTime(v.publishedAt)} · ${v.publishedBy} · +${v.added.length}`),
            ),
          ),
        ),
      );
    } catch (error) {
      mount(root, h('p', { class: 'error-box' }, errorText(error)));
    }
  };
  void load();
  return root;
}
