/**
 * What a paused sweep did, read from its workflow history rather than watched for a while: the
 * slices it scheduled before the pause, between the pause and the resume, and after — each asked
 * by the steerSweep update (accepted in the history) or, from older clients, by its signal.
 * A sleep cannot show that nothing moves; the history lists every slice the workflow ever asked for.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { pauseSweepSignal, resumeSweepSignal, steerSweepUpdate } from '../../workflows/contracts/index.js';

export interface SlicesAroundPause {
  beforePause: number;
  whilePaused: number;
  afterResume: number;
}

/** Counts the `screenSlice` activities scheduled around the first pause and resume of a sweep's current run. */
export async function slicesAroundPause(handle: WorkflowHandle): Promise<SlicesAroundPause> {
  const events = (await handle.fetchHistory()).events ?? [];
  const steered = (event: temporal.api.history.v1.IHistoryEvent, action: 'pause' | 'resume', signal: string) => {
    if (event.workflowExecutionSignaledEventAttributes?.signalName === signal) return true;
    const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const arg = input?.args?.payloads?.[0]?.data;
    return input?.name === steerSweepUpdate.name && arg !== undefined && arg !== null
      ? JSON.parse(Buffer.from(arg).toString('utf8')) === action
      : false;
  };
  const paused = events.findIndex((event) => steered(event, 'pause', pauseSweepSignal.name));
  const resumed = events.findIndex((event) => steered(event, 'resume', resumeSweepSignal.name));
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
