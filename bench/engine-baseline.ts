/**
 * The baseline: a json-rules-engine Engine built exactly as rules/engine.ts builds one (only the
 * whitelisted operators, bound to the as-of date; named conditions; the policy's rule), so the
 * benchmark times Engine.run itself and not our wrapper's pooling and result copying.
 * bench/evaluator.ts checks its verdicts against runRulesEngine before trusting its timings.
 */
import { Engine } from 'json-rules-engine';
import { createOperators } from '../rules/operators.js';
import { parameterAt } from '../rules/parameters.js';
import type { Condition, Policy } from '../rules/types.js';

const DEFAULT_OPERATORS = ['equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'];
const DEFAULT_DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

function resolveParameters(condition: Condition, policy: Policy, asOf: string): Condition {
  if ('all' in condition) return { all: condition.all.map((child) => resolveParameters(child, policy, asOf)) };
  if ('any' in condition) return { any: condition.any.map((child) => resolveParameters(child, policy, asOf)) };
  if ('not' in condition) return { not: resolveParameters(condition.not, policy, asOf) };
  if ('condition' in condition) return { condition: condition.condition };
  const { value } = condition;
  const isRef = typeof value === 'object' && value !== null && !Array.isArray(value) && 'parameter' in value;
  return { fact: condition.fact, operator: condition.operator, value: isRef ? parameterAt(policy, String((value as { parameter: unknown }).parameter), asOf) : value };
}

/** An Engine for one policy and as-of date, as engine.ts builds it. Not to be shared by concurrent runs. */
export function buildBaselineEngine(policy: Policy, asOf: string): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const name of DEFAULT_OPERATORS) engine.removeOperator(name);
  for (const name of DEFAULT_DECORATORS) engine.removeOperatorDecorator(name);
  for (const operator of createOperators(asOf)) engine.addOperator(operator);
  for (const [name, named] of Object.entries(policy.namedConditions)) {
    const resolved = resolveParameters(named, policy, asOf);
    const root = 'fact' in resolved || 'condition' in resolved ? { all: [resolved] } : resolved;
    engine.setCondition(name, { ...root, name } as Parameters<Engine['setCondition']>[1]);
  }
  const conditions = resolveParameters(policy.conditions, policy, asOf);
  engine.addRule({ name: policy.id, conditions: conditions as Parameters<Engine['addRule']>[0]['conditions'], event: { type: 'eligible' } });
  return engine;
}

/** Engine.run's verdict on one fact set: did the policy's rule pass? */
export async function engineVerdict(engine: Engine, facts: Record<string, unknown>): Promise<boolean> {
  const { results } = await engine.run(facts);
  return results.length > 0;
}
