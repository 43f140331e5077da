/**
 * What the bank says about each line of a file it was sent, whichever way it says it (a pain.002
 * status report or a CSV return file): accepted, rejected with a reason, or still pending, keyed
 * by the line's end-to-end ID, the payment line's business key.
 */
import type { StatusReason } from './reasons.js';

/** What became of a line: accepted (paid or being paid), rejected (not paid), or pending (not yet decided). */
export type PaymentOutcome = 'accepted' | 'rejected' | 'pending';

/** A reason as reported: the code's entry in the table, and the bank's own words if it added any. */
export interface ReportedReason extends StatusReason {
  detail?: string;
}

/** One line's status as the bank reported it. */
export interface PaymentLineStatus {
  endToEndId: string;
  outcome: PaymentOutcome;
  /** The bank's status as written (a pain.002 TxSts code such as ACSC or RJCT; PAID or REJECTED in a return file). */
  statusCode: string;
  reason?: ReportedReason;
  /** The amount the bank reports for the line, when it reports one. */
  amountFen?: number;
}
