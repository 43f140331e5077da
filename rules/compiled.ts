/**
 * The compiled evaluator (DESIGN.md, Performance): a policy's JSON conditions, for one as-of
 * date, turned once into plain closures and then run on millions of flat fact records in a
 * sweep. It reuses operatorFunctions(asOf), the Kleene reading of explain.ts and computeAmount,
 * so its decisions equal evaluatePolicy's and its two-valued verdict equals json-rules-engine's
 * Engine.run (test/unit/rules/compiled.test.ts diffs both); only the engine's promises, almanac and
 * result tree are gone. No source text is generated: conditions become closures over their values.
 * Date operators become ranges of days found with the operators themselves (compiled-dates.ts),
 * and amounts are cached by fact value (compiled-memo.ts): luxon per fact would cost ~25 µs.
 */
import type { Text } from '../domain/sources.js';
import { amountFacts, computeAmount, type AmountResult } from './amount.js';
import { dateRangeTest, FIRST_DATE, LAST_DATE } from './compiled-dates.js';
import { cachedByFacts } from './compiled-memo.js';
import { periodKey, type EvaluateOptions } from './engine.js';
import { RulesError } from './errors.js';
import { isMissingFact, kleeneNot, shownFactValue, type TriState } from './explain.js';
import { markNotNeeded, neededMissingFacts, type NodeShape } from './explain-relevance.js';
import { OPERATOR_SPECS, isOperatorName, operatorFunctions, type OperatorFn } from './operators.js';
import { conditionValueAt } from './condition-values.js';
import { isFactTable, lookupRow, tableValue, type TableLookup } from './fact-tables.js';
import { leafState, rowUsed, tableLeafValue, waitsFor } from './table-leaves.js';
import { groupLabelOf } from './condition-groups.js';
import { policyRef } from './policy-hash.js';
import type { Condition, ConditionResult, Decision, FactTable, Outcome, ParameterRef, Policy } from './types.js';

/** One subject's facts, flat and keyed by fact name: `{ 'person.birthDate': '1944-03-01' }`. */
export type FlatFacts = Readonly<Record<string, unknown>>;

/**
 * evaluatePolicy's options, and `precompute` (default true): date operators as day ranges
 * (compiled-dates.ts) and amounts cached by fact value (compiled-memo.ts). With false, every
 * fact set goes through operators.ts and computeAmount: the same answers, for comparison.
 */
export interface CompileOptions extends EvaluateOptions {
  precompute?: boolean;
}

/** A decision without leaf explanations: what a sweep needs per subject. */
export interface CompiledDecision {
  outcome: Outcome;
  /** In evaluatePolicy's order: the leaves' facts in document order, or the amount rule's facts. */
  missingFacts: string[];
  amount?: number;
  period: string;
}

/** A policy compiled for one as-of date; reusable for any number of fact sets and callers (synchronous; its caches never change an answer). */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly asOf: string;
  /** The fast path: outcome, amount, period and missing facts, without explanations. Throws what evaluatePolicy throws. */
  decide(facts: FlatFacts): CompiledDecision;
  /** The full decision with every leaf explained: equal to evaluatePolicy's. */
  explain(facts: FlatFacts): Decision;
  /** json-rules-engine's own two-valued verdict (runRulesEngine's `passed`): a missing fact is undefined. */
  passes(facts: FlatFacts): boolean;
}

/** A leaf with its parameter resolved, its operator bound to the as-of date, and the named condition it belongs to. */
interface Leaf {
  kind: 'leaf';
  fact: string;
  operator: string;
  value: unknown;
  name?: string;
  label?: Text;
  /** Under an odd number of `not`s. */
  negated?: boolean;
  /** Engine.run is handed only declared facts; an undeclared one reads as undefined there. */
  declared: boolean;
  test: (factValue: unknown) => boolean;
  /** When the value is a fact table: its parameter and table, looked up per fact set (`test` then takes the row's value). */
  table?: { parameter: string; table: FactTable; compare: (factValue: unknown, value: unknown) => boolean };
}

type Node = Leaf | { kind: 'all' | 'any'; children: Node[] } | { kind: 'not'; child: Node };

interface Resolution {
  policy: Policy;
  asOf: string;
  operators: Record<string, OperatorFn>;
  /** Whether date operators become ranges of dates (compiled-dates.ts). */
  ranges: boolean;
}

/** The tree with named conditions expanded in place (as json-rules-engine realizes them) and parameters resolved. */
function resolve(
  ctx: Resolution,
  condition: Condition,
  owner: string | undefined,
  trail: readonly string[],
  negated = false,
): Node {
  const { policy } = ctx;
  // A named group owns its leaves, as json-rules-engine's result tree says (explain.ts).
  const groupOwner = 'name' in condition && condition.name !== undefined ? condition.name : owner;
  if ('all' in condition)
    return { kind: 'all', children: condition.all.map((child) => resolve(ctx, child, groupOwner, trail, negated)) };
  if ('any' in condition)
    return { kind: 'any', children: condition.any.map((child) => resolve(ctx, child, groupOwner, trail, negated)) };
  if ('not' in condition) return { kind: 'not', child: resolve(ctx, condition.not, owner, trail, !negated) };
  if ('condition' in condition) {
    const name = condition.condition;
    if (!Object.hasOwn(policy.namedConditions, name))
      throw new RulesError('POLICY_INVALID', `${policy.id}: named condition ${name} is not defined`);
    if (trail.includes(name))
      throw new RulesError('POLICY_INVALID', `${policy.id}: named condition ${name} refers to itself`);
    return resolve(ctx, policy.namedConditions[name], name, [...trail, name], negated);
  }
  const { fact, operator } = condition;
  if (!isOperatorName(operator))
    throw new RulesError('POLICY_INVALID', `${policy.id}: operator ${operator} is not allowed`);
  const value = conditionValueAt(policy, condition.value, ctx.asOf);
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'fact')) {
    throw new RulesError(
      'POLICY_INVALID',
      `${policy.id}: a value naming a fact is a json-rules-engine fact reference, which policies may not use`,
    );
  }
  const op = ctx.operators[operator];
  const datesOnly = OPERATOR_SPECS[operator].factTypes.every((type) => type === 'date');
  const label = owner === undefined ? undefined : groupLabelOf(policy, owner);
  const table = isFactTable(value)
    ? { parameter: String((condition.value as ParameterRef).parameter), table: value, compare: op }
    : undefined;
  return {
    kind: 'leaf',
    fact,
    operator,
    value,
    ...(owner === undefined ? {} : { name: owner }),
    ...(label === undefined ? {} : { label }),
    ...(negated ? { negated: true } : {}),
    declared: Object.hasOwn(policy.facts, fact),
    test: datesOnly && ctx.ranges && !table ? dateRangeTest(op, value, ctx.asOf) : (factValue) => op(factValue, value),
    ...(table ? { table } : {}),
  };
}

/** The compiled tree read as explain-relevance.ts reads trees. */
const nodeShape = (node: Node): NodeShape<Node> =>
  node.kind === 'leaf' ? { kind: 'leaf' } : node.kind === 'not' ? { kind: 'not', child: node.child } : node;

function leavesOf(node: Node): Leaf[] {
  return node.kind === 'leaf' ? [node] : node.kind === 'not' ? leavesOf(node.child) : node.children.flatMap(leavesOf);
}

/** Strong Kleene evaluation with short-circuits (a false settles an all, a true an any). */
function kleene(node: Node, pledged: ReadonlySet<string>): (facts: FlatFacts) => TriState {
  switch (node.kind) {
    case 'leaf': {
      const { fact, declared, test, table } = node;
      if (table) return (facts) => readTableLeaf(node, table, facts, pledged).state.result;
      const whenMissing: TriState = pledged.has(fact) ? true : 'unknown';
      return (facts) => {
        const value = facts[fact];
        return value === undefined || value === null ? whenMissing : test(declared ? value : undefined);
      };
    }
    case 'all':
    case 'any': {
      const children = node.children.map((child) => kleene(child, pledged));
      const settles = node.kind === 'any';
      return (facts) => {
        let result: TriState = !settles;
        for (const child of children) {
          const value = child(facts);
          if (value === settles) return settles;
          if (value === 'unknown') result = value;
        }
        return result;
      };
    }
    case 'not': {
      const child = kleene(node.child, pledged);
      return (facts) => kleeneNot(child(facts));
    }
  }
}

/** json-rules-engine's two-valued reading: missing and null facts are undefined, and an empty all or any passes. */
function engineVerdict(node: Node): (facts: FlatFacts) => boolean {
  switch (node.kind) {
    case 'leaf': {
      const { fact, declared, test, table } = node;
      if (table)
        return (facts) => {
          const value = facts[fact];
          return table.compare(declared && value !== null ? value : undefined, tableValue(table.table, facts));
        };
      return (facts) => {
        const value = facts[fact];
        return test(declared && value !== null ? value : undefined);
      };
    }
    case 'all': {
      const children = node.children.map(engineVerdict);
      return (facts) => children.every((child) => child(facts));
    }
    case 'any': {
      const children = node.children.map(engineVerdict);
      return (facts) => children.length === 0 || children.some((child) => child(facts));
    }
    case 'not': {
      const child = engineVerdict(node.child);
      return (facts) => !child(facts);
    }
  }
}

/** A table leaf on one fact set: the lookup, the row's value and the leaf's three-valued state (table-leaves.ts). */
function readTableLeaf(
  leaf: Leaf,
  table: NonNullable<Leaf['table']>,
  facts: FlatFacts,
  pledged: ReadonlySet<string>,
): { lookup: TableLookup; state: ReturnType<typeof leafState> } {
  const lookup = lookupRow(table.table, facts);
  const value = lookup.kind === 'row' ? lookup.row.value : undefined;
  const state = leafState(
    leaf.fact,
    isMissingFact(facts, leaf.fact),
    pledged.has(leaf.fact),
    () => table.compare(leaf.declared ? facts[leaf.fact] : undefined, value),
    lookup,
  );
  return { lookup, state };
}

/** The amount rule as a function of the facts, cached by the values of the facts it reads (compiled-memo.ts). */
function compileAmount(policy: Policy, asOf: string, cache: boolean): ((facts: FlatFacts) => AmountResult) | undefined {
  if (policy.benefit.kind !== 'cash') return undefined;
  const rule = policy.benefit.amount;
  const compute = (facts: FlatFacts): AmountResult => computeAmount(policy, rule, facts, asOf);
  return cache ? cachedByFacts(amountFacts(rule), compute) : compute;
}

/**
 * Compiles a (validated) policy for one as-of date. Throws, once, the RulesError evaluatePolicy
 * would throw for every fact set on that date (INVALID_AS_OF, PARAMETER_NOT_IN_FORCE); amount
 * errors (AMOUNT_UNRESOLVED) are thrown per fact set, as evaluatePolicy throws them.
 */
export function compilePolicy(policy: Policy, asOf: string, options: CompileOptions = {}): CompiledPolicy {
  const operators = operatorFunctions(asOf);
  const precompute = options.precompute ?? true;
  const ranges = precompute && asOf >= FIRST_DATE && asOf <= LAST_DATE;
  const root = resolve({ policy, asOf, operators, ranges }, policy.conditions, undefined, []);
  const pledged = new Set(options.acceptPledges && policy.mode === 'pledge' ? (policy.pledge?.pledgedFacts ?? []) : []);
  const leaves = leavesOf(root);
  const value = kleene(root, pledged);
  const verdict = engineVerdict(root);
  const amount = compileAmount(policy, asOf, precompute);
  const period = periodKey(policy, asOf);
  const ref = policyRef(policy);

  const decide = (facts: FlatFacts): CompiledDecision => {
    const result = value(facts);
    if (result === false) return { outcome: 'ineligible', missingFacts: [], period };
    if (result === 'unknown')
      return { outcome: 'undetermined', missingFacts: neededMissingFacts(explained(facts)), period };
    if (amount === undefined) return { outcome: 'eligible', missingFacts: [], period };
    const computed = amount(facts);
    if ('amount' in computed) return { outcome: 'eligible', missingFacts: [], amount: computed.amount, period };
    return { outcome: 'undetermined', missingFacts: [...computed.missingFacts], period };
  };

  const explainLeaf = (leaf: Leaf, facts: FlatFacts): ConditionResult => {
    if (leaf.table) {
      const { lookup, state } = readTableLeaf(leaf, leaf.table, facts, pledged);
      const row = rowUsed(leaf.table.parameter, lookup);
      return {
        ...(leaf.name === undefined ? {} : { name: leaf.name }),
        ...(leaf.label === undefined ? {} : { label: leaf.label }),
        fact: leaf.fact,
        operator: leaf.operator,
        value: tableLeafValue(leaf.table.parameter, lookup),
        factValue: shownFactValue(leaf.fact, facts[leaf.fact]),
        result: state.result,
        ...(state.byPledge ? { pledged: true } : {}),
        ...(row === undefined ? {} : { tableRow: row }),
        ...(waitsFor(leaf.fact, state) ? { waitsFor: state.missing } : {}),
        ...(leaf.negated ? { negated: true } : {}),
      };
    }
    const missing = isMissingFact(facts, leaf.fact);
    const byPledge = missing && pledged.has(leaf.fact);
    const result: TriState = byPledge
      ? true
      : missing
        ? 'unknown'
        : leaf.test(leaf.declared ? facts[leaf.fact] : undefined);
    return {
      ...(leaf.name === undefined ? {} : { name: leaf.name }),
      ...(leaf.label === undefined ? {} : { label: leaf.label }),
      fact: leaf.fact,
      operator: leaf.operator,
      value: leaf.value,
      factValue: shownFactValue(leaf.fact, facts[leaf.fact]),
      result,
      ...(byPledge ? { pledged: true } : {}),
      ...(leaf.negated ? { negated: true } : {}),
    };
  };

  /** Every leaf explained, those a known branch made moot marked `notNeeded` (explain-relevance.ts). */
  function explained(facts: FlatFacts): ConditionResult[] {
    const conditions = leaves.map((leaf) => explainLeaf(leaf, facts));
    markNotNeeded(root, nodeShape, conditions);
    return conditions;
  }

  return {
    policy,
    asOf,
    decide,
    explain(facts) {
      const { outcome, missingFacts, amount: cash } = decide(facts);
      const conditions = explained(facts);
      return {
        policy: { ...ref },
        asOf,
        outcome,
        conditions,
        missingFacts,
        ...(cash === undefined ? {} : { amount: cash }),
        period,
      };
    },
    passes: verdict,
  };
}
