/**
 * Activities of a sweep (主动办): pin the policy, screen one slice of the population, record
 * progress. A slice streams subjects in `_id` order from a sealed cursor (store/population.ts:
 * only the declared columns, merge-joined), decides each with the compiled evaluator, and acts
 * only on the eligible: auto mode grants and notifies in bulk, offer and pledge modes start
 * their benefit workflows, throttled. Everything is keyed by business keys, so a slice retried
 * after a crash redoes its subjects without granting or notifying anyone twice, and reports the
 * same totals.
 */
import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { ringSecrets, type SubjectKeyRing } from '../domain/pseudonym.js';
import { isInForce } from '../rules/catalog.js';
import { compilePolicy, type CompiledPolicy } from '../rules/compiled.js';
import { policyFactKeys } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { countPopulation, splitPopulation, streamPopulation } from '../store/population.js';
import { registerSweepModel } from '../store/sweeps.js';
import { resolveSubjectKeys } from '../store/subjects.js';
import {
  benefitWorkflowId,
  ErrorType,
  departmentsOf,
  GRANT_CERTIFICATES_WORKFLOW_TYPE,
  SearchAttributes,
  grantCertificatesWorkflowId,
  type GrantCertificatesInput,
  type HumanTaskInput,
  type PolicyPlan,
  type SweepCounts,
  type SweepScope,
  type SweepProgress,
  type SweepSliceResult,
  ZERO_SWEEP_COUNTS,
} from '../workflows/contracts/index.js';
import { startBenefitWorkflow, type BenefitStarter } from './benefit-start.js';
import { pinnedPolicy, planOf } from './case.js';
import type { PolicySource } from '../rules/policy-source.js';
import type { EnqueueNoticeInput } from './notices.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';
import { openCursor, sealCursor } from './sweep-cursor.js';
import { openStreams } from './sweep-streams.js';
import { dueFacts, horizonFinder, makeHorizonStore } from './sweep-horizon.js';
import { makeSweepWriter, type ScreenedSubject } from './sweep-writes.js';
import { startHumanTask } from './tasks.js';

/** The key ring: screened IDs resolve to the key their subject was registered under; cursors are sealed with the current secret. */
export interface SweepDeps extends SubjectKeyRing {
  store: Connection;
  policies: PolicySource;
  enqueueNotices: (inputs: readonly EnqueueNoticeInput[]) => Promise<number>;
  /** The case path's fact reader: the daily sweep reads each due subject's facts through it, access-logged. */
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** Absent on a worker without a Temporal client: offer and pledge sweeps then fail, saying so. */
  workflows?: BenefitStarter;
  /** The worker holds the departments' seals: each batch of grants starts the workflow that issues their certificates. */
  issuesCertificates?: boolean;
  /** Subjects decided per batch (default BATCH); tests make it small to see a slice checkpoint between batches. */
  batchSize?: number;
}

/**
 * What a slice reports in each heartbeat: the totals so far and the sealed key of the last
 * subject acted on, taken together after the batch's records were written. A retried attempt
 * (the worker died) resumes after that key with those totals instead of screening the slice again.
 */
export interface SliceCheckpoint {
  counts: SweepCounts;
  causes: Record<string, number>;
  cursor: string;
}

/** The checkpoint in a retried attempt's heartbeat details, if it is one (anything else: start over). */
function checkpointOf(details: unknown): SliceCheckpoint | undefined {
  const candidate = details as Partial<SliceCheckpoint> | undefined;
  return typeof candidate?.cursor === 'string' &&
    typeof candidate.counts?.processed === 'number' &&
    typeof candidate.causes === 'object'
    ? (candidate as SliceCheckpoint)
    : undefined;
}

/** A subject to screen: its raw key ('' when only its subject key is known), the position to resume after, its facts. */
interface Entry {
  id: string;
  subjectKey?: string;
  position: string;
  facts: Readonly<Record<string, unknown>>;
}

/** Subjects decided per batch inside a slice: one bulk write each. */
const BATCH = 2_000;

export function makeSweepActivities(deps: SweepDeps) {
  const writer = makeSweepWriter(deps.store);
  const streams = openStreams<Entry>();
  const horizons = makeHorizonStore(deps.store);
  const Sweeps = registerSweepModel(deps.store);
  const batchSize = deps.batchSize ?? BATCH;
  // The compiled policy and its horizon finder, per pinned version and date, kept across slices:
  // residents share birth dates, so the finder's memo pays off city-wide.
  const prepared = new Map<string, { evaluator: CompiledPolicy; horizonOf: ReturnType<typeof horizonFinder> }>();
  const preparedFor = (plan: PolicyPlan, asOf: string, policy: Policy) => {
    const key = `${plan.ref.hash}@${asOf}`;
    let entry = prepared.get(key);
    if (!entry) {
      entry = {
        evaluator: compilePolicy(policy, asOf, { acceptPledges: policy.mode === 'pledge' }),
        horizonOf: horizonFinder(policy, asOf),
      };
      prepared.set(key, entry);
    }
    return entry;
  };

  /** Starts offer or pledge workflows at most `perSecond` a second; counts new starts and existing ones. */
  async function startBenefits(
    caseId: string,
    plan: PolicyPlan,
    subjects: readonly ScreenedSubject[],
    perSecond: number,
    counts: SweepCounts,
  ): Promise<void> {
    if (!deps.workflows) {
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `this worker has no Temporal client, so it cannot start ${plan.mode} workflows for a sweep`,
        nonRetryable: true,
      });
    }
    const spacingMs = 1000 / Math.max(1, perSecond);
    let next = Date.now();
    for (const { subjectKey, decision } of subjects) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      next = Math.max(next, Date.now()) + spacingMs;
      const summary = {
        policy: decision.policy,
        outcome: decision.outcome,
        asOf: decision.asOf,
        period: decision.period,
        missingFacts: decision.missingFacts,
        failedSources: [],
        ...(decision.amount === undefined ? {} : { amount: decision.amount }),
      };
      const { started } = await startBenefitWorkflow(deps.workflows, { caseId, subjectKey, plan, decision: summary });
      if (started) counts.started += 1;
      else counts.alreadyHandled += 1;
    }
  }

  /**
   * Starts the workflow that issues the certificates of the grants this batch wrote (their decision
   * letters and what their policy yields), under an ID made from the batch, so a retried batch starts
   * it once; it runs beside the sweep rather than in it. A worker that cannot start workflows issues none.
   */
  async function startGrantCertificates(caseId: string, plan: PolicyPlan, ours: readonly ScreenedSubject[]) {
    if (!deps.workflows || !deps.issuesCertificates || ours.length === 0) return;
    const grantKeys = ours.map(({ subjectKey, decision }) =>
      benefitWorkflowId(plan.ref.id, subjectKey, decision.period),
    );
    const digest = createHash('sha256')
      .update([...grantKeys].sort().join('\n'))
      .digest('hex')
      .slice(0, 24);
    const input: GrantCertificatesInput = { caseId, policy: plan.ref, asOf: ours[0].decision.asOf, grantKeys };
    try {
      await deps.workflows.starter.start(GRANT_CERTIFICATES_WORKFLOW_TYPE, {
        workflowId: grantCertificatesWorkflowId(caseId, digest),
        taskQueue: deps.workflows.taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: SearchAttributes.policyIds, value: [plan.ref.id] },
          { key: SearchAttributes.department, value: departmentsOf([plan]) },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  /** Starts the humanTask workflow of each review task a batch opened, no faster than `perSecond`. */
  async function startReviewClocks(reviews: readonly HumanTaskInput[], perSecond: number): Promise<void> {
    if (!deps.workflows) return;
    const spacingMs = 1000 / Math.max(1, perSecond);
    let next = Date.now();
    for (const review of reviews) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      next = Math.max(next, Date.now()) + spacingMs;
      await startHumanTask(deps.workflows, review);
    }
  }

  /** Acts on one batch's eligible and undetermined subjects; adds what happened to `counts`. */
  async function act(
    caseId: string,
    plan: PolicyPlan,
    policy: Awaited<ReturnType<typeof pinnedPolicy>>,
    eligible: ScreenedSubject[],
    undetermined: ScreenedSubject[],
    perSecond: number,
    counts: SweepCounts,
  ): Promise<void> {
    const decided = [...eligible, ...undetermined];
    // Due subjects come from the register already; a population sweep may meet them first.
    await writer.ensureSubjects(
      policy.subject,
      decided.filter((s) => s.id !== ''),
    );
    await writer.recordAccess(caseId, policy, decided);
    await writer.recordDecisions(caseId, decided);
    const reviews = await writer.openManualReviews(caseId, policy, undetermined);
    // Each review task's clock: a workflow per task, started at the sweep's pace (none without a client).
    await startReviewClocks(reviews, perSecond);
    if (plan.mode !== 'auto') return startBenefits(caseId, plan, eligible, perSecond, counts);
    const { ours, others } = await writer.recordGrants(caseId, plan, eligible);
    counts.granted += eligible.length;
    counts.grantsCreated += ours.length;
    counts.alreadyHandled += others;
    await startGrantCertificates(caseId, plan, ours);
    counts.noticesQueued += await deps.enqueueNotices(
      ours.map(({ subjectKey, decision }) => ({
        noticeKey: `${benefitWorkflowId(plan.ref.id, subjectKey, decision.period)}:notice:granted`,
        subjectKey,
        template: 'grant.awarded',
        params: { policyTitle: plan.title, amount: decision.amount, period: decision.period },
      })),
    );
  }

  /** Population records as screening entries: the raw key is both the subject and the resume position. */
  async function* mapBatches(
    stream: AsyncIterable<Array<{ id: string; facts: Record<string, unknown> }>>,
  ): AsyncGenerator<Entry[]> {
    for await (const batch of stream) yield batch.map(({ id, facts }) => ({ id, position: id, facts }));
  }

  /** Subjects due on the sweep's date, a page at a time, their facts read as a case reads them. */
  async function* dueBatches(
    caseId: string,
    policy: Policy,
    asOf: string,
    after: string | undefined,
  ): AsyncGenerator<Entry[]> {
    for (let position = after; ;) {
      const page = await horizons.due(asOf, policy.id, position, batchSize);
      if (page.length === 0) return;
      const entries: Entry[] = [];
      for (const { key, subjectKey } of page)
        entries.push({
          id: '',
          subjectKey,
          position: key,
          facts: await dueFacts(deps.fetchFacts, caseId, policy, subjectKey),
        });
      yield entries;
      position = page.at(-1)!.key;
    }
  }

  return {
    /** Pins the published version for the sweep and counts the population; non-retryable when it cannot run. */
    async pinSweepPolicy(input: {
      id: string;
      version: number;
      asOf: string;
      scope?: SweepScope;
    }): Promise<{ plan: PolicyPlan; total: number }> {
      const policy = await deps.policies.version(input.id, input.version);
      if (!policy) {
        throw ApplicationFailure.create({
          type: ErrorType.UnknownPolicyVersion,
          message: `policy ${input.id} v${input.version} is not published`,
          nonRetryable: true,
        });
      }
      if (!isInForce(policy, input.asOf)) {
        throw ApplicationFailure.create({
          type: ErrorType.PolicyNotInForce,
          message: `policy ${input.id} v${input.version} is not in force on ${input.asOf}`,
          nonRetryable: true,
        });
      }
      const total =
        input.scope === 'due'
          ? await horizons.count(input.asOf, policy.id)
          : await countPopulation(deps.store, policy.subject);
      return { plan: planOf(policy), total };
    },

    /**
     * Screens up to `limit` subjects after the cursor — of the population, or of those due today
     * (scope 'due') — and notes the horizon of the ineligible. The totals depend only on those
     * subjects, however often it runs.
     */
    async screenSlice(input: {
      caseId: string;
      /** The part of a sweep in parts whose slice this is (workflows/sweep-part.ts). */
      part?: number;
      plan: PolicyPlan;
      asOf: string;
      scope?: SweepScope;
      cursor?: string;
      /** Sealed: the part's last key; its slices stop there. */
      until?: string;
      limit: number;
      startsPerSecond: number;
    }): Promise<SweepSliceResult> {
      const policy = await pinnedPolicy(deps.policies, input.plan.ref);
      // The whole population is read: its one access record first (those due are logged one by one).
      if (input.scope !== 'due') await writer.recordScreening(input.caseId, policy, input.asOf);
      const { evaluator, horizonOf } = preparedFor(input.plan, input.asOf, policy);
      const context = Context.current();
      // A retry after the worker died goes on from the last checkpoint it reported (SliceCheckpoint).
      const checkpoint = context.info.attempt > 1 ? checkpointOf(context.info.heartbeatDetails) : undefined;
      const counts: SweepCounts = { ...ZERO_SWEEP_COUNTS, ...checkpoint?.counts };
      const causes: Record<string, number> = { ...checkpoint?.causes };
      const from = checkpoint?.cursor ?? input.cursor;
      const after = from === undefined ? undefined : openCursor(from, ringSecrets(deps));
      const until = input.until === undefined ? undefined : openCursor(input.until, ringSecrets(deps));
      // Each part of a sweep has a stream of its own.
      const streamId = input.part === undefined ? input.caseId : `${input.caseId}:part-${input.part}`;
      let last: string | undefined = checkpoint ? after : undefined;
      let exhausted = true;
      const batches =
        input.scope === 'due'
          ? dueBatches(input.caseId, policy, input.asOf, after)
          : streams.resume(streamId, after, () =>
              mapBatches(
                streamPopulation(deps.store, {
                  kind: policy.subject,
                  facts: policyFactKeys(policy),
                  after,
                  ...(until === undefined ? {} : { until }),
                  batchSize,
                }),
              ),
            );
      try {
        // The attempt that died had screened the whole slice: only its answer was lost.
        if (counts.processed >= input.limit) exhausted = false;
        else await screen();
      } catch (error) {
        streams.close(streamId);
        throw error;
      }
      // The next slice of this sweep, on this worker, reads on from the same cursor.
      if (input.scope !== 'due') {
        if (exhausted || last === undefined) streams.close(streamId);
        else streams.park(streamId, last);
      }
      return {
        counts,
        undeterminedCauses: causes,
        ...(exhausted || last === undefined ? {} : { cursor: sealCursor(last, deps.subjectKeySecret) }),
      };

      async function screen(): Promise<void> {
        for await (const batch of batches) {
          context.cancellationSignal.throwIfAborted();
          const taken = batch.slice(0, input.limit - counts.processed);
          if (taken.length < batch.length && input.scope !== 'due')
            streams.keepRest(streamId, batch.slice(taken.length));
          const eligible: ScreenedSubject[] = [];
          const undetermined: ScreenedSubject[] = [];
          const noted: Array<{ subjectKey: string; date: string }> = [];
          const decided: Array<{ entry: Entry; outcome: 'eligible' | 'undetermined' }> = [];
          const dated: Array<{ entry: Entry; date: string }> = [];
          for (const entry of taken) {
            const outcome = evaluator.decide(entry.facts).outcome;
            counts[outcome] += 1;
            if (outcome !== 'ineligible') decided.push({ entry, outcome });
            else {
              const date = horizonOf?.(entry.facts);
              if (date !== undefined) dated.push({ entry, date });
            }
          }
          // Only those who get a record need a key: each keeps the one it was registered under (key ring).
          const keys = await resolveSubjectKeys(
            deps.store,
            deps,
            policy.subject,
            [...decided, ...dated].flatMap(({ entry }) => (entry.subjectKey === undefined ? [entry.id] : [])),
          );
          const keyOf = (entry: Entry) => entry.subjectKey ?? keys.get(entry.id)!;
          for (const { entry, date } of dated) noted.push({ subjectKey: keyOf(entry), date });
          for (const { entry, outcome } of decided) {
            const { id, facts } = entry;
            const subject = { id, subjectKey: keyOf(entry), facts, decision: evaluator.explain(facts) };
            if (outcome === 'eligible') eligible.push(subject);
            else {
              undetermined.push(subject);
              for (const fact of subject.decision.missingFacts) causes[fact] = (causes[fact] ?? 0) + 1;
            }
          }
          counts.processed += taken.length;
          last = taken.at(-1)?.position ?? last;
          await act(input.caseId, input.plan, policy, eligible, undetermined, input.startsPerSecond, counts);
          await horizons.note(policy, input.caseId, noted);
          counts.horizonsNoted += noted.length;
          if (last !== undefined) {
            const reached: SliceCheckpoint = {
              counts: { ...counts },
              causes: { ...causes },
              cursor: sealCursor(last, deps.subjectKeySecret),
            };
            context.heartbeat(reached);
          } else context.heartbeat();
          if (counts.processed >= input.limit) {
            exhausted = false;
            break;
          }
        }
      }
    },

    /**
     * Cuts the population the policy screens into `parts` `_id` ranges of about equal size: the
     * keys that end each range but the last, sealed as cursors (never a raw ID in the history).
     */
    async splitSweep(input: { plan: PolicyPlan; parts: number }): Promise<{ bounds: string[] }> {
      const policy = await pinnedPolicy(deps.policies, input.plan.ref);
      const keys = await splitPopulation(deps.store, policy.subject, input.parts);
      return { bounds: keys.map((key) => sealCursor(key, deps.subjectKeySecret)) };
    },

    /** The published policies a scheduled run sweeps on a date: every one in force, or only those whose conditions read a date. */
    async listSweepPolicies(input: {
      asOf: string;
      dateDrivenOnly: boolean;
    }): Promise<Array<{ id: string; version: number }>> {
      const policies = await deps.policies.allInForce(input.asOf);
      return policies
        .filter((policy) => !input.dateDrivenOnly || horizonFinder(policy, input.asOf) !== undefined)
        .map((policy) => ({ id: policy.id, version: policy.version }));
    },

    /** Writes the sweep's record for listings (status and totals); the workflow's query stays the live answer. */
    async recordSweep(
      input: SweepProgress & {
        caseId: string;
        requestedBy: string;
        requestedById?: string;
        undeterminedCauses: Record<string, number>;
      },
    ): Promise<void> {
      const { caseId, undeterminedCauses, startedAt, updatedAt, ...rest } = input;
      await Sweeps.updateOne(
        { _id: caseId },
        {
          $set: {
            ...rest,
            undeterminedCauses: Object.entries(undeterminedCauses).map(([fact, count]) => ({ fact, count })),
            startedAt: new Date(startedAt),
            updatedAt: new Date(updatedAt),
          },
        },
        { upsert: true },
      );
    },
  };
}
