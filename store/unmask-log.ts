/**
 * The unmask log (揭示记录): every reveal of a person to staff, with the reason they gave — a
 * supervisor revealing the identifier behind a case (`unmask`), explaining a case's decision from
 * the subject's own data (`explanation`, S2), or searching cases by a raw resident ID or credit code
 * (`subject-search`, S3), or window staff recording that a person came to the service window and
 * showed their ID card (`window-visit`, 线下兜底) — who, when, which case (if any) and subject (by pseudonymous key). Written
 * and hash-chained (stream `unmask_log`, store/audit-chain.ts) before anything is answered, so no
 * reveal goes unlogged or is quietly changed; shown in the case timeline and to the citizen.
 */
import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';

/** What was revealed: the identifier, a decision explained from the subject's data, or cases found by a raw ID. */
export type RevealKind = 'unmask' | 'explanation' | 'subject-search' | 'window-visit';

export interface UnmaskRecord {
  /** `${caseId}#<kind>#<uuid>` (`subject-search#<uuid>` for a search): one record per reveal. */
  _id: string;
  /** Absent on records written before other reveals were logged here: an unmask. */
  kind?: RevealKind;
  /** The case revealed; a search by raw ID names none. */
  caseId?: string;
  subjectKey: string;
  /** The policy version whose decision was explained. */
  policyId?: string;
  policyVersion?: number;
  /** The supervisor's display name and role, as their session named them. */
  actor: string;
  /** The supervisor's user ID (absent on reveals logged before user IDs). */
  actorId?: string;
  role: string;
  reason: string;
  /** Where the person was served (kind `window-visit`): the window, as the service centre names it. */
  window?: string;
  at: Date;
}

const unmaskSchema = new Schema<UnmaskRecord>(
  {
    _id: { type: String, required: true },
    kind: String,
    caseId: String,
    subjectKey: { type: String, required: true },
    policyId: String,
    policyVersion: Number,
    actor: { type: String, required: true },
    actorId: { type: String },
    role: { type: String, required: true },
    reason: { type: String, required: true },
    window: String,
    at: { type: Date, required: true },
  },
  { collection: 'unmask_log', versionKey: false },
);
/** A case's reveals in its timeline; a supervisor's reveals for audit. */
unmaskSchema.index({ caseId: 1, at: 1 });
unmaskSchema.index({ actorId: 1, at: -1 });
unmaskSchema.index({ subjectKey: 1, at: -1 });

/** Registers the model on a connection (idempotent); call createIndexes() once. */
export function registerUnmaskModel(connection: Connection): Model<UnmaskRecord> {
  return (
    (connection.models.UnmaskRecord as Model<UnmaskRecord>) ??
    connection.model<UnmaskRecord>('UnmaskRecord', unmaskSchema)
  );
}

/** Writes and chains one reveal (never updated or deleted) and returns it; throws when either failed. */
export async function logReveal(
  connection: Connection,
  entry: Omit<UnmaskRecord, '_id' | 'at' | 'kind'> & { kind: RevealKind; at?: Date },
): Promise<UnmaskRecord> {
  const record: UnmaskRecord = {
    _id: `${entry.caseId ?? 'no-case'}#${entry.kind}#${randomUUID()}`,
    ...entry,
    at: entry.at ?? new Date(),
  };
  await registerUnmaskModel(connection).create(record);
  await chainStored(connection, 'unmask_log', [record._id], { fresh: true });
  return record;
}

/** Writes and chains one reveal of a case's identifier (logReveal, kind `unmask`). */
export const logUnmask = (
  connection: Connection,
  entry: Omit<UnmaskRecord, '_id' | 'at' | 'kind' | 'caseId'> & { caseId: string; at?: Date },
): Promise<UnmaskRecord> => logReveal(connection, { ...entry, kind: 'unmask' });

/** A subject's reveals, newest first (sorted and limited in the query). */
export function unmasksOfSubject(connection: Connection, subjectKey: string, limit: number) {
  return registerUnmaskModel(connection).find({ subjectKey }).sort({ at: -1 }).limit(limit).lean();
}

/** A case's reveals, oldest first. */
export async function unmasksOfCase(connection: Connection, caseId: string): Promise<UnmaskRecord[]> {
  const records = await registerUnmaskModel(connection).find({ caseId }).lean();
  return records.sort((a, b) => a.at.getTime() - b.at.getTime());
}
