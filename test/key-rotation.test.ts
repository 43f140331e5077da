/**
 * Rotating the pseudonym secret (docs/SECURITY.md): a subject keeps the key it was first
 * registered under, a new subject gets the current key, and every place a raw ID becomes a key
 * (ingestion, case search, explanations, seed picks, the demo) finds the registered one. On the
 * real embedded stack: FerretDB for the register, Temporal for the cases ingestion starts.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeSweepActivities } from '../activities/sweep.js';
import { startDemo } from '../demo/index.js';
import { addDays, cityToday } from '../domain/calendar.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey, type SubjectKeyRing } from '../domain/pseudonym.js';
import { demoFilters, pickSubjects, SeedKeyMismatchError, seedCity } from '../infra/seed/index.js';
import type { Progress } from '../infra/progress.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { createCaseService, resolveSubjectInput } from '../services/cases/service.js';
import { countIngest } from '../services/events/ingest-tally.js';
import { ingestEvent } from '../services/events/ingest.js';
import { createSummarySource } from '../services/metrics/summary.js';
import { registerCaseModels } from '../store/cases.js';
import { connectStore } from '../store/connection.js';
import { registerSubjectModel, resolveSubjectKey, resolveSubjectKeys } from '../store/subjects.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const A = 'the-first-production-secret-of-40-characters';
const B = 'the-second-production-secret-of-40-characters';
const before: SubjectKeyRing = { subjectKeySecret: A };
const after: SubjectKeyRing = { subjectKeySecret: B, previousSubjectKeySecrets: [A] };
const taskQueue = `rotation-${randomUUID().slice(0, 8)}`;
const supervisor = { id: 'u_zhou', name: '周督查', role: 'supervisor' as const };
let store: Connection;
let temporal: Client;

const uriOf = (database: string) => stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);

beforeAll(async () => {
  store = await connectStore(uriOf(`applyfree_rotation_${randomUUID().slice(0, 8)}`));
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
});
afterAll(async () => {
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

const birth = (residentId: string, birthDate: string) => ({
  sourceEventId: `hr-${randomUUID()}`,
  source: 'household-registry',
  type: 'birth.registered',
  occurredOn: cityToday(),
  subject: { residentId },
  payload: { birthDate },
});
const ingest = (ring: SubjectKeyRing, body: unknown) =>
  ingestEvent({ store, temporal, taskQueue, ...ring, today: () => cityToday() }, body, TEST_PUBLISHER);
/** The subject key a case's life event was recorded under (ingestion answers no subject key). */
const subjectOfCase = async (caseId: string) =>
  (await registerCaseModels(store).LifeEvent.findOne({ caseId }).lean())?.subjectKey;

describe('a rotation of the pseudonym secret keeps old keys resolvable', () => {
  const today = addDays(cityToday(), -7);
  const first = makeResidentId('371402', today, 101, 'female');
  const second = makeResidentId('371402', today, 103, 'male');

  it('lands a new event for a subject registered under the old key on that key, and gives a new subject the current one', async () => {
    const registered = await ingest(before, birth(first, today));
    expect(await subjectOfCase(registered.caseId)).toBe(subjectKey('person', first, A));

    // The same birth (type, subject key, date) is the same case: the rotation kept the key.
    const again = await ingest(after, birth(first, today));
    expect(again.caseId).toBe(registered.caseId);
    const newcomer = await ingest(after, birth(second, today));
    expect(await subjectOfCase(newcomer.caseId)).toBe(subjectKey('person', second, B));

    // One register entry each: the rotation forked nobody.
    const Subjects = registerSubjectModel(store);
    expect(await Subjects.countDocuments({ idNumber: first })).toBe(1);
    expect(await Subjects.exists({ _id: subjectKey('person', first, B) })).toBeNull();
  });

  it('finds both subjects by raw ID in case search after the rotation', async () => {
    const REASON = '核实密钥轮换后的案件';
    const cases = createCaseService({ store, temporal, namespace: stack.temporalNamespace, taskQueue, ...after });
    const old = await cases.search(supervisor, { subject: first, reason: REASON });
    const fresh = await cases.search(supervisor, { subject: second, reason: REASON });
    expect(old.cases.length).toBeGreaterThan(0);
    expect(old.cases.every((c) => c.subject.subjectKey === subjectKey('person', first, A))).toBe(true);
    expect(fresh.cases.map((c) => c.subject.subjectKey)).toEqual([subjectKey('person', second, B)]);
    // Without the previous key on the ring, the old subject is out of reach: the ring is what keeps it resolvable.
    const forgotten = createCaseService({
      store,
      temporal,
      namespace: stack.temporalNamespace,
      taskQueue,
      ...{ subjectKeySecret: B },
    });
    expect((await forgotten.search(supervisor, { subject: first, reason: REASON })).cases).toEqual([]);
  });

  it('resolves one ID or many by trying the current key, then each previous one', async () => {
    const unknown = makeResidentId('371402', today, 105, 'female');
    expect(await resolveSubjectKey(store, after, 'person', first)).toBe(subjectKey('person', first, A));
    expect(await resolveSubjectKey(store, after, 'person', unknown)).toBe(subjectKey('person', unknown, B));
    expect(await resolveSubjectInput(store, after, ` ${first.toLowerCase()} `)).toEqual({
      key: subjectKey('person', first, A),
      kind: 'person',
    });
    const many = await resolveSubjectKeys(store, after, 'person', [first, second, unknown, first]);
    expect([...many.entries()]).toEqual([
      [first, subjectKey('person', first, A)],
      [second, subjectKey('person', second, B)],
      [unknown, subjectKey('person', unknown, B)],
    ]);
    await expect(resolveSubjectKey(undefined, after, 'person', first)).rejects.toThrow(/needs the subject register/);
  });
});

describe('the synthetic city under a rotated key', () => {
  const city = { residents: 60, enterprises: 6, seed: 'rotation', asOf: '2026-06-30' };
  let cityStore: Connection;
  beforeAll(async () => {
    cityStore = await connectStore(uriOf(`applyfree_rotation_city_${randomUUID().slice(0, 8)}`));
    await seedCity(cityStore, { ...city, secret: A });
  });
  afterAll(async () => {
    await cityStore?.dropDatabase();
    await cityStore?.close();
  });

  it('keeps the key it was seeded under, and seed picks find its subjects through the ring', async () => {
    const resumed = await seedCity(cityStore, { ...city, secret: B, previousSecrets: [A] });
    expect(resumed.residents).toEqual({ inserted: 0, skipped: city.residents });
    expect(await registerSubjectModel(cityStore).countDocuments({ kind: 'person' })).toBe(city.residents);
    const [picked] = await pickSubjects(cityStore, demoFilters.agedAtLeast(0, city.asOf), 1, after);
    expect(picked.subjectKey).toBe(subjectKey('person', picked.idNumber!, A));
  });

  it('refuses to seed on under a key the ring does not hold, rather than give everyone a second key', async () => {
    await expect(seedCity(cityStore, { ...city, secret: B })).rejects.toBeInstanceOf(SeedKeyMismatchError);
  });

  it('re-seeds the demo city from scratch, saying so, when it was seeded under another key', async () => {
    const lines: string[] = [];
    const progress: Progress = {
      info: (line) => void lines.push(line),
      step: (label) => ({
        update: () => undefined,
        done: (summary) => void lines.push(`${label}: ${summary ?? ''}`),
        fail: (reason) => void lines.push(`${label}: failed ${reason}`),
      }),
    };
    const catalog = await loadPolicyCatalog();
    const settings = { enabled: true, residents: 40, enterprises: 4, eventsPerSecond: 0 };
    const summary = createSummarySource({
      store: cityStore,
      catalog,
      taskQueue,
      tally: countIngest(async () => ({}) as never).tally,
    });
    const demo = startDemo({
      store: cityStore,
      settings,
      keys: { subjectKeySecret: B },
      ingest: async () => {
        throw new Error('the feed is off');
      },
      summary,
      progress,
      out: new PassThrough(),
      interactive: false,
    });
    await demo.finished;
    await demo.stop();
    expect(demo.status().state).toBe('done');
    expect(lines.join('\n')).toMatch(/seeded under another subject key .*seeding it again from scratch/);
    expect(lines.join('\n')).toMatch(/44 new, 0 already there/);
    const subjects = await registerSubjectModel(cityStore).find({ kind: 'person' }).lean();
    expect(subjects).toHaveLength(40);
    expect(subjects.every((s) => s.subjectKey === subjectKey('person', s.idNumber!, B))).toBe(true);
  });
});

describe('a population sweep after a rotation', () => {
  it('records each screened subject under the key it was seeded with, and registers nobody twice', async () => {
    const sweepStore = await connectStore(uriOf(`applyfree_rotation_sweep_${randomUUID().slice(0, 8)}`));
    try {
      const city = { residents: 400, enterprises: 0, seed: 'rotation-sweep', asOf: '2026-06-30' };
      await seedCity(sweepStore, { ...city, secret: A });
      const activities = makeSweepActivities({
        store: sweepStore,
        policies: catalogPolicySource(await loadPolicyCatalog()),
        ...after,
        enqueueNotices: async (notices) => notices.length,
        fetchFacts: async () => {
          throw new Error('a population sweep reads the platform collections, not the case reader');
        },
      });
      const env = new MockActivityEnvironment();
      const { plan } = (await env.run(() =>
        activities.pinSweepPolicy({
          id: 'old-age-allowance',
          version: 1,
          asOf: city.asOf,
        }),
      )) as Awaited<ReturnType<typeof activities.pinSweepPolicy>>;
      const result = (await env.run(() =>
        activities.screenSlice({
          caseId: `sweep:old-age-allowance@1:${city.asOf}`,
          plan,
          asOf: city.asOf,
          limit: 1_000,
          startsPerSecond: 10,
        }),
      )) as Awaited<ReturnType<typeof activities.screenSlice>>;
      expect(result.counts.processed).toBe(city.residents);

      const db = sweepStore.db!;
      const keyed = [
        ...(await db
          .collection('decisions')
          .find({}, { projection: { subjectKey: 1 } })
          .toArray()),
        ...(await db
          .collection('eligibility_horizons')
          .find({}, { projection: { subjectKey: 1 } })
          .toArray()),
      ].map((doc) => String(doc.subjectKey));
      expect(keyed.length).toBeGreaterThan(0);
      const Subjects = registerSubjectModel(sweepStore);
      for (const key of new Set(keyed)) {
        const subject = await Subjects.findById(key).lean();
        expect(subject?.subjectKey, key).toBe(subjectKey('person', subject!.idNumber!, A));
      }
      expect(await Subjects.countDocuments({})).toBe(city.residents);
    } finally {
      await sweepStore.dropDatabase();
      await sweepStore.close();
    }
  });
});
