/**
 * What a release does about stops (store/stops.ts): before a batch is released, the lines of every
 * subject whose death or move-out the city accepted are taken out for each period from the stop on,
 * so no released batch pays a period after an accepted death. A line is taken out only while
 * pending (a conditional update), so it is either removed or released, never both.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { periodStart } from '../../domain/entitlements.js';
import { registerPayrollModels, type PaymentBatch } from '../../store/payroll.js';
import {
  liftSubjectStop,
  recordSubjectStop,
  registerStopModel,
  stopHolds,
  STOP_EVENT_TYPES,
} from '../../store/stops.js';
import {
  STOP_PAYMENTS_WORKFLOW_TYPE,
  stopPaymentsWorkflowId,
  TASK_QUEUE,
  type StopPaymentsInput,
} from '../../workflows/contracts/index.js';

const CHUNK = 1_000;

/** Removes the batch's pending lines of stopped subjects; returns how many. */
export async function withdrawStoppedLines(
  store: Connection,
  batch: Pick<PaymentBatch, 'key' | 'period'>,
): Promise<number> {
  const { PaymentLine } = registerPayrollModels(store);
  const Stops = registerStopModel(store);
  const lines = await PaymentLine.find(
    { batchId: batch.key, kind: 'payment', status: 'pending' },
    { subjectKey: 1 },
  ).lean();
  let removed = 0;
  for (let i = 0; i < lines.length; i += CHUNK) {
    const chunk = lines.slice(i, i + CHUNK);
    const stops = await Stops.find(
      { _id: { $in: chunk.map((line) => line.subjectKey) } },
      { from: 1, liftedFrom: 1 },
    ).lean();
    const stopped = new Set(
      stops.filter((stop) => stopHolds(stop, periodStart(batch.period))).map((stop) => String(stop._id)),
    );
    if (stopped.size === 0) continue;
    // By the lines' own keys: a filter on the subject made the embedded store scan every line of
    // every batch once per chunk with a stop in it (minutes for a release of 200,000 lines).
    const result = await PaymentLine.updateMany(
      { _id: { $in: chunk.filter((line) => stopped.has(line.subjectKey)).map((line) => line._id) }, status: 'pending' },
      {
        $set: {
          status: 'removed',
          removedAt: new Date(),
          reason: { zh: '死亡或户籍迁出后不再发放', en: 'not paid after a registered death or move-out' },
        },
      },
    );
    removed += result.modifiedCount;
  }
  return removed;
}

/**
 * What ingestion does with an accepted death or move-out: records the subject's stop at once (so
 * a release from now on takes out its later lines), then starts the stop workflow that ends its
 * entitlements, withdraws and recovers (one per case: a second start is success). Other events: nothing.
 */
export async function stopPaymentsOnAcceptedEvent(
  deps: { store: Connection; temporal: Client; taskQueue?: string },
  input: StopPaymentsInput,
): Promise<void> {
  if (input.eventType === 'hukou.moved-in') {
    await liftSubjectStop(deps.store, {
      subjectKey: input.subjectKey,
      caseId: input.caseId,
      occurredOn: input.eventDate,
    });
    return;
  }
  if (!STOP_EVENT_TYPES.includes(input.eventType)) return;
  await recordSubjectStop(deps.store, {
    subjectKey: input.subjectKey,
    caseId: input.caseId,
    type: input.eventType,
    occurredOn: input.eventDate,
  });
  const args: [StopPaymentsInput] = [input];
  try {
    await deps.temporal.workflow.start(STOP_PAYMENTS_WORKFLOW_TYPE, {
      workflowId: stopPaymentsWorkflowId(input.caseId),
      taskQueue: deps.taskQueue ?? TASK_QUEUE,
      args,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
