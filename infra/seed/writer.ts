/**
 * Writes generated subjects in batches: unordered bulk inserts per collection, with
 * `_id` set to the document's key, and a duplicate key (E11000) counted as "already
 * there", never an error. Subjects are written last, so a subject row means its
 * shared-data documents were written.
 */
import type { Connection, mongo } from 'mongoose';
import { SHARED_COLLECTIONS, type SharedCollectionName } from '../../store/shared-data.js';
import { SUBJECTS_COLLECTION, type SubjectRecord } from '../../store/subjects.js';

/** One subject and its documents in the shared-data collections. */
export interface SeedEntry {
  subject: SubjectRecord;
  docs: ReadonlyArray<readonly [SharedCollectionName, object]>;
}

export interface WriteResult {
  inserted: number;
  skipped: number;
}

/** Thrown when a bulk insert fails for a reason other than a duplicate key. */
export class SeedWriteError extends Error {
  readonly code = 'SEED_WRITE_FAILED';
  constructor(collection: string, cause: unknown) {
    super(`seeding ${collection} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SeedWriteError';
  }
}

const KEY_FIELD = new Map(SHARED_COLLECTIONS.map((c) => [c.name as string, c.keyField]));

function onlyDuplicates(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: unknown; writeConcernError?: unknown };
  if (e.writeConcernError) return false;
  if (e.writeErrors === undefined) return e.code === 11000;
  const writeErrors = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as Array<{ code?: number }>;
  return writeErrors.length > 0 && writeErrors.every((w) => w.code === 11000);
}

/** The embedded FerretDB's SQLite answered that another statement held its write lock past its busy timeout. */
export function isDatabaseBusy(error: unknown): boolean {
  return /SQLITE_BUSY|database is locked/.test(error instanceof Error ? error.message : String(error));
}

/**
 * Runs a write again while the database answers that it is busy (the embedded SQLite's lock, held
 * by a long statement: an index build, a checkpoint), waiting 0.5, 1, 2, 4 and 8 s; any other
 * failure, or a sixth busy answer, is thrown. Only for writes that are safe to repeat.
 */
export async function retryWhileBusy<T>(
  write: () => Promise<T>,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 5 || !isDatabaseBusy(error)) throw error;
      await wait(500 * 2 ** attempt);
    }
  }
}

/** Inserts what is new and returns how many documents were inserted; a busy database is waited for. */
async function insertTolerant(db: mongo.Db, collection: string, docs: object[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    // Unordered, duplicates tolerated: a repeat after a busy answer inserts only what is still missing.
    return await retryWhileBusy(
      async () => (await db.collection(collection).insertMany(docs, { ordered: false })).insertedCount,
    );
  } catch (error) {
    if (!onlyDuplicates(error)) throw new SeedWriteError(collection, error);
    return (error as { insertedCount?: number }).insertedCount ?? 0;
  }
}

/** Writes one batch idempotently; returns how many subjects were new and how many already existed. */
export async function writeBatch(connection: Connection, entries: readonly SeedEntry[]): Promise<WriteResult> {
  const db = connection.db;
  if (!db) throw new Error('writeBatch: the connection is not open');
  const byCollection = new Map<string, object[]>();
  for (const entry of entries) {
    for (const [collection, doc] of entry.docs) {
      const keyed = { _id: (doc as Record<string, unknown>)[KEY_FIELD.get(collection)!], ...doc };
      const list = byCollection.get(collection);
      if (list) list.push(keyed);
      else byCollection.set(collection, [keyed]);
    }
  }
  await Promise.all([...byCollection].map(([collection, docs]) => insertTolerant(db, collection, docs)));
  const inserted = await insertTolerant(
    db,
    SUBJECTS_COLLECTION,
    entries.map((entry) => ({ _id: entry.subject.subjectKey, ...entry.subject })),
  );
  return { inserted, skipped: entries.length - inserted };
}
