/**
 * The console (console/src) runs in the browser and declares the API answers it reads by hand.
 * This file holds them to the server's own types at compile time: each line fails `npm test`'s
 * typecheck when an answer the server sends (as JSON: dates become strings) no longer fits what
 * the console expects of it — a renamed field, a changed type, a field the console needs and
 * the server stopped sending. It runs nothing.
 */
import type { CaseSummary as ServerCase } from '../services/cases/service.js';
import type { CitizenService, PolicyLabel } from '../services/citizen/service.js';
import type { CaseTimeline as ServerTimeline } from '../services/cases/timeline.js';
import type { ObjectionView as ServerObjection } from '../services/objections/view.js';
import type { ProgrammeMetrics } from '../services/metrics/service.js';
import type { PolicyVersionView, PolicyLifecycle } from '../services/policies/lifecycle.js';
import type { SimulationView as ServerSimulation } from '../services/policies/simulation.js';
import type { SweepView as ServerSweep } from '../services/sweeps/service.js';
import type { BatchView as ServerBatch } from '../services/payroll/service.js';
import type { LedgerService } from '../services/ledger/service.js';
import type { catalogView } from '../api/catalog-routes.js';
import type { Explanation } from '../rules/explain-subject.js';
import type { PolicyTestReport } from '../rules/policy-tests.js';
import type { CaseSummary, CaseTimeline, SubjectExplanation } from '../console/src/cases-view.js';
import type {
  AccessView,
  Benefit,
  DecisionView,
  Notice,
  ObjectionView as CitizenObjection,
  Offer,
  PledgeView,
} from '../console/src/citizen-view.js';
import type { ProgrammeMetricsView } from '../console/src/metrics-view.js';
import type { Objection } from '../console/src/objections-view.js';
import type { SweepView } from '../console/src/sweeps-view.js';
import type { BatchView } from '../console/src/payroll-view.js';
import type { MyPayments } from '../console/src/payments-view.js';
import type { CreditRecordView } from '../console/src/pledge-view.js';
import type { CollectionRecorded, CollectionView, ProgrammeLedgerView } from '../console/src/ledger-view.js';
import type { Catalog, HistoryEntry, SimulationView, TestReport, VersionSummary } from '../console/src/types.js';

/** A value as JSON carries it: dates as ISO strings, functions gone. */
type Json<T> = T extends Date
  ? string
  : T extends (...args: never[]) => unknown
    ? never
    : T extends ReadonlyArray<infer Item>
      ? Array<Json<Item>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** `true` when every answer of the server's type is a valid value of the console's. */
type Fits<Server, Console> = [Json<Server>] extends [Console] ? true : false;
type Answer<Method extends (...args: never[]) => unknown> = Awaited<ReturnType<Method>>;
type Item<List> = List extends ReadonlyArray<infer One> ? One : never;

export const consoleTypesFit: {
  versions: Fits<Omit<PolicyVersionView, 'document'>, VersionSummary>;
  history: Fits<Item<Answer<PolicyLifecycle['history']>>, HistoryEntry>;
  tests: Fits<PolicyTestReport, TestReport>;
  simulation: Fits<ServerSimulation, SimulationView>;
  catalog: Fits<ReturnType<typeof catalogView>, Catalog>;
  sweeps: Fits<ServerSweep, SweepView>;
  cases: Fits<ServerCase, CaseSummary>;
  timeline: Fits<ServerTimeline, CaseTimeline>;
  explanation: Fits<Explanation, SubjectExplanation>;
  metrics: Fits<ProgrammeMetrics, ProgrammeMetricsView>;
  objections: Fits<ServerObjection, Objection>;
  citizenObjections: Fits<ServerObjection, CitizenObjection>;
  inbox: Fits<Item<Answer<CitizenService['inbox']>['notices']>, Notice>;
  decisions: Fits<Item<Answer<CitizenService['decisions']>>, DecisionView>;
  benefits: Fits<Item<Answer<CitizenService['benefits']>>, Benefit>;
  offers: Fits<Item<Answer<CitizenService['offers']>>, Offer>;
  pledges: Fits<Item<Answer<CitizenService['pledges']>>, PledgeView>;
  creditRecords: Fits<Item<Answer<CitizenService['creditRecords']>>, CreditRecordView>;
  access: Fits<Item<Answer<CitizenService['access']>>, AccessView>;
  policyLabel: Fits<PolicyLabel, Offer['policy']>;
  /** api/payroll-routes.ts answers the batch without the staff's display names. */
  batches: Fits<Omit<ServerBatch, 'startedBy' | 'releasedBy'>, BatchView>;
  payments: Fits<Answer<CitizenService['payments']>, MyPayments>;
  ledgerProgramme: Fits<Answer<LedgerService['programme']>, ProgrammeLedgerView>;
  collections: Fits<Item<Answer<LedgerService['collections']>>, CollectionView>;
  collected: Fits<Answer<LedgerService['recordCollection']>, CollectionRecorded>;
} = {
  versions: true,
  history: true,
  tests: true,
  simulation: true,
  catalog: true,
  sweeps: true,
  cases: true,
  timeline: true,
  explanation: true,
  metrics: true,
  objections: true,
  citizenObjections: true,
  inbox: true,
  decisions: true,
  benefits: true,
  offers: true,
  pledges: true,
  creditRecords: true,
  access: true,
  policyLabel: true,
  batches: true,
  payments: true,
  ledgerProgramme: true,
  collections: true,
  collected: true,
};
