/**
 * Issuing an electronic certificate (电子证照制发): the document is built from its type (fields
 * checked, validity from the type), each issuing department's active seal signs it, the result is
 * checked against the registry as any verifier would check it, and it is stored under its business
 * key. Idempotent by that key: an activity retried after a crash gets the certificate its first
 * attempt stored (`created: false`), never a second one. Call it from an activity with the store
 * and the seal keeper: `issueCertificate({ store, seals }, { key: \`${workflowId}:certificate\`, … })`.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import {
  CERTIFICATE_FORMAT,
  type CertificateDocument,
  type CertificateType,
  type SignedCertificate,
} from '../../domain/certificates.js';
import { base32 } from '../../domain/base32.js';
import { certificateType, SEALING_DEPARTMENTS } from '../../domain/certificate-types.js';
import { canonicalRecord } from '../../domain/canonical.js';
import { verifyCertificate } from '../../domain/certificate-verify.js';
import { subjectKeyKind } from '../../domain/pseudonym.js';
import { Refusal } from '../../domain/refusal.js';
import { findCertificate, insertCertificate, signedCertificateOf } from '../../store/certificates.js';
import type { SealDepartment, SealKeeper } from './seal-keeper.js';

export interface IssueDeps {
  store: Connection;
  seals: SealKeeper;
  now?: () => Date;
}

export interface IssueRequest {
  /** The business key (e.g. `${workflowId}:certificate`): the same key never issues twice. */
  key: string;
  /** The certificate type's ID (domain/certificate-types.ts). */
  type: string;
  /** The holder by subject key, with the name they are known by (shown masked to anyone else). */
  holder: { subjectKey: string; displayName?: string };
  fields: Record<string, string | number>;
  /** City date of issue (YYYY-MM-DD): validity counts from it. */
  issuedOn: string;
  basis: CertificateDocument['basis'];
  /** The sealing departments, for a type whose departments are named at issuance (a decision letter). */
  departments?: ReadonlyArray<SealDepartment | string>;
}

/** A certificate that cannot be issued as asked; `field` names what is at fault. Nothing was stored. */
export class CertificateRefusal extends Refusal {
  declare readonly code:
    'UNKNOWN_CERTIFICATE_TYPE' | 'INVALID_CERTIFICATE' | 'CERTIFICATE_NOT_FOUND' | 'REASON_REQUIRED';
}

const invalid = (field: string, en: string, zh: string) =>
  new CertificateRefusal('INVALID_CERTIFICATE', `${field}: ${en}`, zh, field);

/**
 * The certificate ID of a business key: `c_` and 24 lower-case base32 characters, the first 120
 * bits of a SHA-256 of the key under this purpose. One-way (the key, itself pseudonymous, cannot
 * be read back from it) and never derived from an identifier; the same key always gives the same
 * ID, so a retried issuance finds its certificate by `_id` — a read FerretDB answers from its
 * index, where a read by `key` scanned the collection (91 ms a retry at 2,000 certificates).
 */
export const certificateIdOf = (key: string): string =>
  `c_${base32(createHash('sha256').update(`applyfree/certificate-id/v1\n${key}`).digest().subarray(0, 15)).toLowerCase()}`;

/** The certificate ID pattern (for route parameters). */
export const CERTIFICATE_ID_PATTERN = /^c_[a-z2-7]{24}$/;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (value: unknown): value is string =>
  typeof value === 'string' && DATE.test(value) && DateTime.fromISO(value).isValid;

/** The type's fields from the request: every required one present, none unknown, each of its type. */
function checkFields(type: CertificateType, fields: Record<string, unknown>): Record<string, string | number> {
  const known = new Set(type.fields.map((field) => field.key));
  const unknown = Object.keys(fields).find((key) => !known.has(key));
  if (unknown)
    throw invalid(`fields.${unknown}`, `not a field of ${type.id}`, `字段 ${unknown} 不属于${type.title.zh}`);
  const checked: Record<string, string | number> = {};
  for (const spec of type.fields) {
    const value = fields[spec.key];
    const at = `fields.${spec.key}`;
    if (value === undefined || value === null || value === '') {
      if (spec.optional) continue;
      throw invalid(at, 'required', `缺少字段：${spec.label.zh}`);
    }
    if (spec.type === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string')
      throw invalid(
        at,
        spec.type === 'number' ? 'expected a whole number' : 'expected text',
        `字段格式不正确：${spec.label.zh}`,
      );
    if (spec.type === 'date' && !validDate(value))
      throw invalid(at, 'expected a date YYYY-MM-DD', `日期格式不正确：${spec.label.zh}`);
    if (typeof value === 'string' && value.length > 2000)
      throw invalid(at, 'at most 2000 characters', `字段过长：${spec.label.zh}`);
    checked[spec.key] = value as string | number;
  }
  return checked;
}

/** The sealing departments: the type's own, or those named at issuance where the type allows it. */
function issuersOf(type: CertificateType, named: IssueRequest['departments']): SealDepartment[] {
  if (named && named.length > 0 && !type.departmentsNamedAtIssuance)
    throw invalid(
      'departments',
      `${type.id} is sealed by ${type.departments.join(', ')}`,
      `${type.title.zh}的签发部门不可指定`,
    );
  const wanted = named && named.length > 0 ? named : type.departments;
  if (wanted.length === 0)
    throw invalid('departments', `name the department(s) that seal a ${type.id}`, `请指定${type.title.zh}的签发部门`);
  const issuers = wanted.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const name = SEALING_DEPARTMENTS[entry];
    if (!name) throw invalid('departments', `${entry} is not a sealing department`, `${entry} 不是签章部门`);
    return { department: entry, name };
  });
  if (new Set(issuers.map((issuer) => issuer.department)).size !== issuers.length)
    throw invalid('departments', 'a department is named twice', '签发部门重复');
  return issuers;
}

/** The last valid day: `months` after the issue date, less one day; none for a type valid until revoked. */
export function validUntilOf(issuedOn: string, months: number | undefined): string | undefined {
  if (months === undefined) return undefined;
  return DateTime.fromISO(issuedOn, { zone: 'utc' }).plus({ months }).minus({ days: 1 }).toISODate()!;
}

/** Builds and checks the unsigned document. */
function documentOf(
  request: IssueRequest,
  type: CertificateType,
  issuers: SealDepartment[],
  at: Date,
): CertificateDocument {
  const kind = subjectKeyKind(request.holder?.subjectKey ?? '');
  if (!kind) throw invalid('holder.subjectKey', 'not a subject key', '持证人不是有效的主体标识');
  if (type.holderKind !== 'any' && kind !== type.holderKind)
    throw invalid(
      'holder.subjectKey',
      `a ${type.id} is held by a ${type.holderKind}`,
      `${type.title.zh}的持证人类型不符`,
    );
  if (!validDate(request.issuedOn)) throw invalid('issuedOn', 'expected a date YYYY-MM-DD', '签发日期格式不正确');
  if (!request.key?.trim()) throw invalid('key', 'required', '缺少业务键');
  const validUntil = validUntilOf(request.issuedOn, type.validityMonths);
  const displayName = request.holder.displayName?.trim();
  return {
    format: CERTIFICATE_FORMAT,
    id: certificateIdOf(request.key),
    type: type.id,
    title: { zh: type.title.zh, en: type.title.en },
    holder: { subjectKey: request.holder.subjectKey, kind, ...(displayName ? { displayName } : {}) },
    fields: checkFields(type, request.fields ?? {}),
    issuedOn: request.issuedOn,
    issuedAt: at.toISOString(),
    ...(validUntil ? { validUntil } : {}),
    basis: { kind: request.basis.kind, ref: request.basis.ref },
    issuers: issuers.map(({ department, name }) => ({ department, name: { zh: name.zh, en: name.en } })),
  };
}

/** Signs with every issuer's seal and checks the result as a verifier would (a seal rotated meanwhile: sign again). */
async function sealDocument(
  deps: IssueDeps,
  document: CertificateDocument,
  issuers: SealDepartment[],
): Promise<SignedCertificate> {
  for (let attempt = 1; ; attempt++) {
    const signatures = [];
    for (const issuer of issuers) signatures.push(await deps.seals.sign(issuer, document));
    const signed = { document, signatures };
    const check = verifyCertificate(signed, await deps.seals.registry(), new Set(), document.issuedOn);
    const problems = check.failures.filter((failure) => failure.code !== 'EXPIRED');
    if (problems.length === 0) return signed;
    if (attempt === 3)
      throw new Error(`certificate ${document.id} fails its own check: ${problems.map((p) => p.code).join(', ')}`);
  }
}

/**
 * Issues a certificate (see the module comment): `{ certificate, created }`, created false when
 * the key had issued one already (that one is answered, unchanged). Refuses with
 * UNKNOWN_CERTIFICATE_TYPE or INVALID_CERTIFICATE (the field at fault) before anything is signed.
 */
export async function issueCertificate(
  deps: IssueDeps,
  request: IssueRequest,
): Promise<{ certificate: SignedCertificate; created: boolean }> {
  const type = certificateType(request.type);
  if (!type)
    throw new CertificateRefusal(
      'UNKNOWN_CERTIFICATE_TYPE',
      `type: no certificate type "${request.type}"`,
      `没有证照类型“${request.type}”`,
      'type',
    );
  const issuers = issuersOf(type, request.departments);
  const now = (deps.now ?? (() => new Date()))();
  const document = documentOf(request, type, issuers, now);
  // A retry finds what its first attempt stored, by _id, before signing anything again.
  const issued = await findCertificate(deps.store, document.id);
  if (issued) return { certificate: signedCertificateOf(issued), created: false };
  const signed = await sealDocument(deps, document, issuers);
  const { record, created } = await insertCertificate(deps.store, {
    _id: document.id,
    key: request.key,
    type: type.id,
    holderSubjectKey: document.holder.subjectKey,
    signedText: canonicalRecord(document),
    signatures: signed.signatures,
    issuedOn: document.issuedOn,
    ...(document.validUntil ? { validUntil: document.validUntil } : {}),
    issuedAt: now,
  });
  return { certificate: signedCertificateOf(record), created };
}
