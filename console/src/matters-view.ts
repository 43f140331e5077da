/**
 * What you no longer need to bring (无需再提交的证明, `#/matters`): the public page of the list of
 * matters (用证事项清单), open to anyone, signed in or not. Matters for people and for firms,
 * each with the proofs it used to require struck through and how each is obtained now (shared
 * data, the certifying department's verification, an e-certificate from the wallet, a pledge, or
 * no longer asked), the few still needed on paper said plainly; the list's version and date, a
 * warning when it is older than six months, and a chart of the proofs by how they are obtained.
 * Uses GET /matters.
 */
import { api, errorText } from './api.js';
import { barChart } from './charts.js';
import { h, mount } from './dom.js';
import { currentLang, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import type { Text } from './types.js';
import { findFact } from '../../domain/sources.js';
import { verificationClaim } from '../../domain/verification-claims.js';
import { certificateType } from '../../domain/certificate-types.js';

type Method = 'sharing' | 'verification' | 'certificate' | 'pledge' | 'cancelled' | 'paper';
type Replacement =
  | { method: 'sharing'; facts: string[] }
  | { method: 'verification'; claim: string }
  | { method: 'certificate'; certificateType: string }
  | { method: 'pledge'; statement: Text }
  | { method: 'cancelled'; basis: Text }
  | { method: 'paper' };

interface MatterView {
  id: string;
  subject: 'person' | 'enterprise';
  title: Text;
  department: { id: string; name: Text };
  legalBasis: Text;
  level: 'city' | 'county' | 'township';
  timeLimitWorkingDays: number;
  fields: Array<{ id: string; label: Text; fact?: string; input?: string; required: boolean }>;
  proofs: Array<{ id: string; title: Text; issuedBy: Text; replacement: Replacement }>;
  proofFree: boolean;
}

interface ListView {
  version: number;
  publishedOn?: string;
  stale: boolean;
  byMethod: Record<Method, number>;
  proofFreeCount: number;
  matters: MatterView[];
}

const METHODS: readonly Method[] = ['sharing', 'verification', 'certificate', 'pledge', 'cancelled', 'paper'];

/** How a proof is obtained now, in words: the method, then what stands in for the paper. */
function howNow(replacement: Replacement): HTMLElement {
  const method = h('span', { class: `method method-${replacement.method}` }, t(`mattersMethod_${replacement.method}`));
  const detail = (text: string) => h('span', { class: 'method-detail' }, text);
  switch (replacement.method) {
    case 'sharing':
      return h(
        'span',
        {},
        method,
        detail(
          t('mattersSharingDetail', {
            facts: replacement.facts
              .map((key) => pick(findFact(key)?.field.label) || key)
              .join(currentLang() === 'zh' ? '、' : ', '),
          }),
        ),
      );
    case 'verification': {
      const claim = verificationClaim(replacement.claim);
      return h(
        'span',
        {},
        method,
        detail(
          t('mattersVerificationDetail', {
            department: pick(claim?.department.name) || replacement.claim,
            statement: pick(claim?.statement) || replacement.claim,
          }),
        ),
      );
    }
    case 'certificate':
      return h(
        'span',
        {},
        method,
        detail(
          t('mattersCertificateDetail', {
            type: pick(certificateType(replacement.certificateType)?.title) || replacement.certificateType,
          }),
        ),
      );
    case 'pledge':
      return h('span', {}, method, detail(t('mattersPledgeDetail', { statement: pick(replacement.statement) })));
    case 'cancelled':
      return h('span', {}, method, detail(t('mattersCancelledDetail', { basis: pick(replacement.basis) })));
    case 'paper':
      return h('span', {}, method, detail(t('mattersPaperDetail')));
  }
}

function matterCard(matter: MatterView): HTMLElement {
  const filled = matter.fields.filter((f) => f.fact).length;
  return h(
    'article',
    { class: 'card matter', 'data-matter': matter.id },
    h(
      'h4',
      {},
      pick(matter.title),
      ' ',
      matter.proofFree
        ? h('span', { class: 'badge ok matter-proof-free' }, t('mattersProofFree'))
        : h('span', { class: 'badge matter-paper' }, t('mattersSomePaper')),
    ),
    h(
      'p',
      { class: 'muted matter-meta' },
      [
        pick(matter.department.name),
        t(`mattersLevel_${matter.level}`),
        t('mattersTimeLimit', { days: matter.timeLimitWorkingDays }),
        t('mattersFieldsFilled', { filled, total: matter.fields.length }),
      ].join(' · '),
    ),
    h(
      'ul',
      { class: 'matter-proofs' },
      ...matter.proofs.map((proof) =>
        h(
          'li',
          { class: `matter-proof proof-${proof.replacement.method}`, 'data-proof': proof.id },
          proof.replacement.method === 'paper'
            ? h('span', { class: 'proof-title' }, pick(proof.title))
            : h('s', { class: 'proof-title' }, pick(proof.title)),
          h('span', { class: 'muted proof-issuer' }, ` (${pick(proof.issuedBy)}) `),
          '→ ',
          howNow(proof.replacement),
        ),
      ),
    ),
    h('p', { class: 'muted matter-basis' }, t('mattersLegalBasis', { basis: pick(matter.legalBasis) })),
  );
}

function methodChart(list: ListView): HTMLElement {
  const total = METHODS.reduce((sum, m) => sum + (list.byMethod[m] ?? 0), 0);
  return barChart(
    t('mattersChartTitle', { total }),
    METHODS.map((method) => ({
      label: t(`mattersMethod_${method}`),
      bars: [{ value: list.byMethod[method] ?? 0, series: method === 'paper' ? 'down' : 'this' }],
    })),
    (value) => `${value}（${total ? Math.round((value / total) * 100) : 0}%）`,
    { className: 'matters-chart' },
  );
}

function section(title: MessageKey, matters: MatterView[]): HTMLElement {
  return h(
    'section',
    { class: `matters-group` },
    h('h3', {}, t(title), ' ', h('span', { class: 'muted' }, t('mattersCount', { count: matters.length }))),
    ...matters.map(matterCard),
  );
}

/** The page, filled once the list arrives. */
export function renderMatters(): HTMLElement {
  const root = h('div', { class: 'matters-view' }, h('p', { class: 'muted' }, t('loading')));
  void (async () => {
    try {
      const list = await api<ListView>('GET', '/matters');
      mount(
        root,
        h('h2', {}, t('mattersTitle')),
        h(
          'p',
          { class: 'matters-version' },
          t('mattersVersion', { version: list.version, date: list.publishedOn ?? '—' }),
        ),
        list.stale ? h('p', { class: 'notice matters-stale' }, t('mattersStale')) : null,
        h('p', { class: 'muted' }, t('mattersIntro')),
        h(
          'p',
          { class: 'matters-summary' },
          t('mattersSummary', { count: list.matters.length, proofFree: list.proofFreeCount }),
        ),
        methodChart(list),
        section(
          'mattersPersonal',
          list.matters.filter((m) => m.subject === 'person'),
        ),
        section(
          'mattersEnterprise',
          list.matters.filter((m) => m.subject === 'enterprise'),
        ),
      );
    } catch (error) {
      mount(root, h('p', { class: 'error-box' }, errorText(error)));
    }
  })();
  return root;
}
