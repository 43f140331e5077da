/**
 * How a shared-data source is read: the city data platform's collection (default) or a
 * department's verification service (证明核验接口) for sources configured as HTTP.
 * Adapters read only the requested columns and answer `found: false` when the source
 * holds no record for the subject — an answer, not a failure.
 */
import type { Connection } from 'mongoose';
import { catalogSources, findSource } from '../../domain/sources.js';
import type { CircuitState } from './circuit-breaker.js';
import { DataSourceError } from './errors.js';
import { pickColumns } from './source-keys.js';
import { HttpVerificationAdapter, type HttpSourceConfig, type HttpRuntime } from './http-verification.js';
import type { DataSourceAdapter, ManySourceRequest, SourceAnswer, SourceRequest } from './types.js';

export { HttpVerificationAdapter, type HttpSourceConfig } from './http-verification.js';

export type { DataSourceAdapter, ManySourceRequest, SourceAnswer, SourceRequest } from './types.js';

/** Reads the source's platform collection by ID with a projection of only the requested columns. */
export class MongoCollectionAdapter implements DataSourceAdapter {
  constructor(private readonly connection: Connection) {}

  async fetch({ source, idValue, columns }: SourceRequest): Promise<SourceAnswer> {
    const answers = await this.read(source, [idValue], columns);
    return answers.get(idValue) ?? { found: false, values: {} };
  }

  /** One `$in` on `_id` for all the IDs: served from the `_id` index on MongoDB and on the patched FerretDB. */
  async fetchMany({ source, idValues, columns }: ManySourceRequest): Promise<Map<string, SourceAnswer>> {
    const found = await this.read(source, [...new Set(idValues)], columns);
    return new Map(idValues.map((id) => [id, found.get(id) ?? { found: false, values: {} }]));
  }

  private async read(
    source: SourceRequest['source'],
    idValues: readonly string[],
    columns: readonly string[],
  ): Promise<Map<string, SourceAnswer>> {
    const db = this.connection.db;
    if (!db) throw new DataSourceError('ReadFailed', source.id, `the data platform connection is not open`);
    const projection: Record<string, 0 | 1> = { _id: 1 };
    for (const column of columns) projection[column] = 1;
    const answers = new Map<string, SourceAnswer>();
    try {
      // Platform records are keyed by the ID itself (_id), so the lookup is always an index read.
      const filter = idValues.length === 1 ? { _id: idValues[0] } : { _id: { $in: idValues } };
      for await (const document of db.collection(source.collection).find(filter as object, { projection }))
        answers.set(String(document._id), { found: true, values: pickColumns(document, columns) });
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      throw new DataSourceError('ReadFailed', source.id, `reading ${source.collection} failed (${reason})`);
    }
    return answers;
  }
}

export interface AdapterRegistryOptions extends Partial<HttpRuntime> {
  connection: Connection;
  /** Sources answered by a department's verification service instead of the platform collection. */
  http?: Record<string, HttpSourceConfig>;
}

export interface AdapterRegistry {
  adapterFor(sourceId: string): DataSourceAdapter;
  /** The breaker state of an HTTP source, for health pages; undefined for platform sources. */
  circuitState(sourceId: string): CircuitState | undefined;
}

/**
 * Maps each catalog source to its adapter: HTTP for configured sources (one adapter and
 * breaker per source, kept for the registry's lifetime), the platform collection otherwise.
 * Throws on configuration naming a source the catalog does not know.
 */
export function createAdapterRegistry(options: AdapterRegistryOptions): AdapterRegistry {
  const { connection, http: configs = {}, ...runtime } = options;
  const mongo = new MongoCollectionAdapter(connection);
  const http = new Map<string, HttpVerificationAdapter>();
  for (const [sourceId, config] of Object.entries(configs)) {
    if (!findSource(sourceId)) {
      throw new Error(
        `verification config names ${sourceId}, which is not in the data-source catalog (${catalogSources()
          .map((s) => s.id)
          .join(', ')})`,
      );
    }
    http.set(sourceId, new HttpVerificationAdapter(sourceId, config, runtime));
  }
  return {
    adapterFor: (sourceId) => http.get(sourceId) ?? mongo,
    circuitState: (sourceId) => http.get(sourceId)?.circuitState,
  };
}
