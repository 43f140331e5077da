/**
 * Programme metrics (督查评估指标) from the system of record: proactive grants (免申即享 主动办)
 * by policy, department and month; take-up (应享尽享); the undetermined rate and its causes;
 * event-to-grant latency; the data-sharing demand satisfaction rate (数据共享需求满足率); the effective
 * demand satisfaction of fact requests to departments (数据共享有效需求满足率, domain/fact-requests.ts);
 * and the seed indicators of proof-free applications (字段共享率, 证明材料共享率, 电子证照证明替代率, the
 * share of matters fully proof-free: domain/proof-indicators.ts), counted from the applications' own
 * records. Every read is a projected stream counted in JS: FerretDB scans for any filter but `_id`
 * and its `$sum`/`$max` aggregation is broken.
 */
import type { Connection } from 'mongoose';
import type { Client } from '@temporalio/client';
import { findSource, type Text } from '../../domain/sources.js';
import type { PolicyCatalog } from '../../rules/catalog.js';
import { registerAccessRecordModel } from '../../store/access-records.js';
import { registerModels } from '../../store/models.js';
import { benefitWorkflowId, isLifeEventWorkflowId } from '../../workflows/contracts/index.js';
import { INDICATORS, type Cause, type IndicatorKey } from './labels.js';
import { admittedPolicies, countCauses, countRunning, groupBy, policyDirectory, UNKNOWN_DEPARTMENT } from './reads.js';
import { Refusal } from '../../domain/refusal.js';
import { demandSatisfaction, type DemandSatisfaction, type RequestTimes } from '../../domain/fact-requests.js';
import { registerFactRequestModels } from '../../store/fact-requests.js';
import { readProofIndicators } from './proof-indicators.js';
import type { ProofIndicators } from '../../domain/proof-indicators.js';

export { INDICATORS, REASON_LABELS, type Cause, type CauseReason, type IndicatorKey } from './labels.js';

/** Which records count: city dates (inclusive, Asia/Shanghai), a policy id, a department (Chinese or English name). */
export interface MetricsFilter {
  from?: string;
  to?: string;
  policy?: string;
  department?: string;
}

/** A bad filter, with the field at fault, in both languages. */
export class MetricsFilterError extends Refusal {
  declare readonly code: 'BAD_FILTER';
  declare readonly field: string;
  constructor(message: string, messageZh: string, field: string) {
    super('BAD_FILTER', message, messageZh, field);
  }
}

/** Counts of one policy (or department, or month) row. */
export interface PolicyRow {
  policyId: string;
  title: Text;
  department: Text;
  grants: number;
  amount: number;
  revoked: number;
  decisions: number;
  eligible: number;
  undetermined: number;
  /** Distinct eligible subject-policy-periods, and how many of them were granted (take-up). */
  takeUpEligible: number;
  takeUpGranted: number;
  /**
   * Distinct subject-policy-periods with an undetermined decision, and how many of them were granted
   * since (served after outreach, a review or the department's late answer): take-up's reach into the undetermined.
   */
  takeUpUndetermined: number;
  takeUpUndeterminedServed: number;
}

export interface Latency {
  count: number;
  p50Seconds?: number;
  p90Seconds?: number;
  p99Seconds?: number;
  sumSeconds: number;
}

export interface SourceRow {
  source: string;
  department: Text;
  requested: number;
  answered: number;
  notFound: number;
  failed: number;
}

export interface ProgrammeMetrics {
  filter: MetricsFilter;
  readAt: string;
  readMs: number;
  indicators: Record<IndicatorKey, { label: Text; definition: Text }>;
  grants: {
    count: number;
    amount: number;
    revoked: number;
    byBasis: Record<string, number>;
    byMonth: Array<{ month: string; count: number; amount: number }>;
  };
  byPolicy: PolicyRow[];
  byDepartment: Array<Omit<PolicyRow, 'policyId' | 'title'>>;
  takeUp: {
    eligible: number;
    granted: number;
    rate: number | null;
    /** Subject-policy-periods undetermined in the period, and those of them granted since (应享尽享 outreach served). */
    undetermined: number;
    undeterminedServed: number;
  };
  undetermined: { decisions: number; undetermined: number; rate: number | null; causes: Cause[] };
  latency: Latency & { byBasis: Record<string, Latency> };
  dataSharing: {
    requested: number;
    answered: number;
    notFound: number;
    failed: number;
    rate: number | null;
    bySource: SourceRow[];
    byDepartment: Array<Omit<SourceRow, 'source'>>;
  };
  /** Fact requests to departments answered with the fact within one working day ÷ requests due (filed in the period). */
  dataSharingDemand: DemandSatisfaction;
  /**
   * The seed indicators of proof-free applications (依申请 免提交) submitted in the period, by the
   * handling department and month, against the plan's targets; and the list in force's proof-free share.
   */
  proofIndicators: ProofIndicators;
  /** Life-event cases still running, from Temporal visibility; absent without Temporal or when it does not answer. */
  casesRunning?: number;
}

export interface MetricsDeps {
  store: Connection;
  catalog: PolicyCatalog;
  temporal?: Client;
  taskQueue?: string;
  /** The clock that says which fact requests are due (tests move it). */
  now?: () => Date;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CITY_OFFSET_MS = 8 * 3_600_000;
const BATCH = 1000;
const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const cityMonth = (at: Date) => new Date(at.getTime() + CITY_OFFSET_MS).toISOString().slice(0, 7);
const validDate = (date: string) =>
  DATE.test(date) &&
  !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) &&
  new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;

/** The period as a half-open interval of instants: from 00:00 city time on `from` to 00:00 after `to`. */
export function periodRange(filter: MetricsFilter): { $gte?: Date; $lt?: Date } {
  for (const field of ['from', 'to'] as const) {
    const value = filter[field];
    if (value !== undefined && !validDate(value))
      throw new MetricsFilterError(
        `${field} must be a date YYYY-MM-DD`,
        `${field === 'from' ? '起始' : '截止'}日期格式应为 YYYY-MM-DD`,
        field,
      );
  }
  if (filter.from && filter.to && filter.from > filter.to)
    throw new MetricsFilterError('from must not be after to', '起始日期不能晚于截止日期', 'from');
  const range: { $gte?: Date; $lt?: Date } = {};
  if (filter.from) range.$gte = new Date(`${filter.from}T00:00:00+08:00`);
  if (filter.to) range.$lt = new Date(new Date(`${filter.to}T00:00:00+08:00`).getTime() + 86_400_000);
  return range;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

function latencyOf(seconds: number[]): Latency {
  const sorted = [...seconds].sort((a, b) => a - b);
  const sumSeconds = sorted.reduce((sum, value) => sum + value, 0);
  if (sorted.length === 0) return { count: 0, sumSeconds };
  return {
    count: sorted.length,
    p50Seconds: percentile(sorted, 50),
    p90Seconds: percentile(sorted, 90),
    p99Seconds: percentile(sorted, 99),
    sumSeconds,
  };
}

/** Reads the programme's indicators once (see the module comment for what each counts). */
export async function readProgrammeMetrics(deps: MetricsDeps, filter: MetricsFilter = {}): Promise<ProgrammeMetrics> {
  const started = Date.now();
  const range = periodRange(filter);
  const inPeriod = (field: string) => (Object.keys(range).length > 0 ? { [field]: range } : {});
  const m = registerModels(deps.store);
  const Access = registerAccessRecordModel(deps.store);
  const directory = await policyDirectory(deps);
  const admitted = admittedPolicies(filter, directory);
  const byPolicyField = (field: string) => (admitted ? { [field]: { $in: admitted } } : {});
  const rows = new Map<string, PolicyRow>();
  const row = (policyId: string): PolicyRow => {
    let found = rows.get(policyId);
    if (!found) {
      const info = directory.get(policyId);
      found = {
        policyId,
        title: info?.title ?? { zh: policyId, en: policyId },
        department: info?.department ?? UNKNOWN_DEPARTMENT,
        grants: 0,
        amount: 0,
        revoked: 0,
        decisions: 0,
        eligible: 0,
        undetermined: 0,
        takeUpEligible: 0,
        takeUpGranted: 0,
        takeUpUndetermined: 0,
        takeUpUndeterminedServed: 0,
      };
      rows.set(policyId, found);
    }
    return found;
  };

  // Decisions: outcomes, undetermined causes, and the eligible keys of take-up.
  const eligibleKeys = new Map<string, string>();
  const undeterminedKeys = new Map<string, string>();
  const causes = new Map<string, Cause>();
  const undeterminedBatch: Array<{ caseId: string; policyId: string; missingFacts: string[]; failed: string[] }> = [];
  const decisions = m.Decision.collection.find(
    { ...inPeriod('decidedAt'), ...byPolicyField('policy.id') },
    {
      projection: {
        _id: 0,
        caseId: 1,
        subjectKey: 1,
        'policy.id': 1,
        outcome: 1,
        period: 1,
        missingFacts: 1,
        failedSources: 1,
      },
      batchSize: BATCH,
    },
  );
  for await (const d of decisions) {
    const policyId = String(d.policy?.id);
    const r = row(policyId);
    r.decisions += 1;
    if (d.outcome === 'eligible') {
      r.eligible += 1;
      eligibleKeys.set(benefitWorkflowId(policyId, String(d.subjectKey), String(d.period)), policyId);
    } else if (d.outcome === 'undetermined') {
      r.undetermined += 1;
      undeterminedKeys.set(benefitWorkflowId(policyId, String(d.subjectKey), String(d.period)), policyId);
      undeterminedBatch.push({
        caseId: String(d.caseId),
        policyId,
        missingFacts: (d.missingFacts as string[]) ?? [],
        failed: ((d.failedSources as Array<{ source: string }>) ?? []).map((f) => f.source),
      });
      if (undeterminedBatch.length >= 100) await countCauses(Access, undeterminedBatch.splice(0), causes);
    }
  }
  await countCauses(Access, undeterminedBatch.splice(0), causes);

  // Grants from the period's start (a grant follows its decision), counted in the period; take-up matches any of them.
  const granted = new Set<string>();
  const grantsByMonth = new Map<string, { month: string; count: number; amount: number }>();
  const byBasis: Record<string, number> = {};
  const caseGrants = new Map<string, Array<{ basis: string; grantedAt: Date }>>();
  const grants = m.Grant.collection.find(
    { ...(range.$gte ? { grantedAt: { $gte: range.$gte } } : {}), ...byPolicyField('policy.id') },
    {
      projection: { _id: 1, caseId: 1, 'policy.id': 1, amount: 1, basis: 1, status: 1, grantedAt: 1 },
      batchSize: BATCH,
    },
  );
  for await (const g of grants) {
    const key = String(g._id);
    if (eligibleKeys.has(key) || undeterminedKeys.has(key)) granted.add(key);
    const at = g.grantedAt as Date;
    if (range.$lt && at >= range.$lt) continue;
    const r = row(String(g.policy?.id));
    const amount = typeof g.amount === 'number' ? g.amount : 0;
    r.grants += 1;
    r.amount += amount;
    if (g.status === 'revoked') r.revoked += 1;
    byBasis[String(g.basis)] = (byBasis[String(g.basis)] ?? 0) + 1;
    const month = grantsByMonth.get(cityMonth(at)) ?? { month: cityMonth(at), count: 0, amount: 0 };
    month.count += 1;
    month.amount += amount;
    grantsByMonth.set(month.month, month);
    if (isLifeEventWorkflowId(String(g.caseId))) {
      const list = caseGrants.get(String(g.caseId)) ?? [];
      list.push({ basis: String(g.basis), grantedAt: at });
      caseGrants.set(String(g.caseId), list);
    }
  }
  for (const [key, policyId] of eligibleKeys) {
    const r = row(policyId);
    r.takeUpEligible += 1;
    if (granted.has(key)) r.takeUpGranted += 1;
  }
  for (const [key, policyId] of undeterminedKeys) {
    const r = row(policyId);
    r.takeUpUndetermined += 1;
    if (granted.has(key)) r.takeUpUndeterminedServed += 1;
  }

  // Event-to-grant latency: each granted case's life event, received before the period's end.
  const latencies: number[] = [];
  const latenciesByBasis = new Map<string, number[]>();
  if (caseGrants.size > 0) {
    const events = m.LifeEvent.collection.find(range.$lt ? { receivedAt: { $lt: range.$lt } } : {}, {
      projection: { _id: 0, caseId: 1, receivedAt: 1 },
      batchSize: BATCH,
    });
    for await (const event of events) {
      const list = caseGrants.get(String(event.caseId));
      if (!list) continue;
      caseGrants.delete(String(event.caseId));
      for (const grant of list) {
        const seconds = Math.max(0, (grant.grantedAt.getTime() - (event.receivedAt as Date).getTime()) / 1000);
        latencies.push(seconds);
        const ofBasis = latenciesByBasis.get(grant.basis) ?? [];
        ofBasis.push(seconds);
        latenciesByBasis.set(grant.basis, ofBasis);
      }
    }
  }

  // Data sharing: every pull requested in the period, by source and providing department.
  const sources = new Map<string, SourceRow>();
  const pulls = Access.collection.find(
    { ...inPeriod('at'), ...byPolicyField('policyId') },
    { projection: { _id: 0, source: 1, department: 1, outcome: 1 }, batchSize: BATCH },
  );
  for await (const pull of pulls) {
    const id = String(pull.source);
    const s = sources.get(id) ?? {
      source: id,
      department: findSource(id)?.department ?? { zh: String(pull.department), en: String(pull.department) },
      requested: 0,
      answered: 0,
      notFound: 0,
      failed: 0,
    };
    s.requested += 1;
    if (pull.outcome === 'answered') s.answered += 1;
    else if (pull.outcome === 'not-found') s.notFound += 1;
    else s.failed += 1;
    sources.set(id, s);
  }

  // Fact requests filed in the period (for the policies admitted): answered with the fact within a working day ÷ due.
  const requests: RequestTimes[] = [];
  const filed = registerFactRequestModels(deps.store).FactRequest.collection.find(
    { ...inPeriod('filedAt'), ...byPolicyField('policy.id') },
    {
      projection: {
        _id: 0,
        department: 1,
        departmentName: 1,
        status: 1,
        filedAt: 1,
        dueAt: 1,
        answeredAt: 1,
        withdrawnAt: 1,
      },
      batchSize: BATCH,
    },
  );
  for await (const request of filed) requests.push(request as unknown as RequestTimes);
  const dataSharingDemand = demandSatisfaction(requests, deps.now?.() ?? new Date());

  const casesRunning = await countRunning(deps);
  const byPolicy = [...rows.values()].sort(
    (a, b) => b.grants - a.grants || b.decisions - a.decisions || a.policyId.localeCompare(b.policyId),
  );
  const sum = <T>(items: Iterable<T>, pick: (item: T) => number) =>
    [...items].reduce((total, item) => total + pick(item), 0);
  const bySource = [...sources.values()].sort((a, b) => b.requested - a.requested || a.source.localeCompare(b.source));
  const dataSharing = {
    requested: sum(bySource, (s) => s.requested),
    answered: sum(bySource, (s) => s.answered),
    notFound: sum(bySource, (s) => s.notFound),
    failed: sum(bySource, (s) => s.failed),
  };
  const decided = sum(byPolicy, (r) => r.decisions);
  return {
    filter,
    readAt: new Date().toISOString(),
    readMs: Date.now() - started,
    indicators: INDICATORS,
    grants: {
      count: sum(byPolicy, (r) => r.grants),
      amount: sum(byPolicy, (r) => r.amount),
      revoked: sum(byPolicy, (r) => r.revoked),
      byBasis,
      byMonth: [...grantsByMonth.values()].sort((a, b) => a.month.localeCompare(b.month)),
    },
    byPolicy,
    byDepartment: groupBy(byPolicy, (r) => r.department, [
      'grants',
      'amount',
      'revoked',
      'decisions',
      'eligible',
      'undetermined',
      'takeUpEligible',
      'takeUpGranted',
      'takeUpUndetermined',
      'takeUpUndeterminedServed',
    ]),
    takeUp: {
      eligible: sum(byPolicy, (r) => r.takeUpEligible),
      granted: sum(byPolicy, (r) => r.takeUpGranted),
      rate: ratio(
        sum(byPolicy, (r) => r.takeUpGranted),
        sum(byPolicy, (r) => r.takeUpEligible),
      ),
      undetermined: sum(byPolicy, (r) => r.takeUpUndetermined),
      undeterminedServed: sum(byPolicy, (r) => r.takeUpUndeterminedServed),
    },
    undetermined: {
      decisions: decided,
      undetermined: sum(byPolicy, (r) => r.undetermined),
      rate: ratio(
        sum(byPolicy, (r) => r.undetermined),
        decided,
      ),
      causes: [...causes.values()].sort(
        (a, b) => b.count - a.count || a.source.localeCompare(b.source) || a.fact.localeCompare(b.fact),
      ),
    },
    latency: {
      ...latencyOf(latencies),
      byBasis: Object.fromEntries(
        [...latenciesByBasis]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([basis, values]) => [basis, latencyOf(values)]),
      ),
    },
    dataSharing: {
      ...dataSharing,
      rate: ratio(dataSharing.answered + dataSharing.notFound, dataSharing.requested),
      bySource,
      byDepartment: groupBy(bySource, (s) => s.department, ['requested', 'answered', 'notFound', 'failed']),
    },
    dataSharingDemand,
    proofIndicators: await readProofIndicators(deps.store, range, filter),
    ...(casesRunning === undefined ? {} : { casesRunning }),
  };
}

/** Programme metrics as the API serves them: one reading per filter in flight, reused while fresh. */
export interface MetricsService {
  read(filter?: MetricsFilter): Promise<ProgrammeMetrics>;
}

/**
 * Reads are full scans on FerretDB, so a reading is reused for `maxAgeMs` (default 10 s) or three
 * times its own duration, whichever is longer, and concurrent requests for one filter share it.
 */
export function createMetricsService(deps: MetricsDeps, options: { maxAgeMs?: number } = {}): MetricsService {
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const readings = new Map<string, { at: number; reading: Promise<ProgrammeMetrics> }>();
  const fresh = (at: number, metrics: ProgrammeMetrics) => Date.now() - at < Math.max(maxAgeMs, 3 * metrics.readMs);
  const start = (key: string, filter: MetricsFilter) => {
    const reading = readProgrammeMetrics(deps, filter);
    if (readings.size >= 64) readings.delete(readings.keys().next().value!);
    const entry = { at: Date.now(), reading };
    readings.set(key, entry);
    reading.catch(() => readings.get(key) === entry && readings.delete(key));
    return reading;
  };
  return {
    async read(filter = {}) {
      periodRange(filter);
      const key = JSON.stringify([filter.from, filter.to, filter.policy, filter.department]);
      const known = readings.get(key);
      if (!known) return start(key, filter);
      const metrics = await known.reading.catch(() => undefined);
      if (metrics && fresh(known.at, metrics)) return metrics;
      if (readings.get(key) === known) readings.delete(key);
      return readings.get(key)?.reading ?? start(key, filter);
    },
  };
}
