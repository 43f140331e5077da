/**
 * The sweep schedules (主动办 on a calendar): Temporal Schedules in the Asia/Shanghai zone that
 * start workflows/scheduled-sweeps.ts — daily at 01:00 (those whose eligibility horizon is
 * today) and on 1 January at 02:00 (every policy over the whole population: yearly renewals).
 * Runs missed while the cluster was down are caught up within a week, one after another, each
 * sweeping the day it stood for. Ensured on every worker start: created, or updated in place.
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../ensure-schedule.js';
import { CITY_TIME_ZONE } from '../../domain/calendar.js';
import {
  SCHEDULED_SWEEPS_WORKFLOW_TYPE,
  scheduledSweepsWorkflowId,
  sweepScheduleId,
  type ScheduledSweepsInput,
  type SweepScheduleKind,
} from '../../workflows/contracts/index.js';

/** Runs missed while Temporal or every worker was down are started late, within this window. */
export const CATCH_UP_WINDOW = '7 days';

const CALENDARS: Record<SweepScheduleKind, ScheduleOptions['spec']['calendars']> = {
  daily: [{ hour: 1, minute: 0, comment: '每日到期筛查 daily milestone sweep' }],
  yearly: [{ month: 'JANUARY', dayOfMonth: 1, hour: 2, minute: 0, comment: '年度全量筛查 yearly renewal sweep' }],
};

/** The schedule ID of a kind (built by the schedule contract); `prefix` keeps test deployments apart. */
export { sweepScheduleId };

function options(kind: SweepScheduleKind, taskQueue: string, prefix: string) {
  const args: [ScheduledSweepsInput] = [{ kind }];
  return {
    scheduleId: sweepScheduleId(kind, prefix),
    spec: { calendars: CALENDARS[kind], timezone: CITY_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_SWEEPS_WORKFLOW_TYPE,
      workflowId: scheduledSweepsWorkflowId(kind),
      taskQueue,
      args,
    },
    policies: { catchupWindow: CATCH_UP_WINDOW, overlap: ScheduleOverlapPolicy.BUFFER_ALL, pauseOnFailure: false },
    memo: {
      purpose:
        kind === 'daily'
          ? 'daily milestone sweep (eligibility horizon)'
          : 'yearly renewal sweep of every policy in force',
    },
  } satisfies ScheduleOptions;
}

/** Creates both schedules, or brings existing ones up to date (task queue, calendar, policies). Returns their IDs. */
export async function ensureSweepSchedules(
  client: Client,
  settings: { taskQueue: string; prefix?: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of ['daily', 'yearly'] as const) {
    const wanted = options(kind, settings.taskQueue, settings.prefix ?? 'applyfree');
    ids.push(await ensureSchedule(client, wanted));
  }
  return ids;
}
