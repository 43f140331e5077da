/**
 * The sweep schedules' contract (Temporal Schedules, Asia/Shanghai; services/sweeps/schedules.ts
 * creates them, workflows/scheduled-sweeps.ts is what they start): schedule and workflow IDs,
 * input and result, and the search attribute Temporal sets on scheduled runs.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SweepStatus } from './sweep.js';

/** The scheduled run's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const SCHEDULED_SWEEPS_WORKFLOW_TYPE = 'scheduledSweeps';

/**
 * daily: at 01:00 each day, a due sweep for every date-driven policy in force (the subjects
 * whose eligibility horizon is today); yearly: on 1 January, a population sweep of every policy
 * in force (yearly renewals, and the horizon for the year ahead).
 */
export type SweepScheduleKind = 'daily' | 'yearly';
const KINDS: readonly SweepScheduleKind[] = ['daily', 'yearly'];
const isKind = (text: string): text is SweepScheduleKind => (KINDS as readonly string[]).includes(text);

/** The schedule ID of a kind; `prefix` keeps deployments (and test runs) sharing a namespace apart. */
export function sweepScheduleId(kind: SweepScheduleKind, prefix = 'applyfree'): string {
  return `${prefix}-${kind}-sweeps`;
}

/** Kind and prefix of a sweep schedule's ID; undefined for any other ID. */
export function parseSweepScheduleId(scheduleId: string): { kind: SweepScheduleKind; prefix: string } | undefined {
  const match = /^(.+)-(\w+)-sweeps$/.exec(scheduleId);
  return match && isKind(match[2]) ? { kind: match[2], prefix: match[1] } : undefined;
}

const RUN_PREFIX = 'scheduled-sweeps-';

/** The workflow ID a schedule gives its runs; Temporal appends each run's scheduled time to it. */
export function scheduledSweepsWorkflowId(kind: SweepScheduleKind): string {
  return `${RUN_PREFIX}${kind}`;
}

/** Kind (and, on a scheduled run, the scheduled time Temporal appended) of a scheduled run's workflow ID. */
export function parseScheduledSweepsWorkflowId(
  workflowId: string,
): { kind: SweepScheduleKind; scheduledAt?: string } | undefined {
  if (!workflowId.startsWith(RUN_PREFIX)) return undefined;
  const [kind, ...rest] = workflowId.slice(RUN_PREFIX.length).split('-');
  if (!isKind(kind)) return undefined;
  return rest.length ? { kind, scheduledAt: rest.join('-') } : { kind };
}

export interface ScheduledSweepsInput {
  kind: SweepScheduleKind;
  /** The city date to sweep as of; absent, the Shanghai date of the scheduled time (so catch-up runs sweep their own day). */
  asOf?: string;
}

export interface ScheduledSweepsResult {
  kind: SweepScheduleKind;
  asOf: string;
  sweeps: Array<{
    workflowId: string;
    policy: { id: string; version: number };
    status: SweepStatus | 'already-run' | 'failed';
    processed?: number;
    eligible?: number;
    error?: string;
  }>;
}

export type ScheduledSweepsWorkflow = (input: ScheduledSweepsInput) => Promise<ScheduledSweepsResult>;

/** Set by Temporal on scheduled runs: when the run was due (also for catch-up runs after downtime). */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
