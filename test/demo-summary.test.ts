/**
 * The live summary: read from records on the real FerretDB, rendered in Chinese with
 * English labels, redrawn or printed by the display, and served at GET /summary.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { loadPolicyCatalog, type PolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { countIngest } from '../services/events/ingest-tally.js';
import { createSummarySource, readStoreFigures, type Summary } from '../services/metrics/summary.js';
import { displayWidth, renderSummary, startSummaryDisplay } from '../demo/summary-view.js';
import { EventValidationError } from '../domain/event-payloads.js';
import { ALL_UP } from './support/all-up.js';

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
  await db.collection('manual_tasks').insertMany([
    { key: 't1', status: 'open' },
    { key: 't2', status: 'done' },
  ]);
  await db
    .collection('notices')
    .insertMany([
      ...many(5, (i) => ({ key: `n${i}`, status: 'delivered' })),
      { key: 'q', status: 'queued' },
      { key: 'f', status: 'failed' },
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
      notices: { delivered: 5, queued: 1, failed: 1 },
    });
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

const sample = (): Summary => ({
  readAt: '2026-11-22T06:00:00.000Z',
  readMs: 12,
  events: { sourceEvents: 1130, cases: 1050, collapsedAcrossRegistries: 80, inProgress: 7 },
  decisions: { eligible: 1100, ineligible: 1900, undetermined: 20 },
  grants: {
    total: 57,
    revoked: 0,
    byPolicy: [
      {
        policyId: 'childcare-subsidy',
        title: { zh: '育儿补贴', en: 'Childcare subsidy' },
        count: 57,
        amount: 171000,
        currency: 'CNY',
      },
    ],
  },
  offersAwaitingConfirmation: 120,
  pledgesAwaitingInspection: 80,
  manualReviewOpen: 20,
  notices: { delivered: 2100, queued: 30, failed: 1 },
  deliveries: { received: 1234, accepted: 1050, duplicate: 184, rejected: 0, failed: 0 },
});

describe('the live display', () => {
  it('renders every figure in Chinese with English labels', () => {
    const text = renderSummary(sample()).join('\n');
    for (const part of [
      '新案件 new 1,050',
      '重复已合并 collapsed 184',
      '案件 cases',
      '处理中 in progress 7',
      '来源事件 source events 1,130 (跨部门合并 collapsed 80)',
      '符合 eligible 1,100',
      '不符合 ineligible 1,900',
      '待定 undetermined 20',
      '待确认 offers awaiting confirmation',
      '待核查 pledges awaiting inspection',
      '人工复核 manual review open',
      '已送达 delivered 2,100',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).toMatch(/育儿补贴\s+Childcare subsidy\s+57\s+¥171,000/);
    expect(displayWidth('育儿补贴 Childcare')).toBe(18);
  });

  it('prints plain lines when not on a terminal, only when a figure changed', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const source = { get: async () => sample() };
    const display = startSummaryDisplay({ source, out, interactive: false, intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await display.stop();
    expect(written.match(/实时概况 live summary/g)).toHaveLength(1);
    expect(written).not.toContain('\x1b[');
  });

  it('redraws the block in place on a terminal, keeping lines it is told to log above it', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const display = startSummaryDisplay({
      source: { get: async () => sample() },
      out,
      interactive: true,
      intervalMs: 20,
      columns: () => 200,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    display.log('a line for the operator');
    await display.stop();
    const lines = renderSummary(sample()).length;
    expect(written).toContain(`\x1b[${lines}F\x1b[J`);
    expect(written).toMatch(/\x1b\[\d+F\x1b\[Ja line for the operator\n免申即享/);
  });
});

describe('GET /summary', () => {
  const health = ALL_UP;

  it('answers the summary as JSON and links it from the index', async () => {
    const api = buildApi({ health, summary: async () => sample() });
    const response = await api.inject({ method: 'GET', url: '/summary' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(sample());
    expect((await api.inject({ method: 'GET', url: '/' })).json()).toMatchObject({ links: { summary: '/summary' } });
    await api.close();
  });

  it('answers 503 SUMMARY_UNAVAILABLE when the store does not answer', async () => {
    const api = buildApi({ health, summary: async () => Promise.reject(new Error('connection closed')) });
    const response = await api.inject({ method: 'GET', url: '/summary' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'SUMMARY_UNAVAILABLE', messageZh: '暂时无法读取实时概况' });
    await api.close();
  });
});
