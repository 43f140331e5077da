/**
 * Certificates issued by the activities besides what they record never hold back what they
 * accompany: a certificate its data cannot make (a field the facts lack; a policy no department
 * seals for) is logged with why and left out, while a store or key failure fails the activity so
 * that Temporal retries it (the certificates' business keys make the retry issue nothing twice).
 */
import { log } from '@temporalio/activity';
import { CertificateRefusal } from '../services/certificates/issue.js';

export async function issuedBesides(what: string, issue: () => Promise<unknown>): Promise<void> {
  try {
    await issue();
  } catch (error) {
    if (!(error instanceof CertificateRefusal)) throw error;
    log.warn(`${what} was not issued`, { code: error.code, field: error.field, reason: error.message });
  }
}
