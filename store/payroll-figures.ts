/**
 * A payment batch's figures, always computed from its lines (never carried along a payroll): the
 * count and total of its payments in fen, what changed against the period before (a line then, or
 * the grant that opened the entitlement), and the ends and suspensions its re-checks recorded.
 */
import type { Connection } from 'mongoose';
import { previousPeriod, yuanToFen } from '../domain/entitlements.js';
import { mapLimit } from './audit-chain.js';
import { registerBenefitModels } from './benefits.js';
import { registerEntitlementModels } from './entitlements.js';
import { paymentLineKey, registerPayrollModels, type PaymentBatch, type PayrollCounts } from './payroll.js';

/**
 * Keyed reads in flight. By `_id`, not `$in` per chunk: FerretDB pushes down only an `_id`
 * equality (infra/ferretdb-indexes.ts) and scans the whole collection for each `$in`, which over a
 * batch's chunks cost the square of its size (docs/BENCHMARKS.md, payroll).
 */
const LANES = 16;

/** The grant workflow's key of a period (workflows/contracts/benefit.ts builds the same). */
const grantKey = (policyId: string, subjectKey: string, period: string) => `grant:${policyId}:${subjectKey}:${period}`;

/** A batch's counts and total, from its lines, the period before's lines and grants, and its transitions. */
export async function payrollBatchFigures(
  store: Connection,
  batch: Pick<PaymentBatch, 'key' | 'policy' | 'period'>,
): Promise<{ counts: PayrollCounts; totalFen: number }> {
  const { PaymentLine } = registerPayrollModels(store);
  const { EntitlementTransition } = registerEntitlementModels(store);
  const { Grant } = registerBenefitModels(store);
  const lines = await PaymentLine.find(
    { batchId: batch.key, kind: 'payment' },
    { subjectKey: 1, amountFen: 1, status: 1 },
  ).lean();
  const paid = lines.filter((line) => line.status !== 'removed');
  const before = previousPeriod(batch.period);
  const previous = new Map<string, number>();
  await mapLimit(paid, LANES, async ({ subjectKey }) => {
    const line = await PaymentLine.findById(paymentLineKey(batch.policy.id, subjectKey, before), {
      amountFen: 1,
    }).lean();
    if (line) return void previous.set(subjectKey, line.amountFen);
    const grant = await Grant.findOne(
      { _id: grantKey(batch.policy.id, subjectKey, before), status: 'granted' },
      { amount: 1 },
    ).lean();
    if (grant) previous.set(subjectKey, yuanToFen(grant.amount ?? 0));
  });
  const transitions = await EntitlementTransition.find({ causeKey: batch.key }, { to: 1 }).lean();
  const counts = {
    lines: paid.length,
    new: paid.filter((line) => !previous.has(line.subjectKey)).length,
    amountChanged: paid.filter(
      (line) => previous.has(line.subjectKey) && previous.get(line.subjectKey) !== line.amountFen,
    ).length,
    ended: transitions.filter((t) => t.to === 'ended').length,
    suspended: transitions.filter((t) => t.to === 'suspended').length,
    removed: lines.length - paid.length,
  };
  return { counts, totalFen: paid.reduce((sum, line) => sum + line.amountFen, 0) };
}
