/**
 * Verifications asked of applyfree (证明核验, provider side) as records: who asked, for which
 * matter, which claim about which subject (its pseudonymous key only), and the answer with its
 * validity and signature — or, for a claim the certifying department answers by its procedure,
 * the time it is due. `_id` is the verification ID, derived from the requester and their
 * idempotency key, so a retried request finds its first record. The answer itself lives in the
 * proof archive (store/proofs.ts): a pending verification takes the answer of the proof filed
 * for it, so two racing answers settle on the one the archive kept.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { ClaimAnswer } from '../domain/verification-claims.js';
import type { SubjectKind } from '../domain/sources.js';
import { buildIndexes } from './indexes.js';

export type VerificationStatus = 'answered' | 'pending';

/** How an answer was signed: the certifying department's e-seal (SM2), or the service's HMAC. */
export type VerificationSignature =
  | {
      scheme: 'sm2-seal';
      sealId: string;
      department: string;
      algorithm: string;
      userId: string;
      signedAt: string;
      /** base64 DER SM2 signature over the canonical payload (docs/VERIFICATIONS.md). */
      value: string;
    }
  | {
      scheme: 'hmac-sha256';
      /** The HKDF purpose and context the key was derived for (domain/keys.ts verificationAnswer). */
      keyId: string;
      signedAt: string;
      /** hex HMAC-SHA256 over the canonical payload. */
      value: string;
    };

export interface VerificationRequester {
  kind: 'department' | 'application';
  /** The department's ID, or the application's ID. */
  id: string;
  /** The department acting (for an application: the handling department). */
  department?: string;
}

export interface VerificationRecord {
  /** `vf_…`, from the requester and their idempotency key. */
  _id: string;
  requester: VerificationRequester;
  matter: string;
  claim: string;
  /** The certifying department (the claim's). */
  certifiedBy: string;
  subjectKey: string;
  subjectKind: SubjectKind;
  purpose?: string;
  status: VerificationStatus;
  answer?: ClaimAnswer;
  validUntil?: Date;
  /** The archived proof the answer is (store/proofs.ts): filed for this verification, or reused. */
  proofId?: string;
  reused: boolean;
  signature?: VerificationSignature;
  requestedAt: Date;
  /** A procedure claim's answer is due by then (working days, domain/calendar.ts). */
  dueAt?: Date;
  answeredAt?: Date;
  /** Who gave a procedure claim's answer: the certifying department's signed request, or staff. */
  answeredBy?: { kind: 'department' | 'staff'; id: string; name?: string };
  reference?: string;
}

const verificationSchema = new Schema<VerificationRecord>(
  {
    _id: { type: String, required: true },
    requester: {
      kind: { type: String, enum: ['department', 'application'], required: true },
      id: { type: String, required: true },
      department: String,
    },
    matter: { type: String, required: true },
    claim: { type: String, required: true },
    certifiedBy: { type: String, required: true },
    subjectKey: { type: String, required: true },
    subjectKind: { type: String, required: true },
    purpose: String,
    status: { type: String, enum: ['answered', 'pending'], required: true },
    answer: String,
    validUntil: Date,
    proofId: String,
    reused: { type: Boolean, required: true },
    signature: { type: Schema.Types.Mixed },
    requestedAt: { type: Date, required: true },
    dueAt: Date,
    answeredAt: Date,
    answeredBy: { kind: String, id: String, name: String },
    reference: String,
  },
  { collection: 'verifications', versionKey: false },
);
// A department's log, the certifying department's pending ones, the citizen's entries.
verificationSchema.index({ 'requester.id': 1, requestedAt: -1 });
verificationSchema.index({ certifiedBy: 1, status: 1, requestedAt: -1 });
verificationSchema.index({ subjectKey: 1, requestedAt: -1 });

export function registerVerificationModel(connection: Connection): Model<VerificationRecord> {
  return (
    (connection.models.Verification as Model<VerificationRecord>) ??
    connection.model<VerificationRecord>('Verification', verificationSchema)
  );
}

const built = new WeakMap<Connection, Promise<void>>();

async function ensureIndexes(store: Connection): Promise<void> {
  let done = built.get(store);
  if (!done) {
    done = buildIndexes(registerVerificationModel(store));
    done.catch(() => built.delete(store));
    built.set(store, done);
  }
  await done;
}

/** Files the verification once under its `_id`; answers the record as stored (the first filing's). */
export async function fileVerification(store: Connection, record: VerificationRecord): Promise<VerificationRecord> {
  await ensureIndexes(store);
  const Verification = registerVerificationModel(store);
  try {
    await Verification.updateOne({ _id: record._id }, { $setOnInsert: record }, { upsert: true });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  const stored = await Verification.findById(record._id).lean<VerificationRecord>();
  if (!stored) throw new Error(`verification ${record._id} was filed but cannot be read back`);
  return stored;
}

export async function findVerification(store: Connection, id: string): Promise<VerificationRecord | undefined> {
  return (await registerVerificationModel(store).findById(id).lean<VerificationRecord>()) ?? undefined;
}

/** Settles a pending verification with the answer the archive holds for it (idempotent: the same answer twice). */
export async function settleVerification(
  store: Connection,
  id: string,
  settled: Pick<VerificationRecord, 'answer' | 'validUntil' | 'proofId' | 'signature' | 'answeredAt' | 'answeredBy'> & {
    reference?: string;
  },
): Promise<VerificationRecord | undefined> {
  const Verification = registerVerificationModel(store);
  const set = Object.fromEntries(Object.entries({ status: 'answered', ...settled }).filter(([, v]) => v !== undefined));
  await Verification.updateOne({ _id: id, status: 'pending' }, { $set: set });
  return findVerification(store, id);
}

export interface VerificationFilter {
  /** The requesting department's or application's ID. */
  requester?: string;
  /** The certifying department. */
  certifiedBy?: string;
  status?: VerificationStatus;
  subjectKey?: string;
  limit?: number;
}

/** Verifications newest first, by requester, certifying department, status or subject. */
export async function listVerifications(store: Connection, filter: VerificationFilter): Promise<VerificationRecord[]> {
  const query: Record<string, unknown> = {};
  if (filter.requester) query['requester.id'] = filter.requester;
  if (filter.certifiedBy) query.certifiedBy = filter.certifiedBy;
  if (filter.status) query.status = filter.status;
  if (filter.subjectKey) query.subjectKey = filter.subjectKey;
  return registerVerificationModel(store)
    .find(query)
    .sort({ requestedAt: -1 })
    .limit(Math.min(filter.limit ?? 200, 500))
    .lean<VerificationRecord[]>();
}
