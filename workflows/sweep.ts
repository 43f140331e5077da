/**
 * A sweep (主动办): one batch workflow screens the whole population for one published policy
 * version as of a date, slice by slice, and acts only on the eligible (never one workflow per
 * resident screened). The slice activity is the unit of work: its totals are added when its
 * result is recorded, so a worker crash or server restart redoes at most one slice, whose writes
 * are idempotent, and the totals stay exact. Pause, resume and cancel (the steerSweep update, or
 * the older signals) take effect between slices; continue-as-new keeps the history bounded on a
 * city-sized population.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';
import { sweepPart } from './sweep-part.js';
import {
  addCauses,
  addSweepCounts,
  cancelSweepSignal,
  DEFAULT_SWEEP_PARTS,
  DEFAULT_SWEEP_SLICE_SIZE,
  DEFAULT_SWEEP_SLICES_PER_RUN,
  DEFAULT_SWEEP_STARTS_PER_SECOND,
  getSweepProgressQuery,
  MAX_SWEEP_PARTS,
  pauseSweepSignal,
  resumeSweepSignal,
  steerSweepUpdate,
  SWEEP_PARTS_PATCH,
  SWEEP_STEER_UPDATE_PATCH,
  sweepPartSignal,
  sweepPartWorkflowId,
  ZERO_SWEEP_COUNTS,
  type SweepInput,
  type SweepPartReport,
  type SweepProgress,
  type SweepStatus,
  type SweepSteer,
} from './contracts/sweep.js';

const { pinSweepPolicy, recordSweep, splitSweep } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});
/** A slice reads, decides and writes thousands of subjects: a long start-to-close, a heartbeat after every batch. */
const { screenSlice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
});

export async function sweep(input: SweepInput): Promise<SweepProgress> {
  const { workflowId } = workflowInfo();
  const startedAt = input.carried?.startedAt ?? new Date().toISOString();
  let counts = input.carried?.counts ?? ZERO_SWEEP_COUNTS;
  let cursor = input.carried?.cursor;
  let slices = input.carried?.slices ?? 0;
  let paused = input.carried?.paused ?? false;
  const causes = { ...input.carried?.undeterminedCauses };
  let cancelled = false;
  /** The loop is stopped on the pause (recording it or waiting): a resume or a cancel moves it on at once. */
  let parked = false;
  let status: SweepStatus = paused ? 'paused' : 'running';
  let updatedAt = new Date().toISOString();
  let pinned = input.carried ? { plan: input.carried.plan, total: input.carried.total } : undefined;

  // Handlers first: a query or signal may arrive before the policy is pinned.
  const progress = (): SweepProgress => ({
    ...counts,
    status,
    policy: pinned?.plan.ref ?? { ...input.policy, hash: '' },
    asOf: input.asOf,
    total: pinned?.total ?? 0,
    slices,
    startedAt,
    updatedAt,
  });
  const steer = (action: SweepSteer) => {
    if (action === 'pause') paused = true;
    else if (action === 'resume') paused = false;
    else cancelled = true;
  };
  /** Refuses steering a sweep that has ended, or pausing and resuming one being cancelled (a validator: no trace in the history). */
  const refuseFinished = (action: SweepSteer) => {
    if (action !== 'pause' && action !== 'resume' && action !== 'cancel')
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `a sweep is paused, resumed or cancelled, not ${String(action)}`,
        nonRetryable: true,
      });
    const ended =
      status === 'done' || status === 'cancelled' ? status : cancelled && action !== 'cancel' ? 'cancelled' : '';
    if (ended)
      throw ApplicationFailure.create({
        type: ErrorType.SweepFinished,
        message: status === ended ? `the sweep has ended (${ended})` : 'the sweep is being cancelled',
        details: [ended],
        nonRetryable: true,
      });
  };
  setHandler(getSweepProgressQuery, progress);
  setHandler(pauseSweepSignal, () => steer('pause'));
  setHandler(resumeSweepSignal, () => steer('resume'));
  setHandler(cancelSweepSignal, () => steer('cancel'));
  setHandler(
    steerSweepUpdate,
    async (action) => {
      steer(action);
      // A parked loop moves on once its pause is recorded: answer with where it went (running or
      // cancelled). A pause or cancel during a slice is taken when the slice ends, minutes on a city: answer now.
      if (parked && action !== 'pause') await condition(() => !parked);
      return progress();
    },
    { validator: refuseFinished },
  );
  const record = () =>
    recordSweep({
      ...progress(),
      caseId: workflowId,
      requestedBy: input.requestedBy,
      ...(input.requestedById ? { requestedById: input.requestedById } : {}),
      undeterminedCauses: causes,
    });

  if (!pinned) {
    pinned = await pinSweepPolicy({
      id: input.policy.id,
      version: input.policy.version,
      asOf: input.asOf,
      scope: input.scope ?? 'population',
    });
    // Listed from the start, not only after its first slice.
    await record();
  }
  const { plan, total } = pinned;
  const sliceSize = input.sliceSize ?? DEFAULT_SWEEP_SLICE_SIZE;
  const startsPerSecond = input.startsPerSecond ?? DEFAULT_SWEEP_STARTS_PER_SECOND;
  const slicesPerRun = input.slicesPerRun ?? DEFAULT_SWEEP_SLICES_PER_RUN;
  // Never fewer than two slices a part; a carried run is always of a one-part sweep (parts never continue as new).
  const parts = Math.min(input.parts ?? DEFAULT_SWEEP_PARTS, MAX_SWEEP_PARTS, Math.floor(total / sliceSize / 2));
  if (!input.carried && (input.scope ?? 'population') === 'population' && parts > 1 && patched(SWEEP_PARTS_PATCH))
    return inParts(parts);

  for (let run = 0; ; run++) {
    if (paused && !cancelled) {
      status = 'paused';
      parked = true;
      await record();
      await condition(() => !paused || cancelled);
      parked = false;
      // sweep-steer-update: resumed, the sweep says so at once, in its record too, rather than only
      // after its next slice. Runs recorded before it went straight on: they replay with patched() false.
      if (!cancelled && patched(SWEEP_STEER_UPDATE_PATCH)) {
        status = 'running';
        await record();
      }
    }
    if (cancelled) {
      status = 'cancelled';
      break;
    }
    status = 'running';
    const slice = await screenSlice({
      caseId: workflowId,
      plan,
      asOf: input.asOf,
      scope: input.scope ?? 'population',
      ...(cursor === undefined ? {} : { cursor }),
      limit: sliceSize,
      startsPerSecond,
    });
    counts = addSweepCounts(counts, slice.counts);
    addCauses(causes, slice.undeterminedCauses);
    cursor = slice.cursor;
    slices += 1;
    updatedAt = new Date().toISOString();
    if (cursor === undefined) {
      status = 'done';
      break;
    }
    await record();
    if (!cancelled && (run + 1 >= slicesPerRun || workflowInfo().continueAsNewSuggested)) {
      // Every steering update answered before the run hands over (none waits here: no command either way).
      await condition(allHandlersFinished);
      await continueAsNew<typeof sweep>({
        ...input,
        carried: { plan, total, counts, cursor, slices, startedAt, paused, undeterminedCauses: causes },
      });
    }
  }
  await record();
  await condition(allHandlersFinished);
  return progress();

  /**
   * The sweep in `count` parts (sweep-parts): the population cut into `_id` ranges of about equal
   * size, each screened by a sweepPart child with its own cursor and slices, side by side. The
   * parts report their totals so far; the sweep's are their sum, recorded as they come. Pause,
   * resume and cancel are passed on to every part, each taking them between its slices; the sweep
   * says paused once every part still running has parked. One run: its history grows by a report
   * and a record per slice (about 8 events), 51,200 events holding some 6,000 slices.
   */
  async function inParts(count: number): Promise<SweepProgress> {
    const reports = new Map<number, SweepPartReport>();
    let reported = false;
    setHandler(sweepPartSignal, (report) => {
      const known = reports.get(report.part)?.status;
      // A part's reports come in order, each with its totals so far; its last is final.
      if (known === 'done' || known === 'cancelled') return;
      reports.set(report.part, report);
      reported = true;
    });
    const { bounds } = await splitSweep({ plan, parts: count });
    const children = await Promise.all(
      Array.from({ length: bounds.length + 1 }, (_, part) =>
        startChild(sweepPart, {
          workflowId: sweepPartWorkflowId(workflowId, part),
          args: [
            {
              sweepId: workflowId,
              part,
              plan,
              asOf: input.asOf,
              ...(part > 0 ? { after: bounds[part - 1] } : {}),
              ...(part < bounds.length ? { until: bounds[part] } : {}),
              sliceSize,
              startsPerSecond,
              slicesPerRun,
              paused,
            },
          ],
        }),
      ),
    );
    let finished = false;
    let failure: unknown;
    void Promise.all(children.map((child) => child.result())).then(
      (results) => {
        for (const result of results) reports.set(result.part, result);
        finished = true;
      },
      (error: unknown) => {
        failure = error;
        finished = true;
      },
    );
    const tellParts = (signal: SignalDefinition<[]>) =>
      // A part that has ended cannot be told: nothing is left for it to do.
      Promise.all(children.map((child) => child.signal(signal).catch(() => undefined)));
    const told = { paused, cancelled: false };
    for (;;) {
      await condition(
        () => finished || reported || (cancelled && !told.cancelled) || (!cancelled && paused !== told.paused),
      );
      if (cancelled && !told.cancelled) {
        told.cancelled = true;
        await tellParts(cancelSweepSignal);
      } else if (!cancelled && paused !== told.paused) {
        told.paused = paused;
        await tellParts(paused ? pauseSweepSignal : resumeSweepSignal);
      }
      if (failure !== undefined) throw failure;
      reported = false;
      const all = [...reports.values()];
      counts = all.reduce((sum, report) => addSweepCounts(sum, report.counts), ZERO_SWEEP_COUNTS);
      for (const fact of Object.keys(causes)) delete causes[fact];
      for (const report of all) addCauses(causes, report.undeterminedCauses);
      slices = all.reduce((sum, report) => sum + report.slices, 0);
      updatedAt = new Date().toISOString();
      if (finished) {
        status = all.some((report) => report.status === 'cancelled') ? 'cancelled' : 'done';
        break;
      }
      const open = all.filter((report) => report.status !== 'done' && report.status !== 'cancelled');
      status =
        paused && !cancelled && reports.size === children.length && open.every((r) => r.status === 'paused')
          ? 'paused'
          : 'running';
      await record();
    }
    await record();
    await condition(allHandlersFinished);
    return progress();
  }
}
