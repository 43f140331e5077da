/**
 * Activities of the pledge as the citizen really signs it (告知承诺, PLEDGE_SIGNATURE_PATCH): the
 * credit records read back before pledge mode is offered, the written notice sent once with its
 * content hash, the signature recorded, a lapse, the verification a barred subject gets instead,
 * the tasks an inspector takes (on site, or to settle an inconclusive re-check) and the finding an
 * inspector records. Every write is keyed by the pledge's key (the benefit workflow's ID) and
 * guarded by the record's status, so a retry changes nothing twice.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { canonicalRecord } from '../domain/canonical.js';
import { pledgeNoticeText } from '../domain/pledge-notice.js';
import { findFact, type Text } from '../domain/sources.js';
import type { Finding, TaskType } from '../domain/tasks.js';
import type { PolicySource } from '../rules/policy-source.js';
import type { Policy } from '../rules/types.js';
import { registerBenefitModels, type StoredPledgeSignature } from '../store/benefits.js';
import {
  PLEDGE_DEFAULTS,
  type BenefitInput,
  type PledgeSignature,
  type TaskActor,
} from '../workflows/contracts/index.js';
import type { BenefitStarter } from './benefit-start.js';
import { recheckPledgedFacts, type InspectionResult } from './benefits.js';
import { pinnedPolicy } from './case.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';
import { openTask } from './tasks.js';

export interface PledgeDeps {
  store: Connection;
  policies: PolicySource;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** Starts a task's humanTask workflow; absent, a task's record is written and its timers are not kept. */
  workflows?: BenefitStarter;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A fact's label in the catalog in force (a fact published since start is known too). */
const FIELD_LABELS = { get: (fact: string): Text | undefined => findFact(fact)?.field.label };
const labelOf = (fact: string): Text => FIELD_LABELS.get(fact) ?? { zh: fact, en: fact };

/**
 * A pledged fact as the notice states it: the label of the policy's named condition that reads it
 * ("无欠缴社会保险费（承诺事项）"), which says what is pledged; else the fact's own label.
 */
function pledgedLabel(policy: Policy, fact: string): Text {
  const condition = Object.values(policy.namedConditions).find(
    (named) => 'fact' in named && named.fact === fact && named.label,
  );
  return condition?.label ?? labelOf(fact);
}

/** sha256 of the notice's canonical form: what a signature must name. */
export function pledgeNoticeHash(notice: { zh: string; en: string }): string {
  return createHash('sha256').update(canonicalRecord(notice)).digest('hex');
}

/**
 * Whether the pledge is also inspected on site: a high-risk amount always, otherwise when the
 * pledge key's hash falls within the policy's sampling share (the same key draws the same way on
 * every retry and replay).
 */
export function onSiteDraw(
  pledgeKey: string,
  amount: number | undefined,
  pledge: { onSiteShare?: number; highRiskAmount?: number } | undefined,
): 'high-risk' | 'sampled' | undefined {
  if (pledge?.highRiskAmount !== undefined && amount !== undefined && amount >= pledge.highRiskAmount)
    return 'high-risk';
  const share = pledge?.onSiteShare ?? PLEDGE_DEFAULTS.onSiteShare;
  if (share <= 0) return undefined;
  const draw = parseInt(createHash('sha256').update(pledgeKey).digest('hex').slice(0, 8), 16) / 0x1_0000_0000;
  return draw < share ? 'sampled' : undefined;
}

/** A false-pledge credit record that bars pledge mode, as the workflow and its notice name it. */
export interface CreditBar {
  key: string;
  policyId: string;
  recordedAt: string;
  /** The last day (ISO date) of the bar under the policy asking. */
  barredUntil: string;
  reason?: string;
}

/** A pledge as the resolution of an inspector's task needs it: who, which policy, what was granted. */
export interface PledgeForResolution {
  pledgeKey: string;
  caseId: string;
  subjectKey: string;
  policyId: string;
  policyTitle: Text;
  status: string;
  amount?: number;
  period: string;
  creditBlockDays: number;
}

export function makePledgeActivities(deps: PledgeDeps) {
  const { Pledge, Grant, CreditRecord } = registerBenefitModels(deps.store);

  return {
    /**
     * The subject's newest false-pledge credit record within the policy's creditBlockDays
     * (default 1095), or none: a record that young means no pledge mode for this case.
     */
    async checkPledgeCredit(input: {
      subjectKey: string;
      creditBlockDays?: number;
    }): Promise<{ barred: false } | { barred: true; record: CreditBar }> {
      const days = input.creditBlockDays ?? PLEDGE_DEFAULTS.creditBlockDays;
      const since = new Date(Date.now() - days * DAY_MS);
      const record = await CreditRecord.findOne({
        subjectKey: input.subjectKey,
        kind: 'false-pledge',
        recordedAt: { $gte: since },
      })
        .sort({ recordedAt: -1 })
        .lean();
      if (!record) return { barred: false };
      return {
        barred: true,
        record: {
          key: record.key,
          policyId: record.policyId,
          recordedAt: record.recordedAt.toISOString(),
          barredUntil: new Date(record.recordedAt.getTime() + days * DAY_MS).toISOString().slice(0, 10),
          ...(record.reason ? { reason: record.reason } : {}),
        },
      };
    },

    /**
     * Records the pledge as awaiting the citizen's signature with its written notice (built from
     * the pinned policy) and the notice's hash, once: a retry returns the stored hash. Also draws
     * whether it is inspected on site.
     */
    async recordPledgeNotice(
      input: BenefitInput & { pledgeKey: string; signBy: string; inspectOn: string },
    ): Promise<{ noticeHash: string; onSite?: 'high-risk' | 'sampled' }> {
      const policy = await pinnedPolicy(deps.policies, input.plan.ref);
      const pledge = policy.pledge;
      // The plan pinned from the policy says how it is inspected and barred; the policy gives the texts.
      const plan = input.plan.pledge;
      const onSite = onSiteDraw(input.pledgeKey, input.decision.amount, plan);
      const notice = pledgeNoticeText({
        policyTitle: policy.title,
        department: policy.department,
        reference: policy.reference,
        statement: pledge?.statement ?? { zh: '', en: '' },
        obligations: pledge?.obligations ?? [],
        pledgedFacts: (plan?.pledgedFacts ?? []).map((fact) => ({ fact, label: pledgedLabel(policy, fact) })),
        ...(input.decision.amount === undefined ? {} : { amount: input.decision.amount }),
        period: input.decision.period,
        signBy: input.signBy.slice(0, 10),
        inspectAfterDays: plan?.inspectAfterDays ?? 30,
        onSite: onSite === 'high-risk' ? 'always' : (plan?.onSiteShare ?? 0) > 0 ? 'possible' : 'no',
        creditBlockDays: plan?.creditBlockDays ?? PLEDGE_DEFAULTS.creditBlockDays,
      });
      const noticeHash = pledgeNoticeHash(notice);
      await Pledge.updateOne(
        { _id: input.pledgeKey },
        {
          $setOnInsert: {
            key: input.pledgeKey,
            caseId: input.caseId,
            subjectKey: input.subjectKey,
            policy: input.plan.ref,
            pledgedFacts: input.plan.pledge?.pledgedFacts ?? [],
            inspectOn: input.inspectOn,
            status: 'awaiting-signature',
            pledgedAt: new Date(),
            notice,
            noticeHash,
            signBy: new Date(input.signBy),
            ...(onSite ? { onSite } : {}),
          },
        },
        { upsert: true },
      );
      const stored = await Pledge.findById(input.pledgeKey, { noticeHash: 1, onSite: 1 }).lean();
      return { noticeHash: stored?.noticeHash ?? noticeHash, ...(stored?.onSite ? { onSite: stored.onSite } : {}) };
    },

    /** Records the signature on the pledge (once: only a pledge still awaiting one takes it) and its inspection date. */
    async recordPledgeSignature(input: {
      pledgeKey: string;
      signature: PledgeSignature;
      signedAt: string;
      inspectOn: string;
    }): Promise<void> {
      const { channel, noticeHash, staffId, staffName, paperFormRef, consent } = input.signature;
      const signature: StoredPledgeSignature = {
        signedAt: new Date(input.signedAt),
        channel,
        noticeHash,
        ...(staffId ? { staffId } : {}),
        ...(staffName ? { staffName } : {}),
        ...(paperFormRef ? { paperFormRef } : {}),
        ...(consent ? { consent } : {}),
      };
      await Pledge.updateOne(
        { _id: input.pledgeKey, status: 'awaiting-signature' },
        { $set: { status: 'pending', signature, inspectOn: input.inspectOn } },
      );
    },

    /** No signature came in time: the pledge lapses (nothing was granted). */
    async lapsePledge(input: { pledgeKey: string }): Promise<void> {
      await Pledge.updateOne(
        { _id: input.pledgeKey, status: 'awaiting-signature' },
        { $set: { status: 'lapsed', inspectedAt: new Date() } },
      );
    },

    /**
     * The verification a subject barred from pledge mode gets instead: the policy's facts pulled
     * from the certifying departments now (purpose "verification instead of a pledge"), no pledge
     * standing in for a missing one.
     */
    async verifyInsteadOfPledge(input: BenefitInput & { pledgeKey: string }): Promise<InspectionResult> {
      return recheckPledgedFacts(deps, input, {
        idempotencyKey: `${input.pledgeKey}:verification`,
        purpose: '信用记录限制告知承诺，改为核验 verification instead of a pledge (credit record)',
      });
    },

    /**
     * Opens a task for a pledge (an on-site inspection, an inconclusive re-check settled by an
     * inspector, a barred subject's review) through openTask, once by key, and lists it on the
     * pledge record when there is one.
     */
    async openPledgeTask(input: {
      key: string;
      type: TaskType;
      pledgeKey: string;
      caseId: string;
      subjectKey: string;
      policyId: string;
      department?: string;
      missingFacts?: string[];
    }): Promise<{ created: boolean; workflowId: string }> {
      const opened = await openTask(
        { store: deps.store, ...(deps.workflows ? { workflows: deps.workflows } : {}) },
        {
          key: input.key,
          type: input.type,
          source:
            input.type === 'review' ? { kind: 'case', key: input.caseId } : { kind: 'pledge', key: input.pledgeKey },
          caseId: input.caseId,
          subjectKey: input.subjectKey,
          policyId: input.policyId,
          ...(input.department ? { department: input.department } : {}),
          ...(input.missingFacts ? { missingFacts: input.missingFacts } : {}),
        },
      );
      await Pledge.updateOne({ _id: input.pledgeKey }, { $addToSet: { taskKeys: input.key } });
      return opened;
    },

    /**
     * Records an inspector's finding on the pledge, once per task, and returns what the resolution
     * needs (the pledge's subject, policy, grant amount and status as it was before the finding).
     */
    async recordInspectionFinding(input: {
      pledgeKey: string;
      taskKey: string;
      finding: Finding;
      notes: string;
      evidence: string[];
      by: TaskActor;
    }): Promise<PledgeForResolution> {
      const before = await Pledge.findById(input.pledgeKey).lean();
      if (!before) throw new Error(`no pledge ${input.pledgeKey}`);
      await Pledge.updateOne(
        { _id: input.pledgeKey, 'findings.taskKey': { $ne: input.taskKey } },
        {
          $push: {
            findings: {
              taskKey: input.taskKey,
              finding: input.finding,
              notes: input.notes,
              evidence: input.evidence,
              byId: input.by.id,
              byName: input.by.name,
              at: new Date(),
            },
          },
        },
      );
      const policy = await pinnedPolicy(deps.policies, before.policy);
      const grant = await Grant.findById(input.pledgeKey, { amount: 1, period: 1 }).lean();
      return {
        pledgeKey: before.key,
        caseId: before.caseId,
        subjectKey: before.subjectKey,
        policyId: before.policy.id,
        policyTitle: policy.title,
        status: before.status,
        ...(typeof grant?.amount === 'number' ? { amount: grant.amount } : {}),
        period: grant?.period ?? '',
        creditBlockDays: policy.pledge?.creditBlockDays ?? PLEDGE_DEFAULTS.creditBlockDays,
      };
    },
  };
}
