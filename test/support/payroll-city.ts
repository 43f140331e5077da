/**
 * Seniors and their old-age allowance for payroll tests on the time-skipping pipeline: a resident
 * granted a first period as a case records it (which opens the entitlement), a payroll run to its
 * preview, a registry's life event as ingestion accepts it, and the payroll service.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { planOf } from '../../activities/case.js';
import { cityToday } from '../../domain/calendar.js';
import { loadPolicyCatalog } from '../../rules/catalog.js';
import { evaluatePolicy } from '../../rules/engine.js';
import { ingestEvent } from '../../services/events/ingest.js';
import { createPayrollService } from '../../services/payroll/service.js';
import type { User } from '../../store/users.js';
import { benefitWorkflowId, payrollWorkflowId, stopPaymentsWorkflowId } from '../../workflows/contracts/index.js';
import { payroll } from '../../workflows/payroll.js';
import { addResident, TEST_SECRET, type TestSubject } from './city.js';
import { TEST_PUBLISHER } from './departments.js';
import type { Pipeline } from './pipeline.js';

export const PAYROLL_OFFICER: User = { id: 'u_officer1', name: '王经办', role: 'officer' };
export const PAYROLL_REVIEWER: User = { id: 'u_reviewer1', name: '李审核', role: 'reviewer' };
/** What the old-age allowance reads besides the birth date. */
export const SENIOR_FACTS = { 'person.localHukou': true, 'person.alive': true };

/** The old-age allowance's grant of `period` to a resident born on `birthDate`, recorded as a case records it (which opens, or opens again, the entitlement). */
export async function grantPeriod(
  pipeline: Pick<Pipeline, 'activities'>,
  subject: TestSubject,
  birthDate: string,
  period: string,
): Promise<void> {
  const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance')!;
  const decision = await evaluatePolicy(policy, { 'person.birthDate': birthDate, ...SENIOR_FACTS }, `${period}-01`);
  await pipeline.activities.recordGrant({
    caseId: `life-event:test-${subject.subjectKey}`,
    subjectKey: subject.subjectKey,
    plan: planOf(policy),
    decision: { ...decision, missingFacts: [], failedSources: [] },
    grantKey: benefitWorkflowId(policy.id, subject.subjectKey, decision.period),
    basis: 'auto',
  });
}

export function payrollCity(env: TestWorkflowEnvironment, pipeline: Pipeline) {
  const service = () =>
    createPayrollService({ store: pipeline.store, temporal: env.client, taskQueue: pipeline.taskQueue });

  /** The grant of a period, as a case records it (which opens, or opens again, the entitlement). */
  const grant = (subject: TestSubject, birthDate: string, firstPeriod: string) =>
    grantPeriod(pipeline, subject, birthDate, firstPeriod);

  /** A resident born on `birthDate` (with `facts` on record besides), granted the allowance for `firstPeriod`. */
  async function senior(
    birthDate: string,
    firstPeriod: string,
    facts: Record<string, unknown> = {},
  ): Promise<TestSubject> {
    const subject = await addResident(pipeline.store, birthDate, { ...SENIOR_FACTS, ...facts });
    await grant(subject, birthDate, firstPeriod);
    return subject;
  }

  /** The payroll of a month, run to its preview (started by the officer). */
  const runPayroll = (period: string) =>
    env.client.workflow.execute(payroll, {
      workflowId: payrollWorkflowId('old-age-allowance', period),
      taskQueue: pipeline.taskQueue,
      args: [
        { policyId: 'old-age-allowance', period, startedBy: PAYROLL_OFFICER.name, startedById: PAYROLL_OFFICER.id },
      ],
    });

  /** The payroll of each month, run and released by the reviewer. */
  async function payMonths(...periods: string[]): Promise<void> {
    for (const period of periods) await service().release(PAYROLL_REVIEWER, (await runPayroll(period)).batchId);
  }

  /** A registry's event about a resident, as ingestion accepts it. */
  const ingest = (subject: TestSubject, type: string, occurredOn: string) =>
    ingestEvent(
      {
        store: pipeline.store,
        temporal: env.client,
        taskQueue: pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        today: () => cityToday(),
      },
      {
        sourceEventId: `psb-${randomUUID()}`,
        source: 'household-registry',
        type,
        occurredOn,
        subject: { residentId: subject.id },
        payload: {},
      },
      TEST_PUBLISHER,
    );

  /** A death or move-out accepted, and its stop workflow finished. */
  async function stopped(subject: TestSubject, type: 'death.registered' | 'hukou.moved-out', occurredOn: string) {
    const accepted = await ingest(subject, type, occurredOn);
    await env.client.workflow.getHandle(stopPaymentsWorkflowId(accepted.caseId)).result();
    return accepted;
  }

  return { service, grant, senior, runPayroll, payMonths, ingest, stopped };
}
