/**
 * The seeder waits for a busy embedded database instead of dying: a 5.6 million-resident seeding
 * (two hours here) failed on one SQLITE_BUSY answer before this (docs/BENCHMARKS.md, "The whole city").
 */
import { describe, expect, it } from 'vitest';
import { isDatabaseBusy, retryWhileBusy } from '../../../infra/seed/writer.js';

const BUSY = new Error(
  '[msg_insert.go:168 handler.(*Handler).MsgInsert] [collection.go:150 sqlite.(*collection).InsertAll.func1] database is locked (5) (SQLITE_BUSY)',
);

describe('retryWhileBusy', () => {
  it('writes again after busy answers, waiting longer each time, and answers what the write answered', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryWhileBusy(
      async () => {
        calls += 1;
        if (calls <= 3) throw BUSY;
        return 'written';
      },
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('written');
    expect(waits).toEqual([500, 1_000, 2_000]);
  });

  it('gives up after the sixth busy answer, with that answer', async () => {
    let calls = 0;
    await expect(
      retryWhileBusy(
        async () => {
          calls += 1;
          throw BUSY;
        },
        async () => undefined,
      ),
    ).rejects.toBe(BUSY);
    expect(calls).toBe(6);
  });

  it('throws any other failure at once', async () => {
    const duplicate = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    let calls = 0;
    await expect(
      retryWhileBusy(
        async () => {
          calls += 1;
          throw duplicate;
        },
        async () => undefined,
      ),
    ).rejects.toBe(duplicate);
    expect(calls).toBe(1);
    expect(isDatabaseBusy(duplicate)).toBe(false);
    expect(isDatabaseBusy(BUSY)).toBe(true);
  });
});
