/**
 * Writes generated subjects in batches: unordered bulk inserts per collection, a
 * duplicate key (E11000) counted as "already there", never an error. Subjects are written
 * last, so a subject row means its shared-data documents are complete; a batch whose
 * subjects all exist is skipped without touching the dp_* collections.
 */
import type { Connection, mongo } from 'mongoose';
import type { SharedCollectionName } from '../../store/shared-data.js';
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

function onlyDuplicates(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: unknown; name?: string };
  if (e.name === 'MongoBulkWriteError' || e.writeErrors !== undefined) {
    const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
    const writeConcernError = (error as { writeConcernError?: unknown }).writeConcernError;
    if (writeConcernError) return false;
    return writeErrors.length > 0 ? writeErrors.every((w: { code?: number }) => w.code === 11000) : e.code === 11000;
  }
  return e.code === 11000;
}

async function insertTolerant(db: mongo.Db, collection: string, docs: object[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await db.collection(collection).insertMany(docs, { ordered: false });
  } catch (error) {
    if (!onlyDuplicates(error)) throw new SeedWriteError(collection, error);
  }
}

/** Writes one batch idempotently; returns how many subjects were new and how many already existed. */
export async function writeBatch(connection: Connection, entries: readonly SeedEntry[]): Promise<WriteResult> {
  const db = connection.db;
  if (!db) throw new Error('writeBatch: the connection is not open');
  const keys = entries.map((entry) => entry.subject.subjectKey);
  const existing = new Set(
    (await db.collection<SubjectRecord>(SUBJECTS_COLLECTION).find({ subjectKey: { $in: keys } }, { projection: { _id: 0, subjectKey: 1 } }).toArray()).map(
      (doc) => doc.subjectKey,
    ),
  );
  const fresh = entries.filter((entry) => !existing.has(entry.subject.subjectKey));
  if (fresh.length > 0) {
    const byCollection = new Map<string, object[]>();
    for (const entry of fresh) {
      for (const [collection, doc] of entry.docs) {
        const list = byCollection.get(collection);
        if (list) list.push(doc);
        else byCollection.set(collection, [doc]);
      }
    }
    await Promise.all([...byCollection].map(([collection, docs]) => insertTolerant(db, collection, docs)));
    await insertTolerant(db, SUBJECTS_COLLECTION, fresh.map((entry) => entry.subject));
  }
  return { inserted: fresh.length, skipped: entries.length - fresh.length };
}
