/**
 * Objections (异议): a citizen, or an officer or supervisor on their behalf, disputes a decision
 * or a data value behind it. The record carries the correction the owning department made, each
 * step (filed, corrected, re-evaluated, settled, notified) and the outcome: the new decision and
 * the arrears paid or over-payment recovered. `_id` is the objection ID; every derived record
 * (correction, decision, top-up, recovery, notices) is keyed from it, so nothing happens twice.
 * Each step is hash-chained once written (stream `objection_steps`, store/audit-chain.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';
import { stepRef } from './audit-streams.js';
import type { Text } from '../domain/sources.js';
import type { Outcome } from '../rules/types.js';
import type { DataCorrection } from './corrections.js';
import type { PersonRef } from './users.js';

export type ObjectionStatus = 'filed' | 'correcting' | 're-evaluating' | 'resolved' | 'rejected';
export type ObjectionKind = 'decision' | 'data';

export interface ObjectionStep {
  /** Business key of the step within the objection: written once. */
  key: string;
  at: Date;
  kind: string;
  /** The display name (or `system`). */
  actor: string;
  /** The user ID of a person's step (absent on system steps and on steps recorded before user IDs). */
  actorId?: string;
  summary: Text;
}

/** The owning department's correction as the objection keeps it: the audit record without its key, subject and sealed value. */
export type ObjectionCorrection = Omit<DataCorrection, '_id' | 'subjectKey' | 'sealedOldValue'>;

/** A correction recorded for the department and not applied yet: it waits for a second person to confirm it (S4). */
export interface PendingCorrection {
  fact: string;
  value: unknown;
  reason: string;
  by: PersonRef;
  at: Date;
}

/** What the re-evaluation decided and how the difference was settled, per period. */
export interface ObjectionOutcome {
  decisionKey: string;
  previousDecisionKey: string;
  outcome: Outcome;
  previousOutcome: Outcome;
  amountBefore?: number;
  amountAfter?: number;
  arrears?: number;
  overpayment?: number;
  periods: Array<{ period: string; paid: number; due: number; arrearsKey?: string; recoveryKey?: string }>;
  /** A benefit in kind (a card, a school place) now due: the grant, offer or pledge workflow started for it. */
  benefitWorkflowId?: string;
  /** Grants in kind no longer due, revoked by the objection. */
  revokedGrantKeys?: string[];
}

export interface ObjectionRecord {
  /** The objection ID (`obj-…`). */
  _id: string;
  status: ObjectionStatus;
  subjectKey: string;
  policyId: string;
  caseId: string;
  /** The decision objected to (`${caseId}:decision:${policyId}`). */
  decisionKey: string;
  kind: ObjectionKind;
  fact?: string;
  claimedValue?: unknown;
  statement: string;
  filedBy: PersonRef;
  filedAt: Date;
  /** The Temporal workflow re-evaluating it (objectionWorkflowId). */
  workflowId: string;
  correction?: ObjectionCorrection;
  /** A correction recorded and awaiting a second person's confirmation; the department's record is unchanged until then. */
  pendingCorrection?: PendingCorrection;
  /** A supervisor's resolution without a data correction: re-check as is, or reject with a reason. */
  resolution?: { action: 'reevaluate' | 'reject'; reason: string; by: PersonRef; at: Date };
  outcome?: ObjectionOutcome;
  steps: ObjectionStep[];
  updatedAt: Date;
}

const text = { zh: String, en: String };
const person = { id: String, name: String, role: String };
const objectionSchema = new Schema<ObjectionRecord>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true, enum: ['filed', 'correcting', 're-evaluating', 'resolved', 'rejected'] },
    subjectKey: { type: String, required: true },
    policyId: { type: String, required: true },
    caseId: { type: String, required: true },
    decisionKey: { type: String, required: true },
    kind: { type: String, required: true, enum: ['decision', 'data'] },
    fact: String,
    claimedValue: Schema.Types.Mixed,
    statement: { type: String, required: true },
    filedBy: person,
    filedAt: { type: Date, required: true },
    workflowId: { type: String, required: true },
    correction: { type: Schema.Types.Mixed },
    pendingCorrection: { type: Schema.Types.Mixed },
    resolution: { type: Schema.Types.Mixed },
    outcome: { type: Schema.Types.Mixed },
    steps: {
      type: [{ key: String, at: Date, kind: String, actor: String, actorId: String, summary: text, _id: false }],
      default: [],
    },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'objections', versionKey: false, minimize: false },
);
/** A citizen's objections; a case's objections in its timeline; the supervisors' queue by status. */
objectionSchema.index({ subjectKey: 1, filedAt: -1 });
objectionSchema.index({ caseId: 1 });
objectionSchema.index({ status: 1, filedAt: -1 });

export function registerObjectionModel(connection: Connection): Model<ObjectionRecord> {
  return (
    (connection.models.Objection as Model<ObjectionRecord>) ??
    connection.model<ObjectionRecord>('Objection', objectionSchema)
  );
}

/**
 * Chains the objection's steps that are not chained yet (a link lookup by `_id` per step): after
 * filing, and after every step, so a step whose chaining an earlier attempt did not finish is
 * chained by the retry. Throws when it could not be.
 */
export async function chainObjectionSteps(connection: Connection, record: Pick<ObjectionRecord, '_id' | 'steps'>) {
  await chainStored(
    connection,
    'objection_steps',
    record.steps.map((step) => stepRef(record._id, step.key)),
  );
}

/**
 * Appends a step once per key (a retried activity or request finds it there) and applies `set`
 * (and `unset`) with it, then chains it. Read-then-push: one objection is written by one request
 * or one workflow at a time.
 */
export async function addObjectionStep(
  connection: Connection,
  objectionId: string,
  step: Omit<ObjectionStep, 'at'> & { at?: Date },
  set: Partial<Pick<ObjectionRecord, 'status' | 'correction' | 'pendingCorrection' | 'resolution' | 'outcome'>> = {},
  unset: ReadonlyArray<'pendingCorrection'> = [],
): Promise<ObjectionRecord | undefined> {
  const Objection = registerObjectionModel(connection);
  const current = await Objection.findOne({ _id: objectionId }).lean();
  if (!current) return undefined;
  if (current.steps.some((existing) => existing.key === step.key)) {
    await chainObjectionSteps(connection, current);
    return current;
  }
  const at = step.at ?? new Date();
  await Objection.updateOne(
    { _id: objectionId },
    {
      $push: { steps: { ...step, at } },
      $set: { ...set, updatedAt: at },
      ...(unset.length ? { $unset: Object.fromEntries(unset.map((field) => [field, 1])) } : {}),
    },
  );
  const updated = (await Objection.findOne({ _id: objectionId }).lean()) ?? undefined;
  if (updated) await chainObjectionSteps(connection, updated);
  return updated;
}
