/**
 * Activities of the payroll (按月发放): pin the policy version in force for the period and open
 * the batch; re-check one slice of the policy's active entitlements with the compiled evaluator
 * as of the period's first day on the shared data as it is now (each read access-logged), write a
 * payment line per entitlement (keyed, so a retry writes nothing twice) and end or suspend what no
 * longer holds, with a recorded transition and a notice; assemble the batch's counts and total
 * from its lines, after adding the repayments of earlier lines the bank did not pay whose account
 * is active again (services/payroll/repayments.ts). Order of a stop's writes — transition, notice,
 * then the status — means a retry that finds the entitlement still active finishes the job, and
 * one that does not has nothing left.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import {
  entitlementKey,
  nextPeriod,
  periodKind,
  periodStart,
  yuanToFen,
  type EntitlementStatus,
} from '../domain/entitlements.js';
import type { Text } from '../domain/sources.js';
import { compilePolicy, type CompiledPolicy } from '../rules/compiled.js';
import type { Decision, Policy } from '../rules/types.js';
import type { PolicySource } from '../rules/policy-source.js';
import { insertNew } from '../store/bulk.js';
import { owedBySubject } from '../store/ledger.js';
import { recoveryMethodOf, withholding } from '../domain/ledger.js';
import {
  entitlementRange,
  moveEntitlement,
  registerEntitlementModels,
  updateWhereStatus,
  type Entitlement,
} from '../store/entitlements.js';
import { paymentLineKey, registerPayrollModels, ZERO_PAYROLL_COUNTS, type PaymentLine } from '../store/payroll.js';
import { payrollBatchFigures } from '../store/payroll-figures.js';
import { addRepayments } from '../services/payroll/repayments.js';
import { registerStopModel, stopHolds } from '../store/stops.js';
import {
  ErrorType,
  type PayrollResult,
  type PayrollSliceResult,
  type PolicyPlan,
} from '../workflows/contracts/index.js';
import { pinnedPolicy, planOf } from './case.js';
import type { EnqueueNoticeInput } from './notices.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';

/** Entitlements whose facts are fetched together (a heartbeat after each chunk). */
const RECHECK_CHUNK = 250;

export interface PayrollDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** fetchFacts for a chunk of subjects (activities/shared-data/fetch-facts.ts makeFetchFactsForMany). */
  fetchFactsForMany: (
    shared: Omit<FetchFactsInput, 'subjectKey' | 'idempotencyKey'>,
    subjects: ReadonlyArray<{ subjectKey: string; idempotencyKey: string }>,
  ) => Promise<FetchFactsResult[]>;
  enqueueNotice: (input: EnqueueNoticeInput) => Promise<unknown>;
}

/** Why a re-check ended or suspended an entitlement, from the conditions that failed or lacked data. */
function reasonOf(decision: Decision): Text {
  if (decision.outcome === 'undetermined')
    return {
      zh: `复核时数据暂缺：${decision.missingFacts.join('、')}`,
      en: `data missing at the re-check: ${decision.missingFacts.join(', ')}`,
    };
  const failed = decision.conditions.filter((leaf) => leaf.result === false);
  return {
    zh: `不再符合：${failed.map((leaf) => leaf.label?.zh ?? leaf.name ?? leaf.fact).join('、')}`,
    en: `no longer met: ${failed.map((leaf) => leaf.label?.en ?? leaf.name ?? leaf.fact).join(', ')}`,
  };
}

/** The notice of each move. */
const NOTICE_OF = {
  active: 'entitlement.resumed',
  ended: 'entitlement.ended',
  suspended: 'entitlement.suspended',
} as const satisfies Record<EntitlementStatus, string>;

const RESUMED: Text = { zh: '复核时数据已补齐，恢复发放', en: 'the missing data is in at the re-check: paid again' };

export function makePayrollActivities(deps: PayrollDeps) {
  const { Entitlement } = registerEntitlementModels(deps.store);
  const { PaymentLine, PaymentBatch } = registerPayrollModels(deps.store);
  const Stops = registerStopModel(deps.store);
  const compiled = new Map<string, CompiledPolicy>();
  const evaluatorFor = (policy: Policy, asOf: string) => {
    const key = `${policy.id}@${policy.version}:${asOf}`;
    let evaluator = compiled.get(key);
    if (!evaluator) {
      if (compiled.size > 50) compiled.clear();
      evaluator = compilePolicy(policy, asOf);
      compiled.set(key, evaluator);
    }
    return evaluator;
  };

  /**
   * Withholds from each new line what its subject owes back on the policy (the ledger's balance),
   * when the policy nets its recoveries: the line then transfers the rest, and keeps the period's
   * whole amount and the part withheld. The ledger posts the withholding when the batch is released.
   */
  async function withholdOwed(
    policy: Policy,
    lines: Array<{ subjectKey: string; amountFen: number; grossFen?: number; nettedFen?: number }>,
  ): Promise<void> {
    const method = recoveryMethodOf(policy);
    if (method !== 'netting' || lines.length === 0) return;
    const owed = await owedBySubject(
      deps.store,
      policy.id,
      lines.map((line) => line.subjectKey),
    );
    for (const line of lines) {
      const withheld = withholding(method, owed.get(line.subjectKey) ?? 0, line.amountFen);
      if (withheld === 0) continue;
      line.grossFen = line.amountFen;
      line.nettedFen = withheld;
      line.amountFen -= withheld;
    }
  }

  /**
   * Moves one entitlement for this payroll — ends or suspends what no longer holds, resumes a
   * suspended one that holds again — with a recorded transition (cause re-check, by the batch)
   * and a notice to the citizen; each once.
   */
  async function move(
    batchId: string,
    plan: PolicyPlan,
    period: string,
    entitlement: Entitlement,
    to: EntitlementStatus,
    reason: Text,
  ): Promise<void> {
    await moveEntitlement(
      deps.store,
      { entitlement, to, cause: 're-check', causeKey: batchId, by: batchId, why: reason, effectiveFrom: period },
      () =>
        deps.enqueueNotice({
          noticeKey: `${batchId}:notice:${to}:${entitlement.subjectKey}`,
          subjectKey: entitlement.subjectKey,
          template: NOTICE_OF[to],
          params: { policyTitle: plan.title, period, reason },
        }),
    );
  }

  return {
    /**
     * Pins the version of the policy in force on the period's first day and opens the batch (once:
     * a batch already there is kept). Non-retryable when the policy is not recurring or not in force.
     */
    async beginPayroll(input: {
      batchId: string;
      policyId: string;
      period: string;
      startedBy: string;
      startedById?: string;
    }): Promise<{ plan: PolicyPlan; asOf: string }> {
      const asOf = periodStart(input.period);
      const policy = (await deps.policies.allInForce(asOf)).find((p) => p.id === input.policyId);
      if (!policy)
        throw ApplicationFailure.create({
          type: ErrorType.PolicyNotInForce,
          message: `policy ${input.policyId} is not in force on ${asOf}`,
          nonRetryable: true,
        });
      if (policy.period !== periodKind(input.period))
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: `period: ${input.period} is not a ${policy.period} period of ${policy.id} (paid by the ${policy.period})`,
          nonRetryable: true,
        });
      const plan = planOf(policy);
      await PaymentBatch.updateOne(
        { _id: input.batchId },
        {
          $setOnInsert: {
            key: input.batchId,
            policy: plan.ref,
            period: input.period,
            asOf,
            status: 'running',
            counts: ZERO_PAYROLL_COUNTS,
            totalFen: 0,
            startedBy: input.startedBy,
            ...(input.startedById ? { startedById: input.startedById } : {}),
            startedAt: new Date(),
          },
        },
        { upsert: true },
      );
      return { plan, asOf };
    },

    /**
     * Re-checks up to `limit` active entitlements of the policy after `cursor` (in key order) and
     * writes each one's line for the period, or ends or suspends it. Entitlements whose first
     * period is this one or later were paid by their grant: skipped. The same slice again writes
     * nothing new.
     */
    async payrollSlice(input: {
      batchId: string;
      plan: PolicyPlan;
      period: string;
      asOf: string;
      cursor?: string;
      limit: number;
    }): Promise<PayrollSliceResult> {
      const policy = await pinnedPolicy(deps.policies, input.plan.ref);
      const evaluator = evaluatorFor(policy, input.asOf);
      const context = Context.current();
      // Suspended ones too: each payroll looks again at what was missing, and resumes what holds.
      // One query per slice, read to its end: a cursor kept open between slices holds a read
      // transaction on FerretDB's SQLite, and the write-ahead log then grows with every write
      // until each one waits for seconds (3 GB and 100 s an update, 200,000 entitlements in).
      const page = await Entitlement.find({
        _id: entitlementRange(policy.id, input.cursor),
        status: { $in: ['active', 'suspended'] },
      })
        .sort({ _id: 1 })
        .limit(input.limit)
        .lean();
      // A subject whose death or move-out was accepted is not paid from its stop on (its stop workflow ends it).
      const stops = await Stops.find(
        { _id: { $in: page.map((e) => e.subjectKey) } },
        { from: 1, liftedFrom: 1 },
      ).lean();
      const stopped = new Set(stops.filter((s) => stopHolds(s, periodStart(input.period))).map((s) => s._id));
      const purposes = Object.fromEntries(
        Object.entries(policy.facts).map(([fact, declared]) => [
          fact,
          { source: declared.source, purpose: `按月发放复核 payroll re-check: ${declared.purpose}` },
        ]),
      );
      const createdAt = new Date();
      const due = page.filter(
        (entitlement) =>
          entitlement.firstPeriod < input.period &&
          !(entitlement.endedFrom !== undefined && entitlement.endedFrom <= input.period) &&
          !stopped.has(entitlement.subjectKey) &&
          // Held by an officer: only an officer resumes it.
          !(entitlement.status === 'suspended' && entitlement.suspendedBy === 'officer'),
      );
      const lines: Array<PaymentLine & { _id: string }> = [];
      for (let from = 0; from < due.length; from += RECHECK_CHUNK) {
        const chunk = due.slice(from, from + RECHECK_CHUNK);
        // The chunk's facts in one go: reads side by side, its access records one bulk insert and one chain block.
        const pulled = await deps.fetchFactsForMany(
          { caseId: input.batchId, policyId: policy.id, policyVersion: policy.version, facts: purposes },
          chunk.map((e) => ({ subjectKey: e.subjectKey, idempotencyKey: `${input.batchId}:${e.subjectKey}` })),
        );
        context.heartbeat();
        for (const [i, entitlement] of chunk.entries()) {
          const decision = evaluator.explain(pulled[i].values);
          if (decision.outcome === 'eligible') {
            if (entitlement.status === 'suspended')
              await move(input.batchId, input.plan, input.period, entitlement, 'active', RESUMED);
            const key = paymentLineKey(policy.id, entitlement.subjectKey, input.period);
            lines.push({
              _id: key,
              key,
              kind: 'payment',
              batchId: input.batchId,
              policy: input.plan.ref,
              subjectKey: entitlement.subjectKey,
              period: input.period,
              amountFen: yuanToFen(decision.amount ?? 0),
              status: 'pending',
              basis: {
                asOf: input.asOf,
                conditions: decision.conditions.map((leaf) => ({
                  ...(leaf.name ? { name: leaf.name } : {}),
                  fact: leaf.fact,
                  result: leaf.result,
                })),
              },
              createdAt,
            });
          } else {
            const to = decision.outcome === 'ineligible' ? 'ended' : 'suspended';
            // Still missing data: a suspended entitlement stays as it is, reviewed again next period.
            if (to !== entitlement.status)
              await move(input.batchId, input.plan, input.period, entitlement, to, reasonOf(decision));
            context.heartbeat();
          }
        }
      }
      await withholdOwed(policy, lines);
      await insertNew(PaymentLine.collection, lines);
      // Those paid are reviewed again by the next period's payroll (one write for the slice).
      await updateWhereStatus(
        deps.store,
        lines.map((line) => entitlementKey(policy.id, line.subjectKey)),
        ['active'],
        { nextReviewOn: periodStart(nextPeriod(input.period)) },
      );
      const last = page.at(-1)?.key;
      return { processed: page.length, ...(page.length < input.limit || !last ? {} : { cursor: last }) };
    },

    /**
     * Adds the repayments owed to the policy's beneficiaries whose corrected account is active again
     * (services/payroll/repayments.ts), then counts and totals the batch from its lines, compares
     * with the period before (a line then, or the grant that opened the entitlement), and puts it
     * up for preview. The same call again adds nothing and computes the same figures.
     */
    async assemblePayrollBatch(input: { batchId: string }): Promise<PayrollResult> {
      const batch = await PaymentBatch.findById(input.batchId).lean();
      if (!batch)
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: `batchId: no payment batch ${input.batchId}`,
          nonRetryable: true,
        });
      await addRepayments({ store: deps.store, fetchFacts: deps.fetchFacts }, batch);
      const figures = await payrollBatchFigures(deps.store, batch);
      await PaymentBatch.updateOne(
        { _id: input.batchId, status: { $in: ['running', 'preview'] } },
        {
          $set: {
            status: 'preview',
            counts: figures.counts,
            totalFen: figures.totalFen,
            withheldFen: figures.withheldFen,
            previewedAt: new Date(),
          },
        },
      );
      return {
        batchId: input.batchId,
        policy: batch.policy,
        period: batch.period,
        totalFen: figures.totalFen,
        lines: figures.counts.lines,
        new: figures.counts.new,
        amountChanged: figures.counts.amountChanged,
        ended: figures.counts.ended,
        suspended: figures.counts.suspended,
      };
    },
  };
}
