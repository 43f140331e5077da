/**
 * Validation of fact tables (参数表, e.g. the retirement age by birth month and sex): declared key
 * facts, rows matching each key as its type allows, and exactly one row for every subject — no two
 * rows overlap and no subject falls in a gap, so a present set of key facts always finds its row.
 * Rows are checked on a grid of representative values (every boundary and a value either side).
 */
import { findFact, type FactType } from '../domain/sources.js';
import { isRangeMatch, isYearMonth, matchesValue } from './fact-tables.js';
import type { FactTableMatch } from './types.js';
import { FACT_TYPE_ZH, Issues, at, checkKnownKeys, factZh, isRecord } from './validate-support.js';

const MAX_GRID = 200_000;

/** Checks every fact-table value of `parameters`; returns the key facts they read. */
export function checkFactTables(issues: Issues, parameters: unknown, declared: ReadonlySet<string>): string[] {
  if (!isRecord(parameters)) return [];
  const read = new Set<string>();
  for (const [name, entries] of Object.entries(parameters)) {
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (!isRecord(entry) || !isRecord(entry.value)) return;
      const value = entry.value;
      if (!Object.hasOwn(value, 'keys') && !Object.hasOwn(value, 'rows')) return;
      const keys = checkTable(issues, at(at(at('parameters', name), i), 'value'), value, declared);
      keys.forEach((key) => read.add(key));
    });
  }
  return [...read];
}

function checkTable(
  issues: Issues,
  path: string,
  table: Record<string, unknown>,
  declared: ReadonlySet<string>,
): string[] {
  checkKnownKeys(issues, path, table, ['keys', 'rows']);
  const keys = checkKeys(issues, at(path, 'keys'), table.keys, declared);
  const rows = table.rows;
  if (!Array.isArray(rows) || rows.length === 0) {
    issues.add(
      at(path, 'rows'),
      'must be a non-empty list of { "when": { fact: match }, "value": number }',
      '必须是非空列表，每行为 { "when": { 数据项: 取值范围 }, "value": 数值 }',
    );
    return keys.map(({ key }) => key);
  }
  let valid = keys.length > 0 && keys.every(({ type }) => type !== undefined);
  rows.forEach((row, i) => {
    if (!checkRow(issues, at(at(path, 'rows'), i), row, keys)) valid = false;
  });
  if (valid) checkCoverage(issues, at(path, 'rows'), keys as Array<{ key: string; type: FactType }>, rows as Row[]);
  return keys.map(({ key }) => key);
}

interface Row {
  when: Record<string, FactTableMatch>;
  value: number;
}

function checkKeys(
  issues: Issues,
  path: string,
  value: unknown,
  declared: ReadonlySet<string>,
): Array<{ key: string; type: FactType | undefined; values?: readonly string[] }> {
  if (!Array.isArray(value) || value.length === 0 || value.some((key) => typeof key !== 'string')) {
    issues.add(
      path,
      'must be a non-empty list of the facts the rows are keyed by, e.g. ["person.birthDate", "person.gender"]',
      '必须是非空列表，列出各行所依据的数据项，例如 ["person.birthDate", "person.gender"]',
    );
    return [];
  }
  const keys = value as string[];
  keys.forEach((key, i) => {
    if (keys.indexOf(key) !== i) issues.add(at(path, i), `"${key}" is listed twice`, `${factZh(key)}重复列出`);
    else if (!declared.has(key))
      issues.add(
        at(path, i),
        `fact "${key}" is not declared in facts`,
        `数据项 ${factZh(key)}未在数据清单（facts）中声明`,
      );
  });
  return keys.map((key) => {
    const field = findFact(key)?.field;
    return { key, type: field?.type, ...(field?.values ? { values: field.values } : {}) };
  });
}

function checkRow(
  issues: Issues,
  path: string,
  row: unknown,
  keys: Array<{ key: string; type: FactType | undefined; values?: readonly string[] }>,
): boolean {
  if (!isRecord(row) || !isRecord(row.when)) {
    issues.add(
      path,
      'must be { "when": { fact: match }, "value": number }',
      '必须是 { "when": { 数据项: 取值范围 }, "value": 数值 }',
    );
    return false;
  }
  checkKnownKeys(issues, path, row, ['when', 'value']);
  let ok = true;
  if (typeof row.value !== 'number' || !Number.isFinite(row.value)) {
    issues.add(at(path, 'value'), 'must be a number', '必须是数字');
    ok = false;
  }
  for (const [fact, match] of Object.entries(row.when)) {
    const key = keys.find((candidate) => candidate.key === fact);
    const matchPath = at(at(path, 'when'), fact);
    if (!key) {
      issues.add(matchPath, `"${fact}" is not one of the table's keys`, `${factZh(fact)}不是本表的键（keys）之一`);
      ok = false;
    } else if (key.type !== undefined && !checkMatch(issues, matchPath, match, key.type, key.values)) ok = false;
  }
  return ok;
}

/** One match for a key of a type: a month range for dates, a number or range for numbers, a value or list otherwise. */
function checkMatch(
  issues: Issues,
  path: string,
  match: unknown,
  type: FactType,
  values: readonly string[] | undefined,
): boolean {
  const fail = (en: string, zh: string): false => {
    issues.add(path, en, zh);
    return false;
  };
  if (type === 'date') {
    if (!isRecord(match) || !isRangeMatch(match as FactTableMatch))
      return fail(
        'a date fact is matched by its month: { "from": "YYYY-MM", "to": "YYYY-MM" } (either may be left out)',
        '日期类数据项按所在月份匹配：{ "from": "YYYY-MM", "to": "YYYY-MM" }（可省略其一）',
      );
    return checkRange(issues, path, match, isYearMonth, 'a YYYY-MM month', 'YYYY-MM 格式的月份');
  }
  if (type === 'number') {
    if (typeof match === 'number' && Number.isFinite(match)) return true;
    if (!isRecord(match))
      return fail(
        'a number fact is matched by a number, { "from": n, "to": n } (inclusive) or { "from": n, "below": m }',
        '数值类数据项按数值或 { "from": n, "to": n }（含两端）、{ "from": n, "below": m }（不含 m）匹配',
      );
    const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    if (match.below !== undefined && (match.to !== undefined || !isNumber(match.below)))
      return fail(
        '"below" (exclusive) is a number and replaces "to" (inclusive)',
        '"below"（不含）须为数字，且不能与 "to"（含）同时使用',
      );
    const { below, ...inclusive } = match;
    return checkRange(
      issues,
      path,
      below === undefined ? inclusive : { ...inclusive, to: below },
      isNumber,
      'a number',
      '数字',
    );
  }
  const items = Array.isArray(match) ? match : [match];
  const scalar = type === 'boolean' ? 'boolean' : 'string';
  if (items.length === 0 || items.some((item) => typeof item !== scalar))
    return fail(
      `a ${type} fact is matched by a ${scalar} or a non-empty list of them`,
      `${FACT_TYPE_ZH[type]}类数据项按${FACT_TYPE_ZH[scalar]}或其非空列表匹配`,
    );
  const outside = values ? items.filter((item) => !values.includes(item as string)) : [];
  if (outside.length > 0)
    return fail(
      `not among the fact's values (${values!.join(', ')}): ${outside.join(', ')}`,
      `不是该数据项的可选值（${values!.join('、')}）：${outside.join('、')}`,
    );
  return true;
}

function checkRange(
  issues: Issues,
  path: string,
  match: Record<string, unknown>,
  isBound: (value: unknown) => boolean,
  boundEn: string,
  boundZh: string,
): boolean {
  checkKnownKeys(issues, path, match, ['from', 'to']);
  const { from, to } = match;
  let ok = true;
  for (const [name, bound] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (bound !== undefined && !isBound(bound)) {
      issues.add(at(path, name), `must be ${boundEn}`, `必须是${boundZh}`);
      ok = false;
    }
  }
  if (from === undefined && to === undefined) {
    issues.add(path, 'needs "from", "to" or both', '至少需要 "from" 或 "to"');
    ok = false;
  } else if (ok && from !== undefined && to !== undefined && (from as string | number) > (to as string | number)) {
    issues.add(
      path,
      `"from" ${String(from)} is after "to" ${String(to)}`,
      `"from" ${String(from)} 晚于 "to" ${String(to)}`,
    );
    ok = false;
  }
  return ok;
}

const addMonths = (month: string, n: number): string => {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
};

/** Values of one key that stand for every case of it: each boundary and a value either side. */
function representatives(key: { key: string; type: FactType; values?: readonly string[] }, rows: Row[]): unknown[] {
  const matches = rows.map((row) => row.when[key.key]).filter((match) => match !== undefined);
  if (key.type === 'date') {
    const starts = new Set<string>();
    for (const match of matches) {
      if (!isRangeMatch(match)) continue;
      if (typeof match.from === 'string') starts.add(match.from);
      if (typeof match.to === 'string') starts.add(addMonths(match.to, 1));
    }
    const sorted = [...starts].sort();
    const months = sorted.length === 0 ? ['2000-01'] : [addMonths(sorted[0], -1), ...sorted];
    return months.map((month) => `${month}-15`);
  }
  if (key.type === 'number') {
    const points = new Set<number>();
    for (const match of matches) {
      if (typeof match === 'number') points.add(match);
      else if (isRangeMatch(match)) {
        if (typeof match.from === 'number') points.add(match.from);
        if (typeof match.to === 'number') points.add(match.to);
        if (typeof match.below === 'number') points.add(match.below);
      }
    }
    const sorted = [...points].sort((a, b) => a - b);
    if (sorted.length === 0) return [0];
    const between = sorted.slice(1).map((n, i) => (n + sorted[i]) / 2);
    return [sorted[0] - 1, ...sorted, ...between, sorted[sorted.length - 1] + 1];
  }
  if (key.type === 'boolean') return [true, false];
  const mentioned = matches.flatMap((match) => (Array.isArray(match) ? match : [match]));
  return [...new Set([...(key.values ?? []), ...mentioned, ...(key.values ? [] : ['(any other value)'])])];
}

const describe = (cell: Record<string, unknown>): string =>
  Object.entries(cell)
    .map(
      ([key, value]) =>
        `${key} = ${typeof value === 'string' && /^\d{4}-\d{2}-15$/.test(value) ? value.slice(0, 7) : String(value)}`,
    )
    .join(', ');

/** Every representative combination of key values finds exactly one row: no gap, no overlap (three of each reported). */
function checkCoverage(issues: Issues, path: string, keys: Array<{ key: string; type: FactType }>, rows: Row[]): void {
  const axes = keys.map((key) => representatives(key, rows));
  if (axes.reduce((n, axis) => n * axis.length, 1) > MAX_GRID) {
    issues.add(path, 'has too many distinct boundaries to check', '区间边界过多，无法检查');
    return;
  }
  let gaps = 0;
  const overlaps = new Set<string>();
  const visit = (depth: number, cell: Record<string, unknown>): void => {
    if (depth < keys.length) {
      for (const value of axes[depth]) visit(depth + 1, { ...cell, [keys[depth].key]: value });
      return;
    }
    const found = rows.flatMap((row, i) =>
      Object.entries(row.when).every(([fact, match]) => matchesValue(match, cell[fact])) ? [i] : [],
    );
    if (found.length === 0 && gaps++ < 3)
      issues.add(path, `no row covers ${describe(cell)}`, `没有任何一行覆盖 ${describe(cell)}`);
    if (found.length > 1) {
      const pair = `${found[0] + 1} and ${found[1] + 1}`;
      if (!overlaps.has(pair) && overlaps.size < 3) {
        overlaps.add(pair);
        issues.add(
          at(path, found[1]),
          `overlaps row ${found[0] + 1} (both cover ${describe(cell)})`,
          `与第 ${found[0] + 1} 行重叠（都覆盖 ${describe(cell)}）`,
        );
      }
    }
  };
  visit(0, {});
}
