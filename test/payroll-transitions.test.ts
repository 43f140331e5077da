/**
 * An entitlement's life through the payroll, on the real stack (Java time-skipping server,
 * FerretDB, Redis): a resident whose record the registry no longer holds is suspended with a
 * notice (not ended: missing data is not a no), stays suspended while it is missing, and is
 * resumed — paid again, told so — by the first payroll that finds it back; each move recorded
 * once with its cause.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ledgerRef } from '../domain/ledger.js';
import { createEntitlementService } from '../services/payroll/entitlements.js';
import { createPayrollService } from '../services/payroll/service.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { registerPayrollModels } from '../store/payroll.js';
import { removeFacts, updateFacts } from './support/city.js';
import { payrollCity } from './support/payroll-city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let city: ReturnType<typeof payrollCity>;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'transitions');
  ({ env, pipeline } = harness);
  city = payrollCity(env, pipeline);
});

afterAll(async () => {
  await harness?.close();
});

describe('suspended entitlements', () => {
  it('a resident whose record goes missing is suspended, stays so while it is missing, and is paid again once it is back', async () => {
    const { Entitlement, EntitlementTransition } = registerEntitlementModels(pipeline.store);
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const resident = await city.senior('1942-02-02', '2026-01');
    const key = `old-age-allowance:${resident.subjectKey}`;

    await removeFacts(pipeline.store, resident, ['person.alive']);
    expect(await city.runPayroll('2026-02')).toMatchObject({ lines: 0, suspended: 1 });
    expect(await Entitlement.findById(key).lean()).toMatchObject({ status: 'suspended' });
    // Still missing next month: nothing paid, nothing recorded again.
    expect(await city.runPayroll('2026-03')).toMatchObject({ lines: 0, suspended: 0 });

    await updateFacts(pipeline.store, resident, { 'person.alive': true });
    expect(await city.runPayroll('2026-04')).toMatchObject({ lines: 1, totalFen: 10_000 });
    expect(await Entitlement.findById(key).lean()).toMatchObject({ status: 'active' });
    expect((await Entitlement.findById(key).lean())?.reason).toBeUndefined();
    const paid = await PaymentLine.find({ subjectKey: resident.subjectKey }).lean();
    expect(paid.map((line) => line.period)).toEqual(['2026-04']);

    const transitions = await EntitlementTransition.find({ entitlementKey: key }).sort({ at: 1 }).lean();
    expect(transitions.map((t) => [t.from, t.to, t.cause, t.effectiveFrom])).toEqual([
      ['active', 'suspended', 're-check', '2026-02'],
      ['suspended', 'active', 're-check', '2026-04'],
    ]);
    expect(transitions[0].why.en).toMatch(/data missing at the re-check: person\.alive/);
    const notices = await harness.noticeTemplates(resident.subjectKey);
    expect(notices).toContain('entitlement.suspended');
    expect(notices).toContain('entitlement.resumed');
  });
});

describe('starting a payroll', () => {
  it('refuses, naming the field, a policy not in force, one paid once, and a period of the wrong kind, and names who started the one it starts', async () => {
    const officer = { id: 'u_officer7', name: '孙经办', role: 'officer' as const };
    const service = createPayrollService({
      store: pipeline.store,
      temporal: env.client,
      taskQueue: pipeline.taskQueue,
      policies: pipeline.policies,
    });
    await expect(service.start(officer, { policyId: 'no-such-policy', period: '2026-05' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'policyId',
    });
    await expect(
      service.start(officer, { policyId: 'business-startup-subsidy', period: '2026-05' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'policyId', message: expect.stringMatching(/paid once/) });
    await expect(service.start(officer, { policyId: 'old-age-allowance', period: '2026' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'period',
      messageZh: expect.stringMatching(/按月发放/),
    });
    expect(await service.start(officer, { policyId: 'old-age-allowance', period: '2026-05' })).toEqual({
      id: 'payroll:old-age-allowance:2026-05',
      created: true,
    });
    await env.client.workflow.getHandle('payroll:old-age-allowance:2026-05').result();
    expect(await service.batch('payroll:old-age-allowance:2026-05')).toMatchObject({
      status: 'preview',
      startedBy: officer.name,
      startedById: officer.id,
    });
  });
});

describe('an officer steering an entitlement', () => {
  it('suspends it with a reason (no payroll resumes it), resumes it, and each move is recorded and told', async () => {
    const officer = { id: 'u_officer8', name: '钱经办', role: 'officer' as const };
    const reviewer = { id: 'u_reviewer8', name: '冯审核', role: 'reviewer' as const };
    const { EntitlementTransition } = registerEntitlementModels(pipeline.store);
    const service = createEntitlementService({
      store: pipeline.store,
      policies: pipeline.policies,
      notify: (input) => pipeline.activities.enqueueNotice(input),
    });
    const resident = await city.senior('1943-03-03', '2027-01');
    const ref = ledgerRef('old-age-allowance', resident.subjectKey);
    const listed = await service.list(reviewer, { policyId: 'old-age-allowance', status: 'active' });
    expect(listed.find((e) => e.ref === ref)).toMatchObject({ firstPeriod: '2027-01', nextReviewOn: '2027-02-01' });
    expect(JSON.stringify(listed)).not.toContain(resident.subjectKey);
    expect(JSON.stringify(listed)).not.toContain(resident.id);

    await expect(
      service.move(reviewer, 'old-age-allowance', ref, 'suspend', { reason: '家属报告长期住院' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN_ROLE',
    });
    await expect(service.move(officer, 'old-age-allowance', ref, 'suspend', { reason: '短' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'reason',
    });
    expect(
      await service.move(officer, 'old-age-allowance', ref, 'suspend', { reason: '家属报告长期住院，待核实' }),
    ).toMatchObject({
      status: 'suspended',
      reason: { zh: '经办人员暂停：家属报告长期住院，待核实' },
    });
    // The same move again changes nothing; a resume of an active one is refused.
    await service.move(officer, 'old-age-allowance', ref, 'suspend', { reason: '家属报告长期住院，待核实' });
    await city.runPayroll('2027-02');
    const paidTo = async () =>
      (await registerPayrollModels(pipeline.store).PaymentLine.find({ subjectKey: resident.subjectKey }).lean()).map(
        (line) => line.period,
      );
    expect(await paidTo()).toEqual([]);
    expect(
      (await service.list(officer, { policyId: 'old-age-allowance', status: 'suspended' })).map((e) => e.ref),
    ).toContain(ref);

    await service.move(officer, 'old-age-allowance', ref, 'resume', { reason: '已核实，恢复发放' });
    await expect(
      service.move(officer, 'old-age-allowance', ref, 'resume', { reason: '已核实，恢复发放' }),
    ).resolves.toMatchObject({ status: 'active' });
    await city.runPayroll('2027-03');
    expect(await paidTo()).toEqual(['2027-03']);

    const transitions = await EntitlementTransition.find({ subjectKey: resident.subjectKey }).sort({ at: 1 }).lean();
    expect(transitions.map((t) => [t.from, t.to, t.cause, t.by, t.effectiveFrom])).toEqual([
      ['active', 'suspended', 'officer', officer.id, '2027-02'],
      ['suspended', 'active', 'officer', officer.id, '2027-02'],
    ]);
    const notices = await harness.noticeTemplates(resident.subjectKey);
    expect(notices).toEqual(expect.arrayContaining(['entitlement.suspended', 'entitlement.resumed']));
    await expect(
      service.move(officer, 'old-age-allowance', `LG${'0'.repeat(24)}`, 'end', { reason: '核实后终止发放' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      field: 'ref',
    });
  });
});
