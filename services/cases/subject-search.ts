/**
 * Searches by a raw resident ID or credit code (S3, abuse test 16): each one needs a reason, is
 * logged like a reveal before anything is searched (store/unmask-log.ts, kind `subject-search`; the
 * citizen sees it), and a person may make only so many a minute — trying candidate IDs rebuilt from
 * a masked ID is a run of such searches. Counted in the store, one document per person and minute
 * keyed by `_id` (an indexed lookup on FerretDB too), so every API process shares the count.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { buildIndexes } from '../../store/indexes.js';

/** Raw-ID searches one person may make in a minute, by default. */
export const SUBJECT_SEARCHES_PER_MINUTE = 20;

interface SearchCount {
  /** `<person>#<minute since the epoch>`. */
  _id: string;
  count: number;
  /** When the count is of no more use (MongoDB's TTL index removes it; FerretDB keeps it, a few bytes a minute). */
  expiresAt: Date;
}

const countSchema = new Schema<SearchCount>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'subject_search_counts', versionKey: false },
);
countSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

const indexed = new WeakMap<Connection, Promise<void>>();

/** The model, its TTL index built once per connection where the server uses it (store/indexes.ts). */
function registerSearchCountModel(connection: Connection): Model<SearchCount> {
  const model =
    (connection.models.SubjectSearchCount as Model<SearchCount>) ??
    connection.model<SearchCount>('SubjectSearchCount', countSchema);
  if (!indexed.has(connection))
    indexed.set(
      connection,
      buildIndexes(model).catch(() => {
        indexed.delete(connection);
      }),
    );
  return model;
}

/**
 * Counts one raw-ID search by `person` in the current minute and returns the count so far,
 * this one included (an atomic upsert: two API processes at once count two).
 */
export async function countSubjectSearch(store: Connection, person: string, now: Date = new Date()): Promise<number> {
  const minute = Math.floor(now.getTime() / 60_000);
  const counted = await registerSearchCountModel(store)
    .findOneAndUpdate(
      { _id: `${person}#${minute}` },
      { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date((minute + 2) * 60_000) } },
      { upsert: true, new: true },
    )
    .lean();
  return counted!.count;
}

/** Seconds until the next minute, when a person's count starts again. */
export const secondsToNextMinute = (now: Date = new Date()): number => 60 - Math.floor((now.getTime() % 60_000) / 1000);
