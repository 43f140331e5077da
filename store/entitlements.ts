/**
 * Entitlements (recurring benefits with a life): one per subject and policy, keyed
 * `<policyId>:<subjectKey>` so a second opening finds the first (no transactions: the `_id` is
 * the uniqueness), and every status change a transition record keyed by its cause, so a retried
 * payroll or a redelivered event records it once. The `_id` order groups a policy's entitlements,
 * which is how a payroll streams them (an `_id` range, which the embedded FerretDB streams from an index).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import {
  entitlementKey,
  nextPeriod,
  periodKind,
  periodStart,
  type EntitlementCause,
  type EntitlementPeriod,
  type EntitlementStatus,
} from '../domain/entitlements.js';
import type { Text } from '../domain/sources.js';
import type { PolicyRef } from '../rules/types.js';
import { insertNew } from './bulk.js';
import { idFromKey } from './keyed.js';

export interface Entitlement {
  /** Equals `key`: `<policyId>:<subjectKey>`. */
  _id?: string;
  key: string;
  subjectKey: string;
  policy: PolicyRef;
  period: EntitlementPeriod;
  /** The first period paid (the grant that opened it): "2025-04" or "2025". */
  firstPeriod: string;
  status: EntitlementStatus;
  /** Why it is in its status (bilingual); absent while active from its opening. */
  reason?: Text;
  /** YYYY-MM-DD: the next payroll re-checks it then (the first day of the next period). */
  nextReviewOn: string;
  /** Suspended: by what. A payroll's re-check resumes what a re-check suspended, never what an officer did. */
  suspendedBy?: EntitlementCause;
  /** Ended: the first period no longer paid ("2026-04"): a later payroll pays nothing from it on. */
  endedFrom?: string;
  /** The grant that opened it. */
  openedBy: string;
  openedAt: Date;
  updatedAt: Date;
}

export interface EntitlementTransition {
  /** Equals `key`: `<entitlementKey>:<to>:<causeKey>`, one per entitlement, new status and cause. */
  _id?: string;
  key: string;
  entitlementKey: string;
  subjectKey: string;
  policyId: string;
  from: EntitlementStatus;
  to: EntitlementStatus;
  cause: EntitlementCause;
  /** The cause's own key: a payroll ID, a life event's case ID, an objection's or an officer's action. */
  causeKey: string;
  /** Who: a user ID, or the workflow that acted. */
  by: string;
  why: Text;
  /** The first period the change applies to. */
  effectiveFrom: string;
  at: Date;
}

const ref = { id: String, version: Number, hash: String };
const text = { zh: String, en: String };
const STATUSES = ['active', 'suspended', 'ended'];

const entitlementSchema = new Schema<Entitlement>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policy: ref,
    period: { type: String, required: true, enum: ['month', 'year'] },
    firstPeriod: { type: String, required: true },
    status: { type: String, required: true, enum: STATUSES },
    reason: { type: text, default: undefined },
    nextReviewOn: { type: String, required: true },
    endedFrom: String,
    suspendedBy: String,
    openedBy: { type: String, required: true },
    openedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'entitlements', versionKey: false },
);
entitlementSchema.index({ key: 1 }, { unique: true });
/** A citizen's entitlements (an index search on MongoDB and the embedded FerretDB alike). */
entitlementSchema.index({ subjectKey: 1 });
idFromKey(entitlementSchema, 'key');

const transitionSchema = new Schema<EntitlementTransition>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    entitlementKey: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policyId: { type: String, required: true },
    from: { type: String, required: true, enum: STATUSES },
    to: { type: String, required: true, enum: STATUSES },
    cause: { type: String, required: true, enum: ['event', 're-check', 'objection', 'officer'] },
    causeKey: { type: String, required: true },
    by: { type: String, required: true },
    why: { type: text, required: true },
    effectiveFrom: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'entitlement_transitions', versionKey: false },
);
transitionSchema.index({ key: 1 }, { unique: true });
transitionSchema.index({ entitlementKey: 1, at: 1 });
idFromKey(transitionSchema, 'key');

export interface EntitlementModels {
  Entitlement: Model<Entitlement>;
  EntitlementTransition: Model<EntitlementTransition>;
}

export function registerEntitlementModels(connection: Connection): EntitlementModels {
  const get = <T>(name: string, schema: Schema<T>) =>
    (connection.models[name] as Model<T>) ?? connection.model<T>(name, schema);
  return {
    Entitlement: get('Entitlement', entitlementSchema),
    EntitlementTransition: get('EntitlementTransition', transitionSchema),
  };
}

/** The `_id` range of one policy's entitlements, after `after` when given: a payroll's stream. */
export function entitlementRange(policyId: string, after?: string): { $gt: string; $lt: string } {
  const prefix = `${policyId}:`;
  return { $gt: after ?? prefix, $lt: `${prefix}\uffff` };
}

/** An opening: what a recorded grant for a recurring policy says. */
export interface EntitlementOpening {
  subjectKey: string;
  policy: PolicyRef;
  /** The grant's period: "2025-04" (monthly) or "2025" (yearly); "once" opens nothing. */
  period: string;
  grantKey: string;
}

/**
 * Opens the entitlement of each recurring grant, once: an open one is left as it is; one ended
 * before the grant's period is opened again (a recorded transition, cause `event`, by the grant).
 * Returns the keys opened or reopened by this call.
 */
export async function openEntitlements(
  connection: Connection,
  openings: readonly EntitlementOpening[],
): Promise<string[]> {
  const { Entitlement } = registerEntitlementModels(connection);
  const now = new Date();
  const docs = openings.flatMap((opening) => {
    const period = periodKind(opening.period);
    if (!period) return [];
    const key = entitlementKey(opening.policy.id, opening.subjectKey);
    return [
      {
        _id: key,
        key,
        subjectKey: opening.subjectKey,
        policy: opening.policy,
        period,
        firstPeriod: opening.period,
        status: 'active' as const,
        nextReviewOn: periodStart(nextPeriod(opening.period)),
        openedBy: opening.grantKey,
        openedAt: now,
        updatedAt: now,
      },
    ];
  });
  if (docs.length === 0) return [];
  const { inserted, existing } = await insertNew(Entitlement.collection, docs);
  if (existing.length === 0) return inserted;
  // One ended before this grant's period (a move away and back, a child who qualifies again) opens anew.
  const ended = await Entitlement.find({ _id: { $in: existing }, status: 'ended' }, { endedFrom: 1, status: 1 }).lean();
  const reopened: string[] = [];
  for (const found of ended) {
    const doc = docs.find((d) => d._id === found._id)!;
    if (found.endedFrom === undefined || found.endedFrom > doc.firstPeriod) continue;
    await reopen(connection, doc, found.endedFrom);
    reopened.push(doc._id);
  }
  return [...inserted, ...reopened];
}

/** An ended entitlement opened again by a later grant: the transition first (keyed by the grant), then the status. */
async function reopen(
  connection: Connection,
  doc: {
    _id: string;
    subjectKey: string;
    policy: PolicyRef;
    firstPeriod: string;
    openedBy: string;
    nextReviewOn: string;
  },
  endedFrom: string,
): Promise<void> {
  const { Entitlement, EntitlementTransition } = registerEntitlementModels(connection);
  const key = `${doc._id}:active:${doc.openedBy}`;
  await insertNew(EntitlementTransition.collection, [
    {
      _id: key,
      key,
      entitlementKey: doc._id,
      subjectKey: doc.subjectKey,
      policyId: doc.policy.id,
      from: 'ended',
      to: 'active',
      cause: 'event',
      causeKey: doc.openedBy,
      by: doc.openedBy,
      why: { zh: `重新符合条件，自 ${doc.firstPeriod} 起恢复发放`, en: `eligible again: paid from ${doc.firstPeriod}` },
      effectiveFrom: doc.firstPeriod,
      at: new Date(),
    },
  ]);
  await Entitlement.updateOne(
    { _id: doc._id, status: 'ended', endedFrom },
    {
      $set: {
        status: 'active',
        policy: doc.policy,
        firstPeriod: doc.firstPeriod,
        openedBy: doc.openedBy,
        nextReviewOn: doc.nextReviewOn,
        updatedAt: new Date(),
      },
      $unset: { endedFrom: 1, reason: 1 },
    },
  );
}

/** A status change of one entitlement: what caused it (and the cause's key), who, why, from which period. */
export type EntitlementMove = Pick<
  EntitlementTransition,
  'to' | 'cause' | 'causeKey' | 'by' | 'why' | 'effectiveFrom'
> & {
  entitlement: Pick<Entitlement, 'key' | 'subjectKey' | 'policy' | 'status'>;
};

/**
 * Moves an entitlement: the transition first (keyed by entitlement, new status and cause, so a
 * retry records it once), then `between` (the citizen's notice, itself keyed), then the status:
 * an end whatever it is now but ended, another move only if it is still what the move saw — so a
 * retry that finds it moved has nothing left to do.
 */
export async function moveEntitlement(
  connection: Connection,
  move: EntitlementMove,
  between: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  const { EntitlementTransition } = registerEntitlementModels(connection);
  const { entitlement, to } = move;
  const key = `${entitlement.key}:${to}:${move.causeKey}`;
  await insertNew(EntitlementTransition.collection, [
    {
      _id: key,
      key,
      entitlementKey: entitlement.key,
      subjectKey: entitlement.subjectKey,
      policyId: entitlement.policy.id,
      from: entitlement.status,
      to,
      cause: move.cause,
      causeKey: move.causeKey,
      by: move.by,
      why: move.why,
      effectiveFrom: move.effectiveFrom,
      at: new Date(),
    },
  ]);
  await between();
  // An end wins over any other move made meanwhile; another move only from the status it saw.
  await updateWhereStatus(
    connection,
    [entitlement.key],
    to === 'ended' ? ['active', 'suspended'] : [entitlement.status],
    to === 'active'
      ? { status: to, updatedAt: new Date() }
      : {
          status: to,
          reason: move.why,
          updatedAt: new Date(),
          ...(to === 'ended' ? { endedFrom: move.effectiveFrom } : { suspendedBy: move.cause }),
        },
    to === 'active' ? ['reason', 'suspendedBy'] : [],
  );
}

/**
 * Sets `fields` (and unsets `unset`) on the entitlements among `keys` whose status is one of
 * `statuses`: one guarded update, served from the `_id` index on MongoDB and on the project's
 * patched FerretDB, which pushes `_id` down beside the status (upstream 1.24 pushed an update's
 * filter down only when it was `{ _id }` alone, and scanned: 60 s an update at 200,000 entitlements).
 */
export async function updateWhereStatus(
  connection: Connection,
  keys: readonly string[],
  statuses: readonly EntitlementStatus[],
  fields: Record<string, unknown>,
  unset: readonly string[] = [],
): Promise<void> {
  if (keys.length === 0) return;
  const { Entitlement } = registerEntitlementModels(connection);
  await Entitlement.updateMany(
    { _id: { $in: keys }, status: { $in: statuses } },
    {
      $set: fields,
      ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((field) => [field, 1])) } : {}),
    },
  );
}
