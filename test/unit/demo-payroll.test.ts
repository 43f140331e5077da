/**
 * The demo's monthly payroll loop (demo/payroll.ts) across restarts, with a recording stand-in for
 * the payroll service (the service itself runs on the real stack in test/payroll*.test.ts and the
 * demo end to end in test/main.test.ts): nothing before the city settles, a batch found in preview
 * is released by the reviewer and never started again, a released one is left alone.
 */
import type { Connection } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { startDemoPayroll, yuanText } from '../../demo/payroll.js';
import type { BatchView } from '../../services/payroll/service.js';
import type { User } from '../../store/users.js';

const officer: User = { id: 'u_officer', name: '王芳', role: 'officer' };
const reviewer: User = { id: 'u_reviewer', name: '李明', role: 'reviewer' };

function batchOf(status: BatchView['status']): BatchView {
  return {
    id: 'payroll:old-age-allowance:2026-12',
    policy: { id: 'old-age-allowance', version: 1, hash: 'h' },
    period: '2026-12',
    asOf: '2026-12-01',
    status,
    counts: { lines: 3, new: 3, amountChanged: 0, ended: 0, suspended: 0, removed: 0, netted: 0 },
    totalFen: 40_000,
    startedBy: officer.name,
    startedById: officer.id,
    startedAt: new Date(),
  };
}

/** A stand-in service holding one batch in `status`, recording who did what. */
function serviceWith(status: BatchView['status']) {
  const calls: string[] = [];
  let batch = batchOf(status);
  return {
    calls,
    service: {
      async batches() {
        return [batch];
      },
      async batch() {
        return batch;
      },
      async start(actor: User) {
        calls.push(`start by ${actor.name}`);
        return { id: batch.id, created: false };
      },
      async release(actor: User) {
        calls.push(`release by ${actor.name}`);
        batch = { ...batch, status: 'released', releasedBy: actor.name, releasedById: actor.id };
        return batch;
      },
    },
  };
}

async function runRounds(status: BatchView['status'], settled: boolean[]) {
  const { calls, service } = serviceWith(status);
  const abort = new AbortController();
  const said: string[] = [];
  let round = 0;
  const loop = startDemoPayroll({
    store: undefined as unknown as Connection,
    service,
    officer,
    reviewer,
    policies: ['old-age-allowance'],
    signal: abort.signal,
    say: (line) => said.push(line),
    intervalMs: 1,
    settled: async () => {
      // The given answers; the demo stops after the round of the last one.
      const answer = settled[round] ?? false;
      round += 1;
      if (round >= settled.length) abort.abort();
      return answer;
    },
  });
  await loop.finished;
  return { calls, said, status: loop.status() };
}

describe("the demo's monthly payroll across restarts", () => {
  it('releases a batch found in preview with the reviewer, starting none, once the city has settled', async () => {
    const { calls, said, status } = await runRounds('preview', [false, false, true, true]);
    expect(calls).toEqual(['release by 李明']);
    expect(status).toMatchObject({ state: 'paid', batches: [{ status: 'released', lines: 3, totalFen: 40_000 }] });
    expect(said.join('\n')).toContain('李明 released payroll:old-age-allowance:2026-12 · 已放款 3 笔 lines ¥400.00');
  });

  it('leaves a released batch as it is, and waits while the city has not settled', async () => {
    expect((await runRounds('released', [true, true])).calls).toEqual([]);
    expect((await runRounds('preview', [false, false])).status).toMatchObject({ state: 'waiting', batches: [] });
  });

  it('writes yuan from integer fen with separators', () => {
    expect([yuanText(0), yuanText(1), yuanText(1_230_000), yuanText(123_456_789)]).toEqual([
      '0.00',
      '0.01',
      '12,300.00',
      '1,234,567.89',
    ]);
  });
});
