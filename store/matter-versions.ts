/**
 * The list of matters as data (用证事项清单): every published version of the whole list, and the
 * drafts officers write of the next. A version is the list entire (as JSON text: exactly what was
 * checked and approved), `_id` `matters@<n>`: inserting under that key is the one atomic step on
 * MongoDB and FerretDB alike, so two publications cannot take the same number, and each names the
 * draft (or `shipped:<hash>` for the starter list) it publishes, so a draft published twice is
 * found and answered, never numbered twice (as store/catalog-versions.ts does for the catalog).
 * Versions are hash-chained as they are written (audit stream `matter_versions`,
 * store/audit-chain.ts), so a changed or removed published list is detected.
 * This module also keeps the process's list in force (domain/matters.ts putMattersInForce) in step
 * with the newest version.
 */
import { createHash } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { canonicalJson } from '../rules/policy-hash.js';
import { followVersions, newestVersion, publishNextVersion, refreshFromNewest } from './published-versions.js';
import { mattersInForce, putMattersInForce, type Matter, type MatterList } from '../domain/matters.js';

export const MATTER_VERSIONS = 'matter_versions';
export const MATTER_DRAFTS = 'matter_drafts';

export interface MatterVersionRecord {
  /** `matters@<version>`. */
  _id: string;
  version: number;
  /** The day it took effect (ISO date). */
  publishedOn: string;
  /** The matters of the whole list, as JSON text. */
  source: string;
  /** sha256 of the matters' canonical JSON. */
  hash: string;
  /** What this version published: a draft's ID, or `shipped:<hash>` for the starter list. */
  publishes: string;
  origin: 'shipped' | 'officer';
  /** The matter IDs this version added (all of them for the first). */
  added: string[];
  publishedBy: string;
  publishedById: string;
  publishedAt: Date;
}

export type MatterDraftStatus = 'draft' | 'submitted' | 'approved' | 'published' | 'rejected';

export interface MatterDraftEvent {
  action: 'drafted' | 'submitted' | 'approved' | 'published' | 'rejected';
  actor: string;
  actorId: string;
  role: string;
  at: Date;
  note?: string;
}

export interface MatterDraftRecord {
  _id: string;
  status: MatterDraftStatus;
  /** The whole list's matters, as JSON text. */
  matters: string;
  /** How many matters it holds, for lists. */
  matterCount: number;
  /** The version in force it was checked against when drafted. */
  baseVersion: number;
  createdBy: string;
  createdById: string;
  createdAt: Date;
  submittedBy?: string;
  submittedById?: string;
  approvedBy?: string;
  approvedById?: string;
  publishedVersion?: number;
  history: MatterDraftEvent[];
  /** Status moves so far; each is claimed once (store/step-claims.ts). */
  revision: number;
}

export const matterVersionId = (version: number) => `matters@${version}`;

export function matterVersions(store: Connection): mongo.Collection<MatterVersionRecord> {
  return store.db!.collection<MatterVersionRecord>(MATTER_VERSIONS);
}

export function matterDrafts(store: Connection): mongo.Collection<MatterDraftRecord> {
  return store.db!.collection<MatterDraftRecord>(MATTER_DRAFTS);
}

/** sha256 of a list's matters' canonical JSON. */
export const mattersHash = (matters: readonly Matter[]) =>
  createHash('sha256').update(canonicalJson(matters)).digest('hex');

/** The newest published version, or undefined before the first. */
export const latestMatterVersion = (store: Connection): Promise<MatterVersionRecord | undefined> =>
  newestVersion(matterVersions(store));

/** The list a version record publishes. */
export const listOf = (record: MatterVersionRecord): MatterList => ({
  version: record.version,
  publishedOn: record.publishedOn,
  matters: JSON.parse(record.source) as Matter[],
});

/**
 * Publishes `next(latest)` (undefined: nothing to publish) as the version after the newest, once
 * for `publishes` (store/published-versions.ts says how).
 */
export function publishMatterVersion(
  store: Connection,
  publishes: string,
  next: (latest: MatterList | undefined) => { matters: Matter[]; publishedOn: string } | undefined,
  by: { id: string; name: string; origin: MatterVersionRecord['origin']; at: Date },
): Promise<{ record: MatterVersionRecord | undefined; published: boolean }> {
  const list = { versions: matterVersions(store), stream: 'matter_versions', name: 'matters' } as const;
  return publishNextVersion(store, list, publishes, (latest, version) => {
    const before = latest ? listOf(latest) : undefined;
    const built = next(before);
    if (!built) return undefined;
    const known = new Set(before?.matters.map((m) => m.id) ?? []);
    return {
      _id: matterVersionId(version),
      version,
      publishedOn: built.publishedOn,
      source: JSON.stringify(built.matters),
      hash: mattersHash(built.matters),
      publishes,
      origin: by.origin,
      added: built.matters.map((m) => m.id).filter((id) => !known.has(id)),
      publishedBy: by.name,
      publishedById: by.id,
      publishedAt: by.at,
    };
  });
}

/** The version number of the list in force in this process (0 when none is). */
function versionInForce(): number {
  try {
    return mattersInForce().version;
  } catch {
    return 0;
  }
}

/**
 * Puts the newest published list in force in this process when it is newer than the one in force
 * (a cheap check: one version number read). Answers the version in force.
 */
export const refreshMatters = (store: Connection): Promise<number> =>
  refreshFromNewest(matterVersions(store), versionInForce, (latest) => putMattersInForce(listOf(latest)));

/**
 * Keeps the list in force in step with the store in a process that does not publish itself (a
 * worker beside the API): a refresh every `intervalMs`. Answers the stop function.
 */
export const followMatters = (
  store: Connection,
  intervalMs: number,
  onError: (error: unknown) => void = () => undefined,
): (() => void) => followVersions(() => refreshMatters(store), intervalMs, onError);
