/**
 * decideCase (issue 17, item 2): a life-event case's facts and decisions in one step, on the real
 * store. It must record what collectFacts and evaluateCase record (the same keys, snapshots,
 * decisions and access records), read each source once for all the case's policies, and, retried,
 * pull nothing again and keep the first decisions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerAccessRecordModel } from '../store/access-records.js';
import { registerDecisionModels } from '../store/decisions.js';
import { lifeEventWorkflowId, type PolicyPlan } from '../workflows/contracts/index.js';
import { addResident, updateFacts } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';

const AS_OF = '2026-06-01';
let pipeline: Pipeline;
let plans: PolicyPlan[];

beforeAll(async () => {
  pipeline = await openPipeline(inject('stack'), 'decidecase');
  // An age milestone: four policies answer it, three of them reading the household registry.
  plans = await pipeline.activities.resolvePolicies({ trigger: 'age.milestone', asOf: AS_OF, subjectKind: 'person' });
}, 120_000);

afterAll(async () => {
  await pipeline?.store.dropDatabase();
  await pipeline?.close();
});

const items = () => plans.map((plan) => ({ policy: plan.ref, facts: plan.facts }));

const TIMES = new Set(['takenAt', 'decidedAt', 'at']);
/** A snapshot's values in fact order: collectFacts stores them in the order its sources happened to answer. */
const byFact = (values: Array<{ fact: string }>) => [...values].sort((a, b) => a.fact.localeCompare(b.fact));

/**
 * What a case stored, with the case's own ID and the times taken out, in key order, values by fact. An empty list
 * counts as absent: the keyed upserts of the three steps leave empty lists out, the bulk inserts
 * write them, and every reader takes a missing list as empty.
 */
async function storedFor(caseId: string) {
  const { FactSnapshot, Decision } = registerDecisionModels(pipeline.store);
  const anonymous = (docs: object[]) =>
    JSON.parse(
      JSON.stringify(docs, (key, value: unknown) =>
        TIMES.has(key) || (Array.isArray(value) && value.length === 0)
          ? undefined
          : key === 'values'
            ? byFact(value as Array<{ fact: string }>)
            : value,
      ).replaceAll(caseId, '<case>'),
    ) as Array<Record<string, unknown>>;
  return {
    snapshots: anonymous(await FactSnapshot.find({ caseId }).sort({ _id: 1 }).lean()),
    decisions: anonymous(await Decision.find({ caseId }).sort({ _id: 1 }).lean()),
    access: anonymous(
      await registerAccessRecordModel(pipeline.store).find({ caseId }, { _id: 0 }).sort({ key: 1 }).lean(),
    ),
  };
}

describe('decideCase: the case decided in one step', () => {
  it('records what collectFacts and evaluateCase record, and answers the same decisions', async () => {
    const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
    const oneStep = lifeEventWorkflowId(`decide-${randomUUID()}`);
    const threeSteps = lifeEventWorkflowId(`steps-${randomUUID()}`);
    const decided = await pipeline.activities.decideCase({
      caseId: oneStep,
      subjectKey: senior.subjectKey,
      asOf: AS_OF,
      items: items(),
    });
    const snapshots = await Promise.all(
      plans.map((plan) =>
        pipeline.activities.collectFacts({
          caseId: threeSteps,
          subjectKey: senior.subjectKey,
          policy: plan.ref,
          facts: plan.facts,
        }),
      ),
    );
    const evaluated = await pipeline.activities.evaluateCase({
      caseId: threeSteps,
      subjectKey: senior.subjectKey,
      asOf: AS_OF,
      items: plans.map((plan, i) => ({ policy: plan.ref, snapshotKey: snapshots[i].snapshotKey })),
    });
    expect(decided).toEqual(evaluated);
    expect(decided.map((d) => [d.policy.id, d.outcome])).toEqual([
      ['childcare-subsidy', 'ineligible'],
      ['compulsory-school-enrollment', 'ineligible'],
      ['old-age-allowance', 'ineligible'],
      ['senior-preferential-card', 'eligible'],
    ]);
    const one = await storedFor(oneStep);
    expect(one).toEqual(await storedFor(threeSteps));
    expect(one.snapshots).toHaveLength(4);
    expect(one.decisions).toHaveLength(4);
    // One access record per policy and source it reads, as before: none lost to the shared read.
    const sourcesOf = (plan: PolicyPlan) => new Set(Object.values(plan.facts).map((f) => f.source)).size;
    expect(one.access).toHaveLength(plans.reduce((sum, plan) => sum + sourcesOf(plan), 0));
  });

  it('retried, pulls nothing again and keeps the first snapshots and decisions', async () => {
    const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
    const caseId = lifeEventWorkflowId(`decide-retry-${randomUUID()}`);
    const input = { caseId, subjectKey: senior.subjectKey, asOf: AS_OF, items: items() };
    const first = await pipeline.activities.decideCase(input);
    const before = await storedFor(caseId);
    const { Decision } = registerDecisionModels(pipeline.store);
    const decidedAt = (await Decision.find({ caseId }).sort({ _id: 1 }).lean()).map((d) => d.decidedAt);
    // The registry changes after the first attempt: a retry that read again would decide otherwise.
    await updateFacts(pipeline.store, senior, { 'person.localHukou': false });
    // And the subject is gone from the register: a retry that pulled any source again would fail.
    await pipeline.store.db!.collection('subjects').deleteOne({ _id: senior.subjectKey } as object);
    const retried = await pipeline.activities.decideCase(input);
    expect(retried).toEqual(first);
    expect(await storedFor(caseId)).toEqual(before);
    expect((await Decision.find({ caseId }).sort({ _id: 1 }).lean()).map((d) => d.decidedAt)).toEqual(decidedAt);
  });

  it('decides on a snapshot an earlier attempt took, and pulls only the policies without one', async () => {
    const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
    const caseId = lifeEventWorkflowId(`decide-partial-${randomUUID()}`);
    const card = plans.find((plan) => plan.ref.id === 'senior-preferential-card')!;
    // The card's facts were collected while the senior was registered here; then the registry changed.
    await pipeline.activities.collectFacts({
      caseId,
      subjectKey: senior.subjectKey,
      policy: card.ref,
      facts: card.facts,
    });
    await updateFacts(pipeline.store, senior, { 'person.localHukou': false });
    const decided = await pipeline.activities.decideCase({
      caseId,
      subjectKey: senior.subjectKey,
      asOf: AS_OF,
      items: items(),
    });
    expect(decided.find((d) => d.policy.id === 'senior-preferential-card')?.outcome).toBe('eligible');
    const { FactSnapshot } = registerDecisionModels(pipeline.store);
    const snapshots = await FactSnapshot.find({ caseId }).lean();
    expect(snapshots).toHaveLength(4);
    const hukou = (policyId: string) =>
      snapshots.find((s) => s.policyId === policyId)?.values.find((v) => v.fact === 'person.localHukou')?.value;
    expect(hukou('senior-preferential-card')).toBe(true);
    expect(hukou('old-age-allowance')).toBe(false);
  });
});
