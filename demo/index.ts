/**
 * The demo `npm start` runs when APPLYFREE_DEMO is on: seed the synthetic city (a re-run
 * skips what is there), plan the registry feed from it, register its registries' departments
 * (no credentials: `applyfree department rotate` issues one to post over HTTP), stream the feed
 * through the ingestion `POST /events` uses, each event under its registry's department, show
 * the live summary, and once the city has settled run the monthly payroll of its entitlements
 * (demo/payroll.ts: the demo officer starts it, the demo reviewer releases it). Runs beside the
 * API, which answers throughout; `stop()` ends it at any stage (between seeding batches, too).
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import { publisherOf, type Publisher } from '../domain/departments.js';
import { defineDepartment, specOf } from '../store/departments.js';
import type { VerifierSpec } from '../domain/verifiers.js';
import { addVerifier, findVerifier, VerifierRegisterError } from '../store/verifiers.js';
import type { IngestResult } from '../services/events/ingest.js';
import { citySecret, SeedKeyMismatchError, seedCity } from '../infra/seed/index.js';
import type { Progress } from '../infra/progress.js';
import type { DemoSettings } from '../workers/config.js';
import type { SubjectKeyRing } from '../domain/pseudonym.js';
import { resolveSubjectKey } from '../store/subjects.js';
import { planFeed, type EventBody, type FeedPlan } from './feed-plan.js';
import { demoDepartments } from './registries.js';
import { startFeed, storeCursor, type Feed } from './feed.js';
import { readPopulation } from './population.js';
import type { DemoStatus, SummarySource } from '../services/metrics/summary.js';
import { startSummaryDisplay, type SummaryDisplay } from './summary-view.js';
import { startDemoPayroll, type DemoPayroll, type DemoPayrollDeps } from './payroll.js';

export interface DemoDeps {
  store: Connection;
  settings: DemoSettings;
  /** The key ring: the city is seeded under the current key, or keeps the one it was seeded under. */
  keys: SubjectKeyRing;
  /** The ingestion `POST /events` uses, under the department that publishes the event. */
  ingest: (body: EventBody, publisher: Publisher) => Promise<IngestResult>;
  summary: SummarySource;
  /** Cases still running (the feed holds back while there are `BACKLOG_LIMIT` or more). */
  runningCases?: () => Promise<number | undefined>;
  progress: Progress;
  /** Called once the feed is planned, with the subject key of the demo citizen (demoCitizen below). */
  onPlanned?: (citizenSubjectKey: string) => Promise<void>;
  /** Where the live summary goes, and whether it is redrawn in place. */
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  interactive: boolean;
  /** The demo's monthly payroll (demo/payroll.ts): the service, the officer and reviewer, the monthly policies. */
  payroll?: Pick<DemoPayrollDeps, 'service' | 'officer' | 'reviewer' | 'policies' | 'intervalMs'>;
}

export interface Demo {
  status(): DemoStatus;
  /** Stops seeding, the feed and the display; the seed and the feed resume on the next start. */
  stop(): Promise<void>;
  /** Settles when the feed has delivered everything, or the demo stopped or failed. */
  readonly finished: Promise<void>;
}

const n = (value: number) => value.toLocaleString('en');

/** Running cases at which the feed waits for the pipeline. */
export const BACKLOG_LIMIT = 8;

/**
 * The demo citizen: the first resident whose 60th birthday the feed reports (the senior card is
 * offered for one-tap confirmation), else the first resident of any event; their resident ID.
 */
export function demoCitizenId(plan: FeedPlan): string | undefined {
  const persons = plan.deliveries
    .map((d) => d.body)
    .filter((body): body is EventBody & { subject: { residentId: string } } => 'residentId' in body.subject);
  const chosen = persons.find((body) => body.type === 'age.milestone' && body.payload.age === 60) ?? persons[0];
  return chosen?.subject.residentId;
}

/**
 * Registers the demo's departments for a feed starting `from` (their back-dating window reaches
 * back to it from today, at least a year) and answers the publisher of each source.
 */
export async function registerDemoDepartments(
  store: Connection,
  from: string,
  today = cityToday(),
): Promise<(source: string) => Publisher> {
  const days = Math.max(366, Math.ceil((Date.parse(today) - Date.parse(from)) / 86_400_000) + 1);
  const publishers = new Map<string, Publisher>();
  for (const spec of demoDepartments(days)) {
    const publisher = publisherOf(specOf(await defineDepartment(store, spec)));
    for (const source of publisher.sources) publishers.set(source, publisher);
  }
  // A source no department registered publishes nothing: its events are refused, not let through.
  const nobody: Publisher = { department: 'unregistered', sources: [], eventTypes: [], backdatingDays: 0 };
  return (source) => publishers.get(source) ?? nobody;
}

/** The demo's registered verifier: the city park checks the senior card at its gate (一码亮证). */
export const DEMO_VERIFIER: VerifierSpec = {
  id: 'city-park',
  name: { zh: '市人民公园', en: "City People's Park" },
  kind: 'outside',
  matters: ['senior-concession'],
};

/**
 * Registers the demo's verifier once (a restart keeps it). Like the departments, its key is not
 * shown: `applyfree verifier rotate city-park` issues one to scan codes with.
 */
export async function registerDemoVerifier(store: Connection, master: string): Promise<void> {
  if (await findVerifier(store, DEMO_VERIFIER.id)) return;
  await addVerifier(store, DEMO_VERIFIER, master).catch((error: unknown) => {
    if (!(error instanceof VerifierRegisterError && error.code === 'VERIFIER_EXISTS')) throw error;
  });
}

/**
 * Whether the city in the store must be seeded again from scratch: it was seeded under a key the
 * ring does not hold (another secret, or the pseudonym derivation before HKDF). Seeding on would
 * give every resident a second subject key; the city is synthetic, so it starts over instead.
 */
async function seededUnderAnotherKey(store: Connection, keys: SubjectKeyRing): Promise<boolean> {
  try {
    await citySecret(store, { secret: keys.subjectKeySecret, previousSecrets: keys.previousSubjectKeySecrets });
    return false;
  } catch (error) {
    if (error instanceof SeedKeyMismatchError) return true;
    throw error;
  }
}

/** Starts the demo; see the file comment. Never rejects: a failure is reported and shown in the status. */
export function startDemo(deps: DemoDeps): Demo {
  const { settings, progress } = deps;
  const abort = new AbortController();
  const status: DemoStatus = { state: 'seeding', residents: settings.residents, enterprises: settings.enterprises };
  let feed: Feed | undefined;
  let display: SummaryDisplay | undefined;
  let payroll: DemoPayroll | undefined;
  const say = (line: string) => (display ? display.log(line) : progress.info(line));

  const run = async () => {
    const reset = await seededUnderAnotherKey(deps.store, deps.keys);
    if (reset)
      say(
        'demo city · 演示城市: seeded under another subject key (another APPLYFREE_SUBJECT_KEY_SECRET, or the key ' +
          'derivation changed): seeding it again from scratch · 密钥已变更，重新生成演示城市 ' +
          '(cases of the old city stay in the store under their old keys)',
      );
    const step = progress.step(
      `seeding the demo city · 生成演示城市: ${n(settings.residents)} residents 居民, ${n(settings.enterprises)} enterprises 企业`,
    );
    try {
      const seeded = await seedCity(deps.store, {
        residents: settings.residents,
        enterprises: settings.enterprises,
        secret: deps.keys.subjectKeySecret,
        previousSecrets: deps.keys.previousSubjectKeySecrets,
        reset,
        signal: abort.signal,
        onProgress: ({ phase, done, total }) => step.update(`${phase} ${n(done)}/${n(total)}`),
      });
      const inserted = seeded.residents.inserted + seeded.enterprises.inserted;
      const kept = seeded.residents.skipped + seeded.enterprises.skipped;
      step.done(`${n(inserted)} new, ${n(kept)} already there · 新增 ${n(inserted)}，已有 ${n(kept)}`);
      status.asOf = seeded.asOf;
    } catch (error) {
      step.fail(abort.signal.aborted ? 'stopped · 已停止' : String(error));
      throw error;
    }
    if (abort.signal.aborted) return;

    status.state = 'planning';
    // The plan's source event IDs and day offsets are keyed with the current secret (labels, not subject keys).
    const plan = planFeed(await readPopulation(deps.store, status.asOf), { secret: deps.keys.subjectKeySecret });
    const resent = plan.deliveries.filter((d) => d.kind === 'repeat').length;
    const second = plan.deliveries.filter((d) => d.kind === 'second-registry').length;
    progress.info(
      `registry feed · 登记部门推送: ${n(plan.events)} life events of ${plan.from} to ${plan.to} in ${n(plan.deliveries.length)} deliveries ` +
        `(${n(resent)} resent with the same ID, ${n(second)} also reported by a second registry), ${settings.eventsPerSecond}/s`,
    );
    const publisherOfSource = await registerDemoDepartments(deps.store, plan.from);
    await registerDemoVerifier(deps.store, deps.keys.subjectKeySecret);
    const citizenId = demoCitizenId(plan);
    const citizen = citizenId && (await resolveSubjectKey(deps.store, deps.keys, 'person', citizenId));
    if (citizen && deps.onPlanned)
      await deps
        .onPlanned(citizen)
        .catch((error: unknown) => say(`demo citizen · 演示群众: no token (${String(error)})`));
    if (abort.signal.aborted) return;
    display = startSummaryDisplay({ source: deps.summary, out: deps.out, interactive: deps.interactive });
    // The payroll waits for the city to settle: every delivery made and no case running.
    if (deps.payroll)
      payroll = startDemoPayroll({
        ...deps.payroll,
        store: deps.store,
        signal: abort.signal,
        say,
        settled: async () => status.state === 'done' && (deps.runningCases ? (await deps.runningCases()) === 0 : true),
      });
    if (settings.eventsPerSecond === 0) {
      say('registry feed · 登记部门推送: off (APPLYFREE_DEMO_EVENTS_PER_SECOND=0); post events to /events');
      status.state = 'done';
      return;
    }
    status.state = 'feeding';
    feed = startFeed({
      plan,
      ingest: (body) => deps.ingest(body, publisherOfSource(body.source)),
      eventsPerSecond: settings.eventsPerSecond,
      cursor: storeCursor(deps.store),
      onProblem: say,
      ...(deps.runningCases ? { backlog: { running: deps.runningCases, limit: BACKLOG_LIMIT } } : {}),
    });
    await feed.finished;
    const stats = feed.stats();
    if (stats.state === 'stopped') return;
    status.state = 'done';
    say(
      stats.resumedFrom === stats.planned
        ? `registry feed · 登记部门推送: all ${n(stats.planned)} deliveries were made by an earlier run; new events go to POST /events`
        : `registry feed · 登记部门推送: all ${n(stats.planned)} deliveries made · 全部推送完毕; new events go to POST /events`,
    );
  };

  const finished = run().catch((error: unknown) => {
    if (abort.signal.aborted) return;
    status.state = 'failed';
    status.error = error instanceof Error ? error.message : String(error);
    say(`applyfree: the demo stopped: ${status.error} (the API still runs; APPLYFREE_DEMO=off skips the demo)`);
  });

  return {
    status: () => ({
      ...status,
      ...(feed ? { feed: feed.stats() } : {}),
      ...(payroll ? { payroll: payroll.status() } : {}),
    }),
    async stop() {
      abort.abort(new Error('the demo was stopped'));
      if (status.state !== 'done' && status.state !== 'failed') status.state = 'stopped';
      await feed?.stop();
      await finished;
      await payroll?.finished;
      await display?.stop();
    },
    finished,
  };
}
