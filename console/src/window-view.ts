/**
 * The service window page (窗口服务, 线下兜底) for window staff: read the person's ID card number,
 * state the window and the reason, and open a visit (POST /window/visits: the number goes in the
 * body and is cleared from the page at once; the page keeps only the opaque visit ID, in its hash
 * `#/window/<visitId>`). The visit then shows what the person has — offers to confirm or decline
 * with their recorded consent, pledges, benefits, notices and letters to print, open tasks — and
 * files an objection for them, until staff close it. Phone-sized first, like the citizen's page.
 */
import { api, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button } from './form-kit.js';
import { currentLang, formatNumber, formatTime, pick, t, tOr } from './i18n.js';
import type { Text } from './types.js';
import type { Benefit, Notice, Offer, PledgeView } from './citizen-view.js';
import type { WalletEntryView } from './wallet-view.js';
import { paymentsContent, type MyPayments } from './payments-view.js';

interface VisitView {
  visitId: string;
  window: string;
  reason: string;
  staff: { id: string; name: string };
  openedAt: string;
  expiresAt: string;
  status: 'open' | 'closed' | 'expired';
}
interface Person {
  maskedId: string;
  maskedName?: string;
}
interface TaskView {
  key: string;
  typeText: Text;
  status: string;
  dueAt: string;
}
interface ActView {
  kind: string;
  ref: string;
  at: string;
  answer?: string;
  consent?: { kind: string; reference: string };
}
interface VisitPage {
  visit: VisitView;
  person: Person;
  offers: Offer[];
  pledges: PledgeView[];
  benefits: Benefit[];
  payments: MyPayments;
  notices: Notice[];
  letters: WalletEntryView[];
  tasks: TaskView[];
  acts: ActView[];
}

/** The window the member of staff sits at, remembered on this device (not personal data). */
const WINDOW_KEY = 'applyfree.window';
const DEFAULT_WINDOW = '德州市政务服务中心 3号窗口';

const money = (amount: number | undefined) => (amount === undefined ? '' : `¥${formatNumber(amount)}`);
const visitPath = (visitId: string) => `/window/visits/${encodeURIComponent(visitId)}`;
const lang = () => `?lang=${currentLang()}`;

/** A labelled field. */
const field = (label: string, input: HTMLElement) =>
  h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input);

/** A section of the visit: its title and its items, or a line saying there are none. */
const section = (cls: string, title: string, items: HTMLElement[], empty: string) =>
  h(
    'section',
    { class: `card me-section ${cls}` },
    h('h3', {}, title),
    ...(items.length ? items : [h('p', { class: 'muted none' }, empty)]),
  );

/** The page: the form that opens a visit, or the visit named in the hash. */
export function renderWindow(): HTMLElement {
  const visitId = /^#\/window\/(wv_[a-z2-7]+)$/.exec(location.hash)?.[1];
  const root = h('div', { class: 'window-page' });
  if (visitId) void showVisit(root, visitId);
  else mount(root, openForm());
  return root;
}

/** Read the ID card, name the window and the reason: opening the visit records the person's presence. */
function openForm(): HTMLElement {
  const idNumber = h('input', {
    type: 'text',
    id: 'window-id-number',
    autocomplete: 'off',
    inputmode: 'text',
    maxlength: '18',
    placeholder: t('windowIdPlaceholder'),
  });
  const windowName = h('input', {
    type: 'text',
    id: 'window-name',
    value: localStorage.getItem(WINDOW_KEY) ?? DEFAULT_WINDOW,
  });
  const reason = h('textarea', { id: 'window-reason', rows: '2', placeholder: t('windowReasonPlaceholder') });
  // A person's ID card, or a firm's business licence (its representative at the window).
  const holder = h(
    'select',
    { id: 'window-holder', class: 'window-holder' },
    h('option', { value: 'person' }, t('windowHolderPerson')),
    h('option', { value: 'firm' }, t('windowHolderFirm')),
  );
  holder.addEventListener('change', () => {
    idNumber.placeholder = holder.value === 'firm' ? t('windowCreditCodePlaceholder') : t('windowIdPlaceholder');
  });
  const problem = h('p', { class: 'error-box window-problem', hidden: true });
  const form = h(
    'form',
    { class: 'card window-open' },
    h('h2', {}, t('windowTitle')),
    h('p', { class: 'muted' }, t('windowIntro')),
    field(t('windowHolder'), holder),
    field(t('windowIdNumber'), idNumber),
    field(t('windowName'), windowName),
    field(t('windowReason'), reason),
    h('p', { class: 'muted' }, t('windowPresenceNote')),
    problem,
    h('button', { type: 'submit', class: 'primary act-open-visit' }, t('windowOpen')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const opened = await api<{ visit: VisitView }>('POST', '/window/visits', {
          ...(holder.value === 'firm' ? { creditCode: idNumber.value } : { idNumber: idNumber.value }),
          window: windowName.value,
          reason: reason.value,
        });
        localStorage.setItem(WINDOW_KEY, windowName.value.trim());
        location.hash = `#/window/${opened.visit.visitId}`;
      } catch (error) {
        problem.textContent = errorText(error);
        problem.hidden = false;
      } finally {
        // The number was read for this request only: it does not stay on the screen.
        idNumber.value = '';
      }
    })();
  });
  return form;
}

/** The visit: the person present and everything they have, with what staff may do for them. */
async function showVisit(root: HTMLElement, visitId: string): Promise<void> {
  mount(root, h('p', { class: 'muted' }, t('loading')));
  let page: VisitPage;
  try {
    page = await api<VisitPage>('GET', visitPath(visitId));
  } catch (error) {
    mount(
      root,
      h('p', { class: 'error-box' }, errorText(error)),
      h('a', { href: '#/window', class: 'button' }, t('windowNewVisit')),
    );
    return;
  }
  const reload = () => showVisit(root, visitId);
  mount(
    root,
    visitCard(page, reload),
    offersSection(page, reload),
    section(
      'window-pledges',
      t('windowPledges'),
      page.pledges.map((p) => pledgeItem(page, p, reload)),
      t('meNoPledges'),
    ),
    section('window-benefits', t('windowBenefits'), page.benefits.map(benefitItem), t('meNoBenefits')),
    h(
      'section',
      { class: 'card me-section window-payments' },
      h('h3', {}, t('windowPayments')),
      ...paymentsContent(page.payments),
    ),
    section(
      'window-notices',
      t('windowNotices'),
      page.notices.map((n) => noticeItem(visitId, n)),
      t('meNoNotices'),
    ),
    section(
      'window-letters',
      t('windowLetters'),
      page.letters.map((l) => letterItem(visitId, l)),
      t('windowNoLetters'),
    ),
    section('window-tasks', t('windowTasks'), page.tasks.map(taskItem), t('windowNoTasks')),
    objectionForm(page, reload),
    section('window-acts', t('windowActs'), page.acts.map(actItem), t('windowNoActs')),
  );
}

function visitCard(page: VisitPage, reload: () => Promise<void>): HTMLElement {
  const { visit, person } = page;
  const close = async () => {
    await api('POST', `${visitPath(visit.visitId)}/close`);
    location.hash = '#/window';
  };
  return h(
    'section',
    { class: 'card window-visit', 'data-visit': visit.visitId },
    h(
      'div',
      { class: 'me-line' },
      h('h2', { class: 'window-person' }, person.maskedName ?? t('windowPerson')),
      h('span', { class: 'badge ok' }, tOr(`windowStatus_${visit.status}`, visit.status)),
    ),
    h('div', { class: 'muted' }, t('meId'), h('span', { class: 'mono masked-id' }, person.maskedId)),
    h('div', { class: 'muted' }, t('windowAt', { window: visit.window, staff: visit.staff.name })),
    h('div', { class: 'muted' }, t('windowReasonShown', { reason: visit.reason })),
    h('div', { class: 'muted' }, t('windowExpires', { at: formatTime(visit.expiresAt) })),
    h(
      'div',
      { class: 'actions' },
      button(t('windowRefresh'), () => void reload(), { class: 'ghost act-refresh' }),
      button(t('windowClose'), () => void close(), { class: 'ghost act-close-visit' }),
    ),
  );
}

/** Each offer with the person's consent (how, and its reference) and confirm or decline. */
function offersSection(page: VisitPage, reload: () => Promise<void>): HTMLElement {
  const items = page.offers.map((o) => {
    const kind = h(
      'select',
      { class: 'consent-kind' },
      h('option', { value: 'signed-form' }, t('windowConsentSigned')),
      h('option', { value: 'verbal-witnessed' }, t('windowConsentVerbal')),
    );
    const reference = h('input', {
      type: 'text',
      class: 'consent-reference',
      placeholder: t('windowConsentReferencePlaceholder'),
    });
    const flash = h('div', { class: 'flash', role: 'status' });
    const answer = (what: 'confirm' | 'decline') => async () => {
      try {
        await api('POST', `${visitPath(page.visit.visitId)}/offers/${encodeURIComponent(o.key)}/answer`, {
          answer: what,
          consent: { kind: kind.value, reference: reference.value },
        });
        await reload();
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
      field(t('windowConsent'), kind),
      field(t('windowConsentReference'), reference),
      h(
        'div',
        { class: 'actions' },
        button(t('windowConfirmFor'), () => void answer('confirm')(), { class: 'primary act-confirm' }),
        button(t('windowDeclineFor'), () => void answer('decline')(), { class: 'ghost act-decline' }),
      ),
      flash,
    );
  });
  return section('window-offers', t('windowOffers'), items, t('meNoOffers'));
}

/**
 * A pledge; one awaiting its signature shows the written notice (告知承诺书) to read out or print, and
 * records the signed paper form: its number and the person's consent (the grant follows once).
 */
function pledgeItem(page: VisitPage, p: PledgeView, reload: () => Promise<void>): HTMLElement {
  const item = h(
    'div',
    { class: `me-item pledge pledge-${p.status}`, 'data-pledge': p.key },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(p.policy.title)),
      h('span', { class: 'badge' }, tOr(`pledgeStatus_${p.status}`, p.status)),
    ),
    h('div', { class: 'muted' }, p.pledgedFacts.map((f) => pick(f.label)).join('、')),
  );
  if (p.status !== 'awaiting-signature') return item;
  const path = `${visitPath(page.visit.visitId)}/pledges/${encodeURIComponent(p.key)}`;
  const flash = h('div', { class: 'flash', role: 'status' });
  const place = h('div', { class: 'window-pledge-sign' });
  const show = async () => {
    try {
      const notice = await api<{ notice: Text; noticeHash: string }>('GET', `${path}/notice`);
      const form = h('input', { type: 'text', class: 'paper-form-ref', placeholder: t('windowPaperFormPlaceholder') });
      const kind = h(
        'select',
        { class: 'consent-kind' },
        h('option', { value: 'signed-form' }, t('windowConsentSigned')),
        h('option', { value: 'verbal-witnessed' }, t('windowConsentVerbal')),
      );
      const sign = async () => {
        try {
          await api('POST', `${path}/sign`, {
            noticeHash: notice.noticeHash,
            paperFormRef: form.value,
            consent: { kind: kind.value, reference: form.value },
          });
          await reload();
        } catch (error) {
          mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        }
      };
      mount(
        place,
        h('pre', { class: 'pledge-notice' }, pick(notice.notice)),
        h('div', { class: 'muted notice-hash' }, t('windowNoticeHash', { hash: notice.noticeHash.slice(0, 16) })),
        field(t('windowPaperForm'), form),
        field(t('windowConsent'), kind),
        h(
          'div',
          { class: 'actions' },
          button(t('windowSignFor'), () => void sign(), { class: 'primary act-sign-pledge' }),
        ),
      );
    } catch (error) {
      mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
    }
  };
  item.append(
    h(
      'div',
      { class: 'actions' },
      button(t('windowShowNotice'), () => void show(), { class: 'ghost act-show-notice' }),
    ),
    place,
    flash,
  );
  return item;
}

const benefitItem = (b: Benefit) =>
  h(
    'div',
    { class: `me-item benefit benefit-${b.status}`, 'data-policy': b.policy.id },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(b.policy.title)),
      h('span', { class: 'amount' }, money(b.amount)),
    ),
    h('div', { class: 'muted' }, `${tOr(`basis_${b.basis}`, b.basis)} · ${formatTime(b.grantedAt)}`),
  );

/** A notice with its print link: the PDF opens in the browser's viewer (the session cookie goes with it). */
const noticeItem = (visitId: string, n: Notice) =>
  h(
    'div',
    { class: 'me-item notice-item', 'data-template': n.template },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(n.title)),
      h('span', { class: 'muted' }, formatTime(n.deliveredAt)),
    ),
    h('p', {}, pick(n.body)),
    h(
      'div',
      { class: 'actions' },
      h(
        'a',
        {
          class: 'button ghost act-print-notice',
          href: `${visitPath(visitId)}/notices/${encodeURIComponent(n.key)}/pdf${lang()}`,
          target: '_blank',
          rel: 'noopener',
        },
        t('windowPrint'),
      ),
    ),
  );

const letterItem = (visitId: string, l: WalletEntryView) =>
  h(
    'div',
    { class: `me-item certificate certificate-${l.status}`, 'data-certificate': l.id, 'data-type': l.type },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, pick(l.title), l.about ? ` · ${l.about.matter}（${l.about.outcome}）` : ''),
      h(
        'span',
        { class: `badge ${l.status === 'valid' ? 'ok' : 'bad'}` },
        tOr(`certificateStatus_${l.status}`, l.status),
      ),
    ),
    h('div', { class: 'muted' }, l.issuers.map((issuer) => pick(issuer.name)).join('、'), ` · ${l.issuedOn}`),
    h(
      'div',
      { class: 'actions' },
      h(
        'a',
        {
          class: 'button ghost act-print-letter',
          href: `${visitPath(visitId)}/certificates/${encodeURIComponent(l.id)}/pdf${lang()}`,
          target: '_blank',
          rel: 'noopener',
        },
        t('windowPrint'),
      ),
    ),
  );

const taskItem = (task: TaskView) =>
  h(
    'div',
    { class: 'me-item window-task' },
    h('div', { class: 'me-line' }, h('strong', {}, pick(task.typeText)), h('span', { class: 'badge' }, task.status)),
    h('div', { class: 'muted' }, t('windowTaskDue', { at: formatTime(task.dueAt) })),
  );

const actItem = (act: ActView) =>
  h(
    'div',
    { class: `me-item window-act act-${act.kind}` },
    h(
      'div',
      { class: 'me-line' },
      h('strong', {}, tOr(`windowAct_${act.kind}`, act.kind)),
      h('span', { class: 'muted' }, formatTime(act.at)),
    ),
    h(
      'div',
      { class: 'muted' },
      // An offer's key names the subject's pseudonym: the answer and the consent say what was done.
      (act.answer
        ? [tOr(`windowAnswer_${act.answer}`, act.answer), act.consent?.reference ?? '']
        : act.kind === 'pledge-sign'
          ? [act.consent?.reference ?? '']
          : [act.ref]
      )
        .filter(Boolean)
        .join(' · '),
    ),
  );

/** An objection the person states, filed for them: the policy (from what they have) and the statement. */
function objectionForm(page: VisitPage, reload: () => Promise<void>): HTMLElement {
  const policies = new Map<string, Text>();
  for (const item of [...page.benefits, ...page.offers, ...page.pledges])
    policies.set(item.policy.id, item.policy.title);
  const policy = h(
    'select',
    { class: 'objection-policy' },
    ...[...policies].map(([id, title]) => h('option', { value: id }, pick(title))),
  );
  const statement = h('textarea', {
    class: 'objection-statement',
    rows: '3',
    placeholder: t('windowObjectionPlaceholder'),
  });
  const flash = h('div', { class: 'flash', role: 'status' });
  const file = async () => {
    try {
      await api('POST', `${visitPath(page.visit.visitId)}/objections`, {
        policyId: policy.value,
        statement: statement.value,
      });
      await reload();
    } catch (error) {
      mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
    }
  };
  return h(
    'section',
    { class: 'card me-section window-objection' },
    h('h3', {}, t('windowObjection')),
    policies.size
      ? h(
          'div',
          {},
          field(t('colPolicy'), policy),
          field(t('windowObjectionStatement'), statement),
          h(
            'div',
            { class: 'actions' },
            button(t('windowObjectionFile'), () => void file(), { class: 'act-file-objection' }),
          ),
          flash,
        )
      : h('p', { class: 'muted none' }, t('windowNoObjectionPolicies')),
  );
}
