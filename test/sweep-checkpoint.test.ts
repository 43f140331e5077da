/**
 * A sweep slice retried after its worker died (SIGKILL: no goodbye, only the heartbeats it sent)
 * goes on from the last checkpoint it reported instead of screening its subjects again, and its
 * totals are those of one uninterrupted run. Found by `npm run chaos`: with workers killed every
 * few seconds, a slice of 10,000 restarted from its beginning up to 8 times.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeSweepActivities, type SliceCheckpoint } from '../activities/sweep.js';
import { seedCity } from '../infra/seed/index.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { connectStore } from '../store/connection.js';
import { registerModels } from '../store/models.js';

const SECRET = 'the-checkpoint-test-secret-of-40-characters';
const CITY = { residents: 400, enterprises: 0, seed: 'sweep-checkpoint', asOf: '2026-06-30' };
const CASE_ID = `sweep:old-age-allowance@1:${CITY.asOf}`;
const stack = inject('stack');
let store: Connection;
let activities: ReturnType<typeof makeSweepActivities>;
const notified: string[] = [];

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_checkpoint_${randomUUID().slice(0, 8)}$1`),
  );
  await seedCity(store, { ...CITY, secret: SECRET });
  activities = makeSweepActivities({
    store,
    policies: catalogPolicySource(await loadPolicyCatalog()),
    subjectKeySecret: SECRET,
    enqueueNotices: async (notices) => (notices.forEach((n) => notified.push(n.noticeKey)), notices.length),
    fetchFacts: async () => {
      throw new Error('a population sweep reads the platform collections, not the case reader');
    },
    // 8 batches of 50 in the city's one slice: checkpoints between them.
    batchSize: 50,
  });
});

afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

type Slice = Awaited<ReturnType<typeof activities.screenSlice>>;

/** One attempt of screenSlice, as the worker runs it (attempt and heartbeat details of Temporal's), with the checkpoints it reported. */
async function attempt(
  limit: number,
  info: { attempt?: number; heartbeatDetails?: unknown } = {},
): Promise<{ slice: Slice; checkpoints: SliceCheckpoint[] }> {
  const env = new MockActivityEnvironment(info);
  const checkpoints: SliceCheckpoint[] = [];
  env.on('heartbeat', (details: unknown) => checkpoints.push(details as SliceCheckpoint));
  const { plan } = (await env.run(() =>
    activities.pinSweepPolicy({ id: 'old-age-allowance', version: 1, asOf: CITY.asOf }),
  )) as Awaited<ReturnType<typeof activities.pinSweepPolicy>>;
  const slice = (await env.run(() =>
    activities.screenSlice({ caseId: CASE_ID, plan, asOf: CITY.asOf, limit, startsPerSecond: 10 }),
  )) as Slice;
  return { slice, checkpoints };
}

describe('a sweep slice retried after its worker died', () => {
  it('goes on from its last checkpoint, screens only what came after, and reports the totals of one whole run', async () => {
    const whole = await attempt(1_000);
    expect(whole.slice.counts.processed).toBe(CITY.residents);
    expect(whole.slice.counts.eligible).toBeGreaterThan(0);
    expect(whole.checkpoints.map((c) => c.counts.processed)).toEqual([50, 100, 150, 200, 250, 300, 350, 400]);
    // The checkpoints carry a sealed cursor: no resident ID reaches Temporal's heartbeat details.
    expect(JSON.stringify(whole.checkpoints)).not.toMatch(/\d{17}[\dXx]/);

    // The worker dies after reporting 150; Temporal retries the slice with that heartbeat.
    notified.length = 0;
    const retried = await attempt(1_000, { attempt: 2, heartbeatDetails: whole.checkpoints[2] });
    expect(retried.checkpoints.map((c) => c.counts.processed)).toEqual([200, 250, 300, 350, 400]);
    expect(retried.slice.counts).toEqual(whole.slice.counts);
    expect(retried.slice.undeterminedCauses).toEqual(whole.slice.undeterminedCauses);
    // Only those after the checkpoint were acted on again, and nobody holds a grant twice.
    const eligibleAfter = whole.slice.counts.eligible - whole.checkpoints[2].counts.eligible;
    expect(notified).toHaveLength(eligibleAfter);
    const { Grant } = registerModels(store);
    expect(await Grant.countDocuments({})).toBe(whole.slice.counts.eligible);
  });

  it('answers at once when the attempt that died had screened its whole slice', async () => {
    const first = await attempt(200);
    expect(first.slice.cursor).toBeDefined();
    const last = first.checkpoints.at(-1)!;
    expect(last.counts.processed).toBe(200);
    const retried = await attempt(200, { attempt: 3, heartbeatDetails: last });
    expect(retried.checkpoints).toEqual([]);
    expect(retried.slice.counts).toEqual(first.slice.counts);
    expect(retried.slice.cursor).toBeDefined();
  });

  it('starts over on a first attempt, or when the details are not a checkpoint', async () => {
    const whole = await attempt(1_000);
    const ignored = await attempt(1_000, { attempt: 1, heartbeatDetails: whole.checkpoints[3] });
    expect(ignored.checkpoints[0].counts.processed).toBe(50);
    const foreign = await attempt(1_000, { attempt: 2, heartbeatDetails: { processed: 150 } });
    expect(foreign.checkpoints[0].counts.processed).toBe(50);
    expect(foreign.slice.counts).toEqual(whole.slice.counts);
  });
});
