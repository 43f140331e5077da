/**
 * A certificate as a PDF the holder keeps, prints or shows (电子证照版式文件): one A4 page laid out
 * by its type's template, the Chinese in Noto Sans CJK embedded (subset) so it reads on any
 * machine, each issuing department's seal drawn as the official seal looks, and the QR code of the
 * public verification link. The PDF is a view: what counts is the signed document, which the
 * verifier checks (谁签章谁核验); the renderer checks nothing and shows what it is given, sensitive
 * fields included (the wallet gives it only to the holder).
 */
import PDFDocument from 'pdfkit';
import type { CertificateType, SignedCertificate } from '../../domain/certificates.js';
import { requireCjkFont } from '../../infra/fonts.js';
import { certificateContent, type Language } from './pdf-layout.js';
import { TEMPLATES } from './pdf-templates.js';

export interface CertificatePdfOptions {
  /** The link the QR code carries: the certificate's public verification page. */
  verificationUrl: string;
  /** A CJK font file (TrueType, OpenType or a .ttc collection). */
  fontPath: string;
  /** The PostScript name of the face in a collection; Noto Sans CJK SC Regular when absent. */
  fontName?: string;
  /** Which language leads (the other beneath); Chinese by default. */
  language?: Language;
}

const FONT = 'cjk';
const DEFAULT_FACE = 'NotoSansCJKsc-Regular';

/** Renders the signed certificate as a one-page A4 PDF per `type.template`. The same input gives the same bytes. */
export async function renderCertificatePdf(
  signed: SignedCertificate,
  type: CertificateType,
  options: CertificatePdfOptions,
): Promise<Buffer> {
  const language = options.language ?? 'zh';
  const { document } = signed;
  const created = new Date(document.issuedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    lang: language === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
    info: {
      Title: `${document.title.zh} ${document.title.en} ${document.id}`,
      Subject: type.id,
      Creator: 'applyfree',
      Producer: 'applyfree',
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const isCollection = /\.(ttc|otc)$/i.test(options.fontPath);
  doc.registerFont(FONT, options.fontPath, options.fontName ?? (isCollection ? DEFAULT_FACE : undefined));
  const content = certificateContent(signed, type, options.verificationUrl, language);
  TEMPLATES[type.template]({ doc, font: FONT, language }, content);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

/** The public verification page of certificate `id` under the API's `baseUrl` (the QR code's link). */
export function certificateVerificationUrl(baseUrl: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/certificates/${encodeURIComponent(id)}/verification`;
}

/**
 * The wallet's PDF of a certificate: its verification link under `baseUrl`, the CJK font found on
 * this machine (never installed at request time: a ProvisionError naming the package when missing).
 */
export function certificatePdfFor(
  signed: SignedCertificate,
  type: CertificateType,
  options: { baseUrl: string; language?: Language },
): Promise<Buffer> {
  const font = requireCjkFont();
  return renderCertificatePdf(signed, type, {
    verificationUrl: certificateVerificationUrl(options.baseUrl, signed.document.id),
    fontPath: font.path,
    fontName: font.name,
    ...(options.language ? { language: options.language } : {}),
  });
}
