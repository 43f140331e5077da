/**
 * 次月起 for an amount: the old-age allowance's band moves from the month after the birthday, so a
 * month's amount is the same whichever of its days the month is judged on (issue 18: the shipped
 * rule read the age on the day judged, paying the higher band in the birthday month from the
 * birthday on). Checked on every day of birthday months, interpreted and compiled.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { compilePolicy } from '../../../rules/compiled.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { PolicyValidationError } from '../../../rules/errors.js';
import type { Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';

const catalog = await loadPolicyCatalog();
const v1 = findPolicyVersion(catalog, 'old-age-allowance', 1)!;

/** The allowance with its band counted 次月起, as an officer would write the next version. */
function monthAfter(): Policy {
  const policy = structuredClone(v1);
  if (policy.benefit.kind !== 'cash' || policy.benefit.amount.type !== 'ageBand') throw new Error('not an age band');
  policy.benefit.amount.bandFrom = 'month-after-birthday';
  return validatePolicy(policy);
}

const facts = (birthDate: string) => ({
  'person.birthDate': birthDate,
  'person.localHukou': true,
  'person.alive': true,
});
const daysOf = (month: string): string[] => {
  const first = DateTime.fromISO(`${month}-01`, { zone: 'utc' });
  return Array.from({ length: first.daysInMonth! }, (_, i) => first.plus({ days: i }).toISODate()!);
};

describe('an age band counted from the month after the birthday', () => {
  const policy = monthAfter();

  // A 90th birthday on the first, in the middle and on the last day of May 2026.
  it.each(['1936-05-01', '1936-05-15', '1936-05-31'])(
    'born %s: 100 on every day of the birthday month, 200 on every day of the next',
    async (birthDate) => {
      for (const [month, amount] of [
        ['2026-05', 100],
        ['2026-06', 200],
      ] as const) {
        for (const asOf of daysOf(month)) {
          const decision = await evaluatePolicy(policy, facts(birthDate), asOf);
          expect({ asOf, outcome: decision.outcome, amount: decision.amount }).toEqual({
            asOf,
            outcome: 'eligible',
            amount,
          });
          expect(compilePolicy(policy, asOf).decide(facts(birthDate)).amount).toBe(amount);
        }
      }
    },
  );

  // The shipped v2 (from 2027-01-01): a 90th birthday on the first, in the middle and on the last day of May 2027.
  it.each(['1937-05-01', '1937-05-15', '1937-05-31'])(
    'old-age-allowance v2, born %s: 100 on every day of April and May 2027, 200 on every day of June',
    async (birthDate) => {
      const v2 = findPolicyVersion(catalog, 'old-age-allowance', 2)!;
      for (const [month, amount] of [
        ['2027-04', 100],
        ['2027-05', 100],
        ['2027-06', 200],
      ] as const) {
        for (const asOf of daysOf(month)) {
          const decision = await evaluatePolicy(v2, facts(birthDate), asOf);
          expect({ asOf, outcome: decision.outcome, amount: decision.amount }).toEqual({
            asOf,
            outcome: 'eligible',
            amount,
          });
          expect(compilePolicy(v2, asOf).decide(facts(birthDate)).amount).toBe(amount);
        }
      }
    },
  );

  it('is what the shipped v1 gets wrong: it pays 200 from the birthday within the month', async () => {
    const days = daysOf('2026-05');
    const amounts = await Promise.all(
      days.map(async (asOf) => (await evaluatePolicy(v1, facts('1936-05-15'), asOf)).amount),
    );
    expect(new Set(amounts)).toEqual(new Set([100, 200]));
    expect(amounts[13]).toBe(100);
    expect(amounts[14]).toBe(200);
  });

  it('refuses an unknown bandFrom, naming the field and the choices', () => {
    const policy = structuredClone(v1) as unknown as { benefit: { amount: Record<string, unknown> } };
    policy.benefit.amount.bandFrom = 'next-month';
    try {
      validatePolicy(policy);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyValidationError);
      const issue = (error as PolicyValidationError).issues.find((i) => i.path === 'benefit.amount.bandFrom');
      expect(issue?.message).toContain('birthday, month-after-birthday');
    }
  });
});
