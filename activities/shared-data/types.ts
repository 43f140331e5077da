/**
 * The port every shared-data adapter implements (the platform collection, a department's
 * verification service): one request for one subject's columns of one source, one answer.
 * Kept apart from the adapters so each adapter imports the port, not the registry.
 */
import type { DataSource } from '../../domain/sources.js';

export interface SourceRequest {
  source: DataSource;
  /** The subject's resident ID or USCC; used for the lookup only, never logged or returned. */
  idValue: string;
  /** Column names to read (each a catalog field's `column`). */
  columns: string[];
}

export interface SourceAnswer {
  found: boolean;
  /** Only requested columns; absent when `found` is false. */
  values: Record<string, unknown>;
}

/** The same columns of one source for many subjects (a payroll chunk). */
export interface ManySourceRequest {
  source: DataSource;
  /** The subjects' resident IDs or USCCs; used for the lookup only, never logged or returned. */
  idValues: readonly string[];
  columns: string[];
}

/** Reads one source for one subject; throws DataSourceError when the source does not answer. */
export interface DataSourceAdapter {
  fetch(request: SourceRequest): Promise<SourceAnswer>;
  /**
   * Reads many subjects in one query, where the source can; answers every ID value asked
   * (`found: false` for those it holds no record of). Throws as `fetch` does, for them all.
   */
  fetchMany?(request: ManySourceRequest): Promise<Map<string, SourceAnswer>>;
}
