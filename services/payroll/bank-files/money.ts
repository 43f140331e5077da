/**
 * Money in bank files: integer fen inside applyfree, decimal yuan with two places in the files.
 * Conversions are string arithmetic on the digits, never a float, so 1 fen is "0.01" and
 * "1000.10" is 100010 fen exactly, whatever the size (up to Number.MAX_SAFE_INTEGER fen).
 */

/** Decimal yuan with exactly two places ("0.01", "1000.00") for an integer number of fen. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount ${String(fen)} is not a whole number of fen`);
  const digits = String(Math.abs(fen)).padStart(3, '0');
  return `${fen < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const YUAN = /^(-?)(\d{1,16})(?:\.(\d{1,2}))?$/;

/**
 * Integer fen for a decimal yuan amount as banks write it ("12", "12.5", "12.50"); undefined
 * for anything else (more than two places, exponents, spaces, thousands separators, too large).
 */
export function yuanToFen(text: string): number | undefined {
  const match = YUAN.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const fen = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const value = Number(fen);
  return sign === '-' && value !== 0 ? -value : value;
}
