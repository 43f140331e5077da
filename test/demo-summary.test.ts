/**
 * The live summary's figures, read from records on the real FerretDB: counted, cached for callers
 * asking together, and read again when the demo changes state. Rendering, the display and
 * GET /summary need no store: test/unit/summary.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPolicyCatalog, type PolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { countIngest } from '../services/events/ingest-tally.js';
import { createSummarySource, readStoreFigures } from '../services/metrics/summary.js';
import { cityToday } from '../domain/calendar.js';
import { EventValidationError } from '../domain/event-payloads.js';

const stack = inject('stack');
const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_demo_summary_${randomUUID().slice(0, 8)}$1`);

let store: Connection;
let catalog: PolicyCatalog;

const policy = (id: string, version = 1) => ({ id, version, hash: 'h' });
const many = (count: number, make: (i: number) => object) => Array.from({ length: count }, (_, i) => make(i));

beforeAll(async () => {
  store = await connectStore(mongodbUri);
  catalog = await loadPolicyCatalog();
  const db = store.db!;
  // Three source events from two registries, for two real-world events.
  await db
    .collection('event_deliveries')
    .insertMany(many(3, (i) => ({ sourceEventId: `S-${i}`, caseId: `life-event:S-${Math.min(i, 1)}` })));
  await db.collection('life_events').insertMany(many(2, (i) => ({ naturalKey: `k${i}`, caseId: `life-event:S-${i}` })));
  await db
    .collection('decisions')
    .insertMany([
      ...many(3, (i) => ({ key: `e${i}`, outcome: 'eligible' })),
      ...many(4, (i) => ({ key: `i${i}`, outcome: 'ineligible' })),
      { key: 'u0', outcome: 'undetermined' },
    ]);
  await db.collection('grants').insertMany([
    { key: 'g1', policy: policy('childcare-subsidy'), amount: 3000, status: 'granted' },
    { key: 'g2', policy: policy('childcare-subsidy'), amount: 1500, status: 'granted' },
    { key: 'g3', policy: policy('childcare-subsidy'), amount: 900, status: 'revoked' },
    { key: 'g4', policy: policy('job-stabilisation-refund'), amount: 1234.5, status: 'granted' },
    { key: 'g5', policy: policy('senior-preferential-card'), status: 'granted' },
    { key: 'g6', policy: policy('officer-made-policy', 2), amount: 10, status: 'granted' },
  ]);
  await db.collection('policy_versions').insertOne({
    _id: 'officer-made-policy@2' as never,
    title: { zh: '新政策', en: 'A new policy' },
    source: JSON.stringify({ benefit: { kind: 'cash', currency: 'CNY' } }),
  });
  await db.collection('offers').insertMany([
    { key: 'o1', status: 'open' },
    { key: 'o2', status: 'open' },
    { key: 'o3', status: 'confirmed' },
  ]);
  await db.collection('pledges').insertMany([
    { key: 'p1', status: 'pending' },
    { key: 'p2', status: 'passed' },
  ]);
  const due = (days: number) => new Date(Date.now() + days * 86_400_000);
  await db
    .collection('tasks')
    .insertMany([
      { _id: 't1', key: 't1', type: 'review', status: 'open', dueAt: due(5) } as never,
      { _id: 't2', key: 't2', type: 'review', status: 'done', dueAt: due(5) } as never,
      { _id: 't3', key: 't3', type: 'inspection', status: 'claimed', dueAt: due(-1) } as never,
    ]);
  await db
    .collection('notices')
    .insertMany([
      ...many(5, (i) => ({ key: `n${i}`, status: 'delivered' })),
      { key: 'q', status: 'queued' },
      { key: 'f', status: 'failed' },
    ]);
  // Paid this month: two released payments; not: one released last month, one pending, one removed, a recovery.
  const now = new Date();
  const lastMonth = new Date(now.getTime() - 40 * 86_400_000);
  const line = (key: string, amountFen: number, status: string, releasedAt?: Date, kind = 'payment') => ({
    _id: key as never,
    key,
    kind,
    amountFen,
    status,
    ...(releasedAt ? { releasedAt } : {}),
  });
  await db
    .collection('payment_lines')
    .insertMany([
      line('a', 10_000, 'released', now),
      line('b', 20_001, 'released', now),
      line('c', 30_000, 'released', lastMonth),
      line('d', 40_000, 'pending'),
      line('e', 50_000, 'removed'),
      line('f', -10_000, 'due', undefined, 'recovery'),
    ]);
});

afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

describe('the store figures', () => {
  it('count cases, decisions by outcome, grants by policy with titles and amounts, and what waits on people', async () => {
    const figures = await readStoreFigures({ store, catalog, taskQueue: 'unused' });
    expect(figures.events).toEqual({ sourceEvents: 3, cases: 2, collapsedAcrossRegistries: 1 });
    expect(figures.decisions).toEqual({ eligible: 3, ineligible: 4, undetermined: 1 });
    expect(figures.grants).toEqual({
      total: 5,
      revoked: 1,
      byPolicy: [
        {
          policyId: 'childcare-subsidy',
          title: { zh: '育儿补贴', en: 'Childcare subsidy' },
          count: 2,
          amount: 4500,
          currency: 'CNY',
        },
        {
          policyId: 'job-stabilisation-refund',
          title: { zh: '失业保险稳岗返还', en: 'Unemployment-insurance job-stabilisation refund' },
          count: 1,
          amount: 1234.5,
          currency: 'CNY',
        },
        {
          policyId: 'officer-made-policy',
          title: { zh: '新政策', en: 'A new policy' },
          count: 1,
          amount: 10,
          currency: 'CNY',
        },
        {
          policyId: 'senior-preferential-card',
          title: { zh: '老年人优待证', en: 'Senior preferential card' },
          count: 1,
        },
      ],
    });
    expect(figures).toMatchObject({
      offersAwaitingConfirmation: 2,
      pledgesAwaitingInspection: 1,
      manualReviewOpen: 1,
      tasksOpen: 2,
      tasksOverdue: 1,
      notices: { delivered: 5, queued: 1, failed: 1 },
    });
  });

  it("add up this month's released payment lines in integer fen, and nothing pending, removed or released before", async () => {
    const figures = await readStoreFigures({ store, catalog, taskQueue: 'unused' });
    const released = await store
      .db!.collection<{ amountFen: number; releasedAt: Date }>('payment_lines')
      .find({ kind: 'payment', status: 'released' })
      .toArray();
    const month = cityToday().slice(0, 7);
    const thisMonth = released.filter((line) => cityToday(line.releasedAt).slice(0, 7) === month);
    expect(figures.payroll).toEqual({
      month,
      paidFen: thisMonth.reduce((sum, line) => sum + line.amountFen, 0),
      lines: thisMonth.length,
    });
    expect(figures.payroll).toMatchObject({ paidFen: 30_001, lines: 2 });
  });

  it('are read once for callers asking together, and merged with this process’s delivery counts', async () => {
    const counted = countIngest(async (body: { fail?: string }) => {
      if (body.fail === 'invalid')
        throw new EventValidationError('type', 'is not a known life event type', '不是已登记的生命事件类型');
      if (body.fail === 'store') throw new Error('store unavailable');
      return { caseId: 'life-event:x', status: 'accepted' as const, subjectKey: 'p_x' };
    });
    await counted.ingest({});
    await expect(counted.ingest({ fail: 'invalid' })).rejects.toThrow(EventValidationError);
    await expect(counted.ingest({ fail: 'store' })).rejects.toThrow('store unavailable');
    const source = createSummarySource({ store, catalog, taskQueue: 'unused', tally: counted.tally });
    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect(a.readAt).toBe(b.readAt);
    expect(a.deliveries).toEqual({ received: 3, accepted: 1, duplicate: 0, rejected: 1, failed: 1 });
    expect((await source.get(60_000)).readAt).toBe(a.readAt);
  });

  it('are read again when the demo changes state, so "done" never shows counts from before the feed finished', async () => {
    let state: 'feeding' | 'done' = 'feeding';
    const counted = countIngest(async () => ({
      caseId: 'life-event:x',
      status: 'accepted' as const,
      subjectKey: 'p_x',
    }));
    const source = createSummarySource({
      store,
      catalog,
      taskQueue: 'unused',
      tally: counted.tally,
      demo: () => ({ state, residents: 1, enterprises: 0 }),
    });
    const before = await source.get(60_000);
    expect(before.events.sourceEvents).toBe(3);
    // The feed's last delivery lands, then the feed finishes: well inside the figures' age limit.
    const deliveries = store.db!.collection('event_deliveries');
    await deliveries.insertOne({ sourceEventId: 'S-last', caseId: 'life-event:S-1' });
    try {
      expect((await source.get(60_000)).events.sourceEvents).toBe(3);
      state = 'done';
      const after = await source.get(60_000);
      expect(after.demo?.state).toBe('done');
      expect(after.events.sourceEvents).toBe(4);
    } finally {
      await deliveries.deleteOne({ sourceEventId: 'S-last' });
    }
  });
});
