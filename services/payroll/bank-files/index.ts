/**
 * Money to the bank and back, as files: a released payment batch becomes a pain.001.001.09
 * credit transfer file and a CSV summary for the finance bureau; the bank's pain.002.001.10
 * status report or CSV return file becomes one status per line. Pure modules, no database.
 */
export { BankFileRefusal, BatchTally, checkBatch, checkHead } from './batch.js';
export type { BatchDebtor, PaymentBatchFile, PaymentBatchFileLine, PaymentBatchHead } from './batch.js';
export { endToEndIdFor } from './ids.js';
export { fenToYuan, yuanToFen } from './money.js';
export { PAIN_001_NAMESPACE, readPain001, streamPain001, toPain001 } from './pain001.js';
export type { Pain001Summary } from './pain001.js';
export { PAIN_002_NAMESPACE, parsePain002 } from './pain002.js';
export type { GroupStatus, PaymentStatusReport } from './pain002.js';
export { RETURN_COLUMNS, parseReturnCsv } from './return-csv.js';
export { STATUS_REASONS, renderReasons, statusReason } from './reasons.js';
export type { StatusReason } from './reasons.js';
export type { PaymentLineStatus, PaymentOutcome, ReportedReason } from './status.js';
export { SUMMARY_HEADER, maskAccountNumber, streamCsvSummary, toCsvSummary } from './summary.js';
export { reconcile } from './reconcile.js';
export type { AmountMismatch, Reconciliation, SentLine } from './reconcile.js';
