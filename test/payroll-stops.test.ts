/**
 * Stops on life events, on the real stack (Java time-skipping server, FerretDB, Redis): a death
 * accepted after a month was paid ends the old-age allowance from the month after, turns that
 * paid month into a recovery line and stops later payrolls; a move out of the city takes the
 * subject's line out of the batch awaiting release; a release takes out the lines of any subject
 * whose death was accepted before it; a move into the city reaches the normal case path.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { registerPayrollModels } from '../store/payroll.js';
import { recordSubjectStop, registerStopModel } from '../store/stops.js';
import { payrollWorkflowId, stopPaymentsWorkflowId, type StopPaymentsResult } from '../workflows/contracts/index.js';
import { addResident, type TestSubject } from './support/city.js';
import { payrollCity, PAYROLL_REVIEWER, SENIOR_FACTS } from './support/payroll-city.js';
import { ALL_UP } from './support/all-up.js';
import { finished, runEntry } from './support/run-node.js';
import { testSessions, testUser } from './support/users.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
/** The resident whose death the first test registers; the API test reads their payments. */
let deceased: TestSubject;

/** The seniors, payrolls and events of this file's city (test/support/payroll-city.ts). */
let city: ReturnType<typeof payrollCity>;
const reviewer = PAYROLL_REVIEWER;
const FACTS = SENIOR_FACTS;
const service = () => city.service();
const senior = (birthDate: string, firstPeriod: string) => city.senior(birthDate, firstPeriod);
const grant = (subject: TestSubject, birthDate: string, firstPeriod: string) =>
  city.grant(subject, birthDate, firstPeriod);
const runPayroll = (period: string) => city.runPayroll(period);
const ingest = (subject: TestSubject, type: string, occurredOn: string) => city.ingest(subject, type, occurredOn);

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'stops');
  ({ env, pipeline } = harness);
  city = payrollCity(env, pipeline);
});

afterAll(async () => {
  await harness?.close();
});

const linesOf = async (subject: TestSubject) =>
  (await registerPayrollModels(pipeline.store).PaymentLine.find({ subjectKey: subject.subjectKey }).lean())
    .map((line) => [line.period, line.kind, line.status, line.amountFen])
    .sort();

describe('stops on life events', () => {
  it('a death accepted after March was paid ends the allowance from March, recovers March and pays nothing later', async () => {
    const { Entitlement, EntitlementTransition } = registerEntitlementModels(pipeline.store);
    deceased = await senior('1940-01-10', '2026-01');
    for (const period of ['2026-02', '2026-03']) await service().release(reviewer, (await runPayroll(period)).batchId);

    const accepted = await ingest(deceased, 'death.registered', '2026-02-20');
    expect(accepted.status).toBe('accepted');
    const stop = (await env.client.workflow
      .getHandle(stopPaymentsWorkflowId(accepted.caseId))
      .result()) as StopPaymentsResult;
    expect(stop).toEqual({ ended: 1, removed: 0, recovered: 1, recoveredFen: -10_000 });

    expect(await linesOf(deceased)).toEqual([
      ['2026-02', 'payment', 'released', 10_000],
      ['2026-03', 'payment', 'released', 10_000],
      ['2026-03', 'recovery', 'due', -10_000],
    ]);
    expect(await Entitlement.findById(`old-age-allowance:${deceased.subjectKey}`).lean()).toMatchObject({
      status: 'ended',
      endedFrom: '2026-03',
    });
    const transitions = await EntitlementTransition.find({ subjectKey: deceased.subjectKey }).lean();
    expect(transitions.map((t) => [t.to, t.cause, t.causeKey, t.effectiveFrom])).toEqual([
      ['ended', 'event', accepted.caseId, '2026-03'],
    ]);
    expect(transitions[0].why.en).toMatch(/death registered on 2026-02-20/);
    expect(await harness.noticeTemplates(deceased.subjectKey)).toContain('entitlement.ended');

    // The same death delivered again by another registry: one case, nothing stopped or recovered twice.
    await ingest(deceased, 'death.registered', '2026-02-20');
    const april = await service().release(reviewer, (await runPayroll('2026-04')).batchId);
    expect(await linesOf(deceased)).toHaveLength(3);
    expect(april.counts.lines).toBe(0);
  });

  it("a move out of the city takes the subject's line out of the batch awaiting release, and the batch still balances", async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const mover = await senior('1941-03-03', '2026-04');
    const stayer = await senior('1942-04-04', '2026-04');
    const may = await runPayroll('2026-05');
    expect(may).toMatchObject({ lines: 2, totalFen: 20_000 });

    const accepted = await ingest(mover, 'hukou.moved-out', '2026-04-28');
    await env.client.workflow.getHandle(stopPaymentsWorkflowId(accepted.caseId)).result();
    // The preview the reviewer reads already leaves the mover out.
    expect(await service().batch(may.batchId)).toMatchObject({
      status: 'preview',
      totalFen: 10_000,
      counts: { lines: 1, removed: 1 },
    });
    const released = await service().release(reviewer, may.batchId);
    expect(released).toMatchObject({ totalFen: 10_000, counts: { lines: 1, removed: 1 } });
    const paid = await PaymentLine.find({ batchId: may.batchId, status: 'released' }).lean();
    expect(paid.map((line) => line.subjectKey)).toEqual([stayer.subjectKey]);
    expect(paid.reduce((sum, line) => sum + line.amountFen, 0)).toBe(released.totalFen);
    expect(await linesOf(mover)).toEqual([['2026-05', 'payment', 'removed', 10_000]]);
  });

  it('a release takes out the line of a subject whose death was accepted before it, even before the stop workflow ran', async () => {
    const { PaymentLine } = registerPayrollModels(pipeline.store);
    const subject = await senior('1943-06-06', '2026-05');
    const june = await runPayroll('2026-06');
    const line = await PaymentLine.findOne({ batchId: june.batchId, subjectKey: subject.subjectKey }).lean();
    expect(line?.status).toBe('pending');
    // What ingestion records when it accepts the death, before its stop workflow has run.
    await recordSubjectStop(pipeline.store, {
      subjectKey: subject.subjectKey,
      caseId: 'life-event:test-death',
      type: 'death.registered',
      occurredOn: '2026-05-31',
    });
    const released = await service().release(reviewer, june.batchId);
    expect(
      await PaymentLine.countDocuments({ batchId: june.batchId, subjectKey: subject.subjectKey, status: 'released' }),
    ).toBe(0);
    const paid = await PaymentLine.find({ batchId: june.batchId, status: 'released' }).lean();
    expect(paid.reduce((sum, l) => sum + l.amountFen, 0)).toBe(released.totalFen);
  });

  it('a resident who moves away and back is paid again from the month after the return, once granted again', async () => {
    const { Entitlement, EntitlementTransition } = registerEntitlementModels(pipeline.store);
    const returner = await senior('1944-08-08', '2026-08');
    const out = await ingest(returner, 'hukou.moved-out', '2026-08-15');
    await env.client.workflow.getHandle(stopPaymentsWorkflowId(out.caseId)).result();
    expect(await Entitlement.findById(`old-age-allowance:${returner.subjectKey}`).lean()).toMatchObject({
      status: 'ended',
      endedFrom: '2026-09',
    });
    await ingest(returner, 'hukou.moved-in', '2026-09-20');
    expect(await registerStopModel(pipeline.store).findById(returner.subjectKey).lean()).toMatchObject({
      from: '2026-09-01',
      liftedFrom: '2026-10-01',
    });
    // The case path grants October again: the entitlement opens anew, and November's payroll pays it.
    await grant(returner, '1944-08-08', '2026-10');
    await service().release(reviewer, (await runPayroll('2026-11')).batchId);
    expect(await linesOf(returner)).toEqual([['2026-11', 'payment', 'released', 10_000]]);
    const transitions = await EntitlementTransition.find({ subjectKey: returner.subjectKey }).sort({ at: 1 }).lean();
    expect(transitions.map((t) => [t.from, t.to, t.cause, t.effectiveFrom])).toEqual([
      ['active', 'ended', 'event', '2026-09'],
      ['ended', 'active', 'event', '2026-10'],
    ]);
  });

  it('a move into the city reaches the normal case path and stops nothing', async () => {
    const newcomer = await addResident(pipeline.store, '1950-02-02', FACTS);
    const accepted = await ingest(newcomer, 'hukou.moved-in', '2026-06-15');
    expect(accepted.status).toBe('accepted');
    const result = (await env.client.workflow.getHandle(accepted.caseId).result()) as { caseId: string };
    expect(result.caseId).toBe(accepted.caseId);
    expect(await registerStopModel(pipeline.store).findById(newcomer.subjectKey).lean()).toBeNull();
  });

  it('over HTTP and the CLI: an officer starts a payroll, only another reviewer releases it, and the deceased citizen sees paid months, the recovery and why it stopped', async () => {
    const lifecycle = createPolicyLifecycle(pipeline.store);
    const api = buildApi({
      sessions: testSessions(pipeline.store),
      policies: { lifecycle, simulation: createSimulationRunner({ store: pipeline.store, lifecycle }) },
      payroll: service(),
      citizen: createCitizenService({ store: pipeline.store, temporal: env.client }),
      health: ALL_UP,
    });
    try {
      const officerToken = (await testUser(pipeline.store, '周经办', 'officer')).token;
      const reviewerToken = (await testUser(pipeline.store, '吴审核', 'reviewer')).token;
      const citizenToken = (await testUser(pipeline.store, '家属', 'citizen', { subjectKey: deceased.subjectKey }))
        .token;
      const as = (token: string) => ({ authorization: `Bearer ${token}` });

      const bad = await api.inject({
        method: 'POST',
        url: '/payroll/batches',
        headers: as(officerToken),
        payload: { policyId: 'old-age-allowance', period: '2026-13' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'INVALID_INPUT', field: 'period' });

      const started = await api.inject({
        method: 'POST',
        url: '/payroll/batches',
        headers: as(officerToken),
        payload: { policyId: 'old-age-allowance', period: '2026-07' },
      });
      expect(started.statusCode).toBe(202);
      const { id } = started.json<{ id: string }>();
      expect(id).toBe(payrollWorkflowId('old-age-allowance', '2026-07'));
      const path = `/payroll/batches/${encodeURIComponent(id)}`;
      await expect
        .poll(async () => (await api.inject({ method: 'GET', url: path, headers: as(officerToken) })).json().status)
        .toBe('preview');

      const byOfficer = await api.inject({ method: 'POST', url: `${path}/release`, headers: as(officerToken) });
      expect(byOfficer.statusCode).toBe(403);
      const released = await api.inject({ method: 'POST', url: `${path}/release`, headers: as(reviewerToken) });
      expect(released.statusCode).toBe(200);
      const batch = released.json<{ status: string; totalFen: number; counts: { lines: number } }>();
      expect(batch.status).toBe('released');
      expect(batch.totalFen).toBe(batch.counts.lines * 10_000);
      // Staff who may see staff names read who started and released it, by name and user ID.
      expect(released.json()).toMatchObject({ startedBy: '周经办', releasedBy: '吴审核' });
      const listed = await api.inject({ method: 'GET', url: '/payroll/batches', headers: as(reviewerToken) });
      expect(listed.json<Array<{ id: string }>>().map((b) => b.id)).toContain(id);

      const mine = await api.inject({ method: 'GET', url: '/me/payments', headers: as(citizenToken) });
      expect(mine.statusCode).toBe(200);
      const { payments, entitlements } = mine.json<{
        payments: Array<{ period: string; kind: string; amountFen: number; status: string; paidAt?: string }>;
        entitlements: Array<{ status: string; endedFrom?: string; reason?: { zh: string; en: string } }>;
      }>();
      expect(payments.map((p) => [p.period, p.kind, p.amountFen, p.status]).sort()).toEqual([
        ['2026-02', 'payment', 10_000, 'paid'],
        ['2026-03', 'payment', 10_000, 'paid'],
        ['2026-03', 'recovery', -10_000, 'recovery-due'],
      ]);
      expect(payments.filter((p) => p.kind === 'payment').every((p) => p.paidAt !== undefined)).toBe(true);
      expect(entitlements).toMatchObject([{ status: 'ended', endedFrom: '2026-03' }]);
      expect(entitlements[0].reason?.zh).toMatch(/登记死亡/);
      const staff = await api.inject({ method: 'GET', url: '/me/payments', headers: as(officerToken) });
      expect(staff.statusCode).toBe(403);

      // The CLI, a client of the same API: preview a period, refuse the officer's release, release as the reviewer.
      const url = await api.listen({ port: 0, host: '127.0.0.1' });
      const cli = (args: string[], token: string) =>
        finished(runEntry('cli/main.ts', ['payroll', ...args], { APPLYFREE_API_URL: url, APPLYFREE_TOKEN: token }));
      const preview = await cli(['preview', 'old-age-allowance', '2026-08'], officerToken);
      expect([preview.code, preview.stderr]).toEqual([0, expect.any(String)]);
      expect(preview.stdout).toContain('payroll:old-age-allowance:2026-08  preview · 待放款');
      expect(preview.stdout).toMatch(/lines 笔数 \d+ · total 总额 ¥[\d,]+\.00/);
      const refused = await cli(['release', 'old-age-allowance:2026-08'], officerToken);
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
      const done = await cli(['release', 'old-age-allowance:2026-08', '--json'], reviewerToken);
      expect(done.code).toBe(0);
      expect(JSON.parse(done.stdout)).toMatchObject({ id: 'payroll:old-age-allowance:2026-08', status: 'released' });
      const status = await cli(['status', 'payroll:old-age-allowance:2026-08'], reviewerToken);
      expect(status.stdout).toContain('released · 已放款');
      expect((await cli(['preview'], officerToken)).code).toBe(2);
    } finally {
      await api.close();
    }
  });
});
