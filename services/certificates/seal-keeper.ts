/**
 * The seal keeper: the one way seals are created, rotated, revoked and used to sign. A
 * department's first seal is created when it first signs (`ensureSeal`); a seal signs for
 * SEAL_VALIDITY_YEARS, then the keeper rotates it; `rotate` makes a new active seal and retires
 * the old one (it signs no more, what it signed stays valid); `revoke` ends a seal for good
 * (every signature it ever made fails with SEAL_REVOKED: its signing times are its own claim, so
 * after a compromise none can be trusted; re-seal what must stay valid). The registry is checked
 * at signing time: only the department's active seal, within its validity, signs.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { SEAL_ALGORITHM, type CertificateDocument, type SealSignature } from '../../domain/certificates.js';
import { SEALING_DEPARTMENTS } from '../../domain/certificate-types.js';
import { signedPayload, type SignatureHeader } from '../../domain/certificate-verify.js';
import { DEPARTMENT_ID_PATTERN } from '../../domain/departments.js';
import { Refusal } from '../../domain/refusal.js';
import type { Text } from '../../domain/sources.js';
import {
  activeSeal,
  findSeal,
  insertActiveSeal,
  listSeals,
  retireSeal,
  revokeSealRecord,
  sealRegistry,
  type SealRecord,
  type SealRegistryView,
} from '../../store/seals.js';
import { SealKeyError, type SealKeyStore } from './seal-keys.js';

/** How long a seal signs before the keeper rotates it. */
export const SEAL_VALIDITY_YEARS = 5;

/** A department that seals: its ID and the name its seal and certificates show. */
export interface SealDepartment {
  department: string;
  name: Text;
}

/** A seal request that cannot be served, naming the field at fault. */
export class SealRefusal extends Refusal {
  declare readonly code: 'SEAL_NOT_FOUND' | 'UNKNOWN_DEPARTMENT' | 'REASON_REQUIRED' | 'SEAL_UNAVAILABLE';
}

export interface SealKeeperDeps {
  store: Connection;
  keys: SealKeyStore;
  now?: () => Date;
}

export interface SealKeeper {
  /** The department's active seal, created when it has none (idempotent; concurrent callers get the same one). */
  ensureSeal(department: SealDepartment | string): Promise<SealRecord>;
  /** A new active seal for the department; the old one is retired (still verifies what it signed while valid). */
  rotate(department: SealDepartment | string): Promise<{ active: SealRecord; retired?: SealRecord }>;
  /** Revokes a seal (SEAL_NOT_FOUND when unknown): nothing it signed verifies any more. A second call changes nothing. */
  revoke(sealId: string, reason: string, by: string): Promise<SealRecord>;
  /** The department's active seal signs the document now: its SealSignature. */
  sign(department: SealDepartment | string, document: CertificateDocument): Promise<SealSignature>;
  /** The department's active seal signs the bytes `payloadOf` makes with the signature's header (the revocation list). */
  signPayload(
    department: SealDepartment | string,
    payloadOf: (header: SignatureHeader) => Uint8Array,
  ): Promise<SealSignature>;
  /** The public registry: every seal's key, status and validity. */
  registry(): Promise<SealRegistryView>;
}

const newSealId = (department: string) => `${department}-${randomBytes(6).toString('hex')}`;

const addYears = (date: Date, years: number) => {
  const next = new Date(date);
  next.setUTCFullYear(next.getUTCFullYear() + years);
  return next;
};

/** The keeper over a store and a key store (files on the embedded stack, an HSM in production). */
export function createSealKeeper(deps: SealKeeperDeps): SealKeeper {
  const { store, keys } = deps;
  const now = deps.now ?? (() => new Date());

  /** The department's ID and name: given, from the sealing departments, or from its earlier seals. */
  async function resolve(department: SealDepartment | string): Promise<SealDepartment> {
    const id = typeof department === 'string' ? department : department.department;
    if (!DEPARTMENT_ID_PATTERN.test(id))
      throw new SealRefusal(
        'UNKNOWN_DEPARTMENT',
        `department: "${id}" is not a department ID`,
        `部门“${id}”不是部门编号`,
        'department',
      );
    if (typeof department !== 'string') return department;
    const known = SEALING_DEPARTMENTS[id] ?? (await listSeals(store)).find((s) => s.department === id)?.departmentName;
    if (!known)
      throw new SealRefusal(
        'UNKNOWN_DEPARTMENT',
        `department ${id} has no seal and is not a sealing department`,
        `部门 ${id} 没有印章，也不是签章部门`,
        'department',
      );
    return { department: id, name: known };
  }

  /** Creates a seal and tries to make it the department's active one; the active seal either way. */
  async function createActive(department: SealDepartment, rotatedFrom?: string): Promise<SealRecord> {
    const sealId = newSealId(department.department);
    const { publicKeyPem } = await keys.create(sealId);
    const at = now();
    const record: SealRecord = {
      _id: sealId,
      department: department.department,
      departmentName: department.name,
      name: { zh: `${department.name.zh}电子印章`, en: `${department.name.en} e-seal` },
      publicKey: publicKeyPem,
      algorithm: SEAL_ALGORITHM,
      userId: keys.userId,
      validFrom: at,
      validTo: addYears(at, SEAL_VALIDITY_YEARS),
      status: 'active',
      slot: department.department,
      ...(rotatedFrom ? { rotatedFrom } : {}),
      createdAt: at,
    };
    if (await insertActiveSeal(store, record)) return record;
    // Another process made the department's active seal first: this key is never used.
    await keys.destroy(sealId);
    const winner = await activeSeal(store, department.department);
    if (!winner) throw unavailable(department.department);
    return winner;
  }

  async function ensureSeal(department: SealDepartment | string): Promise<SealRecord> {
    const resolved = await resolve(department);
    return (await activeSeal(store, resolved.department)) ?? createActive(resolved);
  }

  async function rotate(department: SealDepartment | string) {
    const resolved = await resolve(department);
    const current = await activeSeal(store, resolved.department);
    if (!current) return { active: await createActive(resolved) };
    await retireSeal(store, current._id, now());
    await keys.destroy(current._id);
    const active = await createActive(resolved, current._id);
    return { active, retired: (await findSeal(store, current._id))! };
  }

  async function revoke(sealId: string, reason: string, by: string): Promise<SealRecord> {
    if (!reason.trim())
      throw new SealRefusal('REASON_REQUIRED', 'reason: say why the seal is revoked', '请说明吊销印章的理由', 'reason');
    const record = await revokeSealRecord(store, sealId, { at: now(), reason: reason.trim(), by });
    if (!record) throw new SealRefusal('SEAL_NOT_FOUND', `no seal ${sealId}`, `没有印章 ${sealId}`, 'sealId');
    await keys.destroy(sealId);
    return record;
  }

  async function signPayload(
    department: SealDepartment | string,
    payloadOf: (header: SignatureHeader) => Uint8Array,
  ): Promise<SealSignature> {
    let seal = await ensureSeal(department);
    if (seal.validTo.getTime() <= now().getTime()) seal = (await rotate(department)).active;
    const header: SignatureHeader = {
      sealId: seal._id,
      department: seal.department,
      algorithm: SEAL_ALGORITHM,
      userId: seal.userId,
      signedAt: now().toISOString(),
    };
    try {
      const signature = await keys.sign(seal._id, payloadOf(header), seal.userId);
      return { ...header, signature: signature.toString('base64') };
    } catch (error) {
      if (error instanceof SealKeyError) throw unavailable(seal.department, error.message);
      throw error;
    }
  }

  return {
    ensureSeal,
    rotate,
    revoke,
    sign: (department, document) => signPayload(department, (header) => signedPayload(document, header)),
    signPayload,
    registry: () => sealRegistry(store),
  };
}

const unavailable = (department: string, why = 'its active seal could not be read') =>
  new SealRefusal(
    'SEAL_UNAVAILABLE',
    `the seal of department ${department} cannot sign: ${why} (rotate it: applyfree seal rotate ${department})`,
    `部门 ${department} 的印章无法签章（可轮换印章：applyfree seal rotate ${department}）`,
    'department',
  );
