/**
 * A supervisor's filter-less case search over a large city reads what it answers, not the city
 * (security review S15, abuse test 24): the records are sorted and cut in the database, so the
 * API reads at most `limit` + 1 life events, whatever the number of cases. Reads are counted from
 * the driver's own command monitoring — every document each find or getMore returned — never timed.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { subjectKey } from '../domain/pseudonym.js';
import { createCaseService, type CaseService } from '../services/cases/service.js';
import { registerCaseModels, type LifeEventRecord } from '../store/cases.js';
import { registerDecisionModels } from '../store/decisions.js';
import { TEST_SECRET } from './support/city.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
const CASES = 3_000;
const supervisor = { id: 'u_boundedsupervisr', name: '周督查', role: 'supervisor' as const };
let store: Connection;
let client: Client;
let cases: CaseService;
/** Documents the API read, per collection, since the last `reset`. */
const read = new Map<string, number>();
const reset = () => read.clear();
const total = () => [...read.values()].reduce((sum, n) => sum + n, 0);

beforeAll(async () => {
  store = mongoose.createConnection(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_bounded_${randomUUID().slice(0, 8)}$1`),
    { monitorCommands: true },
  );
  await store.asPromise();
  // Each find and getMore names its collection when it starts, and answers its batch when it succeeds.
  const collections = new Map<number, string>();
  store.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'find') collections.set(event.requestId, String(event.command.find));
    if (event.commandName === 'getMore') collections.set(event.requestId, String(event.command.collection));
  });
  store.getClient().on('commandSucceeded', (event) => {
    const collection = collections.get(event.requestId);
    if (!collection) return;
    collections.delete(event.requestId);
    const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
    const documents = (cursor?.firstBatch ?? cursor?.nextBatch ?? []).length;
    read.set(collection, (read.get(collection) ?? 0) + documents);
  });

  // A city's worth of cases, one a minute, each with its decision.
  const { LifeEvent } = registerCaseModels(store);
  const { Decision } = registerDecisionModels(store);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const events: LifeEventRecord[] = [];
  for (let i = 0; i < CASES; i++) {
    const key = subjectKey('person', `bounded-${i}`, TEST_SECRET);
    events.push({
      _id: `age.milestone|${key}|2026-01-01`,
      naturalKey: `age.milestone|${key}|2026-01-01`,
      caseId: `life-event:bounded-${i}`,
      type: 'age.milestone',
      subjectKey: key,
      subjectKind: 'person',
      eventDate: '2026-01-01',
      payload: {},
      firstSourceEventId: `bounded-${i}`,
      source: 'big-data-bureau',
      receivedAt: new Date(start + i * 60_000),
    });
  }
  await LifeEvent.insertMany(events, { lean: true });
  await Decision.insertMany(
    events.map((event) => ({
      _id: `${event.caseId}:decision:old-age-allowance`,
      key: `${event.caseId}:decision:old-age-allowance`,
      caseId: event.caseId,
      subjectKey: event.subjectKey,
      policy: { id: 'old-age-allowance', version: 1, hash: 'h' },
      asOf: '2026-01-01',
      outcome: 'ineligible',
      conditions: [],
      missingFacts: [],
      failedSources: [],
      period: 'once',
      withoutCitizenDocuments: true,
      decidedAt: event.receivedAt,
    })),
    { lean: true },
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  cases = createCaseService({
    store,
    temporal: client,
    namespace: stack.temporalNamespace,
    taskQueue: uniqueTaskQueue('bounded'),
    subjectKeySecret: TEST_SECRET,
  });
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

describe('the filter-less case search', () => {
  it(`reads limit + 1 of ${CASES.toLocaleString('en')} life events, and the newest`, async () => {
    reset();
    const found = await cases.search(supervisor, { limit: 20 });
    expect(found.cases.map((c) => c.caseId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `life-event:bounded-${CASES - 1 - i}`),
    );
    expect(found.cases[0].policies).toEqual([{ id: 'old-age-allowance', version: 1, outcome: 'ineligible' }]);
    expect(read.get('life_events')).toBeLessThanOrEqual(21);
    // Each case's decisions and subject besides: bounded by the page, not by the city.
    expect(total()).toBeLessThanOrEqual(21 + 20 + 20 + 5);
    expect(found.next).toEqual(expect.any(String));
  });

  it('goes on from where an answer stopped, reading as little again', async () => {
    const first = await cases.search(supervisor, { limit: 20 });
    reset();
    const second = await cases.search(supervisor, { limit: 20, before: first.next });
    expect(second.cases.map((c) => c.caseId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `life-event:bounded-${CASES - 21 - i}`),
    );
    expect(read.get('life_events')).toBeLessThanOrEqual(21);
    await expect(cases.search(supervisor, { before: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      field: 'before',
    });
  });

  it('caps what a filter only the decisions can apply makes it read', async () => {
    reset();
    // No case is eligible: the search reads pages until its cap, then says where it stopped.
    const found = await cases.search(supervisor, { outcome: 'eligible', limit: 20 });
    expect(found.cases).toEqual([]);
    expect(read.get('life_events')).toBeLessThanOrEqual(2_000);
    expect(found.next).toEqual(expect.any(String));
  });
});
