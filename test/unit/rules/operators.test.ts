import { describe, expect, it } from 'vitest';
import { ageOn, monthsBetween, toCalendarDate } from '../../../rules/dates.js';
import { OPERATOR_NAMES, createOperators, operatorFunctions } from '../../../rules/operators.js';

const on = (asOf: string) => operatorFunctions(asOf);

describe('age operators (周岁 on the as-of date, Asia/Shanghai)', () => {
  it('counts the birthday itself: 60 on the 60th birthday, 59 the day before', () => {
    expect(on('2025-06-01').ageAtLeast('1965-06-01', 60)).toBe(true);
    expect(on('2025-05-31').ageAtLeast('1965-06-01', 60)).toBe(false);
    expect(on('2025-05-31').ageBelow('1965-06-01', 60)).toBe(true);
    expect(on('2025-06-01').ageBelow('1965-06-01', 60)).toBe(false);
  });

  it('ages a person born on 29 February on 1 March in common years and on 29 February in leap years', () => {
    expect(on('2001-02-28').ageAtLeast('2000-02-29', 1)).toBe(false);
    expect(on('2001-03-01').ageAtLeast('2000-02-29', 1)).toBe(true);
    expect(on('2004-02-28').ageAtLeast('2000-02-29', 4)).toBe(false);
    expect(on('2004-02-29').ageAtLeast('2000-02-29', 4)).toBe(true);
    expect(ageOn(toCalendarDate('2000-02-29')!, toCalendarDate('2100-02-28')!)).toBe(99);
  });

  it('reads a timestamp as its Shanghai calendar day: 16:30 UTC on 1 May is already 2 May in Dezhou', () => {
    const birth = new Date('2019-05-01T16:30:00Z');
    expect(on('2025-05-01').ageAtLeast(birth, 6)).toBe(false);
    expect(on('2025-05-02').ageAtLeast(birth, 6)).toBe(true);
    expect(on('2025-05-01').ageAtLeast('2019-05-02T00:30:00+08:00', 6)).toBe(false);
    expect(toCalendarDate(new Date('2019-04-30T16:00:00Z'))?.toISODate()).toBe('2019-05-01');
  });

  it('answers false, never throws, for a non-date, an impossible date or a birth after the as-of date', () => {
    const ops = on('2025-06-01');
    expect(ops.ageAtLeast('2025-02-29', 0)).toBe(false);
    expect(ops.ageAtLeast(19650601, 60)).toBe(false);
    expect(ops.ageBelow('2025-07-01', 3)).toBe(false);
    expect(ops.ageBelow(undefined, 3)).toBe(false);
    expect(ops.ageAtLeast('1965-06-01', '60')).toBe(false);
  });

  it('ageReachedBeforeMonth pays from the month after the birthday (次月起), even for a birthday on the 1st', () => {
    expect(on('2025-03-31').ageReachedBeforeMonth('1945-03-01', 80)).toBe(false);
    expect(on('2025-04-01').ageReachedBeforeMonth('1945-03-01', 80)).toBe(true);
    expect(on('2025-03-01').ageReachedBeforeMonth('1945-02-28', 80)).toBe(true);
  });

  it('ageBelowDuringYear counts 36 months from the birth month: January 2022 births are done by 2025, February births are not', () => {
    expect(on('2025-12-31').ageBelowDuringYear('2022-01-31', 3)).toBe(false);
    expect(on('2025-12-31').ageBelowDuringYear('2022-02-01', 3)).toBe(true);
    expect(on('2025-03-09').ageBelowDuringYear('2025-03-10', 3)).toBe(false);
  });
});

describe('elapsed-time operators', () => {
  it('counts whole calendar days, unbent by the daylight-saving time China kept in 1986–1991', () => {
    expect(on('1988-05-01').daysSinceAtLeast('1988-04-01', 30)).toBe(true);
    expect(on('1988-05-01').daysSinceAtLeast('1988-04-01', 31)).toBe(false);
    expect(on('1988-05-01').daysSinceAtMost('1988-04-01', 30)).toBe(true);
    expect(on('2025-03-01').daysSinceAtLeast('2025-01-01', 59)).toBe(true);
    expect(on('2025-03-01').daysSinceAtMost('2025-03-02', 10)).toBe(false);
  });

  it('counts a month from 31 January as ending on the last day of February', () => {
    expect(on('2025-02-28').monthsSinceAtLeast('2025-01-31', 1)).toBe(true);
    expect(on('2024-02-28').monthsSinceAtLeast('2024-01-31', 1)).toBe(false);
    expect(on('2024-02-29').monthsSinceAtLeast('2024-01-31', 1)).toBe(true);
    expect(on('2025-04-01').monthsSinceAtMost('2024-03-01', 12)).toBe(false);
    expect(monthsBetween(toCalendarDate('2025-03-10')!, toCalendarDate('2025-01-10')!)).toBe(-2);
  });

  it('compares a fact date with a fixed date', () => {
    const ops = on('2025-06-01');
    expect(ops.dateBefore('2024-12-31', '2025-01-01')).toBe(true);
    expect(ops.dateBefore('2025-01-01', '2025-01-01')).toBe(false);
    expect(ops.dateOnOrAfter('2025-01-01', '2025-01-01')).toBe(true);
    expect(ops.dateOnOrAfter('not a date', '2025-01-01')).toBe(false);
  });
});

describe('standard operators', () => {
  it('compare numbers strictly: a numeric string is not a number', () => {
    const ops = on('2025-06-01');
    expect(ops.lessThanInclusive(5.5, 5.5)).toBe(true);
    expect(ops.lessThan(5.5, 5.5)).toBe(false);
    expect(ops.greaterThan('6', 5)).toBe(false);
    expect(ops.greaterThanInclusive(12, 12)).toBe(true);
  });

  it('test membership and equality without coercion', () => {
    const ops = on('2025-06-01');
    expect(ops.in('micro', ['micro', 'small'])).toBe(true);
    expect(ops.in('micro', 'micro, small')).toBe(false);
    expect(ops.notIn('large', ['micro', 'small'])).toBe(true);
    expect(ops.equal(1, '1')).toBe(false);
    expect(ops.notEqual(true, false)).toBe(true);
    expect(ops.contains(['a', 'b'], 'b')).toBe(true);
    expect(ops.contains('ab', 'b')).toBe(false);
  });

  it('whitelist exactly these operators, registered for json-rules-engine by name', () => {
    expect(OPERATOR_NAMES).toEqual([
      'equal',
      'notEqual',
      'lessThan',
      'lessThanInclusive',
      'greaterThan',
      'greaterThanInclusive',
      'in',
      'notIn',
      'contains',
      'ageAtLeast',
      'ageBelow',
      'ageReachedBeforeMonth',
      'ageBelowDuringYear',
      'ageMonthsAtLeast',
      'ageMonthsBelow',
      'ageOnAtLeast',
      'ageOnBelow',
      'daysSinceAtLeast',
      'daysSinceAtMost',
      'monthsSinceAtLeast',
      'monthsSinceAtMost',
      'dateBefore',
      'dateOnOrAfter',
    ]);
    expect(createOperators('2025-06-01').map((operator) => operator.name)).toEqual(OPERATOR_NAMES);
  });

  it('refuses an as-of date that is not a calendar date', () => {
    expect(() => operatorFunctions('2025-02-29')).toThrow(expect.objectContaining({ code: 'INVALID_AS_OF' }));
    expect(() => operatorFunctions('2025-6-1')).toThrow(expect.objectContaining({ code: 'INVALID_AS_OF' }));
  });
});
