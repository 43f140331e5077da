/**
 * The baseline: json-rules-engine's Engine.run on an Engine built by rules/engine.ts itself
 * (only the whitelisted operators, bound to the as-of date; named conditions; the policy's
 * rule), so the benchmark times Engine.run and not our wrapper's pooling and result copying.
 * bench/evaluator.ts checks its verdicts against runRulesEngine before trusting its timings.
 */
import type { Engine } from 'json-rules-engine';
import { buildEngine } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';

/** An Engine for one policy and as-of date. Not to be shared by concurrent runs. */
export function buildBaselineEngine(policy: Policy, asOf: string): Engine {
  return buildEngine(policy, asOf);
}

/** Engine.run's verdict on one fact set: did the policy's rule pass? */
export async function engineVerdict(engine: Engine, facts: Record<string, unknown>): Promise<boolean> {
  const { results } = await engine.run(facts);
  return results.length > 0;
}
