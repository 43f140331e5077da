/**
 * Validation at the edge for the two national identifiers: the citizen ID
 * (GB 11643-1999, 公民身份号码) and the unified social credit code (GB 32100-2015,
 * 统一社会信用代码). Pure functions; errors never echo the full identifier.
 */
import { Refusal } from './refusal.js';

export type IdentityErrorCode = 'INVALID_RESIDENT_ID' | 'INVALID_CREDIT_CODE';
export type IdentityErrorReason = 'length' | 'charset' | 'region' | 'birthDate' | 'checkDigit';

/** A malformed identifier: stable `code`, the `reason`, the `field` at fault, English and Chinese messages (masked). */
export class IdentityError extends Refusal {
  declare readonly code: IdentityErrorCode;
  /** Callers that validate an ID nested in a request rename the field to its place there. */
  declare field: string;
  constructor(
    code: IdentityErrorCode,
    readonly reason: IdentityErrorReason,
    message: string,
    messageZh: string,
    field: string,
  ) {
    super(code, message, messageZh, field);
  }
}

export interface ResidentIdInfo {
  /** The normalised ID (upper-case check character). */
  id: string;
  regionCode: string;
  birthDate: string;
  gender: 'male' | 'female';
}

export interface CreditCodeInfo {
  code: string;
  /** Registration authority (登记管理部门代码), e.g. '9' for market supervision. */
  registrationDept: string;
  /** Organisation type (机构类别代码), e.g. '1' for an enterprise. */
  orgType: string;
  regionCode: string;
  orgCode: string;
}

export interface ValidateOptions {
  /** Name of the input field, carried on the error (default 'idNumber' / 'creditCode'). */
  field?: string;
  /** The date a birth date may not be after (default: today, UTC). */
  today?: string;
}

const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
  64, 65, 71, 81, 82,
]);
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** Masks a resident ID for display and logs: 3714**********123X (region prefix and last four only). */
export function maskResidentId(id: string): string {
  return maskMiddle(id, 4, 4);
}

/** Masks a credit code for display and logs: 9137**********123X. */
export function maskCreditCode(code: string): string {
  return maskMiddle(code, 4, 4);
}

/**
 * A resident ID or credit code as staff see it (S3): the last four characters only,
 * **************123X. The region and birth date a resident ID begins with stay hidden: with the
 * district and birth date a case shows, 3714…123X left about one candidate to try.
 */
export function maskForStaff(id: string): string {
  return maskMiddle(id, 0, 4);
}

/** A subject's identifier as shown to whoever reads it: the subject themself as before, staff the last four characters. */
export function shownIdentifier(
  subject: { idNumber?: string; creditCode?: string },
  reader: 'subject' | 'staff',
): string | undefined {
  const id = subject.idNumber ?? subject.creditCode;
  if (!id) return undefined;
  if (reader === 'staff') return maskForStaff(id);
  return subject.idNumber ? maskResidentId(id) : maskCreditCode(id);
}

function maskMiddle(value: string, head: number, tail: number): string {
  const text = value.trim();
  // Short or long junk is hidden whole: a prefix and suffix must never add up to most of the input.
  if (text.length > 24) return `(${text.length} characters)`;
  if (text.length < 2 * (head + tail)) return '*'.repeat(text.length);
  return text.slice(0, head) + '*'.repeat(text.length - head - tail) + text.slice(-tail);
}

/** The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** The check character of the first 17 characters of a credit code (GB 32100, MOD 31). */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** True when `date` (YYYY-MM-DD) is a real calendar date. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Validates a GB 11643-1999 resident ID; throws IdentityError (INVALID_RESIDENT_ID) naming the reason. */
export function validateResidentId(input: string, options: ValidateOptions = {}): ResidentIdInfo {
  const field = options.field ?? 'idNumber';
  const id = String(input ?? '')
    .trim()
    .toUpperCase();
  const masked = maskResidentId(id);
  const fail = (reason: IdentityErrorReason, en: string, zh: string): never => {
    throw new IdentityError(
      'INVALID_RESIDENT_ID',
      reason,
      `Invalid resident ID ${masked}: ${en}`,
      `身份证号码 ${masked} 无效：${zh}`,
      field,
    );
  };
  if (id.length !== 18) fail('length', `expected 18 characters, got ${id.length}`, `应为18位，实际为${id.length}位`);
  if (!/^\d{17}[\dX]$/.test(id))
    fail(
      'charset',
      'the first 17 characters must be digits and the last a digit or X',
      '前17位应为数字，最后一位应为数字或X',
    );
  if (!PROVINCES.has(Number(id.slice(0, 2))))
    fail('region', 'the first two digits are not a province code', '前两位不是有效的省级行政区划代码');
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isCalendarDate(year, month, day))
    fail('birthDate', 'the birth date is not a calendar date', '出生日期不是有效日期');
  if (year < 1900) fail('birthDate', 'the birth date is before 1900', '出生日期早于1900年');
  if (birthDate > (options.today ?? todayUtc()))
    fail('birthDate', 'the birth date is in the future', '出生日期晚于今天');
  if (residentIdCheckChar(id) !== id[17]) fail('checkDigit', 'the check digit does not match', '校验码不正确');
  return { id, regionCode: id.slice(0, 6), birthDate, gender: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

/** Validates a GB 32100-2015 unified social credit code; throws IdentityError (INVALID_CREDIT_CODE). */
export function validateCreditCode(input: string, options: Pick<ValidateOptions, 'field'> = {}): CreditCodeInfo {
  const field = options.field ?? 'creditCode';
  const code = String(input ?? '')
    .trim()
    .toUpperCase();
  const masked = maskCreditCode(code);
  const fail = (reason: IdentityErrorReason, en: string, zh: string): never => {
    throw new IdentityError(
      'INVALID_CREDIT_CODE',
      reason,
      `Invalid credit code ${masked}: ${en}`,
      `统一社会信用代码 ${masked} 无效：${zh}`,
      field,
    );
  };
  if (code.length !== 18)
    fail('length', `expected 18 characters, got ${code.length}`, `应为18位，实际为${code.length}位`);
  if (![...code].every((c) => USCC_CHARSET.includes(c))) {
    fail(
      'charset',
      'only digits and upper-case letters other than I, O, Z, S, V are allowed',
      '只能包含数字和除I、O、Z、S、V以外的大写字母',
    );
  }
  const regionCode = code.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode) || !PROVINCES.has(Number(regionCode.slice(0, 2)))) {
    fail('region', 'characters 3-8 are not an administrative region code', '第3至8位不是有效的行政区划代码');
  }
  if (creditCodeCheckChar(code) !== code[17]) fail('checkDigit', 'the check character does not match', '校验码不正确');
  return { code, registrationDept: code[0], orgType: code[1], regionCode, orgCode: code.slice(8, 17) };
}

/** Every run of 18 characters shaped like a resident ID or a credit code, wherever it stands in a text. */
const IDENTIFIER_SHAPED =
  /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}\d{6}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10})(?![0-9A-Za-z])/g;

/**
 * The real identifiers in a text: identifier-shaped runs whose check character holds (a resident
 * ID by GB 11643, a credit code by GB 32100), each masked. For scans that must find none: answers,
 * logs, queue payloads, histories.
 */
export function findIdentifiers(text: string): Array<{ kind: 'resident-id' | 'credit-code'; masked: string }> {
  const found: Array<{ kind: 'resident-id' | 'credit-code'; masked: string }> = [];
  for (const [run] of text.matchAll(IDENTIFIER_SHAPED)) {
    const upper = run.toUpperCase();
    if (/^\d{17}[\dX]$/.test(upper) && isValid(() => validateResidentId(upper, { today: '9999-12-31' })))
      found.push({ kind: 'resident-id', masked: maskResidentId(upper) });
    else if (isValid(() => validateCreditCode(upper)))
      found.push({ kind: 'credit-code', masked: maskCreditCode(upper) });
  }
  return found;
}

const isValid = (check: () => unknown): boolean => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

/**
 * A valid resident ID for tests and seeding: `sequence` (0-499) picks the order code,
 * whose last digit carries the gender (odd male, even female). Deterministic.
 */
export function makeResidentId(
  regionCode: string,
  birthDate: string,
  sequence: number,
  gender: 'male' | 'female',
): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError('regionCode must be 6 digits');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) throw new RangeError('birthDate must be YYYY-MM-DD');
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 499)
    throw new RangeError('sequence must be an integer 0-499');
  const order = String(sequence * 2 + (gender === 'male' ? 1 : 0)).padStart(3, '0');
  const first17 = regionCode + birthDate.replaceAll('-', '') + order;
  return first17 + residentIdCheckChar(first17);
}

/**
 * A valid enterprise credit code (registered by market supervision '9', enterprise '1')
 * for tests and seeding; `orgSeq` (0-99,999,999) becomes a GB 11714 organisation code.
 */
export function makeCreditCode(regionCode: string, orgSeq: number): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError('regionCode must be 6 digits');
  if (!Number.isInteger(orgSeq) || orgSeq < 0 || orgSeq > 99_999_999)
    throw new RangeError('orgSeq must be an integer 0-99999999');
  const body = String(orgSeq).padStart(8, '0');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  const first17 = `91${regionCode}${body}${c === 10 ? 'X' : c === 11 ? '0' : String(c)}`;
  return first17 + creditCodeCheckChar(first17);
}
