/**
 * Policy versions as officers author them, and their change history. The document is kept
 * as JSON text: fact names contain dots, which the MongoDB wire protocol (FerretDB) does
 * not take as keys, and the text is exactly what was validated, tested and approved.
 * `_id` is `<policyId>@<version>`; every status change and edit moves the version from one
 * `revision` to the next, claimed once (store/step-claims.ts), so two officers racing cannot both
 * move a version, on MongoDB or on FerretDB. History entries
 * are hash-chained as they are written (stream `policy_history`, store/audit-chain.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { chainStored } from './audit-chain.js';
import type { PolicyRole, Role } from '../domain/roles.js';

export type PolicyStatus = 'draft' | 'submitted' | 'approved' | 'published' | 'retired';
export type { PolicyRole };
export type PolicyAction =
  | 'created'
  | 'edited'
  | 'validated'
  | 'tested'
  | 'simulated'
  | 'submitted'
  | 'approved'
  | 'rejected'
  | 'published'
  | 'retired'
  | 'imported';

export interface CheckSummary {
  /** The content hash the check ran on: a later edit makes it stale. */
  hash: string;
  at: Date;
  passed: boolean;
  detail: string;
}

export interface PolicyVersionRecord {
  _id: string;
  policyId: string;
  version: number;
  status: PolicyStatus;
  /** The policy document, as JSON text. */
  source: string;
  /** sha256 of the document's canonical JSON (what cases pin). */
  hash: string;
  title: { zh: string; en: string };
  origin: 'catalog' | 'officer';
  /**
   * Each `…By` is the display name as it was then; each `…ById` the user ID (store/users.ts),
   * which four-eyes compares. Versions recorded before user IDs have names only.
   */
  createdBy: string;
  createdById?: string;
  createdAt: Date;
  updatedBy: string;
  updatedById?: string;
  updatedAt: Date;
  validation?: CheckSummary;
  tests?: CheckSummary;
  simulation?: CheckSummary;
  submittedBy?: string;
  submittedById?: string;
  submittedAt?: Date;
  approvedBy?: string;
  approvedById?: string;
  approvedAt?: Date;
  publishedBy?: string;
  publishedById?: string;
  publishedAt?: Date;
  retiredBy?: string;
  retiredById?: string;
  retiredAt?: Date;
  /** Status moves and edits so far (absent: none); each claims the next (services/policies/lifecycle.ts). */
  revision?: number;
}

export interface PolicyHistoryEntry {
  /** `<policyId>@<version>#<n>`: one per change, in order. */
  key: string;
  policyId: string;
  version: number;
  action: PolicyAction;
  /** The display name as it was then. */
  actor: string;
  /** The user ID (`system` for the shipped catalog); absent on entries recorded before user IDs. */
  actorId?: string;
  /** Only officers and reviewers act on policies (services/policies/lifecycle.ts refuses other roles). */
  role: Role | 'system';
  at: Date;
  note?: string;
  /** Readable change lines (rules/policy-diff.ts) for edits; the status move for transitions. */
  changes: string[];
}

const check = new Schema<CheckSummary>(
  {
    hash: { type: String, required: true },
    at: { type: Date, required: true },
    passed: { type: Boolean, required: true },
    detail: { type: String, default: '' },
  },
  { _id: false },
);

const versionSchema = new Schema<PolicyVersionRecord>(
  {
    _id: { type: String, required: true },
    policyId: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true, enum: ['draft', 'submitted', 'approved', 'published', 'retired'] },
    source: { type: String, required: true },
    hash: { type: String, required: true },
    title: { zh: { type: String, required: true }, en: { type: String, required: true } },
    origin: { type: String, required: true, enum: ['catalog', 'officer'] },
    createdBy: { type: String, required: true },
    createdById: String,
    createdAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
    updatedById: String,
    updatedAt: { type: Date, required: true },
    validation: check,
    tests: check,
    simulation: check,
    submittedBy: String,
    submittedById: String,
    submittedAt: Date,
    approvedBy: String,
    approvedById: String,
    approvedAt: Date,
    publishedBy: String,
    publishedById: String,
    publishedAt: Date,
    retiredBy: String,
    retiredById: String,
    retiredAt: Date,
    revision: Number,
  },
  { collection: 'policy_versions', versionKey: false },
);
versionSchema.index({ policyId: 1, version: 1 }, { unique: true });
versionSchema.index({ status: 1 });

const historySchema = new Schema<PolicyHistoryEntry>(
  {
    key: { type: String, required: true },
    policyId: { type: String, required: true },
    version: { type: Number, required: true },
    action: { type: String, required: true },
    actor: { type: String, required: true },
    actorId: String,
    role: { type: String, required: true },
    at: { type: Date, required: true },
    note: String,
    changes: { type: [String], default: [] },
  },
  { collection: 'policy_history', versionKey: false },
);
historySchema.index({ key: 1 }, { unique: true });
historySchema.index({ policyId: 1, at: 1 });

export interface PolicyModels {
  PolicyVersion: Model<PolicyVersionRecord>;
  PolicyHistory: Model<PolicyHistoryEntry>;
}

export function registerPolicyModels(connection: Connection): PolicyModels {
  return {
    PolicyVersion:
      (connection.models.PolicyVersion as Model<PolicyVersionRecord>) ??
      connection.model('PolicyVersion', versionSchema),
    PolicyHistory:
      (connection.models.PolicyHistory as Model<PolicyHistoryEntry>) ??
      connection.model('PolicyHistory', historySchema),
  };
}

/** `_id` of a policy version. */
export function policyVersionId(policyId: string, version: number): string {
  return `${policyId}@${version}`;
}

/** Writes and chains one history entry (never updated or deleted); throws when either failed. */
export async function recordPolicyHistory(connection: Connection, entry: PolicyHistoryEntry): Promise<void> {
  const created = await registerPolicyModels(connection).PolicyHistory.create(entry);
  await chainStored(connection, 'policy_history', [created._id], { fresh: true });
}
