/**
 * A statutory-retirement-age policy written the long way, as the officer had to before
 * cohort tables (issue 18): the gradual reform in force since 2025 raises the age by one month for
 * each birth cohort of a few months, so "has reached retirement age" is an `any` of about a hundred
 * groups, one per sex and birth cohort, each "this sex, born in this window, at least N months old".
 * Explanation tests measure how readable its explanation stays.
 */
import type { Condition, Policy } from '../../rules/types.js';

/** YYYY-MM-01 of a month counted from January 1960 (0). */
const monthStart = (index: number) =>
  `${1960 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;

interface Cohort {
  gender: 'male' | 'female';
  /** First birth month of the cohort, counted from January 1960. */
  from: number;
  months: number;
  /** Retirement age in months. */
  age: number;
}

/** The reform's cohorts: men from 60 by a month every 4 months, women (cadres) from 55 and (workers) from 50, every 4 and 2 months. */
function cohorts(): Cohort[] {
  const list: Cohort[] = [];
  for (let step = 0; step < 36; step++)
    list.push({ gender: 'male', from: 60 + step * 4, months: 4, age: 720 + step + 1 });
  for (let step = 0; step < 60; step++)
    list.push({ gender: 'female', from: 60 + 60 + step * 2, months: 2, age: 600 + step + 1 });
  return list;
}

/** One cohort's group; `named` gives it a name and a label (the grouped explanation's unit). */
function cohortGroup(cohort: Cohort, named: boolean): Condition {
  const from = monthStart(cohort.from);
  const to = monthStart(cohort.from + cohort.months);
  const years = Math.floor(cohort.age / 12);
  const months = cohort.age % 12;
  const sexZh = cohort.gender === 'male' ? '男性' : '女性';
  const group: Condition = {
    all: [
      { fact: 'person.gender', operator: 'equal', value: cohort.gender },
      { fact: 'person.birthDate', operator: 'dateOnOrAfter', value: from },
      { fact: 'person.birthDate', operator: 'dateBefore', value: to },
      { fact: 'person.birthDate', operator: 'monthsSinceAtLeast', value: cohort.age },
    ],
  };
  return named
    ? {
        ...group,
        name: `${cohort.gender}Born${from.slice(0, 7).replace('-', '')}`,
        label: {
          zh: `${sexZh}，${from.slice(0, 7)} 至 ${to.slice(0, 7)}（不含）出生，年满 ${years} 岁 ${months} 个月`,
          en: `${cohort.gender === 'male' ? 'a man' : 'a woman'} born from ${from.slice(0, 7)} to before ${to.slice(0, 7)}, aged ${years} years ${months} months`,
        },
      }
    : group;
}

/** The policy: local hukou and statutory retirement age reached (96 cohort groups). */
export function retirementAgePolicy(options: { namedGroups: boolean }): Policy {
  const groups = cohorts().map((cohort) => cohortGroup(cohort, options.namedGroups));
  return {
    id: 'retirement-age-pension',
    version: 1,
    effective: { from: '2025-01-01' },
    title: { zh: '按法定退休年龄领取基本养老金', en: 'basic pension from the statutory retirement age' },
    department: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
    reference: '全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024），附件',
    subject: 'person',
    triggers: ['age.milestone'],
    mode: 'auto',
    period: 'once',
    facts: {
      'person.birthDate': { source: 'household-registry', purpose: '判断是否达到法定退休年龄' },
      'person.gender': { source: 'household-registry', purpose: '按性别确定法定退休年龄' },
      'person.localHukou': { source: 'household-registry', purpose: '本市户籍' },
    },
    parameters: {},
    conditions: { all: [{ condition: 'retirementAgeReached' }, { condition: 'localHukou' }] },
    namedConditions: {
      retirementAgeReached: {
        any: groups,
        label: { zh: '已达到法定退休年龄', en: 'has reached the statutory retirement age' },
      },
      localHukou: {
        fact: 'person.localHukou',
        operator: 'equal',
        value: true,
        label: { zh: '本市户籍', en: 'local household registration' },
      },
    },
    benefit: { kind: 'service', description: { zh: '基本养老金领取资格', en: 'entitlement to a basic pension' } },
    tests: [
      {
        name: 'a man born in March 1966 who is 60 years 5 months old has reached his retirement age',
        asOf: '2026-08-15',
        facts: { 'person.gender': 'male', 'person.birthDate': '1966-03-10', 'person.localHukou': true },
        expect: { outcome: 'eligible' },
      },
    ],
  } as Policy;
}
