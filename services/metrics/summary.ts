/**
 * The live summary of the programme: cases, decisions by outcome, grants by policy, what
 * waits on citizens and inspectors, notices — read from the system of record (and the
 * count of running cases from Temporal), plus this process's delivery counters and the
 * demo feed's progress. FerretDB scans a collection for any filter but `_id`, so a read
 * costs time in proportion to the records: reads are single-flight and spaced by three
 * times the last read's duration, however often the summary is asked for.
 */
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Text } from '../../domain/sources.js';
import type { PolicyCatalog } from '../../rules/catalog.js';
import { registerModels } from '../../store/models.js';
import type { FeedStats } from '../../demo/feed.js';
import type { DemoPayrollStatus } from '../../demo/payroll.js';
import { cityToday } from '../../domain/calendar.js';
import { registerPayrollModels } from '../../store/payroll.js';
import type { IngestTally } from '../events/ingest-tally.js';

export interface PolicyGrants {
  policyId: string;
  title: Text;
  /** Grants in force (not revoked). */
  count: number;
  /** Sum of their amounts, for cash benefits. */
  amount?: number;
  currency?: string;
}

/** The figures read from the store (and Temporal). */
export interface StoreFigures {
  /** When they were read, and how long the reads took. */
  readAt: string;
  readMs: number;
  events: {
    /** Distinct source event IDs received (each registry's report of an event counts once). */
    sourceEvents: number;
    /** Cases: one per real-world event. */
    cases: number;
    /** Reports collapsed into an existing case because another registry reported the event first. */
    collapsedAcrossRegistries: number;
    /** Cases whose workflow is still running (from Temporal); absent when Temporal does not answer. */
    inProgress?: number;
  };
  decisions: { eligible: number; ineligible: number; undetermined: number };
  grants: { byPolicy: PolicyGrants[]; total: number; revoked: number };
  offersAwaitingConfirmation: number;
  pledgesAwaitingInspection: number;
  /** Review tasks (undetermined decisions) open or claimed. */
  manualReviewOpen: number;
  /** Every task open or claimed, and those of them past their due date (services/tasks). */
  tasksOpen?: number;
  tasksOverdue?: number;
  notices: { delivered: number; queued: number; failed: number };
  /** Payment lines released this month (city time): what left for the bank, in integer fen. */
  payroll: { month: string; paidFen: number; lines: number };
}

/** What `GET /summary` answers and the live display shows. */
export interface Summary extends StoreFigures {
  /** This process's deliveries (API and demo feed): a repeated source event ID shows only here. */
  deliveries: IngestTally;
  /** The demo city and its feed, when the demo runs. */
  demo?: DemoStatus;
}

export interface DemoStatus {
  state: 'seeding' | 'planning' | 'feeding' | 'done' | 'stopped' | 'failed';
  residents: number;
  enterprises: number;
  /** The seed's reference date, once seeded. */
  asOf?: string;
  feed?: FeedStats;
  /** The demo's monthly payroll (demo/payroll.ts), once the feed is planned. */
  payroll?: DemoPayrollStatus;
  error?: string;
}

export interface SummaryDeps {
  store: Connection;
  catalog: PolicyCatalog;
  temporal?: Client;
  taskQueue: string;
  tally: () => IngestTally;
  demo?: () => DemoStatus | undefined;
}

export interface SummarySource {
  /** A summary whose store figures are at most `maxAgeMs` old, or as fresh as the spacing of reads allows. */
  get(maxAgeMs?: number): Promise<Summary>;
}

function byKey(groups: Array<{ _id: unknown; n: number }>): Map<string, number> {
  return new Map(groups.map((g) => [String(g._id), g.n]));
}

/** Life-event cases still running on the task queue, from Temporal's visibility store; undefined when it does not answer. */
export async function countRunningCases(temporal: Client, taskQueue: string): Promise<number | undefined> {
  try {
    return (
      await temporal.workflow.count(
        `WorkflowType = 'lifeEvent' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      )
    ).count;
  } catch {
    return undefined;
  }
}

/**
 * A policy's title and currency: from the shipped catalog, else from the version an
 * officer published (one `_id` read), else the bare id.
 */
async function describePolicy(
  deps: Pick<SummaryDeps, 'store' | 'catalog'>,
  id: string,
  version: number,
): Promise<Pick<PolicyGrants, 'title' | 'currency'>> {
  const shipped = deps.catalog.policies.filter((p) => p.id === id).at(-1);
  if (shipped)
    return { title: shipped.title, ...(shipped.benefit.kind === 'cash' ? { currency: shipped.benefit.currency } : {}) };
  const record = await deps.store
    .db!.collection<{ _id: string; title?: Text; source?: string }>('policy_versions')
    .findOne({ _id: `${id}@${version}` });
  let currency: string | undefined;
  try {
    currency = (JSON.parse(record?.source ?? '{}') as { benefit?: { currency?: string } }).benefit?.currency;
  } catch {
    currency = undefined;
  }
  return { title: record?.title ?? { zh: id, en: id }, ...(currency ? { currency } : {}) };
}

/**
 * The payment lines released this month in the city's calendar: their count and sum in fen,
 * added here from a stream of the released lines (FerretDB's `$sum` of a field answers 0).
 */
export async function releasedThisMonth(store: Connection, now: Date = new Date()): Promise<StoreFigures['payroll']> {
  const month = cityToday(now).slice(0, 7);
  const { PaymentLine } = registerPayrollModels(store);
  const released = PaymentLine.collection.find<{ amountFen: number; releasedAt?: Date }>(
    { kind: 'payment', status: 'released' },
    { projection: { _id: 0, amountFen: 1, releasedAt: 1 }, batchSize: 5_000 },
  );
  let paidFen = 0;
  let lines = 0;
  for await (const line of released) {
    if (!line.releasedAt || cityToday(line.releasedAt).slice(0, 7) !== month) continue;
    paidFen += line.amountFen;
    lines += 1;
  }
  return { month, paidFen, lines };
}

/** Reads the store figures once. */
export async function readStoreFigures(
  deps: Pick<SummaryDeps, 'store' | 'catalog' | 'temporal' | 'taskQueue'>,
): Promise<StoreFigures> {
  const started = Date.now();
  const m = registerModels(deps.store);
  const group = (field: string) => [{ $group: { _id: `$${field}`, n: { $sum: 1 } } }];
  const running = deps.temporal ? countRunningCases(deps.temporal, deps.taskQueue) : Promise.resolve(undefined);
  // Cases before source events: a case's record is written before its delivery's, so the
  // reports collapsed into cases never come out negative.
  const cases = await m.LifeEvent.countDocuments({});
  const now = new Date();
  const [sourceEvents, decisions, offers, pledges, tasks, notices, inProgress] = await Promise.all([
    m.EventDelivery.countDocuments({}),
    m.Decision.aggregate<{ _id: string; n: number }>(group('outcome')),
    m.Offer.countDocuments({ status: 'open' }),
    m.Pledge.countDocuments({ status: 'pending' }),
    m.Task.find({ status: { $in: ['open', 'claimed'] } }, { _id: 0, type: 1, dueAt: 1 }).lean(),
    m.Notice.aggregate<{ _id: string; n: number }>(group('status')),
    running,
  ]);

  const outcome = byKey(decisions);
  const notice = byKey(notices);
  const policies = new Map<string, PolicyGrants>();
  let revoked = 0;
  // Amounts are added here (FerretDB 1.24's $group answers 0 for { $sum: '$amount' }), streaming the
  // grants in batches rather than holding every one in memory (security review S15).
  const grants = m.Grant.collection.find<{ policy: { id: string; version: number }; amount?: number; status: string }>(
    {},
    { projection: { _id: 0, policy: 1, amount: 1, status: 1 }, batchSize: 5_000 },
  );
  for await (const grant of grants) {
    if (grant.status === 'revoked') {
      revoked++;
      continue;
    }
    let row = policies.get(grant.policy.id);
    if (!row) {
      row = {
        policyId: grant.policy.id,
        ...(await describePolicy(deps, grant.policy.id, grant.policy.version)),
        count: 0,
      };
      policies.set(grant.policy.id, row);
    }
    row.count++;
    if (typeof grant.amount === 'number') row.amount = Math.round(((row.amount ?? 0) + grant.amount) * 100) / 100;
  }
  const payroll = await releasedThisMonth(deps.store);
  const byPolicy = [...policies.values()].sort((a, b) => b.count - a.count || (a.policyId < b.policyId ? -1 : 1));
  return {
    readAt: new Date().toISOString(),
    readMs: Date.now() - started,
    events: {
      sourceEvents,
      cases,
      collapsedAcrossRegistries: Math.max(0, sourceEvents - cases),
      ...(inProgress === undefined ? {} : { inProgress }),
    },
    decisions: {
      eligible: outcome.get('eligible') ?? 0,
      ineligible: outcome.get('ineligible') ?? 0,
      undetermined: outcome.get('undetermined') ?? 0,
    },
    grants: { byPolicy, total: byPolicy.reduce((sum, p) => sum + p.count, 0), revoked },
    offersAwaitingConfirmation: offers,
    pledgesAwaitingInspection: pledges,
    manualReviewOpen: tasks.filter((task) => task.type === 'review').length,
    tasksOpen: tasks.length,
    tasksOverdue: tasks.filter((task) => task.dueAt.getTime() < now.getTime()).length,
    notices: {
      delivered: notice.get('delivered') ?? 0,
      queued: notice.get('queued') ?? 0,
      failed: notice.get('failed') ?? 0,
    },
    payroll,
  };
}

/** Where the demo stands: its state and its payroll's (a release changes the paid total). */
const stageOf = (demo: DemoStatus | undefined): string | undefined =>
  demo
    ? `${demo.state}:${demo.payroll?.state ?? ''}:${demo.payroll?.batches.map((b) => b.status).join(',') ?? ''}`
    : undefined;

/**
 * A summary source with single-flight, spaced store reads; see the file comment. Figures
 * read before the demo last changed state (say, before the feed finished, or before its
 * payroll released a batch) are never shown with the new state: a summary saying "done"
 * counts everything the feed delivered, one saying "paid" every line released.
 */
export function createSummarySource(deps: SummaryDeps): SummarySource {
  let figures: { fresh: StoreFigures; demoState?: string } | undefined;
  let readAt = 0;
  let reading: Promise<NonNullable<typeof figures>> | undefined;
  const refresh = () => {
    if (!reading) {
      // The demo's state as the read begins: the figures include everything done before it.
      const demoState = stageOf(deps.demo?.());
      reading = readStoreFigures(deps)
        .then((fresh) => {
          figures = { fresh, demoState };
          readAt = Date.now();
          return figures;
        })
        .finally(() => (reading = undefined));
    }
    return reading;
  };
  return {
    async get(maxAgeMs = 2000) {
      const spacing = Math.max(maxAgeMs, 3 * (figures?.fresh.readMs ?? 0));
      let current = !figures || Date.now() - readAt > spacing ? await refresh() : figures;
      let demo = deps.demo?.();
      // A read already under way may have begun before the change: then one more read.
      for (let reads = 0; demo && current.demoState !== stageOf(demo) && reads < 2; reads++) {
        current = await refresh();
        demo = deps.demo?.();
      }
      return { ...current.fresh, deliveries: deps.tally(), ...(demo ? { demo } : {}) };
    },
  };
}
