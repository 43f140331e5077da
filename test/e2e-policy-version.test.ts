/**
 * A new policy version reaches real cases: the senior card's v2 lowers the age to 55 from
 * 2026-07-01. It goes from draft to published through the lifecycle (tests, impact simulation, four eyes),
 * and the pipeline reads its policies from the store as in production. A case offered under
 * v1 before publication keeps v1 when the citizen confirms afterwards; a life event dated
 * after the effective date is decided under v2; one dated before it still under v1.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPolicyLifecycle, type Actor, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { confirmOfferSignal, type LifeEventInput } from '../workflows/contracts/index.js';
import { lifeEvent } from '../workflows/life-event.js';
import { addResident } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let lifecycle: PolicyLifecycle;

const wang: Actor = { id: 'u_wang', name: '王芳', role: 'officer' };
const li: Actor = { id: 'u_li', name: '李明', role: 'reviewer' };
const CARD = 'senior-preferential-card';

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'policyversion', { policies: 'store' });
  ({ env, pipeline } = harness);
  lifecycle = createPolicyLifecycle(pipeline.store);
});

afterAll(async () => {
  await harness?.close();
});

async function runCase(subjectKey: string, eventDate: string) {
  const input: LifeEventInput = {
    caseId: `life-event:test-${randomUUID()}`,
    eventType: 'age.milestone',
    subjectKey,
    subjectKind: 'person',
    eventDate,
  };
  const result = await env.client.workflow.execute(lifeEvent, {
    workflowId: input.caseId,
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
  return result.decisions.find((decision) => decision.policy.id === CARD)!;
}

/** v2 of the senior card: offered from 55 for age milestones on or after 2026-07-01. */
async function cardV2(): Promise<Record<string, unknown>> {
  const v1 = (await lifecycle.get(CARD, 1)).document as unknown as Record<string, unknown>;
  return {
    ...v1,
    version: 2,
    effective: { from: '2026-07-01' },
    parameters: { minimumAge: [{ from: '2026-07-01', value: 55 }] },
    tests: [
      {
        name: 'a resident who turns 55 after the change is offered the card',
        asOf: '2026-08-01',
        facts: { 'person.birthDate': '1971-08-01', 'person.localHukou': true, 'person.alive': true },
        expect: { outcome: 'eligible' },
      },
      {
        name: 'a resident of 54 is not offered the card yet',
        asOf: '2026-08-01',
        facts: { 'person.birthDate': '1972-01-01', 'person.localHukou': true, 'person.alive': true },
        expect: { outcome: 'ineligible' },
      },
    ],
  };
}

describe('publishing a new version while cases run', () => {
  it('decides later events under the new version and lets a case in flight finish under the version it pinned', async () => {
    // Before v2 exists: a 60th birthday is offered the card under v1, and the citizen has not confirmed yet.
    const early = await addResident(pipeline.store, '1966-06-10', { 'person.localHukou': true, 'person.alive': true });
    const inFlight = await runCase(early.subjectKey, '2026-06-10');
    expect([inFlight.outcome, inFlight.action, inFlight.policy.version]).toEqual(['eligible', 'offered', 1]);

    // Draft to published, four eyes.
    await lifecycle.createDraft(wang, await cardV2());
    expect((await lifecycle.validate(wang, CARD, 2)).valid).toBe(true);
    expect((await lifecycle.test(wang, CARD, 2)).failed).toBe(0);
    const simulations = createSimulationRunner({ store: pipeline.store, lifecycle });
    await simulations.start(wang, CARD, 2, { asOf: '2026-07-01' });
    expect((await simulations.finished(CARD, 2)).status).toBe('done');
    await lifecycle.submit(wang, CARD, 2, '优待年龄降至55周岁');
    await lifecycle.approve(li, CARD, 2, '同意');
    expect((await lifecycle.publish(li, CARD, 2)).status).toBe('published');

    // The case offered under v1 is confirmed after publication: its grant still cites v1.
    const offer = env.client.workflow.getHandle(inFlight.benefitWorkflowId!);
    await offer.signal(confirmOfferSignal);
    expect(await offer.result()).toMatchObject({ status: 'confirmed', grantCreated: true });
    const earlyGrant = await pipeline.models.Grant.findOne({ subjectKey: early.subjectKey, 'policy.id': CARD }).lean();
    expect(earlyGrant?.policy.version).toBe(1);

    // A 55th birthday after the effective date: eligible only under v2, and decided under it.
    const after = await addResident(pipeline.store, '1971-07-20', { 'person.localHukou': true, 'person.alive': true });
    const v2Decision = await runCase(after.subjectKey, '2026-07-20');
    expect([v2Decision.outcome, v2Decision.action, v2Decision.policy.version]).toEqual(['eligible', 'offered', 2]);
    const stored = await pipeline.models.Decision.findOne({ subjectKey: after.subjectKey, 'policy.id': CARD }).lean();
    expect(stored?.policy.version).toBe(2);

    // A 55th birthday dated before the effective date is still decided under v1: not yet eligible.
    const before = await addResident(pipeline.store, '1971-06-20', { 'person.localHukou': true, 'person.alive': true });
    const v1Decision = await runCase(before.subjectKey, '2026-06-20');
    expect([v1Decision.outcome, v1Decision.policy.version]).toEqual(['ineligible', 1]);
  });
});
