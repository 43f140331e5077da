/**
 * A birth case the household registry cannot answer (its record has no birth date): the childcare
 * subsidy is undetermined and a review task opens. Run as a life-event workflow on a running
 * pipeline; `registeredOn` (the event's date, the date the case is judged as of) defaults to the birth.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { LifeEventInput, LifeEventResult } from '../../workflows/contracts/index.js';
import { addResident, removeFacts, type TestSubject } from './city.js';
import type { RunningPipeline } from './running-pipeline.js';

export async function undeterminedBirth(
  running: RunningPipeline,
  birthDate: string,
  registeredOn = birthDate,
): Promise<{ child: TestSubject; caseId: string; input: LifeEventInput }> {
  const child = await addResident(running.pipeline.store, birthDate, {
    'person.localHukou': true,
    'person.alive': true,
  });
  await removeFacts(running.pipeline.store, child, ['person.birthDate']);
  const input: LifeEventInput = {
    caseId: `life-event:test-${randomUUID()}`,
    eventType: 'birth.registered',
    subjectKey: child.subjectKey,
    subjectKind: 'person',
    eventDate: registeredOn,
  };
  const result: LifeEventResult = await running.client.workflow.execute('lifeEvent', {
    workflowId: input.caseId,
    taskQueue: running.pipeline.taskQueue,
    args: [input],
  });
  expect(result.decisions.find((d) => d.policy.id === 'childcare-subsidy')).toMatchObject({
    outcome: 'undetermined',
    action: 'manual-review',
    missingFacts: ['person.birthDate'],
  });
  return { child, caseId: input.caseId, input };
}
