/**
 * A Temporal Update's failure as a client reads it: a validator's refusal, by its failure type
 * (workflows/contracts ErrorType), and whether the workflow could not take the update at all —
 * no worker took it before the deadline, or the worker serving it runs code from before the
 * update's handler. Callers refuse on the first and fall back to the older signal on the second.
 */
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/** The first detail of a validator's refusal of failure type `type` (say, the status it refused in); undefined for any other error. */
export function updateRefusal(error: unknown, type: string): string | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== type) return undefined;
  return typeof cause.details?.[0] === 'string' ? cause.details[0] : '';
}

/**
 * True when the workflow could not take update `name` at all. A worker without the handler
 * rejects it with this message and no failure type (the SDK's own wording, the only thing to match).
 */
export function cannotTakeUpdate(error: unknown, name: string): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  return (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.message.startsWith(`No registered handler for update: ${name}`)
  );
}
