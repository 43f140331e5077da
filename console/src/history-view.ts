/** The policy's history: who did what and when, with the readable diff of each change. */
import { api, errorText } from './api.js';
import { h } from './dom.js';
import { formatTime, t, tOr } from './i18n.js';
import type { HistoryEntry } from './types.js';

/** The history pane of a policy (all versions), with this version's entries highlighted. */
export function renderHistory(policyId: string, version: number): HTMLElement {
  const list = h('div', { class: 'history' }, h('p', { class: 'muted' }, t('loading')));
  void api<HistoryEntry[]>('GET', `/policies/${policyId}/history`)
    .then((entries) => {
      list.replaceChildren(
        ...entries
          .slice()
          .reverse()
          .map((entry) =>
            h(
              'div',
              { class: `history-entry ${entry.version === version ? 'this-version' : ''}` },
              h(
                'div',
                { class: 'history-head' },
                h('span', { class: `badge action-${entry.action}` }, tOr(`action_${entry.action}`, entry.action)),
                h('strong', {}, ` v${entry.version} `),
                h(
                  'span',
                  {},
                  `${entry.actor}${entry.role === 'system' ? '' : ` · ${tOr(`role_${entry.role}`, entry.role)}`}`,
                ),
                h('span', { class: 'muted' }, ` · ${formatTime(entry.at)}`),
              ),
              entry.note ? h('blockquote', {}, entry.note) : null,
              entry.changes.length > 0
                ? h(
                    'pre',
                    { class: 'diff' },
                    ...entry.changes.map((line) =>
                      h(
                        'div',
                        {
                          class: line.startsWith('+')
                            ? 'add'
                            : line.startsWith('-')
                              ? 'del'
                              : line.startsWith('~')
                                ? 'mod'
                                : '',
                        },
                        line,
                      ),
                    ),
                  )
                : null,
            ),
          ),
      );
    })
    .catch((error: unknown) => list.replaceChildren(h('p', { class: 'error-box' }, errorText(error))));
  return h('section', { class: 'card' }, h('h3', {}, t('historyTitle')), list);
}
