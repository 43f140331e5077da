/**
 * A payment batch's figures, always computed from its lines (never carried along a payroll): the
 * count and total of its payments in fen (repayments of earlier periods included), what changed
 * against the period before (a line then, or the grant that opened the entitlement; repayments left
 * out), and the ends and suspensions its re-checks recorded.
 */
import type { Connection } from 'mongoose';
import { previousPeriod, yuanToFen } from '../domain/entitlements.js';
import { mapLimit } from './audit-chain.js';
import { registerBenefitModels } from './benefits.js';
import { registerEntitlementModels } from './entitlements.js';
import { grossOf, paymentLineKey, registerPayrollModels, type PaymentBatch, type PayrollCounts } from './payroll.js';

/**
 * Keyed reads in flight. By `_id`, one each: written when an upstream FerretDB 1.24 scanned the
 * whole collection for each `$in` (docs/BENCHMARKS.md, payroll); the patched build answers an
 * `_id` `$in` from its index too (docs/FERRETDB.md).
 */
const LANES = 16;

/** The grant workflow's key of a period (workflows/contracts/benefit.ts builds the same). */
const grantKey = (policyId: string, subjectKey: string, period: string) => `grant:${policyId}:${subjectKey}:${period}`;

/**
 * What `period` paid a subject on a policy, whole (before any withholding): its payroll line, else
 * the grant that paid it (the entitlement's first period); undefined when neither did. Two keyed reads.
 */
export async function previousAmountFen(
  store: Connection,
  policyId: string,
  subjectKey: string,
  period: string,
): Promise<number | undefined> {
  const { PaymentLine } = registerPayrollModels(store);
  const { Grant } = registerBenefitModels(store);
  const line = await PaymentLine.findById(paymentLineKey(policyId, subjectKey, period), {
    amountFen: 1,
    grossFen: 1,
  }).lean();
  if (line) return grossOf(line);
  const grant = await Grant.findOne(
    { _id: grantKey(policyId, subjectKey, period), status: 'granted' },
    { amount: 1 },
  ).lean();
  return grant ? yuanToFen(grant.amount ?? 0) : undefined;
}

/** A batch's counts and total, from its lines, the period before's lines and grants, and its transitions. */
export async function payrollBatchFigures(
  store: Connection,
  batch: Pick<PaymentBatch, 'key' | 'policy' | 'period'>,
): Promise<{ counts: PayrollCounts; totalFen: number; withheldFen: number }> {
  const { PaymentLine } = registerPayrollModels(store);
  const { EntitlementTransition } = registerEntitlementModels(store);
  const lines = await PaymentLine.find(
    { batchId: batch.key, kind: 'payment' },
    { subjectKey: 1, amountFen: 1, grossFen: 1, nettedFen: 1, status: 1, repays: 1 },
  ).lean();
  const paid = lines.filter((line) => line.status !== 'removed');
  // A repayment pays an earlier period again: part of the batch's lines and total, never "new" or a changed amount.
  const regular = paid.filter((line) => line.repays === undefined);
  const before = previousPeriod(batch.period);
  const previous = new Map<string, number>();
  await mapLimit(regular, LANES, async ({ subjectKey }) => {
    const fen = await previousAmountFen(store, batch.policy.id, subjectKey, before);
    if (fen !== undefined) previous.set(subjectKey, fen);
  });
  const transitions = await EntitlementTransition.find({ causeKey: batch.key }, { to: 1 }).lean();
  const counts = {
    lines: paid.length,
    new: regular.filter((line) => !previous.has(line.subjectKey)).length,
    amountChanged: regular.filter(
      (line) => previous.has(line.subjectKey) && previous.get(line.subjectKey) !== grossOf(line),
    ).length,
    ended: transitions.filter((t) => t.to === 'ended').length,
    suspended: transitions.filter((t) => t.to === 'suspended').length,
    removed: lines.length - paid.length,
    netted: paid.filter((line) => (line.nettedFen ?? 0) > 0).length,
  };
  return {
    counts,
    totalFen: paid.reduce((sum, line) => sum + line.amountFen, 0),
    withheldFen: paid.reduce((sum, line) => sum + (line.nettedFen ?? 0), 0),
  };
}
