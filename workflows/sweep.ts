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
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';
import {
  cancelSweepSignal,
  DEFAULT_SWEEP_SLICE_SIZE,
  DEFAULT_SWEEP_SLICES_PER_RUN,
  DEFAULT_SWEEP_STARTS_PER_SECOND,
  getSweepProgressQuery,
  pauseSweepSignal,
  resumeSweepSignal,
  steerSweepUpdate,
  SWEEP_STEER_UPDATE_PATCH,
  ZERO_SWEEP_COUNTS,
  type SweepCounts,
  type SweepInput,
  type SweepProgress,
  type SweepStatus,
  type SweepSteer,
} from './contracts/sweep.js';

const { pinSweepPolicy, recordSweep } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 10 },
});
/** A slice reads, decides and writes thousands of subjects: a long start-to-close, a heartbeat after every batch. */
const { screenSlice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
});

function add(a: SweepCounts, b: SweepCounts): SweepCounts {
  const sum = { ...a };
  // A count added in a later release is absent from runs carried over from before it: it starts at 0.
  for (const key of Object.keys(ZERO_SWEEP_COUNTS) as Array<keyof SweepCounts>)
    sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}

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
      limit: input.sliceSize ?? DEFAULT_SWEEP_SLICE_SIZE,
      startsPerSecond: input.startsPerSecond ?? DEFAULT_SWEEP_STARTS_PER_SECOND,
    });
    counts = add(counts, slice.counts);
    for (const [fact, count] of Object.entries(slice.undeterminedCauses)) causes[fact] = (causes[fact] ?? 0) + count;
    cursor = slice.cursor;
    slices += 1;
    updatedAt = new Date().toISOString();
    if (cursor === undefined) {
      status = 'done';
      break;
    }
    await record();
    if (
      !cancelled &&
      (run + 1 >= (input.slicesPerRun ?? DEFAULT_SWEEP_SLICES_PER_RUN) || workflowInfo().continueAsNewSuggested)
    ) {
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
}
