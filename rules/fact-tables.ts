/**
 * Fact tables (参数表): a parameter whose value is looked up from the subject's own facts — the
 * statutory retirement age by birth month and sex, a rate by grade. One lookup serves the engine
 * (as a json-rules-engine fact the condition's value names), the compiled evaluator and the
 * explanation, so all three choose the same row and say which one it was.
 */
import { isPlainDate } from './compiled-dates.js';
import { toCalendarDate } from './dates.js';
import type { FactTable, FactTableMatch, FactTableRow, ParameterValue } from './types.js';

/** What a lookup found: the row, the key facts whose absence leaves the row open, or no row at all. */
export type TableLookup =
  { kind: 'row'; index: number; row: FactTableRow } | { kind: 'missing'; facts: string[] } | { kind: 'none' };

/** True when a parameter value is a fact table (`{ "keys": [...], "rows": [...] }`). */
export function isFactTable(value: ParameterValue | unknown): value is FactTable {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Array.isArray((value as FactTable).keys) &&
    Array.isArray((value as FactTable).rows)
  );
}

/** True for a range match `{ from?, to? }`. */
export function isRangeMatch(
  match: FactTableMatch,
): match is { from?: string | number; to?: string | number; below?: number } {
  return typeof match === 'object' && match !== null && !Array.isArray(match);
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** True for a `YYYY-MM` month, the bound of a date fact's range. */
export const isYearMonth = (value: unknown): value is string => typeof value === 'string' && MONTH.test(value);

/**
 * Whether a present fact value falls in a row's match: a date by its Shanghai calendar month
 * (`YYYY-MM` bounds), a number within numeric bounds (`below` exclusive), anything else by equality
 * or list membership.
 */
export function matchesValue(match: FactTableMatch, value: unknown, monthOf = calendarMonth): boolean {
  if (Array.isArray(match)) return match.includes(value as string | number | boolean);
  if (!isRangeMatch(match)) return match === value;
  const { from, to, below } = match;
  if (typeof from === 'string' || typeof to === 'string') {
    const month = monthOf(value);
    return (
      month !== undefined && (typeof from !== 'string' || month >= from) && (typeof to !== 'string' || month <= to)
    );
  }
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (from === undefined || value >= from) &&
    (to === undefined || value <= to) &&
    (below === undefined || value < below)
  );
}

const isMissing = (value: unknown): boolean => value === undefined || value === null;

/** The Shanghai calendar month `YYYY-MM` of a date fact value; a plain date string without luxon. */
function calendarMonth(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length === 10 && isPlainDate(value)) return value.slice(0, 7);
  return toCalendarDate(value)?.toFormat('yyyy-MM');
}

/** calendarMonth remembered for the values of one lookup (a table has a row per cohort). */
function monthsOnce(): (value: unknown) => string | undefined {
  const seen = new Map<unknown, string | undefined>();
  return (value) => {
    if (!seen.has(value)) seen.set(value, calendarMonth(value));
    return seen.get(value);
  };
}

/**
 * The row for a subject's facts. When a row that the present facts leave possible needs an absent
 * key fact, the lookup is open (`missing`, those facts in key order): the decision waits for them.
 * `none` only for values a source should not send (a table validated has a row for every subject).
 */
export function lookupRow(table: FactTable, facts: Readonly<Record<string, unknown>>): TableLookup {
  const missing = new Set<string>();
  let found: { index: number; row: FactTableRow } | undefined;
  const monthOf = monthsOnce();
  table.rows.forEach((row, index) => {
    const needs: string[] = [];
    for (const [key, match] of Object.entries(row.when)) {
      const value = facts[key];
      if (isMissing(value)) needs.push(key);
      else if (!matchesValue(match, value, monthOf)) return;
    }
    if (needs.length > 0) needs.forEach((key) => missing.add(key));
    else found ??= { index, row };
  });
  if (missing.size > 0) return { kind: 'missing', facts: table.keys.filter((key) => missing.has(key)) };
  return found ? { kind: 'row', ...found } : { kind: 'none' };
}

/** The table's number for the facts, or undefined when no single row is chosen. */
export function tableValue(table: FactTable, facts: Readonly<Record<string, unknown>>): number | undefined {
  const found = lookupRow(table, facts);
  return found.kind === 'row' ? found.row.value : undefined;
}
