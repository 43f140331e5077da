/**
 * What every activity gets from the worker, whatever it does:
 * - Liveness. It heartbeats on a timer while it runs, a third of the way into its heartbeat
 *   timeout, so when a worker process dies the server sees the silence within that timeout
 *   and hands the activity to another worker instead of waiting out start-to-close.
 * - Honest failures. A rules-layer error (rules/errors.ts) fails the same way on every
 *   retry — the policy and the facts have not changed — so it becomes a non-retryable
 *   ApplicationFailure of its own type, not an endless retry loop.
 * Outside a worker (tests calling an activity directly) only the error mapping applies.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { RulesError, type RulesErrorCode } from '../rules/errors.js';
import { ErrorType } from '../workflows/contracts/index.js';

type AnyActivity = (...args: never[]) => Promise<unknown>;

const RULES_FAILURES: Record<RulesErrorCode, ErrorType> = {
  POLICY_INVALID: ErrorType.PolicyInvalid,
  POLICY_CATALOG_INVALID: ErrorType.PolicyInvalid,
  POLICY_NOT_FOUND: ErrorType.PolicyNotFound,
  PARAMETER_NOT_IN_FORCE: ErrorType.ParameterNotInForce,
  AMOUNT_UNRESOLVED: ErrorType.AmountUnresolved,
  INVALID_AS_OF: ErrorType.InvalidAsOf,
};

/** A rules error as the non-retryable failure the workflow sees; anything else unchanged. */
export function asActivityFailure(error: unknown): unknown {
  if (!(error instanceof RulesError)) return error;
  return ApplicationFailure.create({
    type: RULES_FAILURES[error.code],
    message: error.message,
    nonRetryable: true,
    cause: error,
  });
}

function guarded<F extends AnyActivity>(activity: F): F {
  const wrapped = async (...args: Parameters<F>) => {
    const context = asyncLocalStorage.getStore();
    const timeoutMs = context?.info.heartbeatTimeoutMs;
    const timer =
      context && timeoutMs
        ? setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3)))
        : undefined;
    try {
      return await activity(...args);
    } catch (error) {
      throw asActivityFailure(error);
    } finally {
      if (timer) clearInterval(timer);
    }
  };
  return wrapped as F;
}

/** The same activities, each heartbeating while it runs and failing honestly. */
export function guardActivities<T extends Record<string, AnyActivity>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, activity]) => [name, guarded(activity)])) as T;
}
