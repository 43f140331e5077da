/**
 * Activities of the benefit workflows: grants, offers, pledges, the pledge inspection and
 * revocation. Every write is keyed by the benefit workflow's ID (one per subject, policy
 * and period) and done with `$setOnInsert` or a guarded update, so nothing happens twice.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import {
  issueGrantCertificates,
  revokeGrantCertificates,
  type DecisionCertificateDeps,
} from '../services/certificates/on-decision.js';
import type { SealKeeper } from '../services/certificates/seal-keeper.js';
import { evaluatePolicy } from '../rules/engine.js';
import { shownFactValue } from '../rules/explain.js';
import { registerBenefitModels, type GrantBasis } from '../store/benefits.js';
import { registerDecisionModels, snapshotFacts } from '../store/decisions.js';
import { openEntitlements } from '../store/entitlements.js';
import { postGrants, postLedger } from '../store/ledger.js';
import { recoveryEntry } from '../domain/ledger.js';
import { yuanToFen } from '../domain/entitlements.js';
import type { BenefitInput } from '../workflows/contracts/index.js';
import { pinnedPolicy } from './case.js';
import { issuedBesides } from './issued-besides.js';
import type { PolicySource } from '../rules/policy-source.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';

export interface BenefitDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** The departments' seals: each grant's decision letter and certificates are sealed with them; absent, none are issued. */
  seals?: SealKeeper;
}

export type InspectionResult =
  | { result: 'passed' }
  | { result: 'failed'; discrepancies: string[] }
  | { result: 'inconclusive'; missingFacts: string[] };

export function makeBenefitActivities(deps: BenefitDeps) {
  const { Grant, Offer, Pledge, Recovery, CreditRecord } = registerBenefitModels(deps.store);
  const { FactSnapshot } = registerDecisionModels(deps.store);
  const base = (input: BenefitInput) => ({
    caseId: input.caseId,
    subjectKey: input.subjectKey,
    policy: input.plan.ref,
    period: input.decision.period,
  });

  /**
   * The grant's decision letter and the certificates its policy yields (each once, by the grant's
   * key), from the decision's fact snapshot. A certificate its data cannot make (a field the
   * snapshot lacks) is logged and left out: it never holds back the grant.
   */
  async function issueForGrant(
    certificates: DecisionCertificateDeps,
    input: BenefitInput & { grantKey: string },
  ): Promise<void> {
    const policy = await pinnedPolicy(deps.policies, input.plan.ref);
    const factsKey = input.decision.factsKey ?? `${input.caseId}:facts:${policy.id}`;
    const snapshot = await FactSnapshot.findOne({ _id: factsKey }).lean();
    await issuedBesides(`a certificate of the ${policy.id} grant`, () =>
      issueGrantCertificates(certificates, input.grantKey, {
        subjectKey: input.subjectKey,
        policy,
        decision: input.decision,
        facts: snapshot ? snapshotFacts(snapshot) : {},
        issuedOn: cityToday(),
      }),
    );
  }

  return {
    /**
     * The grant, once per key: `created` is false when a retry or restart finds it. A grant for a
     * monthly or yearly period also opens the subject's entitlement to the policy (once: an
     * existing one is left as it is), so later periods are paid by the payroll. With the seals,
     * the grant's decision letter and its certificates are issued (each once).
     */
    async recordGrant(input: BenefitInput & { grantKey: string; basis: GrantBasis }): Promise<{ created: boolean }> {
      const result = await Grant.updateOne(
        { _id: input.grantKey },
        {
          $setOnInsert: {
            key: input.grantKey,
            ...base(input),
            benefitKind: input.plan.benefitKind,
            ...(input.decision.amount === undefined ? {} : { amount: input.decision.amount }),
            basis: input.basis,
            status: 'granted',
            grantedAt: new Date(),
          },
        },
        { upsert: true },
      );
      await openEntitlements(deps.store, [
        {
          subjectKey: input.subjectKey,
          policy: input.plan.ref,
          period: input.decision.period,
          grantKey: input.grantKey,
        },
      ]);
      if (input.plan.benefitKind === 'cash')
        await postGrants(deps.store, [
          {
            key: input.grantKey,
            ...base(input),
            ...(input.decision.amount === undefined ? {} : { amount: input.decision.amount }),
            basis: input.basis,
          },
        ]);
      if (deps.seals) await issueForGrant({ store: deps.store, seals: deps.seals }, input);
      return { created: result.upsertedCount === 1 };
    },

    async recordOffer(
      input: BenefitInput & { offerKey: string; offeredAt: string; expiresAt: string },
    ): Promise<{ created: boolean }> {
      const result = await Offer.updateOne(
        { _id: input.offerKey },
        {
          $setOnInsert: {
            key: input.offerKey,
            ...base(input),
            ...(input.decision.amount === undefined ? {} : { amount: input.decision.amount }),
            status: 'open',
            offeredAt: new Date(input.offeredAt),
            expiresAt: new Date(input.expiresAt),
          },
        },
        { upsert: true },
      );
      return { created: result.upsertedCount === 1 };
    },

    /** Closes an open offer; a repeated call leaves the first answer in place. */
    async closeOffer(input: { offerKey: string; status: 'confirmed' | 'declined' | 'expired' }): Promise<void> {
      await Offer.updateOne(
        { _id: input.offerKey, status: 'open' },
        { $set: { status: input.status, answeredAt: new Date() } },
      );
    },

    async recordPledge(input: BenefitInput & { pledgeKey: string; inspectOn: string }): Promise<{ created: boolean }> {
      const result = await Pledge.updateOne(
        { _id: input.pledgeKey },
        {
          $setOnInsert: {
            key: input.pledgeKey,
            caseId: input.caseId,
            subjectKey: input.subjectKey,
            policy: input.plan.ref,
            pledgedFacts: input.plan.pledge?.pledgedFacts ?? [],
            inspectOn: input.inspectOn,
            status: 'pending',
            pledgedAt: new Date(),
          },
        },
        { upsert: true },
      );
      return { created: result.upsertedCount === 1 };
    },

    /**
     * Re-reads the policy's facts from the certifying departments (access-logged, purpose
     * "pledge inspection") and re-evaluates the pinned policy as of the original decision's
     * date (the pledge was about the facts then; time passing alone never revokes), on the
     * records as they are now: eligible passes; ineligible fails, naming each fact the
     * records contradict; missing data is inconclusive.
     */
    async inspectPledge(input: BenefitInput & { pledgeKey: string }): Promise<InspectionResult> {
      return recheckPledgedFacts(deps, input, {
        idempotencyKey: `${input.pledgeKey}:inspection`,
        purpose: '告知承诺事中事后核查 pledge inspection',
      });
    },

    async closePledge(input: {
      pledgeKey: string;
      status: 'passed' | 'failed' | 'pending' | 'unverified';
      discrepancies: string[];
    }): Promise<void> {
      await Pledge.updateOne(
        { _id: input.pledgeKey, status: 'pending' },
        { $set: { status: input.status, inspectedAt: new Date(), discrepancies: input.discrepancies } },
      );
    },

    /**
     * Revokes the grant and the certificates it yielded, opens the recovery of what was paid, and
     * writes the credit record (with the reason and, when the policy sets it, how long it bars
     * pledge mode), each once.
     */
    async revokePledgedGrant(input: {
      grantKey: string;
      subjectKey: string;
      policyId: string;
      reason: string;
      creditBlockDays?: number;
    }): Promise<{ recovered: number }> {
      await Grant.updateOne(
        { _id: input.grantKey, status: 'granted' },
        { $set: { status: 'revoked', revokedAt: new Date(), revokeReason: input.reason } },
      );
      const grant = await Grant.findOne({ _id: input.grantKey }).lean();
      const amount = grant?.amount ?? 0;
      if (amount > 0) {
        await Recovery.updateOne(
          { _id: `${input.grantKey}:recovery` },
          {
            $setOnInsert: {
              key: `${input.grantKey}:recovery`,
              grantKey: input.grantKey,
              subjectKey: input.subjectKey,
              amount,
              reason: input.reason,
              status: 'due',
              createdAt: new Date(),
            },
          },
          { upsert: true },
        );
        await postLedger(deps.store, [
          recoveryEntry(
            { subjectKey: input.subjectKey, policyId: input.policyId, period: grant!.period },
            `${input.grantKey}:recovery`,
            yuanToFen(amount),
          ),
        ]);
      }
      await revokeGrantCertificates(deps.store, { key: input.grantKey, policyId: input.policyId }, input.reason);
      await CreditRecord.updateOne(
        { _id: `${input.grantKey}:credit` },
        {
          $setOnInsert: {
            key: `${input.grantKey}:credit`,
            subjectKey: input.subjectKey,
            kind: 'false-pledge',
            policyId: input.policyId,
            grantKey: input.grantKey,
            recordedAt: new Date(),
            reason: input.reason,
            ...(input.creditBlockDays === undefined ? {} : { blockDays: input.creditBlockDays }),
          },
        },
        { upsert: true },
      );
      return { recovered: amount };
    },
  };
}

/**
 * Re-reads every fact of the pinned policy from its certifying department under `purpose`
 * (access-logged, keyed by `idempotencyKey`) and re-evaluates the policy as of the original
 * decision's date, with no pledge standing in for a missing fact: eligible passes, ineligible
 * fails naming each fact the records contradict, missing data is inconclusive.
 */
export async function recheckPledgedFacts(
  deps: Pick<BenefitDeps, 'store' | 'policies' | 'fetchFacts'>,
  input: BenefitInput,
  how: { idempotencyKey: string; purpose: string },
): Promise<InspectionResult> {
  const { FactSnapshot } = registerDecisionModels(deps.store);
  const policy = await pinnedPolicy(deps.policies, input.plan.ref);
  const facts = Object.fromEntries(
    Object.entries(policy.facts).map(([key, declared]) => [
      key,
      { source: declared.source, purpose: `${how.purpose}: ${declared.purpose}` },
    ]),
  );
  const fresh = await deps.fetchFacts({
    caseId: input.caseId,
    subjectKey: input.subjectKey,
    policyId: policy.id,
    policyVersion: policy.version,
    facts,
    idempotencyKey: how.idempotencyKey,
  });
  const decision = await evaluatePolicy(policy, fresh.values, input.decision.asOf);
  if (decision.outcome === 'eligible') return { result: 'passed' };
  if (decision.outcome === 'undetermined') return { result: 'inconclusive', missingFacts: decision.missingFacts };
  const pledged = new Set(input.plan.pledge?.pledgedFacts ?? []);
  const taken = await FactSnapshot.findOne({ _id: `${input.caseId}:facts:${policy.id}` }).lean();
  const before = taken ? snapshotFacts(taken) : {};
  const discrepancies = decision.conditions
    .filter((leaf) => leaf.result === false)
    .map((leaf) => {
      const pledgedMark = pledged.has(leaf.fact) ? 'pledged fact ' : '';
      const earlier =
        leaf.fact in before ? `, was ${JSON.stringify(shownFactValue(leaf.fact, before[leaf.fact]))}` : '';
      return `${pledgedMark}${leaf.fact}: department records ${JSON.stringify(leaf.factValue)}${earlier} (${leaf.operator} ${JSON.stringify(leaf.value)})`;
    });
  return { result: 'failed', discrepancies };
}
