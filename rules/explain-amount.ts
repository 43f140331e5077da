/**
 * What an eligible amount rests on, in words (issue 18): the age band and the day the law counts
 * it on (次月起 and the like), or the system that computed an amount read from a fact. Rules whose
 * amount is a parameter or a table entry say nothing more than the amount itself.
 */
import { findFact, type Text } from '../domain/sources.js';
import { bandCountedOn } from './amount-timing.js';
import { ageOn, parseAsOf, toCalendarDate } from './dates.js';
import { bandValue, tableAt } from './parameters.js';
import type { AgeBandFrom, Policy } from './types.js';

const TIMING: Record<AgeBandFrom, Text> = {
  birthday: { zh: '按判定当天的年龄', en: 'the age on the day judged' },
  'month-after-birthday': { zh: '生日次月起按新档次', en: 'a new band from the month after the birthday' },
  'month-of-birthday': { zh: '生日当月起按新档次', en: 'a new band from the birthday month' },
  'year-after-birthday': { zh: '生日次年起按新档次', en: 'a new band from the year after the birthday' },
  'year-of-birthday': { zh: '生日当年起按新档次', en: 'a new band from the birthday year' },
};

/** The basis of an eligible decision's amount on `asOf`, or undefined when there is nothing to add. */
export function amountBasis(policy: Policy, facts: Readonly<Record<string, unknown>>, asOf: string): Text | undefined {
  if (policy.benefit.kind !== 'cash') return undefined;
  const rule = policy.benefit.amount;
  if (rule.type === 'fromFact') {
    const known = findFact(rule.fact);
    const label = known?.field.label ?? { zh: rule.fact, en: rule.fact };
    const by = known?.source.department ?? { zh: '来源系统', en: 'the source system' };
    return { zh: `金额为${by.zh}核定的${label.zh}。`, en: `The amount is the ${label.en} as computed by ${by.en}.` };
  }
  if (rule.type !== 'ageBand') return undefined;
  const birth = toCalendarDate(facts[rule.birthDateFact]);
  const day = parseAsOf(asOf);
  if (!birth || !day) return undefined;
  const countedOn = bandCountedOn(rule.bandFrom, day);
  const age = ageOn(birth, countedOn);
  const table = tableAt(policy, rule.parameter, asOf);
  const band = Object.keys(table).find((key) => bandValue({ [key]: 1 }, age) === 1);
  if (band === undefined) return undefined;
  const timing = TIMING[rule.bandFrom ?? 'birthday'];
  const on = countedOn.toISODate()!;
  return {
    zh: `按 ${band} 岁档次发放（${timing.zh}：以 ${on} 的年龄 ${age} 岁计）。`,
    en: `Paid at the ${band} band (${timing.en}: aged ${age} on ${on}).`,
  };
}
