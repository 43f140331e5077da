/**
 * Three-valued reading of a json-rules-engine result tree (strong Kleene logic): a leaf whose
 * fact is missing is 'unknown', not false, so "data missing" never turns into "not eligible".
 * Leaves come out in document order with their named condition, label and masked fact value.
 */
import { findFact } from '../domain/sources.js';
import { groupLabelOf } from './condition-groups.js';
import { lookupRow } from './fact-tables.js';
import { leafState, waitsFor, rowUsed, tableLeafValue, tableNamedBy, tablesInForce } from './table-leaves.js';
import type { ConditionResult, FactTable, Policy } from './types.js';

/** true, false, or unknown (a fact was missing). */
export type TriState = boolean | 'unknown';

/** A node of json-rules-engine's evaluated condition tree (RuleResult.toJSON(false).conditions). */
export interface ResultNode {
  name?: string;
  all?: ResultNode[];
  any?: ResultNode[];
  not?: ResultNode;
  condition?: string;
  fact?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  /** The value as resolved, when it named a fact (a fact table: `$table:<parameter>`). */
  valueResult?: unknown;
  result?: boolean;
}

/** all: false if any false, else unknown if any unknown, else true. */
export function kleeneAll(values: readonly TriState[]): TriState {
  if (values.includes(false)) return false;
  return values.includes('unknown') ? 'unknown' : true;
}

/** any: true if any true, else unknown if any unknown, else false. */
export function kleeneAny(values: readonly TriState[]): TriState {
  if (values.includes(true)) return true;
  return values.includes('unknown') ? 'unknown' : false;
}

/** not: swaps true and false, keeps unknown. */
export function kleeneNot(value: TriState): TriState {
  return value === 'unknown' ? value : !value;
}

/** The value shown for a fact: '***' for sensitive facts, undefined when missing. */
export function shownFactValue(fact: string, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  return findFact(fact)?.field.sensitivity === 'sensitive' ? '***' : value;
}

/** Whether a fact counts as missing: absent or null. */
export function isMissingFact(facts: Record<string, unknown>, fact: string): boolean {
  return facts[fact] === undefined || facts[fact] === null;
}

/** How evaluation treats pledged facts: with `acceptPledges`, a missing pledged fact counts as true. */
export interface ExplainOptions {
  acceptPledges?: boolean;
}

/** The as-of date, for the fact tables a leaf's value may come from. */
type ReadOptions = ExplainOptions & { asOf?: string };

/**
 * The three-valued result of an evaluated tree and its leaves. Throws when a leaf was never
 * evaluated (json-rules-engine short-circuits only across priorities, which policies may not set).
 */
export function explainResult(
  root: ResultNode,
  policy: Policy,
  facts: Record<string, unknown>,
  options: ReadOptions = {},
): { value: TriState; leaves: ConditionResult[] } {
  const leaves: ConditionResult[] = [];
  const tables = options.asOf === undefined ? new Map<string, FactTable>() : tablesInForce(policy, options.asOf);
  const pledged = new Set(options.acceptPledges && policy.mode === 'pledge' ? (policy.pledge?.pledgedFacts ?? []) : []);

  const walk = (node: ResultNode, name: string | undefined, negated = false): TriState => {
    const owner = node.name ?? name;
    if (node.all) return kleeneAll(node.all.map((child) => walk(child, owner, negated)));
    if (node.any) return kleeneAny(node.any.map((child) => walk(child, owner, negated)));
    if (node.not) return kleeneNot(walk(node.not, owner, !negated));
    if (node.fact === undefined || node.operator === undefined || typeof node.result !== 'boolean') {
      throw new Error(`${policy.id}: condition ${node.condition ?? node.fact ?? '?'} was not evaluated`);
    }
    const { result: raw } = node;
    const parameter = tableNamedBy(node.value);
    const table = parameter === undefined ? undefined : tables.get(parameter);
    const lookup = table === undefined ? undefined : lookupRow(table, facts);
    const missing = isMissingFact(facts, node.fact);
    const state = leafState(node.fact, missing, pledged.has(node.fact), () => raw, lookup);
    const row = parameter === undefined || lookup === undefined ? undefined : rowUsed(parameter, lookup);
    const label = owner === undefined ? undefined : groupLabelOf(policy, owner);
    leaves.push({
      ...(owner === undefined ? {} : { name: owner }),
      ...(label === undefined ? {} : { label }),
      fact: node.fact,
      operator: node.operator,
      value: parameter !== undefined && lookup !== undefined ? tableLeafValue(parameter, lookup) : node.value,
      factValue: shownFactValue(node.fact, facts[node.fact]),
      result: state.result,
      ...(state.byPledge ? { pledged: true } : {}),
      ...(row === undefined ? {} : { tableRow: row }),
      ...(waitsFor(node.fact, state) ? { waitsFor: state.missing } : {}),
      ...(negated ? { negated: true } : {}),
    });
    return state.result;
  };

  const value = walk(root, undefined);
  return { value, leaves };
}
