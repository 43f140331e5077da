/**
 * The data catalog as data (数据目录): every published version of the whole catalog, and the
 * drafts officers write to add to it. A version is the catalog entire (sources and facts, as JSON
 * text: it is exactly what was checked and approved), `_id` `catalog@<n>`: inserting under that
 * key is the one atomic step on MongoDB and FerretDB alike, so two publications cannot take the
 * same number, and each names the draft (or the shipped catalog's hash) it publishes, so a draft
 * published twice is found and answered, never numbered twice. Versions are hash-chained as they
 * are written (audit stream `catalog_versions`, store/audit-chain.ts), so a changed or removed
 * published catalog is detected. This module also keeps the
 * process's runtime registry (domain/sources.ts `useCatalog`) in step with the newest version.
 */
import { createHash } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { canonicalJson } from '../rules/policy-hash.js';
import { followVersions, newestVersion, publishNextVersion, refreshFromNewest } from './published-versions.js';
import { catalogVersion, findFact, useCatalog, type DataSource } from '../domain/sources.js';
import type { CatalogAddition } from '../services/catalog/additions.js';

export const CATALOG_VERSIONS = 'catalog_versions';
export const CATALOG_DRAFTS = 'catalog_drafts';

export interface CatalogVersionRecord {
  /** `catalog@<version>`. */
  _id: string;
  version: number;
  /** The sources of the whole catalog, as JSON text. */
  source: string;
  /** sha256 of the sources' canonical JSON. */
  hash: string;
  /** What this version published: a draft's ID, or `shipped:<hash>` for the shipped catalog's facts. */
  publishes: string;
  origin: 'shipped' | 'officer';
  /** The fact keys this version added (all of them for the first). */
  added: string[];
  publishedBy: string;
  publishedById: string;
  publishedAt: Date;
}

export type CatalogDraftStatus = 'draft' | 'submitted' | 'approved' | 'published' | 'rejected';

export interface CatalogDraftEvent {
  action: 'drafted' | 'submitted' | 'approved' | 'published' | 'rejected';
  actor: string;
  actorId: string;
  role: string;
  at: Date;
  note?: string;
}

export interface CatalogDraftRecord {
  _id: string;
  status: CatalogDraftStatus;
  /** The addition, as JSON text (fact keys hold dots, which FerretDB does not take as member names). */
  addition: string;
  /** The fact keys it adds, for lists. */
  facts: string[];
  /** The catalog version it was checked against when drafted. */
  baseVersion: number;
  /** The fact request it answers (services/catalog/service.ts proposeFact), if any. */
  requestId?: string;
  createdBy: string;
  createdById: string;
  createdAt: Date;
  submittedBy?: string;
  submittedById?: string;
  approvedBy?: string;
  approvedById?: string;
  publishedVersion?: number;
  history: CatalogDraftEvent[];
  /** Status moves so far; each is claimed once (store/step-claims.ts). */
  revision: number;
}

export const catalogVersionId = (version: number) => `catalog@${version}`;

export function catalogVersions(store: Connection): mongo.Collection<CatalogVersionRecord> {
  return store.db!.collection<CatalogVersionRecord>(CATALOG_VERSIONS);
}

export function catalogDrafts(store: Connection): mongo.Collection<CatalogDraftRecord> {
  return store.db!.collection<CatalogDraftRecord>(CATALOG_DRAFTS);
}

/** sha256 of a catalog's canonical JSON. */
export const catalogHash = (sources: readonly DataSource[]) =>
  createHash('sha256').update(canonicalJson(sources)).digest('hex');

/** The newest published version, or undefined before the first. */
export const latestCatalogVersion = (store: Connection): Promise<CatalogVersionRecord | undefined> =>
  newestVersion(catalogVersions(store));

/** The sources of a version record. */
export const sourcesOf = (record: CatalogVersionRecord): DataSource[] => JSON.parse(record.source) as DataSource[];

/** The addition of a draft record. */
export const additionOf = (record: CatalogDraftRecord): CatalogAddition =>
  JSON.parse(record.addition) as CatalogAddition;

/**
 * Publishes `next(latest)` (undefined: nothing to publish) as the version after the newest, once
 * for `publishes` (store/published-versions.ts says how).
 */
export function publishCatalogVersion(
  store: Connection,
  publishes: string,
  next: (
    latest: { version: number; sources: readonly DataSource[] } | undefined,
  ) => { sources: DataSource[]; added: string[] } | undefined,
  by: { id: string; name: string; origin: CatalogVersionRecord['origin']; at: Date },
): Promise<{ record: CatalogVersionRecord | undefined; published: boolean }> {
  const list = { versions: catalogVersions(store), stream: 'catalog_versions', name: 'catalog' } as const;
  return publishNextVersion(store, list, publishes, (latest, version) => {
    const built = next(latest ? { version: latest.version, sources: sourcesOf(latest) } : undefined);
    if (!built) return undefined;
    return {
      _id: catalogVersionId(version),
      version,
      source: JSON.stringify(built.sources),
      hash: catalogHash(built.sources),
      publishes,
      origin: by.origin,
      added: built.added,
      publishedBy: by.name,
      publishedById: by.id,
      publishedAt: by.at,
    };
  });
}

/**
 * Puts the newest published catalog in force in this process when it is newer than the one in
 * force (a cheap check: one version number read). Answers the version in force.
 */
export const refreshCatalog = (store: Connection): Promise<number> =>
  refreshFromNewest(catalogVersions(store), catalogVersion, (latest) => useCatalog(latest.version, sourcesOf(latest)));

/**
 * Keeps the registry in step with the store in a process that does not publish itself (a worker
 * beside the API): a refresh every `intervalMs`. Answers the stop function.
 */
export const followCatalog = (
  store: Connection,
  intervalMs: number,
  onError: (error: unknown) => void = () => undefined,
): (() => void) => followVersions(() => refreshCatalog(store), intervalMs, onError);

/**
 * Refreshes the registry when one of `facts` is not in the catalog in force (a fact published by
 * another process since the last poll): the check at the point of need, before a read refuses it.
 */
export async function ensureFactsKnown(store: Connection, facts: Iterable<string>): Promise<void> {
  for (const fact of facts)
    if (!findFact(fact)) {
      await refreshCatalog(store);
      return;
    }
}
