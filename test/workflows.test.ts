import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerAccessRecordModel } from '../store/access-records.js';
import {
  answerOfferUpdate,
  answerOfferUpdateId,
  benefitWorkflowId,
  confirmOfferSignal,
  declineOfferSignal,
  ErrorType,
  getBenefitStatusQuery,
  type BenefitResult,
  type LifeEventInput,
} from '../workflows/contracts/index.js';
import { lifeEvent } from '../workflows/life-event.js';
import { addResident, removeFacts } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

// Cases start benefit workflows as abandoned children, which leaves this file's test server
// unable to skip time afterwards: durable timers are tested in benefit-timers.test.ts.
const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'workflows');
  ({ env, pipeline } = harness);
});

afterAll(async () => {
  await harness?.close();
});

function caseFor(
  subjectKey: string,
  eventType: string,
  eventDate: string,
  subjectKind: 'person' | 'enterprise' = 'person',
): LifeEventInput {
  return { caseId: `life-event:test-${randomUUID()}`, eventType, subjectKey, subjectKind, eventDate };
}

async function runCase(input: LifeEventInput) {
  return env.client.workflow.execute(lifeEvent, {
    workflowId: input.caseId,
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
}

async function benefitResult(workflowId: string): Promise<BenefitResult> {
  return env.client.workflow.getHandle(workflowId).result();
}

const noticeTemplates = (subjectKey: string) => harness.noticeTemplates(subjectKey);

describe('auto grant (免申即享)', () => {
  it('grants a child born 2026-03-10 in the city 3,000 for 2026, once, and notifies', async () => {
    const child = await addResident(pipeline.store, '2026-03-10', { 'person.localHukou': true, 'person.alive': true });
    const result = await runCase(caseFor(child.subjectKey, 'birth.registered', '2026-03-20'));

    const childcare = result.decisions.find((d) => d.policy.id === 'childcare-subsidy')!;
    expect(childcare).toMatchObject({ outcome: 'eligible', amount: 3000, period: '2026', action: 'granted' });
    expect(await benefitResult(childcare.benefitWorkflowId!)).toEqual({ status: 'granted', grantCreated: true });

    const grants = await pipeline.models.Grant.find({ subjectKey: child.subjectKey }).lean();
    expect(grants.map((g) => [g.policy.id, g.amount, g.period, g.basis])).toEqual([
      ['childcare-subsidy', 3000, '2026', 'auto'],
    ]);
    expect(await noticeTemplates(child.subjectKey)).toEqual(['grant.awarded']);

    const decision = await pipeline.models.Decision.findOne({
      caseId: result.caseId,
      'policy.id': 'childcare-subsidy',
    }).lean();
    expect(decision?.conditions.map((c) => [c.fact, c.result])).toEqual([
      ['person.birthDate', true],
      ['person.localHukou', true],
    ]);
    const access = await registerAccessRecordModel(pipeline.store).find({ caseId: result.caseId }).lean();
    expect(access.map((a) => a.source)).toContain('household-registry');
    expect(JSON.stringify(access)).not.toContain(child.id);
  });

  it('does not grant twice when a second case for the same child and year arrives', async () => {
    const child = await addResident(pipeline.store, '2026-01-05', { 'person.localHukou': true, 'person.alive': true });
    const first = await runCase(caseFor(child.subjectKey, 'birth.registered', '2026-01-10'));
    const firstChildcare = first.decisions.find((d) => d.policy.id === 'childcare-subsidy')!;
    await benefitResult(firstChildcare.benefitWorkflowId!);
    const second = await runCase(caseFor(child.subjectKey, 'age.milestone', '2026-02-01'));
    expect(second.decisions.find((d) => d.policy.id === 'childcare-subsidy')).toMatchObject({
      outcome: 'eligible',
      action: 'already-handled',
    });
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(1);
    expect(await noticeTemplates(child.subjectKey)).toEqual(['grant.awarded']);
  });

  it('sends a case with a missing birth date to manual review instead of refusing it', async () => {
    const child = await addResident(pipeline.store, '2026-02-02', { 'person.localHukou': true });
    await removeFacts(pipeline.store, child, ['person.birthDate']);
    const result = await runCase(caseFor(child.subjectKey, 'birth.registered', '2026-02-10'));
    expect(result.decisions.find((d) => d.policy.id === 'childcare-subsidy')).toMatchObject({
      outcome: 'undetermined',
      action: 'manual-review',
      missingFacts: ['person.birthDate'],
    });
    const tasks = await pipeline.models.Task.find({ caseId: result.caseId }).lean();
    expect(tasks.map((task) => [task.key, task.type, task.status, task.missingFacts])).toEqual([
      [`${result.caseId}:manual:childcare-subsidy`, 'review', 'open', ['person.birthDate']],
    ]);
    expect(tasks[0].department).toBe('市卫生健康委员会');
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(0);
    expect(await noticeTemplates(child.subjectKey)).toEqual(['decision.undetermined']);
  });
});

/**
 * How an answer to an offer already answered is refused: by the workflow's validator with the
 * offer's status while the workflow runs, or, once it has finished (it may, right after the first
 * answer), as a workflow that takes no more updates, its result then saying the status.
 */
async function refusedAnswer(
  handle: WorkflowHandle,
  answer: 'confirm' | 'decline',
  updateId?: string,
): Promise<string> {
  const error = await handle
    .executeUpdate(answerOfferUpdate, { args: [answer], ...(updateId ? { updateId } : {}) })
    .then(
      () => undefined,
      (failure: unknown) => failure,
    );
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as ApplicationFailure;
    expect(cause.type).toBe(ErrorType.OfferClosed);
    return String(cause.details?.[0]);
  }
  if (error instanceof WorkflowNotFoundError) return ((await handle.result()) as { status: string }).status;
  throw new Error(`the ${answer} was not refused: ${String(error)}`);
}

describe('offer and confirm (一键确认)', () => {
  const sixtiethBirthday = async () => {
    const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
    const result = await runCase(caseFor(senior.subjectKey, 'age.milestone', '2026-06-01'));
    const card = result.decisions.find((d) => d.policy.id === 'senior-preferential-card')!;
    expect(card).toMatchObject({ outcome: 'eligible', action: 'offered' });
    expect(card.benefitWorkflowId).toBe(benefitWorkflowId('senior-preferential-card', senior.subjectKey, 'once'));
    return { senior, handle: env.client.workflow.getHandle(card.benefitWorkflowId!) };
  };

  it('grants the card when the citizen confirms, and ignores a second confirmation', async () => {
    const { senior, handle } = await sixtiethBirthday();
    expect(await handle.query(getBenefitStatusQuery)).toBe('offered');
    await handle.signal(confirmOfferSignal);
    await handle.signal(confirmOfferSignal);
    expect(await handle.result()).toEqual({ status: 'confirmed', grantCreated: true });
    const grants = await pipeline.models.Grant.find({ subjectKey: senior.subjectKey }).lean();
    expect(grants.map((g) => g.basis)).toEqual(['offer-confirmed']);
    expect(await noticeTemplates(senior.subjectKey)).toEqual(['offer.made', 'offer.confirmed']);
  });

  it('answers a confirm update with the grant it recorded, and refuses a decline after it with the status', async () => {
    const { senior, handle } = await sixtiethBirthday();
    const answered = await handle.executeUpdate(answerOfferUpdate, {
      args: ['confirm'],
      updateId: answerOfferUpdateId('confirm'),
    });
    expect(answered).toEqual({ status: 'confirmed', grant: { key: handle.workflowId, created: true } });
    // The update was answered after the workflow acted: the offer is closed and the grant there.
    expect((await pipeline.models.Offer.findById(handle.workflowId).lean())?.status).toBe('confirmed');
    expect(await pipeline.models.Grant.countDocuments({ _id: handle.workflowId })).toBe(1);

    // The same update ID again is the same update: its first result, nothing done twice.
    expect(
      await handle.executeUpdate(answerOfferUpdate, { args: ['confirm'], updateId: answerOfferUpdateId('confirm') }),
    ).toEqual(answered);
    expect(await refusedAnswer(handle, 'decline', answerOfferUpdateId('decline'))).toBe('confirmed');

    expect(await handle.result()).toEqual({ status: 'confirmed', grantCreated: true });
    expect(await noticeTemplates(senior.subjectKey)).toEqual(['offer.made', 'offer.confirmed']);
    // A refused update leaves no trace in the history; the accepted one is there once.
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
  });

  it('answers a decline update, and refuses a confirm after it and an answer that is neither', async () => {
    const { senior, handle } = await sixtiethBirthday();
    const invalid = await handle
      .executeUpdate(answerOfferUpdate, { args: ['maybe' as 'confirm'] })
      .catch((error: unknown) => error);
    expect(((invalid as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(ErrorType.InvalidInput);
    expect(await handle.executeUpdate(answerOfferUpdate, { args: ['decline'] })).toEqual({ status: 'declined' });
    expect(await refusedAnswer(handle, 'confirm')).toBe('declined');
    expect(await handle.result()).toEqual({ status: 'declined' });
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(0);
    expect(await noticeTemplates(senior.subjectKey)).toEqual(['offer.made', 'offer.declined']);
  });

  it('takes an update after a signal answered first as refused, with the signalled answer', async () => {
    const { handle } = await sixtiethBirthday();
    await handle.signal(declineOfferSignal);
    expect(await refusedAnswer(handle, 'confirm')).toBe('declined');
    expect(await handle.result()).toEqual({ status: 'declined' });
  });

  it('records a decline, grants nothing and tells the citizen', async () => {
    const { senior, handle } = await sixtiethBirthday();
    await handle.signal(declineOfferSignal);
    await handle.signal(confirmOfferSignal);
    expect(await handle.result()).toEqual({ status: 'declined' });
    expect((await pipeline.models.Offer.findOne({ subjectKey: senior.subjectKey }).lean())?.status).toBe('declined');
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(0);
    expect(await noticeTemplates(senior.subjectKey)).toEqual(['offer.made', 'offer.declined']);
  });
});
