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
/** 'verified': a pledge-mode case whose subject a credit record barred from pledging, granted on the departments' data. */
export type GrantBasis = 'auto' | 'offer-confirmed' | 'pledge' | 'objection-arrears' | 'verified';
export const GRANT_BASES: readonly GrantBasis[] = [
  'auto',
  'offer-confirmed',
  'pledge',
  'objection-arrears',
  'verified',
];

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
  /**
   * awaiting-signature: the written notice was sent, no signature yet; lapsed: none came in time (no
   * grant); pending: signed (or, before the signature, granted at once) and awaiting inspection;
   * passed, failed; unverified: an inspector could not verify it (the grant stands).
   */
  status: PledgeStatus;
  /** When the pledge was recorded: since the signature patch, when the written notice was sent. */
  pledgedAt: Date;
  inspectedAt?: Date;
  discrepancies?: string[];
  /** The written notice (告知书) as sent, both languages, and its sha256 content hash the signature must name. */
  notice?: { zh: string; en: string };
  noticeHash?: string;
  /** The last day (ISO instant) a signature is taken. */
  signBy?: Date;
  signature?: StoredPledgeSignature;
  /** Why an inspector also inspects it on site: a high-risk amount, or the policy's sample. */
  onSite?: 'high-risk' | 'sampled';
  /** The tasks opened for an inspector (on site, inconclusive re-check), by key. */
  taskKeys?: string[];
  /** Each inspector's finding, once per task. */
  findings?: PledgeFinding[];
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

export type PledgeStatus = 'awaiting-signature' | 'lapsed' | 'pending' | 'passed' | 'failed' | 'unverified';
export const PLEDGE_STATUSES: readonly PledgeStatus[] = [
  'awaiting-signature',
  'lapsed',
  'pending',
  'passed',
  'failed',
  'unverified',
];

/** A signature as stored: the channel, the notice hash signed, when, and at the window who recorded the paper form. */
export interface StoredPledgeSignature {
  signedAt: Date;
  channel: 'app' | 'window';
  noticeHash: string;
  staffId?: string;
  staffName?: string;
  paperFormRef?: string;
  consent?: string;
}

/** An inspector's finding (domain/tasks.ts Finding) with notes and evidence references, from one task. */
export interface PledgeFinding {
  taskKey: string;
  finding: 'conforms' | 'does-not-conform' | 'cannot-verify';
  notes: string;
  evidence: string[];
  byId: string;
  byName: string;
  at: Date;
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
  /** Why: the discrepancies the re-check found, or the inspector's finding. Absent on records from before it was kept. */
  reason?: string;
  /** How many days the policy that recorded it bars pledge mode from `recordedAt`. */
  blockDays?: number;
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
      basis: { type: String, required: true, enum: GRANT_BASES },
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
      status: { type: String, required: true, enum: PLEDGE_STATUSES },
      pledgedAt: { type: Date, required: true },
      inspectedAt: Date,
      discrepancies: { type: [String], default: undefined },
      notice: { type: { zh: String, en: String }, default: undefined, _id: false },
      noticeHash: String,
      signBy: Date,
      signature: {
        type: {
          signedAt: Date,
          channel: String,
          noticeHash: String,
          staffId: String,
          staffName: String,
          paperFormRef: String,
          consent: String,
        },
        default: undefined,
        _id: false,
      },
      onSite: String,
      taskKeys: { type: [String], default: undefined },
      findings: {
        type: [
          {
            _id: false,
            taskKey: String,
            finding: String,
            notes: String,
            evidence: [String],
            byId: String,
            byName: String,
            at: Date,
          },
        ],
        default: undefined,
      },
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
      reason: String,
      blockDays: Number,
    },
    { collection: 'credit_records', versionKey: false },
  ),
);
/** A subject's records, newest first (the credit read-back and /me/credit-records); the export by date. */
creditSchema.index({ subjectKey: 1, recordedAt: -1 });
creditSchema.index({ recordedAt: 1 });

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
