/**
 * The resident and enterprise codes (居民码/企业码, 一码亮证, 扫码核验). A holder — a citizen, or
 * a firm's authorised staff member, who signs in as a citizen-role user bound to the firm's
 * enterprise subject key (store/users.ts) — asks for a code showing one certificate of their
 * wallet or a yes/no claim; the code is a signed random ID (domain/codes.ts) valid about a minute,
 * bound server-side to the holder (store/codes.ts). A registered verifier scans it for a matter it
 * may check (domain/code-matters.ts) and sees only what the holder chose and the matter allows
 * (services/codes/reveal.ts). The refusals come in the order that tells the least: the matter
 * (the verifier's own registration) before the code; a made-up or altered code (TAMPERED) before
 * the store is asked; then a spent code (REPLAYED), an expired one (EXPIRED), and a code that
 * shows nothing the matter may see (NOT_SHOWN) — none of which spends it. Every reveal is first
 * recorded, by the keyed insert that spends the code, as the holder's access record.
 */
import type { Connection } from 'mongoose';
import { claimStatement, codeClaim, type CodeClaim } from '../../domain/code-claims.js';
import { codeMatter, matterAsks, matterCertificate, type CodeMatter } from '../../domain/code-matters.js';
import {
  CODE_VALIDITY_SECONDS,
  CodeRefusal,
  codeToken,
  newCodeId,
  readCodeToken,
  SCAN_REFUSALS,
  type CodeShows,
} from '../../domain/codes.js';
import type { CertificateType, SignedCertificate, VerificationResult } from '../../domain/certificates.js';
import { authorize } from '../../domain/permissions.js';
import { ringSecrets, subjectKeyKind, type SubjectKeyRing } from '../../domain/pseudonym.js';
import type { Text } from '../../domain/sources.js';
import {
  buildCodeIndexes,
  findCode,
  recordScan,
  storeCode,
  wasScanned,
  type CodeRecord,
  type ScanShown,
} from '../../store/codes.js';
import type { User } from '../../store/users.js';
import type { VerifierPrincipal } from '../verifiers/authenticate.js';
import { matterLabel, revealCertificate, revealClaim, type ScanResult } from './reveal.js';

/** What the codes read of the holder's wallet and of certificates (the certificate registry's). */
export interface CodeWallet {
  /** One certificate of the holder's by number; undefined when the holder has none of that number. */
  certificateOf(subjectKey: string, certificateId: string): Promise<SignedCertificate | undefined>;
  /** The holder's certificates of one type. */
  certificatesOfType(subjectKey: string, type: string): Promise<SignedCertificate[]>;
  /** A certificate verified as of `at`: signatures, seals, the revocation list, validity. */
  verify(certificate: SignedCertificate, at: Date): Promise<VerificationResult>;
  /** A certificate type by ID. */
  certificateType(id: string): CertificateType | undefined;
}

export interface CodeServiceDeps {
  store: Connection;
  /** The master secrets: the current one signs new codes; every one on the ring is accepted. */
  keys: SubjectKeyRing;
  wallet: CodeWallet;
  /** The clock (tests move it past a code's minute). */
  now?: () => Date;
  /** How long a code is valid (default CODE_VALIDITY_SECONDS). */
  validitySeconds?: number;
}

/** What a holder asks a code to show. */
export type ShowRequest =
  { kind: 'certificate'; certificateId: string } | { kind: 'claim'; claim: string; certificateType: string };

/** What POST /me/codes answers: the code's text for the QR, until when, and what it shows. */
export interface IssuedCode {
  code: string;
  expiresAt: string;
  validitySeconds: number;
  holderKind: 'person' | 'enterprise';
  shows:
    | { kind: 'certificate'; certificate: { id: string; type: string; title: Text } }
    | { kind: 'claim'; claim: { id: string; certificateType: string; statement: Text } };
}

/** The holder's answer to a claim at `at`: yes when any certificate of the type verifies. */
async function answerClaim(wallet: CodeWallet, holder: string, type: string, at: Date): Promise<boolean> {
  for (const certificate of await wallet.certificatesOfType(holder, type))
    if ((await wallet.verify(certificate, at)).valid) return true;
  return false;
}

/** The codes service behind POST /me/codes and POST /codes/scan. */
export function createCodeService(deps: CodeServiceDeps) {
  const { store, wallet } = deps;
  const masters = ringSecrets(deps.keys);
  const now = deps.now ?? (() => new Date());
  const validitySeconds = deps.validitySeconds ?? CODE_VALIDITY_SECONDS;
  let indexes: Promise<void> | undefined;
  const ensureIndexes = () => (indexes ??= buildCodeIndexes(store).catch(() => (indexes = undefined)));

  /** The claim and its certificate type, or UNKNOWN_CLAIM naming which is not one. */
  function claimOf(claimId: string, typeId: string): { claim: CodeClaim; type: CertificateType } {
    const claim = codeClaim(claimId);
    if (!claim)
      throw new CodeRefusal(
        'UNKNOWN_CLAIM',
        `show.claim: "${claimId}" is not a claim`,
        `“${claimId}”不是可出示的声明`,
        'show.claim',
      );
    const type = wallet.certificateType(typeId);
    if (!type)
      throw new CodeRefusal(
        'UNKNOWN_CLAIM',
        `show.certificateType: "${typeId}" is not a certificate type`,
        `“${typeId}”不是证照类型`,
        'show.certificateType',
      );
    return { claim, type };
  }

  /** The holder's certificate of that number, or CERTIFICATE_NOT_FOUND (another's answers the same). */
  async function ownCertificate(holder: string, certificateId: string): Promise<SignedCertificate> {
    const certificate = await wallet.certificateOf(holder, certificateId);
    if (!certificate)
      throw new CodeRefusal(
        'CERTIFICATE_NOT_FOUND',
        `show.certificateId: you hold no certificate ${certificateId}`,
        `您的证照夹中没有证照 ${certificateId}`,
        'show.certificateId',
      );
    return certificate;
  }

  /** What a code shows, as stored and as the holder is told. */
  async function shownBy(holder: string, show: ShowRequest): Promise<{ shows: CodeShows; told: IssuedCode['shows'] }> {
    if (show.kind === 'certificate') {
      const { document } = await ownCertificate(holder, show.certificateId);
      return {
        shows: { kind: 'certificate', certificateId: document.id },
        told: { kind: 'certificate', certificate: { id: document.id, type: document.type, title: document.title } },
      };
    }
    const { claim, type } = claimOf(show.claim, show.certificateType);
    return {
      shows: { kind: 'claim', claim: claim.id, certificateType: type.id },
      told: {
        kind: 'claim',
        claim: { id: claim.id, certificateType: type.id, statement: claimStatement(claim, type.title) },
      },
    };
  }

  /** The matter a verifier may scan for, or UNKNOWN_MATTER / MATTER_NOT_ALLOWED. */
  function matterFor(verifier: VerifierPrincipal, matterId: string): CodeMatter {
    const matter = codeMatter(matterId);
    if (!matter) throw SCAN_REFUSALS.unknownMatter(matterId);
    if (!verifier.matters.includes(matter.id)) throw SCAN_REFUSALS.matterNotAllowed(verifier.name, matter.id);
    return matter;
  }

  /** The scan's answer and what its record keeps, or NOT_SHOWN when the matter may see nothing the code shows. */
  async function reveal(
    code: CodeRecord,
    matter: CodeMatter,
    at: Date,
  ): Promise<{ result: Omit<ScanResult, 'scannedAt'>; shown: ScanShown }> {
    const holder = code.holder.subjectKey;
    const base = { matter: matterLabel(matter), holderKind: code.holder.kind };
    if (code.shows.kind === 'certificate') {
      const certificate = await wallet.certificateOf(holder, code.shows.certificateId);
      const type = certificate && wallet.certificateType(certificate.document.type);
      const allowed = type && matterCertificate(matter, type.id);
      if (!certificate || !type || !allowed) throw SCAN_REFUSALS.notShown(matter.title);
      const revealed = revealCertificate(certificate, type, allowed, await wallet.verify(certificate, at));
      return {
        result: { ...base, shows: 'certificate', certificate: revealed },
        shown: {
          kind: 'certificate',
          certificateType: type.id,
          certificateId: revealed.id,
          valid: revealed.status.valid,
        },
      };
    }
    const { claim: claimId, certificateType } = code.shows;
    const claim = codeClaim(claimId);
    const type = wallet.certificateType(certificateType);
    if (!claim || !type || !matterAsks(matter, claim.id, type.id)) throw SCAN_REFUSALS.notShown(matter.title);
    const answer = await answerClaim(wallet, holder, type.id, at);
    return {
      result: { ...base, shows: 'claim', claim: revealClaim(claim, type, answer) },
      shown: { kind: 'claim', certificateType: type.id, claim: claim.id, answer },
    };
  }

  return {
    /**
     * A new code for the signed-in holder showing `show` (code.show: a citizen, their own wallet):
     * CERTIFICATE_NOT_FOUND for a certificate not theirs, UNKNOWN_CLAIM for a claim or type that is
     * not one. Each call makes a new code; the ones before stay valid until their minute ends.
     */
    async issue(actor: User, show: ShowRequest): Promise<IssuedCode> {
      authorize(actor, 'code.show', CodeRefusal);
      const holder = actor.subjectKey;
      const kind = holder ? subjectKeyKind(holder) : undefined;
      if (!holder || !kind)
        throw new CodeRefusal('FORBIDDEN_SUBJECT', 'this token is bound to no subject', '该令牌未绑定本人身份');
      const { shows, told } = await shownBy(holder, show);
      await ensureIndexes();
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + validitySeconds * 1000);
      const codeId = newCodeId();
      await storeCode(store, {
        _id: codeId,
        holder: { subjectKey: holder, kind, userId: actor.id },
        shows,
        createdAt,
        expiresAt,
      });
      return {
        code: codeToken(masters[0], codeId),
        expiresAt: expiresAt.toISOString(),
        validitySeconds,
        holderKind: kind,
        shows: told,
      };
    },

    /**
     * A verifier's scan of `code` for `matter` (code.scan: a registered verifier's signed request):
     * what the holder chose and the matter allows, recorded first as the holder's access record; or
     * UNKNOWN_MATTER, MATTER_NOT_ALLOWED, TAMPERED, REPLAYED, EXPIRED or NOT_SHOWN (see the file comment).
     */
    async scan(verifier: VerifierPrincipal, request: { code: string; matter: string }): Promise<ScanResult> {
      const matter = matterFor(verifier, request.matter);
      const codeId = readCodeToken(request.code, masters);
      if (!codeId) throw SCAN_REFUSALS.tampered();
      await ensureIndexes();
      const code = await findCode(store, codeId);
      // Signed by us but gone: the purge removes a code a day after its minute.
      if (!code) throw SCAN_REFUSALS.expired();
      if (await wasScanned(store, codeId)) throw SCAN_REFUSALS.replayed();
      const at = now();
      if (at.getTime() >= code.expiresAt.getTime()) throw SCAN_REFUSALS.expired();
      const { result, shown } = await reveal(code, matter, at);
      const spent = await recordScan(store, {
        _id: codeId,
        holderSubjectKey: code.holder.subjectKey,
        verifier: {
          id: verifier.id,
          name: verifier.name,
          kind: verifier.kind,
          ...(verifier.department ? { department: verifier.department } : {}),
          keyId: verifier.keyId,
        },
        matter: matter.id,
        shown,
        at,
      });
      // Another scan of the same code inserted first, between the check above and this insert.
      if (!spent) throw SCAN_REFUSALS.replayed();
      return { ...result, scannedAt: at.toISOString() };
    },
  };
}

export type CodeService = ReturnType<typeof createCodeService>;
