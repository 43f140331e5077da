/**
 * Validation of a life event as a registry delivers it: the envelope, the subject's
 * identifier (GB 11643 / GB 32100) and the type's payload. The first problem found is
 * reported with the field at fault, in English and Chinese, never echoing an identifier;
 * nothing is written before an event passes.
 */
import { Refusal } from './refusal.js';
import { IdentityError, validateCreditCode, validateResidentId } from './identity.js';
import { findEventType } from './events.js';
import type { SubjectKind } from './sources.js';

export class EventValidationError extends Refusal {
  declare readonly code: 'INVALID_EVENT';
  declare readonly field: string;
  constructor(field: string, message: string, messageZh: string) {
    super('INVALID_EVENT', `${field}: ${message}`, messageZh, field);
  }
}

type FieldSpec =
  | { type: 'date' }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; max: number }
  | { type: 'strings' }
  | { type: 'residentId' }
  | { type: 'residentIds'; max: number }
  | { type: 'creditCode' };

interface PayloadSpec {
  required: Record<string, FieldSpec>;
  optional?: Record<string, FieldSpec>;
}

const PAYLOADS: Record<string, PayloadSpec> = {
  'birth.registered': {
    required: { birthDate: { type: 'date' } },
    optional: { guardianIds: { type: 'residentIds', max: 2 }, birthPlace: { type: 'string', max: 100 } },
  },
  'marriage.registered': { required: { spouseId: { type: 'residentId' } } },
  'employment.ended': {
    required: { reason: { type: 'enum', values: ['contract-expired', 'dismissed', 'enterprise-closed', 'resigned'] } },
    optional: { employerCreditCode: { type: 'creditCode' } },
  },
  'unemployment.registered': { required: {} },
  'disability.certified': {
    required: {
      grade: { type: 'int', min: 1, max: 4 },
      disabilityType: {
        type: 'enum',
        values: ['visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple'],
      },
    },
  },
  'retirement.registered': { required: {} },
  'death.registered': { required: {} },
  // A move stops (out) or may start (in) what depends on a local household; the other end is named, never an ID.
  'hukou.moved-out': { required: {}, optional: { destination: { type: 'string', max: 100 } } },
  'hukou.moved-in': { required: {}, optional: { origin: { type: 'string', max: 100 } } },
  'age.milestone': { required: { age: { type: 'int', min: 0, max: 130 } } },
  'enterprise.established': { required: {} },
  'enterprise.licence-changed': { required: { changes: { type: 'strings' } } },
  'enterprise.deregistered': { required: {} },
  'enterprise.annual-review': { required: { year: { type: 'int', min: 2000, max: 2100 } } },
};

/** An identifier found in a payload: stored in the system of record, replaced by its subject key elsewhere. */
export interface RelatedId {
  field: string;
  kind: SubjectKind;
  id: string;
}

export interface ValidEvent {
  sourceEventId: string;
  source: string;
  type: string;
  occurredOn: string;
  subject: { kind: SubjectKind; id: string };
  /** The payload with identifier fields removed (see `related`). */
  payload: Record<string, unknown>;
  related: RelatedId[];
}

const ENVELOPE = ['sourceEventId', 'source', 'type', 'occurredOn', 'subject', 'payload'];
const fail = (field: string, en: string, zh: string): never => {
  throw new EventValidationError(field, en, zh);
};

function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function identity<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof IdentityError) throw new EventValidationError(field, error.message, error.messageZh);
    throw error;
  }
}

function checkField(field: string, spec: FieldSpec, value: unknown, today: string, related: RelatedId[]): unknown {
  switch (spec.type) {
    case 'date':
      if (!isDate(value)) fail(field, 'must be a date YYYY-MM-DD', '须为 YYYY-MM-DD 格式的日期');
      if ((value as string) > today) fail(field, 'must not be in the future', '不能晚于今天');
      return value;
    case 'int':
      if (!Number.isInteger(value) || (value as number) < spec.min || (value as number) > spec.max) {
        fail(field, `must be a whole number from ${spec.min} to ${spec.max}`, `须为 ${spec.min} 至 ${spec.max} 的整数`);
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value))
        fail(field, `must be one of ${spec.values.join(', ')}`, `须为以下之一：${spec.values.join('、')}`);
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length === 0 || value.length > spec.max)
        fail(field, `must be text of 1 to ${spec.max} characters`, `须为 1 至 ${spec.max} 个字符的文本`);
      return value;
    case 'strings':
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
        fail(field, 'must be a non-empty list of text', '须为非空文本列表');
      }
      return value;
    case 'residentId':
      related.push({
        field,
        kind: 'person',
        id: identity(field, () => validateResidentId(String(value ?? ''), { field, today })).id,
      });
      return undefined;
    case 'residentIds':
      if (!Array.isArray(value) || value.length === 0 || value.length > spec.max)
        fail(field, `must list 1 to ${spec.max} resident IDs`, `须列出 1 至 ${spec.max} 个身份证号`);
      (value as unknown[]).forEach((id, i) => checkField(`${field}[${i}]`, { type: 'residentId' }, id, today, related));
      return undefined;
    case 'creditCode':
      related.push({
        field,
        kind: 'enterprise',
        id: identity(field, () => validateCreditCode(String(value ?? ''), { field })).code,
      });
      return undefined;
  }
}

/** Validates a delivered event as of `today` (YYYY-MM-DD); throws EventValidationError naming the field. */
export function validateEvent(input: unknown, today: string): ValidEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    fail('(body)', 'must be a JSON object', '须为 JSON 对象');
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body))
    if (!ENVELOPE.includes(key)) fail(key, 'is not a field of a life event', '不是生命事件的字段');

  const { sourceEventId, source, type, occurredOn, subject, payload } = body;
  if (typeof sourceEventId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(sourceEventId)) {
    fail('sourceEventId', 'must be 1 to 128 letters, digits or . _ : -', '须为 1 至 128 位字母、数字或 . _ : -');
  }
  // Event IDs end up in workflow IDs: a run of 15 or more digits could be an identifier.
  if (/\d{15,}/.test(sourceEventId as string))
    fail('sourceEventId', 'must not contain a resident ID or credit code', '不得包含身份证号或统一社会信用代码');
  if (typeof source !== 'string' || !/^[a-z0-9-]{1,64}$/.test(source))
    fail('source', 'must name the publishing registry (a-z, 0-9, -)', '须为发布部门标识（小写字母、数字、连字符）');
  const eventType = typeof type === 'string' ? findEventType(type) : undefined;
  if (!eventType)
    fail(
      'type',
      `is not a known life event type: ${JSON.stringify(type)}`,
      `不是已登记的生命事件类型：${JSON.stringify(type)}`,
    );
  checkField('occurredOn', { type: 'date' }, occurredOn, today, []);

  if (typeof subject !== 'object' || subject === null)
    fail('subject', 'must be an object with residentId or creditCode', '须包含 residentId 或 creditCode');
  const subjectFields = Object.keys(subject as object);
  const kind = eventType!.subject;
  const idField = kind === 'person' ? 'residentId' : 'creditCode';
  if (subjectFields.length !== 1 || subjectFields[0] !== idField) {
    fail(
      'subject',
      `a ${eventType!.type} event concerns a ${kind}: give exactly subject.${idField}`,
      `该事件的主体须且仅须提供 subject.${idField}`,
    );
  }
  const rawId = (subject as Record<string, unknown>)[idField];
  const subjectId =
    kind === 'person'
      ? identity(
          `subject.${idField}`,
          () => validateResidentId(String(rawId ?? ''), { field: `subject.${idField}`, today }).id,
        )
      : identity(
          `subject.${idField}`,
          () => validateCreditCode(String(rawId ?? ''), { field: `subject.${idField}` }).code,
        );

  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    fail('payload', 'must be a JSON object', '须为 JSON 对象');
  const spec = PAYLOADS[eventType!.type];
  const values = payload as Record<string, unknown>;
  const allowed = { ...spec.required, ...spec.optional };
  for (const key of Object.keys(values))
    if (!(key in allowed))
      fail(`payload.${key}`, `is not a field of ${eventType!.type}`, `不是 ${eventType!.type} 事件的字段`);
  const related: RelatedId[] = [];
  const clean: Record<string, unknown> = {};
  for (const [key, fieldSpec] of Object.entries(allowed)) {
    if (values[key] === undefined) {
      if (key in spec.required) fail(`payload.${key}`, 'is required', '为必填项');
      continue;
    }
    const checked = checkField(`payload.${key}`, fieldSpec, values[key], today, related);
    if (checked !== undefined) clean[key] = checked;
  }
  if (eventType!.type === 'birth.registered') {
    const embedded = validateResidentId(subjectId).birthDate;
    if (clean.birthDate !== embedded)
      fail(
        'payload.birthDate',
        "does not match the birth date in the child's resident ID",
        '与新生儿身份证号中的出生日期不一致',
      );
  }
  return {
    sourceEventId: sourceEventId as string,
    source: source as string,
    type: eventType!.type,
    occurredOn: occurredOn as string,
    subject: { kind, id: subjectId },
    payload: clean,
    related,
  };
}
