/**
 * The demo registry feed: delivers a planned stream of life events through the same
 * ingestion as `POST /events`, at a steady rate, a few at a time, retrying a delivery that
 * fails (as a registry does). It keeps its position per plan, so a restart resumes where
 * the last run stopped (re-delivering at most the few in flight: at-least-once, which the
 * ingestion's idempotency absorbs). Problems are reported without any identifier.
 */
import type { Connection } from 'mongoose';
import { Refusal } from '../domain/refusal.js';
import type { IngestResult } from '../services/events/ingest.js';
import type { DeliveryKind, EventBody, FeedPlan } from './feed-plan.js';

/** Where the feed keeps its position (deliveries completed, in plan order). */
export interface FeedCursor {
  load(planId: string): Promise<number>;
  save(planId: string, position: number, total: number): Promise<void>;
}

/** The cursor in the store: one `demo_feed` document per plan, read and written by `_id`. */
export function storeCursor(store: Connection): FeedCursor {
  const collection = () =>
    store.db!.collection<{ _id: string; position: number; total: number; updatedAt: Date }>('demo_feed');
  return {
    load: async (planId) => (await collection().findOne({ _id: planId }))?.position ?? 0,
    save: async (planId, position, total) => {
      await collection().updateOne(
        { _id: planId },
        { $set: { position, total, updatedAt: new Date() } },
        { upsert: true },
      );
    },
  };
}

export interface FeedStats {
  state: 'running' | 'done' | 'stopped';
  /** Deliveries in the plan, and how many real events they carry. */
  planned: number;
  events: number;
  /** Deliveries completed, earlier runs included. */
  position: number;
  /** Where this run started (0, or where an earlier run stopped). */
  resumedFrom: number;
  /** Deliveries made this run, by kind. */
  sent: Record<DeliveryKind, number>;
  /** What ingestion answered this run. */
  answers: { accepted: number; duplicate: number; rejected: number; failed: number };
  /** The date of the latest event delivered (the feed replays the year in date order). */
  replaying?: string;
  /** Deliveries per second over the last ten seconds. */
  ratePerSecond: number;
  /** True while the feed waits for the pipeline to work off its backlog. */
  heldBack: boolean;
  eventsPerSecond: number;
}

export interface Feed {
  stats(): FeedStats;
  /** Stops sending, waits for the deliveries in flight and saves the position. */
  stop(): Promise<void>;
  /** Settles when every delivery is made or the feed is stopped. */
  readonly finished: Promise<void>;
}

export interface FeedOptions {
  plan: FeedPlan;
  /** The ingestion `POST /events` uses. */
  ingest: (body: EventBody) => Promise<IngestResult>;
  eventsPerSecond: number;
  cursor?: FeedCursor;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per delivery before it counts as failed (default 4). */
  attempts?: number;
  /** A line for the operator about a rejected or failed delivery (no identifiers). */
  onProblem?: (line: string) => void;
  /**
   * Flow control: the feed holds back while `running()` (cases still being worked on)
   * is at `limit` or more, so a slow pipeline is not buried under a backlog and a stop
   * drains quickly. Undefined from `running()` (not known) does not hold the feed back.
   */
  backlog?: { running: () => Promise<number | undefined>; limit: number };
  /** The time the feed keeps its pace by (default the system's); a test passes one it steps by hand. */
  clock?: FeedClock;
}

/** Now, and a wait, for the feed's pacing, retries and rate figure. */
export interface FeedClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: FeedClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** Masks anything shaped like a resident ID or credit code in a message bound for a log. */
export function maskIdentifiers(text: string): string {
  return text.replace(/\d{17}[\dXx]/g, '[resident id]').replace(/\b[0-9A-HJ-NPQRTUWXY]{18}\b/g, '[credit code]');
}

/** Starts delivering; see the file comment. */
export function startFeed(options: FeedOptions): Feed {
  const { plan, ingest } = options;
  const rate = Math.max(options.eventsPerSecond, 0.1);
  const concurrency = options.concurrency ?? 8;
  const attempts = options.attempts ?? 4;
  const report = options.onProblem ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const total = plan.deliveries.length;
  const completed = new Uint8Array(total);
  const recent: number[] = [];
  const stats: FeedStats = {
    state: 'running',
    planned: total,
    events: plan.events,
    position: 0,
    resumedFrom: 0,
    sent: { first: 0, repeat: 0, 'second-registry': 0 },
    answers: { accepted: 0, duplicate: 0, rejected: 0, failed: 0 },
    ratePerSecond: 0,
    heldBack: false,
    eventsPerSecond: options.eventsPerSecond,
  };
  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));

  const deliver = async (index: number): Promise<void> => {
    const { kind, body } = plan.deliveries[index];
    stats.sent[kind]++;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await ingest(body);
        stats.answers[result.status]++;
        break;
      } catch (error) {
        const message = maskIdentifiers(error instanceof Error ? error.message : String(error));
        // Refused (invalid, or not its department's to publish): nothing was written, and a retry would be refused too.
        if (error instanceof Refusal) {
          stats.answers.rejected++;
          report(`registry feed · 登记部门推送: ${body.sourceEventId} (${body.type}) was rejected: ${message}`);
          break;
        }
        if (attempt >= attempts || stopping) {
          stats.answers.failed++;
          report(
            `registry feed · 登记部门推送: ${body.sourceEventId} (${body.type}) failed after ${attempt} attempts: ${message}`,
          );
          break;
        }
        await Promise.race([clock.sleep(500 * 2 ** (attempt - 1)), stopped]);
      }
    }
    completed[index] = 1;
    while (stats.position < total && completed[stats.position]) stats.position++;
    stats.replaying = stats.replaying && stats.replaying > body.occurredOn ? stats.replaying : body.occurredOn;
    recent.push(clock.now());
  };

  // Cases the feed may still start before it asks the pipeline again (at most once a second).
  let allowance = 0;
  let backlogCheckedAt = 0;
  /** Waits while the pipeline's backlog is at the limit. */
  const waitForPipeline = async () => {
    const backlog = options.backlog;
    if (!backlog) return;
    while (allowance <= 0 && !stopping) {
      const wait = backlogCheckedAt + 1000 - clock.now();
      if (wait > 0) await Promise.race([clock.sleep(wait), stopped]);
      backlogCheckedAt = clock.now();
      const running = await backlog.running();
      allowance = running === undefined ? concurrency : backlog.limit - running;
      stats.heldBack = allowance <= 0 && !stopping;
    }
    allowance--;
  };

  const run = async (): Promise<void> => {
    const start = Math.min(options.cursor ? await options.cursor.load(plan.id) : 0, total);
    completed.fill(1, 0, start);
    stats.position = stats.resumedFrom = start;
    let lastSaved = clock.now();
    const save = () => options.cursor?.save(plan.id, stats.position, total);
    const inFlight = new Set<Promise<void>>();
    let anchor = clock.now();
    let sentSinceAnchor = 0;
    for (let index = start; index < total && !stopping; index++) {
      const due = anchor + (sentSinceAnchor * 1000) / rate;
      const now = clock.now();
      if (now - due > 1000) {
        // Behind (the pipeline is slower than the rate): carry on from now rather than burst.
        anchor = now;
        sentSinceAnchor = 0;
      } else if (due > now) {
        await Promise.race([clock.sleep(due - now), stopped]);
      }
      while (inFlight.size >= concurrency && !stopping) await Promise.race([...inFlight, stopped]);
      await waitForPipeline();
      if (stopping) break;
      const delivery: Promise<void> = deliver(index).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
      sentSinceAnchor++;
      if (clock.now() - lastSaved > 1000) {
        lastSaved = clock.now();
        await save();
      }
    }
    await Promise.all(inFlight);
    await save();
    stats.state = stopping ? 'stopped' : 'done';
  };

  const startedAt = clock.now();
  const finished = run();
  return {
    stats() {
      const now = clock.now();
      while (recent.length > 0 && recent[0] < now - 10_000) recent.shift();
      const window = Math.min(10_000, Math.max(1000, now - startedAt));
      return {
        ...stats,
        sent: { ...stats.sent },
        answers: { ...stats.answers },
        ratePerSecond: Math.round((recent.length * 10_000) / window) / 10,
      };
    },
    async stop() {
      stopping = true;
      wake();
      await finished.catch(() => undefined);
    },
    finished,
  };
}
