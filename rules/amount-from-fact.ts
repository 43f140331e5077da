/**
 * Cash amounts another system computes (a pension, a refund the tax system works out), read from
 * a source fact. Money past the amount rule is integer fen, so the fact must come to whole fen
 * exactly: a yuan figure is read as decimal digits (no float multiplication that turns 0.29 into
 * 28.999…), with at most two decimals, and anything else is refused rather than rounded.
 */
import type { MoneyUnit } from './types.js';

/** Whole fen, or why the value is not an amount. */
export type FenReading = { fen: number } | { refused: string };

const YUAN = /^(\d+)(?:\.(\d{1,2}))?$/;
const FEN = /^\d+$/;

/** The decimal text of a value as its source sent it: a number's shortest round-trip form, or a string as is. */
function decimalText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(Object.is(value, -0) ? 0 : value) : undefined;
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * The whole fen a source value states in `unit`: `1234.5` yuan is 123450 fen; `0.295` yuan, `12.5`
 * fen, a negative amount, an exponent, NaN or a non-number is refused with the reason.
 */
export function fenOf(value: unknown, unit: MoneyUnit): FenReading {
  const text = decimalText(value);
  if (text === undefined) return { refused: `${JSON.stringify(value)} is not an amount` };
  const what = `${text} ${unit}`;
  if (unit === 'fen') {
    if (!FEN.test(text)) return { refused: `${what} is not a whole, non-negative number of fen` };
    const fen = Number(text);
    return Number.isSafeInteger(fen) ? { fen } : { refused: `${what} is too large` };
  }
  const match = YUAN.exec(text);
  if (!match) return { refused: `${what} is not a non-negative amount with at most two decimals (whole fen)` };
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? { fen } : { refused: `${what} is too large` };
}
