/**
 * Which missing facts mattered (issue 18). Under strong Kleene logic one known branch settles a
 * group whatever its missing branches would say: a true branch an `any`, a false one an `all`. A
 * missing leaf under a settled group (or under a settled root) did not matter — supplying it could
 * change nothing — so it is marked `notNeeded`, and the decision's missing facts list only the
 * facts that could still decide it. Both evaluators mark their leaves with this one function.
 */
import { kleeneAll, kleeneAny, kleeneNot, type ResultNode, type TriState } from './explain.js';
import type { ConditionResult } from './types.js';

/** How a tree node is read: a group, a negation, or a leaf (the next of the leaves, in document order). */
export type NodeShape<N> =
  { kind: 'all' | 'any'; children: readonly N[] } | { kind: 'not'; child: N } | { kind: 'leaf' };

/**
 * Marks `notNeeded` on each unknown leaf below a node whose three-valued value is settled. `leaves`
 * are the tree's leaves in document order (as both evaluators list them), already with their results.
 */
export function markNotNeeded<N>(root: N, shapeOf: (node: N) => NodeShape<N>, leaves: ConditionResult[]): void {
  let next = 0;
  const walk = (node: N): TriState => {
    const first = next;
    const shape = shapeOf(node);
    let value: TriState;
    if (shape.kind === 'leaf') value = leaves[next++].result;
    else if (shape.kind === 'not') value = kleeneNot(walk(shape.child));
    else {
      const values = shape.children.map(walk);
      value = shape.kind === 'all' ? kleeneAll(values) : kleeneAny(values);
    }
    if (value !== 'unknown')
      for (let i = first; i < next; i += 1) if (leaves[i].result === 'unknown') leaves[i].notNeeded = true;
    return value;
  };
  walk(root);
}

/** The missing facts that could still decide: those of unknown leaves not marked `notNeeded`, each once, in leaf order. */
export function neededMissingFacts(leaves: readonly ConditionResult[]): string[] {
  const needed = leaves.filter((leaf) => leaf.result === 'unknown' && !leaf.notNeeded);
  return [...new Set(needed.flatMap((leaf) => leaf.waitsFor ?? [leaf.fact]))];
}

/** json-rules-engine's evaluated tree read as explainResult reads it. */
export function resultNodeShape(node: ResultNode): NodeShape<ResultNode> {
  if (node.all) return { kind: 'all', children: node.all };
  if (node.any) return { kind: 'any', children: node.any };
  if (node.not) return { kind: 'not', child: node.not };
  return { kind: 'leaf' };
}
