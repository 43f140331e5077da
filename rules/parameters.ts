/**
 * Dated parameters (OpenFisca-style): a value in force from a date until the next entry
 * begins or its own `to`, and band tables keyed `"80-89"`, `"100+"` or an exact value. A value
 * may also be a date, a month-day or a fact table (types.ts ParameterValue; fact-tables.ts).
 */
import { RulesError } from './errors.js';
import { isFactTable } from './fact-tables.js';
import type { DatedValue, ParameterValue, Policy } from './types.js';

/** The entry of a dated list in force on `date` (YYYY-MM-DD), or undefined. */
export function entryInForce<T>(values: readonly DatedValue<T>[], date: string): DatedValue<T> | undefined {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const entry = values[i];
    if (entry.from <= date) return entry.to === undefined || date <= entry.to ? entry : undefined;
  }
  return undefined;
}

/** A policy parameter's value on a date; throws PARAMETER_NOT_IN_FORCE when none applies. */
export function parameterAt(policy: Policy, name: string, date: string): ParameterValue {
  const entry = entryInForce(policy.parameters[name] ?? [], date);
  if (!entry) {
    throw new RulesError(
      'PARAMETER_NOT_IN_FORCE',
      `${policy.id} v${policy.version}: parameter ${name} has no value in force on ${date}`,
    );
  }
  return entry.value;
}

/** A numeric parameter's value on a date. */
export function numberAt(policy: Policy, name: string, date: string): number {
  const value = parameterAt(policy, name, date);
  if (typeof value !== 'number')
    throw new RulesError('AMOUNT_UNRESOLVED', `${policy.id}: parameter ${name} is a table, a number was expected`);
  return value;
}

/** A table parameter's value on a date. */
export function tableAt(policy: Policy, name: string, date: string): Record<string, number> {
  const value = parameterAt(policy, name, date);
  if (typeof value !== 'object' || isFactTable(value))
    throw new RulesError('AMOUNT_UNRESOLVED', `${policy.id}: parameter ${name} is not a table of numbers`);
  return value;
}

const BAND = /^(\d+)(?:-(\d+)|(\+))?$/;

/** True for a band key: `"12"` (exactly), `"12-59"` (inclusive) or `"120+"` (and above). */
export function isBandKey(key: string): boolean {
  const match = BAND.exec(key);
  return match !== null && (match[2] === undefined || Number(match[1]) <= Number(match[2]));
}

/** The entry of a band table holding `n`, or undefined. */
export function bandValue(table: Record<string, number>, n: number): number | undefined {
  for (const [key, value] of Object.entries(table)) {
    const match = BAND.exec(key);
    if (!match) continue;
    const low = Number(match[1]);
    const high = match[3] ? Infinity : match[2] !== undefined ? Number(match[2]) : low;
    if (n >= low && n <= high) return value;
  }
  return undefined;
}
