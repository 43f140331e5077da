/**
 * Fact snapshots, decision records and manual-review tasks. A snapshot keeps the facts a
 * case read (so personal values stay in the system of record, not in workflow history);
 * a decision keeps each condition's masked value and result: the explanation shown to
 * citizens and supervisors. All are written once per key.
 * Each record's `_id` is its business key (`key`), so every keyed read and `$setOnInsert`
 * upsert filters on `_id` (store/keyed.ts says why).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import type { ConditionResult, Outcome, PolicyRef } from '../rules/types.js';
import type { Provenance } from '../domain/tasks.js';

export interface FactSnapshot {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policyId: string;
  /** Fact values as pairs: fact keys contain dots, which document field names may not. */
  values: Array<{ fact: string; value: unknown }>;
  missingFacts: string[];
  failedSources: Array<{ source: string; error: string }>;
  takenAt: Date;
}

/** Fact-value pairs of a snapshot as the flat map the rules engine reads. */
export function snapshotFacts(snapshot: Pick<FactSnapshot, 'values'>): Record<string, unknown> {
  return Object.fromEntries((snapshot.values ?? []).map(({ fact, value }) => [fact, value]));
}

/** A flat fact map as snapshot pairs. */
export function snapshotValues(facts: Record<string, unknown>): FactSnapshot['values'] {
  return Object.entries(facts).map(([fact, value]) => ({ fact, value }));
}

/**
 * A fact a reviewer supplied for the decision (人工审核补充事实): where it came from and who
 * recorded it, when. The value is shown as the conditions show facts (masked when sensitive); the
 * value itself stays in the review's fact snapshot (`${taskKey}:facts`).
 */
export interface SuppliedFactRecord {
  fact: string;
  /** As the conditions show it: '***' for a sensitive fact. */
  shownValue?: unknown;
  provenance: Provenance;
  byId: string;
  byName: string;
  at: Date;
}

export interface DecisionRecord {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policy: PolicyRef;
  asOf: string;
  outcome: Outcome;
  conditions: ConditionResult[];
  missingFacts: string[];
  failedSources: Array<{ source: string; error: string }>;
  amount?: number;
  period: string;
  decidedAt: Date;
  /** A review's decision: the review task it closed (activities/review.ts). */
  taskKey?: string;
  /** The facts a reviewer supplied, with their provenance; absent on decisions of shared data alone. */
  suppliedFacts?: SuppliedFactRecord[];
  /** A decision a reviewer made outright: who, and why. */
  decidedBy?: { id: string; name: string };
  reason?: string;
  /** The decision this one replaces (an objection's or a review's), and the one that replaced this. */
  supersedes?: string;
  supersededBy?: string;
}

/**
 * A manual review as versions before tasks kept it (`manual_tasks`): no longer written; each row becomes
 * a task once, at worker start (services/tasks/migrate.ts reads the collection directly).
 */
export interface ManualTask {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policyId: string;
  reason: 'undetermined';
  missingFacts: string[];
  failedSources: string[];
  status: 'open' | 'done';
  openedAt: Date;
}

const snapshotSchema = new Schema<FactSnapshot>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    caseId: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policyId: { type: String, required: true },
    values: { type: [{ fact: String, value: Schema.Types.Mixed, _id: false }], default: [] },
    missingFacts: { type: [String], default: [] },
    failedSources: { type: [{ source: String, error: String, _id: false }], default: [] },
    takenAt: { type: Date, required: true },
  },
  { collection: 'fact_snapshots', versionKey: false, minimize: false },
);
snapshotSchema.index({ key: 1 }, { unique: true });
idFromKey(snapshotSchema, 'key');

const decisionSchema = new Schema<DecisionRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    caseId: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policy: { id: String, version: Number, hash: String },
    asOf: { type: String, required: true },
    outcome: { type: String, required: true, enum: ['eligible', 'ineligible', 'undetermined'] },
    // Stored as written by the rules engine (masked values included); read back as is.
    conditions: { type: Schema.Types.Mixed, default: [] },
    missingFacts: { type: [String], default: [] },
    failedSources: { type: [{ source: String, error: String, _id: false }], default: [] },
    amount: { type: Number },
    period: { type: String, required: true },
    decidedAt: { type: Date, required: true },
    taskKey: { type: String },
    suppliedFacts: {
      type: [
        {
          fact: String,
          shownValue: Schema.Types.Mixed,
          provenance: { kind: String, reference: String, note: String },
          byId: String,
          byName: String,
          at: Date,
          _id: false,
        },
      ],
      default: undefined,
    },
    decidedBy: { type: { id: String, name: String, _id: false }, default: undefined },
    reason: { type: String },
    supersedes: { type: String },
    supersededBy: { type: String },
  },
  { collection: 'decisions', versionKey: false, minimize: false },
);
decisionSchema.index({ key: 1 }, { unique: true });
idFromKey(decisionSchema, 'key');
decisionSchema.index({ caseId: 1 });
decisionSchema.index({ subjectKey: 1, decidedAt: -1 });
decisionSchema.index({ 'policy.id': 1, outcome: 1 });
/** Case search by policy and date (services/cases/service.ts). */
decisionSchema.index({ 'policy.id': 1, decidedAt: -1 });

const manualTaskSchema = new Schema<ManualTask>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    caseId: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policyId: { type: String, required: true },
    reason: { type: String, required: true },
    missingFacts: { type: [String], default: [] },
    failedSources: { type: [String], default: [] },
    status: { type: String, required: true, enum: ['open', 'done'] },
    openedAt: { type: Date, required: true },
  },
  { collection: 'manual_tasks', versionKey: false },
);
manualTaskSchema.index({ key: 1 }, { unique: true });
idFromKey(manualTaskSchema, 'key');
manualTaskSchema.index({ status: 1, openedAt: 1 });
/** A case's manual tasks in its timeline (services/cases/timeline.ts). */
manualTaskSchema.index({ caseId: 1 });

export interface DecisionModels {
  FactSnapshot: Model<FactSnapshot>;
  Decision: Model<DecisionRecord>;
  ManualTask: Model<ManualTask>;
}

export function registerDecisionModels(connection: Connection): DecisionModels {
  return {
    FactSnapshot:
      (connection.models.FactSnapshot as Model<FactSnapshot>) ?? connection.model('FactSnapshot', snapshotSchema),
    Decision: (connection.models.Decision as Model<DecisionRecord>) ?? connection.model('Decision', decisionSchema),
    ManualTask: (connection.models.ManualTask as Model<ManualTask>) ?? connection.model('ManualTask', manualTaskSchema),
  };
}
