/**
 * The named groups of a policy's conditions: its named conditions and the `all`/`any` groups
 * inside condition trees that carry a `name` (types.ts GroupName). A leaf belongs to the innermost
 * named group above it (explain.ts, compiled.ts); explanations say each group's label once.
 */
import type { Text } from '../domain/sources.js';
import type { Condition, Policy } from './types.js';

const labels = new WeakMap<Policy, Map<string, Text | undefined>>();

/** Every inline group name in a condition tree, with its label (undefined when it has none). */
function collect(condition: Condition, into: Map<string, Text | undefined>): void {
  if ('all' in condition || 'any' in condition) {
    if (condition.name !== undefined && !into.has(condition.name)) into.set(condition.name, condition.label);
    ('all' in condition ? condition.all : condition.any).forEach((child) => collect(child, into));
  } else if ('not' in condition) collect(condition.not, into);
}

/** The label of a named condition or a named group; undefined when it has none. Memoised per (immutable) policy. */
export function groupLabelOf(policy: Policy, name: string): Text | undefined {
  if (Object.hasOwn(policy.namedConditions, name)) return policy.namedConditions[name].label;
  let known = labels.get(policy);
  if (!known) {
    known = new Map();
    collect(policy.conditions, known);
    for (const named of Object.values(policy.namedConditions)) collect(named, known);
    labels.set(policy, known);
  }
  return known.get(name);
}
