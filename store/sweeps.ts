/**
 * One record per sweep (`_id` = the sweep's workflow ID): its policy, date, status and running
 * totals, rewritten after every slice so the console and CLI can list sweeps without asking
 * Temporal. The workflow's progress query stays the live answer.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { PolicyRef } from '../rules/types.js';
import type { SweepCounts, SweepStatus } from '../workflows/contracts/index.js';

export interface SweepRecord extends SweepCounts {
  _id: string;
  policy: PolicyRef;
  asOf: string;
  status: SweepStatus;
  total: number;
  slices: number;
  /** Missing facts behind undetermined outcomes, as pairs (fact keys contain dots, which FerretDB refuses as field names). */
  undeterminedCauses: Array<{ fact: string; count: number }>;
  /** The display name of whoever started it, or `schedule:<kind>`. */
  requestedBy: string;
  /** Their user ID (absent for the schedule, and for sweeps started before user IDs). */
  requestedById?: string;
  startedAt: Date;
  updatedAt: Date;
}

const count = { type: Number, required: true, default: 0 };

const sweepSchema = new Schema<SweepRecord>(
  {
    _id: { type: String, required: true },
    policy: { id: String, version: Number, hash: String },
    asOf: { type: String, required: true },
    status: { type: String, required: true, enum: ['running', 'paused', 'cancelled', 'done'] },
    total: count,
    slices: count,
    processed: count,
    eligible: count,
    ineligible: count,
    undetermined: count,
    granted: count,
    grantsCreated: count,
    started: count,
    alreadyHandled: count,
    noticesQueued: count,
    undeterminedCauses: { type: [{ fact: String, count: Number, _id: false }], default: [] },
    requestedBy: { type: String, required: true },
    requestedById: String,
    startedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'sweeps', versionKey: false },
);
sweepSchema.index({ 'policy.id': 1, asOf: -1 });

export function registerSweepModel(connection: Connection): Model<SweepRecord> {
  return (connection.models.Sweep as Model<SweepRecord>) ?? connection.model('Sweep', sweepSchema);
}
