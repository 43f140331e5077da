/**
 * Issued certificates (电子证照库): one record per certificate, `_id` = its opaque certificate ID,
 * with the business `key` it was issued for unique, so an activity retried after a crash finds
 * the certificate its first attempt issued instead of issuing a second. The signed document is
 * kept as the exact canonical text its seals signed (`signedText`), so what a wallet downloads
 * is what was signed, whatever order the server returns members in. Revocation is a change of
 * the record (revokedAt, reason, by); the public revocation list is read from it.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { CertificateDocument, SealSignature, SignedCertificate } from '../domain/certificates.js';

export interface CertificateRecord {
  /** The certificate ID (document.id): opaque, random. */
  _id: string;
  /** The business key it was issued for (e.g. `grant:<workflow ID>:certificate`): unique. */
  key: string;
  type: string;
  holderSubjectKey: string;
  /** The canonical JSON of the document, as signed. */
  signedText: string;
  signatures: SealSignature[];
  issuedOn: string;
  validUntil?: string;
  issuedAt: Date;
  revokedAt?: Date;
  revocationReason?: string;
  /** The user ID of whoever revoked it. */
  revokedBy?: string;
}

const signatureSchema = new Schema<SealSignature>(
  {
    sealId: { type: String, required: true },
    department: { type: String, required: true },
    algorithm: { type: String, required: true },
    userId: { type: String, required: true },
    signature: { type: String, required: true },
    signedAt: { type: String, required: true },
  },
  { _id: false },
);

const certificateSchema = new Schema<CertificateRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    type: { type: String, required: true },
    holderSubjectKey: { type: String, required: true },
    signedText: { type: String, required: true },
    signatures: { type: [signatureSchema], required: true },
    issuedOn: { type: String, required: true },
    validUntil: { type: String },
    issuedAt: { type: Date, required: true },
    revokedAt: { type: Date },
    revocationReason: { type: String },
    revokedBy: { type: String },
  },
  { collection: 'certificates', versionKey: false },
);
certificateSchema.index({ key: 1 }, { unique: true });
certificateSchema.index({ holderSubjectKey: 1, issuedAt: -1 });
certificateSchema.index({ 'signatures.sealId': 1 });

export function registerCertificateModel(connection: Connection): Model<CertificateRecord> {
  return (
    (connection.models.Certificate as Model<CertificateRecord>) ??
    connection.model<CertificateRecord>('Certificate', certificateSchema)
  );
}

/** The signed certificate a record holds: the document exactly as signed, and its seals' signatures. */
export const signedCertificateOf = (record: CertificateRecord): SignedCertificate => ({
  document: JSON.parse(record.signedText) as CertificateDocument,
  signatures: record.signatures.map(({ sealId, department, algorithm, userId, signature, signedAt }) => ({
    sealId,
    department,
    algorithm,
    userId,
    signature,
    signedAt,
  })),
});

/**
 * Stores a certificate under its key: the record stored for that key, and whether this call
 * created it (false: an earlier attempt issued it, and that one is answered).
 */
export async function insertCertificate(
  store: Connection,
  record: CertificateRecord,
): Promise<{ record: CertificateRecord; created: boolean }> {
  const Certificate = registerCertificateModel(store);
  try {
    await Certificate.create(record);
    return { record, created: true };
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
  }
  // Another attempt stored it first: under the same _id (the ID derives from the key), or, for a
  // certificate issued before IDs derived from keys, under another one with the same key.
  const first =
    (await Certificate.findOne({ _id: record._id }).lean()) ?? (await Certificate.findOne({ key: record.key }).lean());
  if (!first) throw new Error(`certificate ${record._id}: a duplicate key, yet no certificate holds key ${record.key}`);
  return { record: first, created: false };
}

/** A certificate by ID (one `_id` lookup), or undefined. */
export async function findCertificate(store: Connection, id: string): Promise<CertificateRecord | undefined> {
  return (await registerCertificateModel(store).findById(id).lean()) ?? undefined;
}

/** A certificate by the business key it was issued for, or undefined. */
export async function findCertificateByKey(store: Connection, key: string): Promise<CertificateRecord | undefined> {
  return (await registerCertificateModel(store).findOne({ key }).lean()) ?? undefined;
}

/** The holder's certificates, newest first (at most `limit`). */
export async function holderCertificates(
  store: Connection,
  subjectKey: string,
  limit: number,
): Promise<CertificateRecord[]> {
  return registerCertificateModel(store)
    .find({ holderSubjectKey: subjectKey })
    .sort({ issuedAt: -1, _id: 1 })
    .limit(limit)
    .lean();
}

/** Every revoked certificate's ID and revocation time, oldest revocation first. */
export async function revokedCertificates(store: Connection): Promise<Array<{ id: string; revokedAt: Date }>> {
  const records = await registerCertificateModel(store)
    .find({ revokedAt: { $exists: true } }, { _id: 1, revokedAt: 1 })
    .lean();
  return records
    .map((record) => ({ id: record._id, revokedAt: record.revokedAt! }))
    .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || a.id.localeCompare(b.id));
}

/** Revokes a certificate: the record after; a revoked one keeps its first revocation. Undefined when there is none. */
export async function revokeCertificateRecord(
  store: Connection,
  id: string,
  change: { at: Date; reason: string; by: string },
): Promise<CertificateRecord | undefined> {
  const Certificate = registerCertificateModel(store);
  await Certificate.updateOne(
    { _id: id, revokedAt: { $exists: false } },
    { $set: { revokedAt: change.at, revocationReason: change.reason, revokedBy: change.by } },
  );
  return findCertificate(store, id);
}
