import { describe, expect, it } from 'vitest';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { evaluatePolicy, runRulesEngine } from '../../../rules/engine.js';
import { kleeneAll, kleeneAny, kleeneNot } from '../../../rules/explain.js';
import { canonicalJson, policyHash } from '../../../rules/policy-hash.js';
import type { Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';

const catalog = await loadPolicyCatalog();
const shipped = (id: string): Policy => findPolicyVersion(catalog, id, 1)!;

/** "local household, or not alive": an any with a not, to exercise every Kleene case. */
const localOrDeceased = validatePolicy({
  ...structuredClone(shipped('senior-preferential-card')),
  id: 'kleene-probe',
  facts: {
    'person.localHukou': { source: 'household-registry', purpose: 'probe' },
    'person.alive': { source: 'household-registry', purpose: 'probe' },
  },
  parameters: {},
  conditions: { any: [{ condition: 'localHukou' }, { not: { condition: 'alive' } }] },
  namedConditions: {
    localHukou: { fact: 'person.localHukou', operator: 'equal', value: true },
    alive: { fact: 'person.alive', operator: 'equal', value: true },
  },
  tests: [
    {
      name: 'a local resident passes the probe condition',
      asOf: '2025-01-01',
      facts: { 'person.localHukou': true },
      expect: { outcome: 'eligible' },
    },
  ],
});

describe('three-valued logic', () => {
  it('follows strong Kleene tables for all, any and not', () => {
    expect([
      kleeneAll([true, 'unknown']),
      kleeneAll([false, 'unknown']),
      kleeneAll([true, true]),
      kleeneAll([]),
    ]).toEqual(['unknown', false, true, true]);
    expect([kleeneAny([false, 'unknown']), kleeneAny([true, 'unknown']), kleeneAny([false, false])]).toEqual([
      'unknown',
      true,
      false,
    ]);
    expect([kleeneNot('unknown'), kleeneNot(true), kleeneNot(false)]).toEqual(['unknown', false, true]);
  });

  it.each([
    ['missing household, death registered: not(alive) settles the any', { 'person.alive': false }, 'eligible', []],
    [
      'missing household, alive: only the household could decide',
      { 'person.alive': true },
      'undetermined',
      ['person.localHukou'],
    ],
    [
      'household elsewhere, alive unknown: not(unknown) stays unknown',
      { 'person.localHukou': false, 'person.alive': null },
      'undetermined',
      ['person.alive'],
    ],
    ['nothing known at all', {}, 'undetermined', ['person.localHukou', 'person.alive']],
    ['household elsewhere and alive: false', { 'person.localHukou': false, 'person.alive': true }, 'ineligible', []],
  ])('%s', async (_name, facts, outcome, missingFacts) => {
    const decision = await evaluatePolicy(localOrDeceased, facts, '2025-06-01');
    expect(decision.outcome).toBe(outcome);
    expect(decision.missingFacts).toEqual(missingFacts);
  });

  it('reports undetermined where raw json-rules-engine silently says false', async () => {
    const facts = { 'person.alive': true };
    expect((await runRulesEngine(localOrDeceased, facts, '2025-06-01')).passed).toBe(false);
    expect((await evaluatePolicy(localOrDeceased, facts, '2025-06-01')).outcome).toBe('undetermined');
  });

  it('is ineligible, not undetermined, when a known fact already fails an all', async () => {
    const decision = await evaluatePolicy(
      shipped('old-age-allowance'),
      { 'person.birthDate': '1940-01-01', 'person.localHukou': false },
      '2025-05-01',
    );
    expect(decision.outcome).toBe('ineligible');
    expect(decision.conditions.map((leaf) => [leaf.name, leaf.result])).toEqual([
      ['reachedEightyBeforeThisMonth', true],
      ['localHukou', false],
      ['alive', 'unknown'],
    ]);
  });
});

describe('explanations', () => {
  it('lists every leaf with its named condition, label, resolved parameter value and fact value', async () => {
    const decision = await evaluatePolicy(
      shipped('old-age-allowance'),
      { 'person.birthDate': '1945-03-10', 'person.localHukou': true, 'person.alive': true },
      '2025-04-01',
    );
    expect(decision.conditions[0]).toEqual({
      name: 'reachedEightyBeforeThisMonth',
      label: {
        zh: '本月之前已年满80周岁（次月起发放）',
        en: 'turned 80 before this month began (paid from the following month)',
      },
      fact: 'person.birthDate',
      operator: 'ageReachedBeforeMonth',
      value: 80,
      factValue: '1945-03-10',
      result: true,
    });
  });

  it('masks sensitive facts (disability grade, dibao) and shows personal ones as they are', async () => {
    const decision = await evaluatePolicy(
      shipped('disability-living-subsidy'),
      {
        'person.disabilityCertified': true,
        'person.disabilityGrade': 2,
        'person.minimumLivingAllowance': true,
        'person.localHukou': true,
        'person.alive': true,
      },
      '2025-05-10',
    );
    expect(decision.conditions.map((leaf) => [leaf.fact, leaf.factValue])).toEqual([
      ['person.disabilityCertified', '***'],
      ['person.disabilityGrade', '***'],
      ['person.minimumLivingAllowance', '***'],
      ['person.localHukou', true],
      ['person.alive', true],
    ]);
    expect(JSON.stringify(decision)).not.toContain('"factValue":2');
  });

  it('shows a missing fact as undefined, not masked', async () => {
    const decision = await evaluatePolicy(
      shipped('severe-disability-care-subsidy'),
      { 'person.disabilityCertified': true, 'person.localHukou': true, 'person.alive': true },
      '2025-05-10',
    );
    expect(decision.conditions[1]).toMatchObject({
      fact: 'person.disabilityGrade',
      factValue: undefined,
      result: 'unknown',
    });
  });
});

describe('amounts and periods', () => {
  const child = shipped('childcare-subsidy');
  it('grants the whole year’s prorated amount at birth registration', async () => {
    const decision = await evaluatePolicy(
      child,
      { 'person.birthDate': '2025-03-10', 'person.localHukou': true },
      '2025-03-20',
    );
    expect([decision.outcome, decision.amount, decision.period]).toEqual(['eligible', 3000, '2025']);
  });

  it('reads a birth date stored as a Date at Shanghai midnight as that day', async () => {
    const decision = await evaluatePolicy(
      child,
      { 'person.birthDate': new Date('2025-03-09T16:00:00Z'), 'person.localHukou': true },
      '2025-12-31',
    );
    expect(decision.amount).toBe(3000);
  });

  it('applies the refund share in force on the as-of date: 90% in 2022, 60% from 2023', async () => {
    const refund = shipped('job-stabilisation-refund');
    const facts = {
      'enterprise.status': 'active',
      'enterprise.size': 'small',
      'enterprise.unemploymentPremiumsLastYear': 12345.67,
      'enterprise.layoffRate': 1,
      'enterprise.insuredEmployeesLastYear': 40,
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    };
    expect((await evaluatePolicy(refund, facts, '2022-12-31')).amount).toBe(11111.1);
    expect((await evaluatePolicy(refund, facts, '2023-01-01')).amount).toBe(7407.4);
  });

  it('is undetermined, not zero, when a fact only the amount needs is missing', async () => {
    const decision = await evaluatePolicy(
      shipped('job-stabilisation-refund'),
      {
        'enterprise.status': 'active',
        'enterprise.unemploymentPremiumsLastYear': 50000,
        'enterprise.layoffRate': 0,
        'enterprise.insuredEmployeesLastYear': 40,
        'enterprise.premiumsInArrears': false,
        'enterprise.seriousDishonesty': false,
      },
      '2024-03-15',
    );
    expect([decision.outcome, decision.amount, decision.missingFacts]).toEqual([
      'undetermined',
      undefined,
      ['enterprise.size'],
    ]);
  });

  it('bands unemployment months at 59 → 12 and 120 → 24', async () => {
    const benefit = shipped('unemployment-insurance-benefit');
    const base = { 'person.involuntaryUnemployment': true, 'person.unemploymentRegistered': true };
    expect(
      (await evaluatePolicy(benefit, { ...base, 'person.unemploymentInsuranceMonths': 59 }, '2025-04-01')).amount,
    ).toBe(20520);
    expect(
      (await evaluatePolicy(benefit, { ...base, 'person.unemploymentInsuranceMonths': 120 }, '2025-04-01')).amount,
    ).toBe(41040);
  });

  it('keys periods by month, year or once', async () => {
    const senior = { 'person.birthDate': '1940-01-01', 'person.localHukou': true, 'person.alive': true };
    expect((await evaluatePolicy(shipped('old-age-allowance'), senior, '2025-04-01')).period).toBe('2025-04');
    expect((await evaluatePolicy(shipped('senior-preferential-card'), senior, '2025-04-01')).period).toBe('once');
    expect((await evaluatePolicy(child, {}, '2025-04-01')).period).toBe('2025');
  });

  it('refuses a date with no parameter in force and a malformed as-of date, with codes', async () => {
    await expect(evaluatePolicy(shipped('job-stabilisation-refund'), {}, '2021-06-01')).rejects.toMatchObject({
      code: 'PARAMETER_NOT_IN_FORCE',
    });
    await expect(evaluatePolicy(child, {}, '2025/06/01')).rejects.toMatchObject({ code: 'INVALID_AS_OF' });
  });
});

describe('pledges (告知承诺)', () => {
  const startup = shipped('business-startup-subsidy');
  const facts = {
    'enterprise.establishedOn': '2024-03-01',
    'enterprise.status': 'active',
    'enterprise.size': 'micro',
    'enterprise.seriousDishonesty': false,
  };

  it('grants on the pledge when a pledged fact is missing, and marks that leaf as pledged for the inspection', async () => {
    const decision = await evaluatePolicy(startup, facts, '2025-04-01', { acceptPledges: true });
    expect([decision.outcome, decision.amount]).toEqual(['eligible', 12000]);
    expect(decision.conditions.filter((leaf) => leaf.pledged).map((leaf) => leaf.fact)).toEqual([
      'enterprise.premiumsInArrears',
    ]);
  });

  it('does not let a pledge override data that contradicts it, nor stand in when pledges are not accepted', async () => {
    expect(
      (
        await evaluatePolicy(startup, { ...facts, 'enterprise.premiumsInArrears': true }, '2025-04-01', {
          acceptPledges: true,
        })
      ).outcome,
    ).toBe('ineligible');
    expect((await evaluatePolicy(startup, facts, '2025-04-01')).outcome).toBe('undetermined');
    expect(
      (await evaluatePolicy(startup, { ...facts, 'enterprise.size': undefined }, '2025-04-01', { acceptPledges: true }))
        .outcome,
    ).toBe('undetermined');
  });
});

describe('concurrency', () => {
  it('gives every one of 300 concurrent evaluations of one policy and date its own right answer', async () => {
    const policy = shipped('childcare-subsidy');
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        evaluatePolicy(
          policy,
          { 'person.birthDate': '2025-03-10', ...(i % 3 === 2 ? {} : { 'person.localHukou': i % 3 === 0 }) },
          '2025-12-31',
        ).then((d) => d.outcome),
      ),
    );
    expect(outcomes.filter((outcome, i) => outcome !== ['eligible', 'ineligible', 'undetermined'][i % 3])).toEqual([]);
  });
});

describe('policy hash', () => {
  it('ignores key order and whitespace but changes with any content', () => {
    const policy = shipped('childcare-subsidy');
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(policy).reverse()))) as Policy;
    expect(policyHash(reordered)).toBe(policyHash(policy));
    expect(policyHash(policy)).toMatch(/^[0-9a-f]{64}$/);
    const raised = structuredClone(policy);
    raised.parameters.annualAmount[0].value = 3601;
    expect(policyHash(raised)).not.toBe(policyHash(policy));
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('pins id, version and hash in each decision', async () => {
    const policy = shipped('childcare-subsidy');
    const decision = await evaluatePolicy(policy, {}, '2025-06-01');
    expect(decision.policy).toEqual({ id: 'childcare-subsidy', version: 1, hash: policyHash(policy) });
  });
});
