/**
 * The console shows payroll money from integer fen, exactly: every fen kept, thousands grouped,
 * recoveries negative, and nothing that is not a whole number of fen shown as if it were; and
 * what an officer types in yuan becomes the fen they meant, or a reason it cannot.
 */
import { describe, expect, it } from 'vitest';
import { fenFromYuan, yuan } from '../../console/src/money.js';

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

describe('fenFromYuan (typed yuan → fen, by string arithmetic)', () => {
  it.each([
    ['100', 10_000],
    ['99.5', 9_950],
    ['99.50', 9_950],
    // 0.29 * 100 is 28.999999999999996 in floating point: the fen are counted from the digits.
    ['0.29', 29],
    ['0.01', 1],
    ['1.1', 110],
    ['5.', 500],
    [' ¥1,234.56 ', 123_456],
    ['007.10', 710],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('%s yuan is %i fen', (typed, fen) => {
    expect(fenFromYuan(typed)).toEqual({ fen });
  });

  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['60.005', 'decimals'],
    ['1.999', 'decimals'],
    ['0', 'zero'],
    ['0.00', 'zero'],
    ['-5', 'format'],
    ['1e3', 'format'],
    ['12,34', 'format'],
    ['.5', 'format'],
    ['一百', 'format'],
    ['90071992547409.92', 'large'],
    ['10000000000000000', 'large'],
  ])('%j is refused: %s', (typed, problem) => {
    expect(fenFromYuan(typed)).toEqual({ problem });
  });
});
