/**
 * Sweep requests (S5, abuse test 11): a sweep a person launches screens the whole population and
 * grants in bulk, so it starts only once a reviewer other than the requester approves it (four
 * eyes, as for publication). One record per sweep, `_id` the sweep's workflow ID: who asked and
 * when, with what slice size and rate, whether it back-pays periods before the current one, and
 * who approved or declined it. The scheduler's own sweeps start no request: they are the city's
 * standing rule, a due sweep of today or a yearly sweep of 1 January, never back-dated.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export type SweepRequestStatus = 'awaiting-approval' | 'approved' | 'declined';

export interface SweepRequestRecord {
  /** The sweep's workflow ID (sweepWorkflowId). */
  _id: string;
  policy: { id: string; version: number };
  asOf: string;
  /** The grant period of asOf is before the current one: it pays periods that have passed. */
  backDated: boolean;
  sliceSize?: number;
  startsPerSecond?: number;
  /** `_id` ranges screened side by side (workflows/sweep.ts); absent: one. */
  parts?: number;
  status: SweepRequestStatus;
  /** The requester's display name, and user ID (every record names it; absent on requests from before user IDs). */
  requestedBy: string;
  requestedById?: string;
  requestedAt: Date;
  /** The reviewer who approved (the sweep then started) or declined it: display name and user ID, and when. */
  decidedBy?: string;
  decidedById?: string;
  decidedAt?: Date;
}

const requestSchema = new Schema<SweepRequestRecord>(
  {
    _id: { type: String, required: true },
    policy: { id: String, version: Number },
    asOf: { type: String, required: true },
    backDated: { type: Boolean, required: true },
    sliceSize: Number,
    startsPerSecond: Number,
    parts: Number,
    status: { type: String, required: true, enum: ['awaiting-approval', 'approved', 'declined'] },
    requestedBy: { type: String, required: true },
    requestedById: String,
    requestedAt: { type: Date, required: true },
    decidedBy: String,
    decidedById: String,
    decidedAt: Date,
  },
  { collection: 'sweep_requests', versionKey: false },
);

export function registerSweepRequestModel(connection: Connection): Model<SweepRequestRecord> {
  return (
    (connection.models.SweepRequest as Model<SweepRequestRecord>) ??
    connection.model<SweepRequestRecord>('SweepRequest', requestSchema)
  );
}
