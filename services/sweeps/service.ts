/**
 * Sweeps (主动办) as people steer them: start the sweep of a published policy version as of a
 * date, read its progress (live from the workflow while it runs, from its `sweeps` record once it
 * has ended), list sweeps, and pause, resume or cancel one (an update the workflow answers with its
 * progress). The API and the console use these helpers; the sweep itself is workflows/sweep.ts.
 * Answers hold counts only, never a subject.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { isInForce } from '../../rules/catalog.js';
import { isIsoDate } from '../../rules/dates.js';
import type { Policy, PolicyRef } from '../../rules/types.js';
import { registerSweepModel, type SweepRecord } from '../../store/sweeps.js';
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
} from '../../workflows/contracts/index.js';
import { PolicyLifecycleError, type PolicyLifecycle } from '../policies/lifecycle.js';
import { Refusal } from '../../domain/refusal.js';
import { cannotTakeUpdate, updateRefusal } from '../temporal-updates.js';

/** A sweep as the API, CLI and console show it. `live` when the counts came from the running workflow. */
export interface SweepView extends Omit<SweepProgress, 'status'> {
  id: string;
  status: SweepStatus | 'failed';
  requestedBy?: string;
  undeterminedCauses: Array<{ fact: string; count: number }>;
  live: boolean;
  /** Why a sweep failed (its workflow failed or was terminated). */
  error?: { code: string; message: string; messageZh: string };
}

export type SweepRefusalCode =
  'INVALID_INPUT' | 'POLICY_NOT_FOUND' | 'POLICY_NOT_PUBLISHED' | 'POLICY_NOT_IN_FORCE' | 'NO_SWEEP' | 'SWEEP_FINISHED';

/** A refused sweep request: a stable code, both languages and the field at fault. */
export class SweepRefusal extends Refusal {
  declare readonly code: SweepRefusalCode;
  constructor(code: SweepRefusalCode, message: string, messageZh: string, field?: string) {
    super(code, message, messageZh, field);
  }
}

export interface StartSweepInput {
  policyId: string;
  version: number;
  /** YYYY-MM-DD; default today in the city. */
  asOf?: string;
  sliceSize?: number;
  startsPerSecond?: number;
  requestedBy: string;
  /** The user ID of whoever starts it (every record names it). */
  requestedById?: string;
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

/** Policy and date of a sweep from its workflow ID, for a sweep not yet recorded. */
function parseId(id: string): { policy: PolicyRef; asOf: string } | undefined {
  const parsed = parseSweepWorkflowId(id);
  return parsed ? { policy: { ...parsed.policy, hash: '' }, asOf: parsed.asOf } : undefined;
}

const noSweep = (id: string) => new SweepRefusal('NO_SWEEP', `no sweep ${id}`, `没有该筛查任务：${id}`, 'id');

/** The sweep helpers over a Temporal client and the store; one per process. */
export function createSweepService(deps: SweepServiceDeps) {
  const Sweeps = registerSweepModel(deps.store);
  const today = deps.today ?? (() => cityToday());
  const queryTimeoutMs = deps.queryTimeoutMs ?? 5000;

  async function checkedPolicy(input: StartSweepInput): Promise<Policy> {
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

  const service = {
    /** Starts the sweep, or returns the one already started for this version and date (`created` false). */
    async start(input: StartSweepInput): Promise<SweepView & { created: boolean }> {
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
      if (input.startsPerSecond !== undefined && !(input.startsPerSecond > 0))
        throw new SweepRefusal(
          'INVALID_INPUT',
          'startsPerSecond: a number above 0',
          '每秒启动数须大于 0',
          'startsPerSecond',
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
      const id = sweepWorkflowId(input.policyId, input.version, asOf);
      let created = true;
      try {
        await deps.temporal.workflow.start<SweepWorkflow>(SWEEP_WORKFLOW_TYPE, {
          workflowId: id,
          taskQueue: deps.taskQueue,
          // A finished sweep is not run again for the same date; one that failed may be.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          args: [
            {
              policy: { id: input.policyId, version: input.version },
              asOf,
              requestedBy: input.requestedBy,
              ...(input.requestedById ? { requestedById: input.requestedById } : {}),
              ...(input.sliceSize ? { sliceSize: input.sliceSize } : {}),
              ...(input.startsPerSecond ? { startsPerSecond: input.startsPerSecond } : {}),
            },
          ],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        created = false;
      }
      const view = await service.progress(id).catch(() => undefined);
      return { ...(view ?? starting(id, input.requestedBy)), created };
    },

    /**
     * Live progress while the workflow runs, the stored record once it has ended; NO_SWEEP when
     * neither exists, and at once for anything that is not a sweep's ID: anyone may ask, and the
     * answer must not say whether some other workflow runs (security review S14).
     */
    async progress(id: string): Promise<SweepView> {
      if (!parseSweepWorkflowId(id)) throw noSweep(id);
      return progressOf(id, await Sweeps.findById(id).lean());
    },

    /**
     * Sweeps newest first, from their records; those still running or paused are read live, as
     * `progress` reads them, so the list agrees with a sweep's own status (a record is written
     * between slices and after the end). Sweeps started but not yet recorded are not listed.
     */
    async list(filter: { policyId?: string; status?: SweepStatus; limit?: number } = {}): Promise<SweepView[]> {
      const where: Record<string, unknown> = {};
      if (filter.policyId) where['policy.id'] = filter.policyId;
      // A finished sweep's record is final; an unfinished one's status may have moved on since.
      if (filter.status)
        where.status = FINAL_STATUSES.includes(filter.status)
          ? { $in: [filter.status, 'running', 'paused'] }
          : { $in: ['running', 'paused'] };
      // The newest `limit` (default 100, at most 500), sorted and cut in the database (security review S15).
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
      const records = await Sweeps.find(where).sort({ startedAt: -1, _id: -1 }).limit(limit).lean();
      const views = await Promise.all(
        records.map((record) =>
          FINAL_STATUSES.includes(record.status)
            ? fromRecord(record)
            : progressOf(record._id, record).catch(() => fromRecord(record)),
        ),
      );
      return views
        .filter((view) => !filter.status || view.status === filter.status)
        .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
    },

    pause: (id: string) => steer(id, 'pause'),
    resume: (id: string) => steer(id, 'resume'),
    cancel: (id: string) => steer(id, 'cancel'),
  };

  /** A sweep's progress given its stored record (or none): live from the workflow while it runs. */
  async function progressOf(id: string, record: SweepRecord | null): Promise<SweepView> {
    let description;
    try {
      description = await deps.temporal.workflow.getHandle(id).describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    if (!description) {
      if (record) return fromRecord(record);
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
    // Counters the engine adds later stay absent here until its first record or query.
    const zero = {
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
    return {
      ...zero,
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
  async function steer(id: string, action: SweepSteer): Promise<SweepView> {
    if (!parseSweepWorkflowId(id)) throw noSweep(id);
    const verb = { pause: '暂停', resume: '继续', cancel: '取消' }[action];
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
