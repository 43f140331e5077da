/**
 * A batch's lines as a reviewer checks them before release: each with its subject masked (never a
 * key), its amount (and any part withheld or repaid), whether it is new or changed against the
 * period before, and why — the re-check's as-of day and each condition's result, no values. Paged
 * in key order by offset (a cursor would carry a subject key).
 */
import type { Connection } from 'mongoose';
import { previousPeriod } from '../../domain/entitlements.js';
import { Refusal } from '../../domain/refusal.js';
import { previousAmountFen } from '../../store/payroll-figures.js';
import { grossOf, registerPayrollModels, type PaymentLine } from '../../store/payroll.js';
import { staffMaskedSubject } from '../../store/subjects.js';

/** How a line compares with the period before. */
export type LineChange = 'new' | 'amount-changed' | 'same' | 'repayment';

export interface BatchLineView {
  /** The line's end-to-end ID in the bank files: how staff name it. */
  id: string;
  subject: { masked?: string };
  period: string;
  status: PaymentLine['status'];
  amountFen: number;
  grossFen?: number;
  withheldFen?: number;
  /** The amount paid the period before (absent when nothing was). */
  previousFen?: number;
  change: LineChange;
  basis?: PaymentLine['basis'];
}

/** A page of a batch's lines in key order: `offset` lines in, at most `limit` (1-200). */
export async function batchLines(
  store: Connection,
  batch: { key: string; policy: { id: string }; period: string },
  query: { offset?: unknown; limit?: unknown },
  endToEndIdFor: (key: string) => string,
): Promise<{ lines: BatchLineView[]; offset: number; total: number }> {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new Refusal('INVALID_INPUT', 'limit: 1 to 200 lines', 'limit：须为 1 至 200', 'limit');
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(offset) || offset < 0)
    throw new Refusal('INVALID_INPUT', 'offset: a whole number of lines, 0 or more', 'offset：须为非负整数', 'offset');
  const { PaymentLine } = registerPayrollModels(store);
  const filter = { batchId: batch.key, kind: 'payment' as const };
  const page = await PaymentLine.find(filter).sort({ _id: 1 }).skip(offset).limit(limit).lean();
  return {
    lines: await Promise.all(page.map(viewOf)),
    offset,
    total: await PaymentLine.countDocuments(filter),
  };

  async function viewOf(line: PaymentLine): Promise<BatchLineView> {
    const previousFen = line.repays
      ? undefined
      : await previousAmountFen(store, batch.policy.id, line.subjectKey, previousPeriod(batch.period));
    const change: LineChange = line.repays
      ? 'repayment'
      : previousFen === undefined
        ? 'new'
        : previousFen === grossOf(line)
          ? 'same'
          : 'amount-changed';
    return {
      id: endToEndIdFor(line.key),
      subject: await staffMaskedSubject(store, line.subjectKey),
      period: line.period,
      status: line.status,
      amountFen: line.amountFen,
      ...(line.nettedFen ? { grossFen: line.grossFen, withheldFen: line.nettedFen } : {}),
      ...(previousFen === undefined ? {} : { previousFen }),
      change,
      ...(line.basis ? { basis: line.basis } : {}),
    };
  }
}
