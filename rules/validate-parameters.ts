/**
 * Validation of dated parameters and of the cash amount rule that reads them: entries sorted,
 * contiguous (no gap, no overlap), one in force when the policy takes effect, and in force
 * for as long as the policy is.
 */
import { DateTime } from 'luxon';
import { findFact } from '../domain/sources.js';
import { isIsoDate } from './dates.js';
import { isBandKey } from './parameters.js';
import { Issues, at, checkKnownKeys, isNonEmptyString, isPositiveInteger, isRecord } from './validate-support.js';

const nextDay = (date: string): string => DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;

/** The shape of a parameter's values: every entry a number, or every entry a table. */
export type ParameterShape = 'number' | 'table' | 'invalid';

/** Validates `parameters`; returns each parameter's shape for the checks that use them. */
export function checkParameters(issues: Issues, value: unknown, effective: { from?: string; to?: string }): Map<string, ParameterShape> {
  const shapes = new Map<string, ParameterShape>();
  if (!isRecord(value)) {
    issues.add('parameters', 'must be an object of dated value lists');
    return shapes;
  }
  for (const [name, entries] of Object.entries(value)) {
    const path = at('parameters', name);
    if (!Array.isArray(entries) || entries.length === 0) {
      issues.add(path, 'must be a non-empty list of { "from": "YYYY-MM-DD", "value": … }');
      shapes.set(name, 'invalid');
      continue;
    }
    shapes.set(name, checkDatedList(issues, path, entries, effective));
  }
  return shapes;
}

function checkDatedList(issues: Issues, path: string, entries: unknown[], effective: { from?: string; to?: string }): ParameterShape {
  const shapes = new Set<ParameterShape>();
  let previous: { from: string; to?: string } | undefined;
  let ordered = true;
  entries.forEach((entry, i) => {
    const entryPath = at(path, i);
    if (!isRecord(entry)) {
      issues.add(entryPath, 'must be an object { "from", "value" }');
      ordered = false;
      return;
    }
    checkKnownKeys(issues, entryPath, entry, ['from', 'to', 'value']);
    shapes.add(valueShape(issues, at(entryPath, 'value'), entry.value));
    const { from, to } = entry;
    if (!isIsoDate(from)) {
      issues.add(at(entryPath, 'from'), 'must be a YYYY-MM-DD date');
      ordered = false;
      return;
    }
    if (to !== undefined && !(isIsoDate(to) && to >= from)) issues.add(at(entryPath, 'to'), `must be a YYYY-MM-DD date on or after ${from}`);
    const end = isIsoDate(to) ? to : undefined;
    if (previous && ordered) {
      if (from <= previous.from) issues.add(at(entryPath, 'from'), `entries must be sorted by date: ${from} is not after ${previous.from}`);
      else if (previous.to !== undefined && from <= previous.to) issues.add(at(entryPath, 'from'), `overlaps the previous entry, in force until ${previous.to}`);
      else if (previous.to !== undefined && from !== nextDay(previous.to)) issues.add(at(entryPath, 'from'), `leaves a gap after the previous entry ends on ${previous.to}`);
    }
    previous = { from, ...(end === undefined ? {} : { to: end }) };
  });
  const first = entries[0];
  if (isIsoDate(effective.from) && isRecord(first) && isIsoDate(first.from) && first.from > effective.from) {
    issues.add(at(at(path, 0), 'from'), `no value is in force when the policy takes effect on ${effective.from}`);
  }
  if (previous?.to !== undefined && (effective.to === undefined || previous.to < effective.to)) {
    issues.add(at(at(path, entries.length - 1), 'to'), `ends on ${previous.to} while the policy is still in force`);
  }
  if (shapes.size > 1) issues.add(path, 'every entry must have the same shape (all numbers or all tables)');
  return shapes.size === 1 ? [...shapes][0] : 'invalid';
}

function valueShape(issues: Issues, path: string, value: unknown): ParameterShape {
  if (typeof value === 'number' && Number.isFinite(value)) return 'number';
  if (isRecord(value) && Object.keys(value).length > 0) {
    const bad = Object.entries(value).filter(([, n]) => typeof n !== 'number' || !Number.isFinite(n));
    for (const [key] of bad) issues.add(at(path, key), 'must be a number');
    return bad.length === 0 ? 'table' : 'invalid';
  }
  issues.add(path, 'must be a number or a non-empty table of numbers');
  return 'invalid';
}

const AMOUNT_FIELDS: Record<string, { parameters: Record<string, ParameterShape>; facts: Record<string, 'date' | 'number' | 'any'>; other?: string[] }> = {
  fixed: { parameters: { parameter: 'number' }, facts: {} },
  proratedByAgeMonths: { parameters: { parameter: 'number' }, facts: { birthDateFact: 'date' }, other: ['untilAgeYears'] },
  ageBand: { parameters: { parameter: 'table' }, facts: { birthDateFact: 'date' } },
  byFactValue: { parameters: { parameter: 'table' }, facts: { fact: 'any' } },
  shareOf: { parameters: { parameter: 'table' }, facts: { baseFact: 'number', rateByFact: 'any' } },
  monthsByFact: { parameters: { parameter: 'number', monthsParameter: 'table' }, facts: { fact: 'number' } },
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
  if (!isRecord(rule) || typeof rule.type !== 'string' || !(rule.type in AMOUNT_FIELDS)) {
    issues.add(at(path, 'type'), `must be one of: ${Object.keys(AMOUNT_FIELDS).join(', ')}`);
    return [];
  }
  const spec = AMOUNT_FIELDS[rule.type];
  checkKnownKeys(issues, path, rule, ['type', ...Object.keys(spec.parameters), ...Object.keys(spec.facts), ...(spec.other ?? [])]);
  for (const [field, shape] of Object.entries(spec.parameters)) {
    const name = rule[field];
    if (!isNonEmptyString(name) || !shapes.has(name)) issues.add(at(path, field), `must name a parameter of this policy, got ${JSON.stringify(name)}`);
    else if (shapes.get(name) !== 'invalid' && shapes.get(name) !== shape) issues.add(at(path, field), `parameter ${name} must be a ${shape}`);
    else if (shape === 'table' && (rule.type === 'ageBand' || field === 'monthsParameter')) checkBandKeys(issues, at(path, field), name, parameters);
  }
  const facts: string[] = [];
  for (const [field, type] of Object.entries(spec.facts)) {
    const fact = rule[field];
    if (!isNonEmptyString(fact)) {
      issues.add(at(path, field), 'must name a fact');
      continue;
    }
    facts.push(fact);
    if (!declared.has(fact)) issues.add(at(path, field), `fact "${fact}" is not declared in facts`);
    const known = findFact(fact);
    if (known && type !== 'any' && known.field.type !== type) issues.add(at(path, field), `fact "${fact}" is a ${known.field.type}, a ${type} is needed`);
  }
  if (rule.type === 'proratedByAgeMonths' && !isPositiveInteger(rule.untilAgeYears)) issues.add(at(path, 'untilAgeYears'), 'must be a positive whole number of years');
  return facts;
}

function checkBandKeys(issues: Issues, path: string, name: string, parameters: unknown): void {
  const entries = isRecord(parameters) && Array.isArray(parameters[name]) ? (parameters[name] as unknown[]) : [];
  for (const entry of entries) {
    if (!isRecord(entry) || !isRecord(entry.value)) continue;
    const bad = Object.keys(entry.value).filter((key) => !isBandKey(key));
    if (bad.length > 0) issues.add(path, `parameter ${name} has keys that are not bands ("80-89", "100+", "12"): ${bad.join(', ')}`);
  }
}
