/**
 * A payment batch as the bank files see it (what the payroll hands over once a reviewer has
 * released a batch), and the checks every export runs before writing a byte: a file goes to the
 * bank only if its stated count and total equal its lines to the fen and every field fits the
 * message. Pure: no database, no clock (the creation time is part of the batch).
 */
import { Refusal } from '../../../domain/refusal.js';

/** A bank file that cannot be written (INVALID_PAYMENT_BATCH) or read (BAD_BANK_FILE); `field` names the culprit. */
export class BankFileRefusal extends Refusal {
  declare readonly code: 'INVALID_PAYMENT_BATCH' | 'BAD_BANK_FILE';
}

/** The paying bureau: its name, its account at its bank, and the bank's CNAPS code (12 digits). */
export interface BatchDebtor {
  name: string;
  accountNumber: string;
  bankCode: string;
  bankName?: string;
}

/**
 * One payment to one beneficiary. `endToEndId` names the payment line to the bank and comes back in
 * its answer: pseudonymous (never an ID number), 1–35 letters, digits or . : / - (endToEndIdFor
 * derives one from the line's business key).
 */
export interface PaymentBatchFileLine {
  endToEndId: string;
  creditorName: string;
  creditorAccountNumber: string;
  /** The CNAPS code (联行号, 12 digits) of the creditor's bank. */
  bankCode: string;
  amountFen: number;
  /** What the citizen reads on the statement, e.g. "高龄津贴 2026-11". */
  remittance: string;
}

/** A released batch, ready to become a pain.001 file; `count` and `totalFen` are what the reviewer released. */
export interface PaymentBatchFile {
  /** The batch's business key; the file's MsgId and PmtInfId (1–35 characters). */
  batchId: string;
  /** When the file is created (ISO 8601 with offset, e.g. 2026-11-20T09:00:00+08:00): GrpHdr/CreDtTm. */
  createdAt: string;
  /** The day the bank is asked to pay (YYYY-MM-DD). */
  requestedExecutionDate: string;
  debtor: BatchDebtor;
  count: number;
  totalFen: number;
  lines: readonly PaymentBatchFileLine[];
}

/**
 * Max35Text identifiers kept to characters every bank's channel carries (the SWIFT character set
 * has no underscore): a letter or digit first, then letters, digits and . : / -.
 */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9.:/-]{0,34}$/;
const ACCOUNT_NUMBER = /^[0-9A-Za-z]{1,34}$/;
const BANK_CODE = /^\d{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;
/** Characters XML 1.0 cannot carry even escaped (C0 controls other than tab, line feed, carriage return). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** Half of a surrogate pair alone: no character at all, and no UTF-8 for it (a rare character such as 𠮷 is a whole pair). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function refuse(field: string, message: string, messageZh: string): never {
  throw new BankFileRefusal('INVALID_PAYMENT_BATCH', message, messageZh, field);
}

function checkText(field: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') refuse(field, `${field} is empty`, `${field} 为空`);
  if ([...value].length > max)
    refuse(field, `${field} is longer than ${max} characters`, `${field} 超过 ${max} 个字符`);
  if (NOT_XML.test(value)) refuse(field, `${field} holds a control character`, `${field} 含有控制字符`);
  if (LONE_SURROGATE.test(value))
    refuse(field, `${field} holds half of a character (a lone surrogate)`, `${field} 含有不完整的字符`);
}

function checkPattern(field: string, value: unknown, pattern: RegExp, what: string, whatZh: string): void {
  if (typeof value !== 'string' || !pattern.test(value))
    refuse(
      field,
      `${field} is not ${what}: ${JSON.stringify(value)}`,
      `${field} 不是${whatZh}：${JSON.stringify(value)}`,
    );
}

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text.slice(0, 10);
}

/** A batch without its lines: what the file's header says, and what its lines must add up to. */
export type PaymentBatchHead = Omit<PaymentBatchFile, 'lines'>;

/** Checks the header fields of a batch (IDs, dates, the debtor), naming the field at fault. */
export function checkHead(head: PaymentBatchHead): void {
  checkPattern(
    'batchId',
    head.batchId,
    IDENTIFIER,
    'an identifier of 1–35 letters, digits or .:/-',
    '1–35 位字母、数字或 .:/- 组成的编号',
  );
  checkPattern(
    'createdAt',
    head.createdAt,
    DATE_TIME,
    'an ISO 8601 date and time with offset',
    '带时区的 ISO 8601 日期时间',
  );
  if (!isCalendarDate(head.createdAt))
    refuse('createdAt', 'createdAt is not a calendar date', 'createdAt 不是有效日期');
  checkPattern(
    'requestedExecutionDate',
    head.requestedExecutionDate,
    DATE,
    'a date (YYYY-MM-DD)',
    '日期（YYYY-MM-DD）',
  );
  if (!isCalendarDate(head.requestedExecutionDate))
    refuse(
      'requestedExecutionDate',
      'requestedExecutionDate is not a calendar date',
      'requestedExecutionDate 不是有效日期',
    );
  checkText('debtor.name', head.debtor.name, 140);
  checkPattern('debtor.accountNumber', head.debtor.accountNumber, ACCOUNT_NUMBER, 'an account number', '账号');
  checkPattern('debtor.bankCode', head.debtor.bankCode, BANK_CODE, 'a 12-digit CNAPS bank code', '12 位联行号');
  if (head.debtor.bankName !== undefined) checkText('debtor.bankName', head.debtor.bankName, 140);
  for (const field of ['count', 'totalFen'] as const)
    if (!Number.isSafeInteger(head[field]) || head[field] < 0)
      refuse(
        field,
        `${field} must be a whole number, not ${String(head[field])}`,
        `${field} 须为非负整数，而不是 ${String(head[field])}`,
      );
}

function checkLine(line: PaymentBatchFileLine, index: number, seen: Set<string>): void {
  const at = `lines[${index}]`;
  checkPattern(
    `${at}.endToEndId`,
    line.endToEndId,
    IDENTIFIER,
    'an identifier of 1–35 letters, digits or .:/-',
    '1–35 位字母、数字或 .:/- 组成的编号',
  );
  if (seen.has(line.endToEndId))
    refuse(
      `${at}.endToEndId`,
      `${at}.endToEndId ${line.endToEndId} appears twice`,
      `${at}.endToEndId ${line.endToEndId} 重复`,
    );
  seen.add(line.endToEndId);
  checkText(`${at}.creditorName`, line.creditorName, 140);
  checkPattern(`${at}.creditorAccountNumber`, line.creditorAccountNumber, ACCOUNT_NUMBER, 'an account number', '账号');
  checkPattern(`${at}.bankCode`, line.bankCode, BANK_CODE, 'a 12-digit CNAPS bank code', '12 位联行号');
  checkText(`${at}.remittance`, line.remittance, 140);
  if (!Number.isSafeInteger(line.amountFen) || line.amountFen <= 0)
    refuse(
      `${at}.amountFen`,
      `${at}.amountFen must be a positive whole number of fen, not ${String(line.amountFen)}`,
      `${at}.amountFen 须为正整数（分），而不是 ${String(line.amountFen)}`,
    );
}

/**
 * Checks a batch's lines one at a time as they stream past and keeps count, so a file can be
 * written from a cursor without holding the batch; `close` then compares the count and total with
 * the head's. Throws BankFileRefusal INVALID_PAYMENT_BATCH naming the field, like checkBatch.
 */
export class BatchTally {
  private readonly seen = new Set<string>();
  count = 0;
  totalFen = 0;

  constructor(readonly head: PaymentBatchHead) {
    checkHead(head);
  }

  add(line: PaymentBatchFileLine): void {
    checkLine(line, this.count, this.seen);
    this.count += 1;
    this.totalFen += line.amountFen;
    if (!Number.isSafeInteger(this.totalFen))
      refuse('lines', 'the lines add up to more than a file can carry', '明细合计超出上限');
  }

  close(): void {
    if (this.count === 0) refuse('lines', 'the batch has no lines', '批次没有明细');
    if (this.head.count !== this.count)
      refuse(
        'count',
        `count says ${String(this.head.count)} payments but the batch has ${this.count} lines`,
        `笔数为 ${String(this.head.count)}，但明细有 ${this.count} 笔`,
      );
    if (this.head.totalFen !== this.totalFen)
      refuse(
        'totalFen',
        `totalFen says ${String(this.head.totalFen)} fen but the lines add up to ${this.totalFen} fen`,
        `总金额为 ${String(this.head.totalFen)} 分，但明细合计 ${this.totalFen} 分`,
      );
  }
}

/**
 * Checks a batch before export and answers its lines' total in fen. Throws BankFileRefusal
 * INVALID_PAYMENT_BATCH naming the field: `count` or `totalFen` when the stated figures differ
 * from the lines, `lines[i].amountFen` for an amount that is not a positive whole number of fen,
 * `lines[i].endToEndId` for a duplicate key, and so on for every field the file carries.
 */
export function checkBatch(batch: PaymentBatchFile): number {
  const tally = new BatchTally(batch);
  for (const line of batch.lines) tally.add(line);
  tally.close();
  return tally.totalFen;
}
