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

/** A version's effective range as the list shows it: "2026-01-01 – 2026-12-31", an open end as "…". */
export function rangeText(effective: VersionSummary['effective']): string {
  return effective ? `${effective.from} – ${effective.to ?? '…'}` : t('effectiveNone');
}

const OPEN = new Set(['draft', 'submitted', 'approved']);

/**
 * The versions of each policy that are in progress (draft, submitted, approved): several at once
 * (this year's and next year's) are marked on the policy's first row, and read side by side below it.
 */
function openCounts(versions: readonly VersionSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of versions) if (OPEN.has(v.status)) counts.set(v.policyId, (counts.get(v.policyId) ?? 0) + 1);
  return counts;
}

/** The list pane; `open` goes to a version. */
export function renderList(open: (id: string, version: number) => void): HTMLElement {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('loading'))));
  void api<VersionSummary[]>('GET', '/policies')
    .then((versions) => {
      const inProgress = openCounts(versions);
      body.replaceChildren(
        ...versions.map((v, i) =>
          h(
            'tr',
            {
              class: `policy-row${versions[i - 1]?.policyId === v.policyId ? ' same-policy' : ''}`,
              'data-policy': v.policyId,
              'data-version': v.version,
              'data-status': v.status,
            },
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
              versions[i - 1]?.policyId !== v.policyId && (inProgress.get(v.policyId) ?? 0) > 1
                ? h('span', { class: 'chip drafts-open' }, t('draftsOpen', { n: inProgress.get(v.policyId) ?? 0 }))
                : null,
            ),
            h('td', { class: 'num' }, `v${v.version}`),
            h('td', {}, statusBadge(v.status)),
            h('td', { class: 'num effective mono' }, rangeText(v.effective)),
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
      body.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error-box' }, errorText(error)))),
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
            h('th', {}, t('colEffective')),
            h('th', {}, t('colChecks')),
            h('th', {}, t('colUpdated')),
          ),
        ),
        body,
      ),
    ),
  );
}
