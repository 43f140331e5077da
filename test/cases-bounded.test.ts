/**
 * A supervisor's filter-less case search over a large city reads what it answers, not the city
 * (security review S15, abuse test 24): the records are sorted and cut in the database, so the
 * API reads at most `limit` + 1 life events, whatever the number of cases. Reads are counted from
 * the driver's own command monitoring (test/support/seeded-cases.ts), never timed.
 */
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCaseService, type CaseService } from '../services/cases/service.js';
import { TEST_SECRET } from './support/city.js';
import { openCountingStore, seedDecidedCases, type CountingStore } from './support/seeded-cases.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
const CASES = 3_000;
const supervisor = { id: 'u_boundedsupervisr', name: '周督查', role: 'supervisor' as const };
let store: Connection;
let client: Client;
let cases: CaseService;
let counting: CountingStore;
const read = () => counting.read;
const reset = () => counting.reset();
const total = () => counting.total();

beforeAll(async () => {
  counting = await openCountingStore(stack.mongodbUri, 'bounded');
  store = counting.store;
  // A city's worth of cases, one a minute, each with its decision.
  await seedDecidedCases(store, 'bounded', CASES);
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
    expect(read().get('life_events')).toBeLessThanOrEqual(21);
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
    expect(read().get('life_events')).toBeLessThanOrEqual(21);
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
    expect(read().get('life_events')).toBeLessThanOrEqual(2_000);
    expect(found.next).toEqual(expect.any(String));
  });
});
