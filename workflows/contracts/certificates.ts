/**
 * The certificates of a sweep's grants (services/certificates/on-decision.ts), issued by a
 * workflow of their own so that a sweep of a city does not wait on a few milliseconds of SM2 per
 * grant: one per batch of grants the sweep wrote, started by the sweep's activity under an ID made
 * from the batch (a retried batch starts nothing twice), its grants' certificates issued a chunk
 * per activity, each keyed by its grant (a retried chunk issues nothing twice).
 */
import type { PolicyRef } from '../../rules/types.js';

export const GRANT_CERTIFICATES_WORKFLOW_TYPE = 'grantCertificates';

/** Grants per activity: a chunk's SM2 signing stays well inside the activity's timeout. */
export const GRANT_CERTIFICATES_CHUNK = 100;

export interface GrantCertificatesInput {
  /** The sweep that granted. */
  caseId: string;
  policy: PolicyRef;
  /** The date the sweep judged on. */
  asOf: string;
  /** The grants' keys (benefitWorkflowId: policy, pseudonymous subject key, period). */
  grantKeys: string[];
}

export interface GrantCertificatesResult {
  /** Certificates issued or found issued. */
  certificates: number;
}

export type GrantCertificatesWorkflow = (input: GrantCertificatesInput) => Promise<GrantCertificatesResult>;

/** The workflow ID of a batch: the sweep and a digest of its grant keys (hex, computed by the caller). */
export const grantCertificatesWorkflowId = (caseId: string, batchDigest: string): string =>
  `certificates:${caseId}:${batchDigest}`;
