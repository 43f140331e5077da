/**
 * Electronic certificates (电子证照) and the electronic seals that sign them (电子印章), as plain
 * data: what a certificate says (a canonical structured document), which seals signed it (SM2
 * with SM3, the signer's user identifier in the signature as GM/T 0009 requires), and what a
 * verifier answers. The signing, the registry and the rendering live elsewhere
 * (domain/sm2.ts, store/seals.ts, store/certificates.ts, services/certificates/); these shapes are
 * the contract between them, documented for outside verifiers in docs/CERTIFICATES.md.
 */
import type { Text } from './sources.js';

/** The format of the signed document; a verifier refuses a format it does not know. */
export const CERTIFICATE_FORMAT = 'applyfree-certificate/1';

/** A seal's signing algorithm: SM2 over SM3 with the user identifier (Z value) as GM/T 0009 specifies. */
export const SEAL_ALGORITHM = 'SM2-SM3';

/** A field of a certificate type: its key in `fields`, its label, and how it is shown. */
export interface CertificateFieldSpec {
  key: string;
  label: Text;
  type: 'string' | 'date' | 'number' | 'text';
  /** Sensitive fields are masked when the certificate is shown to anyone but its holder. */
  sensitive?: boolean;
  /** An optional field may be left out at issuance; every other field is required. */
  optional?: boolean;
}

/** A certificate type, as data: its fields, the departments that issue and seal it, its validity. */
export interface CertificateType {
  /** kebab-case, e.g. `senior-preferential-card`, `decision-letter`, `school-enrollment-notice`. */
  id: string;
  title: Text;
  /** The department(s) whose seals sign it: two or more make a joint certificate (多部门联合签章). */
  departments: readonly string[];
  /**
   * The issuer names the sealing department(s) at issuance (a decision letter: the deciding
   * policy's department); `departments` is then empty or the default.
   */
  departmentsNamedAtIssuance?: boolean;
  holderKind: 'person' | 'enterprise';
  fields: readonly CertificateFieldSpec[];
  /** Months from issue until it expires; absent: valid until revoked. */
  validityMonths?: number;
  /** The template the PDF renderer lays it out with. */
  template: 'card' | 'letter' | 'notice';
}

/** The document a certificate's seals sign, serialised canonically (keys sorted, no spaces) before signing. */
export interface CertificateDocument {
  format: typeof CERTIFICATE_FORMAT;
  /** The certificate number: unique, opaque, never derived from a resident ID or credit code. */
  id: string;
  type: string;
  title: Text;
  /** The holder as the pseudonymous subject key, plus a display name the holder is known by (masked for outsiders). */
  holder: { subjectKey: string; kind: 'person' | 'enterprise'; displayName?: string };
  /** The type's fields, each a string, a number or an ISO date. */
  fields: Record<string, string | number>;
  /** City date of issue (YYYY-MM-DD) and the instant it was signed. */
  issuedOn: string;
  issuedAt: string;
  /** Last valid city date (YYYY-MM-DD), inclusive; absent: until revoked. */
  validUntil?: string;
  /** What the certificate was issued for: a grant, a decision, a verified proof. */
  basis: { kind: 'grant' | 'decision' | 'enrollment' | 'proof'; ref: string };
  /** The departments that vouch for it, as named when signed. */
  issuers: Array<{ department: string; name: Text }>;
}

/** One seal's signature over the canonical document. */
export interface SealSignature {
  sealId: string;
  department: string;
  algorithm: typeof SEAL_ALGORITHM;
  /** The SM2 user identifier (the ID in the Z value). */
  userId: string;
  /** base64 of the DER SM2 signature. */
  signature: string;
  signedAt: string;
}

/** What a wallet holds and a verifier checks: the document and its seals' signatures. */
export interface SignedCertificate {
  document: CertificateDocument;
  signatures: SealSignature[];
}

/** Why a certificate fails to verify, each with its own code. */
export type VerificationFailure =
  | 'MALFORMED'
  | 'UNKNOWN_FORMAT'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SEAL'
  | 'SEAL_REVOKED'
  | 'SEAL_NOT_VALID_AT_SIGNING'
  | 'SEAL_DEPARTMENT_MISMATCH'
  | 'MISSING_SEAL'
  | 'CERTIFICATE_REVOKED'
  | 'EXPIRED';

/** A verifier's answer: valid, or every reason it is not; and the departments that vouch for it. */
export interface VerificationResult {
  valid: boolean;
  certificateId?: string;
  type?: string;
  failures: Array<{ code: VerificationFailure; message: Text; sealId?: string }>;
  /** The departments whose seals verified, by name: who vouches for this certificate. */
  vouchedBy: Array<{ department: string; name: Text; sealId: string }>;
  checkedAt: string;
}

/** A seal's status in the registry: active (signs), retired (signs no more; what it signed stays valid), revoked (nothing it signed is valid). */
export type SealStatus = 'active' | 'retired' | 'revoked';

/** The format of the public seal registry (GET /seals, the offline verifier's `--registry` file). */
export const SEAL_REGISTRY_FORMAT = 'applyfree-seal-registry/1';

/** A seal as the public registry shows it (GET /seals, the offline verifier's registry file). */
export interface PublicSeal {
  sealId: string;
  department: string;
  departmentName: Text;
  name: Text;
  algorithm: typeof SEAL_ALGORITHM;
  userId: string;
  publicKey: string;
  validFrom: string;
  validTo: string;
  status: SealStatus;
  revokedAt?: string;
  revocationReason?: string;
  rotatedFrom?: string;
}

/** The registry as a verifier reads it: every seal, active, retired and revoked. */
export interface SealRegistryView {
  format: typeof SEAL_REGISTRY_FORMAT;
  seals: PublicSeal[];
}
