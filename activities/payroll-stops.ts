/**
 * Stops on life events (death.registered, hukou.moved-out): every open entitlement of the subject
 * ends from the first of the month after the event, with a transition (cause `event`, by the case)
 * and a notice; each pending payment line for a period from then on leaves its unreleased batch;
 * each released one becomes a recovery line (negative fen, keyed `…:recovery`). The order — the
 * subject's stop record, transitions and notices, then statuses and lines, each conditional or
 * keyed — makes a retry finish what a crash left and do nothing twice.
 */
import type { Connection } from 'mongoose';
import { periodKind, periodOf, periodStart, yuanToFen, type EntitlementPeriod } from '../domain/entitlements.js';
import { registerBenefitModels } from '../store/benefits.js';
import type { Text } from '../domain/sources.js';
import type { PolicySource } from '../rules/policy-source.js';
import { insertNew } from '../store/bulk.js';
import { moveEntitlement, registerEntitlementModels } from '../store/entitlements.js';
import { grossOf, recoveryLineKey, registerPayrollModels } from '../store/payroll.js';
import { postLedger } from '../store/ledger.js';
import { recoveryEntry } from '../domain/ledger.js';
import { payrollBatchFigures } from '../store/payroll-figures.js';
import { firstOfNextMonth, recordSubjectStop } from '../store/stops.js';
import type { StopPaymentsInput, StopPaymentsResult } from '../workflows/contracts/index.js';
import type { EnqueueNoticeInput } from './notices.js';

export interface PayrollStopDeps {
  store: Connection;
  policies: PolicySource;
  enqueueNotice: (input: EnqueueNoticeInput) => Promise<unknown>;
}

/** The reason a stop gives, in both languages. */
function reasonOf(eventType: string, eventDate: string): Text {
  return eventType === 'death.registered'
    ? {
        zh: `${eventDate} 登记死亡，自次月起停发`,
        en: `death registered on ${eventDate}: stopped from the month after`,
      }
    : {
        zh: `${eventDate} 户籍迁出本市，自次月起停发`,
        en: `household moved out of the city on ${eventDate}: stopped from the month after`,
      };
}

export function makePayrollStopActivities(deps: PayrollStopDeps) {
  const { Entitlement } = registerEntitlementModels(deps.store);

  return {
    /** Ends, withdraws and recovers what the event stops; the same event again changes nothing. */
    async stopPaymentsOnEvent(input: StopPaymentsInput): Promise<StopPaymentsResult> {
      const from = firstOfNextMonth(input.eventDate);
      const why = reasonOf(input.eventType, input.eventDate);
      // Ingestion wrote it already; written again here for events accepted before stops existed.
      await recordSubjectStop(deps.store, {
        subjectKey: input.subjectKey,
        caseId: input.caseId,
        type: input.eventType,
        occurredOn: input.eventDate,
      });
      const open = await Entitlement.find({ subjectKey: input.subjectKey, status: { $ne: 'ended' } }).lean();
      for (const entitlement of open) {
        const endedFrom = firstPeriodFrom(from, entitlement.period);
        const policy = await deps.policies.version(entitlement.policy.id, entitlement.policy.version);
        await moveEntitlement(
          deps.store,
          {
            entitlement,
            to: 'ended',
            cause: 'event',
            causeKey: input.caseId,
            by: input.caseId,
            why,
            effectiveFrom: endedFrom,
          },
          () =>
            deps.enqueueNotice({
              noticeKey: `${input.caseId}:notice:ended:${entitlement.policy.id}`,
              subjectKey: entitlement.subjectKey,
              template: 'entitlement.ended',
              params: {
                policyTitle: policy?.title ?? { zh: entitlement.policy.id, en: entitlement.policy.id },
                period: endedFrom,
                reason: why,
              },
            }),
        );
      }

      const lines = await stopLinesFrom(deps.store, { subjectKey: input.subjectKey, from, why });
      // A grant that paid a period from the stop on (an entitlement's first period) is owed back as well.
      const grants = await recoverGrantsFrom(deps.store, { subjectKey: input.subjectKey, from, why });
      const { removed } = lines;
      const recovered = lines.recovered + grants.recovered;
      const recoveredFen = lines.recoveredFen - grants.recoveredFen;
      return { ended: open.length, removed, recovered, recoveredFen };
    },
  };
}

/**
 * Stops a subject's payment lines from `from` (a date: the first day no longer paid), of one policy
 * or all: a pending line leaves its unreleased batch (whose preview is counted again); a released
 * one the bank paid becomes a recovery line (keyed `…:recovery`) and a debt in the ledger. Each
 * write is conditional or keyed, so running it again changes nothing.
 */
export async function stopLinesFrom(
  store: Connection,
  stop: { subjectKey: string; policyId?: string; from: string; why: Text },
): Promise<{ removed: number; recovered: number; recoveredFen: number }> {
  const { PaymentLine, PaymentBatch } = registerPayrollModels(store);
  let removed = 0;
  let recovered = 0;
  let recoveredFen = 0;
  const lines = await PaymentLine.find({
    subjectKey: stop.subjectKey,
    kind: 'payment',
    status: { $in: ['pending', 'released'] },
    ...(stop.policyId ? { 'policy.id': stop.policyId } : {}),
  }).lean();
  for (const line of lines.filter((l) => periodStart(l.period) >= stop.from)) {
    // Pending: out of its batch before release, unless the release got there first.
    const taken = await PaymentLine.updateOne(
      { _id: line.key, status: 'pending' },
      { $set: { status: 'removed', removedAt: new Date(), reason: stop.why } },
    );
    if (taken.modifiedCount === 1) {
      removed += 1;
      continue;
    }
    const now = await PaymentLine.findById(line.key, { status: 1, bank: 1 }).lean();
    if (now?.status !== 'released') continue;
    // What the bank never paid (rejected, or withheld for want of an account) is not owed back.
    if (now.bank?.status === 'rejected' || now.bank?.status === 'withheld') continue;
    const key = recoveryLineKey(line.policy.id, line.subjectKey, line.period);
    await insertNew(PaymentLine.collection, [
      {
        _id: key,
        key,
        kind: 'recovery',
        batchId: line.batchId,
        policy: line.policy,
        subjectKey: line.subjectKey,
        period: line.period,
        amountFen: -grossOf(line),
        status: 'due',
        recovers: line.key,
        reason: stop.why,
        createdAt: new Date(),
      },
    ]);
    // What the period paid is owed back whole: a part withheld from it settled an older debt, which stays settled.
    await postLedger(store, [
      recoveryEntry(
        { subjectKey: line.subjectKey, policyId: line.policy.id, period: line.period, batchId: line.batchId },
        key,
        grossOf(line),
      ),
    ]);
    recovered += 1;
    recoveredFen -= grossOf(line);
  }
  // A preview shows what will be paid: a batch a line left is counted again from its lines.
  const touched = new Set(lines.filter((l) => periodStart(l.period) >= stop.from).map((l) => l.batchId));
  for (const batchId of touched) {
    const batch = await PaymentBatch.findById(batchId).lean();
    if (batch?.status !== 'preview') continue;
    const figures = await payrollBatchFigures(store, batch);
    await PaymentBatch.updateOne(
      { _id: batchId, status: 'preview' },
      { $set: { counts: figures.counts, totalFen: figures.totalFen, withheldFen: figures.withheldFen } },
    );
  }
  return { removed, recovered, recoveredFen };
}

/**
 * Recovers the subject's recurring grants for periods from `from` on (a grant pays a monthly or
 * yearly benefit's first period): a recovery of the grant's amount (keyed by the grant, as a false
 * pledge's is) and a debt in the ledger, each once.
 */
async function recoverGrantsFrom(
  store: Connection,
  stop: { subjectKey: string; policyId?: string; from: string; why: Text },
): Promise<{ recovered: number; recoveredFen: number }> {
  const { Grant, Recovery } = registerBenefitModels(store);
  const grants = await Grant.find({
    subjectKey: stop.subjectKey,
    status: 'granted',
    ...(stop.policyId ? { 'policy.id': stop.policyId } : {}),
  }).lean();
  let recovered = 0;
  let recoveredFen = 0;
  for (const grant of grants) {
    const kind = periodKind(grant.period);
    if (!kind || periodStart(grant.period) < stop.from || !grant.amount) continue;
    const key = `${grant.key}:recovery`;
    const amountFen = yuanToFen(grant.amount);
    await Recovery.updateOne(
      { _id: key },
      {
        $setOnInsert: {
          key,
          grantKey: grant.key,
          subjectKey: grant.subjectKey,
          amount: grant.amount,
          reason: stop.why.en,
          status: 'due',
          createdAt: new Date(),
        },
      },
      { upsert: true },
    );
    await postLedger(store, [
      recoveryEntry({ subjectKey: grant.subjectKey, policyId: grant.policy.id, period: grant.period }, key, amountFen),
    ]);
    recovered += 1;
    recoveredFen += amountFen;
  }
  return { recovered, recoveredFen };
}

/** The first period of a kind that starts on or after `from` ("2026-04-01": month "2026-04", year "2027"). */
function firstPeriodFrom(from: string, kind: EntitlementPeriod): string {
  const period = periodOf(from, kind);
  return periodStart(period) >= from ? period : String(Number(period) + 1);
}
