/**
 * What a paused sweep did, read from its workflow history rather than watched for a while: the
 * slices it scheduled before the pause, between the pause and the resume, and after. A pause or
 * resume is the steerSweep update the API sends, or the older signal a client from before it sends.
 * A sleep cannot show that nothing moves; the history lists every slice the workflow ever asked for.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  pauseSweepSignal,
  resumeSweepSignal,
  steerSweepUpdate,
  type SweepSteer,
} from '../../workflows/contracts/index.js';

export interface SlicesAroundPause {
  beforePause: number;
  whilePaused: number;
  afterResume: number;
}

/** Counts the `screenSlice` activities scheduled around the first pause and resume of a sweep's current run. */
export async function slicesAroundPause(handle: WorkflowHandle): Promise<SlicesAroundPause> {
  const events = (await handle.fetchHistory()).events ?? [];
  const steered = (action: SweepSteer, signal: string) =>
    events.findIndex((event) => {
      if (event.workflowExecutionSignaledEventAttributes?.signalName === signal) return true;
      const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
      if (update?.name !== steerSweepUpdate.name) return false;
      const [arg] = update.args?.payloads ?? [];
      return arg !== undefined && defaultPayloadConverter.fromPayload<SweepSteer>(arg) === action;
    });
  const paused = steered('pause', pauseSweepSignal.name);
  const resumed = steered('resume', resumeSweepSignal.name);
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
