/**
 * Answering a verification (证明核验, provider side): another department — or one of applyfree's
 * own proof-free applications — asks whether a claim (domain/verification-claims.ts) holds of a
 * subject for a matter; applyfree answers yes, no or cannot-tell with a validity and a
 * signature, never the facts behind it. Why each step:
 *
 * - Only a claim the matter lists (its `claims`, or a proof it replaces by that verification),
 *   and only for a subject of the claim's kind: a department may ask what its matter needs and
 *   nothing else (数据最小化), so any other claim is refused naming `claim`.
 * - An answer archived within its validity (store/proofs.ts) is reused — the reuse recorded, no
 *   new pull: the same proof is not obtained twice (一次采集、多次复用).
 * - Otherwise the claim's facts are read through fetchFacts (activities/shared-data/fetch-facts.ts),
 *   so each read writes an access record whose purpose names the matter and the requesting
 *   department, and the citizen sees it under "who used my data".
 * - The answer is filed in the archive (valid for the claim's `validityDays`) and signed: with the
 *   certifying department's e-seal (SM2) when it has an active seal and a seal keeper is given,
 *   otherwise an HMAC-SHA256 under a key derived for this purpose (domain/keys.ts
 *   verificationAnswer); the answer says which.
 * - A claim the law wants answered by a procedure (需按法定程序办理) is answered 'pending', due in
 *   the claim's working days (domain/calendar.ts); the certifying department (or staff for it)
 *   answers later through `answerPendingVerification`, and the answer is filed then. A keyed
 *   record, not a human task: the tasks framework's types each carry a Temporal workflow, roles and
 *   outcomes of their own, and this answer needs none of them (docs/VERIFICATIONS.md).
 *
 * Idempotent by the requester's key: a retry answers the first verification, and writes no second
 * access record, proof or reuse. The raw ID lives in memory only: the records carry the subject key.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Connection } from 'mongoose';
import { makeFetchFacts } from '../../activities/shared-data/fetch-facts.js';
import type { AdapterRegistry } from '../../activities/shared-data/adapters.js';
import { base32 } from '../../domain/base32.js';
import { workingDaysAfter } from '../../domain/calendar.js';
import { canonicalRecord } from '../../domain/canonical.js';
import { SEAL_ALGORITHM } from '../../domain/certificates.js';
import { validateCreditCode, validateResidentId } from '../../domain/identity.js';
import { deriveKey } from '../../domain/keys.js';
import { findMatter, type Matter } from '../../domain/matters.js';
import '../../domain/matters-starter.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { Refusal } from '../../domain/refusal.js';
import { findFact, type SubjectKind, type Text } from '../../domain/sources.js';
import {
  answerClaim,
  claimFacts,
  verificationClaim,
  type ClaimAnswer,
  type VerificationClaim,
} from '../../domain/verification-claims.js';
import { fileProof, proofOfClaim, recordProofReuse, reusableProof, type ArchivedProof } from '../../store/proofs.js';
import { activeSeal } from '../../store/seals.js';
import { registerSubject } from '../../store/subjects.js';
import {
  fileVerification,
  findVerification,
  settleVerification,
  type VerificationRecord,
  type VerificationRequester,
  type VerificationSignature,
} from '../../store/verifications.js';
import type { SealKeeper } from '../certificates/seal-keeper.js';

/** A verification refused, naming the field at fault. */
export class VerificationRefusal extends Refusal {
  declare readonly code:
    | 'UNKNOWN_LISTED_MATTER'
    | 'UNKNOWN_VERIFICATION_CLAIM'
    | 'CLAIM_NOT_LISTED'
    | 'MATTER_NOT_ALLOWED'
    | 'IDEMPOTENCY_KEY_REUSED'
    | 'VERIFICATION_NOT_FOUND'
    | 'VERIFICATION_ANSWERED'
    | 'BAD_VALUE'
    | 'BAD_REQUEST'
    | 'ACCESS_RECORD_FAILED';
}

export interface VerificationDeps extends SubjectKeyRing {
  store: Connection;
  /** How shared data is read (the platform, or a department's verification service). */
  adapters: AdapterRegistry;
  /** Signs with the certifying department's e-seal when it has an active one; absent: HMAC. */
  seals?: SealKeeper;
  now?: () => Date;
  /**
   * Tells an application waiting on a procedure's answer that it has come (services/applications/
   * resume.ts): the application then takes the answer from the archive, instead of its applicant
   * having to upload the proof.
   */
  resumeApplication?: (applicationId: string) => Promise<void>;
}

export interface VerificationRequest {
  claim: string;
  matter: string;
  /** The raw resident ID or credit code: used to find the subject, never stored or logged. */
  subject: { kind: SubjectKind; idValue: string };
  requester: VerificationRequester;
  /** The requester's key for this request: a retry with the same key answers the first verification. */
  idempotencyKey: string;
  /** Why, in the requester's words (shown in the log, not to whoever is verified). */
  purpose?: string;
}

export interface VerificationAnswer {
  verificationId: string;
  answer: ClaimAnswer | 'pending';
  /** ISO instant until which the answer may be relied on. */
  validUntil?: string;
  /** The archived proof the answer is (or, while pending, will be filed under). */
  proofId: string;
  /** Whether an archived answer was reused (no new pull). */
  reused: boolean;
  /** A pending answer is due by then. */
  dueAt?: string;
  signature?: VerificationSignature;
  /** The certifying department, whose data or procedure answered. */
  signedBy: { department: string; name: Text };
}

const refuse = (code: VerificationRefusal['code'], field: string, en: string, zh: string): never => {
  throw new VerificationRefusal(code, en, zh, field);
};

const DAY_MS = 86_400_000;

/** The verification's ID: from who asks and their idempotency key, so a retry finds the first. */
export function verificationIdOf(requester: VerificationRequester, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${requester.kind}\u0000${requester.id}\u0000${idempotencyKey}`).digest();
  return `vf_${base32(digest).slice(0, 26).toLowerCase()}`;
}

/** The archive key of the proof a verification files. */
export const verificationProofKey = (verificationId: string): string => `verification:${verificationId}`;

/** Whether the matter may ask the claim: listed in its claims, or a proof it replaces by that verification. */
export function matterListsClaim(matter: Matter, claimId: string): boolean {
  return (
    matter.claims.includes(claimId) ||
    matter.proofs.some((p) => p.replacement.method === 'verification' && p.replacement.claim === claimId)
  );
}

/** The matter and the claim of a request, or the refusal naming what is wrong. */
export function checkRequest(
  request: Pick<VerificationRequest, 'matter' | 'claim' | 'requester'> & { subject: { kind: string } },
): { matter: Matter; claim: VerificationClaim } {
  const matter = findMatter(request.matter);
  if (!matter)
    refuse(
      'UNKNOWN_LISTED_MATTER',
      'matter',
      `matter: "${request.matter}" is not on the list of matters in force`,
      `事项“${request.matter}”不在现行用证事项清单中`,
    );
  const claim = verificationClaim(request.claim);
  if (!claim)
    refuse(
      'UNKNOWN_VERIFICATION_CLAIM',
      'claim',
      `claim: "${request.claim}" is not a verification claim`,
      `核验事项“${request.claim}”不存在`,
    );
  if (!matterListsClaim(matter!, claim!.id))
    refuse(
      'CLAIM_NOT_LISTED',
      'claim',
      `claim: the matter ${matter!.id} does not list the claim ${claim!.id}; it may ask ${matter!.claims.join(', ') || 'none'}`,
      `事项“${matter!.title.zh}”的清单未列明核验事项“${claim!.statement.zh}”，不予核验`,
    );
  if (request.subject.kind !== claim!.subject)
    refuse(
      'CLAIM_NOT_LISTED',
      'subject.kind',
      `subject.kind: the claim ${claim!.id} is about a ${claim!.subject}, not a ${request.subject.kind}`,
      `核验事项“${claim!.statement.zh}”的对象应为${claim!.subject === 'person' ? '自然人' : '法人'}`,
    );
  if (request.requester.kind === 'department' && request.requester.id !== matter!.department.id)
    refuse(
      'MATTER_NOT_ALLOWED',
      'matter',
      `matter: ${matter!.id} is handled by ${matter!.department.id}, not by ${request.requester.id}: only its handling department may verify for it`,
      `事项“${matter!.title.zh}”由${matter!.department.name.zh}办理，其他部门不得以该事项申请核验`,
    );
  return { matter: matter!, claim: claim! };
}

/** The raw identifier, checked for its kind (field `subject.id`). */
function checkedId(subject: VerificationRequest['subject']): string {
  if (subject.kind === 'person') return validateResidentId(subject.idValue, { field: 'subject.id' }).id;
  if (subject.kind === 'enterprise') return validateCreditCode(subject.idValue, { field: 'subject.id' }).code;
  return refuse(
    'BAD_VALUE',
    'subject.kind',
    'subject.kind: person or enterprise',
    '核验对象类型应为 person 或 enterprise',
  );
}

/** What the answer's signature covers: canonical JSON of the verification's answer and the signature header. */
export function signedVerificationPayload(record: VerificationRecord, header: Record<string, string>): Buffer {
  return Buffer.from(
    canonicalRecord({
      verification: {
        id: record._id,
        requester: record.requester.id,
        matter: record.matter,
        claim: record.claim,
        certifiedBy: record.certifiedBy,
        answer: record.answer,
        validUntil: record.validUntil?.toISOString(),
        answeredAt: record.answeredAt?.toISOString(),
      },
      signature: header,
    }),
    'utf8',
  );
}

/** The HMAC key of a certifying department's answers, and its name (purpose and context). */
export function answerKey(ring: SubjectKeyRing, department: string): { key: Buffer; keyId: string } {
  return {
    key: deriveKey(ring.subjectKeySecret, 'verificationAnswer', department),
    keyId: `verificationAnswer/v1/${department}`,
  };
}

/** Signs an answered record: the certifying department's active e-seal when there is one, else the service HMAC. */
async function sign(deps: VerificationDeps, record: VerificationRecord, at: Date): Promise<VerificationSignature> {
  const department = record.certifiedBy;
  if (deps.seals && (await activeSeal(deps.store, department))) {
    const seal = await deps.seals.signPayload(department, (header) => signedVerificationPayload(record, { ...header }));
    return {
      scheme: 'sm2-seal',
      sealId: seal.sealId,
      department: seal.department,
      algorithm: seal.algorithm,
      userId: seal.userId,
      signedAt: seal.signedAt,
      value: seal.signature,
    };
  }
  const { key, keyId } = answerKey(deps, department);
  const signedAt = at.toISOString();
  const value = createHmac('sha256', key)
    .update(signedVerificationPayload(record, { scheme: 'hmac-sha256', keyId, signedAt }))
    .digest('hex');
  return { scheme: 'hmac-sha256', keyId, signedAt, value };
}

/** Whether an HMAC-signed answer's signature holds (an e-sealed one verifies against the public seal registry). */
export function hmacSignatureHolds(ring: SubjectKeyRing, record: VerificationRecord): boolean {
  const signature = record.signature;
  if (signature?.scheme !== 'hmac-sha256') return false;
  const { key, keyId } = answerKey(ring, record.certifiedBy);
  if (keyId !== signature.keyId) return false;
  const expected = createHmac('sha256', key)
    .update(signedVerificationPayload(record, { scheme: 'hmac-sha256', keyId, signedAt: signature.signedAt }))
    .digest('hex');
  return expected === signature.value;
}

/** The answer a record gives its requester: never the facts, never the subject. */
/** The answer, once the application that asked for it (if one did) has been resumed. */
async function resumed(
  deps: VerificationDeps,
  record: VerificationRecord,
  answer: VerificationAnswer,
): Promise<VerificationAnswer> {
  if (record.requester.kind === 'application') await deps.resumeApplication?.(record.requester.id);
  return answer;
}

export function answerOf(record: VerificationRecord): VerificationAnswer {
  const claim = verificationClaim(record.claim);
  return {
    verificationId: record._id,
    answer: record.status === 'pending' ? 'pending' : record.answer!,
    ...(record.validUntil ? { validUntil: record.validUntil.toISOString() } : {}),
    proofId: record.proofId ?? verificationProofKey(record._id),
    reused: record.reused,
    ...(record.dueAt && record.status === 'pending' ? { dueAt: record.dueAt.toISOString() } : {}),
    ...(record.signature ? { signature: record.signature } : {}),
    signedBy: {
      department: record.certifiedBy,
      name: claim?.department.name ?? { zh: record.certifiedBy, en: record.certifiedBy },
    },
  };
}

/** Who asked, as people read it: the matter's handling department by name, else the ID given. */
export function requesterName(matter: Matter | undefined, requester: VerificationRequester): Text {
  const id = requester.department ?? requester.id;
  return matter && matter.department.id === id ? matter.department.name : { zh: id, en: id };
}

/** The purpose an access record names: the matter and who asks (shown to the citizen). */
export function verificationPurpose(matter: Matter, requester: VerificationRequester): string {
  const by = requesterName(matter, requester);
  return `证明核验：${by.zh}办理“${matter.title.zh}” · verification for ${by.en}, matter “${matter.title.en}”`;
}

/** Reads the claim's facts for the subject with access records, and answers the claim. */
async function answerFromFacts(
  deps: VerificationDeps,
  verificationId: string,
  subjectKey: string,
  matter: Matter,
  claim: VerificationClaim,
  requester: VerificationRequester,
): Promise<ClaimAnswer> {
  if (claim.answering.kind !== 'facts') throw new Error(`claim ${claim.id} is not answered from facts`);
  const purpose = verificationPurpose(matter, requester);
  const facts: Record<string, { source: string; purpose: string }> = {};
  for (const fact of claimFacts(claim)) {
    const known = findFact(fact);
    if (!known) throw new Error(`claim ${claim.id} reads ${fact}, which the catalog does not hold`);
    facts[fact] = { source: known.source.id, purpose };
  }
  const fetchFacts = makeFetchFacts({
    connection: deps.store,
    adapters: deps.adapters,
    ...(deps.now ? { now: deps.now } : {}),
  });
  try {
    const read = await fetchFacts({
      caseId: verificationId,
      subjectKey,
      policyId: `matter:${matter.id}`,
      policyVersion: 0,
      facts,
      idempotencyKey: verificationId,
    });
    return answerClaim(claim.answering.condition, read.values);
  } catch (error) {
    if ((error as { type?: unknown }).type === 'AccessRecordWriteFailed')
      refuse(
        'ACCESS_RECORD_FAILED',
        'subject',
        'the access record of the verification could not be written: no data is read without one',
        '无法写入数据使用记录，未读取数据',
      );
    throw error;
  }
}

/**
 * Answers a verification request (see the module comment). Throws VerificationRefusal (or
 * IdentityError for a malformed ID) before reading anything when the request may not be answered.
 */
export async function answerClaimFor(
  deps: VerificationDeps,
  request: VerificationRequest,
): Promise<VerificationAnswer> {
  const now = deps.now ?? (() => new Date());
  const { matter, claim } = checkRequest(request);
  if (!request.idempotencyKey || request.idempotencyKey.length > 200)
    refuse('BAD_REQUEST', 'idempotencyKey', 'idempotencyKey: 1 to 200 characters', '幂等键应为1至200个字符');
  const id = checkedId(request.subject);
  const verificationId = verificationIdOf(request.requester, request.idempotencyKey);
  const subjectKey = await registerSubject(deps.store, deps, { kind: request.subject.kind, id });

  const earlier = await findVerification(deps.store, verificationId);
  if (earlier) return answerOf(sameRequest(earlier, request, subjectKey));

  const at = now();
  const base: VerificationRecord = {
    _id: verificationId,
    requester: request.requester,
    matter: matter.id,
    claim: claim.id,
    certifiedBy: claim.department.id,
    subjectKey,
    subjectKind: request.subject.kind,
    ...(request.purpose ? { purpose: request.purpose.slice(0, 500) } : {}),
    status: 'answered',
    reused: false,
    requestedAt: at,
  };

  const archived = await reusableProof(deps.store, { subjectKey, proof: proofOfClaim(claim.id), at });
  if (archived) {
    await recordProofReuse(deps.store, {
      proofId: archived.key,
      by: {
        kind: request.requester.kind === 'application' ? 'application' : 'verification',
        id: request.requester.kind === 'application' ? request.requester.id : verificationId,
        matter: matter.id,
      },
      at,
      key: verificationProofKey(verificationId),
    });
    return answerOf(await fileAnswered(deps, { ...base, reused: true }, archived, at));
  }

  if (claim.answering.kind === 'procedure') {
    const pending: VerificationRecord = {
      ...base,
      status: 'pending',
      dueAt: workingDaysAfter(at, claim.answering.timeLimitWorkingDays),
    };
    return answerOf(await fileVerification(deps.store, pending));
  }

  const answer = await answerFromFacts(deps, verificationId, subjectKey, matter, claim, request.requester);
  const { proof } = await fileProof(deps.store, {
    key: verificationProofKey(verificationId),
    subjectKey,
    subjectKind: request.subject.kind,
    proof: proofOfClaim(claim.id),
    method: 'verification',
    answer,
    source: { department: claim.department.id, reference: verificationId },
    obtainedAt: at,
    validUntil: new Date(at.getTime() + claim.validityDays * DAY_MS),
    dependsOnFacts: claimFacts(claim),
    obtainedFor: {
      kind: request.requester.kind === 'application' ? 'application' : 'verification',
      id: request.requester.kind === 'application' ? request.requester.id : verificationId,
      matter: matter.id,
    },
  });
  return answerOf(await fileAnswered(deps, base, proof, at));
}

/** A retry must be the same request; another request under a used key is refused. */
function sameRequest(
  earlier: VerificationRecord,
  request: VerificationRequest,
  subjectKey: string,
): VerificationRecord {
  if (earlier.matter !== request.matter || earlier.claim !== request.claim || earlier.subjectKey !== subjectKey)
    refuse(
      'IDEMPOTENCY_KEY_REUSED',
      'idempotencyKey',
      'idempotencyKey: this key was used for another verification; use a new key',
      '该幂等键已用于另一项核验，请使用新的键',
    );
  return earlier;
}

/** Files an answered verification: its answer and validity from the archived proof, then signed. */
async function fileAnswered(
  deps: VerificationDeps,
  base: VerificationRecord,
  proof: ArchivedProof,
  at: Date,
): Promise<VerificationRecord> {
  const record: VerificationRecord = {
    ...base,
    status: 'answered',
    answer: proof.answer ?? 'cannot-tell',
    validUntil: proof.validUntil,
    proofId: proof.key,
    answeredAt: at,
  };
  return fileVerification(deps.store, { ...record, signature: await sign(deps, record, at) });
}

/** Who gives a procedure claim's answer. */
export type PendingAnswerer = { kind: 'department'; id: string } | { kind: 'staff'; id: string; name: string };

/**
 * The certifying department's (or staff's, for it) answer to a pending verification: filed in the
 * archive, then the verification settled with the archive's answer and signed. The same answer
 * again answers the same; another answer to an answered one is refused (VERIFICATION_ANSWERED).
 * A department answers only verifications it certifies (VERIFICATION_NOT_FOUND otherwise).
 */
export async function answerPendingVerification(
  deps: VerificationDeps,
  input: { verificationId: string; answer: unknown; by: PendingAnswerer; reference?: string },
): Promise<VerificationAnswer> {
  const now = deps.now ?? (() => new Date());
  const record = await findVerification(deps.store, input.verificationId);
  if (!record || (input.by.kind === 'department' && input.by.id !== record.certifiedBy))
    refuse(
      'VERIFICATION_NOT_FOUND',
      'id',
      `no verification ${input.verificationId} for you to answer`,
      `没有待您答复的核验 ${input.verificationId}`,
    );
  const answer = input.answer;
  if (answer !== 'yes' && answer !== 'no' && answer !== 'cannot-tell')
    refuse('BAD_VALUE', 'answer', 'answer: yes, no or cannot-tell', '答复应为 yes、no 或 cannot-tell');
  if (record!.status === 'answered') {
    // The same answer again (a retry) resumes the application again, in case the first stopped before it did.
    if (record!.answer === answer) return resumed(deps, record!, answerOf(record!));
    refuse(
      'VERIFICATION_ANSWERED',
      'answer',
      `verification ${record!._id} was answered ${record!.answer}: that answer stands`,
      `该核验已答复（${record!.answer}），答复不再更改`,
    );
  }
  const claim = verificationClaim(record!.claim)!;
  const at = now();
  const { proof } = await fileProof(deps.store, {
    key: verificationProofKey(record!._id),
    subjectKey: record!.subjectKey,
    subjectKind: record!.subjectKind,
    proof: proofOfClaim(record!.claim),
    method: 'verification',
    answer: answer as ClaimAnswer,
    source: { department: record!.certifiedBy, reference: input.reference?.slice(0, 200) ?? record!._id },
    obtainedAt: at,
    validUntil: new Date(at.getTime() + claim.validityDays * DAY_MS),
    dependsOnFacts: [],
    obtainedFor: {
      kind: record!.requester.kind === 'application' ? 'application' : 'verification',
      id: record!.requester.kind === 'application' ? record!.requester.id : record!._id,
      matter: record!.matter,
    },
  });
  const settled: VerificationRecord = {
    ...record!,
    status: 'answered',
    answer: proof.answer ?? 'cannot-tell',
    validUntil: proof.validUntil,
    proofId: proof.key,
    answeredAt: proof.obtainedAt,
    answeredBy:
      input.by.kind === 'staff'
        ? { kind: 'staff', id: input.by.id, name: input.by.name }
        : { kind: 'department', id: input.by.id },
    ...(input.reference ? { reference: input.reference.slice(0, 200) } : {}),
  };
  const signature = await sign(deps, settled, proof.obtainedAt);
  const stored = await settleVerification(deps.store, record!._id, {
    answer: settled.answer,
    validUntil: settled.validUntil,
    proofId: settled.proofId,
    answeredAt: settled.answeredAt,
    answeredBy: settled.answeredBy,
    signature,
    ...(settled.reference ? { reference: settled.reference } : {}),
  });
  return resumed(deps, record!, answerOf(stored ?? settled));
}

/** The seal algorithm an e-sealed answer is signed with (for docs and clients). */
export const VERIFICATION_SEAL_ALGORITHM = SEAL_ALGORITHM;
