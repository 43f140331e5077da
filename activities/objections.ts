/**
 * Activities of the objection workflow (异议复核): re-evaluate the objected decision's pinned
 * policy on the departments' records as they are after the correction, as of the original
 * decision's date; record the new decision beside the old one; settle the difference (a top-up
 * grant for arrears, a recovery for an over-payment); close the objection. Every write is keyed
 * by the objection ID, so a retry or a duplicate signal never decides, pays or recovers twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { evaluatePolicy } from '../rules/engine.js';
import type { Outcome } from '../rules/types.js';
import { registerBenefitModels } from '../store/benefits.js';
import { registerDecisionModels, type DecisionRecord } from '../store/decisions.js';
import { addObjectionStep, registerObjectionModel, type ObjectionOutcome, type ObjectionRecord } from '../store/objections.js';
import { ErrorType } from '../workflows/contracts.js';
import { pinnedPolicy, type PolicySource } from './case.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';

export interface ObjectionDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
}

const OUTCOME_ZH: Record<Outcome, string> = { eligible: '符合', ineligible: '不符合', undetermined: '待定' };
const amountText = (amount?: number) => (amount === undefined ? '' : ` ${amount}`);

/** The new decision's key: derived from the old one, so the two are linked by name as well as by field. */
export const objectionDecisionKey = (previousKey: string, objectionId: string) => `${previousKey}:objection:${objectionId}`;

export interface ReevaluationSummary {
  decisionKey: string;
  previousDecisionKey: string;
  outcome: Outcome;
  previousOutcome: Outcome;
  amount?: number;
  amountBefore?: number;
  period: string;
}

export function makeObjectionActivities(deps: ObjectionDeps) {
  const Objection = registerObjectionModel(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  const { Grant, Recovery } = registerBenefitModels(deps.store);

  async function objectionOf(objectionId: string): Promise<ObjectionRecord> {
    const objection = await Objection.findOne({ _id: objectionId }).lean();
    if (!objection) throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message: `no objection ${objectionId}`, nonRetryable: true });
    return objection;
  }
  const reasonOf = (objection: ObjectionRecord) => objection.correction?.reason ?? objection.resolution?.reason ?? objection.statement;

  return {
    /**
     * Re-reads the policy's facts (access-logged under the original case, purpose "objection
     * re-evaluation: <reason>"), evaluates the version the case pinned as of the original date
     * and records the new decision once, linked both ways to the one it supersedes.
     */
    async reevaluateObjection(input: { objectionId: string; workflowId: string }): Promise<ReevaluationSummary> {
      const objection = await objectionOf(input.objectionId);
      const previous = await Decision.findOne({ _id: objection.decisionKey }).lean();
      if (!previous) throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message: `no decision ${objection.decisionKey}`, nonRetryable: true });
      const reason = reasonOf(objection);
      await addObjectionStep(deps.store, objection._id, {
        key: 're-evaluation', kind: 're-evaluation', actor: 'system',
        summary: { zh: `按第${previous.policy.version}版政策、以 ${previous.asOf} 为准重新判定（理由：${reason}）`, en: `re-evaluating v${previous.policy.version} as of ${previous.asOf}: ${reason}` },
      }, { status: 're-evaluating' });

      const key = objectionDecisionKey(previous.key, objection._id);
      let decided: DecisionRecord | null = await Decision.findOne({ _id: key }).lean();
      if (!decided) {
        const policy = await pinnedPolicy(deps.policies, previous.policy);
        const purpose = `objection re-evaluation: ${reason}`;
        const fresh = await deps.fetchFacts({
          caseId: objection.caseId,
          subjectKey: objection.subjectKey,
          policyId: policy.id,
          policyVersion: policy.version,
          facts: Object.fromEntries(Object.entries(policy.facts).map(([fact, declared]) => [fact, { source: declared.source, purpose }])),
          idempotencyKey: `${input.workflowId}:facts`,
        });
        const decision = await evaluatePolicy(policy, fresh.values, previous.asOf, { acceptPledges: policy.mode === 'pledge' });
        // The native driver keeps the link fields (supersedes, objectionId) the decision schema does not list.
        await Decision.collection.updateOne(
          { _id: key } as object,
          {
            $setOnInsert: {
              key, caseId: objection.caseId, subjectKey: objection.subjectKey, ...decision,
              failedSources: fresh.failedSources, withoutCitizenDocuments: true, decidedAt: new Date(),
              supersedes: previous.key, objectionId: objection._id,
            },
          },
          { upsert: true },
        );
        await Decision.collection.updateOne({ _id: previous.key } as object, { $set: { supersededBy: key } });
        decided = await Decision.findOne({ _id: key }).lean();
      }
      if (!decided) throw ApplicationFailure.create({ type: ErrorType.StoreUnavailable, message: `decision ${key} was not written` });
      const amount = typeof decided.amount === 'number' ? decided.amount : undefined;
      const amountBefore = typeof previous.amount === 'number' ? previous.amount : undefined;
      await addObjectionStep(deps.store, objection._id, {
        key: 'decision', kind: 'decision', actor: 'rules engine',
        summary: {
          zh: `新判定：${OUTCOME_ZH[decided.outcome]}${amountText(amount)}（原判定：${OUTCOME_ZH[previous.outcome]}${amountText(amountBefore)}）`,
          en: `new decision: ${decided.outcome}${amountText(amount)} (was ${previous.outcome}${amountText(amountBefore)})`,
        },
      });
      return {
        decisionKey: key, previousDecisionKey: previous.key, outcome: decided.outcome, previousOutcome: previous.outcome, period: decided.period,
        ...(amount === undefined ? {} : { amount }), ...(amountBefore === undefined ? {} : { amountBefore }),
      };
    },

    /**
     * Settles the decided period: what is due under the new decision against what was paid
     * (grants less recoveries, leaving out this objection's own records so a retry computes the
     * same), then a top-up grant for arrears or a recovery for an over-payment, each once.
     */
    async settleObjection(input: { objectionId: string; reevaluation: ReevaluationSummary }): Promise<ObjectionOutcome> {
      const objection = await objectionOf(input.objectionId);
      const { reevaluation } = input;
      const own = `objection:${objection._id}:`;
      const grants = (await Grant.find({ subjectKey: objection.subjectKey, 'policy.id': objection.policyId, period: reevaluation.period, status: 'granted' }).lean())
        .filter((grant) => !grant.key.startsWith(own));
      const recoveries = grants.length ? (await Recovery.find({ grantKey: { $in: grants.map((g) => g.key) } }).lean()).filter((r) => !r.key.startsWith(own)) : [];
      const paid = grants.reduce((sum, g) => sum + (g.amount ?? 0), 0) - recoveries.reduce((sum, r) => sum + r.amount, 0);
      const due = reevaluation.outcome === 'eligible' ? (reevaluation.amount ?? 0) : 0;
      const difference = Math.round((due - paid) * 100) / 100;
      const period: ObjectionOutcome['periods'][number] = { period: reevaluation.period, paid, due };
      const decided = await Decision.findOne({ _id: reevaluation.decisionKey }).lean();
      const reason = `objection ${objection._id}: ${reasonOf(objection)}`;

      if (difference > 0 && decided) {
        const arrearsKey = `${own}arrears:${reevaluation.period}`;
        const policy = await pinnedPolicy(deps.policies, decided.policy);
        await Grant.updateOne(
          { _id: arrearsKey },
          { $setOnInsert: { key: arrearsKey, caseId: objection.caseId, subjectKey: objection.subjectKey, policy: decided.policy, period: reevaluation.period, benefitKind: policy.benefit.kind, amount: difference, basis: 'objection-arrears', status: 'granted', grantedAt: new Date() } },
          { upsert: true },
        );
        period.arrearsKey = arrearsKey;
        await addObjectionStep(deps.store, objection._id, { key: 'arrears', kind: 'arrears', actor: 'system', summary: { zh: `补发 ${difference} 元（${reevaluation.period}）`, en: `arrears of ${difference} paid for ${reevaluation.period}` } });
      } else if (difference < 0 && grants.length > 0) {
        const recoveryKey = `${own}recovery:${reevaluation.period}`;
        await Recovery.updateOne(
          { _id: recoveryKey },
          { $setOnInsert: { key: recoveryKey, grantKey: grants[0].key, subjectKey: objection.subjectKey, amount: -difference, reason, status: 'due', createdAt: new Date() } },
          { upsert: true },
        );
        period.recoveryKey = recoveryKey;
        await addObjectionStep(deps.store, objection._id, { key: 'recovery', kind: 'recovery', actor: 'system', summary: { zh: `多发 ${-difference} 元，启动追回（${reevaluation.period}）`, en: `over-payment of ${-difference} to be recovered for ${reevaluation.period}` } });
      } else {
        await addObjectionStep(deps.store, objection._id, { key: 'settled', kind: 'settled', actor: 'system', summary: { zh: '金额无变化，无需补发或追回', en: 'no difference to pay or recover' } });
      }
      return {
        decisionKey: reevaluation.decisionKey,
        previousDecisionKey: reevaluation.previousDecisionKey,
        outcome: reevaluation.outcome,
        previousOutcome: reevaluation.previousOutcome,
        ...(reevaluation.amountBefore === undefined ? {} : { amountBefore: reevaluation.amountBefore }),
        ...(reevaluation.amount === undefined ? {} : { amountAfter: reevaluation.amount }),
        ...(period.arrearsKey ? { arrears: difference } : {}),
        ...(period.recoveryKey ? { overpayment: -difference } : {}),
        periods: [period],
      };
    },

    /** Closes the objection (resolved with its outcome, or rejected); a repeated call changes nothing. */
    async closeObjection(input: { objectionId: string; status: 'resolved' | 'rejected'; outcome?: ObjectionOutcome }): Promise<void> {
      const objection = await objectionOf(input.objectionId);
      const summary = input.status === 'resolved'
        ? { zh: '异议办结', en: 'objection resolved' }
        : { zh: `异议不予支持：${objection.resolution?.reason ?? ''}`, en: `objection rejected: ${objection.resolution?.reason ?? ''}` };
      await addObjectionStep(deps.store, objection._id, { key: input.status, kind: input.status, actor: input.status === 'rejected' ? (objection.resolution?.by.name ?? 'supervisor') : 'system', summary }, {
        status: input.status,
        ...(input.outcome ? { outcome: input.outcome } : {}),
      });
    },
  };
}
