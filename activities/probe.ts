/** Activity of the stack probe: an idempotent write to the system of record. */
import type { Models } from '../store/models.js';

export interface RecordProbeInput {
  idempotencyKey: string;
  probeId: string;
  requestedBy: string;
}

/**
 * Writes the probe record once per idempotency key (`$setOnInsert` upsert on a unique
 * index): a retried activity finds the first record and reports `created: false`.
 */
export function makeRecordProbe(models: Models) {
  return async function recordProbe(input: RecordProbeInput): Promise<{ created: boolean; recordedAt: string }> {
    const now = new Date();
    const result = await models.Probe.updateOne(
      { _id: input.idempotencyKey },
      {
        $setOnInsert: {
          key: input.idempotencyKey,
          probeId: input.probeId,
          requestedBy: input.requestedBy,
          recordedAt: now,
        },
      },
      { upsert: true },
    );
    const record = await models.Probe.findOne({ _id: input.idempotencyKey }).lean();
    if (!record) throw new Error(`probe record ${input.idempotencyKey} vanished after upsert`);
    return { created: result.upsertedCount === 1, recordedAt: record.recordedAt.toISOString() };
  };
}
