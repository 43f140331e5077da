/**
 * The differential harness proves itself: a probe policy using every operator (an `any` root,
 * nested and negated named conditions, a parameter that changes) widens what the diff covers, and
 * perturbed evaluators (a day off, missing read as false, pledges ignored) must be caught.
 */
import { describe, expect, it } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { compilePolicy, type FlatFacts } from '../../../rules/compiled.js';
import { validatePolicy } from '../../../rules/validate.js';
import {
  agreementTitle,
  diffAgainstEngine,
  expectAgreement,
  messages,
  shift,
  shipped,
  type Compile,
} from './differential.js';

/** A policy using every operator, an `any` root, nested and negated named conditions and a parameter that changes. */
const operatorProbe = validatePolicy({
  ...structuredClone(shipped('senior-preferential-card')),
  id: 'operator-probe',
  facts: Object.fromEntries(
    [
      'person.birthDate',
      'person.hukouSince',
      'person.householdIncomePerCapita',
      'person.disabilityType',
      'person.gender',
      'person.employmentEndedOn',
      'person.maritalStatus',
      'person.disabilityGrade',
    ].map((fact) => [fact, { source: findFact(fact)!.source.id, purpose: 'probe' }]),
  ),
  parameters: {
    incomeLine: [
      { from: '2024-01-01', to: '2024-12-31', value: 900 },
      { from: '2025-01-01', value: 1000 },
    ],
  },
  conditions: {
    any: [
      { all: [{ condition: 'poor' }, { not: { condition: 'recentArrival' } }] },
      { condition: 'longUnemployed' },
      {
        not: {
          any: [
            { fact: 'person.disabilityType', operator: 'notIn', value: ['visual', 'hearing'] },
            { fact: 'person.gender', operator: 'notEqual', value: 'female' },
          ],
        },
      },
    ],
  },
  namedConditions: {
    poor: {
      all: [
        { fact: 'person.householdIncomePerCapita', operator: 'lessThan', value: { parameter: 'incomeLine' } },
        { fact: 'person.householdIncomePerCapita', operator: 'greaterThanInclusive', value: 0 },
        {
          any: [
            { fact: 'person.birthDate', operator: 'ageBelow', value: 18 },
            { fact: 'person.birthDate', operator: 'ageAtLeast', value: 60 },
            { condition: 'severe' },
          ],
        },
      ],
    },
    severe: { fact: 'person.disabilityGrade', operator: 'lessThanInclusive', value: 2 },
    recentArrival: {
      any: [
        { fact: 'person.hukouSince', operator: 'daysSinceAtMost', value: 365 },
        { fact: 'person.hukouSince', operator: 'dateOnOrAfter', value: '2024-07-01' },
      ],
    },
    longUnemployed: {
      all: [
        { fact: 'person.employmentEndedOn', operator: 'daysSinceAtLeast', value: 180 },
        { fact: 'person.employmentEndedOn', operator: 'dateBefore', value: '2025-01-01' },
        {
          any: [
            { fact: 'person.maritalStatus', operator: 'contains', value: 'single' },
            { fact: 'person.maritalStatus', operator: 'in', value: ['widowed', 'divorced'] },
            { condition: 'severe' },
          ],
        },
        { fact: 'person.disabilityGrade', operator: 'greaterThan', value: 0 },
      ],
    },
  },
  tests: [
    {
      name: 'a widowed resident out of work since 2024-03-01 passes the probe',
      asOf: '2025-06-01',
      facts: {
        'person.employmentEndedOn': '2024-03-01',
        'person.maritalStatus': 'widowed',
        'person.disabilityGrade': 3,
      },
      expect: { outcome: 'eligible' },
    },
  ],
});

describe('the compiled evaluator agrees with json-rules-engine on every operator', () => {
  // The probe only widens operator coverage, so it runs on fewer sets to spare the two-core suite.
  it(agreementTitle(operatorProbe, 5_000), () => expectAgreement(operatorProbe, 5_000), 120_000);

  it('decides where the known facts settle the probe’s any and all groups, and supplying a fact it calls moot changes nothing', async () => {
    const report = await diffAgainstEngine(operatorProbe, { sets: 2_000, seed: 'moot:probe' });
    expect(messages(report)).toEqual([]);
    // Supplying the moot facts of a decided or undetermined decision was tried, and never changed it.
    expect(report.tally['moot supplied']).toBeGreaterThan(100);
  }, 120_000);
});

describe('the differential harness can fail', () => {
  const senior = shipped('senior-preferential-card');

  it('catches an evaluator one day off, on the 60th birthday', async () => {
    const dayLate: Compile = (policy, asOf, options) => {
      const late = compilePolicy(policy, shift(asOf, 1), options);
      return { ...late, asOf, explain: (facts) => ({ ...late.explain(facts), asOf }) };
    };
    const report = await diffAgainstEngine(senior, {
      sets: 2_000,
      seed: 'perturbed:day',
      asOfs: ['2025-06-15'],
      compile: dayLate,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(0);
    expect(messages(report, 'decide')[0]).toMatch(
      /^decide: senior-preferential-card v1 as of 2025-06-15( accepting pledges)?, facts .*'person\.birthDate': .*1965-06-1[56]/,
    );
  });

  it('catches an evaluator that reads a missing fact as false', async () => {
    const missingAsFalse: Compile = (policy, asOf, options) => {
      const compiled = compilePolicy(policy, asOf, options);
      const filled = (facts: FlatFacts): FlatFacts =>
        Object.fromEntries(Object.keys(policy.facts).map((fact) => [fact, facts[fact] ?? false]));
      return { ...compiled, decide: (facts) => compiled.decide(filled(facts)) };
    };
    const report = await diffAgainstEngine(senior, {
      sets: 500,
      seed: 'perturbed:missing',
      asOfs: ['2025-06-15'],
      compile: missingAsFalse,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(50);
    expect(messages(report, 'decide')[0]).toMatch(/json-rules-engine: .*undetermined/);
  });

  it('catches an evaluator that calls a decision undetermined whenever a fact is missing (a settled any, issue 18)', async () => {
    const missingAnywhere: Compile = (policy, asOf, options) => {
      const compiled = compilePolicy(policy, asOf, options);
      const missing = (facts: FlatFacts) =>
        Object.keys(policy.facts).filter((fact) => facts[fact] === undefined || facts[fact] === null);
      return {
        ...compiled,
        decide: (facts) =>
          missing(facts).length > 0
            ? { outcome: 'undetermined', missingFacts: missing(facts), period: compiled.decide(facts).period }
            : compiled.decide(facts),
      };
    };
    const report = await diffAgainstEngine(operatorProbe, {
      sets: 1_000,
      seed: 'perturbed:any',
      asOfs: ['2025-06-15'],
      compile: missingAnywhere,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(50);
    expect(messages(report, 'decide')[0]).toMatch(/json-rules-engine: .*(eligible|ineligible)/);
  });

  it('catches an evaluator that names every missing fact, the moot ones too', async () => {
    const allMissing: Compile = (policy, asOf, options) => {
      const compiled = compilePolicy(policy, asOf, options);
      return {
        ...compiled,
        decide: (facts) => {
          const decision = compiled.decide(facts);
          if (decision.outcome !== 'undetermined' || decision.missingFacts.length === 0) return decision;
          const missing = Object.keys(policy.facts).filter((fact) => facts[fact] === undefined || facts[fact] === null);
          return { ...decision, missingFacts: missing };
        },
      };
    };
    const report = await diffAgainstEngine(operatorProbe, {
      sets: 2_000,
      seed: 'perturbed:moot',
      asOfs: ['2025-06-15'],
      compile: allMissing,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(10);
  });

  it('catches an evaluator that ignores accepted pledges', async () => {
    const noPledges: Compile = (policy, asOf, options) =>
      compilePolicy(policy, asOf, { ...options, acceptPledges: false });
    const report = await diffAgainstEngine(shipped('business-startup-subsidy'), {
      sets: 1_000,
      seed: 'perturbed:pledge',
      asOfs: ['2025-06-15'],
      compile: noPledges,
    });
    expect(report.mismatches.length).toBeGreaterThan(0);
    expect(messages(report, 'decide')[0]).toMatch(/as of 2025-06-15 accepting pledges/);
  });
});
