/**
 * The codes' view of the certificate registry (store/certificates.ts, services/certificates/): a
 * holder's certificate by number (another's answers none, as if absent), the holder's certificates
 * of a type, verification as the registry verifies for anyone (seals, revocation list, validity),
 * and the certificate types (domain/certificate-types.ts).
 */
import type { Connection } from 'mongoose';
import { certificateType } from '../../domain/certificate-types.js';
import { findCertificate, holderCertificates, signedCertificateOf } from '../../store/certificates.js';
import type { CertificateService } from '../certificates/service.js';
import type { CodeWallet } from './service.js';

/** Certificates a claim is answered from, at most (a wallet holds far fewer). */
const CLAIM_LIMIT = 200;

/** The wallet the codes read, over the certificate store and the certificate service's verification. */
export function certificateWallet(store: Connection, certificates: Pick<CertificateService, 'verify'>): CodeWallet {
  return {
    async certificateOf(subjectKey, certificateId) {
      const record = await findCertificate(store, certificateId);
      return record && record.holderSubjectKey === subjectKey ? signedCertificateOf(record) : undefined;
    },
    async certificatesOfType(subjectKey, type) {
      const records = await holderCertificates(store, subjectKey, CLAIM_LIMIT);
      return records.filter((record) => record.type === type).map(signedCertificateOf);
    },
    verify: (certificate) => certificates.verify(certificate),
    certificateType,
  };
}
