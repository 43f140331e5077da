/**
 * Paying again what the bank did not pay (补发): when the next payroll of a policy assembles its
 * batch, each open worklist entry of that policy that correcting the account fixes, whose subject's
 * account is now active (read again through the fact fetcher, purpose "补发 repayment"), gets one
 * repayment line in this batch: the original period and amount, key `<original line key>:repay`,
 * `repays` naming the original. The line is a keyed insert and the entry is marked repaid after it,
 * so an assemble run again adds nothing twice. A period from a subject's accepted stop (a death, a
 * move-out) on is not owed and stays on the worklist for an officer.
 */
import type { Connection } from 'mongoose';
import { ACCOUNT_PURPOSES, readBankAccount } from '../../activities/shared-data/bank-account.js';
import type { FetchFactsInput, FetchFactsResult } from '../../activities/shared-data/fetch-facts.js';
import { periodStart } from '../../domain/entitlements.js';
import { registerBankFileModels } from '../../store/bank-files.js';
import { insertNew } from '../../store/bulk.js';
import { registerPayrollModels, repaymentLineKey, type PaymentBatch } from '../../store/payroll.js';
import { registerStopModel, stopHolds } from '../../store/stops.js';

export interface RepaymentDeps {
  store: Connection;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
}

/** Adds the repayments owed to a batch still before release; answers how many entries it repaid now. */
export async function addRepayments(
  deps: RepaymentDeps,
  batch: Pick<PaymentBatch, 'key' | 'policy' | 'status'>,
): Promise<number> {
  if (batch.status === 'released') return 0;
  const { PaymentLine } = registerPayrollModels(deps.store);
  const { PaymentReturn } = registerBankFileModels(deps.store);
  const Stops = registerStopModel(deps.store);
  const open = await PaymentReturn.find({
    'policy.id': batch.policy.id,
    status: 'open',
    fixable: true,
    batchId: { $ne: batch.key },
  })
    .sort({ _id: 1 })
    .lean();
  if (open.length === 0) return 0;
  const stops = await Stops.find(
    { _id: { $in: [...new Set(open.map((entry) => entry.subjectKey))] } },
    { from: 1, liftedFrom: 1 },
  ).lean();
  const stopOf = new Map(stops.map((stop) => [stop._id, stop]));
  let repaid = 0;
  for (const entry of open) {
    const stop = stopOf.get(entry.subjectKey);
    if (stop && stopHolds(stop, periodStart(entry.period))) continue;
    const reading = await readBankAccount(deps.fetchFacts, {
      batchId: batch.key,
      subjectKey: entry.subjectKey,
      policy: batch.policy,
      purpose: ACCOUNT_PURPOSES.repayment,
      idempotencyKey: `${batch.key}:repay:${entry.subjectKey}`,
    });
    if (!reading.usable) continue;
    const key = repaymentLineKey(entry.lineKey);
    const { existing } = await insertNew(PaymentLine.collection, [
      {
        _id: key,
        key,
        kind: 'payment',
        batchId: batch.key,
        policy: batch.policy,
        subjectKey: entry.subjectKey,
        period: entry.period,
        amountFen: entry.amountFen,
        status: 'pending',
        repays: entry.lineKey,
        reason: {
          zh: `补发 ${entry.period}：原发放未到账（${entry.reason.zh}）`,
          en: `repays ${entry.period}: the original payment did not reach the account (${entry.reason.en})`,
        },
        createdAt: new Date(),
      },
    ]);
    // Written by an earlier run of this assemble, or (should it ever be) another batch's: the entry names where it is.
    const repaidIn =
      existing.length > 0
        ? ((await PaymentLine.findById(key, { batchId: 1 }).lean())?.batchId ?? batch.key)
        : batch.key;
    await PaymentReturn.updateOne(
      { _id: entry.lineKey, status: 'open' },
      { $set: { status: 'repaid', repaidBy: key, repaidIn, repaidAt: new Date() } },
    );
    repaid += 1;
  }
  return repaid;
}
