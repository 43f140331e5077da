/**
 * Activities of the objection workflow (异议复核): re-evaluate the objected decision's pinned
 * policy on the departments' records as they are after the correction, as of the original
 * decision's date; record the new decision beside the old one; settle the difference (a top-up
 * grant for arrears, a recovery for an over-payment); close the objection. Every write is keyed
 * by the objection ID, so a retry or a duplicate signal never decides, pays or recovers twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { evaluatePolicy, periodKey } from '../rules/engine.js';
import type { Outcome, Policy } from '../rules/types.js';
import { registerBenefitModels } from '../store/benefits.js';
import { postGrants, postLedger } from '../store/ledger.js';
import { recoveryEntry } from '../domain/ledger.js';
import { entitlementKey, periodStart, yuanToFen } from '../domain/entitlements.js';
import { moveEntitlement, registerEntitlementModels } from '../store/entitlements.js';
import { stopLinesFrom } from './payroll-stops.js';
import { registerDecisionModels, type DecisionRecord } from '../store/decisions.js';
import {
  addObjectionStep,
  registerObjectionModel,
  type ObjectionOutcome,
  type ObjectionRecord,
} from '../store/objections.js';
import { registerSweepModel } from '../store/sweeps.js';
import { ErrorType, objectionKeyPrefix } from '../workflows/contracts/index.js';
import { pinnedPolicy, planOf } from './case.js';
import type { PolicySource } from '../rules/policy-source.js';
import { startBenefitWorkflow, type BenefitStarter } from './benefit-start.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';
import { issueRefusalLetter, revokeGrantCertificates } from '../services/certificates/on-decision.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';
import { cityToday } from '../domain/calendar.js';
import { issuedBesides } from './issued-besides.js';

export interface ObjectionDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** How a benefit in kind found due is started (its grant, offer or pledge workflow); the worker's Temporal client. */
  workflows?: BenefitStarter;
  /** The departments' seals: a decision an objection turns to a refusal gets its sealed letter; absent, none. */
  seals?: SealKeeper;
}

const OUTCOME_ZH: Record<Outcome, string> = { eligible: '符合', ineligible: '不符合', undetermined: '待定' };
const amountText = (amount?: number) => (amount === undefined ? '' : ` ${amount}`);

/** The new decision's key: derived from the old one, so the two are linked by name as well as by field. */
export const objectionDecisionKey = (previousKey: string, objectionId: string) =>
  `${previousKey}:objection:${objectionId}`;

/** What deciding a period again needs of the decision it replaces. */
type PriorDecision = Pick<DecisionRecord, 'key' | 'policy' | 'asOf' | 'outcome' | 'period' | 'amount' | 'decidedAt'>;

/** One decision decided again: the new and the old outcome and amount, for its period. */
export interface PeriodReevaluation {
  decisionKey: string;
  previousDecisionKey: string;
  outcome: Outcome;
  previousOutcome: Outcome;
  amount?: number;
  amountBefore?: number;
  period: string;
}

/** The objected decision decided again, and any later periods' decisions made on the same records. */
export interface ReevaluationSummary extends PeriodReevaluation {
  /** Later periods, oldest first; absent when there were none (and in histories from before they were revisited). */
  later?: PeriodReevaluation[];
}

export function makeObjectionActivities(deps: ObjectionDeps) {
  const Objection = registerObjectionModel(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  const { Grant, Recovery } = registerBenefitModels(deps.store);
  const { Entitlement } = registerEntitlementModels(deps.store);
  const Sweeps = registerSweepModel(deps.store);

  async function objectionOf(objectionId: string): Promise<ObjectionRecord> {
    const objection = await Objection.findOne({ _id: objectionId }).lean();
    if (!objection)
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `no objection ${objectionId}`,
        nonRetryable: true,
      });
    return objection;
  }
  const reasonOf = (objection: ObjectionRecord) =>
    objection.correction?.reason ?? objection.resolution?.reason ?? objection.statement;

  /**
   * The subject's decisions under the same policy for periods after the objected one, made
   * before the correction (or the supervisor's re-check) on the records it corrected: the latest
   * per period, leaving out objection decisions and any another objection already decided again.
   * A sweep records only whom it finds eligible or undetermined, so a population sweep that
   * finished, started before the correction, and left no decision of the subject for its period
   * found the subject ineligible there: that period is decided again too, from "ineligible".
   */
  async function laterDecisions(objection: ObjectionRecord, previous: DecisionRecord): Promise<PriorDecision[]> {
    const answeredAt = new Date(objection.correction?.at ?? objection.resolution?.at ?? Date.now()).getTime();
    const ours = (key: string) => objectionDecisionKey(key, objection._id);
    const all = (await Decision.find({
      subjectKey: objection.subjectKey,
      'policy.id': objection.policyId,
    }).lean()) as Array<DecisionRecord & { objectionId?: string; supersededBy?: string }>;
    const byPeriod = new Map<string, PriorDecision>();
    const keep = (decision: PriorDecision) => {
      const kept = byPeriod.get(decision.period);
      if (!kept || new Date(kept.decidedAt) < new Date(decision.decidedAt)) byPeriod.set(decision.period, decision);
    };
    for (const decision of all) {
      if (decision.objectionId || decision.period === previous.period || decision.asOf <= previous.asOf) continue;
      if (new Date(decision.decidedAt).getTime() >= answeredAt) continue;
      if (decision.supersededBy && decision.supersededBy !== ours(decision.key)) continue;
      keep(decision);
    }
    // Any decision of a period (a case's, a sweep's, another objection's) leaves it to that decision; this objection's own are retries.
    const decided = new Set(all.filter((d) => d.objectionId !== objection._id).map((d) => d.period));
    const sweeps = await Sweeps.find({
      'policy.id': objection.policyId,
      status: 'done',
      asOf: { $gt: previous.asOf },
    }).lean();
    for (const sweep of sweeps) {
      if (sweep._id.endsWith(':due') || new Date(sweep.startedAt).getTime() >= answeredAt) continue;
      const period = periodKey(await pinnedPolicy(deps.policies, sweep.policy), sweep.asOf);
      if (period === previous.period || decided.has(period)) continue;
      // Named after the sweep and the (pseudonymous) subject: the same on a retry, so decided again once.
      keep({
        key: `${sweep._id}:${objection.subjectKey}`,
        policy: sweep.policy,
        asOf: sweep.asOf,
        outcome: 'ineligible',
        period,
        decidedAt: new Date(sweep.startedAt),
      });
    }
    return [...byPeriod.values()].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  }

  /** Starts the benefit workflow the new decision calls for, as a life-event case would (one per subject, policy and period, ever). */
  async function startBenefit(objection: ObjectionRecord, policy: Policy, decided: DecisionRecord): Promise<string> {
    const plan = planOf(policy);
    if (!deps.workflows) {
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `this worker has no Temporal client, so it cannot start the ${plan.mode} workflow objection ${objection._id} calls for`,
        nonRetryable: true,
      });
    }
    // A retry after the start went through finds the same workflow, started once.
    const { workflowId } = await startBenefitWorkflow(deps.workflows, {
      caseId: objection.caseId,
      subjectKey: objection.subjectKey,
      plan,
      decision: {
        policy: decided.policy,
        outcome: decided.outcome,
        asOf: decided.asOf,
        period: decided.period,
        missingFacts: decided.missingFacts,
        failedSources: [],
        ...(decided.amount === undefined ? {} : { amount: decided.amount }),
      },
    });
    return workflowId;
  }

  /**
   * A benefit in kind (a card, a school place) has no amount to pay or recover: when the new
   * decision makes it due and none is in force, its grant, offer or pledge workflow starts as a
   * case's would; when the new decision is ineligible, the grants in force are revoked. A retry
   * finds what it revoked by the objection's reason and reports the same.
   */
  async function settleInKind(
    objection: ObjectionRecord,
    reevaluation: ReevaluationSummary,
    policy: Policy,
    decided: DecisionRecord,
    inForce: ReadonlyArray<{ key: string }>,
    reason: string,
  ): Promise<ObjectionOutcome> {
    const settled: ObjectionOutcome = {
      decisionKey: reevaluation.decisionKey,
      previousDecisionKey: reevaluation.previousDecisionKey,
      outcome: reevaluation.outcome,
      previousOutcome: reevaluation.previousOutcome,
      periods: [{ period: reevaluation.period, paid: 0, due: 0 }],
    };
    const step = (key: string, zh: string, en: string) =>
      addObjectionStep(deps.store, objection._id, { key, kind: key, actor: 'system', summary: { zh, en } });
    if (reevaluation.outcome === 'eligible' && inForce.length === 0) {
      const workflowId = await startBenefit(objection, policy, decided);
      const how = {
        auto: { zh: '直接发放', en: 'granted' },
        offer: { zh: '推送一键确认', en: 'offered for one-tap confirmation' },
        pledge: { zh: '告知承诺办理', en: 'granted on a pledge' },
      }[policy.mode];
      await step(
        'benefit',
        `重新判定符合条件：「${policy.title.zh}」${how.zh}`,
        `now eligible: ${policy.title.en} ${how.en}`,
      );
      return { ...settled, benefitWorkflowId: workflowId };
    }
    if (reevaluation.outcome === 'ineligible') {
      const earlier = await Grant.find(
        {
          subjectKey: objection.subjectKey,
          'policy.id': objection.policyId,
          period: reevaluation.period,
          status: 'revoked',
          revokeReason: reason,
        },
        { key: 1 },
      ).lean();
      for (const grant of inForce)
        await Grant.updateOne(
          { _id: grant.key, status: 'granted' },
          { $set: { status: 'revoked', revokedAt: new Date(), revokeReason: reason } },
        );
      const revoked = [...new Set([...earlier, ...inForce].map((g) => g.key))].sort();
      for (const key of revoked)
        await revokeGrantCertificates(deps.store, { key, policyId: objection.policyId }, reason);
      if (revoked.length > 0) {
        await step(
          'revoked',
          `重新判定不符合条件：「${policy.title.zh}」已撤销`,
          `no longer eligible: ${policy.title.en} revoked`,
        );
        return { ...settled, revokedGrantKeys: revoked };
      }
    }
    await step('settled', '待遇状态无变化', 'nothing to grant or revoke');
    return settled;
  }

  /**
   * Ends the subject's entitlement to the objection's policy from `period` (cause objection, by the
   * objection), and stops its payroll lines from then on: pending ones leave their batch, paid ones
   * are owed back. The objection's own notice tells the citizen; each step is keyed or conditional.
   */
  async function endEntitlement(
    objection: { _id: string; subjectKey: string; policyId: string },
    period: string,
    reason: string,
  ) {
    const entitlement = await Entitlement.findById(entitlementKey(objection.policyId, objection.subjectKey)).lean();
    if (!entitlement || entitlement.status === 'ended') return;
    const why = {
      zh: `异议复核后不符合条件，自 ${period} 起停发（${reason}）`,
      en: `not eligible on the objection's re-evaluation: stopped from ${period} (${reason})`,
    };
    await moveEntitlement(deps.store, {
      entitlement,
      to: 'ended',
      cause: 'objection',
      causeKey: objection._id,
      by: objection._id,
      why,
      effectiveFrom: period,
    });
    await stopLinesFrom(deps.store, {
      subjectKey: objection.subjectKey,
      policyId: objection.policyId,
      from: periodStart(period),
      why,
    });
  }

  return {
    /**
     * Re-reads the policy's facts (access-logged under the original case, purpose "objection
     * re-evaluation: <reason>"), evaluates the version the case pinned as of the original date
     * and records the new decision once, linked both ways to the one it supersedes. Decisions of
     * later periods made on the same records before the correction (a later case or sweep) are
     * decided again the same way, each as of its own date under the version it pinned.
     */
    async reevaluateObjection(input: { objectionId: string; workflowId: string }): Promise<ReevaluationSummary> {
      const objection = await objectionOf(input.objectionId);
      const previous = await Decision.findOne({ _id: objection.decisionKey }).lean();
      if (!previous)
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: `no decision ${objection.decisionKey}`,
          nonRetryable: true,
        });
      const reason = reasonOf(objection);
      await addObjectionStep(
        deps.store,
        objection._id,
        {
          key: 're-evaluation',
          kind: 're-evaluation',
          actor: 'system',
          summary: {
            zh: `按第${previous.policy.version}版政策、以 ${previous.asOf} 为准重新判定（理由：${reason}）`,
            en: `re-evaluating v${previous.policy.version} as of ${previous.asOf}: ${reason}`,
          },
        },
        { status: 're-evaluating' },
      );

      // The facts as they are now, read once per pinned version (each read access-logged).
      const facts = new Map<string, Promise<FetchFactsResult>>();
      const factsFor = (policy: Policy) => {
        const version = `${policy.id}@${policy.version}`;
        if (!facts.has(version)) {
          const purpose = `objection re-evaluation: ${reason}`;
          facts.set(
            version,
            deps.fetchFacts({
              caseId: objection.caseId,
              subjectKey: objection.subjectKey,
              policyId: policy.id,
              policyVersion: policy.version,
              facts: Object.fromEntries(
                Object.entries(policy.facts).map(([fact, declared]) => [fact, { source: declared.source, purpose }]),
              ),
              idempotencyKey:
                version === `${previous.policy.id}@${previous.policy.version}`
                  ? `${input.workflowId}:facts`
                  : `${input.workflowId}:facts:${version}`,
            }),
          );
        }
        return facts.get(version)!;
      };

      /** Decides `old` again and records the new decision once; what changed, for the steps and the settlement. */
      const redecide = async (old: PriorDecision): Promise<PeriodReevaluation> => {
        const key = objectionDecisionKey(old.key, objection._id);
        let decided: DecisionRecord | null = await Decision.findOne({ _id: key }).lean();
        if (!decided) {
          const policy = await pinnedPolicy(deps.policies, old.policy);
          const fresh = await factsFor(policy);
          const decision = await evaluatePolicy(policy, fresh.values, old.asOf, {
            acceptPledges: policy.mode === 'pledge',
          });
          // The native driver keeps the link fields (supersedes, objectionId) the decision schema does not list.
          await Decision.collection.updateOne(
            { _id: key } as object,
            {
              $setOnInsert: {
                key,
                caseId: objection.caseId,
                subjectKey: objection.subjectKey,
                ...decision,
                failedSources: fresh.failedSources,
                decidedAt: new Date(),
                supersedes: old.key,
                objectionId: objection._id,
              },
            },
            { upsert: true },
          );
          await Decision.collection.updateOne({ _id: old.key } as object, { $set: { supersededBy: key } });
          decided = await Decision.findOne({ _id: key }).lean();
        }
        if (!decided)
          throw ApplicationFailure.create({
            type: ErrorType.StoreUnavailable,
            message: `decision ${key} was not written`,
          });
        const amount = typeof decided.amount === 'number' ? decided.amount : undefined;
        const amountBefore = typeof old.amount === 'number' ? old.amount : undefined;
        return {
          decisionKey: key,
          previousDecisionKey: old.key,
          outcome: decided.outcome,
          previousOutcome: old.outcome,
          period: decided.period,
          ...(amount === undefined ? {} : { amount }),
          ...(amountBefore === undefined ? {} : { amountBefore }),
        };
      };
      const describe = (r: PeriodReevaluation, prefix: { zh: string; en: string }) => ({
        zh: `${prefix.zh}新判定：${OUTCOME_ZH[r.outcome]}${amountText(r.amount)}（原判定：${OUTCOME_ZH[r.previousOutcome]}${amountText(r.amountBefore)}）`,
        en: `${prefix.en}new decision: ${r.outcome}${amountText(r.amount)} (was ${r.previousOutcome}${amountText(r.amountBefore)})`,
      });

      const main = await redecide(previous);
      await addObjectionStep(deps.store, objection._id, {
        key: 'decision',
        kind: 'decision',
        actor: 'rules engine',
        summary: describe(main, { zh: '', en: '' }),
      });

      const later: PeriodReevaluation[] = [];
      for (const old of await laterDecisions(objection, previous)) {
        const again = await redecide(old);
        later.push(again);
        await addObjectionStep(deps.store, objection._id, {
          key: `decision:${again.period}`,
          kind: 'decision',
          actor: 'rules engine',
          summary: describe(again, { zh: `${again.period}：`, en: `${again.period}: ` }),
        });
      }
      return { ...main, ...(later.length > 0 ? { later } : {}) };
    },

    /**
     * Settles each decided period: what is due under the new decision against what was paid
     * (grants less recoveries, leaving out this objection's own records so a retry computes the
     * same), then a top-up grant for arrears or a recovery for an over-payment, each once. A
     * benefit in kind is started or revoked instead (settleInKind).
     */
    async settleObjection(input: {
      objectionId: string;
      reevaluation: ReevaluationSummary;
    }): Promise<ObjectionOutcome> {
      const objection = await objectionOf(input.objectionId);
      const { reevaluation } = input;
      const own = objectionKeyPrefix(objection._id);
      const reason = `objection ${objection._id}: ${reasonOf(objection)}`;
      const inForce = async (period: string) =>
        (
          await Grant.find({
            subjectKey: objection.subjectKey,
            'policy.id': objection.policyId,
            period,
            status: 'granted',
          }).lean()
        ).filter((grant) => !grant.key.startsWith(own));
      const decided = await Decision.findOne({ _id: reevaluation.decisionKey }).lean();
      const policy = decided ? await pinnedPolicy(deps.policies, decided.policy) : undefined;
      // The new decision refuses what was granted: its letter says why and how to go on (once, by its key).
      const seals = deps.seals;
      if (
        seals &&
        decided &&
        policy &&
        reevaluation.outcome === 'ineligible' &&
        reevaluation.previousOutcome === 'eligible'
      )
        await issuedBesides(`the ${policy.id} refusal letter of objection ${objection._id}`, () =>
          issueRefusalLetter({ store: deps.store, seals }, reevaluation.decisionKey, {
            subjectKey: objection.subjectKey,
            policy,
            decision: decided,
            facts: {},
            issuedOn: cityToday(),
          }),
        );
      if (decided && policy && policy.benefit.kind !== 'cash')
        return settleInKind(objection, reevaluation, policy, decided, await inForce(reevaluation.period), reason);

      const periods: ObjectionOutcome['periods'] = [];
      let arrears = 0;
      let overpayment = 0;
      for (const r of [reevaluation, ...(reevaluation.later ?? [])]) {
        const grants = await inForce(r.period);
        const recoveries = grants.length
          ? (await Recovery.find({ grantKey: { $in: grants.map((g) => g.key) } }).lean()).filter(
              (rec) => !rec.key.startsWith(own),
            )
          : [];
        const paid =
          grants.reduce((sum, g) => sum + (g.amount ?? 0), 0) - recoveries.reduce((sum, rec) => sum + rec.amount, 0);
        const due = r.outcome === 'eligible' ? (r.amount ?? 0) : 0;
        const difference = Math.round((due - paid) * 100) / 100;
        const period: ObjectionOutcome['periods'][number] = { period: r.period, paid, due };
        if (difference > 0 && policy) {
          const arrearsKey = `${own}arrears:${r.period}`;
          const policyRef =
            (await Decision.findOne({ _id: r.decisionKey }, { policy: 1 }).lean())?.policy ?? decided!.policy;
          await Grant.updateOne(
            { _id: arrearsKey },
            {
              $setOnInsert: {
                key: arrearsKey,
                caseId: objection.caseId,
                subjectKey: objection.subjectKey,
                policy: policyRef,
                period: r.period,
                benefitKind: policy.benefit.kind,
                amount: difference,
                basis: 'objection-arrears',
                status: 'granted',
                grantedAt: new Date(),
              },
            },
            { upsert: true },
          );
          await postGrants(deps.store, [
            {
              key: arrearsKey,
              subjectKey: objection.subjectKey,
              policy: policyRef,
              period: r.period,
              amount: difference,
              basis: 'objection-arrears',
            },
          ]);
          period.arrearsKey = arrearsKey;
          arrears += difference;
          await addObjectionStep(deps.store, objection._id, {
            key: `arrears:${r.period}`,
            kind: 'arrears',
            actor: 'system',
            summary: {
              zh: `补发 ${difference} 元（${r.period}）`,
              en: `arrears of ${difference} paid for ${r.period}`,
            },
          });
        } else if (difference < 0 && grants.length > 0) {
          const recoveryKey = `${own}recovery:${r.period}`;
          await Recovery.updateOne(
            { _id: recoveryKey },
            {
              $setOnInsert: {
                key: recoveryKey,
                grantKey: grants[0].key,
                subjectKey: objection.subjectKey,
                amount: -difference,
                reason,
                status: 'due',
                createdAt: new Date(),
              },
            },
            { upsert: true },
          );
          await postLedger(deps.store, [
            recoveryEntry(
              { subjectKey: objection.subjectKey, policyId: objection.policyId, period: r.period },
              recoveryKey,
              yuanToFen(-difference),
            ),
          ]);
          period.recoveryKey = recoveryKey;
          overpayment -= difference;
          await addObjectionStep(deps.store, objection._id, {
            key: `recovery:${r.period}`,
            kind: 'recovery',
            actor: 'system',
            summary: {
              zh: `多发 ${-difference} 元，启动追回（${r.period}）`,
              en: `over-payment of ${-difference} to be recovered for ${r.period}`,
            },
          });
        }
        periods.push(period);
      }
      // A benefit paid by the month or year that no longer holds stops here, not at the next re-check.
      const latest = [reevaluation, ...(reevaluation.later ?? [])].at(-1)!;
      if (policy && policy.period !== 'once' && latest.outcome !== 'eligible')
        await endEntitlement(objection, latest.period, reason);
      if (arrears === 0 && overpayment === 0) {
        await addObjectionStep(deps.store, objection._id, {
          key: 'settled',
          kind: 'settled',
          actor: 'system',
          summary: { zh: '金额无变化，无需补发或追回', en: 'no difference to pay or recover' },
        });
      }
      const total = (amount: number) => Math.round(amount * 100) / 100;
      return {
        decisionKey: reevaluation.decisionKey,
        previousDecisionKey: reevaluation.previousDecisionKey,
        outcome: reevaluation.outcome,
        previousOutcome: reevaluation.previousOutcome,
        ...(reevaluation.amountBefore === undefined ? {} : { amountBefore: reevaluation.amountBefore }),
        ...(reevaluation.amount === undefined ? {} : { amountAfter: reevaluation.amount }),
        ...(arrears > 0 ? { arrears: total(arrears) } : {}),
        ...(overpayment > 0 ? { overpayment: total(overpayment) } : {}),
        periods,
      };
    },

    /** Closes the objection (resolved with its outcome, or rejected); a repeated call changes nothing. */
    async closeObjection(input: {
      objectionId: string;
      status: 'resolved' | 'rejected';
      outcome?: ObjectionOutcome;
    }): Promise<void> {
      const objection = await objectionOf(input.objectionId);
      const summary =
        input.status === 'resolved'
          ? { zh: '异议办结', en: 'objection resolved' }
          : {
              zh: `异议不予支持：${objection.resolution?.reason ?? ''}`,
              en: `objection rejected: ${objection.resolution?.reason ?? ''}`,
            };
      await addObjectionStep(
        deps.store,
        objection._id,
        {
          key: input.status,
          kind: input.status,
          actor: input.status === 'rejected' ? (objection.resolution?.by.name ?? 'supervisor') : 'system',
          ...(input.status === 'rejected' && objection.resolution?.by.id
            ? { actorId: objection.resolution.by.id }
            : {}),
          summary,
        },
        {
          status: input.status,
          ...(input.outcome ? { outcome: input.outcome } : {}),
        },
      );
    },
  };
}
