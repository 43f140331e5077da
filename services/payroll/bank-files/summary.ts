/**
 * The finance bureau's copy of a released batch: a CSV it opens in a spreadsheet to check what
 * goes to the bank (one row per payment and a total row), bilingual headers, amounts in yuan.
 * Account numbers are masked to their last four digits: the full numbers travel only in the bank file.
 */
import {
  BatchTally,
  checkBatch,
  type PaymentBatchFile,
  type PaymentBatchFileLine,
  type PaymentBatchHead,
} from './batch.js';
import { BOM, csvRow, toCsv } from './csv.js';
import { fenToYuan } from './money.js';

/** The summary's header row, in both languages. */
export const SUMMARY_HEADER = [
  '序号 No.',
  '支付编号 End-to-end ID',
  '收款人 Creditor',
  '收款账号 Account',
  '收款行行号 Bank code',
  '金额（元）Amount (CNY)',
  '附言 Remittance',
] as const;

/** An account number with all but its last four characters hidden. */
export function maskAccountNumber(accountNumber: string): string {
  return '*'.repeat(Math.max(0, accountNumber.length - 4)) + accountNumber.slice(-4);
}

function row(line: PaymentBatchFileLine, index: number): string[] {
  return [
    String(index + 1),
    line.endToEndId,
    line.creditorName,
    maskAccountNumber(line.creditorAccountNumber),
    line.bankCode,
    fenToYuan(line.amountFen),
    line.remittance,
  ];
}

function totalRow(head: PaymentBatchHead): string[] {
  const { count, batchId, totalFen, requestedExecutionDate } = head;
  return ['合计 Total', `${count} 笔 payments`, batchId, '', '', fenToYuan(totalFen), requestedExecutionDate];
}

/**
 * The CSV summary (UTF-8 with BOM, every field quoted, CRLF) of a batch: header, one row per
 * line, and a total row with the count and the sum. Runs the same checks as toPain001, so a
 * batch that does not balance has no summary either (BankFileRefusal INVALID_PAYMENT_BATCH).
 */
export function toCsvSummary(batch: PaymentBatchFile): string {
  checkBatch(batch);
  return toCsv([[...SUMMARY_HEADER], ...batch.lines.map(row), totalRow(batch)]);
}

/**
 * The same summary in pieces from lines that stream past; the total row is withheld when the
 * lines do not add up to the head's count and total (BankFileRefusal INVALID_PAYMENT_BATCH:
 * discard what was written).
 */
export async function* streamCsvSummary(
  head: PaymentBatchHead,
  lines: Iterable<PaymentBatchFileLine> | AsyncIterable<PaymentBatchFileLine>,
): AsyncGenerator<string> {
  const tally = new BatchTally(head);
  yield BOM + csvRow(SUMMARY_HEADER);
  for await (const line of lines) {
    tally.add(line);
    yield csvRow(row(line, tally.count - 1));
  }
  tally.close();
  yield csvRow(totalRow(head));
}
