/**
 * Staff reads of a case (S12, S13): every time a supervisor or an inspector opens a case's
 * timeline, who (user ID, display name and role, as their session names them), when, which case and subject (by
 * pseudonymous key) and for what. Written and hash-chained (stream `case_reads`) before the
 * timeline is answered, and shown to the citizen in "who used my data".
 */
import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';

export interface CaseRead {
  /** `${caseId}#read#<uuid>`: one record per read. */
  _id: string;
  caseId: string;
  subjectKey: string;
  /** The display name. */
  actor: string;
  /** The user ID (absent on reads recorded before user IDs). */
  actorId?: string;
  role: string;
  purpose: string;
  at: Date;
}

/** The purpose every supervisor or inspector read of a case states. */
export const CASE_SUPERVISION = '案件督查 case supervision';

const caseReadSchema = new Schema<CaseRead>(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    subjectKey: { type: String, required: true },
    actor: { type: String, required: true },
    actorId: { type: String },
    role: { type: String, required: true },
    purpose: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'case_reads', versionKey: false },
);
/** The citizen's "who read my case", newest first; a case's readers. */
caseReadSchema.index({ subjectKey: 1, at: -1 });
caseReadSchema.index({ caseId: 1, at: 1 });

export function registerCaseReadModel(connection: Connection): Model<CaseRead> {
  return (connection.models.CaseRead as Model<CaseRead>) ?? connection.model<CaseRead>('CaseRead', caseReadSchema);
}

/** Writes and chains one read before anything of the case is answered; throws when it could not. */
export async function recordCaseRead(
  connection: Connection,
  entry: Omit<CaseRead, '_id' | 'at' | 'purpose'> & { purpose?: string },
): Promise<CaseRead> {
  const record: CaseRead = {
    _id: `${entry.caseId}#read#${randomUUID()}`,
    ...entry,
    purpose: entry.purpose ?? CASE_SUPERVISION,
    at: new Date(),
  };
  await registerCaseReadModel(connection).create(record);
  await chainStored(connection, 'case_reads', [record._id], { fresh: true });
  return record;
}
