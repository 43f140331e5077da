/**
 * An explanation grouped by named condition, so a large condition stays readable (issue 18: a
 * retirement-age policy of about a hundred cohort groups explained in 231 KB). Each named group —
 * a named condition, or an `all`/`any` carrying a `name` — says its label once, its verdict, each
 * fact's label and value once, and only the conditions that decided its verdict: in a group that
 * holds, what made it hold (for an `any`, the members that hold); in one that fails, what failed
 * (for an `any`, the nearest members first); in one that is unknown, what is unknown. The rest are
 * collapsed into a count. Unnamed groups are read through: their deciding leaves count as their
 * named parent's. At most MAX_SHOWN conditions are shown per group.
 *
 * Sensitive facts withheld from a real subject's explanation (explain-subject.ts) withhold the
 * verdict of every group that reads one, and such a group shows its conditions in document order
 * rather than by verdict: what is shown is a function of the non-sensitive facts alone.
 */
import { findFact, type Text } from '../domain/sources.js';
import { groupLabelOf } from './condition-groups.js';
import { kleeneAll, kleeneAny, kleeneNot, type TriState } from './explain.js';
import { actualText, valueText } from './explain-summary.js';
import { conditionMet, type Condition, type ConditionResult, type Policy } from './types.js';

/** At most this many conditions (leaves and named groups) are shown in one group. */
export const MAX_SHOWN = 6;

/** A leaf as a group shows it: its test and whether it counts for eligibility; its fact's label is in the group's `facts`. */
export type GroupedLeaf =
  | { fact: string; operator: string; value: unknown; met: TriState; negated?: true; pledged?: true }
  | { fact: string; withheld: true };

export interface ExplainedGroup {
  /** The named condition's or group's name; `conditions` for the policy's top-level conditions. */
  name: string;
  label: Text;
  kind: 'all' | 'any' | 'not' | 'leaf';
  /** Whether the group counts for eligibility (turned round under a `not`); withheld when it reads a sensitive fact. */
  met: TriState | 'withheld';
  /** Under an odd number of `not`s: the policy needs the group not to hold. */
  negated?: true;
  /**
   * Each fact of the shown leaves, once: its catalog label (left out when it is the group's own,
   * as for a named condition on one fact) and its value in words (or withheld).
   */
  facts: Record<string, { label?: Text; actual?: Text; withheld?: true }>;
  leaves: GroupedLeaf[];
  groups: ExplainedGroup[];
  /** Conditions of the group (leaves and named groups) not shown: they did not decide its verdict, or exceed MAX_SHOWN. */
  collapsed: number;
}

type Node =
  | { kind: 'leaf'; index: number; value: TriState; sensitive: boolean }
  | {
      kind: 'all' | 'any' | 'not';
      name?: string;
      negated: boolean;
      children: Node[];
      value: TriState;
      sensitive: boolean;
    };

type BooleanNode = Exclude<Node, { kind: 'leaf' }>;

const ROOT_LABEL: Text = { zh: '资格条件', en: 'eligibility conditions' };

/**
 * The policy's condition tree with named conditions expanded in place, in the compiled
 * evaluator's order, each leaf taking the next of `leaves` (compilePolicy(...).explain's, in
 * document order). Named conditions and named groups keep their name.
 */
function treeOf(policy: Policy, leaves: readonly ConditionResult[], hidden: ReadonlySet<string>): Node {
  let next = 0;
  const walk = (condition: Condition, negated: boolean, name?: string): Node => {
    if ('all' in condition || 'any' in condition) {
      const kind = 'all' in condition ? 'all' : 'any';
      const children = ('all' in condition ? condition.all : condition.any).map((child) => walk(child, negated));
      const values = children.map((child) => child.value);
      return {
        kind,
        name: name ?? condition.name,
        negated,
        children,
        value: kind === 'all' ? kleeneAll(values) : kleeneAny(values),
        sensitive: children.some((child) => child.sensitive),
      };
    }
    if ('not' in condition) {
      const child = walk(condition.not, !negated);
      return {
        kind: 'not',
        name,
        negated,
        children: [child],
        value: kleeneNot(child.value),
        sensitive: child.sensitive,
      };
    }
    if ('condition' in condition) {
      const inner = walk(policy.namedConditions[condition.condition], negated, condition.condition);
      // A named leaf is a group of one, so its label is said like any other group's.
      return inner.kind === 'leaf'
        ? {
            kind: 'all',
            name: condition.condition,
            negated,
            children: [inner],
            value: inner.value,
            sensitive: inner.sensitive,
          }
        : { ...inner, name: condition.condition };
    }
    const index = next++;
    const leaf = leaves[index];
    if (!leaf || leaf.fact !== condition.fact)
      throw new Error(`${policy.id}: the explained leaves do not follow the conditions at ${condition.fact}`);
    return { kind: 'leaf', index, value: leaf.result, sensitive: hidden.has(leaf.fact) };
  };
  return walk(policy.conditions, false, 'conditions');
}

/** Memoised per node: a nested `any` sorts its members by weight, which reads their deciding children. */
const weights = new WeakMap<Node, number>();
const decidingChildren = new WeakMap<BooleanNode, Node[]>();

/** How many leaves decided a node: for a failed `any` member, how far it is from holding. */
function weight(node: Node): number {
  if (node.kind === 'leaf') return 1;
  let known = weights.get(node);
  if (known === undefined) {
    known = deciding(node).reduce((n, child) => n + weight(child), 0);
    weights.set(node, known);
  }
  return known;
}

/** The children that decided a node's verdict (all of them in a group that reads a withheld fact). */
function deciding(node: BooleanNode): Node[] {
  let known = decidingChildren.get(node);
  if (known) return known;
  if (node.sensitive || node.kind === 'not') known = node.children;
  else if (node.kind === 'any' && node.value === false)
    known = [...node.children].sort((a, b) => weight(a) - weight(b)); // the nearest members first
  else known = node.children.filter((child) => child.value === node.value);
  decidingChildren.set(node, known);
  return known;
}

/** A named group's conditions read through its unnamed groups: every one, and those that decided. */
function itemsOf(node: BooleanNode, chosen: (n: BooleanNode) => Node[]): Node[] {
  return chosen(node).flatMap((child) =>
    child.kind !== 'leaf' && child.name === undefined ? itemsOf(child, chosen) : [child],
  );
}

/**
 * Groups a decision's leaves by named condition. `leaves` are the compiled evaluator's, in document
 * order; `hidden` the sensitive facts withheld whole. Answers the root group and the indexes of the
 * leaves it shows (in document order), which is what an explanation lists as its conditions.
 */
export function groupExplanation(
  policy: Policy,
  leaves: readonly ConditionResult[],
  facts: Readonly<Record<string, unknown>>,
  asOf: string,
  hidden: ReadonlySet<string> = new Set(),
): { root: ExplainedGroup; shown: number[] } {
  const shown: number[] = [];
  const render = (node: BooleanNode): ExplainedGroup => {
    const all = itemsOf(node, (n) => n.children);
    const chosen = itemsOf(node, deciding).slice(0, MAX_SHOWN);
    const group: ExplainedGroup = {
      name: node.name ?? 'conditions',
      label:
        node.name === 'conditions'
          ? ROOT_LABEL
          : (groupLabelOf(policy, node.name ?? '') ?? { zh: node.name ?? '', en: node.name ?? '' }),
      kind: node.kind,
      met: node.sensitive ? 'withheld' : node.negated ? kleeneNot(node.value) : node.value,
      ...(node.negated ? { negated: true as const } : {}),
      facts: {},
      leaves: [],
      groups: [],
      collapsed: all.length - chosen.length,
    };
    for (const item of chosen) {
      if (item.kind !== 'leaf') {
        group.groups.push(render(item));
        continue;
      }
      shown.push(item.index);
      const leaf = leaves[item.index];
      if (item.sensitive) {
        group.facts[leaf.fact] ??= { ...labelUnlessGroups(group, leaf.fact), withheld: true };
        group.leaves.push({ fact: leaf.fact, withheld: true });
        continue;
      }
      group.facts[leaf.fact] ??= {
        ...labelUnlessGroups(group, leaf.fact),
        actual: actualText(leaf, facts[leaf.fact], asOf) ?? valueText(leaf.factValue),
      };
      group.leaves.push({
        fact: leaf.fact,
        operator: leaf.operator,
        value: leaf.value,
        met: conditionMet(leaf),
        ...(leaf.negated ? { negated: true as const } : {}),
        ...(leaf.pledged ? { pledged: true as const } : {}),
      });
    }
    return group;
  };
  const root = treeOf(policy, leaves, hidden) as BooleanNode;
  return { root: render(root), shown: [...new Set(shown)].sort((a, b) => a - b) };
}

const factLabel = (fact: string): Text => findFact(fact)?.field.label ?? { zh: fact, en: fact };

/** `{ label }` of a fact, unless the group's label says the same (in either language). */
function labelUnlessGroups(group: ExplainedGroup, fact: string): { label?: Text } {
  const label = factLabel(fact);
  return label.zh === group.label.zh || label.en === group.label.en ? {} : { label };
}
