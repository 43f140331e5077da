/**
 * One part of a sweep in parts (workflows/sweep.ts): an `_id` range of the population, screened
 * slice by slice with its own cursor, as a one-part sweep screens the whole. Its totals are added
 * when a slice's result is recorded, so a crash redoes at most one slice (whose writes are keyed)
 * and the totals stay exact. It takes pause, resume and cancel from its sweep between slices, and
 * reports its totals so far to the sweep after each slice, when it parks and when it ends; the
 * last report and its result carry the same totals.
 */
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';
import {
  addCauses,
  addSweepCounts,
  cancelSweepSignal,
  pauseSweepSignal,
  resumeSweepSignal,
  sweepPartSignal,
  ZERO_SWEEP_COUNTS,
  type SweepPartInput,
  type SweepPartReport,
  type SweepStatus,
} from './contracts/sweep.js';

/** As the sweep's: a slice reads, decides and writes thousands of subjects, with a heartbeat after every batch. */
const { screenSlice } = proxyActivities<Activities>({
  ...ACTIVITY_OPTIONS,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
});

export async function sweepPart(input: SweepPartInput): Promise<SweepPartReport> {
  let counts = input.carried?.counts ?? ZERO_SWEEP_COUNTS;
  const causes = { ...input.carried?.undeterminedCauses };
  let slices = input.carried?.slices ?? 0;
  let cursor = input.carried ? input.carried.cursor : input.after;
  let paused = input.carried?.paused ?? input.paused;
  let cancelled = false;
  setHandler(pauseSweepSignal, () => void (paused = true));
  setHandler(resumeSweepSignal, () => void (paused = false));
  setHandler(cancelSweepSignal, () => void (cancelled = true));

  const sweep = getExternalWorkflowHandle(input.sweepId);
  const report = (status: SweepStatus): SweepPartReport => ({
    part: input.part,
    status,
    counts,
    slices,
    undeterminedCauses: causes,
  });
  const tell = (status: SweepStatus) => sweep.signal(sweepPartSignal, report(status));

  for (let run = 0; ; run++) {
    if (paused && !cancelled) {
      await tell('paused');
      await condition(() => !paused || cancelled);
      if (!cancelled) await tell('running');
    }
    if (cancelled) break;
    const slice = await screenSlice({
      caseId: input.sweepId,
      part: input.part,
      plan: input.plan,
      asOf: input.asOf,
      ...(cursor === undefined ? {} : { cursor }),
      ...(input.until === undefined ? {} : { until: input.until }),
      limit: input.sliceSize,
      startsPerSecond: input.startsPerSecond,
    });
    counts = addSweepCounts(counts, slice.counts);
    addCauses(causes, slice.undeterminedCauses);
    slices += 1;
    cursor = slice.cursor;
    if (cursor === undefined) break;
    await tell('running');
    if (!cancelled && (run + 1 >= input.slicesPerRun || workflowInfo().continueAsNewSuggested))
      await continueAsNew<typeof sweepPart>({
        ...input,
        carried: { cursor, counts, slices, paused, undeterminedCauses: causes },
      });
  }
  const ended = report(cancelled ? 'cancelled' : 'done');
  await sweep.signal(sweepPartSignal, ended);
  return ended;
}
