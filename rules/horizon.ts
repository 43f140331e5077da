/**
 * When a decision next changes on its own, the facts unchanged (the eligibility horizon): an
 * 80th birthday, a year since founding, a parameter's new value, the policy's end. Candidate
 * days come from each date leaf and from the dated parameters and effective range; the earliest
 * whose evaluated outcome differs is kept, refined to its first day. Pure; days are Shanghai
 * calendar days. Issue 6's daily sweep uses it to know when an ineligible subject becomes eligible.
 */
import { DateTime } from 'luxon';
import { isInForce } from './catalog.js';
import { compilePolicy, type FlatFacts } from './compiled.js';
import { isMonthDay, parseAsOf, toCalendarDate } from './dates.js';
import { RulesError } from './errors.js';
import { OPERATOR_SPECS, isOperatorName } from './operators.js';
import type { ConditionResult, Outcome, Policy } from './types.js';

/** The first day on which the outcome differs from the as-of day's, and that outcome. */
export interface OutcomeChange {
  date: string;
  outcome: Outcome;
}

/** How far ahead to look (default 120 years). */
export interface HorizonOptions {
  horizonYears?: number;
}

const iso = (date: DateTime): string => date.toISODate() as string;

/**
 * The outcome on a day: 'ineligible' outside the policy's effective range (it grants nothing
 * then), else the compiled decision; undefined when the policy cannot be evaluated that day
 * (a parameter not in force, an amount the rule cannot resolve).
 */
export function outcomeOn(policy: Policy, facts: FlatFacts, date: string): Outcome | undefined {
  if (!isInForce(policy, date)) return 'ineligible';
  try {
    return compilePolicy(policy, date, { precompute: false }).decide(facts).outcome;
  } catch (error) {
    if (error instanceof RulesError) return undefined;
    throw error;
  }
}

/** The days around which a date leaf can change its truth, for this fact value. */
function leafDays(operator: string, value: unknown, factValue: unknown): DateTime[] {
  const date = toCalendarDate(factValue);
  if (date && (operator === 'ageOnAtLeast' || operator === 'ageOnBelow')) return ageOnDays(date, value);
  if (date && (operator === 'dateBefore' || operator === 'dateOnOrAfter')) return monthDayDays(date, value);
  if (!date || typeof value !== 'number' || !Number.isInteger(value)) return [];
  // Every past-date operator needs the day itself to have come.
  const days = [date];
  const monthAfter = (day: DateTime) => day.startOf('month').plus({ months: 1 });
  switch (operator) {
    case 'ageAtLeast':
    case 'ageBelow':
      days.push(date.plus({ years: value }), date.plus({ years: value + 1 }));
      break;
    case 'ageReachedBeforeMonth': {
      const birthday = date.plus({ years: value });
      // A 29 February birthday counts on 1 March in common years: the month after may be April.
      days.push(monthAfter(date), monthAfter(birthday), monthAfter(birthday.plus({ days: 1 })));
      break;
    }
    case 'ageBelowDuringYear': {
      const end = date.startOf('month').plus({ years: value });
      days.push(end.startOf('year'), end.startOf('year').plus({ years: 1 }));
      break;
    }
    case 'ageMonthsAtLeast':
    case 'ageMonthsBelow': {
      // The month's anniversary, or the 1st of the next month when the month is too short for it.
      const reached = date.plus({ months: value });
      days.push(reached, reached.plus({ days: 1 }), reached.startOf('month').plus({ months: 1 }));
      break;
    }
    case 'daysSinceAtLeast':
    case 'daysSinceAtMost':
      days.push(date.plus({ days: value }));
      break;
    case 'monthsSinceAtLeast':
    case 'monthsSinceAtMost':
      days.push(date.plus({ months: value }), date.plus({ months: value + 1 }));
      break;
    default:
      break;
  }
  return days.flatMap((day) => [day.minus({ days: 1 }), day, day.plus({ days: 1 })]);
}

/**
 * An age-on leaf changes when its year's cut-off day moves past the birthday: at a new year (the
 * cut-off is taken in the as-of year) and on the day the birth itself comes.
 */
function ageOnDays(birth: DateTime, value: unknown): DateTime[] {
  const age = (value as { age?: unknown } | null)?.age;
  if (typeof age !== 'number' || !Number.isInteger(age)) return [];
  const years = [age - 1, age, age + 1].map((n) => birth.plus({ years: n }).startOf('year'));
  return [birth, ...years, ...years.map((year) => year.plus({ years: 1 }))];
}

/** A month-day's comparison changes when the year turns (the day is taken in the as-of year). */
function monthDayDays(date: DateTime, value: unknown): DateTime[] {
  if (!isMonthDay(value)) return [];
  const next = date.startOf('year');
  return [next, next.plus({ years: 1 }), next.plus({ years: 2 })];
}

/** The date leaves with their values resolved on `day`; none when the policy cannot be compiled for it. */
function leavesOn(policy: Policy, facts: FlatFacts, day: string): ConditionResult[] {
  try {
    const leaves = compilePolicy(policy, day, { precompute: false }).explain(facts).conditions;
    return leaves.filter(
      (leaf) =>
        isOperatorName(leaf.operator) && OPERATOR_SPECS[leaf.operator].factTypes.every((type) => type === 'date'),
    );
  } catch (error) {
    if (error instanceof RulesError) return [];
    throw error;
  }
}

/** The days a dated parameter or the effective range starts or stops. */
function policyDays(policy: Policy): DateTime[] {
  const bounds = [
    { from: policy.effective.from, to: policy.effective.to },
    ...Object.values(policy.parameters).flatMap((entries) =>
      entries.map((entry) => ({ from: entry.from, to: entry.to })),
    ),
  ];
  return bounds
    .flatMap(({ from, to }) => [parseAsOf(from), to === undefined ? undefined : parseAsOf(to)?.plus({ days: 1 })])
    .filter((day): day is DateTime => day !== undefined);
}

/**
 * The next day after `asOf` (within the horizon) on which the outcome differs from `asOf`'s,
 * the facts unchanged, or null. Candidates are checked in order; between the last day checked
 * with the same outcome and the first that differs, the change's first day is found by bisection.
 */
export function nextOutcomeChange(
  policy: Policy,
  facts: FlatFacts,
  asOf: string,
  options: HorizonOptions = {},
): OutcomeChange | null {
  const today = parseAsOf(asOf);
  if (!today) throw new RulesError('INVALID_AS_OF', `asOf must be a YYYY-MM-DD date, got ${JSON.stringify(asOf)}`);
  const current = outcomeOn(policy, facts, asOf);
  if (current === undefined) return null;
  const last = iso(today.plus({ years: options.horizonYears ?? 120 }));
  const ahead = (day: string) => day > asOf && day <= last;
  const regimes = policyDays(policy).map(iso).filter(ahead);
  // Leaf values per parameter regime: a threshold in force later has birthdays of its own.
  const leaves = [asOf, ...new Set(regimes)].flatMap((day) => leavesOn(policy, facts, day));
  const days = [
    ...leaves.flatMap((leaf) => leafDays(leaf.operator, leaf.value, facts[leaf.fact])).map(iso),
    ...regimes,
  ];
  const candidates = [...new Set(days)].filter(ahead).sort();

  let same = asOf;
  for (const day of candidates) {
    const outcome = outcomeOn(policy, facts, day);
    if (outcome === undefined || outcome === current) {
      if (outcome !== undefined) same = day;
      continue;
    }
    return firstDifferent(policy, facts, current, same, { date: day, outcome });
  }
  return null;
}

/** The first day after `same` whose outcome differs from `current`, assuming one change up to `found`. */
function firstDifferent(
  policy: Policy,
  facts: FlatFacts,
  current: Outcome,
  same: string,
  found: OutcomeChange,
): OutcomeChange {
  let low = Date.parse(same);
  let high = Date.parse(found.date);
  let best = found;
  while (high - low > 86_400_000) {
    const middle = low + Math.floor((high - low) / 86_400_000 / 2) * 86_400_000;
    const date = new Date(middle).toISOString().slice(0, 10);
    const outcome = outcomeOn(policy, facts, date);
    if (outcome === undefined || outcome === current) low = middle;
    else {
      high = middle;
      best = { date, outcome };
    }
  }
  return best;
}
