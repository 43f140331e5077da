/**
 * The registry of electronic seals (电子印章): one record per seal (`_id` = the seal ID), with its
 * department, name, SM2 public key, validity and status. The private keys are not here (a key
 * store holds them: services/certificates/seal-keys.ts). A department has at most one active seal:
 * each record holds a unique `slot`, the department ID while the seal is active and
 * `retired:`/`revoked:` + its ID after, so two processes creating or rotating a department's seal
 * at once leave one active (no transactions). The registry is public (GET /seals): every
 * verifier, offline ones too, reads the public keys and statuses from it.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import {
  SEAL_ALGORITHM,
  SEAL_REGISTRY_FORMAT,
  type PublicSeal,
  type SealRegistryView,
  type SealStatus,
} from '../domain/certificates.js';
import type { Text } from '../domain/sources.js';

export type { PublicSeal, SealRegistryView, SealStatus };

export interface SealRecord {
  /** The seal ID: `<department>-<12 hex>`, public (it names the key, never a person). */
  _id: string;
  department: string;
  departmentName: Text;
  name: Text;
  /** The SM2 public key, PEM SubjectPublicKeyInfo. */
  publicKey: string;
  algorithm: typeof SEAL_ALGORITHM;
  /** The SM2 user identifier the seal signs with (GM/T 0009 default). */
  userId: string;
  /** The seal signs from validFrom until validTo; a retirement moves validTo to the moment of rotation. */
  validFrom: Date;
  validTo: Date;
  status: SealStatus;
  /** The department while active; `retired:<id>` or `revoked:<id>` after (unique: one active seal per department). */
  slot: string;
  /** The seal this one replaced (rotation, or a revocation of the active seal). */
  rotatedFrom?: string;
  revokedAt?: Date;
  revocationReason?: string;
  /** The user ID of whoever revoked it, or `cli`. */
  revokedBy?: string;
  createdAt: Date;
}

const textSchema = { zh: { type: String, required: true }, en: { type: String, required: true } };

const sealSchema = new Schema<SealRecord>(
  {
    _id: { type: String, required: true },
    department: { type: String, required: true },
    departmentName: textSchema,
    name: textSchema,
    publicKey: { type: String, required: true },
    algorithm: { type: String, required: true, enum: [SEAL_ALGORITHM] },
    userId: { type: String, required: true },
    validFrom: { type: Date, required: true },
    validTo: { type: Date, required: true },
    status: { type: String, required: true, enum: ['active', 'retired', 'revoked'] },
    slot: { type: String, required: true },
    rotatedFrom: { type: String },
    revokedAt: { type: Date },
    revocationReason: { type: String },
    revokedBy: { type: String },
    createdAt: { type: Date, required: true },
  },
  { collection: 'seals', versionKey: false },
);
sealSchema.index({ slot: 1 }, { unique: true });
sealSchema.index({ department: 1, validFrom: 1 });

export function registerSealModel(connection: Connection): Model<SealRecord> {
  return (connection.models.Seal as Model<SealRecord>) ?? connection.model<SealRecord>('Seal', sealSchema);
}

/** The public view of a seal record. */
export const publicSeal = (record: SealRecord): PublicSeal => ({
  sealId: record._id,
  department: record.department,
  departmentName: { zh: record.departmentName.zh, en: record.departmentName.en },
  name: { zh: record.name.zh, en: record.name.en },
  algorithm: record.algorithm,
  userId: record.userId,
  publicKey: record.publicKey,
  validFrom: record.validFrom.toISOString(),
  validTo: record.validTo.toISOString(),
  status: record.status,
  ...(record.revokedAt ? { revokedAt: record.revokedAt.toISOString() } : {}),
  ...(record.revocationReason ? { revocationReason: record.revocationReason } : {}),
  ...(record.rotatedFrom ? { rotatedFrom: record.rotatedFrom } : {}),
});

/** Every seal, by department then validity (the registry is small: one scan). */
export async function listSeals(store: Connection): Promise<SealRecord[]> {
  const records = await registerSealModel(store).find({}).lean();
  return records.sort(
    (a, b) => a.department.localeCompare(b.department) || a.validFrom.getTime() - b.validFrom.getTime(),
  );
}

/** The public registry: every seal's public key, status and validity. */
export async function sealRegistry(store: Connection): Promise<SealRegistryView> {
  return { format: SEAL_REGISTRY_FORMAT, seals: (await listSeals(store)).map(publicSeal) };
}

/** A seal by ID (one `_id` lookup), or undefined. */
export async function findSeal(store: Connection, sealId: string): Promise<SealRecord | undefined> {
  return (await registerSealModel(store).findById(sealId).lean()) ?? undefined;
}

/** The department's active seal, or undefined. */
export async function activeSeal(store: Connection, department: string): Promise<SealRecord | undefined> {
  return (await registerSealModel(store).findOne({ slot: department }).lean()) ?? undefined;
}

/**
 * Registers a new seal as its department's active one. False when the department has an active
 * seal already (another process was first): nothing was written.
 */
export async function insertActiveSeal(store: Connection, record: SealRecord): Promise<boolean> {
  try {
    await registerSealModel(store).create({ ...record, slot: record.department, status: 'active' });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 11000) return false;
    throw error;
  }
}

/** Retires an active seal at `at` (it signs no more; what it signed before stays valid). False when it was not active. */
export async function retireSeal(store: Connection, sealId: string, at: Date): Promise<boolean> {
  const result = await registerSealModel(store).updateOne(
    { _id: sealId, status: 'active' },
    { $set: { status: 'retired', slot: `retired:${sealId}`, validTo: at } },
  );
  return result.modifiedCount === 1;
}

/**
 * Revokes a seal (active or retired): every signature it made fails from now on (SEAL_REVOKED).
 * Revoking a revoked seal changes nothing (the first reason stays). Answers the record after.
 */
export async function revokeSealRecord(
  store: Connection,
  sealId: string,
  change: { at: Date; reason: string; by: string },
): Promise<SealRecord | undefined> {
  const Seal = registerSealModel(store);
  await Seal.updateOne(
    { _id: sealId, status: { $ne: 'revoked' } },
    {
      $set: {
        status: 'revoked',
        slot: `revoked:${sealId}`,
        revokedAt: change.at,
        revocationReason: change.reason,
        revokedBy: change.by,
      },
    },
  );
  return findSeal(store, sealId);
}
