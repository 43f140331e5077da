/**
 * Re-sealing after a seal is revoked (重新签章): every certificate in the store that the revoked
 * seal signed, and that is not itself revoked, gets a fresh signature from its department's
 * active seal in place of the revoked one. The document is unchanged (same ID, same content), so
 * the wallet and the verification link answer valid again; a copy downloaded before still carries
 * the revoked seal's signature and fails with SEAL_REVOKED, until its holder downloads it anew.
 * Only the store's own certificates are re-sealed: a forgery made with a stolen key is in no wallet.
 * Idempotent: a certificate already re-sealed no longer names the seal.
 */
import type { Connection } from 'mongoose';
import type { CertificateDocument } from '../../domain/certificates.js';
import { registerCertificateModel } from '../../store/certificates.js';
import type { SealKeeper } from './seal-keeper.js';

/** Re-seals what `sealId` signed (see the module comment): how many certificates were re-sealed. */
export async function resealCertificates(
  deps: { store: Connection; seals: SealKeeper },
  sealId: string,
): Promise<{ resealed: number }> {
  const Certificate = registerCertificateModel(deps.store);
  const signed = await Certificate.find(
    { 'signatures.sealId': sealId, revokedAt: { $exists: false } },
    { _id: 1, signedText: 1, signatures: 1 },
  ).lean();
  let resealed = 0;
  for (const record of signed) {
    const revoked = record.signatures.find((signature) => signature.sealId === sealId);
    if (!revoked) continue;
    const document = JSON.parse(record.signedText) as CertificateDocument;
    const issuer = document.issuers.find((entry) => entry.department === revoked.department);
    if (!issuer) continue;
    const fresh = await deps.seals.sign(issuer, document);
    const signatures = record.signatures.map((signature) => (signature.sealId === sealId ? fresh : signature));
    const result = await Certificate.updateOne(
      { _id: record._id, 'signatures.sealId': sealId },
      { $set: { signatures } },
    );
    resealed += result.modifiedCount;
  }
  return { resealed };
}
