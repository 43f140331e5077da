/**
 * Stops on life events: a subject whose death (or move out of the city) the city has accepted is
 * paid nothing from the first day of the month after. One record per subject (`_id` = subject key),
 * written when the event is accepted (services/events/ingest.ts), before any case runs, so a
 * release can take such a subject's later lines out of its batch by one `_id` lookup per chunk.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface SubjectStop {
  /** The subject key. */
  _id: string;
  subjectKey: string;
  /** YYYY-MM-DD: the first day not paid (the first of the month after the earliest stop event). */
  from: string;
  /** The accepted events behind it: their case IDs, types and dates. */
  events: Array<{ caseId: string; type: string; occurredOn: string }>;
  recordedAt: Date;
}

const stopSchema = new Schema<SubjectStop>(
  {
    _id: { type: String, required: true },
    subjectKey: { type: String, required: true },
    from: { type: String, required: true },
    events: { type: [{ _id: false, caseId: String, type: { type: String }, occurredOn: String }], default: [] },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'subject_stops', versionKey: false },
);

export function registerStopModel(connection: Connection): Model<SubjectStop> {
  return (
    (connection.models.SubjectStop as Model<SubjectStop>) ?? connection.model<SubjectStop>('SubjectStop', stopSchema)
  );
}

/** The event types that stop every recurring payment of their subject from the month after. */
export const STOP_EVENT_TYPES: readonly string[] = ['death.registered', 'hukou.moved-out'];

/** The first day of the month after a date: "2026-03-10" → "2026-04-01". */
export function firstOfNextMonth(date: string): string {
  const [year, month] = date.split('-').map(Number);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** Records an accepted stop event, once per case; the earliest event's month decides `from`. */
export async function recordSubjectStop(
  connection: Connection,
  stop: { subjectKey: string; caseId: string; type: string; occurredOn: string },
): Promise<void> {
  const Stops = registerStopModel(connection);
  const event = { caseId: stop.caseId, type: stop.type, occurredOn: stop.occurredOn };
  await Stops.updateOne(
    { _id: stop.subjectKey },
    {
      $setOnInsert: { subjectKey: stop.subjectKey, recordedAt: new Date() },
      $min: { from: firstOfNextMonth(stop.occurredOn) },
      $addToSet: { events: event },
    },
    { upsert: true },
  );
}
