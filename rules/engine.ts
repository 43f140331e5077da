/**
 * Policy evaluation on json-rules-engine. `runRulesEngine` is the raw two-valued path
 * (Engine.run, missing facts undefined) that a compiled evaluator must agree with;
 * `evaluatePolicy` reads the same run three-valued and adds explanation, amount and period.
 */
import { Engine } from 'json-rules-engine';
import { amountFacts, computeAmount } from './amount.js';
import { parseAsOf } from './dates.js';
import { RulesError } from './errors.js';
import { explainResult, isMissingFact, type ExplainOptions, type ResultNode } from './explain.js';
import { markNotNeeded, neededMissingFacts, resultNodeShape } from './explain-relevance.js';
import { createOperators } from './operators.js';
import { conditionValueAt, parametersNamed } from './condition-values.js';
import { isFactTable, tableValue } from './fact-tables.js';
import { tableFactId, tablesInForce } from './table-leaves.js';
import { policyRef } from './policy-hash.js';
import type { Condition, Decision, Outcome, ParameterRef, Policy } from './types.js';

/** Options of evaluatePolicy: `acceptPledges` when granting a pledge policy on the applicant's pledge. */
export type EvaluateOptions = ExplainOptions;

/** json-rules-engine's own verdict and its evaluated condition tree (leaves carry factResult and result). */
export interface RawEvaluation {
  passed: boolean;
  conditions: ResultNode;
}

const DEFAULT_OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
];
const DEFAULT_DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];
const DATES_PER_POLICY = 16;
const IDLE_ENGINES_PER_DATE = 4;
const idleEngines = new WeakMap<Policy, Map<string, Engine[]>>();

/** Replaces `{ "parameter": name }` values with the parameter's value on `asOf`; a fact table becomes the fact that looks it up. */
function resolveParameters(condition: Condition, policy: Policy, asOf: string): Condition {
  // A group's name travels to the result tree (json-rules-engine keeps `name`): explain.ts owns leaves by it.
  const named = 'name' in condition && condition.name !== undefined ? { name: condition.name } : {};
  if ('all' in condition)
    return { all: condition.all.map((child) => resolveParameters(child, policy, asOf)), ...named };
  if ('any' in condition)
    return { any: condition.any.map((child) => resolveParameters(child, policy, asOf)), ...named };
  if ('not' in condition) return { not: resolveParameters(condition.not, policy, asOf) };
  if ('condition' in condition) return { condition: condition.condition };
  const value = conditionValueAt(policy, condition.value, asOf);
  return {
    fact: condition.fact,
    operator: condition.operator,
    value: isFactTable(value) ? { fact: tableFactId(String((condition.value as ParameterRef).parameter)) } : value,
  };
}

/**
 * Each fact table the conditions use on `asOf`, as an engine fact computing the subject's row
 * value from the key facts (json-rules-engine hands operators one fact, so the table's answer
 * arrives as the condition's value, `{ "fact": "$table:name" }`).
 */
function addTableFacts(engine: Engine, policy: Policy, asOf: string): void {
  for (const [name, table] of tablesInForce(policy, asOf)) {
    engine.addFact(tableFactId(name), async (_params, almanac) => {
      const facts: Record<string, unknown> = {};
      for (const key of table.keys) facts[key] = await almanac.factValue(key);
      return tableValue(table, facts);
    });
  }
}

/**
 * An Engine holding only the whitelisted operators (bound to asOf), the named conditions and
 * the policy's rule. Exported for the benchmark's Engine.run baseline; never share one between
 * concurrent runs (see withEngine below).
 */
export function buildEngine(policy: Policy, asOf: string): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const name of DEFAULT_OPERATORS) engine.removeOperator(name);
  for (const name of DEFAULT_DECORATORS) engine.removeOperatorDecorator(name);
  for (const operator of createOperators(asOf)) engine.addOperator(operator);
  addTableFacts(engine, policy, asOf);
  for (const [name, named] of Object.entries(policy.namedConditions)) {
    const resolved = resolveParameters(named, policy, asOf);
    // setCondition takes only a boolean root, so a named leaf is wrapped in a one-item `all`.
    const root = 'fact' in resolved || 'condition' in resolved ? { all: [resolved] } : resolved;
    engine.setCondition(name, { ...root, name } as Parameters<Engine['setCondition']>[1]);
  }
  const conditions = resolveParameters(policy.conditions, policy, asOf);
  engine.addRule({
    name: policy.id,
    conditions: conditions as Parameters<Engine['addRule']>[0]['conditions'],
    event: { type: 'eligible' },
  });
  return engine;
}

/**
 * Runs `use` on an idle Engine for the policy and date, built when none is idle. An Engine is
 * never shared by two concurrent runs: json-rules-engine keeps one run status per Engine, and
 * a run finishing could make a concurrent run skip its rule.
 */
async function withEngine<T>(policy: Policy, asOf: string, use: (engine: Engine) => Promise<T>): Promise<T> {
  let byDate = idleEngines.get(policy);
  if (!byDate) idleEngines.set(policy, (byDate = new Map()));
  const idle = byDate.get(asOf) ?? [];
  const engine = idle.pop() ?? buildEngine(policy, asOf);
  try {
    return await use(engine);
  } finally {
    if (!byDate.has(asOf) && byDate.size >= DATES_PER_POLICY) byDate.delete(byDate.keys().next().value as string);
    const pool = byDate.get(asOf) ?? [];
    if (pool.length < IDLE_ENGINES_PER_DATE) pool.push(engine);
    byDate.set(asOf, pool);
  }
}

/** The declared facts that are present (not absent, not null): all a policy may read. */
function declaredFacts(policy: Policy, facts: Record<string, unknown>): Record<string, unknown> {
  const present: Record<string, unknown> = {};
  for (const key of Object.keys(policy.facts)) if (!isMissingFact(facts, key)) present[key] = facts[key];
  return present;
}

/**
 * Runs the policy's conditions through json-rules-engine's Engine.run as is: two-valued,
 * a missing fact is undefined and its operators answer false. The reference for compiled evaluators.
 */
export async function runRulesEngine(
  policy: Policy,
  facts: Record<string, unknown>,
  asOf: string,
): Promise<RawEvaluation> {
  if (!parseAsOf(asOf))
    throw new RulesError('INVALID_AS_OF', `asOf must be a YYYY-MM-DD date, got ${JSON.stringify(asOf)}`);
  const { results, failureResults } = await withEngine(policy, asOf, (engine) =>
    engine.run(declaredFacts(policy, facts)),
  );
  const ruleResult = results[0] ?? failureResults[0];
  return { passed: results.length > 0, conditions: ruleResult.toJSON(false).conditions as ResultNode };
}

/** The grant period key of a decision: "once", the as-of year "2025" or month "2025-03". */
export function periodKey(policy: Policy, asOf: string): string {
  return policy.period === 'once' ? 'once' : policy.period === 'year' ? asOf.slice(0, 4) : asOf.slice(0, 7);
}

/**
 * Evaluates a policy on flat facts (`'person.birthDate': '2019-05-01'`) as of a date:
 * eligible, ineligible or undetermined (a needed fact missing), with every leaf explained.
 * Throws RulesError (INVALID_AS_OF, PARAMETER_NOT_IN_FORCE, AMOUNT_UNRESOLVED) on bad input or policy data.
 */
export async function evaluatePolicy(
  policy: Policy,
  facts: Record<string, unknown>,
  asOf: string,
  options: EvaluateOptions = {},
): Promise<Decision> {
  const raw = await runRulesEngine(policy, facts, asOf);
  const { value, leaves } = explainResult(raw.conditions, policy, facts, { ...options, asOf });
  // A missing fact under a group a known branch settles did not matter (explain-relevance.ts).
  markNotNeeded(raw.conditions, resultNodeShape, leaves);
  let outcome: Outcome = value === 'unknown' ? 'undetermined' : value ? 'eligible' : 'ineligible';
  let missingFacts = outcome === 'undetermined' ? neededMissingFacts(leaves) : [];
  let amount: number | undefined;
  if (outcome === 'eligible' && policy.benefit.kind === 'cash') {
    const computed = computeAmount(policy, policy.benefit.amount, facts, asOf);
    if ('amount' in computed) amount = computed.amount;
    else {
      outcome = 'undetermined';
      missingFacts = computed.missingFacts;
    }
  }
  return {
    policy: policyRef(policy),
    asOf,
    outcome,
    conditions: leaves,
    missingFacts,
    ...(amount === undefined ? {} : { amount }),
    period: periodKey(policy, asOf),
  };
}

/** Every fact a policy reads: its conditions' facts and its amount rule's facts (the declared manifest, in use). */
export function policyFactKeys(policy: Policy): string[] {
  const keys = new Set<string>();
  const visit = (condition: Condition): void => {
    if ('all' in condition) condition.all.forEach(visit);
    else if ('any' in condition) condition.any.forEach(visit);
    else if ('not' in condition) visit(condition.not);
    else if ('fact' in condition) {
      keys.add(condition.fact);
      for (const name of parametersNamed(condition.value))
        for (const entry of policy.parameters[name] ?? [])
          if (isFactTable(entry.value)) entry.value.keys.forEach((key) => keys.add(key));
    }
  };
  visit(policy.conditions);
  Object.values(policy.namedConditions).forEach(visit);
  if (policy.benefit.kind === 'cash') amountFacts(policy.benefit.amount).forEach((key) => keys.add(key));
  return [...keys];
}
