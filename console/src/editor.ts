/**
 * One policy version: the lifecycle bar (role-aware actions, check states, note), the
 * validator's issues, and the panes — form, JSON, tests, simulation, history — over one
 * working copy of the document, saved to the draft before any check runs.
 */
import { api, ApiFailure, errorText, issueText } from './api.js';
import { h, mount } from './dom.js';
import { renderForm } from './form.js';
import { button, decorateIssues, type EditorContext, type Session } from './form-kit.js';
import { pick, t, tOr } from './i18n.js';
import { renderHistory } from './history-view.js';
import { renderJsonView } from './json-view.js';
import { checkChip, statusBadge } from './list-view.js';
import type { MessageKey } from './messages.js';
import { renderSimulation, type SimulationState } from './simulation-view.js';
import { renderLaunchOffer } from './sweeps-view.js';
import { renderTests } from './tests-view.js';
import type { Catalog, Issue, Policy, TestReport, VersionView } from './types.js';
import { allows, type Action } from '../../domain/permissions.js';

export type Tab = 'form' | 'json' | 'tests' | 'simulation' | 'history';
const TABS: Array<[Tab, MessageKey]> = [
  ['form', 'tabForm'],
  ['json', 'tabJson'],
  ['tests', 'tabTests'],
  ['simulation', 'tabSimulation'],
  ['history', 'tabHistory'],
];

export interface EditorDeps {
  catalog: Catalog;
  session: Session;
  navigate: (hash: string) => void;
}

/** Draws one version into `root`; the answer tells the router whether leaving would lose edits. */
export async function renderEditor(
  root: HTMLElement,
  deps: EditorDeps,
  policyId: string,
  version: number,
  initialTab: Tab,
): Promise<{ dirty(): boolean }> {
  const base = `/policies/${policyId}/versions/${version}`;
  let view = await api<VersionView>('GET', base);
  let doc = structuredClone(view.document) as Policy;
  let dirty = false;
  let issues: Issue[] = [];
  let warnings: Issue[] = [];
  let tab = initialTab;
  let testReport: TestReport | undefined;
  let simulation: SimulationState = { kind: 'unknown' };

  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  const header = h('div', { class: 'editor-head' });
  const issueBox = h('div', { class: 'issue-box' });
  // A published version offers to launch its sweep, first thing after publishing (sweeps-view.ts).
  const offer = h('div', { class: 'offer' });
  let offerShown: string | undefined;
  let justPublished = false;
  const tabs = h('nav', { class: 'tabs', role: 'tablist' });
  const pane = h('div', { class: 'pane' });
  const note = h('input', { type: 'text', class: 'note', placeholder: t('notePlaceholder'), 'aria-label': t('note') });

  const say = (text: string, kind: 'ok' | 'bad' | 'info' = 'info') =>
    mount(flash, h('div', { class: `flash-${kind}` }, text));
  const fail = (error: unknown) => {
    if (error instanceof ApiFailure && error.issues.length > 0) {
      issues = error.issues;
      renderPane();
    }
    say(errorText(error), 'bad');
  };

  const editable = () => view.status === 'draft' && allows(deps.session.role, 'policy.edit');
  const ctx = (): EditorContext => ({
    catalog: deps.catalog,
    session: deps.session,
    view,
    doc,
    editable: editable(),
    issues,
    touched: () => {
      dirty = true;
      renderHeader();
    },
    refresh: () => renderPane(),
  });

  async function reload(): Promise<void> {
    view = await api<VersionView>('GET', base);
    if (!dirty) doc = structuredClone(view.document) as Policy;
  }

  async function save(): Promise<void> {
    if (!dirty || !editable()) return;
    // The panes hold the working copy's objects: keep them (the server stored exactly this document).
    view = await api<VersionView>('PUT', base, doc);
    dirty = false;
  }

  /** Runs an action, then re-reads the version and redraws; errors are shown, not thrown. */
  const act = (label: string, run: () => Promise<void | string>) => async () => {
    for (const b of header.querySelectorAll('button')) b.disabled = true;
    say(t('loading'));
    try {
      const message = await run();
      await reload();
      say(
        message || t('done', { action: label }),
        message && message !== t('valid') && message.startsWith('✗') ? 'bad' : 'ok',
      );
    } catch (error) {
      fail(error);
      await reload().catch(() => undefined);
    }
    renderHeader();
    renderPane();
  };

  const validate = act(t('validate'), async () => {
    await save();
    const answer = await api<{ valid: boolean; issues: Issue[]; warnings?: Issue[] }>('POST', `${base}/validate`);
    issues = answer.issues;
    warnings = answer.warnings ?? [];
    return answer.valid ? t('valid') : `✗ ${t('issuesFound', { count: answer.issues.length })}`;
  });
  const runTests = async (): Promise<TestReport> => {
    mount(flash);
    await save();
    const report = await api<TestReport>('POST', `${base}/test`);
    view = await api<VersionView>('GET', base);
    renderHeader();
    return report;
  };
  const withNote = (required: boolean) => {
    const text = note.value.trim();
    if (required && !text) throw new Error(t('noteRequired'));
    return text ? { note: text } : {};
  };
  const step = (path: string, label: string, required = false) =>
    act(label, async () => {
      await save();
      await api('POST', `${base}/${path}`, withNote(required));
      note.value = '';
      issues = [];
      warnings = [];
    });
  const publish = act(t('publish'), async () => {
    await api('POST', `${base}/publish`, {});
    justPublished = true;
  });
  const nextVersion = async () => {
    try {
      const created = await api<VersionView>('POST', '/policies', { ...view.document, version: view.version + 1 });
      deps.navigate(`#/policy/${created.policyId}/${created.version}/form`);
    } catch (error) {
      fail(error);
    }
  };
  const switchTab = (next: Tab) => {
    tab = next;
    history.replaceState(null, '', `#/policy/${policyId}/${version}/${tab}`);
    renderTabs();
    renderPane();
  };

  function renderHeader(): void {
    const role = deps.session.role;
    const status = view.status;
    const actions: HTMLElement[] = [];
    if (editable()) actions.push(button(t('save'), act(t('save'), save), { class: 'act-save', disabled: !dirty }));
    // Each action shows only to a role domain/permissions.ts allows it (the API refuses the rest anyway).
    const may = (action: Action) => allows(role, action);
    if (status === 'draft') {
      if (may('policy.validate')) actions.push(button(t('validate'), validate, { class: 'act-validate' }));
      if (may('policy.test'))
        actions.push(
          button(
            t('runTests'),
            () => {
              switchTab('tests');
              pane.querySelector<HTMLButtonElement>('.run-tests')?.click();
            },
            { class: 'act-test' },
          ),
        );
      if (may('policy.simulate'))
        actions.push(button(t('simulate'), () => switchTab('simulation'), { class: 'act-simulate' }));
      if (may('policy.submit'))
        actions.push(button(t('submit'), step('submit', t('submit')), { class: 'primary act-submit' }));
    }
    if (status === 'submitted' && may('policy.approve'))
      actions.push(button(t('approve'), step('approve', t('approve')), { class: 'primary act-approve' }));
    if (status === 'submitted' && may('policy.reject'))
      actions.push(button(t('reject'), step('reject', t('reject'), true), { class: 'danger act-reject' }));
    if (status === 'approved' && may('policy.publish'))
      actions.push(button(t('publish'), publish, { class: 'primary act-publish' }));
    if (status === 'published' && may('policy.retire'))
      actions.push(button(t('retire'), step('retire', t('retire'), true), { class: 'danger act-retire' }));
    // Any version may start another draft: next year's beside this year's, while this one is still a draft.
    if (may('policy.draft')) actions.push(button(t('nextVersion'), nextVersion, { class: 'primary act-next' }));
    const wantsNote = actions.some((a) => /act-(submit|approve|reject|retire)/.test(a.className));
    mount(
      header,
      h('a', { href: '#/', class: 'back' }, `← ${t('back')}`),
      h(
        'div',
        { class: 'title-row' },
        h('h2', {}, pick(doc.title) || policyId, h('span', { class: 'version' }, ` v${version}`)),
        statusBadge(status),
        dirty ? h('span', { class: 'chip dirty' }, t('unsaved')) : null,
      ),
      h('div', { class: 'muted mono' }, policyId),
      h(
        'div',
        { class: 'chips' },
        checkChip(t('checkValidation'), view.validation, view.hash),
        checkChip(t('checkTests'), view.tests, view.hash),
        checkChip(t('checkSimulation'), view.simulation, view.hash),
      ),
      !editable() && view.status !== 'draft'
        ? h('p', { class: 'muted' }, t('readOnly', { status: tOr(`status_${status}`, status) }))
        : null,
      h('div', { class: 'actions' }, ...actions, wantsNote ? note : null),
      flash,
    );
    if (offerShown !== `${status}:${justPublished}`) {
      offerShown = `${status}:${justPublished}`;
      mount(offer, status === 'published' ? renderLaunchOffer(view, justPublished, deps.navigate) : null);
    }
  }

  function renderIssues(unplaced: Issue[]): void {
    const list = (shown: Issue[]) =>
      h('ul', {}, ...shown.map((issue) => h('li', {}, h('code', {}, issue.path), ` ${issueText(issue)}`)));
    mount(
      issueBox,
      issues.length > 0
        ? h(
            'div',
            { class: 'issues-summary' },
            h('strong', {}, t('issuesFound', { count: issues.length })),
            list(unplaced.length > 0 ? unplaced : issues),
          )
        : null,
      warnings.length > 0
        ? h(
            'div',
            { class: 'warnings-summary' },
            h('strong', {}, t('warningsFound', { count: warnings.length })),
            list(warnings),
          )
        : null,
    );
  }

  function renderTabs(): void {
    mount(
      tabs,
      ...TABS.map(([id, key]) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: `tab tab-${id}`,
            'aria-selected': String(id === tab),
            onclick: () => switchTab(id),
          },
          t(key),
        ),
      ),
    );
  }

  function renderPane(): void {
    const scroll = window.scrollY;
    const c = ctx();
    let content: HTMLElement;
    if (tab === 'json') content = renderJsonView(c);
    else if (tab === 'tests') content = renderTests(c, runTests, testReport, (report) => (testReport = report));
    else if (tab === 'simulation')
      content = renderSimulation(
        c,
        simulation,
        (next) => (simulation = next),
        save,
        () => {
          void api<VersionView>('GET', base).then((latest) => {
            view = latest;
            renderHeader();
          });
        },
      );
    else if (tab === 'history') content = renderHistory(policyId, version);
    else content = renderForm(c);
    mount(pane, content);
    renderIssues(tab === 'form' || tab === 'tests' ? decorateIssues(pane, issues) : issues);
    window.scrollTo(0, scroll);
  }

  mount(root, h('div', { class: 'editor' }, header, offer, issueBox, tabs, pane));
  renderHeader();
  renderTabs();
  renderPane();
  return { dirty: () => dirty };
}
