/**
 * The eligibility horizon in sweeps. A population sweep notes, for each ineligible subject of a
 * policy with date conditions, the day within the coming year when the subject becomes eligible
 * on its own (rules/horizon.ts); the daily milestone sweep then reads only that day's entries
 * (store/horizons.ts, one `_id` range) and re-screens those subjects through the case path's
 * fact reader, access-logged. Beyond a year the yearly sweep finds them again.
 */
import type { Connection } from 'mongoose';
import { addDays } from '../domain/calendar.js';
import { findFact } from '../domain/sources.js';
import type { FlatFacts } from '../rules/compiled.js';
import { policyFactKeys } from '../rules/engine.js';
import { nextOutcomeChange } from '../rules/horizon.js';
import type { Policy } from '../rules/types.js';
import { insertNew } from '../store/bulk.js';
import { horizonKey, horizonRange, registerHorizonModel, type HorizonRecord } from '../store/horizons.js';
import type { FetchFactsInput, FetchFactsResult } from './shared-data/fetch-facts.js';

/** How far ahead a population sweep notes horizons: the yearly sweep covers what lies beyond. */
export const HORIZON_DAYS = 366;
/** Distinct fact combinations remembered per slice (subjects share birth dates and flags). */
const MEMO_LIMIT = 200_000;

/**
 * For a policy and sweep date: the day an ineligible subject's facts make it eligible within the
 * horizon, or undefined. Undefined for every subject when no condition reads a date.
 */
export function horizonFinder(policy: Policy, asOf: string): ((facts: FlatFacts) => string | undefined) | undefined {
  const keys = policyFactKeys(policy);
  if (!keys.some((key) => findFact(key)?.field.type === 'date')) return undefined;
  const last = addDays(asOf, HORIZON_DAYS);
  const memo = new Map<string, string | undefined>();
  return (facts) => {
    const memoKey = JSON.stringify(keys.map((key) => facts[key]));
    if (memo.has(memoKey)) return memo.get(memoKey);
    const change = nextOutcomeChange(policy, facts, asOf, { horizonYears: 2 });
    const date = change && change.outcome === 'eligible' && change.date <= last ? change.date : undefined;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(memoKey, date);
    return date;
  };
}

export function makeHorizonStore(store: Connection) {
  const Horizons = registerHorizonModel(store);
  return {
    /** Notes each subject's day once (a repeated sweep leaves the first note). */
    async note(
      policy: Policy,
      foundBy: string,
      entries: ReadonlyArray<{ subjectKey: string; date: string }>,
    ): Promise<number> {
      const foundAt = new Date();
      const docs: HorizonRecord[] = entries.map(({ subjectKey, date }) => ({
        _id: horizonKey(date, policy.id, subjectKey),
        date,
        policyId: policy.id,
        version: policy.version,
        subjectKey,
        outcome: 'eligible',
        foundBy,
        foundAt,
      }));
      return (await insertNew(Horizons.collection, docs)).inserted.length;
    },

    /** Subjects due on a day for a policy, in key order, after the last one handled. */
    async due(
      date: string,
      policyId: string,
      after: string | undefined,
      limit: number,
    ): Promise<Array<{ key: string; subjectKey: string }>> {
      const range = horizonRange(date, policyId);
      const filter = { _id: after === undefined ? range : { $gt: after, $lt: range.$lt } };
      const docs = await Horizons.collection
        .find(filter as never, { projection: { subjectKey: 1 }, sort: { _id: 1 }, limit })
        .toArray();
      return docs.map((doc) => ({ key: String(doc._id), subjectKey: String(doc.subjectKey) }));
    },

    /** How many subjects are due on a day for a policy. */
    count(date: string, policyId: string): Promise<number> {
      return Horizons.collection.countDocuments({ _id: horizonRange(date, policyId) } as never);
    },
  };
}

/** A due subject's facts through the case path's reader: access-logged under the sweep, as a case would be. */
export async function dueFacts(
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>,
  caseId: string,
  policy: Policy,
  subjectKey: string,
): Promise<FlatFacts> {
  const facts = Object.fromEntries(
    Object.entries(policy.facts).map(([key, declared]) => [
      key,
      { source: declared.source, purpose: `每日到期筛查 daily milestone screening: ${declared.purpose}` },
    ]),
  );
  const pulled = await fetchFacts({
    caseId,
    subjectKey,
    policyId: policy.id,
    policyVersion: policy.version,
    facts,
    idempotencyKey: `${caseId}:${subjectKey}`,
  });
  return pulled.values;
}
