/**
 * Objections about a benefit in kind (the senior preferential card: offered for one-tap
 * confirmation, no amount) on the real stack. A corrected household record that makes a
 * 60-year-old eligible starts the card's offer, as a case would have; one that makes a card
 * holder ineligible revokes the card. The citizen is told which; a retried settlement starts
 * or revokes nothing twice.
 */
import { registerCertificateModel, revokedCertificates } from '../store/certificates.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createObjectionService, type ObjectionView } from '../services/objections/service.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import type { User } from '../store/users.js';
import {
  benefitWorkflowId,
  confirmOfferSignal,
  type LifeEventResult,
  type ObjectionResult,
} from '../workflows/contracts/index.js';
import { addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';

const stack = inject('stack');
let env: RunningPipeline;
let objections: ReturnType<typeof createObjectionService>;
const supervisor: User = { id: 'u_zhou', name: '周督查', role: 'supervisor' };
/** The correction is recorded by one supervisor who did not file it and confirmed by another (S4). */
const recorder: User = { id: 'u_wu', name: '吴督查', role: 'supervisor' };
const confirmer: User = { id: 'u_zheng', name: '郑督查', role: 'supervisor' };
const CARD = 'senior-preferential-card';

beforeAll(async () => {
  env = await openRunningPipeline(stack, 'objkind', { seals: true });
  objections = createObjectionService({
    store: env.pipeline.store,
    temporal: env.client,
    taskQueue: env.pipeline.taskQueue,
    subjectKeySecret: TEST_SECRET,
    policies: catalogPolicySource(await loadPolicyCatalog()),
  });
}, 180_000);

afterAll(async () => {
  await env?.close();
});

/** A resident turning 60 on 2026-03-01, with the household record saying `localHukou`, whose case has finished. */
async function turnsSixty(
  localHukou: boolean,
  tag: string,
): Promise<TestSubject & { caseId: string; result: LifeEventResult }> {
  const resident = await addResident(env.pipeline.store, '1966-03-01', {
    'person.localHukou': localHukou,
    'person.alive': true,
    'person.district': '德城区',
  });
  const accepted = await env.ingest({
    sourceEventId: `bdb-60-${tag}-${env.run}`,
    source: 'big-data-bureau',
    type: 'age.milestone',
    occurredOn: '2026-03-01',
    subject: { residentId: resident.id },
    payload: { age: 60 },
  });
  const result = (await env.client.workflow.getHandle(accepted.caseId).result()) as LifeEventResult;
  return { ...resident, caseId: accepted.caseId, result };
}

/** Files a data objection about the household flag for the resident, records and confirms the correction, and waits for the end. */
async function objectAndCorrect(
  resident: TestSubject & { caseId: string },
  corrected: boolean,
): Promise<{ filed: ObjectionView; result: ObjectionResult }> {
  const filed = await objections.file(supervisor, {
    caseId: resident.caseId,
    policyId: CARD,
    kind: 'data',
    fact: 'person.localHukou',
    statement: '户籍登记有误，请核实本市户籍状态',
  });
  await objections.correct(recorder, filed.id, { value: corrected, reason: '公安局核实户籍档案，登记有误' });
  await objections.confirmCorrection(confirmer, filed.id, {});
  const result = (await env.client.workflow.getHandle(filed.workflowId).result()) as ObjectionResult;
  return { filed, result };
}

const notices = (subjectKey: string, template: string) =>
  env.pipeline.models.Notice.countDocuments({ subjectKey, template });

describe('an objection about a benefit in kind', () => {
  it('offers the card when the corrected household record makes the resident eligible, once', async () => {
    const resident = await turnsSixty(false, 'elsewhere');
    expect(resident.result.decisions.find((d) => d.policy.id === CARD)?.outcome).toBe('ineligible');

    const { filed, result } = await objectAndCorrect(resident, true);
    const offerId = benefitWorkflowId(CARD, resident.subjectKey, 'once');
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      arrears: 0,
      overpayment: 0,
      benefitWorkflowId: offerId,
    });
    // The offer runs as a case's would: open, awaiting the citizen's confirmation.
    await expect
      .poll(
        async () =>
          (await env.pipeline.models.Offer.find({ subjectKey: resident.subjectKey }).lean()).map((o) => o.status),
        { timeout: 20_000 },
      )
      .toEqual(['open']);
    expect(await notices(resident.subjectKey, 'objection.benefit')).toBe(1);

    // Settlement retried by hand, as after a lost completion: the same offer, no second one.
    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect(await env.pipeline.activities.settleObjection({ objectionId: filed.id, reevaluation })).toMatchObject({
      benefitWorkflowId: offerId,
    });
    expect(await env.pipeline.models.Offer.countDocuments({ subjectKey: resident.subjectKey })).toBe(1);

    await env.client.workflow.getHandle(offerId).signal(confirmOfferSignal);
    await env.client.workflow.getHandle(offerId).result();
    const grants = await env.pipeline.models.Grant.find({ subjectKey: resident.subjectKey, 'policy.id': CARD }).lean();
    expect(grants.map((g) => [g.status, g.basis])).toEqual([['granted', 'offer-confirmed']]);
    const steps = (await objections.get(supervisor, filed.id)).steps.map((s) => s.kind);
    expect(steps).toEqual([
      'filed',
      'correction-recorded',
      'corrected',
      're-evaluation',
      'decision',
      'benefit',
      'resolved',
    ]);
  });

  it('revokes a confirmed card when the corrected household record makes the holder ineligible, once', async () => {
    const resident = await turnsSixty(true, 'local');
    const offerId = resident.result.decisions.find((d) => d.policy.id === CARD)?.benefitWorkflowId;
    expect(offerId).toBe(benefitWorkflowId(CARD, resident.subjectKey, 'once'));
    await env.client.workflow.getHandle(offerId!).signal(confirmOfferSignal);
    await env.client.workflow.getHandle(offerId!).result();

    const { filed, result } = await objectAndCorrect(resident, false);
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'ineligible',
      previousOutcome: 'eligible',
      arrears: 0,
      overpayment: 0,
      revoked: 1,
    });
    const grants = await env.pipeline.models.Grant.find({ subjectKey: resident.subjectKey, 'policy.id': CARD }).lean();
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ status: 'revoked', revokeReason: expect.stringContaining(filed.id) as unknown });
    expect(await notices(resident.subjectKey, 'objection.revoked')).toBe(1);
    expect(await notices(resident.subjectKey, 'objection.unchanged')).toBe(0);
    // The card's certificate is revoked with the grant, for the objection's reason; the letter that
    // granted it stays, the record of what was decided then, and the new decision has its own.
    const held = await registerCertificateModel(env.pipeline.store)
      .find({ holderSubjectKey: resident.subjectKey })
      .lean();
    expect(held.map((c) => [c.type, c.revocationReason ?? 'in force']).sort()).toEqual([
      ['decision-letter', 'in force'],
      ['decision-letter', 'in force'],
      [CARD, grants[0].revokeReason],
    ]);
    const letters = held
      .filter((c) => c.type === 'decision-letter')
      .map((c) => (JSON.parse(c.signedText) as { fields: { outcome: string; reasons: string } }).fields);
    expect(letters.map((fields) => fields.outcome).sort()).toEqual(['不予', '准予（主动兑现，免申即享）']);
    expect(letters.find((fields) => fields.outcome === '不予')!.reasons).toContain('户籍');
    expect((await revokedCertificates(env.pipeline.store)).map((r) => r.id)).toContain(
      held.find((c) => c.type === CARD)!._id,
    );

    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect(await env.pipeline.activities.settleObjection({ objectionId: filed.id, reevaluation })).toMatchObject({
      revokedGrantKeys: [grants[0].key],
    });
    const steps = (await objections.get(supervisor, filed.id)).steps.map((s) => s.kind);
    expect(steps).toEqual([
      'filed',
      'correction-recorded',
      'corrected',
      're-evaluation',
      'decision',
      'revoked',
      'resolved',
    ]);
  });
});
