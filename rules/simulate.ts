/**
 * Impact simulation (政策沙盘), the pure part: a draft's compiled decisions over a population,
 * added up into counts, cost, breakdowns and undetermined causes, and compared subject by
 * subject with the version currently published. Reading the population is store/population.ts;
 * running it as a job is services/policies/simulation.ts. No subject identifier ever enters a result.
 */
import { findFact, type SubjectKind, type Text } from '../domain/sources.js';
import { isInForce } from './catalog.js';
import { compilePolicy, type CompiledDecision, type CompiledPolicy, type FlatFacts } from './compiled.js';
import { periodKey } from './engine.js';
import { policyHash } from './policy-hash.js';
import {
  AGE_BAND_ORDER,
  ageBandOf,
  breakdownFacts,
  DISTRICT_ORDER,
  districtOf,
  enterpriseSizeOf,
  SIZE_ORDER,
  type Bucket,
} from './simulate-breakdowns.js';
import type { Policy } from './types.js';

export { breakdownFacts } from './simulate-breakdowns.js';

export interface SimulationCounts {
  eligible: number;
  ineligible: number;
  undetermined: number;
}

/** One breakdown row: a district, age band or enterprise size. */
export interface SimulationRow extends SimulationCounts {
  key: string;
  label: Text;
  cost: number;
  /** Eligible under the published baseline, when there is one. */
  baselineEligible?: number;
}

export interface SimulationResult {
  policyId: string;
  version: number;
  hash: string;
  asOf: string;
  /** The grant period the cost is for: "once", "2025" or "2025-06". */
  period: string;
  subject: SubjectKind;
  /** True when the simulated version is not in force on asOf (a what-if: asOf before effective.from or after effective.to). */
  notInForceOnAsOf: boolean;
  population: number;
  counts: SimulationCounts;
  /** Sum of the eligible subjects' amounts for the period, CNY (0 for non-cash benefits). */
  totalCost: number;
  baseline?: { version: number; counts: SimulationCounts; totalCost: number };
  /** Per subject against the baseline; the five add up to the population. */
  changes?: { winners: number; losers: number; amountUp: number; amountDown: number; unchanged: number };
  breakdowns:
    | { district: SimulationRow[]; ageBand: SimulationRow[] }
    | { district: SimulationRow[]; enterpriseSize: SimulationRow[] };
  undeterminedCauses: Array<{ fact: string; source: string; label: Text; count: number }>;
  elapsedMs: number;
}

/** An aggregation in progress: feed it every subject's flat facts, then read the result. */
export interface Simulation {
  readonly subject: SubjectKind;
  /** The facts to read for each subject: both versions' declared facts and the breakdown fields. */
  readonly facts: readonly string[];
  add(facts: FlatFacts): void;
  /** How many subjects were added. */
  readonly population: number;
  result(elapsedMs: number): SimulationResult;
}

interface Tally extends SimulationCounts {
  cost: number;
  baselineEligible: number;
}

const emptyTally = (): Tally => ({ eligible: 0, ineligible: 0, undetermined: 0, cost: 0, baselineEligible: 0 });
const toFen = (amount: number): number => Math.round(amount * 100) / 100;

function compileFor(policy: Policy, asOf: string): CompiledPolicy {
  // As a life-event case decides: a pledge policy is decided on the applicant's pledge.
  return compilePolicy(policy, asOf, { acceptPledges: policy.mode === 'pledge' });
}

/**
 * Starts a simulation of `draft` as of a date, compared with `baseline` (the published version)
 * when given. Throws RulesError (INVALID_AS_OF, PARAMETER_NOT_IN_FORCE) from compiling either;
 * `add` throws AMOUNT_UNRESOLVED as evaluatePolicy would. A baseline for another subject kind is ignored.
 */
export function createSimulation(draft: Policy, asOf: string, baseline?: Policy): Simulation {
  const compiled = compileFor(draft, asOf);
  const compared = baseline && baseline.subject === draft.subject ? compileFor(baseline, asOf) : undefined;
  const subject = draft.subject;
  const facts = [
    ...new Set([
      ...Object.keys(draft.facts),
      ...(compared ? Object.keys(compared.policy.facts) : []),
      ...breakdownFacts(subject),
    ]),
  ].sort();
  const total = emptyTally();
  const baseTotal = emptyTally();
  const changes = { winners: 0, losers: 0, amountUp: 0, amountDown: 0, unchanged: 0 };
  const rows = { district: new Map<string, Tally>(), second: new Map<string, Tally>() };
  const labels = new Map<string, Text>();
  const causes = new Map<string, number>();
  const second = subject === 'person' ? ageBandOf(asOf) : enterpriseSizeOf;
  let population = 0;

  const count = (tally: Tally, decision: CompiledDecision): void => {
    tally[decision.outcome] += 1;
    if (decision.outcome === 'eligible') tally.cost += decision.amount ?? 0;
  };
  const rowOf = (map: Map<string, Tally>, bucket: Bucket): Tally => {
    let tally = map.get(bucket.key);
    if (!tally) {
      map.set(bucket.key, (tally = emptyTally()));
      labels.set(bucket.key, bucket.label);
    }
    return tally;
  };

  return {
    subject,
    facts,
    get population() {
      return population;
    },
    add(subjectFacts) {
      population += 1;
      const decision = compiled.decide(subjectFacts);
      const buckets = [
        rowOf(rows.district, districtOf(subject, subjectFacts)),
        rowOf(rows.second, second(subjectFacts)),
      ];
      count(total, decision);
      for (const row of buckets) count(row, decision);
      if (decision.outcome === 'undetermined') {
        for (const fact of decision.missingFacts.length > 0 ? decision.missingFacts : ['(amount)'])
          causes.set(fact, (causes.get(fact) ?? 0) + 1);
      }
      if (!compared) return;
      const before = compared.decide(subjectFacts);
      count(baseTotal, before);
      if (before.outcome === 'eligible') for (const row of buckets) row.baselineEligible += 1;
      tallyChange(changes, before, decision);
    },
    result(elapsedMs) {
      const toRows = (map: Map<string, Tally>, order: readonly string[]): SimulationRow[] =>
        [...map.entries()]
          .sort(([a], [b]) => rank(order, a) - rank(order, b) || (a < b ? -1 : 1))
          .map(([key, tally]) => row(key, labels.get(key)!, tally, compared !== undefined));
      const district = toRows(rows.district, DISTRICT_ORDER);
      const secondRows = toRows(rows.second, subject === 'person' ? AGE_BAND_ORDER : SIZE_ORDER);
      return {
        policyId: draft.id,
        version: draft.version,
        hash: policyHash(draft),
        asOf,
        period: periodKey(draft, asOf),
        subject,
        notInForceOnAsOf: !isInForce(draft, asOf),
        population,
        counts: countsOf(total),
        totalCost: toFen(total.cost),
        ...(compared
          ? {
              baseline: {
                version: compared.policy.version,
                counts: countsOf(baseTotal),
                totalCost: toFen(baseTotal.cost),
              },
              changes: { ...changes },
            }
          : {}),
        breakdowns: subject === 'person' ? { district, ageBand: secondRows } : { district, enterpriseSize: secondRows },
        undeterminedCauses: [...causes.entries()]
          .map(([fact, n]) => {
            const known = findFact(fact);
            return {
              fact,
              source: known?.source.id ?? '',
              label: known?.field.label ?? { zh: '金额无法计算', en: 'amount could not be computed' },
              count: n,
            };
          })
          .sort((a, b) => b.count - a.count || (a.fact < b.fact ? -1 : 1)),
        elapsedMs,
      };
    },
  };
}

/** Who gains and who loses: eligibility first, then the amount when eligible under both. */
function tallyChange(
  changes: NonNullable<SimulationResult['changes']>,
  before: CompiledDecision,
  after: CompiledDecision,
): void {
  const was = before.outcome === 'eligible';
  const is = after.outcome === 'eligible';
  if (is && !was) changes.winners += 1;
  else if (was && !is) changes.losers += 1;
  else if (is && was && (after.amount ?? 0) > (before.amount ?? 0)) changes.amountUp += 1;
  else if (is && was && (after.amount ?? 0) < (before.amount ?? 0)) changes.amountDown += 1;
  else changes.unchanged += 1;
}

const countsOf = ({ eligible, ineligible, undetermined }: SimulationCounts): SimulationCounts => ({
  eligible,
  ineligible,
  undetermined,
});

function row(key: string, label: Text, tally: Tally, withBaseline: boolean): SimulationRow {
  return {
    key,
    label,
    ...countsOf(tally),
    cost: toFen(tally.cost),
    ...(withBaseline ? { baselineEligible: tally.baselineEligible } : {}),
  };
}

const rank = (order: readonly string[], key: string): number => {
  const at = order.indexOf(key);
  return at < 0 ? order.length : at;
};
