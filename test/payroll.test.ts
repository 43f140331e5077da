/**
 * The payroll (按月发放) on the real stack (Java time-skipping server, FerretDB, Redis): an old-age
 * allowance paid through 13 months across a 90th birthday, 100 CNY a month until the month of the
 * birthday and 200 from the month after; a resident who moves their household away is ended with a
 * notice; every batch balances to the fen and is released only by a reviewer who did not start it.
 */
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { nextPeriod } from '../domain/entitlements.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import { createPayrollService } from '../services/payroll/service.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { registerPayrollModels } from '../store/payroll.js';
import type { User } from '../store/users.js';
import { benefitWorkflowId, payrollWorkflowId } from '../workflows/contracts/index.js';
import { payroll } from '../workflows/payroll.js';
import { addResident, updateFacts, type TestSubject } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { payrollCity } from './support/payroll-city.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;

const officer: User = { id: 'u_officer1', name: '王经办', role: 'officer' };
const reviewer: User = { id: 'u_reviewer1', name: '李审核', role: 'reviewer' };

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'payroll');
  ({ env, pipeline } = harness);
});

afterAll(async () => {
  await harness?.close();
});

/** Records the first period's grant as a case would (which opens the entitlement): the period holding `asOf`. */
const grantFirstPeriod = (subject: TestSubject, birthDate: string, asOf: string) =>
  payrollCity(env, pipeline).grant(subject, birthDate, asOf.slice(0, 7));

function runPayroll(period: string, startedBy: User = officer) {
  return env.client.workflow.execute(payroll, {
    workflowId: payrollWorkflowId('old-age-allowance', period),
    taskQueue: pipeline.taskQueue,
    args: [
      {
        policyId: 'old-age-allowance',
        period,
        startedBy: startedBy.name,
        startedById: startedBy.id,
        // One entitlement a slice and two slices a run: every payroll continues as new on the way.
        sliceSize: 1,
        slicesPerRun: 2,
      },
    ],
  });
}

describe('the monthly payroll of the old-age allowance', () => {
  it('pays 13 months across a 90th birthday (100 → 200 CNY the month after), ends a move-out with a notice, and every batch balances', async () => {
    const { PaymentLine, PaymentBatch } = registerPayrollModels(pipeline.store);
    const { Entitlement, EntitlementTransition } = registerEntitlementModels(pipeline.store);
    const service = createPayrollService({
      store: pipeline.store,
      temporal: env.client,
      taskQueue: pipeline.taskQueue,
    });
    const nonagenarian = await addResident(pipeline.store, '1936-01-15', {
      'person.localHukou': true,
      'person.alive': true,
    });
    const mover = await addResident(pipeline.store, '1942-06-20', { 'person.localHukou': true, 'person.alive': true });
    await grantFirstPeriod(nonagenarian, '1936-01-15', '2025-04-01');
    await grantFirstPeriod(mover, '1942-06-20', '2025-04-01');

    const paid: Array<[string, number]> = [];
    const batches = [];
    for (let period = '2025-05', month = 0; month < 13; period = nextPeriod(period), month++) {
      // The mover's household leaves the city in July: the August re-check no longer finds it local.
      if (period === '2025-08') await updateFacts(pipeline.store, mover, { 'person.localHukou': false });
      const result = await runPayroll(period);
      const released = await service.release(reviewer, result.batchId);
      expect(released.status).toBe('released');
      const lines = await PaymentLine.find({ batchId: result.batchId, status: 'released' }).lean();
      expect(lines.reduce((sum, line) => sum + line.amountFen, 0)).toBe(released.totalFen);
      expect(lines).toHaveLength(released.counts.lines);
      for (const line of lines) if (line.subjectKey === nonagenarian.subjectKey) paid.push([period, line.amountFen]);
      batches.push(released);
    }

    // 100 CNY (10,000 fen) through January 2026, the month of the 90th birthday; 200 CNY from February.
    expect(paid).toEqual([
      ['2025-05', 10_000],
      ['2025-06', 10_000],
      ['2025-07', 10_000],
      ['2025-08', 10_000],
      ['2025-09', 10_000],
      ['2025-10', 10_000],
      ['2025-11', 10_000],
      ['2025-12', 10_000],
      ['2026-01', 10_000],
      ['2026-02', 20_000],
      ['2026-03', 20_000],
      ['2026-04', 20_000],
      ['2026-05', 20_000],
    ]);
    expect(await Entitlement.findById(`old-age-allowance:${nonagenarian.subjectKey}`).lean()).toMatchObject({
      status: 'active',
      nextReviewOn: '2026-06-01',
    });
    const byPeriod = Object.fromEntries(batches.map((batch) => [batch.period, batch]));
    expect(byPeriod['2025-05']).toMatchObject({ totalFen: 20_000, counts: { lines: 2, new: 0, ended: 0 } });
    expect(byPeriod['2025-08']).toMatchObject({ totalFen: 10_000, counts: { lines: 1, ended: 1 } });
    expect(byPeriod['2026-02']).toMatchObject({ totalFen: 20_000, counts: { lines: 1, amountChanged: 1 } });
    expect(byPeriod['2026-03'].counts).toMatchObject({ amountChanged: 0, new: 0, ended: 0 });
    // The reviewer reads February's line explained: the amount changed from 100 to 200, and why.
    const february = await service.lines(byPeriod['2026-02'].id, {});
    expect(february).toMatchObject({ offset: 0, total: 1 });
    expect(february.lines[0]).toMatchObject({
      period: '2026-02',
      amountFen: 20_000,
      previousFen: 10_000,
      change: 'amount-changed',
      basis: { asOf: '2026-02-01' },
    });
    expect(february.lines[0].basis!.conditions).toContainEqual({ name: 'alive', fact: 'person.alive', result: true });
    expect(JSON.stringify(february)).not.toContain(nonagenarian.subjectKey);
    expect((await service.lines(byPeriod['2026-03'].id, {})).lines[0].change).toBe('same');
    await expect(service.lines(byPeriod['2026-03'].id, { limit: 0 })).rejects.toMatchObject({ field: 'limit' });

    // The mover: ended from August with the reason, one transition, one notice, nothing paid after July.
    const ended = await Entitlement.findById(`old-age-allowance:${mover.subjectKey}`).lean();
    expect(ended).toMatchObject({ status: 'ended', endedFrom: '2025-08' });
    expect(ended!.reason!.en).toMatch(/household registered in the city/);
    const transitions = await EntitlementTransition.find({ subjectKey: mover.subjectKey }).lean();
    expect(transitions.map((t) => [t.from, t.to, t.cause, t.effectiveFrom])).toEqual([
      ['active', 'ended', 're-check', '2025-08'],
    ]);
    expect(await harness.noticeTemplates(mover.subjectKey)).toContain('entitlement.ended');
    expect((await PaymentLine.find({ subjectKey: mover.subjectKey }).lean()).map((line) => line.period).sort()).toEqual(
      ['2025-05', '2025-06', '2025-07'],
    );
    expect(await PaymentBatch.countDocuments({ status: 'released' })).toBe(13);
  });

  it('writes no line twice when the same period runs again, and only a reviewer who did not start it releases', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const service = createPayrollService({
      store: pipeline.store,
      temporal: env.client,
      taskQueue: pipeline.taskQueue,
    });
    const reviewerWhoStarted: User = { id: 'u_reviewer2', name: '赵审核', role: 'reviewer' };
    const first = await runPayroll('2026-09', reviewerWhoStarted);
    const lines = await PaymentLine.countDocuments({ batchId: first.batchId });
    // The same payroll's activities again (a retry after a crash): nothing new is written.
    const { plan, asOf } = await pipeline.activities.beginPayroll({
      batchId: first.batchId,
      policyId: 'old-age-allowance',
      period: '2026-09',
      startedBy: officer.name,
    });
    await new MockActivityEnvironment().run(pipeline.activities.payrollSlice, {
      batchId: first.batchId,
      plan,
      period: '2026-09',
      asOf,
      limit: 100,
    });
    expect(await PaymentLine.countDocuments({ batchId: first.batchId })).toBe(lines);
    expect(await pipeline.activities.assemblePayrollBatch({ batchId: first.batchId })).toEqual(first);

    await expect(service.release(officer, first.batchId)).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    await expect(service.release(reviewerWhoStarted, first.batchId)).rejects.toMatchObject({ code: 'FOUR_EYES' });
    expect((await service.release(reviewer, first.batchId)).releasedById).toBe(reviewer.id);
  });

  it('pays a yearly policy by the year: the childcare subsidy prorated by the months under three, then ended once the child is three', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const { Entitlement } = registerEntitlementModels(pipeline.store);
    const service = createPayrollService({
      store: pipeline.store,
      temporal: env.client,
      taskQueue: pipeline.taskQueue,
    });
    const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'childcare-subsidy')!;
    const child = await addResident(pipeline.store, '2024-09-10', { 'person.localHukou': true });
    const decision = await evaluatePolicy(
      policy,
      { 'person.birthDate': '2024-09-10', 'person.localHukou': true },
      '2025-01-01',
    );
    await pipeline.activities.recordGrant({
      caseId: `life-event:test-${child.subjectKey}`,
      subjectKey: child.subjectKey,
      plan: planOf(policy),
      decision: { ...decision, missingFacts: [], failedSources: [] },
      grantKey: benefitWorkflowId(policy.id, child.subjectKey, decision.period),
      basis: 'auto',
    });
    const yearly = (period: string) =>
      env.client.workflow.execute(payroll, {
        workflowId: payrollWorkflowId(policy.id, period),
        taskQueue: pipeline.taskQueue,
        args: [{ policyId: policy.id, period, startedBy: officer.name, startedById: officer.id }],
      });
    for (const year of ['2026', '2027', '2028']) await service.release(reviewer, (await yearly(year)).batchId);

    // 3,600 CNY for 2026 (twelve months under three); 2,400 for 2027 (January to August); nothing for 2028.
    const lines = await PaymentLine.find({ subjectKey: child.subjectKey }).lean();
    expect(lines.map((line) => [line.period, line.amountFen]).sort()).toEqual([
      ['2026', 360_000],
      ['2027', 240_000],
    ]);
    expect((await service.batch(payrollWorkflowId(policy.id, '2027'))).counts).toMatchObject({ amountChanged: 1 });
    expect(await Entitlement.findById(`childcare-subsidy:${child.subjectKey}`).lean()).toMatchObject({
      period: 'year',
      status: 'ended',
      endedFrom: '2028',
    });
    expect(await harness.noticeTemplates(child.subjectKey)).toContain('entitlement.ended');
    // A month of a yearly policy is refused, naming the field.
    await expect(yearly('2028-01')).rejects.toMatchObject({
      cause: { cause: { message: expect.stringMatching(/^period: 2028-01 is not a year period/) } },
    });
  });
});
