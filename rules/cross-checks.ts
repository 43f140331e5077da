/**
 * Checks across the published policies plus a candidate version, beyond what one document
 * can show: a policy that can never fire, two policies granting the same benefit (by benefit code)
 * to the same subjects at the same time, a benefit with no code, and a trigger no event produces. Pure: callers load the set.
 */
import { DateTime } from 'luxon';
import { EVENT_TYPES, findEventType } from '../domain/events.js';
import { amountParameters } from './amount.js';
import { bandFromFitsPeriod, bandFromsFitting } from './amount-timing.js';
import { satisfiable } from './condition-sat.js';
import { benefitCodeOf, findBenefitCode } from '../domain/benefit-codes.js';
import type { Condition, Policy } from './types.js';
import { at } from './validate-support.js';

export type CrossCheck =
  'never-fires' | 'duplicate-benefit' | 'unknown-trigger' | 'day-dependent-amount' | 'no-benefit-code';

/** One finding; `path` is in validate.ts's format, so editors can point at the field. */
export interface CrossCheckFinding {
  check: CrossCheck;
  severity: 'error' | 'warning';
  policyId: string;
  version: number;
  path: string;
  message: string;
  messageZh: string;
  otherPolicyId?: string;
  otherVersion?: number;
}

interface Interval {
  from: string;
  to?: string;
}

/**
 * Findings across `published` plus `candidate` (which replaces a published version with the
 * same id and number). With a candidate, only the findings about the candidate are returned.
 */
export function crossCheckPolicies(published: readonly Policy[], candidate?: Policy): CrossCheckFinding[] {
  const set = candidate
    ? [...published.filter((p) => !(p.id === candidate.id && p.version === candidate.version)), candidate]
    : [...published];
  const findings = [
    ...set.flatMap(checkTriggers),
    ...set.flatMap(checkNeverFires),
    ...checkDuplicateBenefits(set),
    ...set.flatMap(checkDayDependentAmount),
    ...set.flatMap(checkDayDependentParameters),
    ...set.flatMap(checkDayDependentConditions),
    ...set.flatMap(checkBenefitCodeNamed),
  ];
  return candidate ? findings.filter((f) => f.policyId === candidate.id && f.version === candidate.version) : findings;
}

function checkTriggers(policy: Policy): CrossCheckFinding[] {
  return policy.triggers.flatMap((trigger, i) => {
    const event = findEventType(trigger);
    if (event && event.subject === policy.subject) return [];
    const base = {
      check: 'unknown-trigger' as const,
      severity: 'error' as const,
      policyId: policy.id,
      version: policy.version,
      path: at('triggers', i),
    };
    if (event) {
      return [
        {
          ...base,
          message: `no ${policy.subject} case ever starts from "${trigger}": that event concerns ${event.subject === 'person' ? 'a person' : 'an enterprise'}`,
          messageZh: `“${trigger}”事件的对象是${event.subject === 'person' ? '个人' : '企业'}，不会触发本政策`,
        },
      ];
    }
    const near = nearestEventType(trigger);
    const hint = near ? `; did you mean "${near}"?` : '';
    return [
      {
        ...base,
        message: `no event produces "${trigger}" (domain/events.ts)${hint}`,
        messageZh: `没有任何事件产生“${trigger}”${near ? `；是否应为“${near}”？` : ''}`,
      },
    ];
  });
}

function checkNeverFires(policy: Policy): CrossCheckFinding[] {
  const answer = satisfiable([policy], policy.effective.from, policy.effective.to);
  if (answer.possible) return [];
  const single = answer.contradictions.length === 1 ? answer.contradictions[0] : undefined;
  const details = answer.contradictions.map(
    (c) => `${c.path} contradicts ${c.with.join(', ') || 'the policy period'} on ${c.fact}`,
  );
  return [
    {
      check: 'never-fires',
      severity: 'error',
      policyId: policy.id,
      version: policy.version,
      path: single?.path ?? 'conditions',
      message: `the conditions can never all hold, so no one is ever eligible: ${details.join('; ')}`,
      messageZh: `资格条件相互矛盾，任何对象都不可能符合：${answer.contradictions.map((c) => `${c.path} 与 ${c.with.join('、') || '施行期间'} 对 ${c.fact} 的要求冲突`).join('；')}`,
    },
  ];
}

/**
 * Two policies granting the same benefit — the same code in the list of benefits
 * (domain/benefit-codes.ts), whatever their descriptions say — to the same kind of subject in
 * overlapping periods, where both sets of conditions can hold at once: an error on both sides.
 * Descriptions are not compared: a notice's wording differs between policies paying the same
 * benefit, and near-identical wording names different benefits.
 */
function checkDuplicateBenefits(set: readonly Policy[]): CrossCheckFinding[] {
  const findings: CrossCheckFinding[] = [];
  for (const [i, a] of set.entries()) {
    const code = benefitCodeOf(a);
    if (code === undefined) continue;
    for (const b of set.slice(i + 1)) {
      if (a.id === b.id || a.subject !== b.subject || benefitCodeOf(b) !== code) continue;
      const overlap = activeIntervals(a, set).flatMap((x) => activeIntervals(b, set).flatMap((y) => intersect(x, y)));
      const shared = overlap.find((window) => satisfiable([a, b], window.from, window.to).possible);
      if (!shared) continue;
      const period = `${shared.from} to ${shared.to ?? 'open end'}`;
      const name = findBenefitCode(code)?.name ?? { zh: code, en: code };
      const finding = (self: Policy, other: Policy): CrossCheckFinding => ({
        check: 'duplicate-benefit',
        severity: 'error',
        policyId: self.id,
        version: self.version,
        path: self.benefit.code === undefined ? 'benefit' : 'benefit.code',
        message: `${other.id} v${other.version} grants the same benefit (${code}, ${name.en}) to the same ${self.subject === 'person' ? 'persons' : 'enterprises'} in ${period}, and both policies' conditions can hold at once: a subject could receive it twice`,
        messageZh: `${other.id} 第 ${other.version} 版在 ${shared.from} 至 ${shared.to ?? '长期'} 期间向同一对象发放相同待遇（${code} ${name.zh}），且两者条件可同时满足，可能重复享受`,
        otherPolicyId: other.id,
        otherVersion: other.version,
      });
      findings.push(finding(a, b), finding(b, a));
    }
  }
  return findings;
}

/** A version whose benefit has no code (and no shipped mapping): the duplicate check cannot see it. */
function checkBenefitCodeNamed(policy: Policy): CrossCheckFinding[] {
  if (benefitCodeOf(policy) !== undefined) return [];
  return [
    {
      check: 'no-benefit-code',
      severity: 'warning',
      policyId: policy.id,
      version: policy.version,
      path: 'benefit.code',
      message:
        'the benefit names no code from the list of benefits (GET /catalog benefitCodes): the duplicate-benefit check cannot compare it with other policies',
      messageZh: '待遇未填写待遇目录中的编码，无法检查是否与其他政策重复享受',
    },
  ];
}

const dayBefore = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).minus({ days: 1 }).toISODate() as string;
const dayAfter = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;

function intersect(x: Interval, y: Interval): Interval[] {
  const from = x.from > y.from ? x.from : y.from;
  const to = x.to === undefined ? y.to : y.to === undefined ? x.to : x.to < y.to ? x.to : y.to;
  return to === undefined || from <= to ? [{ from, ...(to === undefined ? {} : { to }) }] : [];
}

/** Where a version decides cases: its effective range minus the ranges of higher versions of the same policy (catalog.ts picks the latest in force). */
function activeIntervals(policy: Policy, set: readonly Policy[]): Interval[] {
  let intervals: Interval[] = [{ ...policy.effective }];
  for (const newer of set.filter((p) => p.id === policy.id && p.version > policy.version)) {
    intervals = intervals.flatMap((interval) => subtract(interval, newer.effective));
  }
  return intervals;
}

function subtract(x: Interval, y: Interval): Interval[] {
  if (intersect(x, y).length === 0) return [x];
  const parts: Interval[] = [];
  if (x.from < y.from) parts.push({ from: x.from, to: dayBefore(y.from) });
  if (y.to !== undefined && (x.to === undefined || x.to > y.to))
    parts.push({ from: dayAfter(y.to), ...(x.to === undefined ? {} : { to: x.to }) });
  return parts;
}

/** The known event type closest in spelling, when it is close enough to be a typo. */
function nearestEventType(trigger: string): string | undefined {
  let best: { type: string; distance: number } | undefined;
  for (const { type } of EVENT_TYPES) {
    const distance = editDistance(trigger, type);
    if (!best || distance < best.distance) best = { type, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(trigger.length / 5)) ? best.type : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/**
 * An age band read on the day judged (`bandFrom` left out) in a monthly or yearly policy: the
 * period's amount depends on which of its days it is judged (issue 18). A warning, since versions
 * published before timings existed (old-age-allowance v1) stay valid; the validator refuses an
 * explicit timing finer than the period.
 */
function checkDayDependentAmount(policy: Policy): CrossCheckFinding[] {
  const rule = policy.benefit.kind === 'cash' ? policy.benefit.amount : undefined;
  if (rule?.type !== 'ageBand' || rule.bandFrom !== undefined || bandFromFitsPeriod(undefined, policy.period))
    return [];
  const fitting = bandFromsFitting(policy.period);
  const every = policy.period === 'month' ? 'monthly' : 'yearly';
  return [
    {
      check: 'day-dependent-amount',
      severity: 'warning',
      policyId: policy.id,
      version: policy.version,
      path: 'benefit.amount.bandFrom',
      message: `the age band is read on the day judged, so a ${every} grant's amount depends on that day (the higher band from the birthday, inside the period): say when the law moves it, e.g. bandFrom ${fitting.join(' or ')}`,
      messageZh: `年龄档次按判定当天的年龄确定，${policy.period === 'month' ? '按月' : '按年'}发放的金额会随判定日期不同而不同（生日当期即按新档次）：请用 bandFrom 写明法规规定的时点，例如 ${fitting.join('、')}`,
    },
  ];
}

/** A finding of a period's decision depending on the day judged; a warning (see checkDayDependentAmount). */
const dayDependent = (policy: Policy, path: string, message: string, messageZh: string): CrossCheckFinding => ({
  check: 'day-dependent-amount',
  severity: 'warning',
  policyId: policy.id,
  version: policy.version,
  path,
  message,
  messageZh,
});

const isFirstOf = (date: string, period: 'month' | 'year'): boolean =>
  period === 'month' ? date.endsWith('-01') : date.endsWith('-01-01');

/**
 * An amount parameter whose value changes inside a grant period while the policy is in force: the
 * period's amount would depend on the day judged. A prorated annual amount takes each month's
 * value on its first day, so for it a change on the first of a month is whole.
 */
function checkDayDependentParameters(policy: Policy): CrossCheckFinding[] {
  if (policy.benefit.kind !== 'cash' || policy.period === 'once') return [];
  const grain = policy.benefit.amount.type === 'proratedByAgeMonths' ? 'month' : policy.period;
  const inForce = (date: string) =>
    date > policy.effective.from && (policy.effective.to === undefined || date <= policy.effective.to);
  return amountParameters(policy.benefit.amount).flatMap((name) =>
    (policy.parameters[name] ?? []).flatMap((entry, i) => {
      if (!inForce(entry.from) || isFirstOf(entry.from, grain)) return [];
      const date = entry.from;
      return [
        dayDependent(
          policy,
          at(at(at('parameters', name), i), 'from'),
          `the amount changes on ${date}, inside a ${grain}: a ${policy.period === 'month' ? 'monthly' : 'yearly'} grant's amount would depend on the day judged; start it on the first day of a ${grain}`,
          `金额在 ${date} 变化，落在一个${grain === 'month' ? '月' : '年'}的中间：${policy.period === 'month' ? '按月' : '按年'}发放的金额会随判定日期不同而不同；请自${grain === 'month' ? '某月1日' : '某年1月1日'}起变化`,
        ),
      ];
    }),
  );
}

/** How finely a date operator reads the day judged: a day, a month (次月起) or a year. */
const OPERATOR_GRAIN: Record<string, 'day' | 'month'> = {
  ageAtLeast: 'day',
  ageBelow: 'day',
  daysSinceAtLeast: 'day',
  daysSinceAtMost: 'day',
  monthsSinceAtLeast: 'day',
  monthsSinceAtMost: 'day',
  ageReachedBeforeMonth: 'month',
};

/**
 * A condition that reads the day judged more finely than the grant period (an age reached on the
 * birthday in a monthly policy): eligibility for one period would depend on the day it is judged.
 */
function checkDayDependentConditions(policy: Policy): CrossCheckFinding[] {
  if (policy.period === 'once') return [];
  const findings: CrossCheckFinding[] = [];
  const visit = (condition: Condition, path: string): void => {
    if ('all' in condition) condition.all.forEach((child, i) => visit(child, at(at(path, 'all'), i)));
    else if ('any' in condition) condition.any.forEach((child, i) => visit(child, at(at(path, 'any'), i)));
    else if ('not' in condition) visit(condition.not, at(path, 'not'));
    else if ('fact' in condition) {
      const grain = OPERATOR_GRAIN[condition.operator];
      if (grain === undefined || (grain === 'month' && policy.period === 'month')) return;
      findings.push(
        dayDependent(
          policy,
          at(path, 'operator'),
          `${condition.operator} reads the day judged, so eligibility for one ${policy.period} would depend on which of its days it is judged; use an operator counted by ${policy.period === 'month' ? 'month (ageReachedBeforeMonth: 次月起)' : 'year (ageBelowDuringYear)'}`,
          `${condition.operator} 按判定当天计算，同一${policy.period === 'month' ? '月' : '年'}的资格会随判定日期不同而不同；请改用按${policy.period === 'month' ? '月计算的运算符（ageReachedBeforeMonth：次月起）' : '年计算的运算符（ageBelowDuringYear）'}`,
        ),
      );
    }
  };
  visit(policy.conditions, 'conditions');
  for (const [name, named] of Object.entries(policy.namedConditions)) visit(named, at('namedConditions', name));
  return findings;
}
