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
import { grossOf, registerPayrollModels } from '../../store/payroll.js';

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

/** Posts every released line of the batch to the ledger (streamed, in chunks). */
export async function postReleasedBatch(store: Connection, batchId: string): Promise<number> {
  const { PaymentLine } = registerPayrollModels(store);
  let posted = 0;
  let chunk: Parameters<typeof postLedger>[1][number][] = [];
  const flush = async () => {
    posted += (await postLedger(store, chunk)).length;
    chunk = [];
  };
  const cursor = PaymentLine.find(
    { batchId, kind: 'payment', status: 'released' },
    { key: 1, subjectKey: 1, policy: 1, period: 1, amountFen: 1, grossFen: 1, nettedFen: 1, repays: 1 },
  )
    .lean()
    .cursor({ batchSize: CHUNK });
  for await (const line of cursor) {
    const repays = (line as { repays?: string }).repays;
    chunk.push(
      ...paymentEntries(
        { subjectKey: line.subjectKey, policyId: line.policy.id, period: line.period, batchId },
        line.key,
        {
          grossFen: grossOf(line),
          ...(line.nettedFen ? { nettedFen: line.nettedFen } : {}),
          ...(repays ? { repays } : {}),
        },
      ),
    );
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return posted;
}
