/**
 * The policy console: sign in (through the city's identity provider when one is configured, or
 * with a token exchanged for a session cookie the page never sees), list the policy versions, and take one
 * from draft to published, then launch and follow its sweep. Hash routes: `#/` the list,
 * `#/policy/<id>/<version>/<tab>` a version, `#/sweeps` the sweeps, `#/sweep/<encoded id>` one.
 * Supervisors and officers also have `#/objections` (异议处理) and `#/objections/<id>`; whoever reads
 * payment batches has `#/payroll` (按月发放) and `#/payroll/<encoded batch ID>`; whoever reads the
 * ledger has `#/ledger` (发放台账) and `#/ledger/collections` (追缴清单).
 * `#/sign-in/<code>` is where a refused provider sign-in lands. Sign-out ends the session on the
 * server; an ended session (idle, limit, revoked) brings the person back to sign in, saying so.
 * Chinese by default; the English switch is remembered in this browser.
 */
import { api, ApiFailure, errorText, whenSessionEnds } from './api.js';
import { h, mount } from './dom.js';
import { renderEditor, type Tab } from './editor.js';
import type { Session } from './form-kit.js';
import { currentLang, pick, setLang, t } from './i18n.js';
import { renderList } from './list-view.js';
import { renderSweep, renderSweepList } from './sweeps-view.js';
import { renderCase, renderCaseSearch } from './cases-view.js';
import { renderCitizen } from './citizen-view.js';
import { renderMetrics } from './metrics-view.js';
import { renderObjections } from './objections-view.js';
import { renderCatalog } from './catalog-view.js';
import { renderMatters } from './matters-view.js';
import { renderOutreach } from './outreach-view.js';
import { renderApplication, renderApplicationForm, renderApplications } from './application-view.js';
import { renderFactRequests } from './fact-requests-view.js';
import { renderVerifications } from './verifications-view.js';
import { renderTasks } from './tasks-view.js';
import { renderBatch, renderPayrollList } from './payroll-view.js';
import { renderLedger } from './ledger-view.js';
import { renderWallet } from './wallet-view.js';
import { renderMyCode } from './code-view.js';
import type { MessageKey } from './messages.js';
import type { Catalog, Role } from './types.js';
import { allows, conditionOf, ownSubjectOnly } from '../../domain/permissions.js';
import { renderWindow } from './window-view.js';

const app = document.getElementById('app')!;
let session: Session | undefined;
let catalog: Catalog | undefined;
let editor: { dirty(): boolean } | undefined;
/** What the next sign-in page says (signed out, session ended), once. */
let notice: { kind: 'info' | 'error'; text: string } | undefined;
/** How one may sign in here (GET /auth/methods), asked once. */
let methods: Promise<SignInMethods> | undefined;

interface SignInMethods {
  token: boolean;
  provider?: { name: { zh: string; en: string }; login: string };
}

/** The session ended while signed in (401): back to sign-in, saying why. */
whenSessionEnds((failure) => {
  if (!session) return;
  session = undefined;
  editor = undefined;
  notice = { kind: 'error', text: `${t('sessionExpired')} (${failure.shown})` };
  void route();
});

/** Ends the session on the server, then shows the sign-in page. */
async function signOut(): Promise<void> {
  const ending = session;
  session = undefined;
  editor = undefined;
  if (ending) await api('POST', '/auth/sign-out').catch(() => undefined);
  notice = { kind: 'info', text: t('signedOut') };
  if (location.hash !== '#/') location.hash = '#/';
  else void route();
}

function shell(content: HTMLElement): void {
  const switchLang = h(
    'button',
    {
      type: 'button',
      class: 'lang-switch',
      onclick: () => {
        if (editor?.dirty() && !window.confirm(t('confirmDiscard'))) return;
        setLang(currentLang() === 'zh' ? 'en' : 'zh');
        void route();
      },
    },
    t('language'),
  );
  mount(
    app,
    h(
      'header',
      { class: 'top' },
      h(
        'a',
        { href: '#/', class: 'brand' },
        h('strong', {}, t(brandOf(session?.role)[0])),
        h('span', { class: 'muted' }, t(brandOf(session?.role)[1])),
      ),
      session && policyWorkspace(session.role)
        ? h(
            'nav',
            { class: 'top-nav' },
            h(
              'a',
              { href: '#/', class: `nav-policies${/^#\/(policy|$)|^$/.test(location.hash) ? ' current' : ''}` },
              t('navPolicies'),
            ),
            allows(session.role, 'sweep.read')
              ? h(
                  'a',
                  { href: '#/sweeps', class: `nav-sweeps${/^#\/sweep/.test(location.hash) ? ' current' : ''}` },
                  t('navSweeps'),
                )
              : null,
            allows(session.role, 'metrics.programme') ? metricsLink() : null,
            mayReadObjections(session.role) ? objectionsLink() : null,
            allows(session.role, 'payroll.read') ? payrollLink() : null,
            allows(session.role, 'ledger.read') ? ledgerLink() : null,
            allows(session.role, 'task.read') ? tasksLink() : null,
            allows(session.role, 'outreach.read') ? outreachLink() : null,
            allows(session.role, 'fact-request.read') ? factRequestsLink() : null,
            allows(session.role, 'verification.read') ? verificationsLink() : null,
            allows(session.role, 'catalog.read-drafts') ? catalogLink() : null,
            mattersLink(),
          )
        : null,
      session && !policyWorkspace(session.role) ? caseNav(session.role) : null,
      // Anyone, signed in or not, reads what they no longer need to bring (the list of matters).
      session ? null : h('nav', { class: 'top-nav' }, mattersLink()),
      h(
        'div',
        { class: 'who' },
        session
          ? h(
              'span',
              { class: 'user' },
              h('strong', { class: 'user-name' }, session.name),
              ' · ',
              h('span', { class: 'user-role' }, t(`role_${session.role}`)),
            )
          : null,
        switchLang,
        session
          ? h(
              'button',
              {
                type: 'button',
                class: 'ghost sign-out',
                onclick: () => void signOut(),
              },
              t('signOut'),
            )
          : null,
      ),
    ),
    h('main', {}, content),
  );
}

/**
 * Whoever validates policy versions (officers and reviewers, domain/permissions.ts) works in the
 * policy console; supervisors, inspectors and citizens have their own pages (issue 5).
 */
const policyWorkspace = (role: Role): boolean => allows(role, 'policy.validate');

/** The console's name as the signed-in person uses it: the citizen's services, case supervision or policy console. */
function brandOf(role: Role | undefined): [MessageKey, MessageKey] {
  if (role && allows(role, 'me.read')) return ['appTitleMe', 'appSubtitleMe'];
  if (role && allows(role, 'window.serve')) return ['appTitleWindow', 'appSubtitleWindow'];
  if (role && allows(role, 'case.search')) return ['appTitleCases', 'appSubtitleCases'];
  return ['appTitle', 'appSubtitle'];
}

/** The navigation of the issue-5 roles: the citizen's own page, or case search (assigned inspections only, for inspectors). */
function caseNav(role: Role): HTMLElement {
  const current = (pattern: RegExp) =>
    pattern.test(location.hash) || location.hash === '' || location.hash === '#/' ? ' current' : '';
  if (allows(role, 'me.read'))
    return h(
      'nav',
      { class: 'top-nav' },
      h('a', { href: '#/me', class: `nav-me${current(/^#\/me/)}` }, t('navMe')),
      h(
        'a',
        { href: '#/wallet', class: `nav-wallet${/^#\/wallet/.test(location.hash) ? ' current' : ''}` },
        t('navWallet'),
      ),
      allows(role, 'code.show')
        ? h('a', { href: '#/code', class: `nav-code${/^#\/code/.test(location.hash) ? ' current' : ''}` }, t('navCode'))
        : null,
      allows(role, 'application.apply')
        ? h(
            'a',
            { href: '#/apply', class: `nav-apply${/^#\/(apply|application)/.test(location.hash) ? ' current' : ''}` },
            t('navApply'),
          )
        : null,
      mattersLink(),
    );
  if (allows(role, 'window.serve'))
    return h(
      'nav',
      { class: 'top-nav' },
      h(
        'a',
        { href: '#/window', class: `nav-window${location.hash === '#/matters' ? '' : ' current'}` },
        t('navWindow'),
      ),
      mattersLink(),
    );
  return h(
    'nav',
    { class: 'top-nav' },
    h(
      'a',
      { href: '#/cases', class: `nav-cases${current(/^#\/case/)}` },
      t(conditionOf(role, 'case.search') === 'assigned-inspector' ? 'navInspections' : 'navCases'),
    ),
    allows(role, 'metrics.programme') ? metricsLink() : null,
    mayReadObjections(role) ? objectionsLink() : null,
    allows(role, 'payroll.read') ? payrollLink() : null,
    allows(role, 'ledger.read') ? ledgerLink() : null,
    allows(role, 'task.read') ? tasksLink() : null,
    allows(role, 'outreach.read') ? outreachLink() : null,
    allows(role, 'fact-request.read') ? factRequestsLink() : null,
    allows(role, 'verification.read') ? verificationsLink() : null,
    mattersLink(),
  );
}

/** What you no longer need to bring (#/matters, the list of matters): public, in every navigation. */
function mattersLink(): HTMLElement {
  return h(
    'a',
    { href: '#/matters', class: `nav-matters${location.hash === '#/matters' ? ' current' : ''}` },
    t('navMatters'),
  );
}

/** The payroll (#/payroll): whoever reads payment batches (domain/permissions.ts payroll.read). */
function payrollLink(): HTMLElement {
  return h(
    'a',
    { href: '#/payroll', class: `nav-payroll${/^#\/payroll/.test(location.hash) ? ' current' : ''}` },
    t('navPayroll'),
  );
}

/** The ledger (#/ledger): whoever reads it (domain/permissions.ts ledger.read). */
function ledgerLink(): HTMLElement {
  return h(
    'a',
    { href: '#/ledger', class: `nav-ledger${/^#\/ledger/.test(location.hash) ? ' current' : ''}` },
    t('navLedger'),
  );
}

/** Worklists (#/tasks, 待办任务): every staff role that reads tasks (domain/permissions.ts task.read). */
function tasksLink(): HTMLElement {
  return h(
    'a',
    { href: '#/tasks', class: `nav-tasks${/^#\/tasks/.test(location.hash) ? ' current' : ''}` },
    t('navTasks'),
  );
}

/** Fact requests (#/fact-requests, 数据需求): whoever reads them (domain/permissions.ts fact-request.read). */
function factRequestsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/fact-requests', class: `nav-fact-requests${/^#\/fact-requests/.test(location.hash) ? ' current' : ''}` },
    t('navFactRequests'),
  );
}

/** The verification log (#/verifications, 证明核验): whoever reads it (domain/permissions.ts verification.read). */
function verificationsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/verifications', class: `nav-verifications${/^#\/verifications/.test(location.hash) ? ' current' : ''}` },
    t('navVerifications'),
  );
}

/** The data catalog (#/catalog, 数据目录): policy work, who drafts and reviews its additions (domain/permissions.ts catalog.read-drafts). */
function catalogLink(): HTMLElement {
  return h(
    'a',
    { href: '#/catalog', class: `nav-catalog${/^#\/catalog/.test(location.hash) ? ' current' : ''}` },
    t('navCatalog'),
  );
}

/** Outreach (#/outreach, 应享尽享): whoever reads its worklist (domain/permissions.ts outreach.read). */
function outreachLink(): HTMLElement {
  return h(
    'a',
    { href: '#/outreach', class: `nav-outreach${/^#\/outreach/.test(location.hash) ? ' current' : ''}` },
    t('navOutreach'),
  );
}

function metricsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/metrics', class: `nav-metrics${/^#\/metrics/.test(location.hash) ? ' current' : ''}` },
    t('navMetrics'),
  );
}

/** Objections (#/objections): staff who read every objection (supervisors handle them, officers read them); citizens see their own on #/me. */
const mayReadObjections = (role: Role): boolean =>
  allows(role, 'objection.read') && !ownSubjectOnly(role, 'objection.read');
function objectionsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/objections', class: `nav-objections${/^#\/objections/.test(location.hash) ? ' current' : ''}` },
    t('navObjections'),
  );
}

/**
 * The pages of a supervisor, an inspector or a citizen: `#/cases`, `#/case/<encoded id>`, `#/me`, and
 * the citizen's wallet `#/wallet` and code `#/code` (`#/code/certificate/<id>`, `#/code/claim/<type>`).
 */
function routeCaseRoles(role: Role, catalog: Catalog): void {
  if (allows(role, 'me.read') && /^#\/wallet/.test(location.hash)) return shell(renderWallet());
  if (allows(role, 'code.show') && /^#\/code(\/|$)/.test(location.hash)) return shell(renderMyCode());
  if (allows(role, 'application.apply') && allows(role, 'me.read')) {
    const form = /^#\/apply\/([^/]+)$/.exec(location.hash);
    if (form) return shell(renderApplicationForm(decodeURIComponent(form[1])));
    const one = /^#\/application\/([^/]+)$/.exec(location.hash);
    if (one) return shell(renderApplication(decodeURIComponent(one[1])));
    if (location.hash === '#/apply') return shell(renderApplications());
  }
  if (allows(role, 'me.read')) return shell(renderCitizen(catalog));
  if (allows(role, 'window.serve')) return shell(renderWindow());
  const one = /^#\/case\/(.+)$/.exec(location.hash);
  if (one) return shell(renderCase(decodeURIComponent(one[1]), role, catalog));
  return shell(renderCaseSearch(role, catalog));
}

/** The sign-in page: the identity provider's button when one is configured, and a token. */
async function signInPage(shown?: { kind: 'info' | 'error'; text: string }): Promise<HTMLElement> {
  methods ??= api<SignInMethods>('GET', '/auth/methods').catch(() => ({ token: true }));
  const { provider } = await methods;
  const token = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'af_…' });
  const problem = h('p', { class: 'error-box sign-in-problem', hidden: true });
  const form = h(
    'form',
    { class: 'card sign-in' },
    h('h2', {}, t('signIn')),
    shown
      ? h('p', { class: shown.kind === 'error' ? 'error-box sign-in-notice' : 'notice sign-in-notice' }, shown.text)
      : null,
    provider
      ? h(
          'div',
          { class: 'sign-in-provider' },
          h(
            'a',
            { href: provider.login, class: 'button primary provider-sign-in' },
            t('signInProvider', { name: pick(provider.name) }),
          ),
          h('p', { class: 'muted' }, t('signInProviderHint')),
        )
      : null,
    provider ? h('p', { class: 'sign-in-or muted' }, t('signInOr')) : null,
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('tokenLabel')), token),
    provider ? null : h('p', { class: 'muted' }, t('tokenHint')),
    h('p', { class: 'muted' }, t('tokenNotKept')),
    problem,
    h('button', { type: 'submit', class: provider ? 'token-sign-in' : 'primary token-sign-in' }, t('signIn')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        // The token opens a session (a cookie this page cannot read); the page keeps nothing of it.
        session = await api<Session>('POST', '/auth/sign-in', { token: token.value.trim() });
        token.value = '';
        if (/^#\/sign-in/.test(location.hash)) location.hash = '#/';
        else void route();
      } catch (error) {
        problem.textContent = `${t('signInFailed')}: ${errorText(error)}`;
        problem.hidden = false;
      }
    })();
  });
  return form;
}

async function route(): Promise<void> {
  document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t(brandOf(session?.role)[0])} · applyfree`;
  if (!session) {
    try {
      session = await api<Session>('GET', '/console/session');
    } catch (error) {
      // Not signed in: say why when there is something to say (signed out, an ended session, a refused provider sign-in).
      const refused = /^#\/sign-in\/([A-Z_]+)$/.exec(location.hash);
      const shown =
        notice ??
        (refused
          ? { kind: 'error' as const, text: t('signInRefused') }
          : error instanceof ApiFailure && error.code === 'SESSION_EXPIRED'
            ? { kind: 'error' as const, text: `${t('sessionExpired')} (${error.shown})` }
            : error instanceof ApiFailure && error.status === 401
              ? undefined
              : { kind: 'error' as const, text: errorText(error) });
      notice = undefined;
      // The public page needs no one signed in.
      if (location.hash === '#/matters' && !shown) return shell(renderMatters());
      return shell(await signInPage(shown));
    }
  }
  if (/^#\/sign-in/.test(location.hash)) {
    location.hash = '#/';
    return;
  }
  if (location.hash === '#/matters') {
    editor = undefined;
    return shell(renderMatters());
  }
  catalog ??= await api<Catalog>('GET', '/catalog');
  if (location.hash === '#/metrics' && allows(session.role, 'metrics.programme')) return shell(renderMetrics());
  const batch = /^#\/payroll(?:\/(.+))?$/.exec(location.hash);
  if (batch && allows(session.role, 'payroll.read')) {
    editor = undefined;
    return shell(
      batch[1] === undefined ? renderPayrollList(session) : renderBatch(decodeURIComponent(batch[1]), session),
    );
  }
  const ledger = /^#\/ledger(?:\/(collections))?$/.exec(location.hash);
  if (ledger && allows(session.role, 'ledger.read')) {
    editor = undefined;
    return shell(renderLedger(ledger[1] ? 'collections' : 'programme', session));
  }
  const task = /^#\/tasks(?:\/([^/]+))?$/.exec(location.hash);
  if (task && allows(session.role, 'task.read')) {
    editor = undefined;
    return shell(renderTasks(task[1] === undefined ? undefined : decodeURIComponent(task[1]), session, catalog));
  }
  // Staff open an application from its task (the applicant's own pages are routeCaseRoles').
  const application = /^#\/application\/([^/]+)$/.exec(location.hash);
  if (application && allows(session.role, 'application.read') && !allows(session.role, 'me.read')) {
    editor = undefined;
    return shell(renderApplication(decodeURIComponent(application[1]), { mayUpload: false }));
  }
  if (location.hash === '#/fact-requests' && allows(session.role, 'fact-request.read')) {
    editor = undefined;
    return shell(renderFactRequests(session, catalog));
  }
  if (location.hash === '#/verifications' && allows(session.role, 'verification.read')) {
    editor = undefined;
    return shell(renderVerifications(session));
  }
  if (location.hash === '#/catalog' && allows(session.role, 'catalog.read-drafts')) {
    editor = undefined;
    // A fact published here is offered by the policy editor next.
    return shell(renderCatalog(session, () => (catalog = undefined)));
  }
  if (location.hash === '#/outreach' && allows(session.role, 'outreach.read')) {
    editor = undefined;
    return shell(renderOutreach(session));
  }
  const objection = /^#\/objections(?:\/([^/]+))?$/.exec(location.hash);
  if (objection && mayReadObjections(session.role)) {
    editor = undefined;
    return shell(
      renderObjections(objection[1] === undefined ? undefined : decodeURIComponent(objection[1]), session, catalog),
    );
  }
  if (!policyWorkspace(session.role)) return routeCaseRoles(session.role, catalog);
  const match = /^#\/policy\/([a-z0-9-]+)\/(\d+)(?:\/(\w+))?$/.exec(location.hash);
  editor = undefined;
  // Sweeps are staff's working (domain/permissions.ts sweep.read): pages only for whom the table admits.
  const sweep = allows(session.role, 'sweep.read') ? /^#\/sweep\/(.+)$/.exec(location.hash) : null;
  if (location.hash === '#/sweeps' && allows(session.role, 'sweep.read')) return shell(renderSweepList());
  if (sweep) return shell(renderSweep(decodeURIComponent(sweep[1]), session, catalog));
  if (!match)
    return shell(
      renderList((id, version) => {
        location.hash = `#/policy/${id}/${version}/form`;
      }),
    );
  const content = h('div', {}, h('p', { class: 'muted' }, t('loading')));
  shell(content);
  try {
    editor = await renderEditor(
      content,
      {
        catalog,
        session,
        navigate: (hash) => {
          location.hash = hash;
        },
      },
      match[1],
      Number(match[2]),
      (match[3] ?? 'form') as Tab,
    );
  } catch (error) {
    mount(content, h('p', { class: 'error-box' }, errorText(error)), h('a', { href: '#/' }, t('back')));
  }
}

window.addEventListener('hashchange', () => {
  if (editor?.dirty() && !window.confirm(t('confirmDiscard'))) return;
  void route();
});
void route();
