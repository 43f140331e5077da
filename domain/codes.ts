/**
 * The resident and enterprise codes (居民码/企业码) as tokens: what a code's QR carries is
 * `AFC1.<code ID>.<MAC>` — a random 128-bit code ID and the first 128 bits of its HMAC-SHA256
 * under the `codeToken` key (domain/keys.ts), both in RFC 4648 base32 upper-case (the QR's
 * alphanumeric mode: 58 characters, a version-3 QR). Nothing in it names the holder: who holds the
 * code, what it shows and until when are kept server-side under the code ID (store/codes.ts), so a
 * photographed code says nothing once it is spent or expired. The MAC tells a code applyfree issued
 * from a made-up or altered one before the store is asked. Pure but for randomness and the HMAC.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32 } from './base32.js';
import { deriveKey } from './keys.js';
import { Refusal } from './refusal.js';
import type { Text } from './sources.js';

/** The format's tag: a verifier refuses a tag it does not know. */
export const CODE_TOKEN_TAG = 'AFC1';
/** How long a code is valid: about a minute, refreshed by the holder's console before it ends. */
export const CODE_VALIDITY_SECONDS = 60;
/** A token as it is scanned. */
export const CODE_TOKEN_PATTERN = /^AFC1\.([A-Z2-7]{26})\.([A-Z2-7]{26})$/;
/** The longest text POST /codes/scan reads as a code. */
export const CODE_TOKEN_MAX = 100;

/** A new code ID: 128 random bits, base32 (26 characters). */
export const newCodeId = (): string => base32(randomBytes(16));

const mac = (master: string, codeId: string): string =>
  base32(
    createHmac('sha256', deriveKey(master, 'codeToken')).update(`${CODE_TOKEN_TAG}.${codeId}`).digest().subarray(0, 16),
  );

/** The token of a code ID, signed under the current master secret. */
export const codeToken = (master: string, codeId: string): string =>
  `${CODE_TOKEN_TAG}.${codeId}.${mac(master, codeId)}`;

/**
 * The code ID a token carries, if its MAC is one of the masters' on the ring (current first: a code
 * made just before a rotation of the master still scans); undefined for a malformed or altered token.
 */
export function readCodeToken(token: string, masters: readonly string[]): string | undefined {
  const match = CODE_TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const [, codeId, given] = match;
  const givenBytes = Buffer.from(given);
  const signed = masters.some((master) => {
    const expected = Buffer.from(mac(master, codeId));
    return expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes);
  });
  return signed ? codeId : undefined;
}

/** What the holder chose to show with a code (一码亮证): one certificate of their wallet, or a yes/no claim. */
export type CodeShows =
  { kind: 'certificate'; certificateId: string } | { kind: 'claim'; claim: string; certificateType: string };

/** A code or a scan refused: the field at fault (`code`, `matter`, `show…`) and both languages. */
export class CodeRefusal extends Refusal {
  declare readonly code:
    | 'TAMPERED'
    | 'EXPIRED'
    | 'REPLAYED'
    | 'UNKNOWN_MATTER'
    | 'MATTER_NOT_ALLOWED'
    | 'NOT_SHOWN'
    | 'UNKNOWN_CLAIM'
    | 'CERTIFICATE_NOT_FOUND'
    | 'FORBIDDEN_SUBJECT'
    | 'FORBIDDEN_ROLE';
}

/** Every refusal a scan can answer, with its words: the verifier's app shows them as they are. */
export const SCAN_REFUSALS = {
  tampered: () =>
    new CodeRefusal(
      'TAMPERED',
      'code: not a code applyfree issued, or changed since: ask the holder to show their code again',
      '该码不是本平台签发的，或已被改动：请持码人重新亮码',
      'code',
    ),
  expired: () =>
    new CodeRefusal(
      'EXPIRED',
      `code: expired (a code is valid ${CODE_VALIDITY_SECONDS} seconds): ask the holder to show a fresh one`,
      `该码已过期（有效期 ${CODE_VALIDITY_SECONDS} 秒）：请持码人刷新后重新亮码`,
      'code',
    ),
  replayed: () =>
    new CodeRefusal(
      'REPLAYED',
      'code: scanned already (each code is good for one scan): ask the holder to show a fresh one',
      '该码已被扫描过（每个码只能核验一次）：请持码人刷新后重新亮码',
      'code',
    ),
  unknownMatter: (matter: string) =>
    new CodeRefusal('UNKNOWN_MATTER', `matter: "${matter}" is not a matter`, `核验事项“${matter}”不存在`, 'matter'),
  matterNotAllowed: (verifier: Text, matter: string) =>
    new CodeRefusal(
      'MATTER_NOT_ALLOWED',
      `matter: ${verifier.en} is not registered to check "${matter}"`,
      `${verifier.zh}未登记核验“${matter}”事项`,
      'matter',
    ),
  notShown: (matter: Text) =>
    new CodeRefusal(
      'NOT_SHOWN',
      `matter: the holder chose to show nothing the ${matter.en} may see: ask them to show the certificate it needs`,
      `持码人出示的内容不属于“${matter.zh}”的核验范围：请持码人出示该事项所需的证照`,
      'matter',
    ),
};
