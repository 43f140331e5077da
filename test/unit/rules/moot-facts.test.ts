/**
 * Missing data in one branch of an `any` (issue 18): "a local resident on the minimum living
 * allowance OR in extreme hardship" is decided when one branch is known to hold, whatever the
 * other's missing data; an `all` with a known false is decided too. Both evaluators say so, name
 * only the missing facts that could still decide, and the explanation says which did not matter.
 */
import { describe, expect, it } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { compilePolicy } from '../../../rules/compiled.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { explainPolicy } from '../../../rules/explain-subject.js';
import type { Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';

const catalog = await loadPolicyCatalog();
const card = findPolicyVersion(catalog, 'senior-preferential-card', 1)!;
const declare = (facts: string[]) =>
  Object.fromEntries(facts.map((fact) => [fact, { source: findFact(fact)!.source.id, purpose: 'probe' }]));

/** "Local, alive, and on the minimum living allowance or in extreme hardship": the law's natural wording. */
const assistance: Policy = validatePolicy({
  ...structuredClone(card),
  id: 'assistance-probe',
  facts: declare(['person.localHukou', 'person.alive', 'person.minimumLivingAllowance', 'person.specialHardship']),
  parameters: {},
  conditions: { all: [{ condition: 'localHukou' }, { condition: 'assisted' }, { condition: 'alive' }] },
  namedConditions: {
    localHukou: { fact: 'person.localHukou', operator: 'equal', value: true },
    alive: { fact: 'person.alive', operator: 'equal', value: true },
    assisted: {
      any: [
        { fact: 'person.minimumLivingAllowance', operator: 'equal', value: true },
        { fact: 'person.specialHardship', operator: 'equal', value: true },
      ],
    },
  },
  tests: [
    {
      name: 'a local resident on the minimum living allowance is eligible',
      asOf: '2025-06-01',
      facts: { 'person.localHukou': true, 'person.alive': true, 'person.minimumLivingAllowance': true },
      expect: { outcome: 'eligible' },
    },
  ],
});

const dibao = { 'person.localHukou': true, 'person.alive': true, 'person.minimumLivingAllowance': true };
const AS_OF = '2025-06-01';

/** Outcome, missing facts and the leaves marked as not mattering, from both evaluators (which must agree whole). */
async function decided(facts: Record<string, unknown>) {
  const decision = await evaluatePolicy(assistance, facts, AS_OF);
  expect(compilePolicy(assistance, AS_OF).explain(facts)).toEqual(decision);
  expect(compilePolicy(assistance, AS_OF).decide(facts).missingFacts).toEqual(decision.missingFacts);
  return {
    outcome: decision.outcome,
    missingFacts: decision.missingFacts,
    notNeeded: decision.conditions.filter((leaf) => leaf.notNeeded).map((leaf) => leaf.fact),
  };
}

describe('missing data where the known facts settle it', () => {
  it.each([
    [
      'on the allowance, hardship unknown: the any holds, so eligible',
      dibao,
      { outcome: 'eligible', missingFacts: [], notNeeded: ['person.specialHardship'] },
    ],
    [
      'in hardship, allowance record unknown: eligible',
      { 'person.localHukou': true, 'person.alive': true, 'person.specialHardship': true },
      { outcome: 'eligible', missingFacts: [], notNeeded: ['person.minimumLivingAllowance'] },
    ],
    [
      'household elsewhere, the rest unknown: the all fails, so ineligible',
      { 'person.localHukou': false },
      {
        outcome: 'ineligible',
        missingFacts: [],
        notNeeded: ['person.minimumLivingAllowance', 'person.specialHardship', 'person.alive'],
      },
    ],
    [
      'on the allowance, hardship and alive unknown: only alive could still decide',
      { 'person.localHukou': true, 'person.minimumLivingAllowance': true },
      { outcome: 'undetermined', missingFacts: ['person.alive'], notNeeded: ['person.specialHardship'] },
    ],
    [
      'not on the allowance, hardship unknown: hardship decides',
      { ...dibao, 'person.minimumLivingAllowance': false },
      { outcome: 'undetermined', missingFacts: ['person.specialHardship'], notNeeded: [] },
    ],
    [
      'nothing known: every fact could decide',
      {},
      {
        outcome: 'undetermined',
        missingFacts: ['person.localHukou', 'person.minimumLivingAllowance', 'person.specialHardship', 'person.alive'],
        notNeeded: [],
      },
    ],
  ])('%s', async (_name, facts, expected) => {
    expect(await decided(facts)).toEqual(expected);
  });

  it('says in the explanation which missing fact did not matter, in both languages', () => {
    const { summary, decision } = explainPolicy(assistance, dibao, AS_OF);
    expect(decision.outcome).toBe('eligible');
    expect(summary.zh).toContain('缺少特困人员，但已知条件已能判定，不影响结论。');
    expect(summary.en).toContain('person in extreme hardship (tekun) missing, but the known facts settle it');
  });

  it('the shipped refund: a layoff rate within the cap settles it without the small-employer headcount', async () => {
    const refund = findPolicyVersion(catalog, 'job-stabilisation-refund', 1)!;
    const firm = {
      'enterprise.status': 'active',
      'enterprise.unemploymentPremiumsLastYear': 50000,
      'enterprise.size': 'small',
      'enterprise.layoffRate': 3,
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    };
    const decision = await evaluatePolicy(refund, firm, '2024-03-15');
    expect(decision).toMatchObject({ outcome: 'eligible', amount: 30000, missingFacts: [] });
    expect(decision.conditions.find((leaf) => leaf.fact === 'enterprise.insuredEmployeesLastYear')).toMatchObject({
      result: 'unknown',
      notNeeded: true,
    });
    expect(compilePolicy(refund, '2024-03-15').explain(firm)).toEqual(decision);
  });
});
