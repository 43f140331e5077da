/**
 * Validation of dated parameters and of the cash amount rule that reads them: entries sorted,
 * contiguous (no gap, no overlap), one in force when the policy takes effect, and in force
 * for as long as the policy is.
 */
import { DateTime } from 'luxon';
import { findFact } from '../domain/sources.js';
import { isIsoDate, isMonthDay } from './dates.js';
import { isBandKey } from './parameters.js';
import { AGE_BAND_FROM, type AgeBandFrom } from './types.js';
import {
  FACT_TYPE_ZH,
  Issues,
  at,
  checkKnownKeys,
  factZh,
  isNonEmptyString,
  isPositiveInteger,
  isRecord,
} from './validate-support.js';

const nextDay = (date: string): string =>
  DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;

/**
 * The shape of a parameter's values, the same in every entry: a number, a table of numbers, a date,
 * a month-day, or a fact table (its rows are checked by validate-fact-tables.ts).
 */
export type ParameterShape = 'number' | 'table' | 'date' | 'monthDay' | 'factTable' | 'invalid';

/** Validates `parameters`; returns each parameter's shape for the checks that use them. */
export function checkParameters(
  issues: Issues,
  value: unknown,
  effective: { from?: string; to?: string },
): Map<string, ParameterShape> {
  const shapes = new Map<string, ParameterShape>();
  if (!isRecord(value)) {
    issues.add('parameters', 'must be an object of dated value lists', '必须是由按日期生效的取值列表组成的对象');
    return shapes;
  }
  for (const [name, entries] of Object.entries(value)) {
    const path = at('parameters', name);
    if (!Array.isArray(entries) || entries.length === 0) {
      issues.add(
        path,
        'must be a non-empty list of { "from": "YYYY-MM-DD", "value": … }',
        '必须是非空列表，每项为 { "from": "YYYY-MM-DD", "value": … }',
      );
      shapes.set(name, 'invalid');
      continue;
    }
    shapes.set(name, checkDatedList(issues, path, entries, effective));
  }
  return shapes;
}

function checkDatedList(
  issues: Issues,
  path: string,
  entries: unknown[],
  effective: { from?: string; to?: string },
): ParameterShape {
  const shapes = new Set<ParameterShape>();
  let previous: { from: string; to?: string } | undefined;
  let ordered = true;
  entries.forEach((entry, i) => {
    const entryPath = at(path, i);
    if (!isRecord(entry)) {
      issues.add(
        entryPath,
        'must be an object { "from", "value" }',
        '必须是对象 { "from", "value" }（生效日期和取值）',
      );
      ordered = false;
      return;
    }
    checkKnownKeys(issues, entryPath, entry, ['from', 'to', 'value']);
    shapes.add(valueShape(issues, at(entryPath, 'value'), entry.value));
    const { from, to } = entry;
    if (!isIsoDate(from)) {
      issues.add(at(entryPath, 'from'), 'must be a YYYY-MM-DD date', '必须是 YYYY-MM-DD 格式的日期');
      ordered = false;
      return;
    }
    if (to !== undefined && !(isIsoDate(to) && to >= from))
      issues.add(
        at(entryPath, 'to'),
        `must be a YYYY-MM-DD date on or after ${from}`,
        `必须是不早于 ${from} 的 YYYY-MM-DD 日期`,
      );
    const end = isIsoDate(to) ? to : undefined;
    if (previous && ordered) {
      if (from <= previous.from)
        issues.add(
          at(entryPath, 'from'),
          `entries must be sorted by date: ${from} is not after ${previous.from}`,
          `各行必须按日期先后排列：${from} 不晚于上一行的 ${previous.from}`,
        );
      else if (previous.to !== undefined && from <= previous.to)
        issues.add(
          at(entryPath, 'from'),
          `overlaps the previous entry, in force until ${previous.to}`,
          `与上一行重叠：上一行有效至 ${previous.to}`,
        );
      else if (previous.to !== undefined && from !== nextDay(previous.to))
        issues.add(
          at(entryPath, 'from'),
          `leaves a gap after the previous entry ends on ${previous.to}`,
          `上一行于 ${previous.to} 失效后出现空档，应从 ${nextDay(previous.to)} 起接续`,
        );
    }
    previous = { from, ...(end === undefined ? {} : { to: end }) };
  });
  const first = entries[0];
  if (isIsoDate(effective.from) && isRecord(first) && isIsoDate(first.from) && first.from > effective.from) {
    issues.add(
      at(at(path, 0), 'from'),
      `no value is in force when the policy takes effect on ${effective.from}`,
      `政策于 ${effective.from} 生效时该参数尚无有效取值`,
    );
  }
  if (previous?.to !== undefined && (effective.to === undefined || previous.to < effective.to)) {
    issues.add(
      at(at(path, entries.length - 1), 'to'),
      `ends on ${previous.to} while the policy is still in force`,
      `于 ${previous.to} 失效，但政策此后仍在施行`,
    );
  }
  if (shapes.size > 1)
    issues.add(
      path,
      'every entry must have the same shape (all numbers, all tables, all dates, all month-days or all fact tables)',
      '各行取值的形式必须一致（全部为数字、对照表、日期、月日或按数据项查找的参数表）',
    );
  return shapes.size === 1 ? [...shapes][0] : 'invalid';
}

function valueShape(issues: Issues, path: string, value: unknown): ParameterShape {
  if (typeof value === 'number' && Number.isFinite(value)) return 'number';
  const dated = datedShape(issues, path, value);
  if (dated !== undefined) return dated;
  if (isRecord(value) && Object.keys(value).length > 0) {
    const bad = Object.entries(value).filter(([, n]) => typeof n !== 'number' || !Number.isFinite(n));
    for (const [key] of bad) issues.add(at(path, key), 'must be a number', '必须是数字');
    return bad.length === 0 ? 'table' : 'invalid';
  }
  issues.add(path, 'must be a number or a non-empty table of numbers', '必须是数字，或由数字组成的非空对照表');
  return 'invalid';
}

/**
 * The shapes beyond numbers and band tables: a date `YYYY-MM-DD`, a month-day `MM-DD` (not
 * `02-29`, which most years lack), or a fact table `{ keys, rows }`; undefined for other values.
 */
function datedShape(issues: Issues, path: string, value: unknown): ParameterShape | undefined {
  // Only a string written like a date is read as one; anything else gets the message for numbers.
  if (typeof value === 'string' && /^(\d{4}-)?\d{1,2}-\d{1,2}$/.test(value)) {
    if (isIsoDate(value)) return 'date';
    if (isMonthDay(value)) return 'monthDay';
    issues.add(
      path,
      value === '02-29'
        ? '"02-29" does not occur in most years: write "02-28" or "03-01"'
        : `must be a YYYY-MM-DD date or a MM-DD month-day, got ${JSON.stringify(value)}`,
      value === '02-29'
        ? '"02-29" 并非每年都有：请写 "02-28" 或 "03-01"'
        : `必须是 YYYY-MM-DD 格式的日期或 MM-DD 格式的月日，现为 ${JSON.stringify(value)}`,
    );
    return 'invalid';
  }
  if (isRecord(value) && (Object.hasOwn(value, 'keys') || Object.hasOwn(value, 'rows'))) return 'factTable';
  return undefined;
}

const AMOUNT_FIELDS: Record<
  string,
  { parameters: Record<string, ParameterShape>; facts: Record<string, 'date' | 'number' | 'any'>; other?: string[] }
> = {
  fixed: { parameters: { parameter: 'number' }, facts: {} },
  proratedByAgeMonths: {
    parameters: { parameter: 'number' },
    facts: { birthDateFact: 'date' },
    other: ['untilAgeYears'],
  },
  ageBand: { parameters: { parameter: 'table' }, facts: { birthDateFact: 'date' }, other: ['bandFrom'] },
  byFactValue: { parameters: { parameter: 'table' }, facts: { fact: 'any' } },
  shareOf: { parameters: { parameter: 'table' }, facts: { baseFact: 'number', rateByFact: 'any' } },
  monthsByFact: { parameters: { parameter: 'number', monthsParameter: 'table' }, facts: { fact: 'number' } },
  fromFact: { parameters: {}, facts: { fact: 'number' }, other: ['unit'] },
};

/** Validates a cash amount rule; returns the facts it reads (for the declared-facts checks). */
export function checkAmountRule(
  issues: Issues,
  path: string,
  rule: unknown,
  shapes: Map<string, ParameterShape>,
  parameters: unknown,
  declared: ReadonlySet<string>,
): string[] {
  if (!isRecord(rule) || typeof rule.type !== 'string' || !Object.hasOwn(AMOUNT_FIELDS, rule.type)) {
    issues.add(
      at(path, 'type'),
      `must be one of: ${Object.keys(AMOUNT_FIELDS).join(', ')}`,
      `必须是以下之一：${Object.keys(AMOUNT_FIELDS).join('、')}`,
    );
    return [];
  }
  const spec = AMOUNT_FIELDS[rule.type];
  checkKnownKeys(issues, path, rule, [
    'type',
    ...Object.keys(spec.parameters),
    ...Object.keys(spec.facts),
    ...(spec.other ?? []),
  ]);
  for (const [field, shape] of Object.entries(spec.parameters)) {
    const name = rule[field];
    if (!isNonEmptyString(name) || !shapes.has(name))
      issues.add(
        at(path, field),
        `must name a parameter of this policy, got ${JSON.stringify(name)}`,
        `必须是本政策的参数名，现为 ${JSON.stringify(name) ?? '空'}`,
      );
    else if (shapes.get(name) !== 'invalid' && shapes.get(name) !== shape)
      issues.add(
        at(path, field),
        `parameter ${name} must be a ${shape}`,
        `参数 ${name} 必须是${shape === 'table' ? '对照表' : '数字'}`,
      );
    else if (shape === 'table' && (rule.type === 'ageBand' || field === 'monthsParameter'))
      checkBandKeys(issues, at(path, field), name, parameters);
  }
  const facts: string[] = [];
  for (const [field, type] of Object.entries(spec.facts)) {
    const fact = rule[field];
    if (!isNonEmptyString(fact)) {
      issues.add(at(path, field), 'must name a fact', '必须指明数据项');
      continue;
    }
    facts.push(fact);
    if (!declared.has(fact))
      issues.add(
        at(path, field),
        `fact "${fact}" is not declared in facts`,
        `数据项 ${factZh(fact)}未在数据清单（facts）中声明`,
      );
    const known = findFact(fact);
    if (known && type !== 'any' && known.field.type !== type) {
      issues.add(
        at(path, field),
        `fact "${fact}" is a ${known.field.type}, a ${type} is needed`,
        `数据项 ${factZh(fact)}为${FACT_TYPE_ZH[known.field.type]}类，这里需要${FACT_TYPE_ZH[type]}类数据项`,
      );
    }
  }
  if (rule.type === 'ageBand' && rule.bandFrom !== undefined && !AGE_BAND_FROM.includes(rule.bandFrom as AgeBandFrom))
    issues.add(
      at(path, 'bandFrom'),
      `must be one of: ${AGE_BAND_FROM.join(', ')} (the band moves on the birthday, from the month after it, in its month, from the year after it, or in its year)`,
      `必须是以下之一：${AGE_BAND_FROM.join('、')}（生日当天起、生日次月起、生日当月起、生日次年起或生日当年起按新档次发放）`,
    );
  if (rule.type === 'proratedByAgeMonths' && !isPositiveInteger(rule.untilAgeYears))
    issues.add(at(path, 'untilAgeYears'), 'must be a positive whole number of years', '必须是正整数年数');
  return facts;
}

function checkBandKeys(issues: Issues, path: string, name: string, parameters: unknown): void {
  const entries = isRecord(parameters) && Array.isArray(parameters[name]) ? (parameters[name] as unknown[]) : [];
  for (const entry of entries) {
    if (!isRecord(entry) || !isRecord(entry.value)) continue;
    const bad = Object.keys(entry.value).filter((key) => !isBandKey(key));
    if (bad.length > 0) {
      issues.add(
        path,
        `parameter ${name} has keys that are not bands ("80-89", "100+", "12"): ${bad.join(', ')}`,
        `参数 ${name} 中有不是区间的键（应如 "80-89"、"100+"、"12"）：${bad.join('、')}`,
      );
    }
  }
}
