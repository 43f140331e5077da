/**
 * The live summary without a store: rendered in Chinese with English labels, redrawn in place on a
 * terminal or printed as plain lines, each read on the display's own schedule (a fake clock here,
 * so every redraw is counted exactly), and served at GET /summary.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { displayWidth, renderSummary, startSummaryDisplay } from '../../demo/summary-view.js';
import type { Summary } from '../../services/metrics/summary.js';
import { ALL_UP } from '../support/all-up.js';
import { fakeClock } from '../support/fake-clock.js';

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
  payroll: { month: '2026-11', paidFen: 1_230_000, lines: 123 },
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
      '本月已发放 paid this month',
      '¥12,300.00 · 123 笔 lines (2026-11)',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).toMatch(/育儿补贴\s+Childcare subsidy\s+57\s+¥171,000/);
    expect(displayWidth('育儿补贴 Childcare')).toBe(18);
  });

  it("shows the demo's monthly payroll: where it stands and each policy's batch, in yuan from integer fen", () => {
    const text = renderSummary({
      ...sample(),
      demo: {
        state: 'done',
        residents: 300,
        enterprises: 30,
        payroll: {
          state: 'paid',
          batches: [
            {
              id: 'payroll:old-age-allowance:2026-11',
              policyId: 'old-age-allowance',
              period: '2026-11',
              status: 'released',
              lines: 3,
              totalFen: 40_001,
            },
          ],
        },
      },
    }).join('\n');
    expect(text).toMatch(
      /按月发放 monthly payroll\s+已放款 released · old-age-allowance 2026-11 released 3 笔 ¥400\.01/,
    );
  });

  it('prints plain lines when not on a terminal, only when a figure changed', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const clock = fakeClock();
    let summary = sample();
    let reads = 0;
    const source = {
      get: async () => {
        reads += 1;
        return summary;
      },
    };
    const display = startSummaryDisplay({ source, out, interactive: false, intervalMs: 20, schedule: clock.schedule });
    // Read at once and every 20 ms: eleven reads of the same figures, printed once.
    await clock.advance(200);
    expect(reads).toBe(11);
    expect(written.match(/实时概况 live summary/g)).toHaveLength(1);
    summary = { ...sample(), decisions: { ...sample().decisions, eligible: 1101 } };
    await clock.advance(20);
    expect(written.match(/实时概况 live summary/g)).toHaveLength(2);
    expect(written).toContain('符合 eligible 1,101');
    // Stopping reads once more and prints only if something changed: nothing did.
    await display.stop();
    expect(reads).toBe(13);
    expect(written.match(/实时概况 live summary/g)).toHaveLength(2);
    expect(written).not.toContain('\x1b[');
  });

  it('redraws the block in place on a terminal, keeping lines it is told to log above it', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const clock = fakeClock();
    const display = startSummaryDisplay({
      source: { get: async () => sample() },
      out,
      interactive: true,
      intervalMs: 20,
      columns: () => 200,
      schedule: clock.schedule,
    });
    // Drawn at once and every 20 ms: the first block, then five redrawn over it.
    await clock.advance(100);
    const lines = renderSummary(sample()).length;
    expect(written.match(/实时概况 live summary/g)).toHaveLength(6);
    expect(written.match(new RegExp(`\x1b\\[${lines}F\x1b\\[J`, 'g'))).toHaveLength(5);
    display.log('a line for the operator');
    await display.stop();
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
