/**
 * How a leaf reads when its value is a fact table: the engine names the table as a fact
 * (`$table:<parameter>`), and the explanation and the compiled evaluator read it back the same
 * way — the row chosen for the subject, or the key facts still missing, which make the leaf
 * unknown (a missing key fact is missing data, never a silent no).
 */
import { isFactTable, type TableLookup } from './fact-tables.js';
import { entryInForce } from './parameters.js';
import type { FactTable, Policy, TableRowUsed } from './types.js';

const PREFIX = '$table:';

/** The engine fact a table parameter becomes: `$table:<name>` (never a catalog key, which has no `$`). */
export const tableFactId = (parameter: string): string => `${PREFIX}${parameter}`;

/** The table parameter a condition value names once the engine resolved it, or undefined. */
export function tableNamedBy(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fact = (value as { fact?: unknown }).fact;
  return typeof fact === 'string' && fact.startsWith(PREFIX) ? fact.slice(PREFIX.length) : undefined;
}

/** The policy's parameters that hold a fact table on `asOf`, with that table. */
export function tablesInForce(policy: Policy, asOf: string): Map<string, FactTable> {
  const tables = new Map<string, FactTable>();
  for (const [name, entries] of Object.entries(policy.parameters)) {
    const value = entryInForce(entries, asOf)?.value;
    if (isFactTable(value)) tables.set(name, value);
  }
  return tables;
}

/** What a table leaf shows: the row's value, or the reference when no row was chosen. */
export function tableLeafValue(parameter: string, lookup: TableLookup): unknown {
  return lookup.kind === 'row' ? lookup.row.value : { parameter };
}

/** The row used, for the explanation. */
export function rowUsed(parameter: string, lookup: TableLookup): TableRowUsed | undefined {
  return lookup.kind === 'row'
    ? { parameter, row: lookup.index + 1, when: lookup.row.when, value: lookup.row.value }
    : undefined;
}

/**
 * A leaf's three-valued result and the facts it waits for: its own fact (unless pledged, which
 * counts as true) and, for a table leaf, the key facts its row needs.
 */
export function leafState(
  fact: string,
  ownMissing: boolean,
  pledged: boolean,
  result: () => boolean,
  lookup?: TableLookup,
): { result: boolean | 'unknown'; missing: string[]; byPledge: boolean } {
  const tableMissing = lookup?.kind === 'missing' ? lookup.facts : [];
  if (ownMissing && !pledged) return { result: 'unknown', missing: [fact, ...tableMissing], byPledge: false };
  if (tableMissing.length > 0) return { result: 'unknown', missing: tableMissing, byPledge: false };
  if (ownMissing) return { result: true, missing: [], byPledge: true };
  return { result: result(), missing: [], byPledge: false };
}

/** Whether an unknown leaf waits for more than its own fact (a table row's key facts): then `waitsFor` lists them all. */
export function waitsFor(fact: string, state: { result: boolean | 'unknown'; missing: string[] }): boolean {
  return state.result === 'unknown' && (state.missing.length !== 1 || state.missing[0] !== fact);
}
