/**
 * The applications' door to the proof archive (档案数据化, store/proofs.ts): a proof obtained for
 * one application is filed by subject key with its validity and the facts it rests on, and a later
 * application within that validity reuses it (the reuse recorded, no new pull). Verifications file
 * and reuse their own answers (services/verifications/answer.ts); this covers what the application
 * path obtains itself — facts read by sharing, a certificate presented, a document uploaded.
 */
import type { Connection } from 'mongoose';
import type { SubjectKind } from '../../domain/sources.js';
import { fileProof, recordProofReuse, reusableProof, type ProofMethod } from '../../store/proofs.js';

/** What an application files: the application, its proof, and what was obtained. */
export interface ApplicationFiling {
  applicationId: string;
  matter: string;
  /** The matter's proof ID this filing stands for. */
  matterProof: string;
  subjectKey: string;
  subjectKind: SubjectKind;
  /** `facts:…`, `certificate:<type>` or `document:<matter>/<proof>` (store/proofs.ts). */
  proof: string;
  method: ProofMethod;
  /** Who holds the source (a department ID) and the reference (a certificate ID, the upload's digest). */
  source: { department: string; reference?: string };
  obtainedAt: Date;
  validUntil: Date;
  dependsOnFacts: readonly string[];
}

/** The archive key of what an application obtained for one of its proofs: a retried activity files once. */
export const applicationProofKey = (applicationId: string, matterProof: string): string =>
  `application:${applicationId}/${matterProof}`;

/** Files what an application obtained; answers the archived proof's ID. */
export async function fileApplicationProof(store: Connection, filing: ApplicationFiling): Promise<string> {
  const { proof } = await fileProof(store, {
    key: applicationProofKey(filing.applicationId, filing.matterProof),
    subjectKey: filing.subjectKey,
    subjectKind: filing.subjectKind,
    proof: filing.proof,
    method: filing.method,
    source: filing.source,
    obtainedAt: filing.obtainedAt,
    validUntil: filing.validUntil,
    dependsOnFacts: [...filing.dependsOnFacts],
    obtainedFor: { kind: 'application', id: filing.applicationId, matter: filing.matter },
  });
  return proof.key;
}

/**
 * The archived proof an application may reuse for one of its proofs (valid and not revoked at
 * `at`), its reuse recorded once; undefined when there is none and the proof must be obtained.
 */
export async function reuseForApplication(
  store: Connection,
  request: { applicationId: string; matter: string; matterProof: string; subjectKey: string; proof: string; at: Date },
): Promise<string | undefined> {
  const archived = await reusableProof(store, { subjectKey: request.subjectKey, proof: request.proof, at: request.at });
  if (!archived) return undefined;
  await recordProofReuse(store, {
    proofId: archived.key,
    by: { kind: 'application', id: request.applicationId, matter: request.matter },
    at: request.at,
    key: `${applicationProofKey(request.applicationId, request.matterProof)}:reuse`,
  });
  return archived.key;
}
