/**
 * What a paused sweep did, read from its workflow history rather than watched for a while: the
 * slices it scheduled before the pause signal, between the pause and the resume signals, and after.
 * A sleep cannot show that nothing moves; the history lists every slice the workflow ever asked for.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { pauseSweepSignal, resumeSweepSignal } from '../../workflows/contracts/index.js';

export interface SlicesAroundPause {
  beforePause: number;
  whilePaused: number;
  afterResume: number;
}

/** Counts the `screenSlice` activities scheduled around the first pause and resume of a sweep's current run. */
export async function slicesAroundPause(handle: WorkflowHandle): Promise<SlicesAroundPause> {
  const events = (await handle.fetchHistory()).events ?? [];
  const signalled = (name: string) =>
    events.findIndex((event) => event.workflowExecutionSignaledEventAttributes?.signalName === name);
  const paused = signalled(pauseSweepSignal.name);
  const resumed = signalled(resumeSweepSignal.name);
  if (paused < 0 || resumed < paused)
    throw new Error(`${handle.workflowId}: no pause then resume in this run's history (continued as new since?)`);
  const slices = (from: number, to: number) =>
    events
      .slice(from, to)
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'screenSlice').length;
  return {
    beforePause: slices(0, paused),
    whilePaused: slices(paused, resumed),
    afterResume: slices(resumed, events.length),
  };
}
