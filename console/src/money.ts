/**
 * Money as the payroll keeps it, integer fen (分), shown in yuan exactly: integer division and
 * remainder on the whole fen, never a division into a float that could print ¥99.99999 or round
 * a cent away. Pure (no DOM): the unit tests hold it to the fen.
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
