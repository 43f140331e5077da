/**
 * One Temporal Schedule as the code describes it: created when missing, brought up to date when it
 * exists (calendar, action with its task queue, overlap and catch-up policies). The sweep, payroll
 * and retention schedules are each ensured so at every worker start.
 *
 * A worker often starts while its server does (a deploy, a restart after a crash): the frontend
 * answers before the scheduler's own workflows are loaded again, and describing a schedule fails
 * for a while with a server-side status. Such failures are waited out, with backoff, for up to
 * `patienceMs`; a refusal (bad spec, no permission) fails at once.
 */
import { ScheduleAlreadyRunning, ServiceError, type Client, type ScheduleOptions } from '@temporalio/client';

/**
 * gRPC statuses that say the request itself is wrong or not allowed, so trying again cannot help:
 * INVALID_ARGUMENT, PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED.
 */
const REFUSALS = new Set<number>([3, 7, 12, 16]);

export interface EnsureScheduleOptions {
  /** How long server-side failures are waited out before the last one is thrown (default 120 s). */
  readonly patienceMs?: number;
  /** Told of each failure that will be tried again. */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  /** For tests: how a wait is made. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Whether a failed schedule call may succeed when made again: a server-side or transport failure. */
export function isTransientScheduleFailure(error: unknown): boolean {
  if (!(error instanceof ServiceError)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code !== 'number' || !REFUSALS.has(code);
}

async function ensureOnce(client: Client, wanted: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(wanted);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(wanted.scheduleId)
      .update((previous) => ({ ...previous, spec: wanted.spec, action: wanted.action, policies: wanted.policies }));
  }
}

/** Creates the schedule, or updates the one already there; returns its ID. */
export async function ensureSchedule(
  client: Client,
  wanted: ScheduleOptions,
  options: EnsureScheduleOptions = {},
): Promise<string> {
  const patienceMs = options.patienceMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let waited = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureOnce(client, wanted);
      return wanted.scheduleId;
    } catch (error) {
      const waitMs = Math.min(250 * 2 ** (attempt - 1), 5_000);
      if (!isTransientScheduleFailure(error) || waited + waitMs > patienceMs) {
        throw new Error(`schedule ${wanted.scheduleId}: ${describeFailure(error)}`, { cause: error });
      }
      options.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs);
      waited += waitMs;
    }
  }
}

/** The SDK's message with the server's own reason after it ("Failed to describe schedule: 14 UNAVAILABLE: …"). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
