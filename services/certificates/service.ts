/**
 * The certificates as people reach them: the holder's wallet (their own certificates and the
 * signed file of each), verification by anyone (a certificate posted, or one by its ID as the PDF's
 * QR code links it: type, issuers, dates and a masked name only), the public seal registry and the
 * sealed revocation list, and the staff's revocation of a certificate and rotation or revocation
 * of a seal, re-sealing what a revoked seal signed (domain/permissions.ts says who). Verification is domain/certificate-verify.ts, the
 * same function the offline command runs.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import type { SignedCertificate, VerificationResult } from '../../domain/certificates.js';
import type { Text } from '../../domain/sources.js';
import { certificateType } from '../../domain/certificate-types.js';
import {
  REVOCATION_LIST_FORMAT,
  REVOCATION_LIST_SIGNER,
  revocationListPayload,
  verifyCertificate,
  type RevocationList,
} from '../../domain/certificate-verify.js';
import { authorize, type Action } from '../../domain/permissions.js';
import {
  findCertificate,
  holderCertificates,
  revokeCertificateRecord,
  revokedCertificates,
  signedCertificateOf,
  type CertificateRecord,
} from '../../store/certificates.js';
import { publicSeal, type PublicSeal, type SealRegistryView } from '../../store/seals.js';
import type { User } from '../../store/users.js';
import { CertificateRefusal } from './issue.js';
import { certificatePdfFor } from './pdf.js';
import { resealCertificates } from './reseal.js';
import type { SealKeeper } from './seal-keeper.js';

export interface CertificateServiceDeps {
  store: Connection;
  seals: SealKeeper;
  now?: () => Date;
}

/** A certificate's standing in its holder's wallet. */
export type WalletStatus = 'valid' | 'revoked' | 'expired' | 'invalid';

/** A letter's matter and decision, when its fields name them. */
const aboutOf = (fields: Record<string, string | number>): Pick<WalletEntry, 'about'> =>
  typeof fields.policyTitle === 'string' && typeof fields.outcome === 'string'
    ? { about: { matter: fields.policyTitle, outcome: fields.outcome } }
    : {};

/** One line of the wallet: what it is, who issued it, its dates and standing. */
export interface WalletEntry {
  id: string;
  type: string;
  title: Text;
  /** What a decision letter decided: the matter and the decision, as the letter words them. */
  about?: { matter: string; outcome: string };
  issuers: Array<{ department: string; name: Text }>;
  issuedOn: string;
  validUntil?: string;
  status: WalletStatus;
  /** Why it is not valid (verification failure codes); empty when valid. */
  problems: string[];
  revokedAt?: string;
}

/** What the public verification link answers: the result, and the certificate without its holder's data. */
export interface PublicVerification {
  result: VerificationResult;
  certificate: {
    id: string;
    type: string;
    title: Text;
    issuers: Array<{ department: string; name: Text }>;
    issuedOn: string;
    validUntil?: string;
    /** The holder's name masked (张**), or absent. */
    holder?: string;
  };
}

/** Certificates per wallet list, newest first. */
const WALLET_LIMIT = 200;

/** A name with all but its first character masked: 张秀英 → 张**. */
export function maskName(name: string): string {
  const characters = Array.from(name.trim());
  return characters.length <= 1 ? '*' : characters[0] + '*'.repeat(characters.length - 1);
}

const statusOf = (result: VerificationResult): WalletStatus => {
  const codes = result.failures.map((failure) => failure.code);
  if (codes.length === 0) return 'valid';
  if (codes.includes('CERTIFICATE_REVOKED')) return 'revoked';
  return codes.every((code) => code === 'EXPIRED') ? 'expired' : 'invalid';
};

const notFound = (id: string) =>
  new CertificateRefusal('CERTIFICATE_NOT_FOUND', `no certificate ${id}`, `没有证照 ${id}`, 'id');

/** The certificate service behind /me/certificates, /certificates and /seals. */
export function createCertificateService(deps: CertificateServiceDeps) {
  const { store, seals } = deps;
  const now = deps.now ?? (() => new Date());

  /** The subject a citizen's token is bound to (me.* is own-subject only). */
  const own = (actor: User, action: Action = 'me.read'): string => {
    authorize(actor, action, CertificateRefusal);
    if (!actor.subjectKey)
      throw new CertificateRefusal('FORBIDDEN_ROLE', 'this token is bound to no subject', '该令牌未绑定本人身份');
    return actor.subjectKey;
  };

  /** Verifies against the registry and the revocation list as they are now. */
  async function check(signed: unknown): Promise<VerificationResult> {
    const at = now();
    const [registry, revoked] = await Promise.all([seals.registry(), revokedCertificates(store)]);
    return verifyCertificate(signed, registry, new Set(revoked.map((entry) => entry.id)), cityToday(at), at);
  }

  async function wallet(actor: User): Promise<WalletEntry[]> {
    const subjectKey = own(actor);
    const records = await holderCertificates(store, subjectKey, WALLET_LIMIT);
    const at = now();
    const [registry, revoked] = await Promise.all([seals.registry(), revokedCertificates(store)]);
    const revokedIds = new Set(revoked.map((entry) => entry.id));
    return records.map((record) => {
      const signed = signedCertificateOf(record);
      const result = verifyCertificate(signed, registry, revokedIds, cityToday(at), at);
      const { document } = signed;
      return {
        id: document.id,
        type: document.type,
        title: certificateType(document.type)?.title ?? document.title,
        ...aboutOf(document.fields),
        issuers: document.issuers,
        issuedOn: document.issuedOn,
        ...(document.validUntil ? { validUntil: document.validUntil } : {}),
        status: statusOf(result),
        problems: result.failures.map((failure) => failure.code),
        ...(record.revokedAt ? { revokedAt: record.revokedAt.toISOString() } : {}),
      };
    });
  }

  /** The holder's own signed certificate (another's answers 404, as if absent). */
  async function download(actor: User, id: string): Promise<SignedCertificate> {
    const subjectKey = own(actor);
    const record = await findCertificate(store, id);
    if (!record || record.holderSubjectKey !== subjectKey) throw notFound(id);
    return signedCertificateOf(record);
  }

  /** Verifies a stored certificate by ID, answering no more of it than a verifier needs. */
  async function verificationOf(id: string): Promise<PublicVerification> {
    const record = await findCertificate(store, id);
    if (!record) throw notFound(id);
    const signed = signedCertificateOf(record);
    const { document } = signed;
    return {
      result: await check(signed),
      certificate: {
        id: document.id,
        type: document.type,
        title: document.title,
        issuers: document.issuers,
        issuedOn: document.issuedOn,
        ...(document.validUntil ? { validUntil: document.validUntil } : {}),
        ...(document.holder.displayName ? { holder: maskName(document.holder.displayName) } : {}),
      },
    };
  }

  /** The revocation list as of now, sealed by the certificate registry's seal. */
  async function revocations(): Promise<RevocationList> {
    const list = {
      format: REVOCATION_LIST_FORMAT,
      issuedAt: now().toISOString(),
      revocations: (await revokedCertificates(store)).map((entry) => ({
        id: entry.id,
        revokedAt: entry.revokedAt.toISOString(),
      })),
    } as const;
    const signature = await seals.signPayload(REVOCATION_LIST_SIGNER, (header) => revocationListPayload(list, header));
    return { ...list, revocations: [...list.revocations], signature };
  }

  async function revoke(
    actor: User,
    id: string,
    reason: string,
  ): Promise<{ id: string; revokedAt: string; reason: string }> {
    authorize(actor, 'certificate.revoke', CertificateRefusal);
    if (!reason?.trim())
      throw new CertificateRefusal(
        'REASON_REQUIRED',
        'reason: say why the certificate is revoked',
        '请说明撤销证照的理由',
        'reason',
      );
    const record: CertificateRecord | undefined = await revokeCertificateRecord(store, id, {
      at: now(),
      reason: reason.trim(),
      by: actor.id,
    });
    if (!record) throw notFound(id);
    return { id, revokedAt: record.revokedAt!.toISOString(), reason: record.revocationReason! };
  }

  async function rotateSeal(actor: User, department: string): Promise<{ active: PublicSeal; retired?: PublicSeal }> {
    authorize(actor, 'seal.manage', CertificateRefusal);
    const { active, retired } = await seals.rotate(department);
    return { active: publicSeal(active), ...(retired ? { retired: publicSeal(retired) } : {}) };
  }

  /** Revokes a seal, then re-seals with the department's new seal what it signed in the store (services/certificates/reseal.ts). */
  async function revokeSeal(actor: User, sealId: string, reason: string): Promise<PublicSeal & { resealed: number }> {
    authorize(actor, 'seal.manage', CertificateRefusal);
    const seal = publicSeal(await seals.revoke(sealId, reason ?? '', actor.id));
    const { resealed } = await resealCertificates({ store, seals }, sealId);
    return { ...seal, resealed };
  }

  /** The holder's own certificate as its PDF (电子证照版式文件), its QR code the verification link under `baseUrl`. */
  async function pdf(actor: User, id: string, baseUrl: string, language?: 'zh' | 'en'): Promise<Buffer> {
    const signed = await download(actor, id);
    const type = certificateType(signed.document.type);
    if (!type) throw notFound(id);
    return certificatePdfFor(signed, type, { baseUrl, ...(language ? { language } : {}) });
  }

  return {
    wallet,
    download,
    pdf,
    verify: check,
    verificationOf,
    registry: (): Promise<SealRegistryView> => seals.registry(),
    revocations,
    revoke,
    rotateSeal,
    revokeSeal,
  };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
