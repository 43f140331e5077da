/**
 * The register of departments that publish life events, and their credentials. A department is
 * one document keyed by its ID (`departments`, read by `_id` on every signed request); each event
 * `source` belongs to one department (`department_sources`, `_id` = the source, claimed with an
 * upsert, so two departments never claim the same source, even registered at the same moment).
 * Credentials are stored hashed: a key ID and the SHA-256 fingerprint of its secret, never the
 * secret, which is derived from the master secret (domain/department-signature.ts) and shown once.
 * Changes to a department's credentials are compare-and-set on a revision (no transactions), as
 * every register of signing parties keeps them (store/credentials.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { DEPARTMENT_SCHEME, type DepartmentCredential } from '../domain/department-signature.js';
import { validateDepartmentSpec, type DepartmentSpec } from '../domain/departments.js';
import type { Text } from '../domain/sources.js';
import {
  changeCredentials as changeStoredCredentials,
  credentialSchema,
  issueCredential,
  revokeKeys,
  rotateKeys,
  type CredentialRecord,
} from './credentials.js';

export { DEFAULT_GRACE_DAYS, keyUsable, type CredentialRecord } from './credentials.js';

export interface DepartmentRecord {
  /** The department ID. */
  _id: string;
  name: Text;
  sources: string[];
  eventTypes: string[];
  backdatingDays: number;
  credentials: CredentialRecord[];
  /** Incremented by every change of the credentials (compare-and-set). */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const departmentSchema = new Schema<DepartmentRecord>(
  {
    _id: { type: String, required: true },
    name: { zh: { type: String, required: true }, en: { type: String, required: true } },
    sources: { type: [String], required: true },
    eventTypes: { type: [String], required: true },
    backdatingDays: { type: Number, required: true },
    credentials: { type: [credentialSchema], default: [] },
    revision: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'departments', versionKey: false },
);

const sourceClaimSchema = new Schema<{ _id: string; department: string; claimedAt: Date }>(
  {
    _id: { type: String, required: true },
    department: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'department_sources', versionKey: false },
);

export function registerDepartmentModels(connection: Connection) {
  return {
    Department:
      (connection.models.Department as Model<DepartmentRecord>) ?? connection.model('Department', departmentSchema),
    SourceClaim:
      (connection.models.DepartmentSource as Model<{ _id: string; department: string; claimedAt: Date }>) ??
      connection.model('DepartmentSource', sourceClaimSchema),
  };
}

/** A change of the register that cannot be made; `field` names what is at fault. Nothing was written. */
export class DepartmentRegisterError extends Error {
  constructor(
    readonly code: 'UNKNOWN_DEPARTMENT' | 'DEPARTMENT_EXISTS' | 'SOURCE_TAKEN' | 'UNKNOWN_KEY' | 'CHANGED',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DepartmentRegisterError';
  }
}

/** The registration of a stored department. */
export const specOf = (record: DepartmentRecord): DepartmentSpec => ({
  id: record._id,
  name: { zh: record.name.zh, en: record.name.en },
  sources: record.sources,
  eventTypes: record.eventTypes,
  backdatingDays: record.backdatingDays,
});

/** A department by ID (one `_id` lookup), or undefined. */
export async function findDepartment(store: Connection, id: string): Promise<DepartmentRecord | undefined> {
  return (await registerDepartmentModels(store).Department.findById(id).lean()) ?? undefined;
}

/** Every department, by ID (the register is small: a scan). */
export async function listDepartments(store: Connection): Promise<DepartmentRecord[]> {
  const records = await registerDepartmentModels(store).Department.find({}).lean();
  return records.sort((a, b) => a._id.localeCompare(b._id));
}

/**
 * Claims each source for the department: refused (SOURCE_TAKEN, nothing claimed) when another
 * department holds one; a source this department holds already is kept.
 */
async function claimSources(store: Connection, department: string, sources: readonly string[]): Promise<void> {
  const { SourceClaim } = registerDepartmentModels(store);
  const holders = await Promise.all(
    sources.map(async (source) => (await SourceClaim.findById(source).lean()) ?? undefined),
  );
  const taken = holders.find((claim) => claim && claim.department !== department);
  if (taken) throw sourceTaken(taken._id, taken.department);
  const claimed: string[] = [];
  for (const source of sources) {
    await SourceClaim.updateOne(
      { _id: source },
      { $setOnInsert: { department, claimedAt: new Date() } },
      { upsert: true },
    );
    const holder = await SourceClaim.findById(source).lean();
    if (holder?.department !== department) {
      // Another department claimed it between the check and the claim: give back what this call claimed.
      for (const mine of claimed) await SourceClaim.deleteOne({ _id: mine, department });
      throw sourceTaken(source, holder?.department ?? 'another department');
    }
    if (!holders[sources.indexOf(source)]) claimed.push(source);
  }
}

const sourceTaken = (source: string, holder: string) =>
  new DepartmentRegisterError('SOURCE_TAKEN', `source "${source}" belongs to department ${holder}`, 'sources');

/** Gives back the sources a department no longer lists. */
async function releaseSources(store: Connection, department: string, keep: readonly string[]): Promise<void> {
  const { SourceClaim } = registerDepartmentModels(store);
  const record = await findDepartment(store, department);
  for (const source of record?.sources ?? [])
    if (!keep.includes(source)) await SourceClaim.deleteOne({ _id: source, department });
}

/** Issues a key for a department: its record, and the credential to show once. */
function newCredential(
  master: string,
  department: string,
): { record: CredentialRecord; credential: DepartmentCredential } {
  const { record, credential } = issueCredential(DEPARTMENT_SCHEME, master, department);
  return { record, credential: { department, keyId: credential.keyId, secret: credential.secret } };
}

/**
 * Registers a new department and issues its first key (the credential, shown once). Refused,
 * with nothing written, when the ID is registered or a source belongs to another department.
 */
export async function addDepartment(
  store: Connection,
  spec: DepartmentSpec,
  master: string,
): Promise<{ record: DepartmentRecord; credential: DepartmentCredential }> {
  const valid = validateDepartmentSpec(spec);
  const { Department } = registerDepartmentModels(store);
  if (await findDepartment(store, valid.id))
    throw new DepartmentRegisterError(
      'DEPARTMENT_EXISTS',
      `department ${valid.id} is registered already (rotate issues it a new key)`,
      'id',
    );
  await claimSources(store, valid.id, valid.sources);
  const { record: key, credential } = newCredential(master, valid.id);
  const now = new Date();
  const record: DepartmentRecord = {
    _id: valid.id,
    name: valid.name,
    sources: [...valid.sources],
    eventTypes: [...valid.eventTypes],
    backdatingDays: valid.backdatingDays,
    credentials: [key],
    revision: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await Department.create(record);
  } catch (error) {
    if ((error as { code?: number }).code === 11000)
      throw new DepartmentRegisterError('DEPARTMENT_EXISTS', `department ${valid.id} is registered already`, 'id');
    throw error;
  }
  return { record, credential };
}

/**
 * Registers a department, or updates what it is registered for, keeping its credentials (none for
 * a new one: `rotate` issues a key). The demo registers its registries this way at every start.
 */
export async function defineDepartment(store: Connection, spec: DepartmentSpec): Promise<DepartmentRecord> {
  const valid = validateDepartmentSpec(spec);
  await claimSources(store, valid.id, valid.sources);
  await releaseSources(store, valid.id, valid.sources);
  const now = new Date();
  const record = await registerDepartmentModels(store)
    .Department.findOneAndUpdate(
      { _id: valid.id },
      {
        $set: {
          name: valid.name,
          sources: [...valid.sources],
          eventTypes: [...valid.eventTypes],
          backdatingDays: valid.backdatingDays,
          updatedAt: now,
        },
        $setOnInsert: { credentials: [], revision: 0, createdAt: now },
      },
      { upsert: true, returnDocument: 'after' },
    )
    .lean();
  return record!;
}

/** Replaces a department's credentials if no one else changed them meanwhile (a few tries, then CHANGED). */
const changeCredentials = (
  store: Connection,
  id: string,
  change: (credentials: CredentialRecord[], now: Date) => CredentialRecord[],
): Promise<DepartmentRecord> =>
  changeStoredCredentials(registerDepartmentModels(store).Department, id, change, {
    unknown: () => new DepartmentRegisterError('UNKNOWN_DEPARTMENT', `department ${id} is not registered`, 'id'),
    changed: () =>
      new DepartmentRegisterError('CHANGED', `department ${id} changed while it was being updated: try again`),
  });

/**
 * Issues a new key (the credential, shown once). Every other active key keeps working for
 * `graceDays` (0: it stops now), so the department can switch over, unless revoked earlier.
 */
export async function rotateCredential(
  store: Connection,
  id: string,
  master: string,
  options: { graceDays?: number } = {},
): Promise<{ record: DepartmentRecord; credential: DepartmentCredential; graceUntil: Date }> {
  const { record: key, credential } = newCredential(master, id);
  const { record, graceUntil } = await rotateKeys(
    (update) => changeCredentials(store, id, update),
    key,
    options.graceDays,
  );
  return { record, credential, graceUntil };
}

/** Revokes one key, or every key (`'all'`): it stops working at the next request. Revoking a revoked key changes nothing. */
export async function revokeCredential(
  store: Connection,
  id: string,
  keyId: string | 'all',
): Promise<DepartmentRecord> {
  return revokeKeys(
    (update) => changeCredentials(store, id, update),
    keyId,
    () => new DepartmentRegisterError('UNKNOWN_KEY', `department ${id} has no key ${keyId}`, 'key'),
  );
}
