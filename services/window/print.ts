/**
 * Printing at the service window: a person's notice as a letter (notice-pdf.ts) and a certificate
 * or decision letter as its own PDF (services/certificates/pdf.ts, through the holder's wallet read
 * for the person present). Each print is an act of the visit under a fresh opaque print ID.
 *
 * Where a printed notice's QR code leads: a notice sent by a benefit's workflow (`<workflowId>:
 * notice:<what>`) concerns the grant or decision whose letter is `<workflowId>:letter`; when the
 * person holds that decision letter, the QR code opens its verification page
 * (/certificates/:id/verification), the sealed record of what was decided. A notice without one
 * (an undetermined case, an objection's progress) gets the notice check instead
 * (/notices/prints/:printId/verification): looked up by the print's random ID, it answers whether
 * such a notice was printed at a service window, with its title, template, date and the digest of
 * its content — never the person, the body or any amount.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { canonicalRecord } from '../../domain/canonical.js';
import type { Text } from '../../domain/sources.js';
import { findCertificate, findCertificateByKey } from '../../store/certificates.js';
import type { User } from '../../store/users.js';
import { findAct, opaqueId, recordAct, type WindowVisit } from '../../store/window-visits.js';
import type { CertificateService } from '../certificates/service.js';
import { certificateVerificationUrl } from '../certificates/pdf.js';
import type { CitizenService } from '../citizen/service.js';
import { renderNoticePdf } from './notice-pdf.js';
import type { PersonShown } from './visits.js';
import { WindowRefusal } from './visits.js';

export interface WindowPrintDeps {
  store: Connection;
  citizen: CitizenService;
  certificates?: CertificateService;
  now: () => Date;
}

/** A printed PDF and what the QR code on it opens. */
export interface PrintedPdf {
  pdf: Buffer;
  printId: string;
  filename: string;
  checkUrl?: string;
}

/** What the notice check answers: genuine or not, and nothing personal. */
export interface NoticeCheck {
  genuine: true;
  printId: string;
  title: Text;
  template?: string;
  /** The city date the notice was sent. */
  sentOn?: string;
  printedAt: string;
  window: string;
  /** SHA-256 of the notice's content, as printed on the letter. */
  digest: string;
}

/** The public check of printed notice `printId` under `baseUrl`. */
export const noticeCheckUrl = (baseUrl: string, printId: string): string =>
  `${baseUrl.replace(/\/+$/, '')}/notices/prints/${encodeURIComponent(printId)}/verification`;

/** The decision letter's key a notice concerns: its benefit workflow's letter. */
export const letterKeyOf = (noticeKey: string): string | undefined => {
  const at = noticeKey.indexOf(':notice:');
  return at > 0 ? `${noticeKey.slice(0, at)}:letter` : undefined;
};

/** SHA-256 of what the notice says (its key, title, body and when it was sent), in canonical JSON. */
export const noticeDigest = (notice: { key: string; title: Text; body: Text; deliveredAt: string }): string =>
  createHash('sha256').update(canonicalRecord(notice)).digest('hex');

const cityDate = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

export function createWindowPrints(deps: WindowPrintDeps) {
  const { store, now } = deps;

  /** Records one print of the visit and returns its ID. */
  async function recordPrint(
    visit: WindowVisit,
    staff: User,
    ref: string,
    printed: NonNullable<Parameters<typeof recordAct>[1]['printed']>,
    digest?: string,
  ): Promise<string> {
    const printId = opaqueId('pr_');
    await recordAct(store, {
      _id: `print:${printId}`,
      visitId: visit._id,
      kind: 'print',
      subjectKey: visit.subjectKey,
      window: visit.window,
      staff: { id: staff.id, name: staff.name },
      at: now(),
      ref,
      printed,
      ...(digest ? { digest } : {}),
    });
    return printId;
  }

  return {
    /** The person's notice `noticeKey` as a letter; one the person has not received is NOTICE_NOT_FOUND. */
    async notice(
      visit: WindowVisit,
      staff: User,
      person: User,
      shown: PersonShown,
      noticeKey: string,
      baseUrl: string,
      language?: 'zh' | 'en',
    ): Promise<PrintedPdf> {
      const notice = (await deps.citizen.inbox(person)).notices.find((n) => n.key === noticeKey);
      if (!notice)
        throw new WindowRefusal(
          'NOTICE_NOT_FOUND',
          `the person has no notice ${noticeKey}`,
          `到场群众没有该通知 ${noticeKey}`,
          'noticeId',
        );
      const letterKey = letterKeyOf(notice.key);
      const letter = letterKey ? await findCertificateByKey(store, letterKey) : undefined;
      const digest = noticeDigest(notice);
      const deliveredAt = new Date(notice.deliveredAt);
      const printId = await recordPrint(
        visit,
        staff,
        notice.key,
        { what: 'notice', title: notice.title, template: notice.template, deliveredAt },
        digest,
      );
      const ownLetter = letter && letter.holderSubjectKey === visit.subjectKey ? letter : undefined;
      const checkUrl = ownLetter
        ? certificateVerificationUrl(baseUrl, ownLetter._id!)
        : noticeCheckUrl(baseUrl, printId);
      const pdf = await renderNoticePdf(
        {
          title: notice.title,
          body: notice.body,
          recipient: [shown.maskedName, shown.maskedId].filter(Boolean).join(' '),
          deliveredAt,
          printId,
          window: visit.window,
          staffName: staff.name,
          printedAt: now(),
          digest,
          checkUrl,
          checkIs: ownLetter ? 'decision-letter' : 'notice',
        },
        language,
      );
      return { pdf, printId, filename: `notice-${printId}.pdf`, checkUrl };
    },

    /** The person's certificate or decision letter as its PDF (the wallet's, QR to its verification page). */
    async certificate(
      visit: WindowVisit,
      staff: User,
      person: User,
      certificateId: string,
      baseUrl: string,
      language?: 'zh' | 'en',
    ): Promise<PrintedPdf> {
      if (!deps.certificates)
        throw new WindowRefusal(
          'CERTIFICATE_NOT_FOUND',
          'certificates are not served by this deployment',
          '本系统未开通电子证照',
          'certificateId',
        );
      // The holder's own only (another's answers CERTIFICATE_NOT_FOUND): the wallet's check, for the person present.
      const pdf = await deps.certificates.pdf(person, certificateId, baseUrl, language);
      const record = await findCertificate(store, certificateId);
      const title = record ? (JSON.parse(record.signedText) as { title: Text }).title : { zh: '', en: '' };
      const printId = await recordPrint(visit, staff, certificateId, { what: 'certificate', title });
      return {
        pdf,
        printId,
        filename: `${certificateId}.pdf`,
        checkUrl: certificateVerificationUrl(baseUrl, certificateId),
      };
    },

    /** The public check of a printed notice: genuine with its title and dates, or NOTICE_NOT_FOUND. */
    async check(printId: string): Promise<NoticeCheck> {
      const act = /^pr_[a-z2-7]{26}$/.test(printId) ? await findAct(store, `print:${printId}`) : undefined;
      if (!act || act.kind !== 'print' || act.printed?.what !== 'notice' || !act.digest)
        throw new WindowRefusal(
          'NOTICE_NOT_FOUND',
          `no notice was printed as ${printId}`,
          `没有编号为 ${printId} 的打印通知`,
          'printId',
        );
      return {
        genuine: true,
        printId,
        title: { zh: act.printed.title.zh, en: act.printed.title.en },
        ...(act.printed.template ? { template: act.printed.template } : {}),
        ...(act.printed.deliveredAt ? { sentOn: cityDate(act.printed.deliveredAt) } : {}),
        printedAt: act.at.toISOString(),
        window: act.window,
        digest: act.digest,
      };
    },
  };
}

export type WindowPrints = ReturnType<typeof createWindowPrints>;
