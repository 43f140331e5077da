/**
 * Proof-free applications (依申请 免提交): what an application for a listed matter
 * (domain/matters.ts) records of how its form was filled and how each proof was obtained. The
 * seed indicators (services/metrics/proof-indicators.ts) are computed from exactly these
 * records, so a field typed by hand or a proof uploaded as a scan lowers them. Pure.
 */
import type { FieldInput, ReplacementMethod } from './matters.js';
import type { Text } from './sources.js';

/** Where a form field's value came from: shared data (免填写) or the applicant's typing. */
export type FieldSource = 'shared' | 'typed';

/** How a proof was obtained in the end: its replacement method, or an upload when that failed (the last resort). */
export type ProofObtainedBy = Exclude<ReplacementMethod, 'paper'> | 'upload';
export const PROOF_OBTAINED_BY: readonly ProofObtainedBy[] = [
  'sharing',
  'verification',
  'certificate',
  'pledge',
  'cancelled',
  'upload',
];

/** One form field of an application, as filled. */
export interface ApplicationField {
  id: string;
  source: FieldSource;
  /** The catalog fact that filled it, when shared. */
  fact?: string;
}

/** One proof of an application: how it was obtained, and whether an archived proof was reused. */
export interface ApplicationProof {
  id: string;
  /** Absent while the proof is still being obtained or asked for. */
  obtainedBy?: ProofObtainedBy;
  /** An archived proof within its validity was reused: no new pull or verification. */
  reused: boolean;
  /** The archived proof (store/proofs.ts) it rests on. */
  proofId?: string;
}

export type ApplicationStatus =
  /** Proofs are being obtained. */
  | 'obtaining'
  /** A replacement failed: the applicant is asked for exactly the proofs named. */
  | 'awaiting-proofs'
  /** With the handling department, within the statutory time limit. */
  | 'handling'
  | 'approved'
  | 'refused'
  | 'withdrawn';

/** The part of an application record the indicators read (store/applications.ts holds the rest). */
export interface ApplicationIndicatorRow {
  matter: string;
  /** The handling department's ID. */
  department: string;
  submittedAt: Date;
  fields: readonly ApplicationField[];
  proofs: readonly ApplicationProof[];
}

/** An application's proof as the applicant and the handler see it: how it is (to be) obtained, and what is asked. */
export interface ApplicationProofView extends ApplicationProof {
  title: Text;
  /** The replacement method the list gives it (domain/matters.ts). */
  method: ReplacementMethod;
  /** Set while the applicant is asked for it: why the replacement failed. */
  asked?: Text;
}

/** One field of the pre-filled form (免填写): the value shared data holds, with its source, or an input to type. */
export interface FormFieldView {
  id: string;
  label: Text;
  required: boolean;
  source: FieldSource;
  /** For a shared field: the catalog fact and the department that holds it. */
  fact?: string;
  department?: Text;
  /** The shared value, when the source holds one; absent, the applicant types it. */
  value?: string | number | boolean;
  input?: FieldInput;
}

/** One proof of the pre-filled form: how the agency will obtain it, and what the applicant does for it. */
export interface FormProofView {
  id: string;
  title: Text;
  issuedBy: Text;
  method: ReplacementMethod;
  /** What the method means here: the facts read, the department asked, the certificate type, the pledge's text, the basis of cancellation. */
  how: Text;
  /** A pledge: the statement to sign. */
  statement?: Text;
  /** A certificate: its type, and the holder's certificates of it (IDs) to pick from. */
  certificateType?: string;
  certificates?: Array<{ id: string; title: Text; validUntil?: string }>;
}

/** The pre-filled form of a matter for one applicant (GET /applications/form/:matter). */
export interface ApplicationForm {
  matter: { id: string; title: Text; department: { id: string; name: Text } };
  listVersion: number;
  timeLimitWorkingDays: number;
  fields: FormFieldView[];
  proofs: FormProofView[];
}
