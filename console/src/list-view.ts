/** The list of every policy version with its status and the state of its checks. */
import { api, errorText } from './api.js';
import { h } from './dom.js';
import { formatTime, pick, t } from './i18n.js';
import type { CheckSummary, VersionSummary } from './types.js';

/** A version's status as a coloured badge in the console's language. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status status-${status}` }, t(`status_${status}` as 'status_draft'));
}

/** A check's state for the version's current content: passed, failed, stale or not run. */
export function checkChip(label: string, check: CheckSummary | undefined, hash: string): HTMLElement {
  const state = !check ? 'missing' : check.hash !== hash ? 'stale' : check.passed ? 'passed' : 'failed';
  const word = {
    missing: t('checkMissing'),
    stale: t('checkStale'),
    passed: t('checkPassed'),
    failed: t('checkFailed'),
  }[state];
  return h('span', { class: `chip check-${state}`, title: check?.detail ?? '' }, `${label}: ${word}`);
}

/** The list pane; `open` goes to a version. */
export function renderList(open: (id: string, version: number) => void): HTMLElement {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 5, class: 'muted' }, t('loading'))));
  void api<VersionSummary[]>('GET', '/policies')
    .then((versions) => {
      body.replaceChildren(
        ...versions.map((v) =>
          h(
            'tr',
            { class: 'policy-row', 'data-policy': v.policyId, 'data-version': v.version, 'data-status': v.status },
            h(
              'td',
              {},
              h(
                'a',
                {
                  href: `#/policy/${v.policyId}/${v.version}`,
                  onclick: (event: Event) => {
                    event.preventDefault();
                    open(v.policyId, v.version);
                  },
                },
                pick(v.title) || v.policyId,
              ),
              h('div', { class: 'muted mono' }, v.policyId),
            ),
            h('td', { class: 'num' }, `v${v.version}`),
            h('td', {}, statusBadge(v.status)),
            h(
              'td',
              { class: 'checks' },
              v.status === 'draft'
                ? [checkChip(t('checkValidation'), v.validation, v.hash), checkChip(t('checkTests'), v.tests, v.hash)]
                : null,
            ),
            h('td', { class: 'muted' }, [v.updatedBy, formatTime(v.updatedAt)].filter(Boolean).join(' · ')),
          ),
        ),
      );
    })
    .catch((error: unknown) =>
      body.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'error-box' }, errorText(error)))),
    );
  return h(
    'section',
    { class: 'card list' },
    h('h2', {}, t('policies')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'policy-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('colPolicy')),
            h('th', {}, t('colVersion')),
            h('th', {}, t('colStatus')),
            h('th', {}, t('colChecks')),
            h('th', {}, t('colUpdated')),
          ),
        ),
        body,
      ),
    ),
  );
}
