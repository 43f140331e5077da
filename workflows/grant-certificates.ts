/**
 * The certificates of a batch of a sweep's grants (contracts/certificates.ts): a chunk of grants
 * per activity, each certificate keyed by its grant, so a retry or a replay issues nothing twice.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  GRANT_CERTIFICATES_CHUNK,
  type GrantCertificatesInput,
  type GrantCertificatesResult,
} from './contracts/certificates.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const { issueGrantsCertificates } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

export async function grantCertificates(input: GrantCertificatesInput): Promise<GrantCertificatesResult> {
  let certificates = 0;
  for (let start = 0; start < input.grantKeys.length; start += GRANT_CERTIFICATES_CHUNK) {
    const grantKeys = input.grantKeys.slice(start, start + GRANT_CERTIFICATES_CHUNK);
    certificates += await issueGrantsCertificates({ ...input, grantKeys });
  }
  return { certificates };
}
