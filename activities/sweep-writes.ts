/**
 * What a sweep writes for the subjects of one batch, in bulk: the subject register, decision
 * records with their explanation, access records (who read which source for which purpose),
 * grants, manual-review tasks. Every document's `_id` is the same business key the life-event
 * path uses (store/bulk.ts), so a retried slice or a later case for the same subject, policy and
 * period finds what is there instead of writing it twice.
 */
import type { Connection } from 'mongoose';
import { absentAnswer, findFact, type DataSource, type SubjectKind } from '../domain/sources.js';
import type { Decision, Policy } from '../rules/types.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { chainInserted, chainStored } from '../store/audit-chain.js';
import { insertNew } from '../store/bulk.js';
import { postGrants } from '../store/ledger.js';
import { openEntitlements } from '../store/entitlements.js';
import { programmeRead, recordProgrammeAccess } from '../store/programme-access.js';
import { registerModels } from '../store/models.js';
import { registerSubjectModel } from '../store/subjects.js';
import { registerSweepModel } from '../store/sweeps.js';
import {
  benefitWorkflowId,
  taskWorkflowId,
  type HumanTaskInput,
  type PolicyPlan,
} from '../workflows/contracts/index.js';
import { DEFAULT_TIME_LIMIT_DAYS, taskDeadlines } from '../domain/tasks.js';

/** One screened subject that needs a record: its raw key (register only), pseudonymous key, facts and explained decision. */
export interface ScreenedSubject {
  id: string;
  subjectKey: string;
  facts: Readonly<Record<string, unknown>>;
  decision: Decision;
}

export function makeSweepWriter(store: Connection) {
  const models = registerModels(store);
  const AccessRecords = registerAccessRecordModel(store);
  const Subjects = registerSubjectModel(store);
  const Sweeps = registerSweepModel(store);

  return {
    /**
     * The population sweep's one programme-level access record (S7: every subject of the policy's
     * kind is read, the ineligible too), written and chained once per sweep before a slice reads.
     */
    async recordScreening(caseId: string, policy: Policy, asOf: string): Promise<void> {
      const sweep = await Sweeps.findById(caseId, { requestedBy: 1, requestedById: 1 }).lean();
      await recordProgrammeAccess(
        store,
        programmeRead(
          {
            _id: `sweep:${caseId}`,
            kind: 'sweep',
            asOf,
            requestedBy: sweep?.requestedBy ?? 'unknown',
            ...(sweep?.requestedById ? { requestedById: sweep.requestedById } : {}),
          },
          policy,
          '主动筛查 proactive screening',
        ),
      );
    },

    /** Registers subjects not yet known (their key → raw ID mapping stays in the system of record). */
    async ensureSubjects(kind: SubjectKind, subjects: readonly ScreenedSubject[]): Promise<void> {
      const idField = kind === 'person' ? 'idNumber' : 'creditCode';
      const createdAt = new Date();
      await insertNew(
        Subjects.collection,
        subjects.map((s) => ({ _id: s.subjectKey, subjectKey: s.subjectKey, kind, [idField]: s.id, createdAt })),
      );
    },

    /** The decision of each subject, with each condition's (masked) value: the explanation citizens and supervisors see. */
    async recordDecisions(caseId: string, subjects: readonly ScreenedSubject[]): Promise<void> {
      const decidedAt = new Date();
      await insertNew(
        models.Decision.collection,
        subjects.map(({ subjectKey, decision }) => {
          const key = `${caseId}:decision:${decision.policy.id}:${subjectKey}`;
          return {
            _id: key,
            key,
            caseId,
            subjectKey,
            ...decision,
            failedSources: [],
            decidedAt,
          };
        }),
      );
    },

    /**
     * One access record per subject and source read, with the purposes the policy declared,
     * chained as one block (a retried slice chains only what an earlier attempt left unchained).
     */
    async recordAccess(caseId: string, policy: Policy, subjects: readonly ScreenedSubject[]): Promise<void> {
      const bySource = new Map<string, { source: DataSource; facts: string[]; purposes: Set<string> }>();
      for (const [fact, declared] of Object.entries(policy.facts)) {
        const known = findFact(fact);
        if (!known) continue;
        const entry = bySource.get(known.source.id) ?? { source: known.source, facts: [], purposes: new Set<string>() };
        entry.facts.push(fact);
        entry.purposes.add(`主动筛查 proactive screening: ${declared.purpose}`);
        bySource.set(known.source.id, entry);
      }
      const at = new Date();
      const docs = subjects.flatMap(({ subjectKey, facts }) =>
        [...bySource.values()].map(({ source, facts: read, purposes }) => {
          const key = `${caseId}:${subjectKey}:${source.id}`;
          const answered = read.some((fact) => {
            const field = findFact(fact)?.field;
            return facts[fact] !== undefined && !(field && facts[fact] === absentAnswer(field));
          });
          return {
            _id: key,
            key,
            subjectKey,
            caseId,
            policyId: policy.id,
            policyVersion: policy.version,
            source: source.id,
            department: source.department.zh,
            fields: read,
            purposes: [...purposes],
            outcome: answered ? 'answered' : 'not-found',
            at,
          };
        }),
      );
      const { inserted, existing } = await insertNew(AccessRecords.collection, docs);
      const mine = new Set(inserted);
      await chainInserted(
        store,
        'access_records',
        docs.filter((doc) => mine.has(doc._id)),
      );
      await chainStored(store, 'access_records', existing);
    },

    /**
     * The grants of auto-mode subjects, keyed like the grant workflow's (benefitWorkflowId), and the
     * entitlements of the recurring ones (store/entitlements.ts). Returns
     * the keys this sweep holds (written now, or by an earlier attempt of the same slice) and how
     * many were granted before by anyone else (a life event, another sweep).
     */
    async recordGrants(
      caseId: string,
      plan: PolicyPlan,
      subjects: readonly ScreenedSubject[],
    ): Promise<{ ours: ScreenedSubject[]; others: number }> {
      const grantedAt = new Date();
      const byKey = new Map(subjects.map((s) => [benefitWorkflowId(plan.ref.id, s.subjectKey, s.decision.period), s]));
      const outcome = await insertNew(
        models.Grant.collection,
        [...byKey].map(([key, { subjectKey, decision }]) => ({
          _id: key,
          key,
          caseId,
          subjectKey,
          policy: plan.ref,
          period: decision.period,
          benefitKind: plan.benefitKind,
          ...(decision.amount === undefined ? {} : { amount: decision.amount }),
          basis: 'auto',
          status: 'granted',
          grantedAt,
        })),
      );
      // Recurring grants open their entitlements (each once; one that exists is left as it is).
      await openEntitlements(
        store,
        [...byKey].map(([grantKey, { subjectKey, decision }]) => ({
          subjectKey,
          policy: plan.ref,
          period: decision.period,
          grantKey,
        })),
      );
      const ours = outcome.inserted.map((key) => byKey.get(key)!);
      const postOurs = () =>
        plan.benefitKind === 'cash'
          ? postGrants(
              store,
              ours.map(({ subjectKey, decision }) => ({
                key: benefitWorkflowId(plan.ref.id, subjectKey, decision.period),
                subjectKey,
                policy: plan.ref,
                period: decision.period,
                ...(decision.amount === undefined ? {} : { amount: decision.amount }),
                basis: 'auto',
              })),
            )
          : Promise.resolve();
      if (outcome.existing.length === 0) {
        await postOurs();
        return { ours, others: 0 };
      }
      // One read for the batch's existing grants (FerretDB scans for each query, so never one per grant).
      const existing = await models.Grant.collection
        .find({ _id: { $in: outcome.existing } } as never, { projection: { caseId: 1 } })
        .toArray();
      const mine = new Set(existing.filter((grant) => grant.caseId === caseId).map((grant) => String(grant._id)));
      for (const key of mine) ours.push(byKey.get(key)!);
      await postOurs();
      return { ours, others: outcome.existing.length - mine.size };
    },

    /**
     * Undetermined is never silently false: each becomes an open review task (domain/tasks.ts)
     * naming the missing facts, on the policy's statutory limit for reviews (else the default).
     * Answers every batch task still open, for their timers to be started (a retried batch too).
     */
    async openManualReviews(
      caseId: string,
      policy: Pick<Policy, 'department' | 'timeLimits'>,
      subjects: readonly ScreenedSubject[],
    ): Promise<HumanTaskInput[]> {
      const openedAt = new Date();
      const timeLimitDays = policy.timeLimits?.review ?? DEFAULT_TIME_LIMIT_DAYS.review;
      const { remindAt, dueAt } = taskDeadlines(openedAt, timeLimitDays);
      const docs = subjects.map(({ subjectKey, decision }) => {
        const key = `${caseId}:manual:${decision.policy.id}:${subjectKey}`;
        return {
          _id: key,
          key,
          type: 'review' as const,
          status: 'open' as const,
          source: { kind: 'case' as const, key: caseId },
          caseId,
          subjectKey,
          policyId: decision.policy.id,
          department: policy.department.zh,
          missingFacts: decision.missingFacts,
          failedSources: [],
          timeLimitDays,
          openedAt,
          remindAt,
          dueAt,
          workflowId: taskWorkflowId(key),
          history: [{ at: openedAt, action: 'opened' }],
        };
      });
      await insertNew(models.Task.collection, docs);
      // The stored clocks win over this attempt's (a retried batch keeps the first opening's).
      const stored = await models.Task.find(
        { _id: { $in: docs.map((doc) => doc._id) }, status: { $in: ['open', 'claimed'] } },
        { type: 1, openedAt: 1, remindAt: 1, dueAt: 1 },
      ).lean();
      return stored.map((task) => ({
        taskKey: task._id!,
        type: task.type,
        openedAt: task.openedAt.toISOString(),
        remindAt: task.remindAt.toISOString(),
        dueAt: task.dueAt.toISOString(),
      }));
    },
  };
}

export type SweepWriter = ReturnType<typeof makeSweepWriter>;
