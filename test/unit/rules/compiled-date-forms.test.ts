/**
 * The compiled evaluator agrees with json-rules-engine on the date forms of issue 18: ages in months
 * (a literal and a fact table), the age on a month-day of the as-of year (literal and parameters),
 * month-days and dates as values and parameters, and a fact table keyed by a number and a string
 * fact under a number comparison. The harness's generators (differential.ts) put fact values on the
 * edges of each form: cut-off days, month ends, cohort boundaries, 29 February.
 */
import { describe, it } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { validatePolicy } from '../../../rules/validate.js';
import { agreementTitle, expectAgreement, shipped } from './differential.js';

const SETS = 6_000;

const dateFormsProbe = validatePolicy({
  ...structuredClone(shipped('senior-preferential-card')),
  id: 'date-forms-probe',
  facts: Object.fromEntries(
    [
      'person.birthDate',
      'person.hukouSince',
      'person.householdIncomePerCapita',
      'person.gender',
      'person.disabilityGrade',
      'person.employmentEndedOn',
    ].map((fact) => [fact, { source: findFact(fact)!.source.id, purpose: 'probe' }]),
  ),
  parameters: {
    cutOff: [
      { from: '2024-01-01', to: '2025-12-31', value: '08-31' },
      { from: '2026-01-01', value: '09-30' },
    ],
    schoolAge: [{ from: '2024-01-01', value: 6 }],
    arrivedBefore: [{ from: '2024-01-01', value: '2024-07-01' }],
    yearStart: [{ from: '2024-01-01', value: '03-01' }],
    incomeLine: [
      {
        from: '2024-01-01',
        value: {
          keys: ['person.disabilityGrade', 'person.gender'],
          rows: [
            { when: { 'person.disabilityGrade': { below: 3 } }, value: 1500 },
            { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': 'male' }, value: 900 },
            { when: { 'person.disabilityGrade': { from: 3 }, 'person.gender': 'female' }, value: 1000 },
          ],
        },
      },
    ],
    pensionAgeMonths: [
      {
        from: '2024-01-01',
        value: {
          keys: ['person.birthDate', 'person.gender'],
          rows: [
            { when: { 'person.birthDate': { to: '1964-12' } }, value: 720 },
            { when: { 'person.birthDate': { from: '1965-01', to: '1965-04' } }, value: 721 },
            { when: { 'person.birthDate': { from: '1965-05' }, 'person.gender': 'male' }, value: 722 },
            { when: { 'person.birthDate': { from: '1965-05' }, 'person.gender': 'female' }, value: 600 },
          ],
        },
      },
    ],
  },
  conditions: {
    any: [
      { condition: 'schoolChild' },
      { all: [{ condition: 'poor' }, { not: { condition: 'recentArrival' } }] },
      { condition: 'pensionAge' },
    ],
  },
  namedConditions: {
    schoolChild: {
      all: [
        {
          fact: 'person.birthDate',
          operator: 'ageOnAtLeast',
          value: { age: { parameter: 'schoolAge' }, on: { parameter: 'cutOff' } },
        },
        { fact: 'person.birthDate', operator: 'ageOnBelow', value: { age: 7, on: '08-31' } },
        { fact: 'person.birthDate', operator: 'ageMonthsBelow', value: 90 },
      ],
    },
    poor: {
      all: [
        { fact: 'person.householdIncomePerCapita', operator: 'lessThan', value: { parameter: 'incomeLine' } },
        { fact: 'person.birthDate', operator: 'ageMonthsAtLeast', value: 216 },
      ],
    },
    recentArrival: {
      any: [
        { fact: 'person.hukouSince', operator: 'dateOnOrAfter', value: { parameter: 'arrivedBefore' } },
        { fact: 'person.hukouSince', operator: 'dateOnOrAfter', value: { parameter: 'yearStart' } },
        { fact: 'person.employmentEndedOn', operator: 'dateBefore', value: '02-28' },
      ],
    },
    pensionAge: { fact: 'person.birthDate', operator: 'ageMonthsAtLeast', value: { parameter: 'pensionAgeMonths' } },
  },
  tests: [
    {
      name: 'a child six by the cut-off passes the date-forms probe',
      asOf: '2025-03-01',
      facts: { 'person.birthDate': '2019-08-31' },
      expect: { outcome: 'eligible' },
    },
  ],
});

describe('the compiled evaluator agrees with json-rules-engine on the date forms', () => {
  it(agreementTitle(dateFormsProbe, SETS), () => expectAgreement(dateFormsProbe, SETS), 120_000);
});
