/**
 * The bank's answer set against what was sent: each line of the batch is accepted, rejected (with
 * its reason: the worklist), pending, or still unanswered; an answer for an ID the batch does not
 * hold, or with another amount than was sent, is set aside for an officer and never applied. The
 * amounts of the five groups add up to the batch's total, to the fen.
 */
import type { GroupStatus } from './pain002.js';
import type { PaymentLineStatus } from './status.js';

/** A line as it was sent: its end-to-end ID and amount. */
export interface SentLine {
  endToEndId: string;
  amountFen: number;
}

/** A line the bank reports with another amount than was sent. */
export interface AmountMismatch {
  endToEndId: string;
  sentFen: number;
  reportedFen: number;
  status: PaymentLineStatus;
}

/** Every line of a batch in exactly one group, and the answers that match no line. */
export interface Reconciliation {
  accepted: PaymentLineStatus[];
  rejected: PaymentLineStatus[];
  pending: PaymentLineStatus[];
  /** Lines of the batch the bank said nothing about (yet). */
  unanswered: SentLine[];
  /** Answers reporting another amount than was sent: neither paid nor rejected until an officer looks. */
  mismatched: AmountMismatch[];
  /** Answers for IDs that are not in the batch (another batch's, or the bank's mistake). */
  unknown: PaymentLineStatus[];
  /** Fen per group; accepted + rejected + pending + unanswered + mismatched is the batch's total. */
  totals: {
    sentFen: number;
    acceptedFen: number;
    rejectedFen: number;
    pendingFen: number;
    unansweredFen: number;
    mismatchedFen: number;
  };
}

/**
 * Sets a status report (parsePain002's, or parseReturnCsv's lines as `{ lines }`) against the
 * batch's lines. A line the report does not name takes the group's status when the group was
 * wholly accepted or rejected (a file rejected as a whole names no line); otherwise it is unanswered.
 */
export function reconcile(
  sent: Iterable<SentLine>,
  report: { group?: GroupStatus; lines: readonly PaymentLineStatus[] },
): Reconciliation {
  const answers = new Map(report.lines.map((status) => [status.endToEndId, status] as const));
  const result: Reconciliation = {
    accepted: [],
    rejected: [],
    pending: [],
    unanswered: [],
    mismatched: [],
    unknown: [],
    totals: { sentFen: 0, acceptedFen: 0, rejectedFen: 0, pendingFen: 0, unansweredFen: 0, mismatchedFen: 0 },
  };
  const group = report.group;
  const seen = new Set<string>();
  for (const line of sent) {
    seen.add(line.endToEndId);
    result.totals.sentFen += line.amountFen;
    const status =
      answers.get(line.endToEndId) ??
      (group && group.outcome !== 'partial'
        ? {
            endToEndId: line.endToEndId,
            outcome: group.outcome,
            statusCode: group.statusCode,
            ...(group.reason ? { reason: group.reason } : {}),
          }
        : undefined);
    if (status === undefined) {
      result.unanswered.push(line);
      result.totals.unansweredFen += line.amountFen;
    } else if (status.amountFen !== undefined && status.amountFen !== line.amountFen) {
      result.mismatched.push({
        endToEndId: line.endToEndId,
        sentFen: line.amountFen,
        reportedFen: status.amountFen,
        status,
      });
      result.totals.mismatchedFen += line.amountFen;
    } else {
      result[status.outcome].push(status);
      result.totals[`${status.outcome}Fen`] += line.amountFen;
    }
  }
  result.unknown = report.lines.filter((status) => !seen.has(status.endToEndId));
  return result;
}
