/**
 * The yes/no claims a holder may show with a code instead of a certificate (一码亮证 at its
 * smallest): the verifier learns the answer and nothing else — no certificate number, no field.
 * As data: each claim is about a certificate type and is answered from the holder's wallet at the
 * moment of the scan, so a certificate revoked or expired since the code was made answers no.
 * Pure: the console bundles it.
 */
import type { Text } from './sources.js';

/** A claim: its words (with `{type}` for the certificate type's title) and what it asks of the wallet. */
export interface CodeClaim {
  id: string;
  /** "holds a valid {type}", said of the holder. */
  statement: Text;
  /** Which certificates answer yes. */
  answeredBy: 'a-valid-certificate';
}

export const CODE_CLAIMS: readonly CodeClaim[] = [
  {
    id: 'holds-valid-certificate',
    statement: { zh: '持有有效的{type}', en: 'holds a valid {type}' },
    answeredBy: 'a-valid-certificate',
  },
];

/** A claim by ID, or undefined. */
export const codeClaim = (id: string): CodeClaim | undefined => CODE_CLAIMS.find((claim) => claim.id === id);

/** The claim's statement about a certificate type, in both languages. */
export function claimStatement(claim: CodeClaim, typeTitle: Text): Text {
  return {
    zh: claim.statement.zh.replace('{type}', typeTitle.zh),
    en: claim.statement.en.replace('{type}', typeTitle.en),
  };
}
