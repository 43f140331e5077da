/**
 * The owning department's correction of a shared-data record (数据更正), applied once a second
 * person has confirmed it (services/objections: one supervisor records it, another confirms; S4):
 * the fact is checked against the catalog (type, closed values, known ranges) before anything is
 * written, the audit record (who recorded and who confirmed, when, fact, reason, the old value
 * masked where sensitive and sealed for a revert) is written first, then the department's dp_*
 * document is updated — so a crash between the two is finished by a retry with the same key, and
 * no record is ever changed without its audit. The audit record is hash-chained (stream
 * `data_corrections`, store/audit-chain.ts) before the department's record changes.
 */
import { revokeProofs } from './proofs.js';
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';
import { seal, unseal } from '../domain/seal.js';
import { findFact, type DataSource, type FactField } from '../domain/sources.js';
import { shownFactValue } from '../rules/explain.js';
import { resolveSubject } from './subjects.js';
import type { PersonRef } from './users.js';
import { Refusal, type RefusalCode } from '../domain/refusal.js';

/** A correction refused before anything was written: stable code, both languages, the field at fault. */
export class CorrectionError extends Refusal {
  declare readonly field: string;
  constructor(code: CorrectionErrorCode, message: string, messageZh: string, field: string) {
    super(code, message, messageZh, field);
  }
}

export type CorrectionErrorCode = Extract<
  RefusalCode,
  | 'UNKNOWN_FACT'
  | 'NOT_CORRECTABLE'
  | 'BAD_VALUE'
  | 'REASON_REQUIRED'
  | 'SUBJECT_NOT_FOUND'
  | 'NO_RECORD'
  | 'ALREADY_CORRECTED'
>;

export interface DataCorrection {
  /** The business key (an objection's `${objectionId}:correction`): one correction per key, ever. */
  _id: string;
  subjectKey: string;
  fact: string;
  source: string;
  /** The owning department, in Chinese, as the citizen sees it. */
  department: string;
  /** The value before, masked ('***') where the catalog marks the fact sensitive; absent when there was none. */
  oldValue?: unknown;
  /**
   * The value before as it was, sealed with AES-256-GCM under the correction-old-value key
   * (domain/keys.ts), so the correction can be reverted (oldValueOf); absent when there was none.
   */
  sealedOldValue?: string;
  newValue: unknown;
  reason: string;
  /** Who recorded the correction for the department: user ID (absent before user IDs), display name, role. */
  by: PersonRef;
  /**
   * The second person who confirmed it (never the recorder, nor whoever filed the objection, compared
   * by user ID); absent on records from before confirmations.
   */
  confirmedBy?: PersonRef;
  at: Date;
}

const correctionSchema = new Schema<DataCorrection>(
  {
    _id: { type: String, required: true },
    subjectKey: { type: String, required: true },
    fact: { type: String, required: true },
    source: { type: String, required: true },
    department: { type: String, required: true },
    oldValue: Schema.Types.Mixed,
    sealedOldValue: String,
    newValue: { type: Schema.Types.Mixed, required: true },
    reason: { type: String, required: true },
    by: { id: String, name: String, role: String },
    confirmedBy: { type: { id: String, name: String, role: String }, default: undefined },
    at: { type: Date, required: true },
  },
  { collection: 'data_corrections', versionKey: false, minimize: false },
);
/** A subject's corrections, newest first (who changed my data). */
correctionSchema.index({ subjectKey: 1, at: -1 });

/** A subject's corrections, newest first (sorted and limited in the query). */
export function correctionsOfSubject(connection: Connection, subjectKey: string, limit: number) {
  return registerCorrectionModel(connection).find({ subjectKey }).sort({ at: -1 }).limit(limit).lean();
}

export function registerCorrectionModel(connection: Connection): Model<DataCorrection> {
  return (
    (connection.models.DataCorrection as Model<DataCorrection>) ??
    connection.model<DataCorrection>('DataCorrection', correctionSchema)
  );
}

/** Ranges the catalog's types do not carry but the departments' records do (event payloads check the same). */
const NUMBER_RANGES: Record<string, { min: number; max: number; integer: boolean }> = {
  'person.disabilityGrade': { min: 1, max: 4, integer: true },
};
/** Shapes some string facts must keep, so a corrected account reaches the next bank file as the bank reads it. */
const STRING_PATTERNS: Record<string, { pattern: RegExp; en: string; zh: string }> = {
  'person.bankAccountNumber': {
    pattern: /^[0-9A-Za-z]{1,34}$/,
    en: 'an account number (letters and digits, no spaces, at most 34)',
    zh: '账号（字母或数字，不含空格，最多34位）',
  },
  'person.bankAccountBankCode': { pattern: /^\d{12}$/, en: 'a 12-digit CNAPS bank code', zh: '12位联行号' },
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real day: 2026-02-30 parses in JavaScript (as 2 March) but is no date. */
const isCalendarDate = (value: string) =>
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

/** The value as the catalog types the fact; a CorrectionError naming `field` otherwise. */
export function checkFactValue(
  fact: string,
  value: unknown,
  field = 'value',
): { source: DataSource; field: FactField; value: unknown } {
  const known = findFact(fact);
  if (!known)
    throw new CorrectionError(
      'UNKNOWN_FACT',
      `${fact} is not in the data-source catalog`,
      `数据目录中没有 ${fact}`,
      'fact',
    );
  const { field: definition } = known;
  if (/(IdNumber|CreditCode)$/.test(definition.column)) {
    throw new CorrectionError(
      'NOT_CORRECTABLE',
      `${fact} holds an identifier: it is corrected at the registry, not through an objection`,
      `${definition.label.zh}为身份标识，须到登记机关更正`,
      'fact',
    );
  }
  const bad = (expected: string, expectedZh: string) =>
    new CorrectionError(
      'BAD_VALUE',
      `${field} for ${fact} must be ${expected}`,
      `${definition.label.zh}的值须为${expectedZh}`,
      field,
    );
  switch (definition.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a number', '数字');
      const range = NUMBER_RANGES[fact];
      if (range && (value < range.min || value > range.max || (range.integer && !Number.isInteger(value)))) {
        throw bad(`a whole number from ${range.min} to ${range.max}`, `${range.min}至${range.max}的整数`);
      }
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('true or false', 'true 或 false');
      break;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value) || !isCalendarDate(value))
        throw bad('a date YYYY-MM-DD', '日期 YYYY-MM-DD');
      break;
    case 'string':
      if (typeof value !== 'string' || value.trim() === '') throw bad('text', '文字');
      if (definition.values && !definition.values.includes(value))
        throw bad(`one of ${definition.values.join(', ')}`, `${definition.values.join('、')}之一`);
      if (STRING_PATTERNS[fact] && !STRING_PATTERNS[fact].pattern.test(value))
        throw bad(STRING_PATTERNS[fact].en, STRING_PATTERNS[fact].zh);
      break;
  }
  return { source: known.source, field: definition, value };
}

export interface CorrectionRequest {
  key: string;
  subjectKey: string;
  fact: string;
  value: unknown;
  reason: string;
  /** Who recorded it, and the second person who confirmed it. */
  by: PersonRef;
  confirmedBy: PersonRef;
  /** The current master secret, to seal the old value (correction-old-value key). */
  secret: string;
}

/** The reason of a correction, trimmed; REASON_REQUIRED under 5 characters. */
export function correctionReason(reason: unknown): string {
  const stated = typeof reason === 'string' ? reason.trim() : '';
  if (stated.length < 5)
    throw new CorrectionError(
      'REASON_REQUIRED',
      'state why the record is corrected (at least 5 characters)',
      '请说明更正理由（至少5个字）',
      'reason',
    );
  return stated;
}

/**
 * Where a fact of a subject is held, checked before anything is written or asked of a second
 * person: the value typed for the catalog, the subject known, and the department holding a record
 * of them. Refuses (400/404/409) an unknown fact, a mistyped value, an unknown subject, no record.
 */
export async function locateCorrection(
  connection: Connection,
  subjectKey: string,
  fact: string,
  value: unknown,
): Promise<{ source: DataSource; field: FactField; idValue: string; current: Record<string, unknown> }> {
  const { source, field } = checkFactValue(fact, value);
  const subject = await resolveSubject(connection, subjectKey);
  const idValue = source.subject === 'person' ? subject?.idNumber : subject?.creditCode;
  if (!subject || subject.kind !== source.subject || !idValue) {
    throw new CorrectionError(
      'SUBJECT_NOT_FOUND',
      `the subject is not a ${source.subject} known to the system of record`,
      '系统中没有该当事人',
      'subject',
    );
  }
  const current = await connection
    .db!.collection(source.collection)
    .findOne({ _id: idValue } as object, { projection: { _id: 0, [field.column]: 1 } });
  if (!current) {
    throw new CorrectionError(
      'NO_RECORD',
      `${source.department.en} holds no record of this subject to correct`,
      `${source.department.zh}没有该当事人的记录，无法更正`,
      'fact',
    );
  }
  return { source, field, idValue, current };
}

/** The value a correction replaced, opened under the key ring (current secret first); undefined when there was none. */
export function oldValueOf(correction: Pick<DataCorrection, 'sealedOldValue'>, secrets: readonly string[]): unknown {
  if (correction.sealedOldValue === undefined) return undefined;
  const opened = unseal(correction.sealedOldValue, secrets, 'correctionOldValue');
  if (opened === undefined) throw new Error('the old value of this correction cannot be opened under these secrets');
  return JSON.parse(opened) as unknown;
}

/**
 * Corrects one fact of a subject's record at the department that owns it, once a second person
 * has confirmed it; once per key: a retry with the same value finishes and returns the first
 * correction; another value under the same key is a 409. Refuses (400/404/409, nothing written)
 * what locateCorrection refuses, and a reason under 5 characters.
 */
export async function correctSharedFact(connection: Connection, request: CorrectionRequest): Promise<DataCorrection> {
  const reason = correctionReason(request.reason);
  const { source, field, idValue, current } = await locateCorrection(
    connection,
    request.subjectKey,
    request.fact,
    request.value,
  );
  const Correction = registerCorrectionModel(connection);
  const documents = connection.db!.collection(source.collection);
  let audit = await Correction.findOne({ _id: request.key }).lean();
  let fresh = false;
  if (!audit) {
    const before = current[field.column];
    const old = shownFactValue(request.fact, before);
    const written = await Correction.updateOne(
      { _id: request.key },
      {
        $setOnInsert: {
          subjectKey: request.subjectKey,
          fact: request.fact,
          source: source.id,
          department: source.department.zh,
          ...(old === undefined ? {} : { oldValue: old }),
          ...(before === undefined || before === null
            ? {}
            : { sealedOldValue: seal(JSON.stringify(before), request.secret, 'correctionOldValue') }),
          newValue: request.value,
          reason,
          by: request.by,
          confirmedBy: request.confirmedBy,
          at: new Date(),
        },
      },
      { upsert: true },
    );
    fresh = written.upsertedCount === 1;
    audit = (await Correction.findOne({ _id: request.key }).lean())!;
  }
  if (audit.fact !== request.fact || JSON.stringify(audit.newValue) !== JSON.stringify(request.value)) {
    throw new CorrectionError(
      'ALREADY_CORRECTED',
      `this objection's record was already corrected (${audit.fact} on ${audit.at.toISOString()})`,
      `该异议对应的记录已于 ${audit.at.toISOString()} 更正`,
      'value',
    );
  }
  // Chained before the record changes; a retry chains it only if an earlier attempt did not.
  await chainStored(connection, 'data_corrections', [request.key], { fresh });
  // After the audit: setting the same value again is harmless, so a retry always finishes the write.
  await documents.updateOne({ _id: idValue } as object, { $set: { [field.column]: audit.newValue } });
  // What was proved from the old value is proved no more: the archived proofs resting on the fact are revoked.
  await revokeProofs(connection, {
    subjectKey: audit.subjectKey,
    facts: [audit.fact],
    reason: `correction of ${audit.fact} (${request.key})`,
    at: audit.at,
  });
  return audit;
}
