/**
 * Whole-list versions published one after another (the data catalog, store/catalog-versions.ts;
 * the list of matters, store/matter-versions.ts): the steps they share. A version's `_id` is
 * `<list>@<n>`: inserting under that key is the one atomic step on MongoDB and FerretDB alike, so
 * two publications cannot take one number; each names what it publishes (a draft's ID, or the
 * shipped list's hash), so one publication retried is found and answered, never numbered twice.
 * Versions are hash-chained as they are written (store/audit-chain.ts). A process keeps the list in
 * force in step with the newest version by a cheap poll of the head's number.
 */
import type { Connection, mongo } from 'mongoose';
import { chainStored } from './audit-chain.js';
import type { AuditStream } from './audit-streams.js';

/** What every version record holds. */
export interface PublishedVersion {
  /** `<list>@<version>`. */
  _id: string;
  version: number;
  /** What this version published: a draft's ID, or `shipped:<hash>`. */
  publishes: string;
}

/** One list's versions: their collection, their audit stream, and the list's name for messages. */
export interface VersionedList<R extends PublishedVersion> {
  versions: mongo.Collection<R>;
  stream: AuditStream;
  name: string;
}

/** The newest published version, or undefined before the first. */
export async function newestVersion<R extends PublishedVersion>(versions: mongo.Collection<R>): Promise<R | undefined> {
  const [latest] = await versions.find({}).sort({ version: -1 }).limit(1).toArray();
  return (latest as R | undefined) ?? undefined;
}

/**
 * Publishes `build(latest, next number)` (undefined: nothing to publish) as the version after the
 * newest, once for `publishes`: the newest is read first, then whether this publication is already
 * there, then the next number is inserted; whoever's insert loses to another publication reads
 * again and builds on it. So two callers publishing one draft at once publish it once, and two
 * drafts get two numbers.
 */
export async function publishNextVersion<R extends PublishedVersion>(
  store: Connection,
  list: VersionedList<R>,
  publishes: string,
  build: (latest: R | undefined, version: number) => R | undefined,
): Promise<{ record: R | undefined; published: boolean }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const latest = await newestVersion(list.versions);
    const already = (await list.versions.findOne({ publishes } as mongo.Filter<R>)) as R | null;
    if (already) {
      // Chained already, unless its publisher stopped between the insert and the chain.
      await chainStored(store, list.stream, [already._id]);
      return { record: already, published: false };
    }
    const record = build(latest, (latest?.version ?? 0) + 1);
    // Nothing to add: the newest version stands.
    if (!record) return { record: latest, published: false };
    try {
      await list.versions.insertOne(record as mongo.OptionalUnlessRequiredId<R>);
      await chainStored(store, list.stream, [record._id], { fresh: true });
      return { record, published: true };
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }
  throw new Error(`${list.name}: could not publish ${publishes}: the version number kept being taken`);
}

/**
 * Puts the newest version in force with `use` when it is newer than `inForce()` (a cheap check:
 * one version number read). Answers the version in force.
 */
export async function refreshFromNewest<R extends PublishedVersion>(
  versions: mongo.Collection<R>,
  inForce: () => number,
  use: (record: R) => void,
): Promise<number> {
  const [head] = await versions
    .find({}, { projection: { version: 1 } })
    .sort({ version: -1 })
    .limit(1)
    .toArray();
  if (!head || head.version <= inForce()) return inForce();
  // By key: one index lookup on any store.
  const latest = (await versions.findOne({ _id: head._id } as mongo.Filter<R>)) as R | null;
  if (latest) use(latest);
  return inForce();
}

/**
 * Keeps a process's list in force in step with the store when it does not publish itself (a
 * worker beside the API): `refresh` every `intervalMs`. Answers the stop function.
 */
export function followVersions(
  refresh: () => Promise<unknown>,
  intervalMs: number,
  onError: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => void refresh().catch(onError), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
