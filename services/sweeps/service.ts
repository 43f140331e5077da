/**
 * Sweeps (主动办) as people steer them: request the sweep of a published policy version as of a
 * date (never after today: every mode grants, auto at once, pledges at once and offers on the
 * citizen's confirmation), which starts once a reviewer other than the requester approves it
 * (four eyes, S5: a sweep screens the whole population and may back-pay every period since a
 * date); read its progress (live from the workflow while it runs, from its `sweeps` record once it
 * has ended, from its request until it starts), list sweeps, and pause, resume or cancel one (an
 * update the workflow answers with its progress; cancelling a request declines it). The API, the
 * CLI and the console use these helpers; the sweep itself is workflows/sweep.ts, and the
 * scheduler's sweeps (workflows/scheduled-sweeps.ts) start without a request. Answers hold counts only.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { isInForce } from '../../rules/catalog.js';
import { isIsoDate } from '../../rules/dates.js';
import { periodKey } from '../../rules/engine.js';
import type { Policy, PolicyRef } from '../../rules/types.js';
import { registerSweepModel, type SweepRecord } from '../../store/sweeps.js';
import { registerSweepRequestModel, type SweepRequestRecord } from '../../store/sweep-requests.js';
import { authorize, conditionOf } from '../../domain/permissions.js';
import { isSamePerson, type User } from '../../store/users.js';
import {
  cancelSweepSignal,
  ErrorType,
  getSweepProgressQuery,
  parseSweepWorkflowId,
  pauseSweepSignal,
  resumeSweepSignal,
  steerSweepUpdate,
  SWEEP_WORKFLOW_TYPE,
  sweepWorkflowId,
  type SweepCounts,
  type SweepProgress,
  type SweepStatus,
  type SweepSteer,
  type SweepWorkflow,
  MAX_SWEEP_PARTS,
} from '../../workflows/contracts/index.js';
import { PolicyLifecycleError, type PolicyLifecycle } from '../policies/lifecycle.js';
import { Refusal } from '../../domain/refusal.js';
import { changeOf, claimStep, updateOf } from '../../store/step-claims.js';
import { cannotTakeUpdate, updateRefusal } from '../temporal-updates.js';

/** A sweep as the API, CLI and console show it. `live` when the counts came from the running workflow. */
export interface SweepView extends Omit<SweepProgress, 'status'> {
  id: string;
  /** `awaiting-approval` until a reviewer approves the request; a declined request reads `cancelled`. */
  status: SweepStatus | 'failed' | 'awaiting-approval';
  requestedBy?: string;
  /** The requester's user ID (absent for the scheduler's sweeps and those requested before user IDs). */
  requestedById?: string;
  /** The request behind a sweep a person launched (none for the scheduler's). */
  approval?: {
    status: SweepRequestRecord['status'];
    backDated: boolean;
    requestedAt: string;
    decidedBy?: string;
    decidedById?: string;
    decidedAt?: string;
  };
  undeterminedCauses: Array<{ fact: string; count: number }>;
  live: boolean;
  /** Why a sweep failed (its workflow failed or was terminated). */
  error?: { code: string; message: string; messageZh: string };
}

export type SweepRefusalCode =
  | 'INVALID_INPUT'
  | 'POLICY_NOT_FOUND'
  | 'POLICY_NOT_PUBLISHED'
  | 'POLICY_NOT_IN_FORCE'
  | 'FUTURE_AS_OF'
  | 'NO_SWEEP'
  | 'SWEEP_FINISHED'
  | 'AWAITING_APPROVAL'
  | 'FOUR_EYES'
  | 'FORBIDDEN_ROLE';

/** A refused sweep request: a stable code, both languages and the field at fault. */
export class SweepRefusal extends Refusal {
  declare readonly code: SweepRefusalCode;
  constructor(code: SweepRefusalCode, message: string, messageZh: string, field?: string) {
    super(code, message, messageZh, field);
  }
}

export interface RequestSweepInput {
  policyId: string;
  version: number;
  /** YYYY-MM-DD, not after today; default today in the city. */
  asOf?: string;
  sliceSize?: number;
  startsPerSecond?: number;
  /** `_id` ranges screened side by side (1 to MAX_SWEEP_PARTS; default 1). */
  parts?: number;
}

export interface SweepServiceDeps {
  store: Connection;
  temporal: Client;
  taskQueue: string;
  lifecycle: PolicyLifecycle;
  today?: () => string;
  /** How long a progress query, or a pause, resume or cancel, may wait for a worker to answer (ms). */
  queryTimeoutMs?: number;
}

/** Statuses a sweep never leaves. */
const FINAL_STATUSES: readonly SweepStatus[] = ['done', 'cancelled'];

const FINISHED_ZH: Record<string, string> = { done: '已完成', cancelled: '已取消', failed: '已失败' };

function fromRecord(record: SweepRecord): SweepView {
  const { _id, startedAt, updatedAt, undeterminedCauses, ...rest } = record;
  return {
    ...rest,
    id: _id,
    startedAt: new Date(startedAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
    undeterminedCauses: undeterminedCauses ?? [],
    live: false,
  };
}

/** The request as a sweep's `approval`. */
function approvalOf(request: SweepRequestRecord): NonNullable<SweepView['approval']> {
  return {
    status: request.status,
    backDated: request.backDated,
    requestedAt: new Date(request.requestedAt).toISOString(),
    ...(request.decidedBy ? { decidedBy: request.decidedBy } : {}),
    ...(request.decidedById ? { decidedById: request.decidedById } : {}),
    ...(request.decidedAt ? { decidedAt: new Date(request.decidedAt).toISOString() } : {}),
  };
}

/** A sweep known only by its request: nothing screened; awaiting approval, or declined (cancelled). */
function fromRequest(request: SweepRequestRecord): SweepView {
  const at = new Date(request.decidedAt ?? request.requestedAt).toISOString();
  return {
    ...ZERO,
    id: request._id,
    policy: { ...request.policy, hash: '' },
    asOf: request.asOf,
    status:
      request.status === 'declined' ? 'cancelled' : request.status === 'approved' ? 'running' : 'awaiting-approval',
    total: 0,
    slices: 0,
    startedAt: new Date(request.requestedAt).toISOString(),
    updatedAt: at,
    requestedBy: request.requestedBy,
    ...(request.requestedById ? { requestedById: request.requestedById } : {}),
    undeterminedCauses: [],
    live: false,
    approval: approvalOf(request),
  };
}

/** Counters of a sweep nothing has screened yet; counters the engine adds later stay absent until its first record. */
const ZERO = {
  processed: 0,
  eligible: 0,
  ineligible: 0,
  undetermined: 0,
  granted: 0,
  grantsCreated: 0,
  started: 0,
  alreadyHandled: 0,
  noticesQueued: 0,
} as SweepCounts;

/** Policy and date of a sweep from its workflow ID, for a sweep not yet recorded. */
function parseId(id: string): { policy: PolicyRef; asOf: string } | undefined {
  const parsed = parseSweepWorkflowId(id);
  return parsed ? { policy: { ...parsed.policy, hash: '' }, asOf: parsed.asOf } : undefined;
}

const noSweep = (id: string) => new SweepRefusal('NO_SWEEP', `no sweep ${id}`, `没有该筛查任务：${id}`, 'id');

/** The sweep helpers over a Temporal client and the store; one per process. */
export function createSweepService(deps: SweepServiceDeps) {
  const Sweeps = registerSweepModel(deps.store);
  const Requests = registerSweepRequestModel(deps.store);
  const today = deps.today ?? (() => cityToday());
  const queryTimeoutMs = deps.queryTimeoutMs ?? 5000;

  async function checkedPolicy(input: RequestSweepInput): Promise<Policy> {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.policyId))
      throw new SweepRefusal(
        'INVALID_INPUT',
        `policyId: "${input.policyId}" is not a policy id`,
        `政策编号格式有误：${input.policyId}`,
        'policyId',
      );
    if (!Number.isInteger(input.version) || input.version < 1)
      throw new SweepRefusal('INVALID_INPUT', 'version: a whole number from 1', '版本号须为正整数', 'version');
    let view;
    try {
      view = await deps.lifecycle.get(input.policyId, input.version);
    } catch (error) {
      if (!(error instanceof PolicyLifecycleError && error.code === 'POLICY_NOT_FOUND')) throw error;
      const known = (await deps.lifecycle.list()).some((v) => v.policyId === input.policyId);
      throw known
        ? new SweepRefusal(
            'POLICY_NOT_FOUND',
            `policy ${input.policyId} has no version ${input.version}`,
            `政策 ${input.policyId} 没有第 ${input.version} 版`,
            'version',
          )
        : new SweepRefusal(
            'POLICY_NOT_FOUND',
            `no policy ${input.policyId}`,
            `没有该政策：${input.policyId}`,
            'policyId',
          );
    }
    if (view.status !== 'published') {
      throw new SweepRefusal(
        'POLICY_NOT_PUBLISHED',
        `${input.policyId} v${input.version} is ${view.status}: only a published version is swept`,
        `${input.policyId} 第 ${input.version} 版尚未发布或已停用，只能对已发布版本主动筛查`,
        'version',
      );
    }
    return view.document as unknown as Policy;
  }

  /** Counts from the running workflow, or undefined when no worker answers in time. */
  async function query(id: string): Promise<SweepProgress | undefined> {
    try {
      return await deps.temporal.connection.withDeadline(Date.now() + queryTimeoutMs, () =>
        deps.temporal.workflow.getHandle(id).query(getSweepProgressQuery),
      );
    } catch {
      return undefined;
    }
  }

  /** The input checked, the date not after today and in force: the policy, the date and its sweep's ID. */
  async function checked(input: RequestSweepInput): Promise<{ policy: Policy; asOf: string; id: string }> {
    const asOf = input.asOf ?? today();
    if (!isIsoDate(asOf))
      throw new SweepRefusal(
        'INVALID_INPUT',
        `asOf: expected a date YYYY-MM-DD, got "${asOf}"`,
        `筛查日期格式有误：${asOf}（应为 YYYY-MM-DD）`,
        'asOf',
      );
    if (input.sliceSize !== undefined && (!Number.isInteger(input.sliceSize) || input.sliceSize < 1))
      throw new SweepRefusal('INVALID_INPUT', 'sliceSize: a whole number from 1', '分片大小须为正整数', 'sliceSize');
    if (
      input.parts !== undefined &&
      (!Number.isInteger(input.parts) || input.parts < 1 || input.parts > MAX_SWEEP_PARTS)
    )
      throw new SweepRefusal(
        'INVALID_INPUT',
        `parts: a whole number from 1 to ${MAX_SWEEP_PARTS}`,
        `并行分段数须为 1 至 ${MAX_SWEEP_PARTS} 的整数`,
        'parts',
      );
    if (input.startsPerSecond !== undefined && !(input.startsPerSecond > 0))
      throw new SweepRefusal(
        'INVALID_INPUT',
        'startsPerSecond: a number above 0',
        '每秒启动数须大于 0',
        'startsPerSecond',
      );
    // Every mode grants: auto and pledges at once, offers on confirmation. A later date would pay a period not yet come.
    if (asOf > today())
      throw new SweepRefusal(
        'FUTURE_AS_OF',
        `asOf ${asOf} is after today (${today()} in the city): a sweep grants, so it never screens a day to come`,
        `筛查日期 ${asOf} 晚于今天（${today()}）：主动筛查会发放待遇，不能筛查未来的日期`,
        'asOf',
      );
    const policy = await checkedPolicy(input);
    if (!isInForce(policy, asOf)) {
      const until = policy.effective.to ? ` to ${policy.effective.to}` : '';
      throw new SweepRefusal(
        'POLICY_NOT_IN_FORCE',
        `${policy.id} v${policy.version} is in force from ${policy.effective.from}${until}, not on ${asOf}`,
        `${policy.id} 第 ${policy.version} 版自 ${policy.effective.from} 起生效${policy.effective.to ? `，至 ${policy.effective.to}` : ''}，${asOf} 不在生效期内`,
        'asOf',
      );
    }
    return { policy, asOf, id: sweepWorkflowId(input.policyId, input.version, asOf) };
  }

  /** Starts an approved request's workflow, unless it has started already. */
  async function launch(request: SweepRequestRecord): Promise<void> {
    try {
      await deps.temporal.workflow.start<SweepWorkflow>(SWEEP_WORKFLOW_TYPE, {
        workflowId: request._id,
        taskQueue: deps.taskQueue,
        // A finished sweep is not run again for the same date; one that failed may be.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        args: [
          {
            policy: request.policy,
            asOf: request.asOf,
            requestedBy: request.requestedBy,
            ...(request.requestedById ? { requestedById: request.requestedById } : {}),
            ...(request.sliceSize ? { sliceSize: request.sliceSize } : {}),
            ...(request.startsPerSecond ? { startsPerSecond: request.startsPerSecond } : {}),
            ...(request.parts ? { parts: request.parts } : {}),
          },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  /**
   * Approves or declines a request awaiting approval, once: the decision on that request (named by
   * when it was made) is claimed first (store/step-claims.ts), so an approval and another approval,
   * or a decline, at the same moment leave one decision, on MongoDB and on FerretDB alike. True when
   * this call's decision holds; false when another's came first (applied here as well, in case its
   * caller stopped before applying it).
   */
  async function decide(
    request: SweepRequestRecord,
    decision: Pick<SweepRequestRecord, 'status' | 'decidedBy' | 'decidedById' | 'decidedAt'>,
  ): Promise<boolean> {
    const { mine, claim } = await claimStep(
      deps.store,
      `sweep-request:${request._id}#${new Date(request.requestedAt).getTime()}`,
      changeOf({ ...decision }),
    );
    await Requests.updateOne(
      { _id: request._id, status: 'awaiting-approval', requestedAt: request.requestedAt },
      updateOf(claim),
    );
    return mine;
  }

  const service = {
    /**
     * Requests the sweep of a version as of a date (not after today), awaiting a reviewer's
     * approval; or answers with the sweep already requested or run for that version and date
     * (`created` false). A declined request, or a sweep that failed, is requested anew.
     */
    async request(actor: User, input: RequestSweepInput): Promise<SweepView & { created: boolean }> {
      authorize(actor, 'sweep.launch', SweepRefusal);
      const { policy, asOf, id } = await checked(input);
      const existing = await service.progress(id).catch((error: unknown) => {
        if (error instanceof SweepRefusal && error.code === 'NO_SWEEP') return undefined;
        throw error;
      });
      if (existing && existing.status !== 'failed' && existing.approval?.status !== 'declined')
        return { ...existing, created: false };
      const fresh = {
        policy: { id: policy.id, version: policy.version },
        asOf,
        backDated: periodKey(policy, asOf) < periodKey(policy, today()),
        ...(input.sliceSize ? { sliceSize: input.sliceSize } : {}),
        ...(input.startsPerSecond ? { startsPerSecond: input.startsPerSecond } : {}),
        ...(input.parts ? { parts: input.parts } : {}),
        status: 'awaiting-approval' as const,
        requestedBy: actor.name,
        requestedById: actor.id,
        requestedAt: new Date(),
      };
      // Inserted once; a declined one, or one whose sweep failed, is asked for again (the same record, from the start).
      const written = (await Requests.exists({ _id: id }))
        ? await Requests.updateOne(
            { _id: id, status: { $in: ['declined', 'approved'] } },
            { $set: fresh, $unset: { decidedBy: 1, decidedById: 1, decidedAt: 1 } },
          )
        : await Requests.updateOne({ _id: id }, { $setOnInsert: fresh }, { upsert: true }).catch(
            (error: { code?: number }) => {
              // Requested at the same moment by someone whose request went in first (FerretDB answers the
              // second upsert with a duplicate key; MongoDB retries it): theirs stands.
              if (error.code === 11000) return { upsertedCount: 0, modifiedCount: 0 };
              throw error;
            },
          );
      const created = (written.upsertedCount ?? 0) + written.modifiedCount > 0;
      return { ...(await service.progress(id)), created };
    },

    /**
     * A reviewer other than the requester approves the request, and the sweep starts; approving
     * a sweep that has started answers with it. FOUR_EYES for the requester, NO_SWEEP for none.
     */
    async approve(actor: User, id: string): Promise<SweepView> {
      authorize(actor, 'sweep.approve', SweepRefusal);
      const request = parseSweepWorkflowId(id) ? await Requests.findById(id).lean() : null;
      if (!request) throw noSweep(id);
      if (request.status === 'approved') return service.progress(id);
      if (request.status === 'declined')
        throw new SweepRefusal(
          'SWEEP_FINISHED',
          `the sweep ${id} was declined by ${request.decidedBy ?? 'a reviewer'}: request it again`,
          `该筛查申请已被 ${request.decidedBy ?? '审核人'} 驳回，请重新申请`,
          'id',
        );
      // The table's not-requester condition (four eyes, by user ID), checked here where the request is known.
      if (
        conditionOf(actor.role, 'sweep.approve') === 'not-requester' &&
        isSamePerson({ id: request.requestedById, name: request.requestedBy }, actor)
      )
        throw new SweepRefusal(
          'FOUR_EYES',
          `${actor.name} requested this sweep: another reviewer approves it`,
          `该筛查由 ${actor.name} 申请，须由另一位审核人批准`,
          'id',
        );
      // The date and the version are checked again: a version may have been retired since the request.
      await checked({ policyId: request.policy.id, version: request.policy.version, asOf: request.asOf });
      const decided = await decide(request, {
        status: 'approved',
        decidedBy: actor.name,
        decidedById: actor.id,
        decidedAt: new Date(),
      });
      // Decided at the same moment by someone else: answered as their decision stands.
      if (!decided) return service.approve(actor, id);
      await launch({ ...request, status: 'approved' });
      return service.progress(id);
    },

    /**
     * Live progress while the workflow runs, the stored record once it has ended, the request until
     * it starts; NO_SWEEP when none exists, and at once for anything that is not a sweep's ID: whoever
     * may ask, the answer must not say whether some other workflow runs (security review S14).
     */
    async progress(id: string): Promise<SweepView> {
      if (!parseSweepWorkflowId(id)) throw noSweep(id);
      const [record, request] = await Promise.all([Sweeps.findById(id).lean(), Requests.findById(id).lean()]);
      return withApproval(await progressOf(id, record, request), request);
    },

    /**
     * Sweeps newest first, from their records; those still running or paused are read live, as
     * `progress` reads them, so the list agrees with a sweep's own status (a record is written
     * between slices and after the end). Sweeps started but not yet recorded are not listed.
     */
    async list(filter: { policyId?: string; status?: SweepView['status']; limit?: number } = {}): Promise<SweepView[]> {
      const where: Record<string, unknown> = {};
      if (filter.policyId) where['policy.id'] = filter.policyId;
      // A finished sweep's record is final; an unfinished one's status may have moved on since.
      if (filter.status)
        where.status = (FINAL_STATUSES as readonly string[]).includes(filter.status)
          ? { $in: [filter.status, 'running', 'paused'] }
          : { $in: ['running', 'paused'] };
      // The newest `limit` (default 100, at most 500) of the records and of the requests, each sorted and cut in
      // the database (security review S15); the two merged and cut again below.
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
      const [records, requests] = await Promise.all([
        filter.status === 'awaiting-approval'
          ? []
          : Sweeps.find(where).sort({ startedAt: -1, _id: -1 }).limit(limit).lean(),
        Requests.find({
          ...(filter.policyId ? { 'policy.id': filter.policyId } : {}),
          ...(filter.status === 'awaiting-approval' ? { status: 'awaiting-approval' } : {}),
        })
          .sort({ requestedAt: -1, _id: -1 })
          .limit(limit)
          .lean(),
      ]);
      const requestOf = new Map(requests.map((request) => [request._id, request]));
      const recorded = new Set(records.map((record) => record._id));
      const views = await Promise.all([
        ...records.map(async (record) =>
          withApproval(
            FINAL_STATUSES.includes(record.status)
              ? fromRecord(record)
              : await progressOf(record._id, record, requestOf.get(record._id) ?? null).catch(() => fromRecord(record)),
            requestOf.get(record._id) ?? null,
          ),
        ),
        // Requested and not recorded yet: awaiting approval, declined, or just approved.
        ...requests
          .filter((request) => !recorded.has(request._id))
          .map((request) => service.progress(request._id).catch(() => fromRequest(request))),
      ]);
      return views
        .filter((view) => !filter.status || view.status === filter.status)
        .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1))
        .slice(0, limit);
    },

    pause: (id: string) => steer(id, 'pause'),
    resume: (id: string) => steer(id, 'resume'),
    /** Cancels a running or paused sweep, or declines a request awaiting approval (`actor` is who declines). */
    cancel: (id: string, actor?: User) => steer(id, 'cancel', actor),
  };

  /** The view with its request's approval, when a person requested it. */
  function withApproval(view: SweepView, request: SweepRequestRecord | null): SweepView {
    return request && !view.approval ? { ...view, approval: approvalOf(request) } : view;
  }

  /** A sweep's progress given its stored record and request (or none): live from the workflow while it runs. */
  async function progressOf(
    id: string,
    record: SweepRecord | null,
    request: SweepRequestRecord | null = null,
  ): Promise<SweepView> {
    // Not started (or asked for again after a failed run): its request says where it stands, nothing to ask Temporal.
    if (request && request.status !== 'approved') return fromRequest(request);
    let description;
    try {
      description = await deps.temporal.workflow.getHandle(id).describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    if (!description) {
      if (record) return fromRecord(record);
      if (request) return fromRequest(request);
      throw noSweep(id);
    }
    const status = description.status.name;
    if (status === 'RUNNING') {
      const live = await query(id);
      const base = record ? fromRecord(record) : starting(id, undefined, description.startTime);
      if (!live) return base;
      return {
        ...base,
        ...live,
        id,
        undeterminedCauses: base.undeterminedCauses,
        requestedBy: base.requestedBy,
        ...(base.requestedById ? { requestedById: base.requestedById } : {}),
        live: true,
      };
    }
    if (status === 'COMPLETED' || status === 'CONTINUED_AS_NEW') {
      if (record) return fromRecord(record);
    }
    const base = record ? fromRecord(record) : starting(id, undefined, description.startTime);
    if (status === 'COMPLETED') return base;
    return {
      ...base,
      status: 'failed',
      error: {
        code: `WORKFLOW_${status}`,
        message: `the sweep's workflow ended as ${status.toLowerCase().replace(/_/g, ' ')}`,
        messageZh: '筛查流程异常结束',
      },
    };
  }

  /** A sweep just started: known by its ID, nothing counted yet. */
  function starting(id: string, requestedBy?: string, at: Date = new Date()): SweepView {
    const parsed = parseId(id);
    if (!parsed) throw noSweep(id);
    return {
      ...ZERO,
      id,
      ...parsed,
      status: 'running',
      total: 0,
      slices: 0,
      startedAt: at.toISOString(),
      updatedAt: at.toISOString(),
      ...(requestedBy ? { requestedBy } : {}),
      undeterminedCauses: [],
      live: false,
    };
  }

  /**
   * Pauses, resumes or cancels through the steerSweep update, answered with the workflow's own
   * progress. Refused with SWEEP_FINISHED once the sweep has ended (its validator, or the workflow
   * already closed), naming how it ended. Where the workflow cannot take the update (no worker in
   * time, or one from before the update) the older signal goes, and the progress as it stands answers.
   */
  async function steer(id: string, action: SweepSteer, actor?: User): Promise<SweepView> {
    if (!parseSweepWorkflowId(id)) throw noSweep(id);
    const verb = { pause: '暂停', resume: '继续', cancel: '取消' }[action];
    const request = await Requests.findById(id).lean();
    if (request?.status === 'awaiting-approval') {
      if (action !== 'cancel')
        throw new SweepRefusal(
          'AWAITING_APPROVAL',
          `the sweep ${id} has not started: it awaits a reviewer's approval`,
          `该筛查尚未开始，正等待审核人批准，无法${verb}`,
          'id',
        );
      // Cancelling a request that never started declines it: nothing was screened. Approved at the same
      // moment instead, it answers with the sweep that approval started.
      await decide(request, {
        status: 'declined',
        decidedBy: actor?.name ?? 'unknown',
        ...(actor ? { decidedById: actor.id } : {}),
        decidedAt: new Date(),
      });
      return service.progress(id);
    }
    const finished = (status: string) =>
      new SweepRefusal(
        'SWEEP_FINISHED',
        `the sweep ${id} has ended (${status}): it can no longer ${action}`,
        FINISHED_ZH[status] ? `该筛查任务${FINISHED_ZH[status]}，无法${verb}` : '该筛查任务已结束',
        'id',
      );
    const handle = deps.temporal.workflow.getHandle(id);
    try {
      const live = await deps.temporal.connection.withDeadline(Date.now() + queryTimeoutMs, () =>
        handle.executeUpdate(steerSweepUpdate, { args: [action] }),
      );
      const record = await Sweeps.findById(id).lean();
      const base = record ? fromRecord(record) : starting(id);
      return {
        ...base,
        ...live,
        id,
        undeterminedCauses: base.undeterminedCauses,
        requestedBy: base.requestedBy,
        ...(base.requestedById ? { requestedById: base.requestedById } : {}),
        live: true,
      };
    } catch (error) {
      const ended = updateRefusal(error, ErrorType.SweepFinished);
      if (ended !== undefined) throw finished(ended);
      // Closed (done, cancelled, failed) or never started: its record says which, or there is NO_SWEEP.
      if (error instanceof WorkflowNotFoundError) throw finished((await service.progress(id)).status);
      if (!cannotTakeUpdate(error, steerSweepUpdate.name)) throw error;
    }
    try {
      await handle.signal(
        action === 'pause' ? pauseSweepSignal : action === 'resume' ? resumeSweepSignal : cancelSweepSignal,
      );
    } catch (error) {
      // It ended between the update and the signal.
      if (error instanceof WorkflowNotFoundError) throw finished((await service.progress(id)).status);
      throw error;
    }
    return service.progress(id);
  }

  return service;
}

export type SweepService = ReturnType<typeof createSweepService>;
