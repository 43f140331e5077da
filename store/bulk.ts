/**
 * Bulk inserts that are safe to repeat: one unordered insertMany, where a document whose `_id`
 * already exists is skipped (E11000) rather than failing the batch. The `_id` is the business
 * key, so a retried batch writes only what is missing and reports what was already there.
 */
import type { mongo } from 'mongoose';

export interface InsertOutcome {
  /** `_id`s written by this call. */
  inserted: string[];
  /** `_id`s that already existed. */
  existing: string[];
}

interface WriteErrorLike {
  index: number;
  code?: number;
}

function writeErrorsOf(error: unknown): WriteErrorLike[] | undefined {
  const errors = (error as { writeErrors?: WriteErrorLike | WriteErrorLike[] }).writeErrors;
  if (errors === undefined) return undefined;
  return Array.isArray(errors) ? errors : [errors];
}

/** Inserts every document whose `_id` is new; any failure other than a duplicate key is thrown. */
export async function insertNew<T extends { _id: string }>(
  collection: mongo.Collection<mongo.Document>,
  docs: readonly T[],
): Promise<InsertOutcome> {
  if (docs.length === 0) return { inserted: [], existing: [] };
  try {
    await collection.insertMany(docs as unknown as mongo.OptionalId<mongo.Document>[], { ordered: false });
    return { inserted: docs.map((doc) => doc._id), existing: [] };
  } catch (error) {
    const writeErrors = writeErrorsOf(error);
    if (!writeErrors || writeErrors.some((e) => e.code !== 11000)) throw error;
    const duplicate = new Set(writeErrors.map((e) => e.index));
    return {
      inserted: docs.filter((_, i) => !duplicate.has(i)).map((doc) => doc._id),
      existing: docs.filter((_, i) => duplicate.has(i)).map((doc) => doc._id),
    };
  }
}
