/**
 * The compiled evaluator against json-rules-engine: for every shipped policy, at least 10,000 seeded
 * random fact sets over several as-of dates must give the same decision as evaluatePolicy and the
 * same verdict as Engine.run, with zero mismatches; here the first half of the catalog, the second in
 * compiled-second-half.test.ts (the harness: differential.ts; its own proof, a probe policy using
 * every operator and perturbed evaluators it must catch: compiled-harness.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../rules/compiled.js';
import { expectsNotInForce } from '../../../rules/types.js';
import { FACT_SETS_PER_POLICY, agreementTitle, catalog, catalogHalf, expectAgreement } from './differential.js';

describe('the compiled evaluator agrees with json-rules-engine', () => {
  it.each(catalogHalf('first').map((policy) => [agreementTitle(policy, FACT_SETS_PER_POLICY), policy] as const))(
    '%s',
    (_title, policy) => expectAgreement(policy, FACT_SETS_PER_POLICY),
    120_000,
  );
});

describe('each policy’s own test cases, compiled', () => {
  for (const policy of catalog.policies) {
    it.each(policy.tests)(`${policy.id}: $name`, (test) => {
      // A case expecting the version not in force has no decision to compile (rules/policy-tests.ts checks it).
      if (expectsNotInForce(test.expect)) return;
      const decision = compilePolicy(policy, test.asOf).decide(test.facts);
      expect(decision.outcome).toBe(test.expect.outcome);
      if (test.expect.amount !== undefined) expect(decision.amount).toBe(test.expect.amount);
      if (decision.outcome !== 'eligible') expect(decision.amount).toBeUndefined();
      if (test.expect.missingFacts !== undefined) expect(decision.missingFacts).toEqual(test.expect.missingFacts);
    });
  }
});
