/**
 * Proof-free applications (依申请 免提交) as the store keeps them: one record per application, its
 * `_id` an opaque ID derived from the business key (the subject's pseudonymous key, the matter and
 * the submission's key), so a retried or double-clicked submission lands on the same record and
 * starts nothing twice (`$setOnInsert`). The record carries the indicator row of
 * domain/applications.ts (matter, department, submittedAt, fields, proofs) exactly as named, the
 * applicant's typed values and the shared values read for the handler, how each proof is being
 * obtained, the statutory due date, the handler's decision and the notice. No raw resident ID or
 * credit code: the subject is its key, and the ID in URLs and workflow IDs is a hash.
 */
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { base32 } from '../domain/base32.js';
import type { ApplicationField, ApplicationProof, ApplicationStatus, ProofObtainedBy } from '../domain/applications.js';
import type { ReplacementMethod } from '../domain/matters.js';
import type { SubjectKind, Text } from '../domain/sources.js';
import type { PersonRef } from './users.js';

/** A value the applicant typed or shared data held. */
export type FieldValue = string | number | boolean;

/** How one proof is being obtained: its method, what the applicant gave for it, and what is asked of them. */
export interface ProofProgress {
  id: string;
  method: ReplacementMethod;
  /** A certificate proof: the certificate the applicant presented (its ID in their wallet). */
  certificateId?: string;
  /** A pledge proof: when the applicant signed it (with the submission). */
  pledgedAt?: Date;
  /** Why the replacement failed, while the applicant is asked for the proof. */
  asked?: Text;
  /** The last resort: a scan the applicant uploaded for the proof. */
  upload?: { fileName: string; sha256: string; bytes: number; at: Date; by: PersonRef };
}

export interface ApplicationDecision {
  outcome: 'approved' | 'refused';
  reason: string;
  by: { id: string; name: string };
  at: Date;
}

export interface ApplicationRecord {
  /** `ap_…`: a hash of the business key, the only ID URLs, workflow IDs and logs carry. */
  _id: string;
  /** `${subjectKey}:${matter}:${submissionKey}`: unique, so a retried submission is the same application. */
  key: string;
  // The indicator row (domain/applications.ts ApplicationIndicatorRow), named exactly so.
  matter: string;
  department: string;
  submittedAt: Date;
  fields: ApplicationField[];
  proofs: ApplicationProof[];
  // The rest of the application.
  listVersion: number;
  matterTitle: Text;
  departmentName: Text;
  subjectKey: string;
  subjectKind: SubjectKind;
  /** The applicant's typed values, by field ID. */
  typed: Record<string, FieldValue>;
  /** The values shared data held for the shared fields when the application was obtained, for the handler. */
  shared: Record<string, FieldValue>;
  progress: ProofProgress[];
  status: ApplicationStatus;
  /** Who submitted: the applicant themself, or window staff for the person present (with the visit). */
  submittedBy: PersonRef;
  visitId?: string;
  /** 法定办结时限: the matter's working days after submission (domain/calendar.ts). */
  dueAt: Date;
  workflowId: string;
  taskKey?: string;
  decision?: ApplicationDecision;
  /** The notice of the decision: its business key and when it was queued. */
  notice?: { key: string; at: Date };
  updatedAt: Date;
}

const textSchema = { zh: { type: String, required: true }, en: { type: String, required: true } };

const applicationSchema = new Schema<ApplicationRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    matter: { type: String, required: true },
    department: { type: String, required: true },
    submittedAt: { type: Date, required: true },
    fields: { type: Schema.Types.Mixed, required: true },
    proofs: { type: Schema.Types.Mixed, required: true },
    listVersion: { type: Number, required: true },
    matterTitle: textSchema,
    departmentName: textSchema,
    subjectKey: { type: String, required: true },
    subjectKind: { type: String, required: true, enum: ['person', 'enterprise'] },
    typed: { type: Schema.Types.Mixed, default: {} },
    shared: { type: Schema.Types.Mixed, default: {} },
    progress: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    submittedBy: { type: Schema.Types.Mixed, required: true },
    visitId: { type: String },
    dueAt: { type: Date, required: true },
    workflowId: { type: String, required: true },
    taskKey: { type: String },
    decision: { type: Schema.Types.Mixed },
    notice: { type: Schema.Types.Mixed },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'applications', versionKey: false, minimize: false },
);
/** The applicant's list, newest first. */
applicationSchema.index({ subjectKey: 1, submittedAt: -1 });
/** The handling department's list (and the indicators by department and month). */
applicationSchema.index({ department: 1, submittedAt: -1 });

/** Registers the Application model on a connection (idempotent). */
export function registerApplicationModel(connection: Connection): Model<ApplicationRecord> {
  return (
    (connection.models.Application as Model<ApplicationRecord> | undefined) ??
    connection.model<ApplicationRecord>('Application', applicationSchema)
  );
}

/** The application's opaque ID from its business key: the same key, the same ID. */
export function applicationIdOf(key: string): string {
  return `ap_${base32(createHash('sha256').update(key).digest()).slice(0, 26).toLowerCase()}`;
}

/** Inserts the application unless its key has one; answers the stored record and whether it was created. */
export async function insertApplication(
  store: Connection,
  record: ApplicationRecord,
): Promise<{ record: ApplicationRecord; created: boolean }> {
  const Application = registerApplicationModel(store);
  const { _id, ...rest } = record;
  const result = await Application.updateOne({ _id }, { $setOnInsert: rest }, { upsert: true });
  const stored = await Application.findById(_id).lean();
  if (!stored) throw new Error(`application ${_id} was not stored`);
  return { record: stored, created: result.upsertedCount === 1 };
}

/** The application by ID, or undefined. */
export async function findApplication(store: Connection, id: string): Promise<ApplicationRecord | undefined> {
  return (await registerApplicationModel(store).findById(id).lean()) ?? undefined;
}

/** Sets fields of an application (its status, a proof's progress, the decision…) and answers it as it now is. */
export async function updateApplication(
  store: Connection,
  id: string,
  set: Partial<Omit<ApplicationRecord, '_id' | 'key'>>,
): Promise<ApplicationRecord> {
  const updated = await registerApplicationModel(store)
    .findOneAndUpdate({ _id: id }, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' })
    .lean();
  if (!updated) throw new Error(`no application ${id}`);
  return updated;
}

/** A proof's indicator entry set to how it was obtained (or cleared back to asked), the rest kept. */
export function withProof(
  proofs: readonly ApplicationProof[],
  id: string,
  obtained: { obtainedBy: ProofObtainedBy; reused: boolean; proofId?: string } | undefined,
): ApplicationProof[] {
  return proofs.map((proof) =>
    proof.id !== id
      ? proof
      : obtained
        ? {
            id,
            obtainedBy: obtained.obtainedBy,
            reused: obtained.reused,
            ...(obtained.proofId ? { proofId: obtained.proofId } : {}),
          }
        : { id, reused: false },
  );
}

/** The applications of a subject, newest first. */
export async function applicationsOf(
  store: Connection,
  subjectKey: string,
  limit: number,
): Promise<ApplicationRecord[]> {
  return registerApplicationModel(store).find({ subjectKey }).sort({ submittedAt: -1 }).limit(limit).lean();
}

/** The applications a department handles (by its ID), newest first; every one for `undefined`. */
export async function applicationsOfDepartment(
  store: Connection,
  department: string | undefined,
  limit: number,
): Promise<ApplicationRecord[]> {
  return registerApplicationModel(store)
    .find(department ? { department } : {})
    .sort({ submittedAt: -1 })
    .limit(limit)
    .lean();
}
