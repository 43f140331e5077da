/**
 * What the city gave or offered: grants (one per subject, policy and period: the grant
 * workflow's ID is the unique key), offers awaiting confirmation, pledges awaiting
 * inspection, and the recoveries and credit records written when a pledge proves false.
 * Each record's `_id` is its business key (`key`), so every keyed read and `$setOnInsert`
 * upsert filters on `_id` (store/keyed.ts says why).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { idFromKey } from './keyed.js';
import type { PolicyRef } from '../rules/types.js';

/** 'objection-arrears': a top-up after an objection's re-evaluation (activities/objections.ts), not a new proactive grant. */
export type GrantBasis = 'auto' | 'offer-confirmed' | 'pledge' | 'objection-arrears';

export interface Grant {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policy: PolicyRef;
  period: string;
  benefitKind: string;
  amount?: number;
  basis: GrantBasis;
  status: 'granted' | 'revoked';
  grantedAt: Date;
  revokedAt?: Date;
  revokeReason?: string;
}

export interface Offer {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policy: PolicyRef;
  period: string;
  amount?: number;
  status: 'open' | 'confirmed' | 'declined' | 'expired';
  offeredAt: Date;
  expiresAt: Date;
  answeredAt?: Date;
}

export interface Pledge {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  caseId: string;
  subjectKey: string;
  policy: PolicyRef;
  pledgedFacts: string[];
  inspectOn: string;
  status: 'pending' | 'passed' | 'failed';
  pledgedAt: Date;
  inspectedAt?: Date;
  discrepancies?: string[];
  /** The inspector's display name, as it was when a supervisor assigned the follow-up inspection (services/cases/service.ts). */
  inspector?: string;
  /**
   * The inspector's user ID: what gives them the case (assignments recorded before user IDs have a
   * name only, and give nobody the case until a supervisor assigns it again).
   */
  inspectorId?: string;
  assignedAt?: Date;
  /** The supervisor who assigned it: user ID and display name. */
  assignedById?: string;
  assignedBy?: string;
}

export interface Recovery {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  grantKey: string;
  subjectKey: string;
  amount: number;
  reason: string;
  status: 'due' | 'recovered';
  createdAt: Date;
}

export interface CreditRecord {
  /** Equals the business key below. */
  _id?: string;
  key: string;
  subjectKey: string;
  kind: 'false-pledge';
  policyId: string;
  grantKey: string;
  recordedAt: Date;
}

const ref = { id: String, version: Number, hash: String };
const unique = <T>(schema: Schema<T>) => {
  schema.index({ key: 1 }, { unique: true });
  return idFromKey(schema as Schema<T & { key: string }>, 'key') as Schema<T>;
};

const grantSchema = unique(
  new Schema<Grant>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      caseId: { type: String, required: true },
      subjectKey: { type: String, required: true },
      policy: ref,
      period: { type: String, required: true },
      benefitKind: { type: String, required: true },
      amount: Number,
      basis: { type: String, required: true, enum: ['auto', 'offer-confirmed', 'pledge', 'objection-arrears'] },
      status: { type: String, required: true, enum: ['granted', 'revoked'] },
      grantedAt: { type: Date, required: true },
      revokedAt: Date,
      revokeReason: String,
    },
    { collection: 'grants', versionKey: false },
  ),
);
grantSchema.index({ subjectKey: 1, grantedAt: -1 });
grantSchema.index({ 'policy.id': 1, period: 1 });
grantSchema.index({ caseId: 1 });

const offerSchema = unique(
  new Schema<Offer>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      caseId: { type: String, required: true },
      subjectKey: { type: String, required: true },
      policy: ref,
      period: { type: String, required: true },
      amount: Number,
      status: { type: String, required: true, enum: ['open', 'confirmed', 'declined', 'expired'] },
      offeredAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      answeredAt: Date,
    },
    { collection: 'offers', versionKey: false },
  ),
);
offerSchema.index({ subjectKey: 1, status: 1 });
offerSchema.index({ caseId: 1 });

const pledgeSchema = unique(
  new Schema<Pledge>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      caseId: { type: String, required: true },
      subjectKey: { type: String, required: true },
      policy: ref,
      pledgedFacts: { type: [String], default: [] },
      inspectOn: { type: String, required: true },
      status: { type: String, required: true, enum: ['pending', 'passed', 'failed'] },
      pledgedAt: { type: Date, required: true },
      inspectedAt: Date,
      discrepancies: { type: [String], default: undefined },
      inspector: String,
      inspectorId: String,
      assignedAt: Date,
      assignedById: String,
      assignedBy: String,
    },
    { collection: 'pledges', versionKey: false },
  ),
);
pledgeSchema.index({ status: 1, inspectOn: 1 });
/** An inspector's assigned inspections; a case's pledges in its timeline. */
pledgeSchema.index({ inspectorId: 1, status: 1 });
pledgeSchema.index({ caseId: 1 });

const recoverySchema = unique(
  new Schema<Recovery>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      grantKey: { type: String, required: true },
      subjectKey: { type: String, required: true },
      amount: { type: Number, required: true },
      reason: { type: String, required: true },
      status: { type: String, required: true, enum: ['due', 'recovered'] },
      createdAt: { type: Date, required: true },
    },
    { collection: 'recoveries', versionKey: false },
  ),
);

const creditSchema = unique(
  new Schema<CreditRecord>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      subjectKey: { type: String, required: true },
      kind: { type: String, required: true, enum: ['false-pledge'] },
      policyId: { type: String, required: true },
      grantKey: { type: String, required: true },
      recordedAt: { type: Date, required: true },
    },
    { collection: 'credit_records', versionKey: false },
  ),
);

export interface BenefitModels {
  Grant: Model<Grant>;
  Offer: Model<Offer>;
  Pledge: Model<Pledge>;
  Recovery: Model<Recovery>;
  CreditRecord: Model<CreditRecord>;
}

export function registerBenefitModels(connection: Connection): BenefitModels {
  const get = <T>(name: string, schema: Schema<T>) =>
    (connection.models[name] as Model<T>) ?? connection.model<T>(name, schema);
  return {
    Grant: get('Grant', grantSchema),
    Offer: get('Offer', offerSchema),
    Pledge: get('Pledge', pledgeSchema),
    Recovery: get('Recovery', recoverySchema),
    CreditRecord: get('CreditRecord', creditSchema),
  };
}
