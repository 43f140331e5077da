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
import type { Catalog } from './types.js';

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
      session && isPolicyRole(session.role)
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
            metricsLink(),
            mayReadObjections(session.role) ? objectionsLink() : null,
          )
        : null,
      session && !isPolicyRole(session.role) ? caseNav(session.role) : null,
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

/** Officers and reviewers author policies; supervisors, inspectors and citizens have their own pages (issue 5). */
const isPolicyRole = (role: string): boolean => role === 'officer' || role === 'reviewer';

/** The console's name as the signed-in person uses it: policy console, case supervision or the citizen's services. */
function brandOf(role: string | undefined): [MessageKey, MessageKey] {
  if (role === 'citizen') return ['appTitleMe', 'appSubtitleMe'];
  if (role === 'supervisor' || role === 'inspector') return ['appTitleCases', 'appSubtitleCases'];
  return ['appTitle', 'appSubtitle'];
}

/** The navigation of the issue-5 roles: case search, assigned inspections, or the citizen's own page. */
function caseNav(role: string): HTMLElement {
  const current = (pattern: RegExp) =>
    pattern.test(location.hash) || location.hash === '' || location.hash === '#/' ? ' current' : '';
  if (role === 'citizen')
    return h('nav', { class: 'top-nav' }, h('a', { href: '#/me', class: `nav-me${current(/^#\/me/)}` }, t('navMe')));
  return h(
    'nav',
    { class: 'top-nav' },
    h(
      'a',
      { href: '#/cases', class: `nav-cases${current(/^#\/case/)}` },
      t(role === 'inspector' ? 'navInspections' : 'navCases'),
    ),
    role === 'supervisor' ? metricsLink() : null,
    role === 'supervisor' ? objectionsLink() : null,
  );
}

/** Programme metrics (#/metrics): supervisors, officers and reviewers (api/metrics-routes.ts METRICS_ROLES). */
const mayReadMetrics = (role: string): boolean => role === 'supervisor' || isPolicyRole(role);
function metricsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/metrics', class: `nav-metrics${/^#\/metrics/.test(location.hash) ? ' current' : ''}` },
    t('navMetrics'),
  );
}

/** Objections (#/objections): supervisors handle them, officers read them (services/objections/service.ts; the API lists them for both). */
const mayReadObjections = (role: string): boolean => role === 'supervisor' || role === 'officer';
function objectionsLink(): HTMLElement {
  return h(
    'a',
    { href: '#/objections', class: `nav-objections${/^#\/objections/.test(location.hash) ? ' current' : ''}` },
    t('navObjections'),
  );
}

/** The pages of a supervisor, an inspector or a citizen: `#/cases`, `#/case/<encoded id>`, `#/me`. */
function routeCaseRoles(role: string, catalog: Catalog): void {
  if (role === 'citizen') return shell(renderCitizen(catalog));
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
  if (location.hash === '#/metrics' && mayReadMetrics(session.role)) return shell(renderMetrics());
  const objection = /^#\/objections(?:\/([^/]+))?$/.exec(location.hash);
  if (objection && mayReadObjections(session.role)) {
    editor = undefined;
    return shell(
      renderObjections(
        objection[1] === undefined ? undefined : decodeURIComponent(objection[1]),
        session.role,
        catalog,
      ),
    );
  }
  if (!isPolicyRole(session.role)) return routeCaseRoles(session.role, catalog);
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
