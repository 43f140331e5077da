/**
 * The sweep schedules on the real Temporal dev server: both exist in the Asia/Shanghai zone
 * with a week of catch-up, ensured twice without harm; the daily run sweeps today's due
 * subjects (a resident turning 60 today is offered the senior card); the yearly run sweeps every
 * policy in force over the whole population (the childcare subsidy is renewed for the new year).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CATCH_UP_WINDOW, ensureSweepSchedules, sweepScheduleId } from '../services/sweeps/schedules.js';
import { addDays, cityToday } from '../domain/calendar.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { seedCity } from '../infra/seed/index.js';
import { sweepWorkflowId, type ScheduledSweepsResult } from '../workflows/contracts/index.js';
import { scheduledSweeps } from '../workflows/scheduled-sweeps.js';
import { sweep } from '../workflows/sweep.js';
import { addResident, TEST_SECRET } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const prefix = `test-${randomUUID().slice(0, 8)}`;
let client: Client;
let pipeline: Pipeline;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'schedules', { policies: 'store', client });
  await seedCity(pipeline.store, {
    residents: 200,
    enterprises: 0,
    seed: 'schedules',
    secret: TEST_SECRET,
    asOf: '2026-11-01',
  });
  connection = await NativeConnection.connect({ address: stack.temporalAddress });
  worker = await pipeline.worker(connection, stack.temporalNamespace);
  running = worker.run();
}, 120_000);

afterAll(async () => {
  for (const kind of ['daily', 'yearly'] as const)
    await client?.schedule
      .getHandle(sweepScheduleId(kind, prefix))
      .delete()
      .catch(() => undefined);
  worker?.shutdown();
  await running;
  await connection?.close();
  await pipeline?.close();
  await client?.connection.close();
});

describe('the sweep schedules', () => {
  it('run daily at 01:00 and on 1 January in Shanghai time, catch up a week of downtime, and can be ensured again', async () => {
    await ensureSweepSchedules(client, { taskQueue: 'old-queue', prefix });
    const ids = await ensureSweepSchedules(client, { taskQueue: pipeline.taskQueue, prefix });
    expect(ids).toEqual([sweepScheduleId('daily', prefix), sweepScheduleId('yearly', prefix)]);

    const daily = await client.schedule.getHandle(ids[0]).describe();
    expect(daily.spec.timezone).toBe('Asia/Shanghai');
    expect(daily.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 1, end: 1, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
    expect(daily.policies).toMatchObject({ catchupWindow: 7 * 24 * 3600 * 1000, overlap: 'BUFFER_ALL' });
    expect(CATCH_UP_WINDOW).toBe('7 days');
    expect(daily.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'scheduledSweeps',
      taskQueue: pipeline.taskQueue,
      args: [{ kind: 'daily' }],
    });

    const yearly = await client.schedule.getHandle(ids[1]).describe();
    expect(yearly.spec.calendars?.[0]).toMatchObject({
      month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }],
      dayOfMonth: [{ start: 1, end: 1, step: 1 }],
      hour: [{ start: 2, end: 2, step: 1 }],
    });
  });

  it("sweeps today's due residents when the daily schedule fires: a 60th birthday today is offered the card", async () => {
    const today = cityToday();
    const sixty = `${Number(today.slice(0, 4)) - 60}${today.slice(4)}`;
    const resident = await addResident(pipeline.store, sixty, { 'person.localHukou': true, 'person.alive': true });
    // Yesterday's population sweep of the senior card noted that today is the day.
    const yesterday = await client.workflow.execute(sweep, {
      workflowId: sweepWorkflowId('senior-preferential-card', 1, addDays(today, -1)),
      taskQueue: pipeline.taskQueue,
      args: [
        {
          policy: { id: 'senior-preferential-card', version: 1 },
          asOf: addDays(today, -1),
          requestedBy: 'test',
          startsPerSecond: 500,
        },
      ],
    });
    expect(yesterday.horizonsNoted).toBeGreaterThan(0);

    const schedule = client.schedule.getHandle(sweepScheduleId('daily', prefix));
    await schedule.trigger();
    await expect
      .poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const started = (await schedule.describe()).info.recentActions[0].action.workflow;
    const result = await client.workflow
      .getHandle<typeof scheduledSweeps>(started.workflowId, started.firstExecutionRunId)
      .result();

    expect(result.kind).toBe('daily');
    expect(result.asOf).toBe(today);
    const card = result.sweeps.find((s) => s.policy.id === 'senior-preferential-card');
    expect(card).toMatchObject({
      workflowId: sweepWorkflowId('senior-preferential-card', 1, today, 'due'),
      status: 'done',
    });
    expect(card!.eligible).toBeGreaterThanOrEqual(1);
    // Only date-driven policies are swept daily; every one of them is in the run.
    expect(result.sweeps.every((s) => s.status === 'done')).toBe(true);
    await expect
      .poll(
        () =>
          pipeline.models.Offer.countDocuments({
            subjectKey: resident.subjectKey,
            'policy.id': 'senior-preferential-card',
          }),
        { timeout: 20_000 },
      )
      .toBe(1);
  });

  it('renews yearly benefits on 1 January over the whole population, and a second run repeats nothing', async () => {
    const run = (id: string) =>
      client.workflow.execute(scheduledSweeps, {
        workflowId: `yearly-${prefix}-${id}`,
        taskQueue: pipeline.taskQueue,
        args: [{ kind: 'yearly', asOf: '2027-01-01' }],
      });
    const result: ScheduledSweepsResult = await run('first');
    expect(result.asOf).toBe('2027-01-01');
    const childcare = result.sweeps.find((s) => s.policy.id === 'childcare-subsidy');
    expect(childcare).toMatchObject({ status: 'done', processed: 200 + 1 });
    expect(await pipeline.models.Grant.countDocuments({ 'policy.id': 'childcare-subsidy', period: '2027' })).toBe(
      childcare!.eligible,
    );
    expect(childcare!.eligible).toBeGreaterThan(0);

    const again = await run('second');
    expect(again.sweeps.map((s) => s.status)).toEqual(result.sweeps.map(() => 'already-run'));
  });
});
