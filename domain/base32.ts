/**
 * RFC 4648 base32 (A-Z and 2-7, no padding), the one encoding the IDs and tokens that must be short,
 * case-insensitive and plain for banks and QR codes are written in: a code's ID and MAC
 * (domain/codes.ts), a payment line's end-to-end ID (services/payroll/bank-files/ids.ts), a
 * certificate's ID (services/certificates/issue.ts, lower-case). Pure.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper-case, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
