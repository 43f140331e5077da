/**
 * The benefit workflows' durable timers on the Java time-skipping server: an offer that
 * nobody answers expires after 30 days with reminders 7 days and 1 day before, and a
 * pledge is inspected 30 days after the grant, against the certifying department's data
 * as it is then. Benefit workflows are started directly (not by a case), so this file's
 * server can skip time (see support/time-skipping-pipeline.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import { policyRef } from '../rules/policy-hash.js';
import type { Policy } from '../rules/types.js';
import { snapshotFacts } from '../store/decisions.js';
import {
  benefitWorkflowId,
  getBenefitStatusQuery,
  signPledgeUpdate,
  type BenefitInput,
} from '../workflows/contracts/index.js';
import { registerTaskModels } from '../store/tasks.js';
import { offerBenefit } from '../workflows/offer.js';
import { pledgeBenefit } from '../workflows/pledge.js';
import { addEnterprise, addResident, removeFacts, updateFacts } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
const DAY_MS = 24 * 60 * 60 * 1000;
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'timers');
  ({ env, pipeline } = harness);
});

afterAll(async () => {
  await harness?.close();
});

const noticeTemplates = (subjectKey: string) => harness.noticeTemplates(subjectKey);

/** Evaluates the policy on the subject's facts (read through the real, access-logged fetch) and starts its benefit workflow. */
async function startBenefit(
  workflow: typeof offerBenefit | typeof pledgeBenefit,
  policyId: string,
  subjectKey: string,
  asOf: string,
) {
  const catalog = await loadPolicyCatalog();
  const policy = catalog.policies.find((p) => p.id === policyId)!;
  const caseId = `life-event:test-${randomUUID()}`;
  const decision = await evaluatePolicy(policy, await factsOf(subjectKey, policy, caseId), asOf, {
    acceptPledges: true,
  });
  expect(decision.outcome).toBe('eligible');
  const input: BenefitInput = {
    caseId,
    subjectKey,
    plan: planOf(policy),
    decision: {
      policy: decision.policy,
      outcome: decision.outcome,
      asOf,
      amount: decision.amount,
      period: decision.period,
      missingFacts: [],
      failedSources: [],
    },
  };
  const handle = await env.client.workflow.start(workflow, {
    workflowId: benefitWorkflowId(policyId, subjectKey, decision.period),
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
  return { handle, amount: decision.amount };
}

async function factsOf(subjectKey: string, policy: Policy, caseId: string): Promise<Record<string, unknown>> {
  const snapshot = await pipeline.activities.collectFacts({
    caseId,
    subjectKey,
    policy: policyRef(policy),
    facts: policy.facts,
  });
  const stored = await pipeline.models.FactSnapshot.findOne({ key: snapshot.snapshotKey }).lean();
  return snapshotFacts(stored!);
}

/** The durations of the timers the workflow set, in days, from its history. */
async function timerDays(workflowId: string): Promise<number[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.timerStartedEventAttributes)
    .map((event) => Number(event.timerStartedEventAttributes!.startToFireTimeout!.seconds) / 86_400);
}

describe('offer and confirm (一键确认): expiry', () => {
  it('expires an unanswered offer after 30 days, with reminders 7 days and 1 day before', async () => {
    const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
    const { handle } = await startBenefit(offerBenefit, 'senior-preferential-card', senior.subjectKey, '2026-06-01');
    expect(await handle.result()).toEqual({ status: 'expired' });

    expect(await noticeTemplates(senior.subjectKey)).toEqual([
      'offer.made',
      'offer.reminder',
      'offer.reminder',
      'offer.expired',
    ]);
    // Day 23 (7 days before), day 29 (1 day before), day 30 (expiry).
    expect((await timerDays(handle.workflowId)).map(Math.round)).toEqual([23, 6, 1]);
    const offer = await pipeline.models.Offer.findOne({ subjectKey: senior.subjectKey }).lean();
    expect(offer?.status).toBe('expired');
    expect(offer!.expiresAt.getTime() - offer!.offeredAt.getTime()).toBe(30 * DAY_MS);
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(0);
  });
});

describe('pledge and inspect (告知承诺)', () => {
  const startupReview = async () => {
    const firm = await addEnterprise(pipeline.store, {
      'enterprise.establishedOn': '2025-03-01',
      'enterprise.status': 'active',
      'enterprise.size': 'micro',
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    });
    const { handle, amount } = await startBenefit(
      pledgeBenefit,
      'business-startup-subsidy',
      firm.subjectKey,
      '2026-06-01',
    );
    // Time stands still until the test waits on the result: the firm signs the written notice, then is granted.
    for (let i = 0; i < 100 && (await handle.query(getBenefitStatusQuery)) !== 'awaiting-signature'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const pledge = await pipeline.models.Pledge.findOne({ key: handle.workflowId }).lean();
    await handle.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }] });
    expect(await handle.query(getBenefitStatusQuery)).toBe('pledged');
    return { firm, handle, amount: amount! };
  };

  it('revokes the grant after the 30-day inspection finds arrears, recovers it and records the false pledge', async () => {
    const { firm, handle, amount } = await startupReview();
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: firm.subjectKey, status: 'granted' })).toBe(1);

    await updateFacts(pipeline.store, firm, { 'enterprise.premiumsInArrears': true });
    expect(await handle.result()).toEqual({ status: 'revoked', grantCreated: true });
    // The signing period (ended by the signature), then the inspection 30 days after the grant.
    expect(await timerDays(handle.workflowId)).toEqual([30, 30]);

    const grant = await pipeline.models.Grant.findOne({ subjectKey: firm.subjectKey }).lean();
    expect(grant?.status).toBe('revoked');
    expect(grant?.revokeReason).toContain('enterprise.premiumsInArrears');
    const recoveries = await pipeline.models.Recovery.find({ subjectKey: firm.subjectKey }).lean();
    expect(recoveries.map((r) => [r.amount, r.status])).toEqual([[amount, 'due']]);
    expect(
      await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey, kind: 'false-pledge' }),
    ).toBe(1);
    const pledge = await pipeline.models.Pledge.findOne({ subjectKey: firm.subjectKey }).lean();
    expect(pledge?.status).toBe('failed');
    expect(await noticeTemplates(firm.subjectKey)).toEqual(['pledge.notice', 'pledge.granted', 'pledge.revoked']);
  });

  it('closes the pledge when the inspection confirms it', async () => {
    const { firm, handle } = await startupReview();
    expect(await handle.result()).toEqual({ status: 'inspection-passed', grantCreated: true });
    expect((await pipeline.models.Pledge.findOne({ subjectKey: firm.subjectKey }).lean())?.status).toBe('passed');
    expect((await pipeline.models.Grant.findOne({ subjectKey: firm.subjectKey }).lean())?.status).toBe('granted');
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey })).toBe(0);
    expect(await noticeTemplates(firm.subjectKey)).toEqual(['pledge.notice', 'pledge.granted', 'pledge.passed']);
  });

  it('sends an inspection to an inspector when the certifying data is missing, and keeps the grant', async () => {
    const { firm, handle } = await startupReview();
    await removeFacts(pipeline.store, firm, ['enterprise.premiumsInArrears']);
    expect(await handle.result()).toEqual({ status: 'inspection-inconclusive', grantCreated: true });
    expect((await pipeline.models.Grant.findOne({ subjectKey: firm.subjectKey }).lean())?.status).toBe('granted');
    const { Task } = registerTaskModels(pipeline.store);
    const tasks = await Task.find({ subjectKey: firm.subjectKey }).lean();
    expect(tasks.map((t) => [t.key, t.type, t.status, t.missingFacts])).toEqual([
      [`${handle.workflowId}:inspection`, 'inconclusive-inspection', 'open', ['enterprise.premiumsInArrears']],
    ]);
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey })).toBe(0);
  });
});
