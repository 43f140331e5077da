/**
 * Date operators as ranges of calendar days, for the compiled evaluator. For one as-of date and
 * value, each date operator compares one monotone function of the fact's day (an age, a count of
 * days or months since it, or the day itself) with the value, and the past-date operators also
 * need the day to be on or before the as-of day: so it holds on one contiguous range of days.
 * The range's ends are found by bisection with the operator function itself (operators.ts stays
 * the only definition); a fact is then two string comparisons instead of ~25 µs of luxon.
 */
import type { OperatorFn } from './operators.js';

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The span of days the ranges cover; a fact outside it goes to the operator. */
export const FIRST_DATE = '1800-01-01';
export const LAST_DATE = '2199-12-31';
const FIRST_DAY = Date.parse(FIRST_DATE) / MS_PER_DAY;
const LAST_DAY = Date.parse(LAST_DATE) / MS_PER_DAY;

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The number written in `text` from `start` to `end`, or -1 when a character is not a digit. */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    n = n * 10 + code;
  }
  return n;
}

/** True for a valid `YYYY-MM-DD` calendar date (as isIsoDate, without luxon): such strings sort as their days do. */
export function isPlainDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1])
  );
}

/** The `YYYY-MM-DD` of a day number (days since 1970-01-01). */
function isoOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * The first and last date on which `holds` is true (first > last when it never is), given that it
 * holds on one contiguous range of days: found from an anchor inside the range (the first day, the
 * as-of day or the last day; a range touching none of them cannot come from a date operator) by bisection.
 */
export function dateRange(holds: (date: string) => boolean, asOf: string): [string, string] {
  const asOfDay = Date.parse(asOf) / MS_PER_DAY;
  const anchor = [FIRST_DAY, asOfDay, LAST_DAY].find(
    (day) => day >= FIRST_DAY && day <= LAST_DAY && holds(isoOfDay(day)),
  );
  if (anchor === undefined) return [LAST_DATE, FIRST_DATE];
  let [outside, inside] = [FIRST_DAY - 1, anchor];
  while (inside - outside > 1) {
    const middle = Math.floor((inside + outside) / 2);
    if (holds(isoOfDay(middle))) inside = middle;
    else outside = middle;
  }
  const first = inside;
  [inside, outside] = [anchor, LAST_DAY + 1];
  while (outside - inside > 1) {
    const middle = Math.floor((inside + outside) / 2);
    if (holds(isoOfDay(middle))) inside = middle;
    else outside = middle;
  }
  return [isoOfDay(first), isoOfDay(inside)];
}

/**
 * A date operator with its value, as a test on fact values: a plain date string within the span is
 * compared with the operator's range of dates (string order is day order); anything else (timestamps,
 * Date objects, other years, non-dates) goes to the operator, so every value gets the operator's answer.
 */
export function dateRangeTest(op: OperatorFn, value: unknown, asOf: string): (factValue: unknown) => boolean {
  const [first, last] = dateRange((date) => op(date, value), asOf);
  return (factValue) =>
    typeof factValue === 'string' && factValue >= FIRST_DATE && factValue <= LAST_DATE && isPlainDate(factValue)
      ? first <= factValue && factValue <= last
      : op(factValue, value);
}
