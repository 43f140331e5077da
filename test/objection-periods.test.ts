/**
 * An objection settles every period decided on the records it corrects, not only the one
 * objected to. Both residents were certified on 2026-03-01 and re-certified on 2026-06-01 (a
 * second case, the same wrong grade). Correcting grade 3 to 2 pays the care subsidy's 100 for
 * March and for June; correcting grade 1 to 2 recovers 50 for each. A decision made after the
 * correction already read the corrected grade and is left alone; a retry settles nothing twice.
 * A month a city-wide sweep screened is settled too, though a sweep keeps no decision for those
 * it finds ineligible.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ObjectionView } from '../services/objections/service.js';
import { sweepWorkflowId, type LifeEventResult, type ObjectionResult } from '../workflows/contracts/index.js';
import { sweep } from '../workflows/sweep.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { registerLedgerModel } from '../store/ledger.js';
import { addResident } from './support/city.js';
import { openObjectionApi, type ObjectionApi } from './support/objection-api.js';
import { callApi } from './support/running-pipeline.js';

const stack = inject('stack');
let env: ObjectionApi;
const CARE = 'severe-disability-care-subsidy';

beforeAll(async () => {
  env = await openObjectionApi(stack, 'objperiods');
  // The June re-certification of both, at the grades on record: a second case each.
  for (const [resident, grade] of [
    [env.gradeThree, 3],
    [env.gradeOne, 1],
  ] as const) {
    const accepted = await env.ingest({
      sourceEventId: `dpf-june-${grade}-${env.run}`,
      source: 'disability-federation',
      type: 'disability.certified',
      occurredOn: '2026-06-01',
      subject: { residentId: resident.id },
      payload: { grade, disabilityType: 'physical' },
    });
    const result = (await env.client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
    for (const decision of result.decisions)
      if (decision.benefitWorkflowId) await env.client.workflow.getHandle(decision.benefitWorkflowId).result();
  }
}, 180_000);

afterAll(async () => {
  await env?.close();
});

async function objectAndCorrect(
  subject: { id: string; caseId: string },
  value: number,
  reason: string,
): Promise<{ filed: ObjectionView; result: ObjectionResult }> {
  // A supervisor files from the case; another records the correction, and a third confirms it (S4).
  const filed = await callApi(env.url, 'POST', '/objections', env.tokens.supervisor, {
    caseId: subject.caseId,
    policyId: CARE,
    kind: 'data',
    fact: 'person.disabilityGrade',
    statement: '残联复核：鉴定等级录入有误',
  });
  expect(filed.status).toBe(201);
  const recorded = await callApi(env.url, 'POST', `/objections/${filed.json.id}/correct`, env.tokens.secondSupervisor, {
    value,
    reason,
  });
  expect(recorded.status).toBe(200);
  const corrected = await callApi(
    env.url,
    'POST',
    `/objections/${filed.json.id}/confirm`,
    env.tokens.thirdSupervisor,
    {},
  );
  expect(corrected.status).toBe(200);
  return {
    filed: filed.json,
    result: (await env.client.workflow.getHandle(filed.json.workflowId).result()) as ObjectionResult,
  };
}

const careDecisions = async (subjectKey: string) =>
  (await env.pipeline.models.Decision.find({ subjectKey, 'policy.id': CARE }).lean())
    .map((d) => [
      d.period,
      d.outcome,
      d.amount ?? null,
      (d as { objectionId?: string }).objectionId ? 'objection' : 'case',
    ])
    .sort();

describe('an objection whose correction also concerns later periods', () => {
  it('pays the arrears of every period decided on the wrong grade, and says so in one notice', async () => {
    const { filed, result } = await objectAndCorrect(env.gradeThree, 2, '市残联复核鉴定档案：应为二级');
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      amountAfter: 100,
      arrears: 200,
      overpayment: 0,
    });
    const view = (await callApi(env.url, 'GET', `/objections/${filed.id}`, env.tokens.supervisor))
      .json as ObjectionView;
    expect(view.outcome?.periods.map((p) => [p.period, p.paid, p.due])).toEqual([
      ['2026-03', 0, 100],
      ['2026-06', 0, 100],
    ]);
    expect(view.steps.map((s) => s.kind)).toEqual([
      'filed',
      'correction-recorded',
      'corrected',
      're-evaluation',
      'decision',
      'decision',
      'arrears',
      'arrears',
      'resolved',
    ]);
    expect(await careDecisions(env.gradeThree.subjectKey)).toEqual([
      ['2026-03', 'eligible', 100, 'objection'],
      ['2026-03', 'ineligible', null, 'case'],
      ['2026-06', 'eligible', 100, 'objection'],
      ['2026-06', 'ineligible', null, 'case'],
    ]);
    const grants = await env.pipeline.models.Grant.find({
      subjectKey: env.gradeThree.subjectKey,
      'policy.id': CARE,
    }).lean();
    expect(grants.map((g) => [g.period, g.amount, g.basis]).sort()).toEqual([
      ['2026-03', 100, 'objection-arrears'],
      ['2026-06', 100, 'objection-arrears'],
    ]);
    expect(
      await env.pipeline.models.Notice.countDocuments({
        subjectKey: env.gradeThree.subjectKey,
        template: 'objection.arrears',
      }),
    ).toBe(1);
    // Delivered to the citizen's inbox, naming both months and the total.
    const inbox = env.pipeline.store.db!.collection<{ template: string; body: { zh: string; en: string } }>('inbox');
    await expect
      .poll(() => inbox.countDocuments({ subjectKey: env.gradeThree.subjectKey, template: 'objection.arrears' }), {
        timeout: 20_000,
      })
      .toBe(1);
    const delivered = await inbox.findOne({ subjectKey: env.gradeThree.subjectKey, template: 'objection.arrears' });
    expect(delivered?.body.zh).toMatch(/（2026-03, 2026-06）应补发.*200/);
    expect(delivered?.body.en).toContain('for 2026-03, 2026-06');

    // The activities retried by hand, as after a lost completion: the same answer, nothing paid twice.
    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect(reevaluation.later?.map((r) => r.period)).toEqual(['2026-06']);
    expect(await env.pipeline.activities.settleObjection({ objectionId: filed.id, reevaluation })).toMatchObject({
      arrears: 200,
    });
    expect(
      await env.pipeline.models.Grant.countDocuments({ subjectKey: env.gradeThree.subjectKey, 'policy.id': CARE }),
    ).toBe(2);
  });

  it('recovers the over-payment of every period, and leaves alone a decision made after the correction', async () => {
    const { filed, result } = await objectAndCorrect(env.gradeOne, 2, '残联来函：该人员等级误录为一级，应为二级');
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'eligible',
      amountBefore: 150,
      amountAfter: 100,
      arrears: 0,
      overpayment: 100,
    });
    const recoveries = await env.pipeline.store
      .db!.collection('recoveries')
      .find({ subjectKey: env.gradeOne.subjectKey })
      .toArray();
    expect(recoveries.map((r) => [r._id, r.amount]).sort()).toEqual([
      [`objection:${filed.id}:recovery:2026-03`, 50],
      [`objection:${filed.id}:recovery:2026-06`, 50],
    ]);

    // A September re-certification reads the corrected grade: decided at 100 and not part of the objection.
    const accepted = await env.ingest({
      sourceEventId: `dpf-september-${env.run}`,
      source: 'disability-federation',
      type: 'disability.certified',
      occurredOn: '2026-09-01',
      subject: { residentId: env.gradeOne.id },
      payload: { grade: 2, disabilityType: 'physical' },
    });
    await env.client.workflow.getHandle(accepted.caseId).result();
    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect([reevaluation.period, ...(reevaluation.later ?? []).map((r) => r.period)]).toEqual(['2026-03', '2026-06']);
    expect(await careDecisions(env.gradeOne.subjectKey)).toContainEqual(['2026-09', 'eligible', 100, 'case']);
  });
});

describe('an objection that finds a monthly benefit no longer due', () => {
  it('ends the entitlement from the period it re-decided (cause objection), so no later payroll pays it', async () => {
    const resident = await env.certified(2, '1978-05-05');
    const { Entitlement, EntitlementTransition } = registerEntitlementModels(env.pipeline.store);
    const key = `${CARE}:${resident.subjectKey}`;
    expect(await Entitlement.findById(key).lean()).toMatchObject({ status: 'active', firstPeriod: '2026-03' });

    const { filed, result } = await objectAndCorrect(resident, 3, '残联来函：该人员应为三级，不属重度残疾');
    expect(result).toMatchObject({ status: 'resolved', outcome: 'ineligible', overpayment: 100 });
    expect(await Entitlement.findById(key).lean()).toMatchObject({ status: 'ended', endedFrom: '2026-03' });
    const transitions = await EntitlementTransition.find({ entitlementKey: key }).lean();
    expect(transitions.map((t) => [t.from, t.to, t.cause, t.causeKey, t.effectiveFrom])).toEqual([
      ['active', 'ended', 'objection', filed.id, '2026-03'],
    ]);
    // The over-payment is owed in the ledger too.
    const owed = await registerLedgerModel(env.pipeline.store)
      .find({ subjectKey: resident.subjectKey, policyId: CARE, account: 'owed' })
      .lean();
    expect(owed.map((line) => [line.kind, line.period, line.amountFen])).toEqual([['recovery', '2026-03', 10_000]]);
  });
});

describe('an objection whose correction concerns a month a sweep screened', () => {
  it('pays the arrears of a month a sweep found the resident ineligible in, though the sweep kept no decision of it', async () => {
    const resident = await addResident(env.pipeline.store, '1979-05-06', {
      'person.localHukou': true,
      'person.alive': true,
      'person.minimumLivingAllowance': true,
      'person.disabilityCertified': true,
      'person.disabilityGrade': 3,
      'person.disabilityType': 'physical',
      'person.disabilityCertifiedOn': '2026-03-01',
    });
    const accepted = await env.ingest({
      sourceEventId: `dpf-swept-${env.run}`,
      source: 'disability-federation',
      type: 'disability.certified',
      occurredOn: '2026-03-01',
      subject: { residentId: resident.id },
      payload: { grade: 3, disabilityType: 'physical' },
    });
    const cased = (await env.client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
    for (const decision of cased.decisions)
      if (decision.benefitWorkflowId) await env.client.workflow.getHandle(decision.benefitWorkflowId).result();

    // The care subsidy swept over the whole city as of 15 July: this resident ineligible, counted but not recorded.
    const swept = await env.client.workflow.execute(sweep, {
      workflowId: sweepWorkflowId(CARE, 1, '2026-07-15'),
      taskQueue: env.pipeline.taskQueue,
      args: [{ policy: { id: CARE, version: 1 }, asOf: '2026-07-15', requestedBy: '王芳' }],
    });
    expect(swept.status).toBe('done');
    expect(swept.ineligible).toBeGreaterThanOrEqual(1);
    expect(await careDecisions(resident.subjectKey)).toEqual([['2026-03', 'ineligible', null, 'case']]);

    const { filed, result } = await objectAndCorrect(
      { id: resident.id, caseId: accepted.caseId },
      2,
      '市残联复核鉴定档案：应为二级',
    );
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      amountAfter: 100,
      arrears: 200,
      overpayment: 0,
    });
    const view = (await callApi(env.url, 'GET', `/objections/${filed.id}`, env.tokens.supervisor))
      .json as ObjectionView;
    expect(view.outcome?.periods.map((p) => [p.period, p.paid, p.due])).toEqual([
      ['2026-03', 0, 100],
      ['2026-07', 0, 100],
    ]);
    expect(await careDecisions(resident.subjectKey)).toEqual([
      ['2026-03', 'eligible', 100, 'objection'],
      ['2026-03', 'ineligible', null, 'case'],
      ['2026-07', 'eligible', 100, 'objection'],
    ]);
    const july = view.steps.find((step) => step.kind === 'decision' && step.summary.zh.startsWith('2026-07'));
    expect(july?.summary.zh).toContain('原判定：不符合');

    // Retried by hand: the same July period found again, decided once, paid once.
    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect(reevaluation.later?.map((r) => [r.period, r.previousOutcome, r.outcome])).toEqual([
      ['2026-07', 'ineligible', 'eligible'],
    ]);
    expect(await env.pipeline.activities.settleObjection({ objectionId: filed.id, reevaluation })).toMatchObject({
      arrears: 200,
    });
    const grants = await env.pipeline.models.Grant.find({ subjectKey: resident.subjectKey, 'policy.id': CARE }).lean();
    expect(grants.map((g) => [g.period, g.amount, g.basis]).sort()).toEqual([
      ['2026-03', 100, 'objection-arrears'],
      ['2026-07', 100, 'objection-arrears'],
    ]);
  });
});
