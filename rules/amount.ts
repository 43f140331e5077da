/**
 * Cash amounts per AmountRule (types.ts), with parameters resolved by date. Amounts are in
 * CNY rounded to the fen; a fact the rule needs but cannot read makes the amount missing,
 * never zero, so the decision is undetermined instead of a silent nil grant.
 */
import { DateTime } from 'luxon';
import { fenOf } from './amount-from-fact.js';
import { bandCountedOn } from './amount-timing.js';
import { ageOn, parseAsOf, toCalendarDate } from './dates.js';
import { RulesError } from './errors.js';
import { bandValue, numberAt, tableAt } from './parameters.js';
import type { AmountRule, Policy } from './types.js';

/** The amount, or the facts it needs that are missing. */
export type AmountResult = { amount: number } | { missingFacts: string[] };

/** The facts an amount rule reads (all must be declared by the policy). */
export function amountFacts(rule: AmountRule): string[] {
  switch (rule.type) {
    case 'fixed':
      return [];
    case 'proratedByAgeMonths':
    case 'ageBand':
      return [rule.birthDateFact];
    case 'byFactValue':
    case 'monthsByFact':
    case 'fromFact':
      return [rule.fact];
    case 'shareOf':
      return [rule.baseFact, rule.rateByFact];
  }
}

/** The parameters an amount rule reads. */
export function amountParameters(rule: AmountRule): string[] {
  if (rule.type === 'fromFact') return [];
  return rule.type === 'monthsByFact' ? [rule.parameter, rule.monthsParameter] : [rule.parameter];
}

const isMissing = (value: unknown): boolean => value === undefined || value === null;
const toFen = (amount: number): number => Math.round(amount * 100) / 100;

/** The cash amount of an eligible decision on `asOf`; throws AMOUNT_UNRESOLVED when the rule cannot apply. */
export function computeAmount(
  policy: Policy,
  rule: AmountRule,
  facts: Record<string, unknown>,
  asOf: string,
): AmountResult {
  const missingFacts = amountFacts(rule).filter((fact) => isMissing(facts[fact]));
  if (missingFacts.length > 0) return { missingFacts };
  const fail = (why: string): never => {
    throw new RulesError('AMOUNT_UNRESOLVED', `${policy.id} v${policy.version}: ${why}`);
  };
  const birthDate = (fact: string): DateTime => toCalendarDate(facts[fact]) ?? fail(`${fact} is not a date`);
  const keyed = (table: Record<string, number>, key: unknown, what: string): number =>
    table[String(key)] ?? fail(`${what} has no entry for ${JSON.stringify(key)}`);

  switch (rule.type) {
    case 'fixed':
      return { amount: toFen(numberAt(policy, rule.parameter, asOf)) };
    case 'proratedByAgeMonths':
      return {
        amount: toFen(
          proratedByAgeMonths(policy, rule.parameter, birthDate(rule.birthDateFact), rule.untilAgeYears, asOf),
        ),
      };
    case 'ageBand': {
      const day = parseAsOf(asOf) ?? fail(`asOf ${asOf} is not a date`);
      // 次月起 and the like: the age on the period boundary the law names (amount-timing.ts).
      const age = ageOn(birthDate(rule.birthDateFact), bandCountedOn(rule.bandFrom, day));
      return {
        amount: toFen(
          bandValue(tableAt(policy, rule.parameter, asOf), age) ?? fail(`${rule.parameter} has no band for age ${age}`),
        ),
      };
    }
    case 'byFactValue':
      return { amount: toFen(keyed(tableAt(policy, rule.parameter, asOf), facts[rule.fact], rule.parameter)) };
    case 'shareOf': {
      const base = facts[rule.baseFact];
      if (typeof base !== 'number') return fail(`${rule.baseFact} is not a number`);
      return {
        amount: toFen(base * keyed(tableAt(policy, rule.parameter, asOf), facts[rule.rateByFact], rule.parameter)),
      };
    }
    case 'fromFact': {
      const read = fenOf(facts[rule.fact], rule.unit);
      return 'fen' in read ? { amount: read.fen / 100 } : fail(`${rule.fact}: ${read.refused}`);
    }
    case 'monthsByFact': {
      const value = facts[rule.fact];
      const months =
        typeof value === 'number' ? bandValue(tableAt(policy, rule.monthsParameter, asOf), value) : undefined;
      return {
        amount: toFen(
          numberAt(policy, rule.parameter, asOf) *
            (months ?? fail(`${rule.monthsParameter} has no band for ${String(value)}`)),
        ),
      };
    }
  }
}

/**
 * The annual amount prorated over the months of the as-of year in which the subject is
 * eligible by age: from the birth month while younger than `untilAgeYears` (the month of
 * that birthday is not paid: 36 months for under-threes). Each month uses the parameter in
 * force on its first day; months in which the policy is never in force are not paid.
 */
function proratedByAgeMonths(
  policy: Policy,
  parameter: string,
  birth: DateTime,
  untilAgeYears: number,
  asOf: string,
): number {
  const year = Number(asOf.slice(0, 4));
  const first = birth.startOf('month');
  const end = first.plus({ years: untilAgeYears });
  let total = 0;
  for (let month = 1; month <= 12; month += 1) {
    const start = DateTime.utc(year, month, 1);
    const firstDay = start.toISODate() as string;
    const lastDay = start.endOf('month').toISODate() as string;
    const inForce =
      lastDay >= policy.effective.from && (policy.effective.to === undefined || firstDay <= policy.effective.to);
    if (start < first || start >= end || !inForce) continue;
    total += numberAt(policy, parameter, firstDay < policy.effective.from ? policy.effective.from : firstDay) / 12;
  }
  return total;
}
