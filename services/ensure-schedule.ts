/**
 * One Temporal Schedule as the code describes it: created when missing, brought up to date when it
 * exists (calendar, action with its task queue, overlap and catch-up policies). The sweep, payroll
 * and retention schedules are each ensured so at every worker start.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';

/** Creates the schedule, or updates the one already there; returns its ID. */
export async function ensureSchedule(client: Client, wanted: ScheduleOptions): Promise<string> {
  try {
    await client.schedule.create(wanted);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(wanted.scheduleId)
      .update((previous) => ({ ...previous, spec: wanted.spec, action: wanted.action, policies: wanted.policies }));
  }
  return wanted.scheduleId;
}
