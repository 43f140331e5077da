/**
 * A notice printed at the service window as a letter (书面通知): for a person without a phone, the
 * paper is how the notice reaches them. One A4 page in the certificate PDFs' style (their layout
 * helpers, services/certificates/pdf-layout.ts): the city's heading, the notice's title and text in
 * Chinese with the English beneath, who it is for (masked), when it was sent, where and by whom it
 * was printed, and a QR code that opens the notice's online check — its decision letter's
 * verification page when it has one, else the printed notice's own check (print.ts), which says
 * whether it is genuine and shows no personal data. Noto Sans CJK embedded (infra/fonts.ts).
 */
import PDFDocument from 'pdfkit';
import { requireCjkFont } from '../../infra/fonts.js';
import type { Text } from '../../domain/sources.js';
import {
  drawCentred,
  drawQrBlock,
  drawRow,
  formatDate,
  GREY,
  INK,
  ordered,
  type Sheet,
} from '../certificates/pdf-layout.js';

/** What the letter shows. */
export interface NoticeLetter {
  title: Text;
  body: Text;
  /** The person, masked (**************123X, 张**). */
  recipient: string;
  /** When the notice was sent (its inbox delivery). */
  deliveredAt: Date;
  /** The print's ID (what the notice check is looked up by). */
  printId: string;
  window: string;
  staffName: string;
  printedAt: Date;
  /** SHA-256 of the notice's content, printed so a reader can compare it with the check's. */
  digest: string;
  /** The link the QR code carries. */
  checkUrl: string;
  /** Whether the link is the decision letter's verification (else the notice's own check). */
  checkIs: 'decision-letter' | 'notice';
}

const WORDS = {
  heading: { zh: '德州市政务服务中心', en: 'Dezhou Government Service Centre' },
  kind: { zh: '书面通知', en: 'Notice (printed at the service window)' },
  recipient: { zh: '收件人', en: 'To' },
  sentOn: { zh: '通知日期', en: 'Date of notice' },
  printedAt: { zh: '打印窗口', en: 'Printed at' },
  printId: { zh: '打印编号', en: 'Print No.' },
  digest: { zh: '内容摘要', en: 'Content digest' },
  checkLetter: {
    zh: '扫描二维码可在线核验本通知所涉决定书的真伪。',
    en: 'Scan the QR code to check the decision letter this notice concerns online.',
  },
  checkNotice: {
    zh: '扫描二维码可在线核验本通知的真伪（不显示个人信息）。',
    en: 'Scan the QR code to check online that this notice is genuine (no personal data is shown).',
  },
} satisfies Record<string, Text>;

const LEFT = 60;
const WIDTH = 475;
const BAND = '#1f4e79';

/** A city date-time (Asia/Shanghai) as YYYY-MM-DD HH:mm. */
function cityTime(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3_600_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/** The letter's text: a heading band, the title, the body in both languages, the details and the QR code. */
function drawLetter(sheet: Sheet, letter: NoticeLetter): void {
  const { doc } = sheet;
  doc.rect(0, 0, doc.page.width, 8).fill(BAND);
  let y = drawCentred(sheet, WORDS.heading, 48, 20, BAND);
  y = drawCentred(sheet, WORDS.kind, y + 4, 11, GREY);
  doc
    .moveTo(LEFT, y + 10)
    .lineTo(LEFT + WIDTH, y + 10)
    .lineWidth(1)
    .strokeColor(BAND)
    .stroke();
  y = drawCentred(sheet, letter.title, y + 26, 17, INK);
  y += 18;
  const [first, second] = ordered(sheet.language, letter.body);
  doc.font(sheet.font).fontSize(12).fillColor(INK).text(first, LEFT, y, { width: WIDTH, lineGap: 4 });
  y += doc.heightOfString(first, { width: WIDTH, lineGap: 4 }) + 8;
  doc.fontSize(9).fillColor(GREY).text(second, LEFT, y, { width: WIDTH, lineGap: 2 });
  y += doc.heightOfString(second, { width: WIDTH, lineGap: 2 }) + 24;
  const date = formatDate(cityTime(letter.deliveredAt).slice(0, 10), sheet.language);
  const rows = [
    { label: WORDS.recipient, value: letter.recipient },
    { label: WORDS.sentOn, value: date },
    {
      label: WORDS.printedAt,
      value: `${letter.window} · ${letter.staffName} · ${cityTime(letter.printedAt)}`,
    },
    { label: WORDS.printId, value: letter.printId },
    { label: WORDS.digest, value: `SHA-256 ${letter.digest.slice(0, 32)}` },
  ];
  for (const row of rows) y = drawRow(sheet, row, { x: LEFT, y }, WIDTH);
  const qrTop = Math.max(y + 16, 560);
  drawQrBlock(sheet, letter.checkUrl, { x: LEFT, y: qrTop }, 100);
  const note = letter.checkIs === 'decision-letter' ? WORDS.checkLetter : WORDS.checkNotice;
  const [noteFirst, noteSecond] = ordered(sheet.language, note);
  const noteX = LEFT + 130;
  doc
    .font(sheet.font)
    .fontSize(10)
    .fillColor(INK)
    .text(noteFirst, noteX, qrTop + 10, { width: WIDTH - 130 });
  const below = qrTop + 10 + doc.heightOfString(noteFirst, { width: WIDTH - 130 }) + 4;
  doc
    .fontSize(8)
    .fillColor(GREY)
    .text(noteSecond, noteX, below, { width: WIDTH - 130 });
  const linkY = below + doc.heightOfString(noteSecond, { width: WIDTH - 130 }) + 6;
  doc
    .fontSize(7)
    .fillColor(GREY)
    .text(letter.checkUrl, noteX, linkY, { width: WIDTH - 130 });
}

/** Renders the notice as a one-page A4 PDF with the CJK font embedded; the same letter gives the same bytes. */
export async function renderNoticePdf(letter: NoticeLetter, language: 'zh' | 'en' = 'zh'): Promise<Buffer> {
  const font = requireCjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    lang: language === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
    info: {
      Title: `${letter.title.zh} ${letter.title.en}`,
      Subject: 'notice',
      Creator: 'applyfree',
      Producer: 'applyfree',
      CreationDate: letter.printedAt,
      ModDate: letter.printedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.name);
  drawLetter({ doc, font: 'cjk', language }, letter);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
