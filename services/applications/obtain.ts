/**
 * Obtaining one proof of an application by its replacement (domain/matters.ts ProofReplacement),
 * the one step the application workflow's activity calls per proof. An archived proof of the same
 * kind within its validity is reused first (recorded, no new pull); otherwise:
 * - sharing: the catalog facts are read, with an access record whose purpose names the matter;
 * - verification: the certifying department's claim is answered yes / no / cannot-tell;
 * - certificate: the certificate the applicant presented is verified (sealed, not revoked, in
 *   validity, theirs, of the right type);
 * - pledge: the applicant's signature with the submission; cancelled: nothing to obtain.
 * A replacement that fails answers what to ask the applicant, in both languages: the proof, and
 * only it, is then asked for (an upload as the last resort, recorded as such).
 */
import type { Connection } from 'mongoose';
import type { ProofObtainedBy } from '../../domain/applications.js';
import { cityToday } from '../../domain/calendar.js';
import { verifyCertificate } from '../../domain/certificate-verify.js';
import type { Matter, MatterProof } from '../../domain/matters.js';
import { findFact, type Text } from '../../domain/sources.js';
import { answerClaim, claimFacts, verificationClaim, type ClaimAnswer } from '../../domain/verification-claims.js';
import type { FetchFactsInput, FetchFactsResult } from '../../activities/shared-data/fetch-facts.js';
import type { ApplicationRecord, ProofProgress } from '../../store/applications.js';
import { findCertificate, revokedCertificates, signedCertificateOf } from '../../store/certificates.js';
import { sealRegistry } from '../../store/seals.js';
import type { ProofArchive } from './archive.js';

export interface ObtainDeps {
  store: Connection;
  archive: ProofArchive;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
}

export interface ObtainRequest {
  application: ApplicationRecord;
  matter: Matter;
  proof: MatterProof;
  progress: ProofProgress;
  at: Date;
}

export type ObtainOutcome =
  { obtained: { obtainedBy: ProofObtainedBy; reused: boolean; proofId?: string } } | { asked: Text };

const DAY_MS = 86_400_000;
/** How long facts read for a sharing proof may be relied on by a later application. */
export const SHARED_FACTS_VALIDITY_DAYS = 30;

/** The archive's name for what a replacement obtains (store/proofs.ts's `proof`). */
export function archivedProofOf(matter: Matter, proof: MatterProof): string | undefined {
  const replacement = proof.replacement;
  switch (replacement.method) {
    case 'sharing':
      return `facts:${[...replacement.facts].sort().join(',')}`;
    case 'verification':
      return `claim:${replacement.claim}`;
    case 'certificate':
      return `certificate:${replacement.certificateType}`;
    case 'paper':
      return `document:${matter.id}/${proof.id}`;
    default:
      return undefined;
  }
}

/** The purpose an access record of this application names: the matter, by title and ID. */
export const purposeOf = (matter: Matter, what: string): string =>
  `依申请办理「${matter.title.zh}」（${matter.id}）：${what}`;

/** Obtains one proof (see the module comment). */
export async function obtainProof(deps: ObtainDeps, request: ObtainRequest): Promise<ObtainOutcome> {
  const { application, matter, proof, progress, at } = request;
  const replacement = proof.replacement;
  if (replacement.method === 'cancelled') return { obtained: { obtainedBy: 'cancelled', reused: false } };
  if (replacement.method === 'pledge')
    return progress.pledgedAt
      ? { obtained: { obtainedBy: 'pledge', reused: false } }
      : {
          asked: {
            zh: `未签署告知承诺：请签署“${proof.title.zh}”的承诺，或上传该证明`,
            en: `the pledge was not signed: sign the pledge for the ${proof.title.en}, or upload the proof`,
          },
        };
  const archived = archivedProofOf(matter, proof)!;
  // A certificate presented now is verified now; otherwise an archived proof within validity serves.
  if (!(replacement.method === 'certificate' && progress.certificateId)) {
    const reusable = await deps.archive.reusable(application.subjectKey, archived, at);
    if (reusable) {
      await deps.archive.recordReuse(reusable.proofId, { applicationId: application._id, at });
      const method = replacement.method === 'paper' ? 'upload' : replacement.method;
      return { obtained: { obtainedBy: method, reused: true, proofId: reusable.proofId } };
    }
  }
  const filingKey = `${application._id}:${proof.id}`;
  switch (replacement.method) {
    case 'sharing': {
      const read = await readFacts(deps, request, replacement.facts, `取得“${proof.title.zh}”`, proof.id);
      const lacking = replacement.facts.filter((fact) => read.values[fact] === undefined);
      if (lacking.length > 0) return { asked: sharingFailed(proof, lacking) };
      const filed = await deps.archive.file({
        key: filingKey,
        subjectKey: application.subjectKey,
        proof: archived,
        source: { kind: 'sharing', ref: application._id },
        obtainedAt: at,
        validUntil: new Date(at.getTime() + SHARED_FACTS_VALIDITY_DAYS * DAY_MS),
      });
      return { obtained: { obtainedBy: 'sharing', reused: false, proofId: filed.proofId } };
    }
    case 'verification': {
      const claim = verificationClaim(replacement.claim);
      if (!claim) return { asked: verificationFailed(proof, 'cannot-tell') };
      const answer = await answerClaimOf(deps, request, replacement.claim);
      if (answer !== 'yes') return { asked: verificationFailed(proof, answer) };
      const filed = await deps.archive.file({
        key: filingKey,
        subjectKey: application.subjectKey,
        proof: archived,
        source: { kind: 'verification', ref: claim.id, department: claim.department.id },
        obtainedAt: at,
        validUntil: new Date(at.getTime() + claim.validityDays * DAY_MS),
      });
      return { obtained: { obtainedBy: 'verification', reused: false, proofId: filed.proofId } };
    }
    case 'certificate': {
      const problem = await certificateProblem(deps.store, application, replacement.certificateType, progress, at);
      if (problem) return { asked: problem };
      const record = (await findCertificate(deps.store, progress.certificateId!))!;
      const filed = await deps.archive.file({
        key: filingKey,
        subjectKey: application.subjectKey,
        proof: archived,
        source: { kind: 'certificate', ref: record._id },
        obtainedAt: at,
        ...(record.validUntil ? { validUntil: new Date(`${record.validUntil}T23:59:59+08:00`) } : {}),
      });
      return { obtained: { obtainedBy: 'certificate', reused: false, proofId: filed.proofId } };
    }
    case 'paper':
      return {
        asked: {
          zh: `“${proof.title.zh}”仍须提供：请上传`,
          en: `the ${proof.title.en} is still needed: please upload it`,
        },
      };
  }
}

/** Reads facts for the application, one access record per source, its purpose naming the matter. */
async function readFacts(
  deps: ObtainDeps,
  { application, matter }: ObtainRequest,
  facts: readonly string[],
  what: string,
  step: string,
): Promise<FetchFactsResult> {
  const manifest: FetchFactsInput['facts'] = {};
  for (const fact of facts) {
    const known = findFact(fact);
    if (known) manifest[fact] = { source: known.source.id, purpose: purposeOf(matter, what) };
  }
  return deps.fetchFacts({
    caseId: application._id,
    subjectKey: application.subjectKey,
    policyId: `matter:${matter.id}`,
    policyVersion: application.listVersion,
    facts: manifest,
    idempotencyKey: `${application.workflowId}:${step}`,
  });
}

/**
 * The certifying department's answer to a claim about the applicant: the claim's predicate over the
 * facts its department's sources answer (an access record each, naming the matter). Procedure
 * claims (需按法定程序办理) cannot be answered here: they answer cannot-tell.
 */
async function answerClaimOf(deps: ObtainDeps, request: ObtainRequest, claimId: string): Promise<ClaimAnswer> {
  const claim = verificationClaim(claimId)!;
  if (claim.answering.kind !== 'facts') return 'cannot-tell';
  const read = await readFacts(deps, request, claimFacts(claim), `核验“${claim.statement.zh}”`, `claim:${claimId}`);
  return answerClaim(claim.answering.condition, read.values);
}

/** Why a presented certificate cannot stand for the proof, or undefined when it can. */
async function certificateProblem(
  store: Connection,
  application: ApplicationRecord,
  type: string,
  progress: ProofProgress,
  at: Date,
): Promise<Text | undefined> {
  if (!progress.certificateId)
    return {
      zh: '未出示电子证照：请从证照夹选择该证照，或上传证明',
      en: 'no electronic certificate was presented: pick it from your wallet, or upload the proof',
    };
  const record = await findCertificate(store, progress.certificateId);
  if (!record || record.holderSubjectKey !== application.subjectKey)
    return { zh: '所出示的电子证照不属于申请人', en: 'the certificate presented is not the applicant’s' };
  if (record.type !== type) return { zh: '所出示的电子证照类型不符', en: `the certificate presented is not a ${type}` };
  const [registry, revoked] = await Promise.all([sealRegistry(store), revokedCertificates(store)]);
  const check = verifyCertificate(
    signedCertificateOf(record),
    registry,
    new Set(revoked.map((entry) => entry.id)),
    cityToday(at),
    at,
  );
  if (!check.valid)
    return {
      zh: `所出示的电子证照未通过核验（${check.failures.map((f) => f.message.zh).join('；')}）`,
      en: `the certificate presented did not verify (${check.failures.map((f) => f.message.en).join('; ')})`,
    };
  return undefined;
}

function sharingFailed(proof: MatterProof, lacking: readonly string[]): Text {
  const labels = lacking.map((fact) => findFact(fact)?.field.label ?? { zh: fact, en: fact });
  return {
    zh: `共享数据未能提供${labels.map((l) => l.zh).join('、')}：请上传“${proof.title.zh}”`,
    en: `shared data could not supply ${labels.map((l) => l.en).join(', ')}: please upload the ${proof.title.en}`,
  };
}

function verificationFailed(proof: MatterProof, answer: ClaimAnswer): Text {
  return answer === 'no'
    ? {
        zh: `部门核验结果为“否”：如有异议，请上传“${proof.title.zh}”`,
        en: `the certifying department answered no: if you disagree, upload the ${proof.title.en}`,
      }
    : {
        zh: `部门核验无法确认：请上传“${proof.title.zh}”`,
        en: `the certifying department could not tell: please upload the ${proof.title.en}`,
      };
}
