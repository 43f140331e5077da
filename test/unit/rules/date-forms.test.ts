/**
 * Dates as the law says them (issue 18, item 2): ages in completed months that never come early
 * and agree with ages in years, durations in months as 《民法典》第二百零二条 counts them, the age
 * reached on a month-day of the as-of year (a school year's cut-off), month-days and dates as
 * parameters, and the validator naming the path of each form written wrong.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ageMonthsOn, ageOn, isMonthDay } from '../../../rules/dates.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { explainPolicy } from '../../../rules/explain-subject.js';
import { nextOutcomeChange } from '../../../rules/horizon.js';
import { operatorFunctions } from '../../../rules/operators.js';
import { issuesOf } from '../../../services/policies/lifecycle.js';
import { validatePolicy } from '../../../rules/validate.js';
import { findPolicyVersion } from '../../../rules/catalog.js';
import { catalog } from './differential.js';

const day = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });

describe('age in completed months', () => {
  it('reaches 12 × N months exactly when the age in years reaches N, on every day of four years', () => {
    const births = ['2000-01-31', '2000-02-29', '2000-03-31', '2000-08-31', '2000-12-31', '2001-06-15'].map(day);
    for (const birth of births) {
      for (let on = birth; on < birth.plus({ years: 4 }); on = on.plus({ days: 1 })) {
        const years = ageOn(birth, on);
        const months = ageMonthsOn(birth, on);
        expect(Math.floor(months / 12), `${birth.toISODate()} on ${on.toISODate()}`).toBe(years);
      }
    }
  });

  it('goes up on the birth day each month, or on the 1st of the next month when the month has no such day', () => {
    const ops = (asOf: string) => operatorFunctions(asOf);
    expect(ops('2025-05-29').ageMonthsAtLeast('1965-04-30', 721)).toBe(false);
    expect(ops('2025-05-30').ageMonthsAtLeast('1965-04-30', 721)).toBe(true);
    // Born on the 31st: September has none, so 60 years 2 months come on 1 October, never on 30 September.
    expect(ops('2025-09-30').ageMonthsAtLeast('1965-07-31', 722)).toBe(false);
    expect(ops('2025-10-01').ageMonthsAtLeast('1965-07-31', 722)).toBe(true);
    expect(ops('2025-09-30').ageMonthsBelow('1965-07-31', 722)).toBe(true);
    // Born on 29 February: one month on 29 March, twelve on 1 March of a common year.
    expect(ops('2024-03-28').ageMonthsAtLeast('2024-02-29', 1)).toBe(false);
    expect(ops('2024-03-29').ageMonthsAtLeast('2024-02-29', 1)).toBe(true);
    expect(ops('2025-02-28').ageMonthsAtLeast('2024-02-29', 12)).toBe(false);
    expect(ops('2025-03-01').ageMonthsAtLeast('2024-02-29', 12)).toBe(true);
    // A birth after the as-of date has no age.
    expect(ops('2025-01-01').ageMonthsBelow('2025-06-01', 3)).toBe(false);
  });

  it('differs from a duration in months, which ends on the month’s last day when it has no corresponding day', () => {
    // 《民法典》第二百零二条: one month from 31 January ends on 28 February; an age is never early.
    const ops = operatorFunctions('2025-02-28');
    expect(ops.monthsSinceAtLeast('2025-01-31', 1)).toBe(true);
    expect(ops.ageMonthsAtLeast('2025-01-31', 1)).toBe(false);
    expect(operatorFunctions('2025-03-01').ageMonthsAtLeast('2025-01-31', 1)).toBe(true);
  });
});

describe('the age reached on a month-day of the as-of year', () => {
  const cutOff = { age: 6, on: '08-31' };

  it('admits a child born on 31 August and not one born on 1 September, whatever day of the year it is judged', () => {
    for (const asOf of ['2027-01-01', '2027-03-01', '2027-08-31', '2027-12-31']) {
      const ops = operatorFunctions(asOf);
      expect(ops.ageOnAtLeast('2021-08-31', cutOff), asOf).toBe(true);
      expect(ops.ageOnAtLeast('2021-09-01', cutOff), asOf).toBe(false);
      expect(ops.ageOnBelow('2020-09-01', { age: 7, on: '08-31' }), asOf).toBe(true);
      expect(ops.ageOnBelow('2020-08-31', { age: 7, on: '08-31' }), asOf).toBe(false);
    }
  });

  it('counts a 29 February birthday on 1 March in a common year, and on the day in a leap year', () => {
    expect(operatorFunctions('2027-01-01').ageOnAtLeast('2021-02-28', { age: 6, on: '02-28' })).toBe(true);
    expect(operatorFunctions('2026-01-01').ageOnAtLeast('2020-02-29', { age: 6, on: '02-28' })).toBe(false);
    expect(operatorFunctions('2026-01-01').ageOnAtLeast('2020-02-29', { age: 6, on: '03-01' })).toBe(true);
    expect(operatorFunctions('2028-01-01').ageOnAtLeast('2024-02-29', { age: 4, on: '02-28' })).toBe(false);
    expect(operatorFunctions('2028-01-01').ageOnAtLeast('2024-02-29', { age: 4, on: '03-01' })).toBe(true);
  });

  it('answers false, never throws, for a value that is not { age, on }', () => {
    const ops = operatorFunctions('2027-01-01');
    for (const value of [6, '08-31', { age: 6 }, { age: 6, on: '02-29' }, { age: '6', on: '08-31' }, null])
      expect(ops.ageOnAtLeast('2019-01-01', value)).toBe(false);
    expect(ops.ageOnAtLeast('2028-01-01', cutOff)).toBe(false);
  });
});

describe('month-days', () => {
  it('are MM-DD days every year has', () => {
    expect(['01-01', '08-31', '02-28', '12-31'].every(isMonthDay)).toBe(true);
    expect(['02-29', '04-31', '13-01', '8-31', '2025-08-31', 831].some(isMonthDay)).toBe(false);
  });

  it('compare as that day of the as-of year in dateBefore and dateOnOrAfter', () => {
    expect(operatorFunctions('2026-05-01').dateBefore('2026-08-30', '08-31')).toBe(true);
    expect(operatorFunctions('2026-05-01').dateBefore('2026-08-31', '08-31')).toBe(false);
    expect(operatorFunctions('2027-05-01').dateBefore('2026-09-01', '08-31')).toBe(true);
    expect(operatorFunctions('2027-05-01').dateOnOrAfter('2027-08-31', '08-31')).toBe(true);
  });
});

/** compulsory-school-enrollment v2 as a base for policies that use the new value forms. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const school = (): Record<string, any> =>
  structuredClone(findPolicyVersion(catalog, 'compulsory-school-enrollment', 2)!);

describe('dates and month-days as dated parameters', () => {
  it('lets a dateBefore compare with a date parameter and with a month-day parameter', async () => {
    const policy = school();
    policy.parameters.bornBefore = [{ from: '2024-01-01', value: '2019-09-01' }];
    policy.namedConditions.schoolAge = {
      fact: 'person.birthDate',
      operator: 'dateBefore',
      value: { parameter: 'bornBefore' },
    };
    delete policy.parameters.intakeCutOff;
    delete policy.parameters.schoolAge;
    delete policy.parameters.latestSchoolAge;
    const facts = { 'person.birthDate': '2019-08-31', 'person.localHukou': true, 'person.schoolEnrolled': false };
    const valid = validatePolicy(policy);
    expect((await evaluatePolicy(valid, facts, '2027-06-01')).outcome).toBe('eligible');
    expect((await evaluatePolicy(valid, { ...facts, 'person.birthDate': '2019-09-01' }, '2027-06-01')).outcome).toBe(
      'ineligible',
    );
  });

  it('names the path of a month-day no year can always hold, and of values of the wrong form', () => {
    const policy = school();
    policy.parameters.cutOff = [{ from: '2024-01-01', value: '02-29' }];
    policy.namedConditions.schoolAge = {
      all: [
        { fact: 'person.birthDate', operator: 'ageOnAtLeast', value: { age: 6, on: { parameter: 'cutOff' } } },
        { fact: 'person.birthDate', operator: 'ageOnBelow', value: { age: 7 } },
        { fact: 'person.birthDate', operator: 'ageOnBelow', value: { age: 'seven', on: '8/31' } },
        { fact: 'person.birthDate', operator: 'dateBefore', value: '02-29' },
        { fact: 'person.birthDate', operator: 'ageMonthsAtLeast', value: { parameter: 'intakeCutOff' } },
      ],
    };
    const issues = issuesOf(policy);
    const at = (path: string) => issues.find((issue) => issue.path === path)?.message;
    expect(at('parameters.cutOff[0].value')).toContain('"02-29" does not occur in most years');
    expect(at('namedConditions.schoolAge.all[1].value')).toContain('{ "age": years, "on": "MM-DD" }');
    expect(at('namedConditions.schoolAge.all[2].value.age')).toBe('must be a whole number of years');
    expect(at('namedConditions.schoolAge.all[2].value.on')).toContain('MM-DD month-day');
    expect(at('namedConditions.schoolAge.all[3].value')).toContain('"02-29" is missing from most years');
    expect(at('namedConditions.schoolAge.all[4].value.parameter')).toContain('a single number or a fact table');
  });

  it('refuses a number parameter where a month-day is needed', () => {
    const policy = school();
    const leaf = policy.namedConditions.schoolAge.all[0];
    leaf.value = { age: 6, on: { parameter: 'schoolAge' } };
    const issue = issuesOf(policy).find((i) => i.path === 'namedConditions.schoolAge.all[0].value.on.parameter');
    expect(issue?.message).toBe('parameter "schoolAge" cannot be used with ageOnAtLeast: a month-day is needed');
  });
});

describe('compulsory-school-enrollment v2 over the years', () => {
  const v2 = findPolicyVersion(catalog, 'compulsory-school-enrollment', 2)!;
  const child = (birthDate: string) => ({
    'person.birthDate': birthDate,
    'person.localHukou': true,
    'person.schoolEnrolled': false,
  });

  it('offers the child born on 1 September its place from 1 January of the next intake year', () => {
    expect(nextOutcomeChange(v2, child('2021-09-01'), '2027-09-10')).toEqual({
      date: '2028-01-01',
      outcome: 'eligible',
    });
    expect(nextOutcomeChange(v2, child('2021-08-31'), '2027-03-01')).toEqual({
      date: '2028-01-01',
      outcome: 'ineligible',
    });
  });

  it('decides each year’s intake with the same version, the cut-off day of the judged year', async () => {
    for (const year of [2027, 2028, 2031, 2040]) {
      const asOf = `${year}-04-15`;
      expect((await evaluatePolicy(v2, child(`${year - 6}-08-31`), asOf)).outcome, asOf).toBe('eligible');
      expect((await evaluatePolicy(v2, child(`${year - 6}-09-01`), asOf)).outcome, asOf).toBe('ineligible');
      expect((await evaluatePolicy(v2, child(`${year - 7}-09-01`), asOf)).outcome, asOf).toBe('eligible');
      expect((await evaluatePolicy(v2, child(`${year - 7}-08-31`), asOf)).outcome, asOf).toBe('ineligible');
    }
  });

  it('explains the age on the cut-off day, not on the day judged', () => {
    const explained = explainPolicy(v2, child('2021-09-01'), '2027-03-01');
    const leaf = explained.decision.conditions.find((c) => 'operator' in c && c.operator === 'ageOnAtLeast');
    expect(leaf).toMatchObject({
      value: { age: 6, on: '08-31' },
      result: false,
      actual: { zh: '2027-08-31 时 5 岁（出生于 2021-09-01）', en: 'aged 5 on 2027-08-31 (born 2021-09-01)' },
    });
  });
});
