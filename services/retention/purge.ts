/**
 * The purge job (security review S18): applies the retention schedule's own rows
 * (services/retention/schedule.ts) as of a moment — deletes what has outlived its period and
 * removes the personal values from decisions that must stay. Idempotent (a second run as of the
 * same moment finds nothing), batched (bounded memory and write size), and on both FerretDB and
 * MongoDB with plain filters: FerretDB 1.24 has no TTL indexes (FerretDB/FerretDB#2415), and TTL
 * could not keep a decision while removing its values. Audit streams are not touched: they are
 * hash-chained, and kept.
 */
import type { Connection } from 'mongoose';
import { PURGED, type RetentionRule } from './schedule.js';

const DAY_MS = 86_400_000;

/** What one run did to one collection. */
export interface PurgeCount {
  collection: string;
  action: RetentionRule['action'];
  /** Records deleted, or whose values were removed. */
  count: number;
  /** Records older than this were due. */
  before: string;
}

export interface PurgeReport {
  asOf: string;
  purged: PurgeCount[];
}

/** Decisions whose values are removed per write (bounded reads and bulk writes). */
const BATCH = 1_000;

/** Each condition as it was, without the subject's own value in it. */
export function withoutValues(conditions: unknown): unknown {
  if (!Array.isArray(conditions)) return conditions;
  return conditions.map((condition) => {
    if (!condition || typeof condition !== 'object') return condition;
    const { factValue: _removed, ...rest } = condition as Record<string, unknown>;
    return rest;
  });
}

/**
 * The fields of a decision rewritten without the subject's values: each condition's value, and the
 * value shown beside each fact a reviewer supplied (its provenance and supplier stay: the basis).
 */
export function decisionWithoutValues(decision: Record<string, unknown>): Record<string, unknown> {
  const supplied = Array.isArray(decision.suppliedFacts)
    ? decision.suppliedFacts.map((fact: unknown) => {
        if (!fact || typeof fact !== 'object') return fact;
        const { shownValue: _removed, ...rest } = fact as Record<string, unknown>;
        return rest;
      })
    : undefined;
  return { conditions: withoutValues(decision.conditions), ...(supplied ? { suppliedFacts: supplied } : {}) };
}

/** Removes the condition values of decisions decided before `before`, a batch at a time; returns how many. */
async function removeDecisionValues(store: Connection, before: Date, at: Date): Promise<number> {
  const decisions = store.db!.collection('decisions');
  let count = 0;
  for (;;) {
    const due = await decisions
      .find(
        { decidedAt: { $lt: before }, valuesRemovedAt: { $exists: false } },
        { projection: { conditions: 1, suppliedFacts: 1 } },
      )
      .limit(BATCH)
      .toArray();
    if (due.length === 0) return count;
    await decisions.bulkWrite(
      due.map((decision) => ({
        updateOne: {
          filter: { _id: decision._id, valuesRemovedAt: { $exists: false } },
          update: { $set: { ...decisionWithoutValues(decision), valuesRemovedAt: at } },
        },
      })),
      { ordered: false },
    );
    count += due.length;
  }
}

/** The filter of a deleting row's due records (`notices` still queued are never due). */
function dueFilter(rule: RetentionRule & { from: string }, before: Date): Record<string, unknown> {
  // Horizons are dated by a city date string, the others by an instant.
  const bound = rule.from === 'date' ? before.toISOString().slice(0, 10) : before;
  return {
    [rule.from]: { $lt: bound },
    ...(rule.collection === 'notices' ? { status: { $ne: 'queued' } } : {}),
  };
}

/** Applies every purged row of the schedule as of `now`. */
export async function purgeExpired(store: Connection, now: Date): Promise<PurgeReport> {
  const purged: PurgeCount[] = [];
  for (const rule of PURGED) {
    const before = new Date(now.getTime() - rule.days * DAY_MS);
    const count =
      rule.action === 'remove-values'
        ? await removeDecisionValues(store, before, now)
        : (await store.db!.collection(rule.collection).deleteMany(dueFilter(rule, before))).deletedCount;
    purged.push({ collection: rule.collection, action: rule.action, count, before: before.toISOString() });
  }
  return { asOf: now.toISOString(), purged };
}
