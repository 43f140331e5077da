/**
 * A real person's explanation withholds sensitive facts whole (rules/explain-subject.ts
 * `withholdSensitive`, S2, abuse test 13), without servers. What is proved, over random fact sets:
 * for a policy, facts F and a sensitive fact s it reads, and two present values v1 ≠ v2 of s, the
 * answers for F with s = v1 and with s = v2 are byte-identical whenever the decision's outcome and
 * amount are the same for both. So the answer depends on a sensitive value only through the
 * outcome and amount the decision shows anyway (in the case's own records): no leaf, flip, next
 * change, missing-fact list or summary word tells a grade, an income or a disability apart. The
 * shipped policies that read sensitive facts are checked, and a draft built to probe them — a ladder
 * of leaves on the grade and the income, any of which makes the person eligible.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { Random } from '../../../infra/seed/random.js';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { explainPolicy, sensitiveFactsOf, type Explanation } from '../../../rules/explain-subject.js';
import type { Policy } from '../../../rules/types.js';

const AS_OF = '2025-06-01';
let probed: Policy[];

beforeAll(async () => {
  const shipped = (await loadPolicyCatalog()).policies;
  const living = shipped.find((policy) => policy.id === 'disability-living-subsidy')!;
  // A draft written to read the grade and the income off a person's explanation, leaf by leaf.
  const ladder = {
    ...living,
    id: 'disability-ladder',
    facts: {
      ...living.facts,
      'person.householdIncomePerCapita': { source: 'civil-affairs', purpose: 'probe' },
      'person.disabilityType': { source: 'disability-federation', purpose: 'probe' },
    },
    conditions: {
      any: [
        ...[1, 2, 3, 4].map((grade) => ({ fact: 'person.disabilityGrade', operator: 'equal', value: grade })),
        ...[600, 700, 800].map((income) => ({
          fact: 'person.householdIncomePerCapita',
          operator: 'lessThan',
          value: income,
        })),
        { fact: 'person.disabilityType', operator: 'equal', value: 'mental' },
      ],
    },
    namedConditions: {},
  } as unknown as Policy;
  probed = [...shipped.filter((policy) => sensitiveFactsOf(policy).length > 0), ladder];
});

/** A present value of a fact, drawn from its catalog type. */
function valueOf(random: Random, fact: string): unknown {
  const field = findFact(fact)!.field;
  if (field.values) return random.pick([...field.values]);
  switch (field.type) {
    case 'boolean':
      return random.chance(0.5);
    case 'number':
      return fact === 'person.disabilityGrade' ? random.int(1, 4) : random.int(0, 1500);
    case 'date':
      return `${random.int(1930, 2024)}-0${random.int(1, 9)}-1${random.int(0, 9)}`;
    default:
      return 'x';
  }
}

/** Random facts for a policy: each declared fact present, or now and then missing. */
function factsFor(random: Random, policy: Policy): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const fact of Object.keys(policy.facts)) if (!random.chance(0.1)) facts[fact] = valueOf(random, fact);
  return facts;
}

const decided = (explanation: Explanation) => `${explanation.decision.outcome}/${explanation.decision.amount}`;

describe('a real person’s explanation', () => {
  it('answers byte for byte alike for two values of a sensitive fact that decide alike (2,000 random pairs) (abuse 13)', () => {
    const random = new Random('explain-withheld');
    let compared = 0;
    for (let i = 0; i < 2_000; i++) {
      const policy = random.pick(probed);
      const facts = factsFor(random, policy);
      const fact = random.pick(sensitiveFactsOf(policy));
      const [one, two] = [valueOf(random, fact), valueOf(random, fact)];
      if (JSON.stringify(one) === JSON.stringify(two)) continue;
      const explain = (value: unknown) =>
        explainPolicy(policy, { ...facts, [fact]: value }, AS_OF, { subjectKey: 'p_test', withholdSensitive: true });
      const [first, second] = [explain(one), explain(two)];
      if (decided(first) !== decided(second)) continue;
      compared += 1;
      expect(JSON.stringify(first), `${policy.id}: ${fact} ${JSON.stringify(one)} vs ${JSON.stringify(two)}`).toBe(
        JSON.stringify(second),
      );
    }
    // Most pairs decide alike: the property is not vacuous.
    expect(compared).toBeGreaterThan(1_000);
  });

  it('would tell the values apart without withholding: the leaves, flips or next change differ for some such pairs', () => {
    const random = new Random('explain-withheld');
    let told = 0;
    for (let i = 0; i < 500; i++) {
      const policy = random.pick(probed);
      const facts = factsFor(random, policy);
      const fact = random.pick(sensitiveFactsOf(policy));
      const [one, two] = [valueOf(random, fact), valueOf(random, fact)];
      const explain = (value: unknown) => explainPolicy(policy, { ...facts, [fact]: value }, AS_OF);
      const [first, second] = [explain(one), explain(two)];
      if (JSON.stringify(one) !== JSON.stringify(two) && decided(first) === decided(second))
        if (JSON.stringify(first) !== JSON.stringify(second)) told += 1;
    }
    expect(told).toBeGreaterThan(50);
  });

  it('keeps the condition and the fact of a withheld leaf, and nothing of its test, value or result', () => {
    const ladder = probed.find((policy) => policy.id === 'disability-ladder')!;
    const explanation = explainPolicy(
      ladder,
      { 'person.disabilityGrade': 2, 'person.householdIncomePerCapita': 650, 'person.disabilityType': 'mental' },
      AS_OF,
      { withholdSensitive: true },
    );
    for (const leaf of explanation.decision.conditions) {
      expect(Object.keys(leaf).sort()).toEqual(['fact', 'factLabel', 'withheld']);
    }
    expect(explanation).toMatchObject({ flips: [], nextChange: null, withheld: { flips: true, nextChange: true } });
    expect(JSON.stringify(explanation)).not.toMatch(/650|"mental"|lessThan/);
  });
});
