/**
 * The policy console: sign in with an API token, list the policy versions, and take one
 * from draft to published, then launch and follow its sweep. Hash routes: `#/` the list,
 * `#/policy/<id>/<version>/<tab>` a version, `#/sweeps` the sweeps, `#/sweep/<encoded id>` one.
 * Supervisors and officers also have `#/objections` (异议处理) and `#/objections/<id>`.
 * Chinese by default; the English switch is remembered in this browser.
 */
import { api, errorText, tokenStore } from './api.js';
import { h, mount } from './dom.js';
import { renderEditor, type Tab } from './editor.js';
import type { Session } from './form-kit.js';
import { currentLang, setLang, t } from './i18n.js';
import { renderList } from './list-view.js';
import { renderSweep, renderSweepList } from './sweeps-view.js';
import { renderCase, renderCaseSearch } from './cases-view.js';
import { renderCitizen } from './citizen-view.js';
import { renderMetrics } from './metrics-view.js';
import { renderObjections } from './objections-view.js';
import type { MessageKey } from './messages.js';
import type { Catalog, Role } from './types.js';
import { allows, conditionOf, ownSubjectOnly } from '../../domain/permissions.js';

const app = document.getElementById('app')!;
let session: Session | undefined;
let catalog: Catalog | undefined;
let editor: { dirty(): boolean } | undefined;

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
            h(
              'a',
              { href: '#/sweeps', class: `nav-sweeps${/^#\/sweep/.test(location.hash) ? ' current' : ''}` },
              t('navSweeps'),
            ),
            allows(session.role, 'metrics.programme') ? metricsLink() : null,
            mayReadObjections(session.role) ? objectionsLink() : null,
          )
        : null,
      session && !policyWorkspace(session.role) ? caseNav(session.role) : null,
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
                onclick: () => {
                  tokenStore.clear();
                  session = undefined;
                  location.hash = '#/';
                  void route();
                },
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
  if (role && allows(role, 'case.search')) return ['appTitleCases', 'appSubtitleCases'];
  return ['appTitle', 'appSubtitle'];
}

/** The navigation of the issue-5 roles: the citizen's own page, or case search (assigned inspections only, for inspectors). */
function caseNav(role: Role): HTMLElement {
  const current = (pattern: RegExp) =>
    pattern.test(location.hash) || location.hash === '' || location.hash === '#/' ? ' current' : '';
  if (allows(role, 'me.read'))
    return h('nav', { class: 'top-nav' }, h('a', { href: '#/me', class: `nav-me${current(/^#\/me/)}` }, t('navMe')));
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

/** The pages of a supervisor, an inspector or a citizen: `#/cases`, `#/case/<encoded id>`, `#/me`. */
function routeCaseRoles(role: Role, catalog: Catalog): void {
  if (allows(role, 'me.read')) return shell(renderCitizen(catalog));
  const one = /^#\/case\/(.+)$/.exec(location.hash);
  if (one) return shell(renderCase(decodeURIComponent(one[1]), role, catalog));
  return shell(renderCaseSearch(role, catalog));
}

function signInPage(problem?: string): HTMLElement {
  const token = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'af_…' });
  const form = h(
    'form',
    { class: 'card sign-in' },
    h('h2', {}, t('signIn')),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('tokenLabel')), token),
    h('p', { class: 'muted' }, t('tokenHint')),
    problem ? h('p', { class: 'error-box' }, `${t('signInFailed')}: ${problem}`) : null,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    tokenStore.set(token.value.trim());
    void route();
  });
  return form;
}

async function route(): Promise<void> {
  document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t(brandOf(session?.role)[0])} · applyfree`;
  if (!tokenStore.get()) return shell(signInPage());
  if (!session) {
    try {
      session = await api<Session>('GET', '/console/session');
    } catch (error) {
      tokenStore.clear();
      return shell(signInPage(errorText(error)));
    }
  }
  catalog ??= await api<Catalog>('GET', '/catalog');
  if (location.hash === '#/metrics' && allows(session.role, 'metrics.programme')) return shell(renderMetrics());
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
  if (location.hash === '#/sweeps') return shell(renderSweepList());
  const sweep = /^#\/sweep\/(.+)$/.exec(location.hash);
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
