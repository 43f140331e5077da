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
  /** YYYY-MM-DD: a move back into the city lifts a move-out's stop from the first of the month after it (never a death's). */
  liftedFrom?: string;
  /** The accepted events behind it: their case IDs, types and dates. */
  events: Array<{ caseId: string; type: string; occurredOn: string }>;
  recordedAt: Date;
}

const stopSchema = new Schema<SubjectStop>(
  {
    _id: { type: String, required: true },
    subjectKey: { type: String, required: true },
    from: { type: String, required: true },
    liftedFrom: String,
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

/** Whether a stop holds for a period starting on `periodStart` (YYYY-MM-DD). */
export function stopHolds(stop: Pick<SubjectStop, 'from' | 'liftedFrom'>, periodStart: string): boolean {
  return periodStart >= stop.from && !(stop.liftedFrom !== undefined && periodStart >= stop.liftedFrom);
}

/**
 * Records an accepted stop event, once per case; the earliest event's month decides `from`, unless
 * a move back in lifted the stop before this event: then this event starts it again.
 */
export async function recordSubjectStop(
  connection: Connection,
  stop: { subjectKey: string; caseId: string; type: string; occurredOn: string },
): Promise<void> {
  const Stops = registerStopModel(connection);
  const event = { caseId: stop.caseId, type: stop.type, occurredOn: stop.occurredOn };
  const from = firstOfNextMonth(stop.occurredOn);
  const current = await Stops.findById(stop.subjectKey, { liftedFrom: 1 }).lean();
  if (current?.liftedFrom !== undefined && from >= current.liftedFrom) {
    await Stops.updateOne(
      { _id: stop.subjectKey, liftedFrom: current.liftedFrom },
      { $set: { from }, $unset: { liftedFrom: 1 }, $addToSet: { events: event } },
    );
    return;
  }
  await Stops.updateOne(
    { _id: stop.subjectKey },
    {
      $setOnInsert: { subjectKey: stop.subjectKey, recordedAt: new Date() },
      $min: { from },
      $addToSet: { events: event },
    },
    { upsert: true },
  );
}

/** A move back into the city lifts a move-out's stop from the month after the move (a death's stays). */
export async function liftSubjectStop(
  connection: Connection,
  move: { subjectKey: string; caseId: string; occurredOn: string },
): Promise<void> {
  const Stops = registerStopModel(connection);
  const current = await Stops.findById(move.subjectKey).lean();
  if (!current || current.events.some((e) => e.type === 'death.registered')) return;
  await Stops.updateOne(
    { _id: move.subjectKey, 'events.type': { $ne: 'death.registered' } },
    {
      $set: { liftedFrom: firstOfNextMonth(move.occurredOn) },
      $addToSet: { events: { caseId: move.caseId, type: 'hukou.moved-in', occurredOn: move.occurredOn } },
    },
  );
}
