/**
 * The demo registry feed's pace without a pipeline: it sends at its rate, holds back while the
 * pipeline is at its backlog limit and lets through only what there is room for, on a fake clock,
 * so every delivery's time is exact. What it delivers through ingestion: test/demo-feed.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { makeCreditCode, makeResidentId } from '../../domain/identity.js';
import type { EventBody, FeedPlan } from '../../demo/feed-plan.js';
import { maskIdentifiers, startFeed, type FeedOptions } from '../../demo/feed.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';

/** Eleven sixtieth birthdays, each reported once. */
const plan: FeedPlan = {
  id: 'pace-test',
  from: '2026-01-01',
  to: '2026-12-31',
  events: 11,
  deliveries: Array.from({ length: 11 }, (_, i) => ({
    kind: 'first' as const,
    body: {
      sourceEventId: `hr-60-${i}`,
      source: 'household-registry',
      type: 'age.milestone',
      occurredOn: '2026-06-01',
      subject: { residentId: makeResidentId('371402', '1966-06-01', 10 + i, 'female') },
      payload: { age: 60 },
    },
  })),
};
const ids = plan.deliveries.map((d) => d.body.sourceEventId);
/** Any time will do; well past 0, as a wall clock would be. */
const T0 = 1_800_000_000_000;

/** A feed on a fake clock, with the time of each delivery from the start. */
function pacedFeed(clock: FakeClock, options: Partial<FeedOptions> = {}) {
  const delivered: Array<[string, number]> = [];
  const ingest = async (body: EventBody) => {
    delivered.push([body.sourceEventId, clock.now() - T0]);
    return { caseId: `life-event:${body.sourceEventId}`, status: 'accepted' as const };
  };
  const feed = startFeed({ plan, ingest, eventsPerSecond: 50, clock, ...options });
  return { delivered, feed };
}

describe('the registry feed’s pace', () => {
  it('keeps to its rate: eleven deliveries at 50 a second, 20 ms apart', async () => {
    const clock = fakeClock(T0);
    const { delivered, feed } = pacedFeed(clock);
    await clock.advance(1000);
    expect(delivered).toEqual(ids.map((id, i) => [id, 20 * i]));
    expect(feed.stats()).toMatchObject({ state: 'done', position: 11, heldBack: false });
    await feed.finished;
  });

  it('holds back while the pipeline is at its backlog limit, asking once a second, then lets through what there is room for', async () => {
    const clock = fakeClock(T0);
    let running = 5;
    const asked: number[] = [];
    const backlog = {
      limit: 5,
      running: async () => {
        asked.push(clock.now() - T0);
        return running;
      },
    };
    const { delivered, feed } = pacedFeed(clock, { backlog });
    await clock.advance(1500);
    expect(feed.stats().heldBack).toBe(true);
    expect(delivered).toEqual([]);
    expect(asked).toEqual([0, 1000]);

    // Room for two: two go at the next question, none until the one after.
    running = 3;
    await clock.advance(900);
    expect(asked).toEqual([0, 1000, 2000]);
    expect(delivered.map(([id]) => id)).toEqual(ids.slice(0, 2));
    expect(feed.stats().heldBack).toBe(false);

    running = 0;
    await clock.advance(5000);
    expect(delivered.map(([id]) => id)).toEqual(ids);
    expect(feed.stats()).toMatchObject({ state: 'done', heldBack: false, position: 11 });
    await feed.finished;
  });
});

describe('the feed’s reports', () => {
  it('masks identifiers in the lines it reports', () => {
    const id = makeResidentId('371402', '1980-01-01', 9, 'male');
    const code = makeCreditCode('371402', 42);
    expect(maskIdentifiers(`duplicate key ${id} and ${code}`)).toBe('duplicate key [resident id] and [credit code]');
  });
});
