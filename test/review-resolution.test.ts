/**
 * A review closes its case (issue 14, item 2), on the real stack: a birth case the household
 * registry could not answer is undetermined; the review's resolution workflow, started through a
 * Temporal client as the review task's workflow starts it, decides it again with the facts the
 * reviewer supplied (or the reviewer's outright decision) and acts as the case would — one grant
 * and one notice, a refusal's notice and sealed letter, or the review opened again — once, however
 * often it is started. The decision record, the timeline, the explanation and the citizen's view
 * say who supplied what, from which document.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SuppliedFact, TaskOutcome } from '../domain/tasks.js';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { explainCase } from '../services/cases/explain.js';
import { createCitizenService } from '../services/citizen/service.js';
import { buildTimeline } from '../services/cases/timeline.js';
import { timelineForStaff } from '../services/cases/staff-view.js';
import { registerCertificateModel } from '../store/certificates.js';
import { registerTaskModels } from '../store/tasks.js';
import type { LifeEventRecord } from '../store/cases.js';
import {
  ErrorType,
  TASK_RESOLUTION_WORKFLOW,
  taskResolutionWorkflowId,
  taskWorkflowId,
  type LifeEventInput,
  type LifeEventResult,
  type TaskResolutionInput,
  type TaskResolutionResult,
} from '../workflows/contracts/index.js';
import { addResident, removeFacts, type TestSubject } from './support/city.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { undeterminedBirth } from './support/undetermined-birth.js';

const stack = inject('stack');
let running: RunningPipeline;
const POLICY = 'childcare-subsidy';
const reviewer = { id: 'u_reviewerreviewer', name: '王审核' };
const birthCertificate = { kind: 'document-at-window', reference: '出生医学证明 N371400551' } as const;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'review', { seals: true, notices: false });
});

afterAll(async () => {
  await running?.close();
});

/** A child born `birthDate` whose birth the household registry has no record of: the case is undetermined. */
async function undetermined(
  birthDate: string,
): Promise<{ child: TestSubject; caseId: string; record: LifeEventRecord }> {
  const { child, caseId, input } = await undeterminedBirth(running, birthDate);
  const record: LifeEventRecord = {
    naturalKey: caseId,
    caseId,
    type: input.eventType,
    subjectKey: child.subjectKey,
    subjectKind: 'person',
    eventDate: birthDate,
    payload: {},
    firstSourceEventId: caseId,
    source: 'household-registry',
    receivedAt: new Date(),
  };
  return { child, caseId, record };
}

function resolutionInput(
  caseId: string,
  subjectKey: string,
  outcome: TaskOutcome,
  taskKey?: string,
): TaskResolutionInput {
  const key = taskKey ?? `${caseId}:manual:${POLICY}`;
  return {
    taskKey: key,
    type: 'review',
    source: { kind: 'case', key: caseId },
    caseId,
    subjectKey,
    policyId: POLICY,
    outcome,
    by: reviewer,
  };
}

/** Starts the resolution as the review task's workflow does: by name, under the task's resolution ID. */
const resolve = (input: TaskResolutionInput): Promise<TaskResolutionResult> =>
  running.client.workflow.execute(TASK_RESOLUTION_WORKFLOW.review, {
    workflowId: taskResolutionWorkflowId(input.taskKey),
    taskQueue: running.pipeline.taskQueue,
    args: [input],
  });

const supplied = (facts: SuppliedFact[]): TaskOutcome => ({ kind: 'facts-supplied', facts });
const notices = async (subjectKey: string) =>
  (await running.pipeline.models.Notice.find({ subjectKey }).sort({ queuedAt: 1 }).lean()).map((n) => n.template);

describe('a reviewer who records the missing birth date', () => {
  it('closes the case: one grant, one notice, the decision showing who supplied the date from which document', async () => {
    const { child, caseId, record } = await undetermined('2026-02-02');
    const input = resolutionInput(
      caseId,
      child.subjectKey,
      supplied([{ fact: 'person.birthDate', value: '2026-02-02', provenance: birthCertificate }]),
    );
    const result = await resolve(input);
    expect(result).toMatchObject({ action: 'granted', benefitWorkflowId: expect.stringContaining(POLICY) });
    expect(result.text.zh).toContain('育儿补贴');
    await running.client.workflow.getHandle(result.benefitWorkflowId!).result();

    // Started again under the same ID (the review task's workflow retried): the same decision, nothing new.
    expect(await resolve(input)).toMatchObject({ action: 'granted', benefitWorkflowId: result.benefitWorkflowId });
    const grants = await running.pipeline.models.Grant.find({ subjectKey: child.subjectKey }).lean();
    expect(grants.map((g) => [g.policy.id, g.amount, g.basis])).toEqual([[POLICY, 3300, 'auto']]);
    expect(await notices(child.subjectKey)).toEqual(['decision.undetermined', 'grant.awarded']);

    const decision = await running.pipeline.models.Decision.findOne({ _id: `${input.taskKey}:decision` }).lean();
    expect(decision).toMatchObject({
      outcome: 'eligible',
      amount: 3300,
      supersedes: `${caseId}:decision:${POLICY}`,
      suppliedFacts: [
        {
          fact: 'person.birthDate',
          shownValue: '2026-02-02',
          provenance: birthCertificate,
          byId: reviewer.id,
          byName: reviewer.name,
        },
      ],
    });
    const replaced = await running.pipeline.models.Decision.findOne({ _id: `${caseId}:decision:${POLICY}` }).lean();
    expect(replaced).toMatchObject({ outcome: 'undetermined', supersededBy: `${input.taskKey}:decision` });
    // The grant's decision letter is sealed once, from the facts the review decided on.
    const letters = await registerCertificateModel(running.pipeline.store)
      .find({ key: `${result.benefitWorkflowId}:letter` })
      .lean();
    expect(letters).toHaveLength(1);

    // The timeline names the supplier and the document; staff without birth dates see the value masked.
    const timeline = await buildTimeline(
      { store: running.pipeline.store, temporal: running.client, namespace: stack.temporalNamespace },
      record,
      { kind: 'person', subjectKey: child.subjectKey },
    );
    const reviewed = timeline.entries.find((e) => e.kind === 'decision' && e.detail?.decisionKey === decision?.key);
    expect(reviewed).toMatchObject({ actor: reviewer.name });
    expect(reviewed?.summary.zh).toContain('出生医学证明 N371400551');
    expect(timeline.workflows.map((w) => w.type)).toContain('reviewResolution');
    const staff = timelineForStaff(timeline).entries.find((e) => e.detail?.decisionKey === decision?.key);
    expect(staff?.detail?.suppliedFacts).toEqual([expect.objectContaining({ shownValue: '***' })]);

    // The citizen sees which fact staff recorded, from what document, and by whom — not their user ID.
    const citizen = createCitizenService({ store: running.pipeline.store, temporal: running.client });
    const mine = await citizen.decisions({
      id: 'u_citizencitizen',
      name: '本人',
      role: 'citizen',
      subjectKey: child.subjectKey,
    });
    const shown = mine.find((d) => d.key === decision?.key);
    expect(shown?.suppliedFacts).toEqual([
      {
        fact: 'person.birthDate',
        label: { zh: '出生日期', en: 'date of birth' },
        provenance: {
          kind: 'document-at-window',
          kindText: { zh: '窗口查验材料', en: 'a document seen at the window' },
          reference: '出生医学证明 N371400551',
        },
        by: { name: reviewer.name },
        at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(mine)).not.toContain(reviewer.id);

    // The explanation decides as the review did: the registry still has no birth date, the supplied one stands in.
    const explained = await explainCase(
      {
        store: running.pipeline.store,
        policies: running.pipeline.policies,
        fetchFacts: makeFetchFacts({
          connection: running.pipeline.store,
          adapters: createAdapterRegistry({ connection: running.pipeline.store }),
        }),
        today: () => '2026-12-01',
      },
      { id: 'u_supervisorsuperv', name: '周督查', role: 'supervisor' },
      record,
      replaced,
      { policyId: POLICY, reason: '复核人工审核结果' },
      (code, message) => new Error(`${code}: ${message}`) as never,
    );
    expect(explained.decision).toMatchObject({ outcome: 'eligible', amount: 3300 });
    expect(explained.suppliedFacts).toEqual([
      expect.objectContaining({
        fact: 'person.birthDate',
        provenance: expect.objectContaining({ reference: '出生医学证明 N371400551' }),
        byName: reviewer.name,
      }),
    ]);
  });

  it('refuses a birth date given as a number, naming the fact, and decides nothing', async () => {
    const { child, caseId } = await undetermined('2026-03-03');
    const input = resolutionInput(
      caseId,
      child.subjectKey,
      supplied([{ fact: 'person.birthDate', value: 20260303, provenance: birthCertificate }]),
    );
    const error = await resolve(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: ErrorType.InvalidInput, nonRetryable: true });
    expect((cause as ApplicationFailure).message).toContain('person.birthDate');
    expect(await running.pipeline.models.Decision.countDocuments({ _id: `${input.taskKey}:decision` })).toBe(0);
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(0);
  });

  it('opens the review again when what was supplied still leaves the birth date missing', async () => {
    const { child, caseId } = await undetermined('2026-04-04');
    const input = resolutionInput(
      caseId,
      child.subjectKey,
      supplied([
        { fact: 'person.localHukou', value: true, provenance: { kind: 'department-reply', reference: '德公复12号' } },
      ]),
    );
    const result = await resolve(input);
    expect(result.action).toBe('still-undetermined');
    const again = `${input.taskKey}:again`;
    try {
      const task = await registerTaskModels(running.pipeline.store).Task.findById(again).lean();
      expect(task).toMatchObject({
        type: 'review',
        status: 'open',
        caseId,
        policyId: POLICY,
        missingFacts: ['person.birthDate'],
        workflowId: taskWorkflowId(again),
      });
      expect(await resolve(input)).toMatchObject({ action: 'still-undetermined' });
      expect(
        await registerTaskModels(running.pipeline.store).Task.countDocuments({ caseId, _id: { $ne: input.taskKey } }),
      ).toBe(1);

      // The review opened again is resolved with the birth date: the hukou supplied before still stands.
      const second = await resolve(
        resolutionInput(
          caseId,
          child.subjectKey,
          supplied([{ fact: 'person.birthDate', value: '2026-04-04', provenance: birthCertificate }]),
          again,
        ),
      );
      expect(second.action).toBe('granted');
      await running.client.workflow.getHandle(second.benefitWorkflowId!).result();
      expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(1);
    } finally {
      // Its humanTask workflow belongs to the task machinery, not registered on this branch's worker.
      await running.client.workflow
        .getHandle(taskWorkflowId(again))
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});

describe('a review of a period another case already granted', () => {
  it('says so and grants nothing twice', async () => {
    const child = await addResident(running.pipeline.store, '2026-07-07', {
      'person.localHukou': true,
      'person.alive': true,
    });
    const firstCaseId = `life-event:test-${randomUUID()}`;
    const granted: LifeEventResult = await running.client.workflow.execute('lifeEvent', {
      workflowId: firstCaseId,
      taskQueue: running.pipeline.taskQueue,
      args: [
        {
          caseId: firstCaseId,
          eventType: 'birth.registered',
          subjectKey: child.subjectKey,
          subjectKind: 'person',
          eventDate: '2026-07-07',
        },
      ],
    });
    const first = granted.decisions.find((d) => d.policy.id === POLICY)!;
    expect(first.action).toBe('granted');
    await running.client.workflow.getHandle(first.benefitWorkflowId!).result();

    // A later case of the same year finds no birth date at the registry; its reviewer supplies it.
    await removeFacts(running.pipeline.store, child, ['person.birthDate']);
    const later: LifeEventInput = {
      caseId: `life-event:test-${randomUUID()}`,
      eventType: 'age.milestone',
      subjectKey: child.subjectKey,
      subjectKind: 'person',
      eventDate: '2026-08-07',
    };
    await running.client.workflow.execute('lifeEvent', {
      workflowId: later.caseId,
      taskQueue: running.pipeline.taskQueue,
      args: [later],
    });
    const result = await resolve(
      resolutionInput(
        later.caseId,
        child.subjectKey,
        supplied([{ fact: 'person.birthDate', value: '2026-07-07', provenance: birthCertificate }]),
      ),
    );
    expect(result).toMatchObject({ action: 'already-handled', benefitWorkflowId: first.benefitWorkflowId });
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(1);
  });
});

describe('a reviewer who decides outright', () => {
  it('refuses with the reason: a refusal notice and a sealed letter giving the reason, once', async () => {
    const { child, caseId } = await undetermined('2026-05-05');
    const reason = '经核实，该儿童户籍已迁出本市';
    const input = resolutionInput(caseId, child.subjectKey, { kind: 'decided', outcome: 'ineligible', reason });
    expect(await resolve(input)).toMatchObject({ action: 'refused' });
    expect(await resolve(input)).toMatchObject({ action: 'refused' });
    expect(await notices(child.subjectKey)).toEqual(['decision.undetermined', 'decision.refused']);
    const decisionKey = `${input.taskKey}:decision`;
    expect(await running.pipeline.models.Decision.findById(decisionKey).lean()).toMatchObject({
      outcome: 'ineligible',
      decidedBy: reviewer,
      reason,
    });
    const letters = await registerCertificateModel(running.pipeline.store)
      .find({ key: `${decisionKey}:letter` })
      .lean();
    expect(letters).toHaveLength(1);
    expect(JSON.stringify(letters[0])).toContain(reason);
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(0);
  });

  it('will not decide eligible outright where the amount needs the birth date nobody knows', async () => {
    const { child, caseId } = await undetermined('2026-06-06');
    const input = resolutionInput(caseId, child.subjectKey, {
      kind: 'decided',
      outcome: 'eligible',
      reason: '家长已出示出生证明原件',
    });
    const error = await resolve(input).catch((e: unknown) => e);
    const cause = (error as WorkflowFailedError).cause?.cause as ApplicationFailure;
    expect(cause).toMatchObject({ type: ErrorType.InvalidInput, nonRetryable: true });
    expect(cause.message).toMatch(/amount .*needs person\.birthDate/);
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: child.subjectKey })).toBe(0);
  });
});
