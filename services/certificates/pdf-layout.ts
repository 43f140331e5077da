/**
 * The pieces every certificate template lays out: what the certificate says, gathered once from the
 * signed document and its type (rows of labelled values, the seals with their departments' names),
 * bilingual text (the reader's language first, the other beneath), and the blocks each template
 * places (a labelled row, a seal's caption, the QR code with its line, the closing note).
 */
import type { CertificateType, SealSignature, SignedCertificate } from '../../domain/certificates.js';
import type { Text } from '../../domain/sources.js';
import { drawQrCode, signatureFingerprint, type Point } from './pdf-marks.js';

export type Language = 'zh' | 'en';

/** The document being drawn, its language and the name the CJK font is registered under. */
export interface Sheet {
  doc: PDFKit.PDFDocument;
  font: string;
  language: Language;
}

/** A labelled value of the certificate: a field of its type, or its number, issue date or validity. */
export interface Row {
  label: Text;
  value: string;
}

/** A seal that signed the certificate, with the department's name as the document names it. */
export interface SealMark {
  signature: SealSignature;
  name: Text;
}

/** What a template shows, gathered from the signed document and its type. */
export interface CertificateContent {
  title: Text;
  holderLabel: Text;
  holderName?: string;
  /** The departments that vouch for it, as the document names them (a letter's heading, its signing area). */
  issuers: Array<{ department: string; name: Text }>;
  fields: Row[];
  /** The certificate number, date of issue and validity. */
  facts: Row[];
  issuedOn: string;
  seals: SealMark[];
  verificationUrl: string;
}

const WORDS = {
  person: { zh: '持证人', en: 'Holder' },
  enterprise: { zh: '持证单位', en: 'Holder (enterprise)' },
  number: { zh: '证照编号', en: 'Certificate No.' },
  issuedOn: { zh: '发证日期', en: 'Date of issue' },
  validUntil: { zh: '有效期至', en: 'Valid until' },
  untilRevoked: { zh: '长期有效（撤销前）', en: 'Until revoked' },
  sealId: { zh: '印章编号', en: 'Seal ID' },
  fingerprint: { zh: '签名指纹', en: 'Signature fingerprint' },
  scan: { zh: '扫码核验', en: 'Scan to verify' },
  note: {
    zh: '本电子证照由上列电子印章以 SM2 签章，真伪以核验结果为准。',
    en: 'This electronic certificate is sealed with SM2 by the seals above; the verification result is authoritative.',
  },
  verifyAt: { zh: '核验地址', en: 'Verify at' },
} satisfies Record<string, Text>;

export const GREY = '#5f6368';
export const INK = '#202124';

/** `text` in `language` first, then the other. */
export function ordered(language: Language, text: Text): [string, string] {
  return language === 'zh' ? [text.zh, text.en] : [text.en, text.zh];
}

/** `text` on one line: `language` first, then the other. */
export function both(language: Language, text: Text): string {
  return ordered(language, text).join(' ');
}

/** A city date (YYYY-MM-DD) as the language writes it: 2025年3月1日, or the ISO date. */
export function formatDate(date: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match || language === 'en') return date;
  return `${match[1]}年${Number(match[2])}月${Number(match[3])}日`;
}

/** Gathers what the templates show; a field the document lacks shows a dash. */
export function certificateContent(
  signed: SignedCertificate,
  type: CertificateType,
  verificationUrl: string,
  language: Language,
): CertificateContent {
  const { document } = signed;
  const fields = type.fields.map((spec) => {
    const value = document.fields[spec.key];
    const shown =
      value === undefined ? '—' : spec.type === 'date' ? formatDate(String(value), language) : String(value);
    return { label: spec.label, value: shown };
  });
  const validity = document.validUntil ? formatDate(document.validUntil, language) : both(language, WORDS.untilRevoked);
  const names = new Map(document.issuers.map((issuer) => [issuer.department, issuer.name]));
  return {
    title: document.title,
    holderLabel: WORDS[document.holder.kind],
    holderName: document.holder.displayName,
    issuers: document.issuers,
    fields,
    facts: [
      { label: WORDS.number, value: document.id },
      { label: WORDS.issuedOn, value: formatDate(document.issuedOn, language) },
      { label: WORDS.validUntil, value: validity },
    ],
    issuedOn: formatDate(document.issuedOn, language),
    seals: signed.signatures.map((signature) => ({
      signature,
      name: names.get(signature.department) ?? { zh: signature.department, en: signature.department },
    })),
    verificationUrl,
  };
}

/**
 * A label (the sheet's language above, the other smaller beneath) with its value beside it,
 * wrapped within `width`; returns where the next row starts.
 */
export function drawRow(
  sheet: Sheet,
  row: Row,
  at: Point,
  width: number,
  options: { labelWidth?: number; valueSize?: number } = {},
): number {
  const { doc } = sheet;
  const labelWidth = options.labelWidth ?? 96;
  const valueSize = options.valueSize ?? 11.5;
  const [first, second] = ordered(sheet.language, row.label);
  doc
    .font(sheet.font)
    .fontSize(9.5)
    .fillColor(INK)
    .text(first, at.x, at.y + 1, { width: labelWidth - 6 });
  const firstHeight = doc.heightOfString(first, { width: labelWidth - 6 });
  doc
    .fontSize(6.5)
    .fillColor(GREY)
    .text(second, at.x, at.y + 1 + firstHeight, { width: labelWidth - 6 });
  const labelHeight = firstHeight + doc.heightOfString(second, { width: labelWidth - 6 });
  const valueWidth = width - labelWidth;
  doc
    .fontSize(valueSize)
    .fillColor(INK)
    .text(row.value, at.x + labelWidth, at.y, { width: valueWidth });
  const valueHeight = doc.heightOfString(row.value, { width: valueWidth });
  return at.y + Math.max(labelHeight, valueHeight) + 7;
}

/** The height drawRow would take, for templates that size a panel before drawing it. */
export function rowHeight(
  sheet: Sheet,
  row: Row,
  width: number,
  options: { labelWidth?: number; valueSize?: number } = {},
): number {
  const { doc } = sheet;
  const labelWidth = options.labelWidth ?? 96;
  const [first, second] = ordered(sheet.language, row.label);
  doc.font(sheet.font).fontSize(9.5);
  const firstHeight = doc.heightOfString(first, { width: labelWidth - 6 });
  doc.fontSize(6.5);
  const labelHeight = firstHeight + doc.heightOfString(second, { width: labelWidth - 6 });
  doc.fontSize(options.valueSize ?? 11.5);
  return Math.max(labelHeight, doc.heightOfString(row.value, { width: width - labelWidth })) + 7;
}

/** Centred bilingual text: the sheet's language at `size`, the other beneath at `size * secondScale`; returns the bottom. */
export function drawCentred(
  sheet: Sheet,
  text: Text,
  y: number,
  size: number,
  colour: string,
  x = 0,
  width?: number,
): number {
  const { doc } = sheet;
  const w = width ?? doc.page.width;
  const [first, second] = ordered(sheet.language, text);
  doc.font(sheet.font).fontSize(size).fillColor(colour).text(first, x, y, { width: w, align: 'center' });
  const below = y + doc.heightOfString(first, { width: w });
  doc
    .fontSize(Math.max(size * 0.45, 8))
    .fillColor(GREY)
    .text(second, x, below, { width: w, align: 'center' });
  return below + doc.heightOfString(second, { width: w });
}

/**
 * Under a seal: the department's name, the seal's ID and the fingerprint of its signature, small,
 * within `width`; returns the bottom.
 */
export function drawSealCaption(sheet: Sheet, seal: SealMark, at: Point, width: number): number {
  const { doc } = sheet;
  const lines: Array<[string, number, string]> = [
    [both(sheet.language, seal.name), 8.5, INK],
    [`${both(sheet.language, WORDS.sealId)}: ${seal.signature.sealId}`, 6.5, GREY],
    [`${both(sheet.language, WORDS.fingerprint)} (SM3): ${signatureFingerprint(seal.signature.signature)}`, 6, GREY],
  ];
  let y = at.y;
  for (const [text, size, colour] of lines) {
    doc.font(sheet.font).fontSize(size).fillColor(colour).text(text, at.x, y, { width });
    y += doc.heightOfString(text, { width }) + 1.5;
  }
  return y;
}

/** The QR code of the verification link, `size` wide at `at`, with "扫码核验 Scan to verify" beneath. */
export function drawQrBlock(sheet: Sheet, url: string, at: Point, size: number): number {
  const { doc } = sheet;
  drawQrCode(doc, url, at, size);
  const line = sheet.language === 'zh' ? '扫码核验 Scan to verify' : 'Scan to verify 扫码核验';
  doc
    .font(sheet.font)
    .fontSize(8.5)
    .fillColor(INK)
    .text(line, at.x - 20, at.y + size + 3, { width: size + 40, align: 'center' });
  return at.y + size + 3 + doc.heightOfString(line, { width: size + 40 });
}

/** The closing note and the verification link, small, from `y` across the page's text width. */
export function drawNote(sheet: Sheet, url: string, x: number, y: number, width: number): number {
  const { doc } = sheet;
  const lines = [both(sheet.language, WORDS.note), `${both(sheet.language, WORDS.verifyAt)}: ${url}`];
  let bottom = y;
  for (const line of lines) {
    doc.font(sheet.font).fontSize(7).fillColor(GREY).text(line, x, bottom, { width });
    bottom += doc.heightOfString(line, { width }) + 2;
  }
  return bottom;
}
