/**
 * Activities of a review's resolution (人工审核办结, workflows/review-resolution.ts): the reviewer
 * supplied the missing facts with their provenance, or decided outright with a reason; the case's
 * pinned policy is decided again as of the case's date, the new decision recorded once (keyed
 * `${taskKey}:decision`, linked both ways to the decision it replaces) with who supplied what,
 * and then acted on as the case path acts: the benefit workflow of the policy's mode started once
 * (the benefit contract), a refusal's decision letter sealed once, or the review opened again.
 * Every write is keyed by the task, so a retry or a second start decides, grants and notifies once.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import type { SuppliedFact } from '../domain/tasks.js';
import { computeAmount } from '../rules/amount.js';
import { evaluatePolicy } from '../rules/engine.js';
import { RulesError } from '../rules/errors.js';
import { shownFactValue } from '../rules/explain.js';
import type { PolicySource } from '../rules/policy-source.js';
import type { Decision, Policy } from '../rules/types.js';
import { issueRefusalLetter } from '../services/certificates/on-decision.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';
import { checkSuppliedFacts, suppliedFactsMessage } from '../services/review/supplied-facts.js';
import { registerBenefitModels, type GrantBasis } from '../store/benefits.js';
import { registerTaskModels } from '../store/tasks.js';
import {
  registerDecisionModels,
  snapshotFacts,
  snapshotValues,
  type DecisionRecord,
  type FactSnapshot,
  type SuppliedFactRecord,
} from '../store/decisions.js';
import {
  ErrorType,
  type BenefitInput,
  type DecisionSummary,
  type PolicyPlan,
  type TaskResolutionInput,
} from '../workflows/contracts/index.js';
import { startBenefitWorkflow, type BenefitStarter } from './benefit-start.js';
import { pinnedPolicy, planOf } from './case.js';
import { issuedBesides } from './issued-besides.js';
import type { EnqueueNoticeInput } from './notices.js';
import { openTask } from './tasks.js';

export interface ReviewDeps {
  store: Connection;
  policies: PolicySource;
  /** How the benefit workflow (and a reopened review's task workflow) is started: the worker's Temporal client. */
  workflows?: BenefitStarter;
  /** The departments' seals: a refusal's decision letter is sealed with them; absent, none is issued. */
  seals?: SealKeeper;
  /**
   * The grant a benefit workflow records (activities/benefits.ts), for the one review that grants
   * itself: a subject barred from pledge mode whose pledge workflow ended in this review.
   */
  recordGrant?: (input: BenefitInput & { grantKey: string; basis: GrantBasis }) => Promise<{ created: boolean }>;
  enqueueNotice?: (input: EnqueueNoticeInput) => Promise<unknown>;
}

/** A review's decision: the plan to act on and the decision as the benefit contract carries it. */
export interface ReviewDecision {
  decisionKey: string;
  plan: PolicyPlan;
  decision: DecisionSummary;
}

/** The review decision's key: one per review task. */
export const reviewDecisionKey = (taskKey: string) => `${taskKey}:decision`;
/** The fact snapshot a review decided on: the case's facts and the supplied ones. */
export const reviewFactsKey = (taskKey: string) => `${taskKey}:facts`;
/** The review a still-undetermined review opens again. */
export const reviewAgainKey = (taskKey: string) => `${taskKey}:again`;
const AGAIN = ':again';

const invalid = (message: string) =>
  ApplicationFailure.create({ type: ErrorType.InvalidInput, message, nonRetryable: true });

/** The review's case, subject and policy, refused when the task is not a case's review. */
function reviewOf(input: TaskResolutionInput): { caseId: string; subjectKey: string; policyId: string } {
  if (input.type !== 'review') throw invalid(`task ${input.taskKey} is a ${input.type} task, not a review`);
  const { caseId, subjectKey, policyId } = input;
  if (!caseId || !subjectKey || !policyId)
    throw invalid(`review ${input.taskKey} names no case, subject or policy: there is nothing to decide`);
  return { caseId, subjectKey, policyId };
}

/** Plain facts as the rules engine reads them: the supplied values over `base`. */
const withSupplied = (base: Record<string, unknown>, supplied: readonly SuppliedFact[]) => ({
  ...base,
  ...Object.fromEntries(supplied.map((s) => [s.fact, s.value])),
});

export function makeReviewActivities(deps: ReviewDeps) {
  const { FactSnapshot, Decision } = registerDecisionModels(deps.store);
  const { Grant, Offer, Pledge } = registerBenefitModels(deps.store);
  const { Task } = registerTaskModels(deps.store);

  /**
   * The facts the review starts from: the previous review's snapshot when this review is one
   * opened again (its supplied facts still stand), else the case's own snapshot.
   */
  async function baseSnapshot(taskKey: string, caseId: string, policyId: string): Promise<FactSnapshot | null> {
    for (let key = taskKey; key.endsWith(AGAIN);) {
      key = key.slice(0, -AGAIN.length);
      const earlier = await FactSnapshot.findOne({ _id: reviewFactsKey(key) }).lean();
      if (earlier) return earlier;
    }
    return FactSnapshot.findOne({ _id: `${caseId}:facts:${policyId}` }).lean();
  }

  /** The decision the review replaces: the previous review's, or the case's. */
  async function replacedDecision(taskKey: string, caseId: string, policyId: string): Promise<DecisionRecord> {
    const earlier = taskKey.endsWith(AGAIN) ? reviewDecisionKey(taskKey.slice(0, -AGAIN.length)) : undefined;
    const found =
      (earlier ? await Decision.findOne({ _id: earlier }).lean() : null) ??
      (await Decision.findOne({ _id: `${caseId}:decision:${policyId}` }).lean());
    if (!found) throw invalid(`case ${caseId} has no decision under ${policyId} to review`);
    return found;
  }

  /** The supplied facts with their values: as given, or as the task service kept them on the task record. */
  async function withKeptValues(taskKey: string, facts: SuppliedFact[]): Promise<SuppliedFact[]> {
    if (facts.every((supplied) => supplied.value !== undefined)) return facts;
    const task = await Task.findById(taskKey, { suppliedValues: 1 }).lean();
    const kept = new Map((task?.suppliedValues ?? []).map((entry) => [entry.fact, entry.value]));
    return facts.map((supplied) => {
      if (supplied.value !== undefined) return supplied;
      if (!kept.has(supplied.fact)) throw invalid(`review ${taskKey}: no value was kept for ${supplied.fact}`);
      return { ...supplied, value: kept.get(supplied.fact) };
    });
  }

  /** An outright eligible decision's amount, from the facts known; refused, naming why, when the rule cannot apply. */
  function outrightAmount(policy: Policy, facts: Record<string, unknown>, asOf: string): number | undefined {
    if (policy.benefit.kind !== 'cash') return undefined;
    const rule = policy.benefit.amount;
    let computed: ReturnType<typeof computeAmount>;
    try {
      computed = computeAmount(policy, rule, facts, asOf);
    } catch (error) {
      if (error instanceof RulesError)
        throw invalid(`${policy.id}'s amount (${rule.type}) cannot be computed: ${error.message}`);
      throw error;
    }
    if ('missingFacts' in computed)
      throw invalid(
        `${policy.id}'s amount (${rule.type}) needs ${computed.missingFacts.join(', ')}, which is not known: ` +
          'supply it with its provenance instead of deciding eligible outright',
      );
    return computed.amount;
  }

  /** Writes the review's snapshot once: the base facts and the supplied ones (the values stay in the store). */
  async function recordSnapshot(
    key: string,
    ids: { caseId: string; subjectKey: string; policyId: string },
    facts: Record<string, unknown>,
    base: FactSnapshot | null,
  ): Promise<void> {
    await FactSnapshot.updateOne(
      { _id: key },
      {
        $setOnInsert: {
          key,
          ...ids,
          values: snapshotValues(facts),
          missingFacts: [],
          failedSources: base?.failedSources ?? [],
          takenAt: new Date(),
        },
      },
      { upsert: true },
    );
  }

  const summaryOf = (stored: DecisionRecord, factsKey?: string): DecisionSummary => ({
    policy: stored.policy,
    outcome: stored.outcome,
    asOf: stored.asOf,
    ...(typeof stored.amount === 'number' ? { amount: stored.amount } : {}),
    period: stored.period,
    missingFacts: stored.missingFacts ?? [],
    failedSources: (stored.failedSources ?? []).map((f) => f.source),
    ...(factsKey ? { factsKey } : {}),
  });

  return {
    /**
     * Decides the reviewed case again and records the decision once. Supplied facts are checked
     * against the policy and the catalog (checkSuppliedFacts: an undeclared or mistyped fact is a
     * non-retryable InvalidInput naming it), then laid over the case's facts; an outright decision
     * takes the reviewer's outcome and reason, an eligible one its amount from the facts known.
     */
    async decideReview(input: TaskResolutionInput): Promise<ReviewDecision> {
      const ids = reviewOf(input);
      const key = reviewDecisionKey(input.taskKey);
      const factsKey = reviewFactsKey(input.taskKey);
      const replaced = await replacedDecision(input.taskKey, ids.caseId, ids.policyId);
      const policy = await pinnedPolicy(deps.policies, replaced.policy);
      const existing = await Decision.findOne({ _id: key }).lean();
      if (existing) return { decisionKey: key, plan: planOf(policy), decision: summaryOf(existing, factsKey) };

      const base = await baseSnapshot(input.taskKey, ids.caseId, ids.policyId);
      const known = base ? snapshotFacts(base) : {};
      const { outcome } = input;
      const at = new Date();
      let decision: Decision;
      let marks: Partial<DecisionRecord>;
      if (outcome.kind === 'facts-supplied') {
        // The values were kept on the task record, not sent through the history (a completion
        // recorded before that carries them itself).
        const given = await withKeptValues(input.taskKey, outcome.facts);
        const problems = checkSuppliedFacts(policy, given);
        if (problems.length > 0) throw invalid(`review ${input.taskKey}: ${suppliedFactsMessage(problems).en}`);
        const facts = withSupplied(known, given);
        await recordSnapshot(factsKey, ids, facts, base);
        decision = await evaluatePolicy(policy, facts, replaced.asOf, { acceptPledges: policy.mode === 'pledge' });
        const supplied: SuppliedFactRecord[] = given.map((s) => ({
          fact: s.fact,
          shownValue: shownFactValue(s.fact, s.value),
          provenance: {
            kind: s.provenance.kind,
            reference: s.provenance.reference.trim(),
            ...(s.provenance.note ? { note: s.provenance.note } : {}),
          },
          byId: input.by.id,
          byName: input.by.name,
          at,
        }));
        marks = { suppliedFacts: supplied };
      } else if (outcome.kind === 'decided') {
        if (outcome.outcome !== 'eligible' && outcome.outcome !== 'ineligible')
          throw invalid(`a review decides eligible or ineligible, not ${String(outcome.outcome)}`);
        const reason = typeof outcome.reason === 'string' ? outcome.reason.trim() : '';
        if (reason.length < 5) throw invalid(`review ${input.taskKey}: an outright decision states its reason`);
        const evaluated = await evaluatePolicy(policy, known, replaced.asOf, {
          acceptPledges: policy.mode === 'pledge',
        });
        const amount = outcome.outcome === 'eligible' ? outrightAmount(policy, known, replaced.asOf) : undefined;
        decision = {
          ...evaluated,
          outcome: outcome.outcome,
          missingFacts: [],
          ...(amount === undefined ? {} : { amount }),
        };
        if (amount === undefined) delete decision.amount;
        await recordSnapshot(factsKey, ids, known, base);
        marks = { decidedBy: { id: input.by.id, name: input.by.name }, reason };
      } else {
        throw invalid(`a review is closed by facts supplied or a decision, not ${outcome.kind}`);
      }

      await Decision.updateOne(
        { _id: key },
        {
          $setOnInsert: {
            key,
            ...ids,
            ...decision,
            failedSources: base?.failedSources ?? [],
            // The person did not bring documents to be asked for: a reviewer found them (or decided).
            decidedAt: at,
            taskKey: input.taskKey,
            supersedes: replaced.key,
            ...marks,
          },
        },
        { upsert: true },
      );
      await Decision.updateOne({ _id: replaced.key }, { $set: { supersededBy: key } });
      const stored = (await Decision.findOne({ _id: key }).lean())!;
      return { decisionKey: key, plan: planOf(policy), decision: summaryOf(stored, factsKey) };
    },

    /**
     * Starts the benefit workflow the review's eligible decision calls for, as a case would (one per
     * subject, policy and period, ever). `byAnotherCase` is true when the period's benefit was
     * already another case's (its grant, offer or pledge names that case): nothing new was started.
     */
    async startReviewedBenefit(input: {
      caseId: string;
      subjectKey: string;
      plan: PolicyPlan;
      decision: DecisionSummary;
    }): Promise<{ workflowId: string; started: boolean; byAnotherCase: boolean }> {
      if (!deps.workflows)
        throw invalid(
          `this worker has no Temporal client, so it cannot start the ${input.plan.mode} workflow the review calls for`,
        );
      const { workflowId, started } = await startBenefitWorkflow(deps.workflows, input);
      if (started) return { workflowId, started, byAnotherCase: false };
      // Not started: this review's earlier attempt started it, or another case did (its records say which).
      const records = await Promise.all([
        Grant.findById(workflowId, { caseId: 1 }).lean(),
        Offer.findById(workflowId, { caseId: 1 }).lean(),
        Pledge.findById(workflowId, { caseId: 1 }).lean(),
      ]);
      // A subject barred from pledge mode (a false pledge's credit record) whose facts the departments
      // could not confirm: its pledge workflow, under this very ID, ended by opening this review, so
      // the review grants on the verified facts itself — once, by the same key — and says so.
      const barredPledge =
        records.every((record) => !record) && (await Task.exists({ _id: `${workflowId}:verification` }));
      if (barredPledge && deps.recordGrant) {
        await deps.recordGrant({ ...input, grantKey: workflowId, basis: 'verified' });
        await deps.enqueueNotice?.({
          noticeKey: `${workflowId}:notice:verified-on-review`,
          subjectKey: input.subjectKey,
          template: 'grant.awarded',
          params: {
            policyTitle: input.plan.title,
            ...(input.decision.amount === undefined ? {} : { amount: input.decision.amount }),
            period: input.decision.period,
          },
        });
        return { workflowId, started: true, byAnotherCase: false };
      }
      const byAnotherCase = records.some((record) => record && record.caseId !== input.caseId);
      return { workflowId, started, byAnotherCase };
    },

    /** Seals the refusal's decision letter once (by the decision's key); without seals, none. */
    async issueReviewRefusal(input: { decisionKey: string; subjectKey: string }): Promise<void> {
      const seals = deps.seals;
      if (!seals) return;
      const decision = await Decision.findOne({ _id: input.decisionKey }).lean();
      if (!decision) throw invalid(`no decision ${input.decisionKey}`);
      const policy = await pinnedPolicy(deps.policies, decision.policy);
      const snapshot = decision.taskKey
        ? await FactSnapshot.findOne({ _id: reviewFactsKey(decision.taskKey) }).lean()
        : null;
      await issuedBesides(`the ${policy.id} refusal letter of review ${decision.taskKey ?? input.decisionKey}`, () =>
        issueRefusalLetter({ store: deps.store, seals }, input.decisionKey, {
          subjectKey: input.subjectKey,
          policy,
          decision,
          facts: snapshot ? snapshotFacts(snapshot) : {},
          issuedOn: cityToday(),
          ...(decision.reason ? { reason: decision.reason } : {}),
        }),
      );
    },

    /** Opens the review again (`${taskKey}:again`, once) for the facts still missing; its task workflow keeps its timers. */
    async reopenReview(input: {
      taskKey: string;
      caseId: string;
      subjectKey: string;
      plan: PolicyPlan;
      decision: DecisionSummary;
    }): Promise<{ taskKey: string; created: boolean }> {
      const taskKey = reviewAgainKey(input.taskKey);
      const { created } = await openTask(
        { store: deps.store, ...(deps.workflows ? { workflows: deps.workflows } : {}) },
        {
          key: taskKey,
          type: 'review',
          source: { kind: 'case', key: input.caseId },
          caseId: input.caseId,
          subjectKey: input.subjectKey,
          policyId: input.plan.ref.id,
          ...(input.plan.department ? { department: input.plan.department.zh } : {}),
          missingFacts: input.decision.missingFacts,
          failedSources: input.decision.failedSources,
        },
      );
      return { taskKey, created };
    },
  };
}
