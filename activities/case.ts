/**
 * Activities of a life-event case: resolve the policies in force, collect each policy's
 * declared facts into a snapshot, evaluate and record decisions, open manual review.
 * Each writes once per business key, so retries and replays change nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Connection, Model } from 'mongoose';
import type { SubjectKind } from '../domain/sources.js';
import { evaluatePolicy } from '../rules/engine.js';
import { policyRef } from '../rules/policy-hash.js';
import type { Policy, PolicyRef } from '../rules/types.js';
import { registerDecisionModels, snapshotFacts, snapshotValues } from '../store/decisions.js';
import { ErrorType, type DecisionSummary, type PolicyPlan } from '../workflows/contracts/index.js';
import type { FetchFactsInput, FetchFactsResult, PolicyPull } from './shared-data/fetch-facts.js';
import { insertNew } from '../store/bulk.js';
import type { DecisionRecord, FactSnapshot as FactSnapshotRecord } from '../store/decisions.js';
import type { PolicySource } from '../rules/policy-source.js';
import { cityToday } from '../domain/calendar.js';
import { issueRefusalLetter } from '../services/certificates/on-decision.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';
import { issuedBesides } from './issued-besides.js';
import type { BenefitStarter } from './benefit-start.js';
import { openTask } from './tasks.js';
import { registerBenefitModels } from '../store/benefits.js';
import type { TaskSource, TaskType } from '../domain/tasks.js';

export interface CaseDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** Every policy of a case from one read per source (shared-data/fetch-facts.ts). */
  fetchFactsForPolicies: (
    shared: Pick<FetchFactsInput, 'caseId' | 'subjectKey'>,
    policies: readonly PolicyPull[],
  ) => Promise<FetchFactsResult[]>;
  /** The departments' seals: a refusal's decision letter is sealed with them; absent, none is issued. */
  seals?: SealKeeper;
  /** Starts each review task's humanTask workflow (its timers); absent, the task is recorded without them. */
  workflows?: BenefitStarter;
}

/** What a workflow needs of a policy, pinned by id, version and hash. */
export function planOf(policy: Policy): PolicyPlan {
  return {
    ref: policyRef(policy),
    title: policy.title,
    department: policy.department,
    mode: policy.mode,
    benefitKind: policy.benefit.kind,
    facts: policy.facts,
    ...(policy.offer ? { offer: policy.offer } : {}),
    ...(policy.pledge ? { pledge: pledgePlanOf(policy.pledge) } : {}),
  };
}

/** The pledge block of a plan: the optional fields only when the policy sets them, so plans of older versions stay as they were. */
function pledgePlanOf(pledge: NonNullable<Policy['pledge']>): NonNullable<PolicyPlan['pledge']> {
  const { pledgedFacts, inspectAfterDays, signWithinDays, creditBlockDays, onSiteShare, highRiskAmount } = pledge;
  return {
    pledgedFacts,
    inspectAfterDays,
    ...(signWithinDays === undefined ? {} : { signWithinDays }),
    ...(creditBlockDays === undefined ? {} : { creditBlockDays }),
    ...(onSiteShare === undefined ? {} : { onSiteShare }),
    ...(highRiskAmount === undefined ? {} : { highRiskAmount }),
  };
}

/** The pinned policy version; a non-retryable failure when it is unknown or its content changed. */
export async function pinnedPolicy(policies: PolicySource, ref: PolicyRef): Promise<Policy> {
  const policy = await policies.version(ref.id, ref.version);
  if (!policy) {
    throw ApplicationFailure.create({
      type: ErrorType.UnknownPolicyVersion,
      message: `policy ${ref.id} v${ref.version} is not published`,
      nonRetryable: true,
    });
  }
  if (policyRef(policy).hash !== ref.hash) {
    throw ApplicationFailure.create({
      type: ErrorType.PolicyHashMismatch,
      message: `policy ${ref.id} v${ref.version} changed since the case pinned it`,
      nonRetryable: true,
    });
  }
  return policy;
}

const INSPECTION_SUFFIX = ':inspection';

/**
 * What a manual review of `caseId` is: a case's review, or — for the `<pledge>:inspection` "case"
 * the pledge workflow names an inconclusive inspection by — the pledge's inconclusive-inspection
 * task, on the pledge's own case.
 */
export async function manualTaskShape(
  store: Connection,
  caseId: string,
): Promise<{ type: TaskType; source: TaskSource; caseId?: string }> {
  if (!caseId.endsWith(INSPECTION_SUFFIX)) return { type: 'review', source: { kind: 'case', key: caseId }, caseId };
  const pledgeKey = caseId.slice(0, -INSPECTION_SUFFIX.length);
  const pledge = await registerBenefitModels(store).Pledge.findById(pledgeKey, { caseId: 1 }).lean();
  return {
    type: 'inconclusive-inspection',
    source: { kind: 'pledge', key: pledgeKey },
    ...(pledge?.caseId ? { caseId: pledge.caseId } : {}),
  };
}

export function makeCaseActivities(deps: CaseDeps) {
  const { FactSnapshot, Decision: DecisionModel } = registerDecisionModels(deps.store);

  /** With the seals, a refusal's decision letter is issued (once, by the decision's key). */
  async function refusalLetter(
    policy: Policy,
    stored: DecisionRecord,
    snapshot: Pick<FactSnapshotRecord, 'values'>,
  ): Promise<void> {
    if (!deps.seals || stored.outcome !== 'ineligible') return;
    const certificates = { store: deps.store, seals: deps.seals };
    await issuedBesides(`the ${policy.id} refusal letter`, () =>
      issueRefusalLetter(certificates, stored.key, {
        subjectKey: stored.subjectKey,
        policy,
        decision: stored,
        facts: snapshotFacts(snapshot),
        issuedOn: cityToday(),
      }),
    );
  }

  /** Records by key in one read; an empty list reads nothing. */
  async function byKey<T extends { key: string }>(model: Model<T>, keys: readonly string[]): Promise<Map<string, T>> {
    if (keys.length === 0) return new Map();
    const found = (await model.find({ _id: { $in: keys } } as object).lean()) as T[];
    return new Map(found.map((doc) => [doc.key, doc]));
  }

  return {
    /** The latest version of each policy in force on the event date for this trigger. */
    async resolvePolicies(input: { trigger: string; asOf: string; subjectKind: SubjectKind }): Promise<PolicyPlan[]> {
      return (await deps.policies.inForce(input.trigger, input.asOf, input.subjectKind)).map(planOf);
    },

    /** Pulls a policy's declared facts once per case and keeps them in a snapshot. */
    async collectFacts(input: {
      caseId: string;
      subjectKey: string;
      policy: PolicyRef;
      facts: PolicyPlan['facts'];
    }): Promise<{ snapshotKey: string; missingFacts: string[]; failedSources: string[] }> {
      const snapshotKey = `${input.caseId}:facts:${input.policy.id}`;
      const existing = await FactSnapshot.findOne({ _id: snapshotKey }).lean();
      const snapshot =
        existing ??
        (await (async () => {
          const pulled = await deps.fetchFacts({
            caseId: input.caseId,
            subjectKey: input.subjectKey,
            policyId: input.policy.id,
            policyVersion: input.policy.version,
            facts: input.facts,
            idempotencyKey: snapshotKey,
          });
          // One command: the snapshot as stored (the first one written, should another attempt have raced).
          return (await FactSnapshot.findOneAndUpdate(
            { _id: snapshotKey },
            {
              $setOnInsert: {
                key: snapshotKey,
                caseId: input.caseId,
                subjectKey: input.subjectKey,
                policyId: input.policy.id,
                values: snapshotValues(pulled.values),
                missingFacts: pulled.missingFacts,
                failedSources: pulled.failedSources,
                takenAt: new Date(),
              },
            },
            { upsert: true, returnDocument: 'after' },
          ).lean())!;
        })());
      return {
        snapshotKey,
        missingFacts: snapshot.missingFacts ?? [],
        failedSources: (snapshot.failedSources ?? []).map((f) => f.source),
      };
    },

    /**
     * Evaluates each pinned policy on its snapshot and records the decision with its explanation;
     * with the seals, a refusal's decision letter is issued (once, by the decision's key).
     */
    async evaluateCase(input: {
      caseId: string;
      subjectKey: string;
      asOf: string;
      items: Array<{ policy: PolicyRef; snapshotKey: string }>;
    }): Promise<DecisionSummary[]> {
      const summaries: DecisionSummary[] = [];
      for (const item of input.items) {
        const policy = await pinnedPolicy(deps.policies, item.policy);
        const snapshot = await FactSnapshot.findOne({ _id: item.snapshotKey }).lean();
        if (!snapshot) {
          throw ApplicationFailure.create({
            type: ErrorType.MissingFactSnapshot,
            message: `no fact snapshot ${item.snapshotKey}`,
            nonRetryable: true,
          });
        }
        // A pledge policy is decided on the pledge: unknown pledged facts count as pledged (true).
        const decision = await evaluatePolicy(policy, snapshotFacts(snapshot), input.asOf, {
          acceptPledges: policy.mode === 'pledge',
        });
        const key = `${input.caseId}:decision:${policy.id}`;
        // One command: the decision as stored (a retry keeps the first one).
        const stored = (await DecisionModel.findOneAndUpdate(
          { _id: key },
          {
            $setOnInsert: {
              key,
              caseId: input.caseId,
              subjectKey: input.subjectKey,
              ...decision,
              failedSources: snapshot.failedSources ?? [],
              decidedAt: new Date(),
            },
          },
          { upsert: true, returnDocument: 'after' },
        ).lean())!;
        await refusalLetter(policy, stored, snapshot);
        summaries.push(summaryOf(stored));
      }
      return summaries;
    },

    /**
     * collectFacts and evaluateCase for every policy of a case in one step (since case-one-read):
     * the snapshots already taken in one read (a retry's guard: facts are pulled once per case and
     * policy); the others' facts from one read per source for all the policies, their snapshots
     * written in one bulk insert; each policy evaluated on its snapshot and the decisions written
     * in one bulk insert (a retry keeps the ones stored first and reads them back); refusal letters
     * as evaluateCase issues them. Same keys, records and summaries as the steps it replaces.
     */
    async decideCase(input: {
      caseId: string;
      subjectKey: string;
      asOf: string;
      items: Array<{ policy: PolicyRef; facts: PolicyPlan['facts'] }>;
    }): Promise<DecisionSummary[]> {
      const { caseId, subjectKey } = input;
      const policies = await Promise.all(input.items.map((item) => pinnedPolicy(deps.policies, item.policy)));
      const snapshotKeys = policies.map((policy) => `${caseId}:facts:${policy.id}`);
      const snapshots = await byKey(FactSnapshot, snapshotKeys);
      const toPull = input.items.flatMap((item, i) =>
        snapshots.has(snapshotKeys[i]) ? [] : [{ item, key: snapshotKeys[i] }],
      );
      if (toPull.length > 0) {
        const pulled = await deps.fetchFactsForPolicies(
          { caseId, subjectKey },
          toPull.map(({ item, key }) => ({
            policyId: item.policy.id,
            policyVersion: item.policy.version,
            facts: item.facts,
            idempotencyKey: key,
          })),
        );
        const takenAt = new Date();
        const docs = toPull.map(({ item, key }, i) => ({
          _id: key,
          key,
          caseId,
          subjectKey,
          policyId: item.policy.id,
          values: snapshotValues(pulled[i].values),
          missingFacts: pulled[i].missingFacts,
          failedSources: pulled[i].failedSources,
          takenAt,
        }));
        const { existing } = await insertNew(FactSnapshot.collection, docs);
        // Another attempt wrote some first: decide on what it stored, as collectFacts does.
        const raced = await byKey(FactSnapshot, existing);
        for (const doc of docs) snapshots.set(doc.key, raced.get(doc.key) ?? doc);
      }
      const decidedAt = new Date();
      const decisions: DecisionRecord[] = await Promise.all(
        policies.map(async (policy, i) => {
          const snapshot = snapshots.get(snapshotKeys[i])!;
          const key = `${caseId}:decision:${policy.id}`;
          return {
            _id: key,
            key,
            caseId,
            subjectKey,
            ...(await evaluatePolicy(policy, snapshotFacts(snapshot), input.asOf, {
              acceptPledges: policy.mode === 'pledge',
            })),
            failedSources: snapshot.failedSources ?? [],
            decidedAt,
          };
        }),
      );
      const { existing } = await insertNew(
        DecisionModel.collection,
        decisions as Array<DecisionRecord & { _id: string }>,
      );
      const kept = await byKey(DecisionModel, existing);
      const summaries: DecisionSummary[] = [];
      for (const [i, decision] of decisions.entries()) {
        const stored = kept.get(decision.key) ?? decision;
        await refusalLetter(policies[i], stored, snapshots.get(snapshotKeys[i])!);
        summaries.push(summaryOf(stored));
      }
      return summaries;
    },

    /**
     * Undetermined is never silently false: it becomes a review task (domain/tasks.ts) for the
     * policy's department, on the policy's statutory limit for the type (else the default), with
     * its humanTask workflow keeping the clock. A pledge inspection that could not conclude (the
     * pledge workflow names its case `<pledge>:inspection`) becomes an inconclusive-inspection task
     * of the pledge instead. Once per case and policy, whoever retries.
     */
    async openManualReview(input: {
      caseId: string;
      subjectKey: string;
      decision: DecisionSummary;
    }): Promise<{ created: boolean }> {
      const policy = await pinnedPolicy(deps.policies, input.decision.policy);
      const shape = await manualTaskShape(deps.store, input.caseId);
      const timeLimitDays = policy.timeLimits?.[shape.type];
      const { created } = await openTask(
        { store: deps.store, ...(deps.workflows ? { workflows: deps.workflows } : {}) },
        {
          key: `${input.caseId}:manual:${policy.id}`,
          ...shape,
          subjectKey: input.subjectKey,
          policyId: policy.id,
          department: policy.department.zh,
          missingFacts: input.decision.missingFacts,
          failedSources: input.decision.failedSources,
          ...(timeLimitDays ? { timeLimitDays } : {}),
        },
      );
      return { created };
    },
  };
}

/** What a workflow keeps of a decision: the outcome and its figures, never the facts. */
function summaryOf(stored: DecisionRecord): DecisionSummary {
  return {
    policy: stored.policy,
    outcome: stored.outcome,
    asOf: stored.asOf,
    ...(stored.amount === undefined || stored.amount === null ? {} : { amount: stored.amount }),
    period: stored.period,
    missingFacts: stored.missingFacts ?? [],
    failedSources: (stored.failedSources ?? []).map((f) => f.source),
  };
}
