/**
 * A payment batch's figures, always computed from its lines (never carried along a payroll): the
 * count and total of its payments in fen (repayments of earlier periods included), what changed
 * against the period before (a line then, or the grant that opened the entitlement; repayments left
 * out), and the ends and suspensions its re-checks recorded.
 */
import type { Connection } from 'mongoose';
import { previousPeriod, yuanToFen } from '../domain/entitlements.js';
import { registerBenefitModels } from './benefits.js';
import { registerEntitlementModels } from './entitlements.js';
import {
  grossOf,
  paymentLineKey,
  registerPayrollModels,
  type PaymentBatch,
  type PaymentLine as Line,
  type PayrollCounts,
} from './payroll.js';

/** Lines counted at a time: their period-before amounts are read in two queries (lines, then grants). */
const CHUNK = 1_000;

/** The grant workflow's key of a period (workflows/contracts/benefit.ts builds the same). */
const grantKey = (policyId: string, subjectKey: string, period: string) => `grant:${policyId}:${subjectKey}:${period}`;

/**
 * What `period` paid a subject on a policy, whole (before any withholding): its payroll line, else
 * the grant that paid it (the entitlement's first period); undefined when neither did.
 */
export async function previousAmountFen(
  store: Connection,
  policyId: string,
  subjectKey: string,
  period: string,
): Promise<number | undefined> {
  return (await previousAmountsFen(store, policyId, [subjectKey], period)).get(subjectKey);
}

/**
 * previousAmountFen for many subjects: their lines of `period` in one read by key, then the grants
 * of those without one in another (an `_id` `$in`, served from the index on MongoDB and on the
 * patched FerretDB, docs/FERRETDB.md). Answers by subject key; a subject neither paid is left out.
 */
export async function previousAmountsFen(
  store: Connection,
  policyId: string,
  subjectKeys: readonly string[],
  period: string,
): Promise<Map<string, number>> {
  const { PaymentLine } = registerPayrollModels(store);
  const { Grant } = registerBenefitModels(store);
  const amounts = new Map<string, number>();
  if (subjectKeys.length === 0) return amounts;
  const lines = await PaymentLine.find(
    { _id: { $in: subjectKeys.map((subjectKey) => paymentLineKey(policyId, subjectKey, period)) } },
    { subjectKey: 1, amountFen: 1, grossFen: 1 },
  ).lean();
  for (const line of lines) amounts.set(line.subjectKey, grossOf(line));
  const unpaid = new Map(
    subjectKeys.filter((key) => !amounts.has(key)).map((key) => [grantKey(policyId, key, period), key]),
  );
  if (unpaid.size === 0) return amounts;
  const grants = await Grant.find({ _id: { $in: [...unpaid.keys()] }, status: 'granted' }, { amount: 1 }).lean();
  for (const grant of grants) amounts.set(unpaid.get(String(grant._id))!, yuanToFen(grant.amount ?? 0));
  return amounts;
}

/**
 * A batch's counts and total, from its lines, the period before's lines and grants, and its
 * transitions. Streams the lines a chunk at a time: its memory does not grow with the batch.
 */
export async function payrollBatchFigures(
  store: Connection,
  batch: Pick<PaymentBatch, 'key' | 'policy' | 'period'>,
): Promise<{ counts: PayrollCounts; totalFen: number; withheldFen: number }> {
  const { PaymentLine } = registerPayrollModels(store);
  const { EntitlementTransition } = registerEntitlementModels(store);
  const before = previousPeriod(batch.period);
  const counts = { lines: 0, new: 0, amountChanged: 0, ended: 0, suspended: 0, removed: 0, netted: 0 };
  let totalFen = 0;
  let withheldFen = 0;
  type Counted = Pick<Line, 'subjectKey' | 'amountFen' | 'grossFen'>;
  let regular: Counted[] = [];
  const compare = async () => {
    const previous = await previousAmountsFen(
      store,
      batch.policy.id,
      regular.map((line) => line.subjectKey),
      before,
    );
    for (const line of regular) {
      const fen = previous.get(line.subjectKey);
      if (fen === undefined) counts.new += 1;
      else if (fen !== grossOf(line)) counts.amountChanged += 1;
    }
    regular = [];
  };
  const lines = PaymentLine.find(
    { batchId: batch.key, kind: 'payment' },
    { subjectKey: 1, amountFen: 1, grossFen: 1, nettedFen: 1, status: 1, repays: 1 },
  )
    .lean()
    .cursor({ batchSize: CHUNK });
  for await (const line of lines) {
    if (line.status === 'removed') {
      counts.removed += 1;
      continue;
    }
    counts.lines += 1;
    totalFen += line.amountFen;
    withheldFen += line.nettedFen ?? 0;
    if ((line.nettedFen ?? 0) > 0) counts.netted += 1;
    // A repayment pays an earlier period again: part of the batch's lines and total, never "new" or a changed amount.
    if (line.repays === undefined) regular.push(line);
    if (regular.length >= CHUNK) await compare();
  }
  await compare();
  for (const { to } of await EntitlementTransition.find({ causeKey: batch.key }, { to: 1 }).lean()) {
    if (to === 'ended') counts.ended += 1;
    if (to === 'suspended') counts.suspended += 1;
  }
  return { counts, totalFen, withheldFen };
}
