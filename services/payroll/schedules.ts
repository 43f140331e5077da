/**
 * The payroll schedules (按月发放 on a calendar): one Temporal Schedule per recurring policy, in
 * the Asia/Shanghai zone, on a configurable day of the month at 03:00 (a yearly policy on that day
 * of January), starting workflows/scheduled-payroll.ts, which runs the period's payroll up to its
 * preview. Runs missed while the cluster was down are caught up within a month, one after another,
 * each paying the period it stood for. Ensured on every worker start: created, or updated in place.
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../ensure-schedule.js';
import { CITY_TIME_ZONE } from '../../domain/calendar.js';
import type { Policy } from '../../rules/types.js';
import {
  payrollScheduleId,
  SCHEDULED_PAYROLL_WORKFLOW_TYPE,
  scheduledPayrollWorkflowId,
  type ScheduledPayrollInput,
} from '../../workflows/contracts/index.js';

/** Payroll runs missed while Temporal or every worker was down are started late, within this window. */
export const PAYROLL_CATCH_UP_WINDOW = '31 days';
/** The day of the month a payroll runs when none is configured for its policy. */
export const DEFAULT_PAYROLL_DAY = 5;

/** The schedule of one recurring policy's payroll. Throws RangeError naming dayOfMonth outside 1-28. */
export function payrollScheduleOptions(
  policy: Pick<Policy, 'id' | 'period' | 'title'>,
  settings: { taskQueue: string; prefix?: string; dayOfMonth?: number },
) {
  if (policy.period === 'once') throw new RangeError(`policy: ${policy.id} is paid once, it has no payroll`);
  const dayOfMonth = settings.dayOfMonth ?? DEFAULT_PAYROLL_DAY;
  // Every month has a 28th: a later day would skip February.
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 28)
    throw new RangeError(`dayOfMonth: ${dayOfMonth} is not a day 1-28`);
  const args: [ScheduledPayrollInput] = [{ policyId: policy.id, cadence: policy.period }];
  return {
    scheduleId: payrollScheduleId(policy.id, settings.prefix),
    spec: {
      calendars: [
        {
          ...(policy.period === 'year' ? { month: 'JANUARY' as const } : {}),
          dayOfMonth,
          hour: 3,
          minute: 0,
          comment: `按月发放 payroll: ${policy.title.zh} ${policy.title.en}`,
        },
      ],
      timezone: CITY_TIME_ZONE,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: SCHEDULED_PAYROLL_WORKFLOW_TYPE,
      workflowId: scheduledPayrollWorkflowId(policy.id),
      taskQueue: settings.taskQueue,
      args,
    },
    policies: {
      catchupWindow: PAYROLL_CATCH_UP_WINDOW,
      overlap: ScheduleOverlapPolicy.BUFFER_ALL,
      pauseOnFailure: false,
    },
    memo: { purpose: `payroll of ${policy.id}, paid by the ${policy.period}` },
  } satisfies ScheduleOptions;
}

/**
 * Creates the payroll schedule of every recurring policy given, or brings an existing one up to
 * date (day, task queue, policies). `days` sets a policy's day of the month. Returns the IDs.
 */
export async function ensurePayrollSchedules(
  client: Client,
  policies: ReadonlyArray<Pick<Policy, 'id' | 'period' | 'title'>>,
  settings: { taskQueue: string; prefix?: string; days?: Readonly<Record<string, number>> },
): Promise<string[]> {
  const ids: string[] = [];
  for (const policy of policies) {
    if (policy.period === 'once') continue;
    const wanted = payrollScheduleOptions(policy, { ...settings, dayOfMonth: settings.days?.[policy.id] });
    ids.push(await ensureSchedule(client, wanted));
  }
  return ids;
}
