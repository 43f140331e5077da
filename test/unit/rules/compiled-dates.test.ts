/**
 * The compiled evaluator's date operators as ranges of days (rules/compiled-dates.ts): each range
 * matches the operator itself around both of its ends and on random days, leaves what is not a
 * plain date to the operator, and reads plain dates exactly as isIsoDate does.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../infra/seed/random.js';
import { FIRST_DATE, LAST_DATE, dateRange, dateRangeTest, isPlainDate } from '../../../rules/compiled-dates.js';
import { isIsoDate } from '../../../rules/dates.js';
import { OPERATOR_NAMES, OPERATOR_SPECS, operatorFunctions } from '../../../rules/operators.js';

const shift = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() as string;

describe('date operators as ranges of days', () => {
  const DATE_OPERATORS = OPERATOR_NAMES.filter(
    (name) => OPERATOR_SPECS[name].value !== 'date' && OPERATOR_SPECS[name].factTypes.every((type) => type === 'date'),
  );
  const cases = ['2024-02-29', '2025-03-01', '2025-06-15', '2025-12-31'].flatMap((asOf) => [
    ...DATE_OPERATORS.flatMap((operator) => [0, 3, 12, 60, 365].map((value) => ({ asOf, operator, value }) as const)),
    ...(['dateBefore', 'dateOnOrAfter'] as const).flatMap((operator) =>
      ['1964-02-29', '2024-07-01', '2025-01-31'].map((value) => ({ asOf, operator, value })),
    ),
  ]);

  it('match the operator itself around both ends of each range and on random days', () => {
    const random = new Random('date-ranges');
    const wrong: string[] = [];
    for (const { asOf, operator, value } of cases) {
      const op = operatorFunctions(asOf)[operator];
      const [first, last] = dateRange((date) => op(date, value), asOf);
      const days = [first, last].flatMap((end) => Array.from({ length: 81 }, (_, i) => shift(end, i - 40)));
      days.push(...Array.from({ length: 150 }, () => shift(FIRST_DATE, random.int(0, 146_000))));
      const inRange = dateRangeTest(op, value, asOf);
      for (const date of days.filter((day) => day >= FIRST_DATE && day <= LAST_DATE)) {
        const holds = op(date, value);
        if (holds !== (first <= date && date <= last) || inRange(date) !== holds)
          wrong.push(`${operator} ${value} as of ${asOf} on ${date}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('leave timestamps, Date objects, far years and malformed dates to the operator', () => {
    const op = operatorFunctions('2025-06-15').ageAtLeast;
    const test = dateRangeTest(op, 60, '2025-06-15');
    for (const value of [
      '1965-06-14T16:00:00Z',
      new Date('1965-06-15T15:59:59Z'),
      '1700-01-01',
      '1965-02-29',
      '1965-6-15',
      19650615,
      undefined,
    ]) {
      expect([value, test(value)]).toEqual([value, op(value, 60)]);
    }
    expect(test('1700-01-01')).toBe(true);
  });

  it('read plain dates as isIsoDate does, leap years and month lengths included', () => {
    const differ: string[] = [];
    for (let year = 1800; year <= 2199; year += 1) {
      for (let month = 0; month <= 13; month += 1) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          if (isPlainDate(text) !== isIsoDate(text)) differ.push(text);
        }
      }
    }
    for (const text of ['1965-6-15', '1965-06-1x', '1965/06/15', ' 965-06-15', '1965-06-15 ', '19650615'])
      if (isPlainDate(text) !== isIsoDate(text)) differ.push(text);
    expect(differ).toEqual([]);
  });
});
