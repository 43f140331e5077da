/**
 * A payment batch's release, as the ledger sees it. Before the lines are released, each
 * withholding is checked against what its subject still owes (a collection recorded since the
 * preview, or another batch's withholding, may have settled part of it): a line never withholds
 * more than is owed, and transfers the rest. After, every released line is posted: the period's
 * whole amount as paid, and its withholding on both accounts. Keyed, so a release retried after
 * a crash posts what is missing and nothing twice.
 */
import type { Connection } from 'mongoose';
import { paymentEntries } from '../../domain/ledger.js';
import { owedBySubject, postLedger } from '../../store/ledger.js';
import { grossOf, paymentLineKeys, registerPayrollModels } from '../../store/payroll.js';

/** Lines posted per write. */
const CHUNK = 2_000;

/** Lowers the withholdings of a batch's pending lines to what their subjects owe now. */
export async function capWithholdings(
  store: Connection,
  batch: { key: string; policy: { id: string } },
): Promise<void> {
  const { PaymentLine } = registerPayrollModels(store);
  const netted = await PaymentLine.find(
    { batchId: batch.key, kind: 'payment', status: 'pending', nettedFen: { $gt: 0 } },
    { subjectKey: 1, amountFen: 1, grossFen: 1, nettedFen: 1 },
  ).lean();
  if (netted.length === 0) return;
  const owed = await owedBySubject(
    store,
    batch.policy.id,
    netted.map((line) => line.subjectKey),
  );
  for (const line of netted) {
    const left = owed.get(line.subjectKey) ?? 0;
    const withheld = Math.min(line.nettedFen!, left);
    owed.set(line.subjectKey, left - withheld);
    if (withheld === line.nettedFen) continue;
    await PaymentLine.updateOne(
      { _id: line._id, status: 'pending' },
      { $set: { nettedFen: withheld, amountFen: grossOf(line) - withheld } },
    );
  }
}

/** Posts every released line of the batch to the ledger, a chunk of keys at a time (no cursor open while it writes). */
export async function postReleasedBatch(store: Connection, batchId: string): Promise<number> {
  const { PaymentLine } = registerPayrollModels(store);
  const keys = await paymentLineKeys(store, { batchId, kind: 'payment', status: 'released' });
  let posted = 0;
  for (let from = 0; from < keys.length; from += CHUNK) {
    const lines = await PaymentLine.find(
      { _id: { $in: keys.slice(from, from + CHUNK) } },
      { key: 1, subjectKey: 1, policy: 1, period: 1, amountFen: 1, grossFen: 1, nettedFen: 1, repays: 1 },
    ).lean();
    const entries = lines.flatMap((line) =>
      paymentEntries(
        { subjectKey: line.subjectKey, policyId: line.policy.id, period: line.period, batchId },
        line.key,
        {
          grossFen: grossOf(line),
          ...(line.nettedFen ? { nettedFen: line.nettedFen } : {}),
          ...(line.repays ? { repays: line.repays } : {}),
        },
      ),
    );
    posted += (await postLedger(store, entries)).length;
  }
  return posted;
}
