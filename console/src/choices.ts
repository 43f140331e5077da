/**
 * Shared by the pages that list policies (metrics, objections, sweeps): a filter
 * select refilled as choices become known, keeping what was chosen, and the stored policies'
 * titles (GET /policies answers any reader the published ones; staff see drafts too).
 */
import { api } from './api.js';
import { h, mount } from './dom.js';
import { pick } from './i18n.js';
import type { Text } from './types.js';

/** Refills `select` with "any" and the choices by value, keeping the chosen one while it is offered. */
export function fillSelect(select: HTMLSelectElement, anyLabel: string, choices: Map<string, Text>): void {
  const chosen = select.value;
  mount(
    select,
    h('option', { value: '' }, anyLabel),
    ...[...choices].sort(([a], [b]) => a.localeCompare(b)).map(([value, label]) => h('option', { value }, pick(label))),
  );
  select.value = choices.has(chosen) ? chosen : '';
}

/** Adds every stored policy's latest title to `titles`, then calls `then`; a failed read leaves them as they are. */
export function loadPolicyTitles(titles: Map<string, Text>, then: () => void): void {
  void api<Array<{ policyId: string; version: number; title: Text }>>('GET', '/policies').then(
    (versions) => {
      for (const v of [...versions].sort((a, b) => a.version - b.version)) titles.set(v.policyId, v.title);
      then();
    },
    () => undefined,
  );
}
