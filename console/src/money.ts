/**
 * Money as the payroll keeps it, integer fen (分), shown in yuan exactly: integer division and
 * remainder on the whole fen, never a division into a float that could print ¥99.99999 or round
 * a cent away; and typed yuan back to fen the same way. Pure (no DOM): the unit tests hold it to the fen.
 */

/** Thousands grouped with commas, as both zh-CN and en-GB write money. */
const grouped = (whole: number): string => String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Integer fen as yuan with two decimals: 1234567 → "¥12,345.67", -10000 → "-¥100.00". */
export function yuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount: ${fen} is not a whole number of fen`);
  const magnitude = Math.abs(fen);
  const cents = magnitude % 100;
  const whole = (magnitude - cents) / 100;
  return `${fen < 0 ? '-' : ''}¥${grouped(whole)}.${String(cents).padStart(2, '0')}`;
}

/** Why typed yuan is not an amount: empty, not a number, more than two decimals, zero, or too large. */
export type YuanProblem = 'empty' | 'format' | 'decimals' | 'zero' | 'large';

/**
 * Yuan as a person types them ("100", "99.5", "1,234.56", "¥60.00") to integer fen, by string
 * arithmetic alone: the whole part times a hundred plus the decimals padded to two, so "0.29"
 * is 29 fen (a float would make it 28.999…). More than two decimals is refused, never rounded.
 */
export function fenFromYuan(typed: string): { fen: number } | { problem: YuanProblem } {
  const text = typed
    .trim()
    .replace(/^¥/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '');
  if (text === '') return { problem: 'empty' };
  const parts = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!parts) return { problem: 'format' };
  const [, whole, decimals = ''] = parts;
  if (decimals.length > 2) return { problem: 'decimals' };
  const digits = `${whole}${decimals.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return { problem: 'large' };
  const fen = Number(digits);
  if (!Number.isSafeInteger(fen)) return { problem: 'large' };
  if (fen === 0) return { problem: 'zero' };
  return { fen };
}
