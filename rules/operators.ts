/**
 * The whitelisted condition operators. Policies may use only these names (validate.ts checks),
 * and the engine registers exactly these, replacing json-rules-engine's defaults.
 *
 * The as-of date reaches the date operators by closure: json-rules-engine v7 calls an
 * operator with (factValue, value) only, so an almanac fact cannot reach it, and putting the
 * date into each condition's value would make policies depend on the run. engine.ts builds
 * (and caches) one Engine per policy and as-of date with `createOperators(asOf)`.
 */
import { Operator } from 'json-rules-engine';
import type { DateTime } from 'luxon';
import type { FactType } from '../domain/sources.js';
import {
  ageMonthsOn,
  ageOn,
  daysBetween,
  isMonthDay,
  monthDayIn,
  monthsBetween,
  parseAsOf,
  toCalendarDate,
} from './dates.js';
import { RulesError } from './errors.js';

/** What a condition's `value` must be for an operator: checked by the validator. */
export type OperatorValueKind = 'scalar' | 'list' | 'number' | 'wholeNumber' | 'date' | 'ageOn';

/** The fact types an operator accepts and the kind of value it compares with. */
export interface OperatorSpec {
  factTypes: readonly FactType[];
  value: OperatorValueKind;
}

const ANY: readonly FactType[] = ['date', 'number', 'boolean', 'string'];
const DATE: readonly FactType[] = ['date'];
const NUMBER: readonly FactType[] = ['number'];

/** Every operator a policy may use, with the facts and values it takes. */
export const OPERATOR_SPECS = {
  equal: { factTypes: ANY, value: 'scalar' },
  notEqual: { factTypes: ANY, value: 'scalar' },
  lessThan: { factTypes: NUMBER, value: 'number' },
  lessThanInclusive: { factTypes: NUMBER, value: 'number' },
  greaterThan: { factTypes: NUMBER, value: 'number' },
  greaterThanInclusive: { factTypes: NUMBER, value: 'number' },
  in: { factTypes: ANY, value: 'list' },
  notIn: { factTypes: ANY, value: 'list' },
  contains: { factTypes: ANY, value: 'scalar' },
  ageAtLeast: { factTypes: DATE, value: 'wholeNumber' },
  ageBelow: { factTypes: DATE, value: 'wholeNumber' },
  ageReachedBeforeMonth: { factTypes: DATE, value: 'wholeNumber' },
  ageBelowDuringYear: { factTypes: DATE, value: 'wholeNumber' },
  ageMonthsAtLeast: { factTypes: DATE, value: 'wholeNumber' },
  ageMonthsBelow: { factTypes: DATE, value: 'wholeNumber' },
  ageOnAtLeast: { factTypes: DATE, value: 'ageOn' },
  ageOnBelow: { factTypes: DATE, value: 'ageOn' },
  daysSinceAtLeast: { factTypes: DATE, value: 'wholeNumber' },
  daysSinceAtMost: { factTypes: DATE, value: 'wholeNumber' },
  monthsSinceAtLeast: { factTypes: DATE, value: 'wholeNumber' },
  monthsSinceAtMost: { factTypes: DATE, value: 'wholeNumber' },
  dateBefore: { factTypes: DATE, value: 'date' },
  dateOnOrAfter: { factTypes: DATE, value: 'date' },
} as const satisfies Record<string, OperatorSpec>;

export type OperatorName = keyof typeof OPERATOR_SPECS;

/** The operator whitelist, in a stable order. */
export const OPERATOR_NAMES = Object.keys(OPERATOR_SPECS) as OperatorName[];

/** True when `name` is a whitelisted operator. */
export function isOperatorName(name: string): name is OperatorName {
  return Object.prototype.hasOwnProperty.call(OPERATOR_SPECS, name);
}

/** An operator as a plain function: false (never a throw) for values of the wrong type. */
export type OperatorFn = (factValue: unknown, value: unknown) => boolean;

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function compare(test: (a: number, b: number) => boolean): OperatorFn {
  return (a, b) => isNumber(a) && isNumber(b) && test(a, b);
}

/**
 * The operators as plain functions for one as-of date: what the json-rules-engine Operators
 * wrap, and what a compiled evaluator must reuse to agree with them exactly.
 */
export function operatorFunctions(asOf: string): Record<OperatorName, OperatorFn> {
  const today = parseAsOf(asOf);
  if (!today) throw new RulesError('INVALID_AS_OF', `asOf must be a YYYY-MM-DD date, got ${JSON.stringify(asOf)}`);
  const monthStart = today.startOf('month');
  const yearStart = today.startOf('year');

  /** A date operator: the fact must be a date on or before the as-of day, the value a number. */
  const pastDate =
    (test: (date: DateTime, n: number) => boolean): OperatorFn =>
    (fact, value) => {
      const date = toCalendarDate(fact);
      return date !== undefined && date <= today && isNumber(value) && test(date, value);
    };
  const versusDate =
    (test: (date: DateTime, other: DateTime) => boolean): OperatorFn =>
    (fact, value) => {
      const date = toCalendarDate(fact);
      const other = isMonthDay(value) ? monthDayIn(today.year, value) : toCalendarDate(value);
      return date !== undefined && other !== undefined && test(date, other);
    };

  return {
    equal: (a, b) => a === b,
    notEqual: (a, b) => a !== b,
    lessThan: compare((a, b) => a < b),
    lessThanInclusive: compare((a, b) => a <= b),
    greaterThan: compare((a, b) => a > b),
    greaterThanInclusive: compare((a, b) => a >= b),
    in: (a, b) => Array.isArray(b) && b.includes(a),
    notIn: (a, b) => Array.isArray(b) && !b.includes(a),
    contains: (a, b) => Array.isArray(a) && a.includes(b),
    ageAtLeast: pastDate((birth, years) => ageOn(birth, today) >= years),
    ageBelow: pastDate((birth, years) => ageOn(birth, today) < years),
    /** Reached the age before the as-of month began: benefits paid "from the month after" (次月起). */
    ageReachedBeforeMonth: pastDate(
      (birth, years) => birth < monthStart && ageOn(birth, monthStart.minus({ days: 1 })) >= years,
    ),
    /** Younger than the age, counted in whole months from the birth month, for at least one month of the as-of year. */
    ageBelowDuringYear: pastDate((birth, years) => birth.startOf('month').plus({ years }) > yearStart),
    ageMonthsAtLeast: pastDate((birth, months) => ageMonthsOn(birth, today) >= months),
    ageMonthsBelow: pastDate((birth, months) => ageMonthsOn(birth, today) < months),
    ageOnAtLeast: ageOnDay(today, (age, years) => age >= years),
    ageOnBelow: ageOnDay(today, (age, years) => age < years),
    daysSinceAtLeast: pastDate((date, days) => daysBetween(date, today) >= days),
    daysSinceAtMost: pastDate((date, days) => daysBetween(date, today) <= days),
    monthsSinceAtLeast: pastDate((date, months) => monthsBetween(date, today) >= months),
    monthsSinceAtMost: pastDate((date, months) => monthsBetween(date, today) <= months),
    dateBefore: versusDate((date, other) => date < other),
    dateOnOrAfter: versusDate((date, other) => date >= other),
  };
}

/**
 * An age-on operator: the fact a birth date on or before the as-of day, the value `{ age, on }`
 * (`on` a month-day); compares the age (周岁) reached on that day of the as-of year with `age`.
 */
function ageOnDay(today: DateTime, test: (age: number, years: number) => boolean): OperatorFn {
  return (fact, value) => {
    const birth = toCalendarDate(fact);
    if (birth === undefined || birth > today || typeof value !== 'object' || value === null) return false;
    const { age, on } = value as { age?: unknown; on?: unknown };
    const day = monthDayIn(today.year, on);
    return day !== undefined && isNumber(age) && test(ageOn(birth, day), age);
  };
}

/** The whitelisted operators as json-rules-engine Operators bound to one as-of date. */
export function createOperators(asOf: string): Operator[] {
  const functions = operatorFunctions(asOf);
  return OPERATOR_NAMES.map((name) => new Operator(name, functions[name]));
}
