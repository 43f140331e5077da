/** Small shared helpers of the adapters: which field keys a source, and column filtering. */
import type { DataSource } from '../../domain/sources.js';

/** The field a source is keyed by: resident ID for person sources, USCC for enterprise sources. */
export function idFieldOf(source: DataSource): 'idNumber' | 'creditCode' {
  return source.subject === 'person' ? 'idNumber' : 'creditCode';
}

/** Keeps only the requested columns of an answer: a source never hands over more than was asked. */
export function pickColumns(values: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const column of columns) if (Object.hasOwn(values, column)) picked[column] = values[column];
  return picked;
}
