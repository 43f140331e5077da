/**
 * What a scan reveals (一码亮证, 最小必要): of a certificate, only the fields the matter may see —
 * sensitive ones masked (a birth date shows its year), fields the type does not list dropped — its
 * type and title, issuers, dates and its status as verified at the scan (valid, or each reason it
 * is not, and who vouches for it); the holder's name masked to its first character. Of a claim,
 * its statement and the yes/no answer, nothing else. Pure.
 */
import type { CodeClaim } from '../../domain/code-claims.js';
import { claimStatement } from '../../domain/code-claims.js';
import type { CodeMatter, MatterCertificate } from '../../domain/code-matters.js';
import type {
  CertificateFieldSpec,
  CertificateType,
  SignedCertificate,
  VerificationResult,
} from '../../domain/certificates.js';
import type { Text } from '../../domain/sources.js';
import { maskName } from '../certificates/service.js';

/** One field as a verifier sees it. */
export interface RevealedField {
  key: string;
  label: Text;
  value: string | number;
  /** The value shown is masked (a sensitive field). */
  masked?: true;
}

/** A certificate as a verifier sees it. */
export interface RevealedCertificate {
  id: string;
  type: string;
  title: Text;
  holder: { kind: 'person' | 'enterprise'; displayName?: string };
  fields: RevealedField[];
  issuers: Array<{ department: string; name: Text }>;
  issuedOn: string;
  validUntil?: string;
  /** As verified at the scan: signatures, seals, revocation list and validity. */
  status: { valid: boolean; failures: VerificationResult['failures']; vouchedBy: VerificationResult['vouchedBy'] };
}

/** A claim as a verifier sees it: the statement and its answer. */
export interface RevealedClaim {
  id: string;
  certificateType: string;
  statement: Text;
  answer: boolean;
}

/** What POST /codes/scan answers. */
export interface ScanResult {
  matter: { id: string; title: Text };
  holderKind: 'person' | 'enterprise';
  scannedAt: string;
  shows: 'certificate' | 'claim';
  certificate?: RevealedCertificate;
  claim?: RevealedClaim;
}

/** A sensitive value as an outsider sees it: a date's year, a number hidden, a text's first character. */
export function maskValue(spec: Pick<CertificateFieldSpec, 'type'>, value: string | number): string {
  const text = String(value);
  if (spec.type === 'date' && /^\d{4}-\d{2}-\d{2}/.test(text)) return `${text.slice(0, 4)}-**-**`;
  if (spec.type === 'number') return '***';
  return maskName(text);
}

/** The fields the matter may see, in the type's order; sensitive ones masked. */
export function revealedFields(
  type: CertificateType,
  allowed: MatterCertificate,
  fields: Record<string, string | number>,
): RevealedField[] {
  return type.fields
    .filter((spec) => (allowed.fields ? allowed.fields.includes(spec.key) : true))
    .filter((spec) => Object.hasOwn(fields, spec.key))
    .map((spec) =>
      spec.sensitive
        ? { key: spec.key, label: spec.label, value: maskValue(spec, fields[spec.key]), masked: true as const }
        : { key: spec.key, label: spec.label, value: fields[spec.key] },
    );
}

/** A certificate as the matter lets a verifier see it. */
export function revealCertificate(
  certificate: SignedCertificate,
  type: CertificateType,
  allowed: MatterCertificate,
  verification: VerificationResult,
): RevealedCertificate {
  const { document } = certificate;
  return {
    id: document.id,
    type: document.type,
    title: document.title,
    holder: {
      kind: document.holder.kind,
      ...(document.holder.displayName ? { displayName: maskName(document.holder.displayName) } : {}),
    },
    fields: revealedFields(type, allowed, document.fields),
    issuers: document.issuers,
    issuedOn: document.issuedOn,
    ...(document.validUntil ? { validUntil: document.validUntil } : {}),
    status: { valid: verification.valid, failures: verification.failures, vouchedBy: verification.vouchedBy },
  };
}

/** A claim and its answer. */
export const revealClaim = (claim: CodeClaim, type: CertificateType, answer: boolean): RevealedClaim => ({
  id: claim.id,
  certificateType: type.id,
  statement: claimStatement(claim, type.title),
  answer,
});

/** The matter as a scan names it. */
export const matterLabel = (matter: CodeMatter) => ({ id: matter.id, title: matter.title });
