/**
 * The bank's plain return file (回盘文件) for banks that answer in CSV rather than pain.002.
 * UTF-8 (a BOM is allowed), comma-separated, quotes as RFC 4180, a header row naming the columns
 * in any order (case-insensitive; columns not listed here are ignored):
 *
 *   end_to_end_id  required  the line's end-to-end ID as sent in the pain.001 file
 *   status         required  PAID (or 成功) | REJECTED (or 失败) | PENDING (or 处理中)
 *   reason_code    required when REJECTED: an ISO 20022 status reason code (AC04, BE01…)
 *   amount         optional  the amount in yuan with at most two decimals (e.g. 100.00)
 *   note           optional  the bank's own words, kept as the reason's detail
 */
import { BankFileRefusal } from './batch.js';
import { parseCsv } from './csv.js';
import { yuanToFen } from './money.js';
import { statusReason } from './reasons.js';
import type { PaymentLineStatus, PaymentOutcome } from './status.js';

/** The columns a return file's header may name (others are ignored). */
export const RETURN_COLUMNS = ['end_to_end_id', 'status', 'reason_code', 'amount', 'note'] as const;
type Column = (typeof RETURN_COLUMNS)[number];

const STATUSES: Record<string, { outcome: PaymentOutcome; code: string }> = {
  PAID: { outcome: 'accepted', code: 'PAID' },
  成功: { outcome: 'accepted', code: 'PAID' },
  REJECTED: { outcome: 'rejected', code: 'REJECTED' },
  失败: { outcome: 'rejected', code: 'REJECTED' },
  PENDING: { outcome: 'pending', code: 'PENDING' },
  处理中: { outcome: 'pending', code: 'PENDING' },
};

function bad(line: number, column: string, message: string, messageZh: string): never {
  throw new BankFileRefusal(
    'BAD_BANK_FILE',
    `line ${line}, column ${column}: ${message}`,
    `第 ${line} 行 ${column} 列：${messageZh}`,
    `line ${line}/${column}`,
  );
}

/**
 * The lines' statuses in a CSV return file. Throws BankFileRefusal BAD_BANK_FILE naming the line
 * and column: no header or a required column missing, an empty ID, an unknown status, a rejection
 * without a reason code, an amount that is not yuan, an ID reported twice.
 */
export function parseReturnCsv(text: string): PaymentLineStatus[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined)
    throw new BankFileRefusal('BAD_BANK_FILE', 'the return file is empty', '回盘文件为空', 'line 1');
  const index = new Map<Column, number>();
  header.fields.forEach((name, position) => {
    const column = name.trim().toLowerCase() as Column;
    if ((RETURN_COLUMNS as readonly string[]).includes(column)) index.set(column, position);
  });
  for (const column of ['end_to_end_id', 'status'] as const)
    if (!index.has(column)) bad(header.line, column, 'the header has no such column', '表头缺少此列');
  const cell = (fields: string[], column: Column) => {
    const position = index.get(column);
    return position === undefined ? '' : (fields[position] ?? '').trim();
  };

  const seen = new Set<string>();
  return rows.map(({ line, fields }) => {
    const endToEndId = cell(fields, 'end_to_end_id');
    if (endToEndId === '') bad(line, 'end_to_end_id', 'empty', '为空');
    if (seen.has(endToEndId)) bad(line, 'end_to_end_id', `${endToEndId} is reported twice`, `${endToEndId} 重复出现`);
    seen.add(endToEndId);
    const written = cell(fields, 'status');
    const status = STATUSES[written.toUpperCase()] ?? STATUSES[written];
    if (status === undefined)
      bad(line, 'status', `unknown status ${JSON.stringify(written)}`, `未知状态 ${JSON.stringify(written)}`);
    const code = cell(fields, 'reason_code').toUpperCase();
    if (status.outcome === 'rejected' && code === '')
      bad(line, 'reason_code', 'a rejection needs a reason code', '退回须有原因代码');
    if (code !== '' && !/^[A-Z0-9]{4}$/.test(code))
      bad(line, 'reason_code', `not a reason code: ${code}`, `不是原因代码：${code}`);
    const note = cell(fields, 'note');
    const amount = cell(fields, 'amount');
    const amountFen = amount === '' ? undefined : yuanToFen(amount);
    if (amount !== '' && amountFen === undefined)
      bad(line, 'amount', `not an amount in yuan: ${amount}`, `不是金额：${amount}`);
    return {
      endToEndId,
      outcome: status.outcome,
      statusCode: status.code,
      ...(code === '' ? {} : { reason: { ...statusReason(code), ...(note ? { detail: note } : {}) } }),
      ...(amountFen === undefined ? {} : { amountFen }),
    };
  });
}
