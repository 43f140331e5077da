/**
 * The sweep's contract (主动办, workflows/sweep.ts): one batch workflow screens the whole
 * population for one policy version as of a date. Its business-key ID, input and carried state,
 * the progress it reports, and how people steer it: the old signals, and the update that refuses
 * a finished sweep and answers with the progress.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PolicyRef } from '../../rules/types.js';
import type { PolicyPlan } from './shared.js';

/** The sweep's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const SWEEP_WORKFLOW_TYPE = 'sweep';

/** Subjects per slice activity when the input names none. */
export const DEFAULT_SWEEP_SLICE_SIZE = 10_000;
/** Offer or pledge workflows a sweep starts per second at most, when the input names no rate. */
export const DEFAULT_SWEEP_STARTS_PER_SECOND = 50;
/** Slices per workflow run before a sweep continues as new, unless Temporal suggests it sooner. */
export const DEFAULT_SWEEP_SLICES_PER_RUN = 100;
/** Parts a sweep is cut into when its input names none: one cursor, as before parts existed. */
export const DEFAULT_SWEEP_PARTS = 1;
/** The most parts a sweep is cut into. */
export const MAX_SWEEP_PARTS = 16;

/** The workflow type of one part of a sweep (workflows/sweep-part.ts). */
export const SWEEP_PART_WORKFLOW_TYPE = 'sweepPart';

/** Workflow ID of a sweep's part: the sweep's own ID and the part's number, so a part never runs twice. */
export function sweepPartWorkflowId(sweepId: string, part: number): string {
  return `${sweepId}:part-${part}`;
}

/**
 * What a sweep screens: the whole population, or only the subjects whose eligibility horizon
 * (store/horizons.ts) is the sweep's date — the daily milestone sweep.
 */
export type SweepScope = 'population' | 'due';

const PREFIX = 'sweep:';
const ID = /^sweep:([a-z0-9]+(?:-[a-z0-9]+)*)@(\d+):(\d{4}-\d{2}-\d{2})(:due)?$/;

/** Workflow ID of a sweep: one per policy version, date and scope, so the same sweep never runs twice. */
export function sweepWorkflowId(
  policyId: string,
  version: number,
  asOf: string,
  scope: SweepScope = 'population',
): string {
  return `${PREFIX}${policyId}@${version}:${asOf}${scope === 'due' ? ':due' : ''}`;
}

/** Policy version, date and scope of a sweep's workflow ID (`sweep:<id>@<v>:<asOf>[:due]`); undefined for any other ID. */
export function parseSweepWorkflowId(
  workflowId: string,
): { policy: { id: string; version: number }; asOf: string; scope: SweepScope } | undefined {
  const match = ID.exec(workflowId);
  return match
    ? { policy: { id: match[1], version: Number(match[2]) }, asOf: match[3], scope: match[4] ? 'due' : 'population' }
    : undefined;
}

/** A sweep ID as people type it, with or without its `sweep:` prefix (the CLI takes both). */
export function sweepWorkflowIdFromInput(text: string): string {
  return text.startsWith(PREFIX) ? text : `${PREFIX}${text}`;
}

export type SweepStatus = 'running' | 'paused' | 'cancelled' | 'done';

/** Running totals of a sweep; exact however often a slice is retried (a slice's totals are added once). */
export interface SweepCounts {
  processed: number;
  eligible: number;
  ineligible: number;
  undetermined: number;
  /** Eligible subjects whose grant exists after their slice (auto mode; bulk-written). */
  granted: number;
  /** Of those, grants this sweep wrote; the rest already existed (a life event or an earlier sweep). */
  grantsCreated: number;
  /** Offer or pledge workflows started (offer and pledge modes, throttled). */
  started: number;
  /** Eligible subjects whose benefit workflow for the period already existed. */
  alreadyHandled: number;
  /** Notices queued (bulk). */
  noticesQueued: number;
  /** Ineligible subjects noted to become eligible on a known day within the year (the eligibility horizon). */
  horizonsNoted: number;
}

/** Every count at zero: a sweep's start, and the base a slice's totals are added to. */
export const ZERO_SWEEP_COUNTS: Readonly<SweepCounts> = {
  processed: 0,
  eligible: 0,
  ineligible: 0,
  undetermined: 0,
  granted: 0,
  grantsCreated: 0,
  started: 0,
  alreadyHandled: 0,
  noticesQueued: 0,
  horizonsNoted: 0,
};

/** The sum of two totals (a count absent from runs carried over from before it was added starts at 0). */
export function addSweepCounts(a: SweepCounts, b: SweepCounts): SweepCounts {
  const sum = { ...a };
  for (const key of Object.keys(ZERO_SWEEP_COUNTS) as Array<keyof SweepCounts>)
    sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}

/** Adds `more` missing-fact counts into `into`. */
export function addCauses(into: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [fact, count] of Object.entries(more)) into[fact] = (into[fact] ?? 0) + count;
}

export interface SweepInput {
  policy: { id: string; version: number };
  /** YYYY-MM-DD: the policy is evaluated as of this date. */
  asOf: string;
  /** Default 'population'. */
  scope?: SweepScope;
  /** Subjects per slice activity (default DEFAULT_SWEEP_SLICE_SIZE, 10,000): a retried slice redoes at most this many, idempotently. */
  sliceSize?: number;
  /** Offer or pledge workflows started per second at most (default DEFAULT_SWEEP_STARTS_PER_SECOND, 50). */
  startsPerSecond?: number;
  /** Slices per workflow run before it continues as new (default DEFAULT_SWEEP_SLICES_PER_RUN, 100): bounds the history. */
  slicesPerRun?: number;
  /**
   * `_id` ranges screened side by side, each by a child workflow with its own cursor and slices
   * (default DEFAULT_SWEEP_PARTS, 1; at most MAX_SWEEP_PARTS). A population of fewer than two
   * slices a part is cut into fewer. Population sweeps only: a daily ('due') sweep is one part.
   */
  parts?: number;
  /** Who started it (officer name or "schedule"). */
  requestedBy: string;
  /** Their user ID (store/users.ts); absent for the schedule and for sweeps started before user IDs. */
  requestedById?: string;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: SweepCarried;
}

export interface SweepCarried {
  plan: PolicyPlan;
  total: number;
  counts: SweepCounts;
  /** Opaque, encrypted resume position (never a raw ID in the history). */
  cursor?: string;
  slices: number;
  startedAt: string;
  paused: boolean;
  /** Missing facts behind undetermined outcomes so far, with counts. */
  undeterminedCauses: Record<string, number>;
}

export interface SweepProgress extends SweepCounts {
  status: SweepStatus;
  policy: PolicyRef;
  asOf: string;
  total: number;
  slices: number;
  startedAt: string;
  updatedAt: string;
}

export interface SweepSliceResult {
  counts: SweepCounts;
  /** Encrypted position after the slice's last subject; absent when the population is exhausted. */
  cursor?: string;
  /** Missing facts that left subjects undetermined, with counts. */
  undeterminedCauses: Record<string, number>;
}

export type SweepWorkflow = (input: SweepInput) => Promise<SweepProgress>;

/** One part of a sweep in parts: an `_id` range of the population, screened slice by slice. */
export interface SweepPartInput {
  /** The sweep's workflow ID: its case, and where the part reports. */
  sweepId: string;
  part: number;
  plan: PolicyPlan;
  asOf: string;
  /** Sealed key (as a cursor): the part starts after it; absent, from the first subject. */
  after?: string;
  /** Sealed key: the part ends with it; absent, with the last subject. */
  until?: string;
  sliceSize: number;
  startsPerSecond: number;
  slicesPerRun: number;
  /** The sweep was paused when the part started. */
  paused: boolean;
  /** Carried across continue-as-new; absent on the first run. */
  carried?: {
    cursor?: string;
    counts: SweepCounts;
    slices: number;
    paused: boolean;
    undeterminedCauses: Record<string, number>;
  };
}

/** What a part tells its sweep after each slice, when it parks, and when it ends: its totals so far. */
export interface SweepPartReport {
  part: number;
  status: SweepStatus;
  counts: SweepCounts;
  slices: number;
  undeterminedCauses: Record<string, number>;
}

export type SweepPartWorkflow = (input: SweepPartInput) => Promise<SweepPartReport>;

/** A part's report to its sweep (the totals so far, so a later report replaces an earlier one). */
export const sweepPartSignal = defineSignal<[SweepPartReport]>('sweepPartProgress');

export const getSweepProgressQuery = defineQuery<SweepProgress>('getSweepProgress');

/** What an officer or reviewer asks of a running sweep. */
export type SweepSteer = 'pause' | 'resume' | 'cancel';

/**
 * Pause, resume or cancel, answered with the sweep's progress once the workflow has taken it in.
 * A paused sweep resumes or stops at once; a pause or cancel asked during a slice takes effect
 * when that slice ends (the answer then still says running). Refused (ApplicationFailure of type
 * ErrorType.SweepFinished, details [its status]) once the sweep has ended or is being cancelled.
 */
export const steerSweepUpdate = defineUpdate<SweepProgress, [SweepSteer]>('steerSweep');

/** Pause after the slice in flight; resume continues exactly where it stopped. Kept for clients from before steerSweepUpdate. */
export const pauseSweepSignal = defineSignal('pauseSweep');
export const resumeSweepSignal = defineSignal('resumeSweep');
/** Stop after the slice in flight; what was granted stays granted. Kept for clients from before steerSweepUpdate. */
export const cancelSweepSignal = defineSignal('cancelSweep');

/**
 * Patch (steerSweepUpdate): a resumed sweep records its running status at once, before its
 * next slice, so the stored record agrees with the resume's answer; before it, the record said
 * paused until that slice ended. Pinned by sweep-paused-continued@sweep-steer-update.
 */
export const SWEEP_STEER_UPDATE_PATCH = 'sweep-steer-update';

/**
 * Patch (parts): a sweep whose input asks for more than one part cuts the population into `_id`
 * ranges and screens each in a child workflow (sweepPart). Asked only when parts > 1, which no
 * run from before it asked for. Pinned by sweep-parts@sweep-parts.
 */
export const SWEEP_PARTS_PATCH = 'sweep-parts';
