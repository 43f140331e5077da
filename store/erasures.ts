/**
 * The erasure log (删除记录, PIPL art. 47): one record each time a subject's personal data is
 * erased — which subject (by pseudonymous key), why, who ran it, what was removed and what was
 * kept — written and hash-chained (stream `erasures`, store/audit-chain.ts) before anything is
 * removed, so no erasure goes unrecorded or is quietly changed.
 */
import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';

export interface ErasureRecord {
  /** `erasure:<subjectKey>:<uuid>`: one record per erasure. */
  _id: string;
  subjectKey: string;
  kind: 'person' | 'enterprise';
  reason: string;
  /** Who ran it (the operator's name as given on the server host). */
  operator: string;
  /** Records removed (or whose personal values were removed), by collection, as planned when it started. */
  removed: Record<string, number>;
  /** What stays, and why, in words. */
  kept: string[];
  at: Date;
}

const erasureSchema = new Schema<ErasureRecord>(
  {
    _id: { type: String, required: true },
    subjectKey: { type: String, required: true },
    kind: { type: String, required: true, enum: ['person', 'enterprise'] },
    reason: { type: String, required: true },
    operator: { type: String, required: true },
    removed: { type: Schema.Types.Mixed, required: true },
    kept: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { collection: 'erasures', versionKey: false, minimize: false },
);
erasureSchema.index({ subjectKey: 1, at: -1 });

export function registerErasureModel(connection: Connection): Model<ErasureRecord> {
  return (
    (connection.models.ErasureRecord as Model<ErasureRecord>) ??
    connection.model<ErasureRecord>('ErasureRecord', erasureSchema)
  );
}

/** Writes and chains one erasure record (never updated or deleted) and returns it; throws when either failed. */
export async function logErasure(
  connection: Connection,
  entry: Omit<ErasureRecord, '_id' | 'at'> & { at?: Date },
): Promise<ErasureRecord> {
  const record: ErasureRecord = {
    _id: `erasure:${entry.subjectKey}:${randomUUID()}`,
    ...entry,
    at: entry.at ?? new Date(),
  };
  await registerErasureModel(connection).create(record);
  await chainStored(connection, 'erasures', [record._id], { fresh: true });
  return record;
}
