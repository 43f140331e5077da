import { describe, expect, it } from 'vitest';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { outsideEffective } from '../../../rules/explain-subject.js';
import { expectsNotInForce } from '../../../rules/types.js';

const catalog = await loadPolicyCatalog();

describe('the shipped policy catalog', () => {
  it('holds the programmes the city runs, each with its delivery mode, trigger and period', () => {
    const summary = catalog.policies.map(
      (policy) => `${policy.id} v${policy.version} ${policy.mode} ${policy.period} ${policy.triggers.join('+')}`,
    );
    expect(summary).toEqual([
      'business-startup-subsidy v1 pledge once enterprise.annual-review',
      'business-startup-subsidy v2 pledge once enterprise.annual-review',
      'childcare-subsidy v1 auto year birth.registered+age.milestone',
      'compulsory-school-enrollment v1 offer once age.milestone',
      'compulsory-school-enrollment v2 offer once age.milestone',
      'disability-living-subsidy v1 auto month disability.certified',
      'job-stabilisation-refund v1 auto year enterprise.annual-review',
      'old-age-allowance v1 auto month age.milestone',
      'old-age-allowance v2 auto month age.milestone',
      'senior-preferential-card v1 offer once age.milestone',
      'severe-disability-care-subsidy v1 auto month disability.certified',
      'unemployment-insurance-benefit v1 auto year unemployment.registered',
    ]);
  });

  it.each(catalog.policies.map((policy) => [policy.id, policy] as const))(
    '%s has at least three readable test cases and cites its legal basis',
    (_id, policy) => {
      expect(policy.tests.length).toBeGreaterThanOrEqual(3);
      expect(policy.reference).toMatch(/[《〔]/);
      for (const test of policy.tests) expect(test.name.split(' ').length).toBeGreaterThanOrEqual(6);
    },
  );
});

for (const policy of catalog.policies) {
  describe(`${policy.id} v${policy.version} (${policy.title.zh})`, () => {
    it.each(policy.tests)('$name', async (test) => {
      if (expectsNotInForce(test.expect)) {
        expect(outsideEffective(policy, test.asOf)).toBeDefined();
        return;
      }
      const decision = await evaluatePolicy(policy, test.facts, test.asOf);
      expect(decision.outcome).toBe(test.expect.outcome);
      if (test.expect.amount !== undefined) expect(decision.amount).toBe(test.expect.amount);
      if (decision.outcome !== 'eligible') expect(decision.amount).toBeUndefined();
      if (test.expect.missingFacts !== undefined) expect(decision.missingFacts).toEqual(test.expect.missingFacts);
      if (decision.outcome === 'undetermined') expect(decision.missingFacts.length).toBeGreaterThan(0);
    });
  });
}
