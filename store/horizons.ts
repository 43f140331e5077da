/**
 * The eligibility horizon: for a subject a sweep found ineligible, the day its outcome will
 * change on its own (an 80th birthday, a year since founding), so the daily milestone sweep
 * re-screens only the subjects due that day instead of the whole city. The `_id` is
 * `<date>|<policy>|<subject key>`: one day's entries for a policy are one `_id` range, which
 * FerretDB answers from its index. Only pseudonymous subject keys are stored.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Outcome } from '../rules/types.js';

export interface HorizonRecord {
  _id: string;
  date: string;
  policyId: string;
  /** The version whose conditions gave the date. */
  version: number;
  subjectKey: string;
  /** The outcome expected from that day. */
  outcome: Outcome;
  /** The sweep that found it. */
  foundBy: string;
  foundAt: Date;
}

/** The key of a horizon entry; entries of one day and policy sort together. */
export function horizonKey(date: string, policyId: string, subjectKey: string): string {
  return `${date}|${policyId}|${subjectKey}`;
}

/** The `_id` range holding one day's entries for a policy (subject keys use no character above 'z'). */
export function horizonRange(date: string, policyId: string): { $gte: string; $lt: string } {
  return { $gte: horizonKey(date, policyId, ''), $lt: horizonKey(date, policyId, '~') };
}

const horizonSchema = new Schema<HorizonRecord>(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    policyId: { type: String, required: true },
    version: { type: Number, required: true },
    subjectKey: { type: String, required: true },
    outcome: { type: String, required: true, enum: ['eligible', 'ineligible', 'undetermined'] },
    foundBy: { type: String, required: true },
    foundAt: { type: Date, required: true },
  },
  { collection: 'eligibility_horizons', versionKey: false },
);
horizonSchema.index({ subjectKey: 1 });

export function registerHorizonModel(connection: Connection): Model<HorizonRecord> {
  return (
    (connection.models.EligibilityHorizon as Model<HorizonRecord>) ??
    connection.model('EligibilityHorizon', horizonSchema)
  );
}
