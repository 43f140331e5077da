/**
 * The demo registry feed: planned from a seeded city on the real FerretDB, the same plan
 * every time, and delivered through the real ingestion (FerretDB and Temporal), where a
 * re-delivery or a second registry's report of an event yields no second case. Its pace, on a
 * fake clock: test/unit/demo-feed.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestEvent } from '../services/events/ingest.js';
import { cityToday } from '../domain/calendar.js';
import { validateEvent } from '../domain/event-payloads.js';
import { makeCreditCode, makeResidentId } from '../domain/identity.js';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../domain/pseudonym.js';
import { seedCity } from '../infra/seed/index.js';
import { connectStore } from '../store/connection.js';
import { registerCaseModels } from '../store/cases.js';
import { lifeEventWorkflowId } from '../workflows/contracts/index.js';
import { planFeed, type EventBody, type FeedPlan, type Population } from '../demo/feed-plan.js';
import { startFeed, storeCursor } from '../demo/feed.js';
import { DEMO_VERIFIER, registerDemoDepartments, registerDemoVerifier } from '../demo/index.js';
import { findVerifier } from '../store/verifiers.js';
import { readPopulation } from '../demo/population.js';
import { REPORTERS } from '../demo/registries.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_demo_feed_${run}$1`);
const SECRET = DEVELOPMENT_SUBJECT_KEY_SECRET;
const SEED = 'feed-test';
const AS_OF = '2026-06-30';

let store: Connection;
let temporal: Client;
let population: Population;

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await seedCity(store, { residents: 800, enterprises: 60, seed: SEED, secret: SECRET, asOf: AS_OF });
  population = await readPopulation(store, AS_OF);
}, 120_000);

afterAll(async () => {
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

const subjectOf = (body: EventBody) =>
  'residentId' in body.subject ? body.subject.residentId : body.subject.creditCode;
const firstsOf = (plan: FeedPlan) => plan.deliveries.filter((d) => d.kind === 'first').map((d) => d.body);

describe('the registry feed plan', () => {
  it('is the same for the same seeded city and seed, and differs for another seed', async () => {
    const plan = planFeed(population, { secret: SECRET, seed: SEED });
    expect(planFeed(await readPopulation(store, AS_OF), { secret: SECRET, seed: SEED })).toEqual(plan);
    const other = planFeed(population, { secret: SECRET, seed: 'another-seed' });
    expect(other.events).toBe(plan.events);
    expect(other.id).not.toBe(plan.id);
  });

  it('streams valid events of the year in date order, each from the registry that publishes it', () => {
    const plan = planFeed(population, { secret: SECRET, seed: SEED });
    const today = cityToday();
    for (const { kind, body } of plan.deliveries) {
      expect(() => validateEvent(body, today)).not.toThrow();
      expect(body.occurredOn > plan.from && body.occurredOn <= plan.to).toBe(true);
      expect(body.source).toBe(
        kind === 'second-registry' ? REPORTERS[body.type].second.source : REPORTERS[body.type].first.source,
      );
    }
    const dates = firstsOf(plan).map((b) => b.occurredOn);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(firstsOf(plan).map((b) => b.type))).toEqual(
      new Set([
        'birth.registered',
        'age.milestone',
        'unemployment.registered',
        'disability.certified',
        'enterprise.annual-review',
      ]),
    );
    expect(plan.events).toBe(firstsOf(plan).length);
  });

  it('re-delivers a share under the same ID and has a second registry report another share under its own', () => {
    const plan = planFeed(population, { secret: SECRET, seed: SEED, repeatShare: 0.1, secondRegistryShare: 0.05 });
    const seen = new Map<string, EventBody>();
    let repeats = 0;
    let seconds = 0;
    for (const { kind, body } of plan.deliveries) {
      if (kind === 'first') seen.set(`${body.type}|${subjectOf(body)}|${body.occurredOn}`, body);
      const first = seen.get(`${body.type}|${subjectOf(body)}|${body.occurredOn}`);
      if (kind === 'repeat') {
        repeats++;
        expect(first).toEqual(body);
      }
      if (kind === 'second-registry') {
        seconds++;
        expect(first).toBeDefined();
        expect(body.sourceEventId).not.toBe(first!.sourceEventId);
        expect(body.source).not.toBe(first!.source);
        expect(body.payload).toEqual(first!.payload);
      }
    }
    expect(repeats).toBe(Math.ceil(0.1 * plan.events));
    expect(seconds).toBe(Math.ceil(0.05 * plan.events));
  });

  it('never puts a resident ID or credit code into a source event ID', () => {
    const plan = planFeed(population, { secret: SECRET, seed: SEED });
    const identifiers = [
      ...population.persons.map((p) => p.idNumber),
      ...population.enterprises.map((e) => e.creditCode),
    ];
    for (const { body } of plan.deliveries) {
      expect(body.sourceEventId).not.toMatch(/\d{15,}/);
      for (const id of identifiers) expect(body.sourceEventId).not.toContain(id);
    }
  });

  it('reports births, milestones and annual reviews on the days the rules count', () => {
    const child = makeResidentId('371402', '2026-05-02', 1, 'female');
    const mother = makeResidentId('371402', '1995-08-08', 2, 'female');
    const sixty = makeResidentId('371402', '1966-03-10', 3, 'male');
    const eighty = makeResidentId('371402', '1946-05-17', 4, 'female');
    const eightyNextMonth = makeResidentId('371402', '1946-06-20', 5, 'male');
    const leapling = makeResidentId('371402', '2020-02-29', 6, 'male');
    const deceased = makeResidentId('371402', '1966-04-01', 7, 'male');
    const established = makeCreditCode('371402', 1234);
    const tooNew = makeCreditCode('371402', 5678);
    const plan = planFeed(
      {
        asOf: AS_OF,
        persons: [
          { idNumber: child, birthDate: '2026-05-02', alive: true, guardianIdNumber: mother },
          { idNumber: sixty, birthDate: '1966-03-10', alive: true },
          { idNumber: eighty, birthDate: '1946-05-17', alive: true },
          { idNumber: eightyNextMonth, birthDate: '1946-06-20', alive: true },
          { idNumber: leapling, birthDate: '2020-02-29', alive: true },
          { idNumber: deceased, birthDate: '1966-04-01', alive: false },
        ],
        disabilities: [],
        unemployed: [],
        enterprises: [
          { creditCode: established, establishedOn: '2024-01-01' },
          { creditCode: tooNew, establishedOn: '2026-04-15' },
        ],
      },
      { secret: SECRET, seed: SEED, repeatShare: 0, secondRegistryShare: 0 },
    );
    const events = plan.deliveries.map(({ body }) => ({
      type: body.type,
      on: body.occurredOn,
      id: subjectOf(body),
      payload: body.payload,
    }));
    const birth = events.find((e) => e.type === 'birth.registered')!;
    expect(birth).toMatchObject({ id: child, payload: { birthDate: '2026-05-02', guardianIds: [mother] } });
    expect(birth.on >= '2026-05-02' && birth.on <= '2026-05-23').toBe(true);
    expect(events.filter((e) => e.type !== 'birth.registered')).toEqual([
      { type: 'age.milestone', on: '2026-03-01', id: leapling, payload: { age: 6 } },
      { type: 'age.milestone', on: '2026-03-10', id: sixty, payload: { age: 60 } },
      { type: 'enterprise.annual-review', on: '2026-03-31', id: established, payload: { year: 2025 } },
      // Turned 80 in May: the allowance starts in June, and so does the report.
      { type: 'age.milestone', on: '2026-06-01', id: eighty, payload: { age: 80 } },
    ]);
  });
});

describe('the demo’s verifier', () => {
  it('registers the city park once, for the senior card only (its first key is shown to no one: an operator rotates one)', async () => {
    await registerDemoVerifier(store, SECRET);
    await registerDemoVerifier(store, SECRET);
    const park = await findVerifier(store, DEMO_VERIFIER.id);
    expect(park).toMatchObject({ name: { zh: '市人民公园' }, kind: 'outside', matters: ['senior-concession'] });
  });
});

describe('the registry feed through ingestion', () => {
  it('yields one case per event however often and by whom it is reported, and resumes where it stopped', async () => {
    const plan = planFeed(population, { secret: SECRET, seed: SEED, repeatShare: 0.25, secondRegistryShare: 0.25 });
    const deps = { store, temporal, taskQueue: `demo-feed-${run}`, subjectKeySecret: SECRET, today: () => cityToday() };
    // Each delivery under the department of its registry, as the demo registers them.
    const publisherOfSource = await registerDemoDepartments(store, plan.from);
    const options = {
      plan,
      ingest: (body: EventBody) => ingestEvent(deps, body, publisherOfSource(body.source)),
      eventsPerSecond: 1000,
      concurrency: 4,
      cursor: storeCursor(store),
    };

    const first = startFeed(options);
    await expect.poll(() => first.stats().position, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(20);
    await first.stop();
    const stopped = first.stats();
    expect(stopped.state).toBe('stopped');
    expect(stopped.position).toBeLessThan(plan.deliveries.length);

    const second = startFeed(options);
    await second.finished;
    const done = second.stats();
    expect(done).toMatchObject({ state: 'done', resumedFrom: stopped.position, position: plan.deliveries.length });

    const { LifeEvent, EventDelivery } = registerCaseModels(store);
    const firsts = firstsOf(plan);
    const seconds = plan.deliveries.filter((d) => d.kind === 'second-registry').map((d) => d.body);
    expect(await LifeEvent.countDocuments({})).toBe(plan.events);
    expect(await EventDelivery.countDocuments({})).toBe(firsts.length + seconds.length);
    // Every event started one case; everything delivered again was answered as a duplicate.
    expect(stopped.answers.accepted + done.answers.accepted).toBe(plan.events);
    expect(stopped.answers.duplicate + done.answers.duplicate).toBeGreaterThanOrEqual(
      plan.deliveries.length - plan.events,
    );
    expect(stopped.answers.failed + done.answers.failed + stopped.answers.rejected + done.answers.rejected).toBe(0);

    const second0 = seconds[0];
    const original = firsts.find(
      (b) => b.type === second0.type && subjectOf(b) === subjectOf(second0) && b.occurredOn === second0.occurredOn,
    )!;
    const delivery = await EventDelivery.findOne({ sourceEventId: second0.sourceEventId }).lean();
    expect(delivery?.caseId).toBe(lifeEventWorkflowId(original.sourceEventId));
    expect(delivery?.department).toBe(REPORTERS[second0.type].second.department);
    await expect(
      temporal.workflow.getHandle(lifeEventWorkflowId(original.sourceEventId)).describe(),
    ).resolves.toBeDefined();
    await expect(
      temporal.workflow.getHandle(lifeEventWorkflowId(second0.sourceEventId)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }, 120_000);
});
