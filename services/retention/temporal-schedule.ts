/**
 * The retention purge's Temporal Schedule: daily at 03:00 Asia/Shanghai (after the sweeps of 01:00
 * and 02:00), starting workflows/retention-purge.ts. A run missed while the cluster was down is
 * caught up within a week; overlapping runs are skipped (the next one purges whatever is due).
 * Ensured on every worker start: created, or updated in place.
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../ensure-schedule.js';
import { CITY_TIME_ZONE } from '../../domain/calendar.js';
import {
  RETENTION_PURGE_WORKFLOW_TYPE,
  retentionPurgeWorkflowId,
  retentionScheduleId,
  type RetentionPurgeInput,
} from '../../workflows/contracts/index.js';

function options(taskQueue: string, prefix: string) {
  const args: [RetentionPurgeInput] = [{}];
  return {
    scheduleId: retentionScheduleId(prefix),
    spec: {
      calendars: [{ hour: 3, minute: 0, comment: '每日到期数据清理 daily retention purge' }],
      timezone: CITY_TIME_ZONE,
    },
    action: {
      type: 'startWorkflow',
      workflowType: RETENTION_PURGE_WORKFLOW_TYPE,
      workflowId: retentionPurgeWorkflowId(),
      taskQueue,
      args,
    },
    policies: { catchupWindow: '7 days', overlap: ScheduleOverlapPolicy.SKIP, pauseOnFailure: false },
    memo: { purpose: 'daily purge of personal data past its retention period (services/retention/schedule.ts)' },
  } satisfies ScheduleOptions;
}

/** Creates the schedule, or brings an existing one up to date (task queue, calendar, policies). Returns its ID. */
export async function ensureRetentionSchedule(
  client: Client,
  settings: { taskQueue: string; prefix?: string },
): Promise<string> {
  const wanted = options(settings.taskQueue, settings.prefix ?? 'applyfree');
  return ensureSchedule(client, wanted);
}
