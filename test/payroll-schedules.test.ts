/**
 * The payroll schedules on the real Temporal dev server: one per recurring policy (none for a
 * one-off benefit), on the configured day of the month in Shanghai time with a month of catch-up,
 * ensured twice without harm; triggered, the run pays the current city month's payroll up to its
 * preview, and a second run for the same month reports it already ran.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { cityToday } from '../domain/calendar.js';
import { previousPeriod } from '../domain/entitlements.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import {
  ensurePayrollSchedules,
  PAYROLL_CATCH_UP_WINDOW,
  payrollScheduleOptions,
} from '../services/payroll/schedules.js';
import { registerPayrollModels } from '../store/payroll.js';
import { benefitWorkflowId, payrollScheduleId, payrollWorkflowId } from '../workflows/contracts/index.js';
import { scheduledPayroll } from '../workflows/scheduled-payroll.js';
import { addResident } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const prefix = `test-${randomUUID().slice(0, 8)}`;
let client: Client;
let pipeline: Pipeline;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let policies: readonly Policy[];
let ids: string[] = [];

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'payroll-schedules', { client });
  policies = (await loadPolicyCatalog()).policies;
  connection = await NativeConnection.connect({ address: stack.temporalAddress });
  worker = await pipeline.worker(connection, stack.temporalNamespace);
  running = worker.run();
}, 120_000);

afterAll(async () => {
  for (const id of ids)
    await client?.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  worker?.shutdown();
  await running;
  await connection?.close();
  await pipeline?.close();
  await client?.connection.close();
});

describe('the payroll schedules', () => {
  it('run each recurring policy on its day of the month in Shanghai time, catch up a month, and can be ensured again', async () => {
    await ensurePayrollSchedules(client, policies, { taskQueue: 'old-queue', prefix });
    ids = await ensurePayrollSchedules(client, policies, {
      taskQueue: pipeline.taskQueue,
      prefix,
      days: { 'old-age-allowance': 10 },
    });
    const recurring = policies.filter((p) => p.period !== 'once').map((p) => payrollScheduleId(p.id, prefix));
    expect(ids).toEqual(recurring);
    expect(ids).toContain(payrollScheduleId('old-age-allowance', prefix));
    expect(ids).not.toContain(payrollScheduleId('senior-preferential-card', prefix));

    const oldAge = await client.schedule.getHandle(payrollScheduleId('old-age-allowance', prefix)).describe();
    expect(oldAge.spec.timezone).toBe('Asia/Shanghai');
    expect(oldAge.spec.calendars?.[0]).toMatchObject({
      dayOfMonth: [{ start: 10, end: 10, step: 1 }],
      hour: [{ start: 3, end: 3, step: 1 }],
    });
    expect(oldAge.policies).toMatchObject({ catchupWindow: 31 * 24 * 3600 * 1000, overlap: 'BUFFER_ALL' });
    expect(PAYROLL_CATCH_UP_WINDOW).toBe('31 days');
    expect(oldAge.action).toMatchObject({
      workflowType: 'scheduledPayroll',
      taskQueue: pipeline.taskQueue,
      args: [{ policyId: 'old-age-allowance', cadence: 'month' }],
    });
    const childcare = await client.schedule.getHandle(payrollScheduleId('childcare-subsidy', prefix)).describe();
    expect(childcare.spec.calendars?.[0]).toMatchObject({ month: [{ start: 'JANUARY', end: 'JANUARY', step: 1 }] });
    expect(() =>
      payrollScheduleOptions(
        policies.find((p) => p.id === 'old-age-allowance')!,
        { taskQueue: 'q', dayOfMonth: 31 },
      ),
    ).toThrow(/dayOfMonth/);
  });

  it("pays the current month's payroll up to its preview when triggered, and reports a second run as already run", async () => {
    const { PaymentBatch, PaymentLine } = registerPayrollModels(pipeline.store);
    const month = cityToday().slice(0, 7);
    const policy = policies.find((p) => p.id === 'old-age-allowance')!;
    const facts = { 'person.birthDate': '1940-05-05', 'person.localHukou': true, 'person.alive': true };
    const senior = await addResident(pipeline.store, '1940-05-05', facts);
    const decision = await evaluatePolicy(policy, facts, `${previousPeriod(month)}-01`);
    await pipeline.activities.recordGrant({
      caseId: 'life-event:test-schedule',
      subjectKey: senior.subjectKey,
      plan: planOf(policy),
      decision: { ...decision, missingFacts: [], failedSources: [] },
      grantKey: benefitWorkflowId(policy.id, senior.subjectKey, decision.period),
      basis: 'auto',
    });

    await client.schedule.getHandle(payrollScheduleId('old-age-allowance', prefix)).trigger();
    const batchId = payrollWorkflowId('old-age-allowance', month);
    await expect
      .poll(async () => (await PaymentBatch.findById(batchId).lean())?.status, { timeout: 30_000 })
      .toBe('preview');
    const batch = await PaymentBatch.findById(batchId).lean();
    expect(batch).toMatchObject({ startedBy: 'schedule', totalFen: 10_000, counts: { lines: 1, new: 0 } });
    expect(await PaymentLine.countDocuments({ batchId })).toBe(1);

    const again = await client.workflow.execute(scheduledPayroll, {
      workflowId: `scheduled-payroll-again-${randomUUID().slice(0, 8)}`,
      taskQueue: pipeline.taskQueue,
      args: [{ policyId: 'old-age-allowance', cadence: 'month' }],
    });
    expect(again).toEqual({ policyId: 'old-age-allowance', period: month, status: 'already-run', batchId });
  });
});
