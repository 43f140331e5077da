/**
 * Accepts a life event from a registry: validates it and checks that its department may publish
 * it — its own source, a type it is registered for, dated within its back-dating window
 * (domain/departments.ts) — so nothing is written for a bad or unauthorised one; turns every
 * identifier into its pseudonymous subject key, records the subject, the event and the delivery
 * (with the department that made it), and starts the case workflow. The answer names the case,
 * never the subject key. Idempotent end to end: the same delivery twice, or the same event from
 * two registries, yields one case, and a crash between steps is repaired by the next delivery.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { checkPublication, type Publisher } from '../../domain/departments.js';
import { validateEvent } from '../../domain/event-payloads.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { registerCaseModels } from '../../store/cases.js';
import { registerSubject } from '../../store/subjects.js';
import { lifeEvent } from '../../workflows/life-event.js';
import { stopPaymentsOnAcceptedEvent } from '../payroll/stops.js';
import { revokeProofsOnEvent } from '../verifications/revoke.js';
import {
  caseStatusAttribute,
  CaseStatus,
  lifeEventWorkflowId,
  SearchAttributes,
  TASK_QUEUE,
  type LifeEventInput,
} from '../../workflows/contracts/index.js';

/** The key ring: a subject keeps the key it was first registered under, a new one gets the current key. */
export interface IngestDeps extends SubjectKeyRing {
  store: Connection;
  temporal: Client;
  taskQueue?: string;
  /** Today's date (YYYY-MM-DD) in the city's zone; events may not be dated later. */
  today: () => string;
}

export interface IngestResult {
  caseId: string;
  /** accepted: a new case; duplicate: this delivery, or the same event from another registry, was seen before. */
  status: 'accepted' | 'duplicate';
}

/**
 * Ingests one event published by `publisher` (the department whose signed request carried it, or
 * the demo feed's registry). Throws EventValidationError (400) or PublicationRefusal (403, or 400
 * BACKDATED) before anything is written.
 */
export async function ingestEvent(deps: IngestDeps, body: unknown, publisher: Publisher): Promise<IngestResult> {
  const today = deps.today();
  const event = validateEvent(body, today);
  checkPublication(publisher, event, today);
  const { LifeEvent, EventDelivery } = registerCaseModels(deps.store);

  // Each identifier is resolved through the key ring and registered (by _id: FerretDB indexes only _id).
  const keys = new Map<string, string>();
  const subjects = [{ kind: event.subject.kind, id: event.subject.id }, ...event.related];
  for (const { kind, id } of subjects) keys.set(`${kind}:${id}`, await registerSubject(deps.store, deps, { kind, id }));
  const keyOf = (kind: 'person' | 'enterprise', id: string) => keys.get(`${kind}:${id}`)!;
  const subject = keyOf(event.subject.kind, event.subject.id);
  const payload: Record<string, unknown> = { ...event.payload };
  for (const related of event.related) {
    // payload.guardianIds[0] → guardianKeys, payload.spouseId → spouseKeys, payload.employerCreditCode → employerKeys
    const field = `${related.field
      .replace(/^payload\./, '')
      .replace(/\[\d+\]$/, '')
      .replace(/(Ids|Id|CreditCode)$/, '')}Keys`;
    payload[field] = [...((payload[field] as string[] | undefined) ?? []), keyOf(related.kind, related.id)];
  }

  const naturalKey = `${event.type}:${subject}:${event.occurredOn}`;
  const caseId = lifeEventWorkflowId(event.sourceEventId);
  const record = await LifeEvent.findOneAndUpdate(
    { _id: naturalKey },
    {
      $setOnInsert: {
        naturalKey,
        caseId,
        type: event.type,
        subjectKey: subject,
        subjectKind: event.subject.kind,
        eventDate: event.occurredOn,
        payload,
        firstSourceEventId: event.sourceEventId,
        source: event.source,
        receivedAt: new Date(),
      },
    },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  const delivery = await EventDelivery.updateOne(
    { _id: event.sourceEventId },
    {
      $setOnInsert: {
        sourceEventId: event.sourceEventId,
        source: event.source,
        department: publisher.department,
        caseId: record!.caseId,
        receivedAt: new Date(),
      },
    },
    { upsert: true },
  );

  const input: LifeEventInput = {
    caseId: record!.caseId,
    eventType: event.type,
    subjectKey: subject,
    subjectKind: event.subject.kind,
    eventDate: event.occurredOn,
  };
  // A death or move-out stops recurring payments: recorded before the answer, so no batch released after it pays on.
  await stopPaymentsOnAcceptedEvent(deps, {
    caseId: input.caseId,
    subjectKey: subject,
    eventType: event.type,
    eventDate: event.occurredOn,
  });
  // A death (or a move, a marriage…) revokes the archived proofs resting on what it changed: never reused after it.
  await revokeProofsOnEvent(deps.store, { subjectKey: subject, eventType: event.type, eventDate: event.occurredOn });
  let started = false;
  try {
    await deps.temporal.workflow.start(lifeEvent, {
      workflowId: record!.caseId,
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      args: [input],
      // A re-delivery after the case finished must not start it again: one event, one case run.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SearchAttributes.subjectKey, value: subject },
        { key: SearchAttributes.eventType, value: event.type },
        caseStatusAttribute(CaseStatus.started),
      ],
    });
    started = true;
  } catch (error) {
    // A second start of the same case is success, not an error (DESIGN.md, workflow rules).
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  const firstDelivery = delivery.upsertedCount === 1 && record!.caseId === caseId;
  return { caseId: record!.caseId, status: started || firstDelivery ? 'accepted' : 'duplicate' };
}
