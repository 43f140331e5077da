/**
 * Entitlements open where a recurring grant is recorded (activities/benefits.ts recordGrant and
 * a sweep's bulk grants): one per subject and policy, pinned to the granting version, first
 * period and next review date; a one-off grant opens none; a retried grant opens nothing twice.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { makeSweepWriter } from '../activities/sweep-writes.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { benefitWorkflowId, type BenefitInput } from '../workflows/contracts/index.js';
import { addResident } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';

const stack = inject('stack');
let pipeline: Pipeline;
let policies: readonly Policy[];

beforeAll(async () => {
  pipeline = await openPipeline(stack, 'entitlements');
  policies = (await loadPolicyCatalog()).policies;
});

afterAll(async () => {
  await pipeline?.close();
});

const policy = (id: string) => policies.find((p) => p.id === id)!;

async function grantInput(policyId: string, subjectKey: string, asOf: string, facts: Record<string, unknown>) {
  const chosen = policy(policyId);
  const decision = await evaluatePolicy(chosen, facts, asOf);
  expect(decision.outcome).toBe('eligible');
  const input: BenefitInput = {
    caseId: `life-event:test-${subjectKey}-${asOf}`,
    subjectKey,
    plan: planOf(chosen),
    decision: { ...decision, missingFacts: [], failedSources: [] },
  };
  return { ...input, grantKey: benefitWorkflowId(policyId, subjectKey, decision.period), basis: 'auto' as const };
}

describe('entitlements', () => {
  it('opens one active entitlement for a monthly grant, pinned to the version, and keeps it through a retry and the next grant', async () => {
    const { Entitlement } = registerEntitlementModels(pipeline.store);
    const senior = await addResident(pipeline.store, '1940-02-10', { 'person.localHukou': true, 'person.alive': true });
    const facts = { 'person.birthDate': '1940-02-10', 'person.localHukou': true, 'person.alive': true };
    const april = await grantInput('old-age-allowance', senior.subjectKey, '2025-04-01', facts);

    await pipeline.activities.recordGrant(april);
    await pipeline.activities.recordGrant(april);
    await pipeline.activities.recordGrant(
      await grantInput('old-age-allowance', senior.subjectKey, '2025-05-01', facts),
    );

    const opened = await Entitlement.find({ subjectKey: senior.subjectKey }).lean();
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      _id: `old-age-allowance:${senior.subjectKey}`,
      policy: april.plan.ref,
      period: 'month',
      firstPeriod: '2025-04',
      status: 'active',
      nextReviewOn: '2025-05-01',
      openedBy: april.grantKey,
    });
  });

  it('opens none for a one-off benefit', async () => {
    const { Entitlement } = registerEntitlementModels(pipeline.store);
    const senior = await addResident(pipeline.store, '1960-03-01', { 'person.localHukou': true, 'person.alive': true });
    const once = policy('senior-preferential-card');
    expect(once.period).toBe('once');
    const decision = await evaluatePolicy(
      once,
      { 'person.birthDate': '1960-03-01', 'person.localHukou': true, 'person.alive': true },
      '2026-06-01',
    );
    await pipeline.activities.recordGrant({
      caseId: 'life-event:test-once',
      subjectKey: senior.subjectKey,
      plan: planOf(once),
      decision: { ...decision, missingFacts: [], failedSources: [] },
      grantKey: benefitWorkflowId(once.id, senior.subjectKey, decision.period),
      basis: 'auto',
    });
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(1);
    expect(await Entitlement.countDocuments({ subjectKey: senior.subjectKey })).toBe(0);
  });

  it("opens entitlements for a sweep's bulk grants of a monthly policy, once however often the slice is retried", async () => {
    const { Entitlement } = registerEntitlementModels(pipeline.store);
    const chosen = policy('old-age-allowance');
    const writer = makeSweepWriter(pipeline.store);
    const screened = await Promise.all(
      ['1938-01-05', '1941-07-20'].map(async (birthDate) => {
        const facts = { 'person.birthDate': birthDate, 'person.localHukou': true, 'person.alive': true };
        const subject = await addResident(pipeline.store, birthDate, facts);
        return {
          id: subject.id,
          subjectKey: subject.subjectKey,
          facts,
          decision: await evaluatePolicy(chosen, facts, '2026-03-01'),
        };
      }),
    );
    await writer.recordGrants('sweep:old-age-allowance@1:2026-03-01', planOf(chosen), screened);
    await writer.recordGrants('sweep:old-age-allowance@1:2026-03-01', planOf(chosen), screened);
    const opened = await Entitlement.find({ subjectKey: { $in: screened.map((s) => s.subjectKey) } }).lean();
    expect(opened.map((e) => [e.firstPeriod, e.status]).sort()).toEqual([
      ['2026-03', 'active'],
      ['2026-03', 'active'],
    ]);
  });
});
