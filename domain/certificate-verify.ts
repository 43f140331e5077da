/**
 * Verifying a signed certificate (验章验签), pure: the API, the issuer's self-check and the
 * offline command (`applyfree certificate verify`) all answer through this one function, from a
 * registry of public keys and a revocation list, without the store. What each seal signs is the
 * canonical JSON (domain/canonical.ts) of the document together with the seal's own signature
 * header (seal, department, algorithm, user ID, signing time), so neither the signing time nor the
 * seal can be changed without breaking the signature: docs/CERTIFICATES.md, "What is signed".
 */
import { canonicalRecord } from './canonical.js';
import {
  CERTIFICATE_FORMAT,
  SEAL_ALGORITHM,
  type CertificateDocument,
  type PublicSeal,
  type SealRegistryView,
  type SealSignature,
  type VerificationFailure,
  type VerificationResult,
} from './certificates.js';
import { SM2_DEFAULT_USER_ID, sm2Verify } from './sm2.js';
import type { Text } from './sources.js';

/** A seal signature without its value: the header that is signed with the document. */
export type SignatureHeader = Omit<SealSignature, 'signature'>;

/** The exact bytes a seal signs: UTF-8 of canonical JSON `{"document":…,"signature":{algorithm,department,sealId,signedAt,userId}}`. */
export function signedPayload(document: CertificateDocument, header: SignatureHeader): Buffer {
  const { sealId, department, algorithm, userId, signedAt } = header;
  return Buffer.from(
    canonicalRecord({ document, signature: { sealId, department, algorithm, userId, signedAt } }),
    'utf8',
  );
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DOCUMENT_KEYS = new Set([
  'format',
  'id',
  'type',
  'title',
  'holder',
  'fields',
  'issuedOn',
  'issuedAt',
  'validUntil',
  'basis',
  'issuers',
]);
const BASIS_KINDS = new Set(['grant', 'decision', 'enrollment', 'proof']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is Text =>
  isObject(value) && typeof value.zh === 'string' && typeof value.en === 'string';
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isDate = (value: unknown) => typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value));
const isInstant = (value: unknown) =>
  typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));

/** What is malformed in a document, or undefined: every member known and of its type, fields strings or safe integers. */
export function documentProblem(document: unknown): string | undefined {
  if (!isObject(document)) return 'document: not an object';
  const unknown = Object.keys(document).find((key) => !DOCUMENT_KEYS.has(key));
  if (unknown) return `document.${unknown}: not a member of the format`;
  if (!isString(document.id)) return 'document.id';
  if (!isString(document.type)) return 'document.type';
  if (!isText(document.title)) return 'document.title';
  const holder = document.holder;
  if (
    !isObject(holder) ||
    !isString(holder.subjectKey) ||
    (holder.kind !== 'person' && holder.kind !== 'enterprise') ||
    (holder.displayName !== undefined && typeof holder.displayName !== 'string')
  )
    return 'document.holder';
  if (!isObject(document.fields)) return 'document.fields';
  for (const [key, value] of Object.entries(document.fields))
    if (typeof value !== 'string' && !Number.isSafeInteger(value)) return `document.fields.${key}`;
  if (!isDate(document.issuedOn)) return 'document.issuedOn';
  if (!isInstant(document.issuedAt)) return 'document.issuedAt';
  if (document.validUntil !== undefined && !isDate(document.validUntil)) return 'document.validUntil';
  const basis = document.basis;
  if (!isObject(basis) || !BASIS_KINDS.has(basis.kind as string) || !isString(basis.ref)) return 'document.basis';
  const issuers = document.issuers;
  if (!Array.isArray(issuers) || issuers.length === 0) return 'document.issuers';
  for (const issuer of issuers)
    if (!isObject(issuer) || !isString(issuer.department) || !isText(issuer.name)) return 'document.issuers';
  return undefined;
}

function signatureProblem(signature: unknown, index: number): string | undefined {
  const at = `signatures[${index}]`;
  if (!isObject(signature)) return at;
  for (const key of ['sealId', 'department', 'algorithm', 'userId', 'signature'] as const)
    if (typeof signature[key] !== 'string') return `${at}.${key}`;
  if (!BASE64.test(signature.signature as string)) return `${at}.signature`;
  if (!isInstant(signature.signedAt)) return `${at}.signedAt`;
  return undefined;
}

const MESSAGES: Record<VerificationFailure, (detail: string) => Text> = {
  MALFORMED: (detail) => ({ zh: `证照格式不正确：${detail}`, en: `the certificate is malformed: ${detail}` }),
  UNKNOWN_FORMAT: (detail) => ({ zh: `不认识的证照格式“${detail}”`, en: `unknown certificate format "${detail}"` }),
  BAD_SIGNATURE: (detail) => ({
    zh: `印章 ${detail} 的签名与证照内容不符（内容被改动或签名无效）`,
    en: `the signature of seal ${detail} does not match the certificate (changed, or not a valid signature)`,
  }),
  UNKNOWN_SEAL: (detail) => ({
    zh: `印章 ${detail} 不在印章登记簿中`,
    en: `seal ${detail} is not in the seal registry`,
  }),
  SEAL_REVOKED: (detail) => ({
    zh: `印章 ${detail} 已被吊销，其签署的证照均不再有效`,
    en: `seal ${detail} is revoked: nothing it signed is valid`,
  }),
  SEAL_NOT_VALID_AT_SIGNING: (detail) => ({
    zh: `签章时印章 ${detail} 不在有效期内`,
    en: `seal ${detail} was not valid when it signed`,
  }),
  SEAL_DEPARTMENT_MISMATCH: (detail) => ({
    zh: `印章 ${detail} 不属于证照所列的签发部门`,
    en: `seal ${detail} does not belong to an issuing department the certificate names`,
  }),
  MISSING_SEAL: (detail) => ({
    zh: `缺少签发部门 ${detail} 的印章`,
    en: `the seal of issuing department ${detail} is missing`,
  }),
  CERTIFICATE_REVOKED: (detail) => ({ zh: `证照 ${detail} 已被撤销`, en: `certificate ${detail} is revoked` }),
  EXPIRED: (detail) => ({ zh: `证照已于 ${detail} 到期`, en: `the certificate expired after ${detail}` }),
};

/** One failure with its message in both languages. */
const failure = (code: VerificationFailure, detail: string, sealId?: string) => ({
  code,
  message: MESSAGES[code](detail),
  ...(sealId ? { sealId } : {}),
});

/** Checks one seal's signature: the failures, none when the seal verified. */
function checkSeal(
  document: CertificateDocument,
  signature: SealSignature,
  seal: PublicSeal | undefined,
): ReturnType<typeof failure>[] {
  const id = signature.sealId;
  if (!seal) return [failure('UNKNOWN_SEAL', id, id)];
  const failures: ReturnType<typeof failure>[] = [];
  if (seal.department !== signature.department || !document.issuers.some((i) => i.department === seal.department))
    failures.push(failure('SEAL_DEPARTMENT_MISMATCH', id, id));
  // applyfree seals sign with the GM/T 0009 default user ID; any other is refused, never guessed.
  const good =
    signature.algorithm === SEAL_ALGORITHM &&
    seal.algorithm === SEAL_ALGORITHM &&
    signature.userId === SM2_DEFAULT_USER_ID &&
    seal.userId === SM2_DEFAULT_USER_ID &&
    sm2Verify(
      seal.publicKey,
      signedPayload(document, signature),
      Buffer.from(signature.signature, 'base64'),
      SM2_DEFAULT_USER_ID,
    );
  if (!good) failures.push(failure('BAD_SIGNATURE', id, id));
  if (seal.status === 'revoked') failures.push(failure('SEAL_REVOKED', id, id));
  const signedAt = Date.parse(signature.signedAt);
  if (signedAt < Date.parse(seal.validFrom) || signedAt > Date.parse(seal.validTo))
    failures.push(failure('SEAL_NOT_VALID_AT_SIGNING', id, id));
  return failures;
}

/**
 * Verifies a signed certificate against the seal registry, the revoked certificate IDs and the
 * city date `today`: valid with the departments that vouch for it, or every reason it is not.
 * Each seal must verify (signature, registry, status, validity at signing) and every issuing
 * department the document names must have a verified seal (a joint certificate: all of them).
 */
export function verifyCertificate(
  signed: unknown,
  registry: Pick<SealRegistryView, 'seals'>,
  revokedIds: ReadonlySet<string>,
  today: string,
  checkedAt: Date = new Date(),
): VerificationResult {
  const answer = (
    failures: VerificationResult['failures'],
    extra: Partial<VerificationResult> = {},
  ): VerificationResult => ({
    valid: failures.length === 0,
    ...extra,
    failures,
    vouchedBy: extra.vouchedBy ?? [],
    checkedAt: checkedAt.toISOString(),
  });
  if (!isObject(signed) || !isObject(signed.document) || !Array.isArray(signed.signatures))
    return answer([failure('MALFORMED', 'expected { document, signatures }')]);
  if (signed.document.format !== CERTIFICATE_FORMAT)
    return answer([failure('UNKNOWN_FORMAT', String(signed.document.format))]);
  const problem =
    documentProblem(signed.document) ??
    signed.signatures.map((signature, i) => signatureProblem(signature, i)).find(Boolean);
  if (problem) return answer([failure('MALFORMED', problem)]);

  const document = signed.document as unknown as CertificateDocument;
  const signatures = signed.signatures as SealSignature[];
  const seals = new Map(registry.seals.map((seal) => [seal.sealId, seal]));
  const failures: VerificationResult['failures'] = [];
  const vouchedBy: VerificationResult['vouchedBy'] = [];
  for (const signature of signatures) {
    const problems = checkSeal(document, signature, seals.get(signature.sealId));
    failures.push(...problems);
    const issuer = document.issuers.find((i) => i.department === signature.department);
    if (problems.length === 0 && issuer && !vouchedBy.some((v) => v.department === issuer.department))
      vouchedBy.push({ department: issuer.department, name: issuer.name, sealId: signature.sealId });
  }
  for (const issuer of document.issuers)
    if (!signatures.some((s) => s.department === issuer.department))
      failures.push(failure('MISSING_SEAL', issuer.department));
  if (revokedIds.has(document.id)) failures.push(failure('CERTIFICATE_REVOKED', document.id));
  if (document.validUntil !== undefined && document.validUntil < today)
    failures.push(failure('EXPIRED', document.validUntil));
  return answer(failures, { certificateId: document.id, type: document.type, vouchedBy });
}

/** The format of the public revocation list (GET /certificates/revocations, the offline verifier's `--revocations` file). */
export const REVOCATION_LIST_FORMAT = 'applyfree-revocations/1';

/** The department whose seal signs the revocation list: the certificate registry itself. */
export const REVOCATION_LIST_SIGNER = 'certificate-registry';

/** The revocation list: every revoked certificate's ID and revocation time, as of `issuedAt`, sealed by the registry. */
export interface RevocationList {
  format: typeof REVOCATION_LIST_FORMAT;
  issuedAt: string;
  revocations: Array<{ id: string; revokedAt: string }>;
  signature?: SealSignature;
}

/** The bytes the registry's seal signs: canonical JSON `{"revocationList":{format,issuedAt,revocations},"signature":{…header}}`. */
export function revocationListPayload(list: Omit<RevocationList, 'signature'>, header: SignatureHeader): Buffer {
  const { sealId, department, algorithm, userId, signedAt } = header;
  return Buffer.from(
    canonicalRecord({
      revocationList: { format: list.format, issuedAt: list.issuedAt, revocations: list.revocations },
      signature: { sealId, department, algorithm, userId, signedAt },
    }),
    'utf8',
  );
}

/**
 * The revoked IDs of a revocation list whose seal verifies against the registry (the certificate
 * registry's seal, not revoked, valid when it signed); otherwise why it cannot be used.
 */
export function readRevocationList(
  list: unknown,
  registry: Pick<SealRegistryView, 'seals'>,
): { revoked: Set<string> } | { problem: Text } {
  const bad = (en: string, zh: string) => ({ problem: { en: `revocation list: ${en}`, zh: `撤销列表：${zh}` } });
  if (!isObject(list) || list.format !== REVOCATION_LIST_FORMAT || !Array.isArray(list.revocations))
    return bad(`not an ${REVOCATION_LIST_FORMAT} document`, '格式不正确');
  if (!isInstant(list.issuedAt)) return bad('issuedAt', '签发时间不正确');
  for (const entry of list.revocations)
    if (!isObject(entry) || !isString(entry.id) || !isInstant(entry.revokedAt)) return bad('revocations', '条目不正确');
  if (signatureProblem(list.signature, 0)) return bad('it is not sealed', '未加盖印章');
  const signature = list.signature as SealSignature;
  const seal = registry.seals.find((s) => s.sealId === signature.sealId);
  const good =
    seal !== undefined &&
    seal.department === REVOCATION_LIST_SIGNER &&
    signature.department === REVOCATION_LIST_SIGNER &&
    seal.status !== 'revoked' &&
    signature.userId === SM2_DEFAULT_USER_ID &&
    signature.algorithm === SEAL_ALGORITHM &&
    Date.parse(signature.signedAt) >= Date.parse(seal.validFrom) &&
    Date.parse(signature.signedAt) <= Date.parse(seal.validTo) &&
    sm2Verify(
      seal.publicKey,
      revocationListPayload(list as unknown as RevocationList, signature),
      Buffer.from(signature.signature, 'base64'),
    );
  if (!good) return bad('its seal does not verify against the registry', '印章验证不通过');
  return { revoked: new Set((list.revocations as Array<{ id: string }>).map((entry) => entry.id)) };
}
