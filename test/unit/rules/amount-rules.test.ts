/**
 * Amount rules as the law says them (issue 18): an age band that moves on a period boundary named
 * by the law (次月起, 当月起, 次年起, 当年起) gives every day of a period the same amount, in both
 * evaluators; the validator refuses a timing finer than the policy's period; and a cash amount read
 * from a source fact (computed by another system) comes to whole fen or is refused, never rounded.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { fenOf } from '../../../rules/amount-from-fact.js';
import { computeAmount } from '../../../rules/amount.js';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { compilePolicy } from '../../../rules/compiled.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { explainPolicy } from '../../../rules/explain-subject.js';
import { PolicyValidationError, RulesError, type ValidationIssue } from '../../../rules/errors.js';
import { checkPolicySchema } from '../../../rules/policy-schema.js';
import type { AgeBandFrom, AmountRule, GrantPeriod, Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';
import { diffAgainstEngine, messages } from './differential.js';

const catalog = await loadPolicyCatalog();
const oldAge = findPolicyVersion(catalog, 'old-age-allowance', 2)!;
const refund = findPolicyVersion(catalog, 'job-stabilisation-refund', 1)!;

function issuesOf(document: unknown): ValidationIssue[] {
  try {
    validatePolicy(document);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return [...(error as PolicyValidationError).issues];
  }
}

/** The allowance with its band counted `bandFrom`, paid by `period`. */
function banded(bandFrom: AgeBandFrom, period: GrantPeriod = 'month'): Policy {
  const policy = structuredClone(oldAge) as Policy & { benefit: { amount: Record<string, unknown> } };
  policy.benefit.amount.bandFrom = bandFrom;
  policy.period = period;
  return policy;
}

const resident = (birthDate: string) => ({
  'person.birthDate': birthDate,
  'person.localHukou': true,
  'person.alive': true,
});

/** The amount both evaluators give on each day; throws when they disagree. */
async function amountsOn(policy: Policy, birthDate: string, days: string[]): Promise<Array<number | undefined>> {
  return Promise.all(
    days.map(async (asOf) => {
      const interpreted = (await evaluatePolicy(policy, resident(birthDate), asOf)).amount;
      const compiled = compilePolicy(policy, asOf).decide(resident(birthDate)).amount;
      expect(compiled, `compiled on ${asOf}`).toBe(interpreted);
      return interpreted;
    }),
  );
}

const firstMiddleLast = (month: string): string[] => {
  const first = DateTime.fromISO(`${month}-01`, { zone: 'utc' });
  return [first, first.set({ day: 15 }), first.endOf('month')].map((d) => d.toISODate()!);
};

describe('age bands moving on a period boundary', () => {
  // A 90th birthday on 2027-05-15.
  const birth = '1937-05-15';
  it.each([
    ['month-after-birthday', { '2027-04': 100, '2027-05': 100, '2027-06': 200 }],
    ['month-of-birthday', { '2027-04': 100, '2027-05': 200, '2027-06': 200 }],
    ['year-after-birthday', { '2027-01': 100, '2027-05': 100, '2027-12': 100, '2028-01': 200 }],
    ['year-of-birthday', { '2027-01': 200, '2027-05': 200, '2027-12': 200 }],
  ] as const)('%s: one amount on the first, middle and last day of each month', async (bandFrom, expected) => {
    const policy = validatePolicy(banded(bandFrom));
    for (const [month, amount] of Object.entries(expected))
      expect({ month, amounts: await amountsOn(policy, birth, firstMiddleLast(month)) }).toEqual({
        month,
        amounts: [amount, amount, amount],
      });
  });

  it('a yearly policy counting from the year after the birthday pays one amount all year', async () => {
    const policy = validatePolicy(banded('year-after-birthday', 'year'));
    expect(await amountsOn(policy, birth, ['2027-01-01', '2027-05-15', '2027-07-02', '2027-12-31'])).toEqual([
      100, 100, 100, 100,
    ]);
    expect(await amountsOn(policy, birth, ['2028-01-01', '2028-12-31'])).toEqual([200, 200]);
  });

  it.each([
    ['birthday', 'month'],
    ['birthday', 'year'],
    ['month-after-birthday', 'year'],
    ['month-of-birthday', 'year'],
  ] as const)('refuses bandFrom %s in a policy paid by %s, naming the field', (bandFrom, period) => {
    const issue = issuesOf(banded(bandFrom, period)).find((i) => i.path === 'benefit.amount.bandFrom');
    expect(issue?.message).toMatch(/would depend on the day it is judged: use one of .*year-after-birthday/);
  });

  it('accepts every timing in a one-off grant, and the published schema knows them all', () => {
    for (const bandFrom of ['birthday', 'month-of-birthday', 'year-of-birthday'] as const) {
      expect(issuesOf(banded(bandFrom, 'once'))).toEqual([]);
      expect(checkPolicySchema(banded(bandFrom, 'month'))).toEqual([]);
    }
    expect(checkPolicySchema(banded('next-month' as AgeBandFrom)).map((i) => i.path)).toContain(
      'benefit.amount.bandFrom',
    );
  });
});

/** The refund read as the amount the tax system computed, from the premiums fact (stated in yuan). */
function refundFromFact(amount: Record<string, unknown>): Policy {
  const policy = structuredClone(refund) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  policy.benefit.amount = amount;
  delete policy.facts['enterprise.size'];
  delete policy.parameters.refundShareBySize;
  for (const test of policy.tests) {
    delete test.facts['enterprise.size'];
    delete test.expect.amount;
  }
  return policy as Policy;
}

const firm = {
  'enterprise.status': 'active',
  'enterprise.unemploymentPremiumsLastYear': 1234.56,
  'enterprise.layoffRate': 0,
  'enterprise.insuredEmployeesLastYear': 120,
  'enterprise.premiumsInArrears': false,
  'enterprise.seriousDishonesty': false,
};

describe('cash amounts read from a source fact', () => {
  const policy = validatePolicy(
    refundFromFact({ type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'yuan' }),
  );

  it.each([
    [1234.56, 'yuan', 123456],
    [1234.5, 'yuan', 123450],
    [0.29, 'yuan', 29],
    ['88.10', 'yuan', 8810],
    [0, 'yuan', 0],
    [123456, 'fen', 123456],
    ['123456', 'fen', 123456],
  ] as const)('reads %j %s as %i fen', (value, unit, fen) => {
    expect(fenOf(value, unit)).toEqual({ fen });
  });

  it.each([
    [0.1 + 0.2, 'yuan'],
    [1.005, 'yuan'],
    [-5, 'yuan'],
    [1e21, 'yuan'],
    [Number.NaN, 'yuan'],
    ['12,50', 'yuan'],
    [12.5, 'fen'],
    [true, 'fen'],
  ] as const)('refuses %j %s: not whole fen', (value, unit) => {
    expect(fenOf(value, unit)).toHaveProperty('refused');
  });

  it('pays the amount the other system computed, in both evaluators', async () => {
    const decision = await evaluatePolicy(policy, firm, '2025-03-15');
    expect(decision).toMatchObject({ outcome: 'eligible', amount: 1234.56 });
    expect(compilePolicy(policy, '2025-03-15').decide(firm)).toMatchObject({ outcome: 'eligible', amount: 1234.56 });
  });

  it('is undetermined, naming the fact, when the other system has not computed it', async () => {
    const rule: AmountRule = { type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'yuan' };
    expect(computeAmount(policy, rule, {}, '2025-03-15')).toEqual({
      missingFacts: ['enterprise.unemploymentPremiumsLastYear'],
    });
  });

  it('refuses an amount that is not whole fen in both evaluators, naming the fact', async () => {
    const odd = { ...firm, 'enterprise.unemploymentPremiumsLastYear': 1234.567 };
    await expect(evaluatePolicy(policy, odd, '2025-03-15')).rejects.toThrow(
      /enterprise.unemploymentPremiumsLastYear: 1234.567 yuan is not .*\(whole fen\)/,
    );
    expect(() => compilePolicy(policy, '2025-03-15').decide(odd)).toThrow(RulesError);
  });

  it('reads whole fen when the source states fen', () => {
    const rule: AmountRule = { type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'fen' };
    const facts = { 'enterprise.unemploymentPremiumsLastYear': 123456 };
    expect(computeAmount(policy, rule, facts, '2025-03-15')).toEqual({ amount: 1234.56 });
  });

  it.each([
    [
      { type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'fen' },
      'benefit.amount.unit',
      /in yuan/,
    ],
    [
      { type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'jiao' },
      'benefit.amount.unit',
      /yuan, fen/,
    ],
    [{ type: 'fromFact', fact: 'enterprise.layoffRate', unit: 'yuan' }, 'benefit.amount.fact', /not money/],
    [{ type: 'fromFact', fact: 'enterprise.status', unit: 'yuan' }, 'benefit.amount.fact', /a number is needed/],
    [{ type: 'fromFact', fact: 'enterprise.annualRevenue', unit: 'yuan' }, 'benefit.amount.fact', /not declared/],
  ])('refuses %j at its path', (amount, path, message) => {
    const issues = issuesOf(refundFromFact(amount));
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it('is in the published schema: the unit is required and named', () => {
    const noUnit = refundFromFact({ type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear' });
    expect(checkPolicySchema(noUnit).map((i) => i.path)).toContain('benefit.amount.unit');
    expect(issuesOf(noUnit).map((i) => i.path)).toContain('benefit.amount.unit');
    expect(checkPolicySchema(policy)).toEqual([]);
  });
});

describe('the compiled evaluator agrees with json-rules-engine on the new amount rules', () => {
  it.each([
    ['year-of-birthday, monthly', () => validatePolicy(banded('year-of-birthday'))],
    ['year-after-birthday, yearly', () => validatePolicy(banded('year-after-birthday', 'year'))],
    ['month-of-birthday, monthly', () => validatePolicy(banded('month-of-birthday'))],
    [
      'an amount read from a fact in yuan',
      () =>
        validatePolicy(
          refundFromFact({ type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'yuan' }),
        ),
    ],
  ])(
    '%s: zero mismatches over 2,000 seeded fact sets',
    async (_name, build) => {
      const report = await diffAgainstEngine(build(), { sets: 2_000, seed: `amounts:${_name}` });
      expect(messages(report)).toEqual([]);
      expect(report.mismatches).toHaveLength(0);
      expect(report.tally.eligible ?? 0).toBeGreaterThan(20);
    },
    120_000,
  );
});

describe('the explanation says what an amount rests on', () => {
  it('names the band and the day its age was counted on, 次月起', () => {
    const { decision, summary } = explainPolicy(oldAge, resident('1937-05-15'), '2027-05-20');
    expect(decision).toMatchObject({ outcome: 'eligible', amount: 100 });
    expect(summary.zh).toContain('按 80-89 岁档次发放（生日次月起按新档次：以 2027-04-30 的年龄 89 岁计）。');
    expect(summary.en).toContain(
      'Paid at the 80-89 band (a new band from the month after the birthday: aged 89 on 2027-04-30).',
    );
    expect(explainPolicy(oldAge, resident('1937-05-15'), '2027-06-01').decision.amountBasis?.en).toContain('90-99');
  });

  it('names who computed an amount read from a fact', () => {
    const policy = validatePolicy(
      refundFromFact({ type: 'fromFact', fact: 'enterprise.unemploymentPremiumsLastYear', unit: 'yuan' }),
    );
    const { summary } = explainPolicy(policy, firm, '2025-03-15');
    expect(summary.zh).toContain('金额为市人力资源和社会保障局核定的上年度实际缴纳失业保险费（元）。');
    expect(summary.en).toContain('as computed by Municipal Human Resources and Social Security Bureau');
  });
});
