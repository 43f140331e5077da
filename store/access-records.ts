/**
 * Access records (谁使用谁负责): one per shared-data pull — which subject's data, which
 * source and department, which fields, for which policy, case and purposes, when, and
 * how the source answered. Carries the pseudonymous subject key only, never a raw ID.
 * Each record's `_id` is its business key (`key`), so every keyed read and `$setOnInsert`
 * upsert filters on `_id` (store/keyed.ts says why). Every record is hash-chained as it is
 * written (stream `access_records`, store/audit-chain.ts), so a changed or removed one is detected.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';
import { idFromKey } from './keyed.js';

export type AccessOutcome = 'answered' | 'not-found' | 'failed';

export interface AccessRecord {
  /** Equals the business key below. */
  _id?: string;
  /** `${idempotencyKey}:${sourceId}`: unique, so a retried pull never writes a second record. */
  key: string;
  subjectKey: string;
  caseId: string;
  policyId: string;
  policyVersion: number;
  /** Data-source id from the catalog (domain/sources.ts). */
  source: string;
  /** The department owning the source, in Chinese, as shown to the citizen. */
  department: string;
  /** Fact keys read (e.g. `person.birthDate`). */
  fields: string[];
  /** The purposes the policy declared for those facts, deduplicated. */
  purposes: string[];
  outcome: AccessOutcome;
  at: Date;
}

const accessRecordSchema = new Schema<AccessRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    caseId: { type: String, required: true },
    policyId: { type: String, required: true },
    policyVersion: { type: Number, required: true },
    source: { type: String, required: true },
    department: { type: String, required: true },
    fields: { type: [String], required: true },
    purposes: { type: [String], required: true },
    outcome: { type: String, enum: ['answered', 'not-found', 'failed'], required: true },
    at: { type: Date, required: true },
  },
  { collection: 'access_records', versionKey: false },
);
accessRecordSchema.index({ key: 1 }, { unique: true });
idFromKey(accessRecordSchema, 'key');
/** The citizen's "who used my data", newest first. */
accessRecordSchema.index({ subjectKey: 1, at: -1 });
/** A supervisor's trace of one case. */
accessRecordSchema.index({ caseId: 1 });

/** Registers the AccessRecord model on a connection (idempotent) and returns it; call createIndexes() once at start-up. */
export function registerAccessRecordModel(connection: Connection): Model<AccessRecord> {
  return (
    (connection.models.AccessRecord as Model<AccessRecord>) ??
    connection.model<AccessRecord>('AccessRecord', accessRecordSchema)
  );
}

/**
 * Writes the record of one pull once per key (`$setOnInsert` upsert on the unique key) and
 * chains it (store/audit-chain.ts) before returning: a retried activity finds the first record,
 * leaves it as it was and chains it only if the first attempt did not get that far. Returns
 * whether it was new; throws when the record or its chain entry could not be written.
 */
export async function recordAccess(model: Model<AccessRecord>, record: AccessRecord): Promise<boolean> {
  let inserted = false;
  try {
    const result = await model.updateOne({ _id: record.key }, { $setOnInsert: record }, { upsert: true });
    inserted = result.upsertedCount === 1;
  } catch (error) {
    // Two attempts racing on the same key: the unique index kept the first one.
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  await chainStored(model.db, 'access_records', [record.key], { fresh: inserted });
  return inserted;
}
