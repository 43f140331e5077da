/**
 * The console shows payroll money from integer fen, exactly: every fen kept, thousands grouped,
 * recoveries negative, and nothing that is not a whole number of fen shown as if it were.
 */
import { describe, expect, it } from 'vitest';
import { yuan } from '../../console/src/money.js';

describe('yuan (the console’s fen → yuan)', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [10_000, '¥100.00'],
    [30_000, '¥300.00'],
    [123_456_789, '¥1,234,567.89'],
    [-10_000, '-¥100.00'],
    [-5, '-¥0.05'],
    // Past where float yuan lose the last fen (2^53 - 1 fen).
    [Number.MAX_SAFE_INTEGER, '¥90,071,992,547,409.91'],
  ])('%i fen is %s', (fen, shown) => {
    expect(yuan(fen)).toBe(shown);
  });

  it('refuses what is not a whole number of fen', () => {
    expect(() => yuan(100.5)).toThrow(RangeError);
    expect(() => yuan(Number.NaN)).toThrow(RangeError);
  });
});
