/**
 * The register of verifiers (扫码核验方): the parties allowed to scan resident and enterprise
 * codes, each one document keyed by its ID (`verifiers`, read by `_id` on every signed scan) with
 * what it is (a department's counter or an outside party), the matters it may check and its keys,
 * kept as every signing party's are (store/credentials.ts: fingerprints only, rotation with a grace
 * period, revocation, compare-and-set on a revision). Its own register and HKDF purpose: a verifier
 * publishes no event, and a department's key scans no code.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Text } from '../domain/sources.js';
import { VERIFIER_SCHEME, type VerifierCredential } from '../domain/verifier-signature.js';
import { validateVerifierSpec, type VerifierKind, type VerifierSpec } from '../domain/verifiers.js';
import {
  changeCredentials,
  credentialSchema,
  issueCredential,
  revokeKeys,
  rotateKeys,
  type CredentialRecord,
} from './credentials.js';

export interface VerifierRecord {
  /** The verifier ID. */
  _id: string;
  name: Text;
  kind: VerifierKind;
  department?: string;
  matters: string[];
  credentials: CredentialRecord[];
  /** Incremented by every change of the credentials (compare-and-set). */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const verifierSchema = new Schema<VerifierRecord>(
  {
    _id: { type: String, required: true },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
    kind: { type: String, required: true, enum: ['department', 'outside'] },
    department: { type: String },
    matters: { type: [String], required: true },
    credentials: { type: [credentialSchema], default: [] },
    revision: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'verifiers', versionKey: false },
);

export function registerVerifierModels(connection: Connection) {
  return {
    Verifier: (connection.models.Verifier as Model<VerifierRecord>) ?? connection.model('Verifier', verifierSchema),
  };
}

/** A change of the register that cannot be made; `field` names what is at fault. Nothing was written. */
export class VerifierRegisterError extends Error {
  constructor(
    readonly code: 'UNKNOWN_VERIFIER' | 'VERIFIER_EXISTS' | 'UNKNOWN_KEY' | 'CHANGED',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'VerifierRegisterError';
  }
}

/** The registration of a stored verifier. */
export const verifierSpecOf = (record: VerifierRecord): VerifierSpec => ({
  id: record._id,
  name: { zh: record.name.zh, en: record.name.en },
  kind: record.kind,
  ...(record.department ? { department: record.department } : {}),
  matters: record.matters,
});

/** A verifier by ID (one `_id` lookup), or undefined. */
export async function findVerifier(store: Connection, id: string): Promise<VerifierRecord | undefined> {
  return (await registerVerifierModels(store).Verifier.findById(id).lean()) ?? undefined;
}

/** Every verifier, by ID (the register is small: a scan). */
export async function listVerifiers(store: Connection): Promise<VerifierRecord[]> {
  const records = await registerVerifierModels(store).Verifier.find({}).lean();
  return records.sort((a, b) => a._id.localeCompare(b._id));
}

/** A verifier's key: its record, and the credential to show once. */
function newCredential(master: string, verifier: string): { record: CredentialRecord; credential: VerifierCredential } {
  const { record, credential } = issueCredential(VERIFIER_SCHEME, master, verifier);
  return { record, credential: { verifier, keyId: credential.keyId, secret: credential.secret } };
}

/**
 * Registers a new verifier and issues its first key (the credential, shown once). Refused, with
 * nothing written, when the ID is registered (the keyed insert decides, also for two at once).
 */
export async function addVerifier(
  store: Connection,
  spec: VerifierSpec,
  master: string,
): Promise<{ record: VerifierRecord; credential: VerifierCredential }> {
  const valid = validateVerifierSpec(spec);
  const { record: key, credential } = newCredential(master, valid.id);
  const now = new Date();
  const record: VerifierRecord = {
    _id: valid.id,
    name: valid.name,
    kind: valid.kind,
    ...(valid.department ? { department: valid.department } : {}),
    matters: [...valid.matters],
    credentials: [key],
    revision: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await registerVerifierModels(store).Verifier.create(record);
  } catch (error) {
    if ((error as { code?: number }).code === 11000)
      throw new VerifierRegisterError(
        'VERIFIER_EXISTS',
        `verifier ${valid.id} is registered already (rotate issues it a new key)`,
        'id',
      );
    throw error;
  }
  return { record, credential };
}

const change = (
  store: Connection,
  id: string,
  update: (credentials: CredentialRecord[], now: Date) => CredentialRecord[],
): Promise<VerifierRecord> =>
  changeCredentials(registerVerifierModels(store).Verifier, id, update, {
    unknown: () => new VerifierRegisterError('UNKNOWN_VERIFIER', `verifier ${id} is not registered`, 'id'),
    changed: () => new VerifierRegisterError('CHANGED', `verifier ${id} changed while it was being updated: try again`),
  });

/**
 * Issues a new key (the credential, shown once). Every other active key keeps working for
 * `graceDays` (0: it stops now), so the verifier can switch over, unless revoked earlier.
 */
export async function rotateVerifierCredential(
  store: Connection,
  id: string,
  master: string,
  options: { graceDays?: number } = {},
): Promise<{ record: VerifierRecord; credential: VerifierCredential; graceUntil: Date }> {
  const { record: key, credential } = newCredential(master, id);
  const { record, graceUntil } = await rotateKeys((update) => change(store, id, update), key, options.graceDays);
  return { record, credential, graceUntil };
}

/** Revokes one key, or every key (`'all'`): it stops scanning at the next request. */
export async function revokeVerifierCredential(
  store: Connection,
  id: string,
  keyId: string | 'all',
): Promise<VerifierRecord> {
  return revokeKeys(
    (update) => change(store, id, update),
    keyId,
    () => new VerifierRegisterError('UNKNOWN_KEY', `verifier ${id} has no key ${keyId}`, 'key'),
  );
}
