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
import { Refusal } from '../../domain/refusal.js';
import { verificationClaim, type ClaimAnswer } from '../../domain/verification-claims.js';
import type { FetchFactsInput, FetchFactsResult } from '../../activities/shared-data/fetch-facts.js';
import type { ApplicationRecord, ProofProgress } from '../../store/applications.js';
import { findCertificate, revokedCertificates, signedCertificateOf } from '../../store/certificates.js';
import { proofOfCertificate, proofOfDocument, proofOfFacts } from '../../store/proofs.js';
import { sealRegistry } from '../../store/seals.js';
import { resolveSubject } from '../../store/subjects.js';
import { answerClaimFor, type VerificationDeps } from '../verifications/answer.js';
import { fileApplicationProof, reuseForApplication } from './archive.js';

export interface ObtainDeps {
  store: Connection;
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** How the certifying departments' claims are answered (services/verifications/answer.ts): adapters, key ring, seals. */
  verification: VerificationDeps;
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

/** How long a certificate presented, or a document uploaded, may be relied on by a later application when it states no end. */
export const PRESENTED_VALIDITY_DAYS = 365;

/** The purpose an access record of this application names: the matter, by title and ID. */
export const purposeOf = (matter: Matter, what: string): string =>
  `依申请办理「${matter.title.zh}」（${matter.id}）：${what}`;

/** Obtains one proof (see the module comment). */
export async function obtainProof(deps: ObtainDeps, request: ObtainRequest): Promise<ObtainOutcome> {
  const { proof } = request;
  const replacement = proof.replacement;
  switch (replacement.method) {
    case 'cancelled':
      return { obtained: { obtainedBy: 'cancelled', reused: false } };
    case 'pledge':
      return request.progress.pledgedAt
        ? { obtained: { obtainedBy: 'pledge', reused: false } }
        : {
            asked: {
              zh: `未签署告知承诺：请签署“${proof.title.zh}”的承诺，或上传该证明`,
              en: `the pledge was not signed: sign the pledge for the ${proof.title.en}, or upload the proof`,
            },
          };
    case 'sharing':
      return (
        (await reused(deps, request, proofOfFacts(replacement.facts), 'sharing')) ??
        share(deps, request, replacement.facts)
      );
    case 'verification':
      return verify(deps, request, replacement.claim);
    case 'certificate':
      // A certificate presented now is verified now; otherwise one archived within validity serves.
      return request.progress.certificateId
        ? present(deps, request, replacement.certificateType)
        : ((await reused(deps, request, proofOfCertificate(replacement.certificateType), 'certificate')) ?? {
            asked: {
              zh: '未出示电子证照：请从证照夹选择该证照，或上传证明',
              en: 'no electronic certificate was presented: pick it from your wallet, or upload the proof',
            },
          });
    case 'paper':
      return (
        (await reused(deps, request, proofOfDocument(request.matter.id, proof.id), 'upload')) ?? {
          asked: {
            zh: `“${proof.title.zh}”仍须提供：请上传`,
            en: `the ${proof.title.en} is still needed: please upload it`,
          },
        }
      );
  }
}

/** An archived proof within validity, reused (and the reuse recorded), or undefined. */
async function reused(
  deps: ObtainDeps,
  { application, matter, proof, at }: ObtainRequest,
  archived: string,
  obtainedBy: ProofObtainedBy,
): Promise<ObtainOutcome | undefined> {
  const proofId = await reuseForApplication(deps.store, {
    applicationId: application._id,
    matter: matter.id,
    matterProof: proof.id,
    subjectKey: application.subjectKey,
    proof: archived,
    at,
  });
  return proofId ? { obtained: { obtainedBy, reused: true, proofId } } : undefined;
}

/** Reads the facts by sharing (an access record per source) and files them; asks for the proof when a fact is not there. */
async function share(deps: ObtainDeps, request: ObtainRequest, facts: readonly string[]): Promise<ObtainOutcome> {
  const { application, matter, proof, at } = request;
  const read = await readFacts(deps, request, facts, `取得“${proof.title.zh}”`, proof.id);
  const lacking = facts.filter((fact) => read.values[fact] === undefined);
  if (lacking.length > 0) return { asked: sharingFailed(proof, lacking) };
  const departments = [...new Set(facts.map((fact) => findFact(fact)?.source.id ?? 'unknown'))];
  const proofId = await fileApplicationProof(deps.store, {
    applicationId: application._id,
    matter: matter.id,
    matterProof: proof.id,
    subjectKey: application.subjectKey,
    subjectKind: application.subjectKind,
    proof: proofOfFacts(facts),
    method: 'sharing',
    source: { department: departments.join(','), reference: application._id },
    obtainedAt: at,
    validUntil: new Date(at.getTime() + SHARED_FACTS_VALIDITY_DAYS * DAY_MS),
    dependsOnFacts: facts,
  });
  return { obtained: { obtainedBy: 'sharing', reused: false, proofId } };
}

/**
 * Asks the certifying department's verification (services/verifications/answer.ts): it reuses its
 * archived answer within validity, or reads the claim's facts with access records naming the
 * matter, and files the answer. Yes obtains the proof; no, cannot-tell or pending asks for it.
 */
async function verify(deps: ObtainDeps, request: ObtainRequest, claimId: string): Promise<ObtainOutcome> {
  const { application, matter, proof } = request;
  const resolved = await resolveSubject(deps.store, application.subjectKey);
  const idValue = resolved?.idNumber ?? resolved?.creditCode;
  if (!verificationClaim(claimId) || !idValue) return { asked: verificationFailed(proof, 'cannot-tell') };
  try {
    const answer = await answerClaimFor(deps.verification, {
      claim: claimId,
      matter: matter.id,
      subject: { kind: application.subjectKind, idValue },
      requester: { kind: 'application', id: application._id, department: application.department },
      idempotencyKey: `${application._id}:${proof.id}`,
      purpose: purposeOf(matter, `核验“${proof.title.zh}”`),
    });
    if (answer.answer === 'yes')
      return { obtained: { obtainedBy: 'verification', reused: answer.reused, proofId: answer.proofId } };
    return { asked: verificationFailed(proof, answer.answer) };
  } catch (error) {
    // A verification the list does not allow, or a subject it cannot find, is a proof not obtained: asked for.
    if (error instanceof Refusal) return { asked: verificationFailed(proof, 'cannot-tell') };
    throw error;
  }
}

/** Verifies the certificate presented and files it; asks for the proof when it does not stand. */
async function present(deps: ObtainDeps, request: ObtainRequest, type: string): Promise<ObtainOutcome> {
  const { application, matter, proof, progress, at } = request;
  const problem = await certificateProblem(deps.store, application, type, progress, at);
  if (problem) return { asked: problem };
  const record = (await findCertificate(deps.store, progress.certificateId!))!;
  const until = record.validUntil
    ? new Date(`${record.validUntil}T23:59:59+08:00`)
    : new Date(at.getTime() + PRESENTED_VALIDITY_DAYS * DAY_MS);
  const proofId = await fileApplicationProof(deps.store, {
    applicationId: application._id,
    matter: matter.id,
    matterProof: proof.id,
    subjectKey: application.subjectKey,
    subjectKind: application.subjectKind,
    proof: proofOfCertificate(type),
    method: 'certificate',
    source: { department: issuerOf(record.signedText), reference: record._id },
    obtainedAt: at,
    validUntil: until,
    dependsOnFacts: [],
  });
  return { obtained: { obtainedBy: 'certificate', reused: false, proofId } };
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

/** The first issuing department of a certificate, from its signed text. */
function issuerOf(signedText: string): string {
  const document = JSON.parse(signedText) as { issuers?: Array<{ department?: string }> };
  return document.issuers?.[0]?.department ?? 'unknown';
}

function verificationFailed(proof: MatterProof, answer: ClaimAnswer | 'pending'): Text {
  if (answer === 'pending')
    return {
      zh: `部门核验须按法定程序办理，尚未答复：可等待答复，或上传“${proof.title.zh}”`,
      en: `the certifying department answers by its procedure and has not yet: wait for it, or upload the ${proof.title.en}`,
    };
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
