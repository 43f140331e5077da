/**
 * The three layouts a certificate type names (`template`), each one A4 page: a card (a panel the
 * shape of a card: the senior preferential card), a letter (an official letter under the issuers'
 * red heading: a decision), and a notice (a bordered notice: a school enrollment). Every layout
 * shows the same things: the title in both languages, the holder, each field with its label, the
 * number, issue date and validity, each seal with its ID and fingerprint, and the QR code.
 */
import { drawSeal, SEAL_RED } from './pdf-marks.js';
import {
  both,
  drawCentred,
  drawNote,
  drawQrBlock,
  drawRow,
  drawSealCaption,
  GREY,
  INK,
  ordered,
  rowHeight,
  type CertificateContent,
  type Sheet,
} from './pdf-layout.js';

export type Template = (sheet: Sheet, content: CertificateContent) => void;

const PAGE_LEFT = 50;
const PAGE_WIDTH = 495;
const BAND = '#1f4e79';
const ELECTRONIC = { zh: '电子证照', en: 'Electronic certificate' };

/** The seals' captions side by side from `top`, then the closing note; returns the bottom. */
function drawSealFooter(sheet: Sheet, content: CertificateContent, top: number, left: number, width: number): number {
  const column = width / Math.max(content.seals.length, 2);
  const bottoms = content.seals.map((seal, i) =>
    drawSealCaption(sheet, seal, { x: left + i * column, y: top }, column - 14),
  );
  return drawNote(sheet, content.verificationUrl, left, Math.max(top, ...bottoms) + 8, width);
}

/**
 * The signing area of a letter or notice from `top`: the QR code on the left; on the right each
 * issuer's name in a column of its own with its seal stamped over it, as on paper, and the date of
 * issue beneath. A seal whose department is not among the issuers gets a column too. Returns the bottom.
 */
function drawSigningArea(sheet: Sheet, content: CertificateContent, top: number, left: number, width: number): number {
  const { doc } = sheet;
  const qrBottom = drawQrBlock(sheet, content.verificationUrl, { x: left, y: top }, 100);
  const columns = [
    ...content.issuers.map((issuer) => ({
      name: issuer.name,
      seal: content.seals.find((seal) => seal.signature.department === issuer.department),
    })),
    ...content.seals
      .filter((seal) => !content.issuers.some((issuer) => issuer.department === seal.signature.department))
      .map((seal) => ({ name: seal.name, seal })),
  ];
  const columnWidth = Math.min(220, (width - 130) / Math.max(columns.length, 1));
  const areaX = left + width - columnWidth * columns.length;
  const radius = 50;
  let bottom = top;
  columns.forEach((column, i) => {
    const x = areaX + i * columnWidth;
    const [first, second] = ordered(sheet.language, column.name);
    let y = top + 30;
    doc.font(sheet.font).fontSize(12).fillColor(INK).text(first, x, y, { width: columnWidth, align: 'center' });
    y += doc.heightOfString(first, { width: columnWidth });
    doc
      .fontSize(7.5)
      .fillColor(GREY)
      .text(second, x + 8, y, { width: columnWidth - 16, align: 'center' });
    bottom = Math.max(bottom, y + doc.heightOfString(second, { width: columnWidth - 16 }));
  });
  const area = columnWidth * columns.length;
  doc
    .fontSize(11)
    .fillColor(INK)
    .text(content.issuedOn, areaX, bottom + 8, { width: area, align: 'center' });
  bottom += 8 + doc.heightOfString(content.issuedOn, { width: area });
  // The seals last, over the names and the date, as a stamp lies over the ink.
  columns.forEach((column, i) => {
    if (column.seal)
      drawSeal(doc, { x: areaX + (i + 0.5) * columnWidth, y: top + 50 }, radius, column.seal.name.zh, sheet.font);
  });
  return Math.max(qrBottom, top + 50 + radius, bottom);
}

/** The senior preferential card and its kind: a card-shaped panel with a coloured band, the QR code and seals on it. */
export const drawCard: Template = (sheet, content) => {
  const { doc } = sheet;
  const x = PAGE_LEFT;
  const top = 86;
  const band = 68;
  const bodyX = x + 22;
  const bodyWidth = PAGE_WIDTH - 22 - 150;
  const rows = [...content.fields, ...content.facts];
  const holderHeight = content.holderName ? 46 : 0;
  const needed = band + 16 + holderHeight + rows.reduce((sum, row) => sum + rowHeight(sheet, row, bodyWidth), 0) + 14;
  const height = Math.max(312, needed);

  doc.font(sheet.font).fontSize(9).fillColor(GREY).text(both(sheet.language, ELECTRONIC), x, 52, { width: PAGE_WIDTH });
  doc.save();
  doc.roundedRect(x, top, PAGE_WIDTH, height, 16).clip();
  doc.rect(x, top, PAGE_WIDTH, height).fill('#fbf7ee');
  doc.rect(x, top, PAGE_WIDTH, band).fill(BAND);
  doc.restore();
  doc.roundedRect(x, top, PAGE_WIDTH, height, 16).lineWidth(1.2).stroke('#c8a45a');

  const [title, subtitle] = ordered(sheet.language, content.title);
  doc
    .font(sheet.font)
    .fontSize(21)
    .fillColor('#ffffff')
    .text(title, bodyX, top + 12, { width: PAGE_WIDTH - 44 });
  doc
    .fontSize(10)
    .fillColor('#d5e3f2')
    .text(subtitle, bodyX, top + 42, { width: PAGE_WIDTH - 44 });

  let y = top + band + 16;
  if (content.holderName) {
    doc.fontSize(8).fillColor(GREY).text(both(sheet.language, content.holderLabel), bodyX, y, { width: bodyWidth });
    doc
      .fontSize(18)
      .fillColor(INK)
      .text(content.holderName, bodyX, y + 12, { width: bodyWidth });
    y += holderHeight;
  }
  for (const row of rows) y = drawRow(sheet, row, { x: bodyX, y }, bodyWidth);

  const qrSize = 104;
  const qrX = x + PAGE_WIDTH - qrSize - 24;
  drawQrBlock(sheet, content.verificationUrl, { x: qrX, y: top + band + 14 }, qrSize);
  const radius = 44;
  content.seals.forEach((seal, i) =>
    drawSeal(doc, { x: qrX + qrSize / 2 - i * 100, y: top + height - radius - 14 }, radius, seal.name.zh, sheet.font),
  );
  drawSealFooter(sheet, content, top + height + 24, x, PAGE_WIDTH);
};

/** A decision letter: the issuers' red heading, the title, the holder addressed, the fields, then the signing area. */
export const drawLetter: Template = (sheet, content) => {
  const { doc } = sheet;
  const left = 72;
  const width = 451;
  let y = 58;
  const heading = content.issuers.map((issuer) => ordered(sheet.language, issuer.name)[0]).join('  ');
  doc.font(sheet.font).fontSize(24).fillColor(SEAL_RED).text(heading, left, y, { width, align: 'center' });
  y += doc.heightOfString(heading, { width }) + 6;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(1.6)
    .stroke(SEAL_RED);
  y = drawCentred(sheet, content.title, y + 16, 18, INK, left, width) + 20;
  if (content.holderName) {
    const greeting = sheet.language === 'zh' ? `${content.holderName}：` : `To ${content.holderName}:`;
    doc.fontSize(12.5).fillColor(INK).text(greeting, left, y, { width });
    y += doc.heightOfString(greeting, { width }) + 12;
  }
  for (const row of [...content.fields, ...content.facts])
    y = drawRow(sheet, row, { x: left + 24, y }, width - 24, { labelWidth: 118 });
  const bottom = drawSigningArea(sheet, content, Math.max(y + 36, 470), left, width);
  drawSealFooter(sheet, content, bottom + 22, left, width);
};

/** A notice (the school enrollment notice): a red double border, a large red title, the holder's name centred. */
export const drawNotice: Template = (sheet, content) => {
  const { doc } = sheet;
  const { width: pageWidth, height: pageHeight } = doc.page;
  doc
    .rect(28, 28, pageWidth - 56, pageHeight - 56)
    .lineWidth(2.5)
    .stroke(SEAL_RED);
  doc
    .rect(35, 35, pageWidth - 70, pageHeight - 70)
    .lineWidth(0.8)
    .stroke(SEAL_RED);
  let y = drawCentred(sheet, content.title, 76, 30, SEAL_RED) + 26;
  if (content.holderName) {
    doc.font(sheet.font).fontSize(8.5).fillColor(GREY);
    doc.text(both(sheet.language, content.holderLabel), 0, y, { width: pageWidth, align: 'center' });
    doc
      .fontSize(22)
      .fillColor(INK)
      .text(content.holderName, 0, y + 13, { width: pageWidth, align: 'center' });
    y += 52;
  }
  const left = 110;
  const width = pageWidth - 2 * left;
  for (const row of [...content.fields, ...content.facts])
    y = drawRow(sheet, row, { x: left, y }, width, { labelWidth: 118 });
  const bottom = drawSigningArea(sheet, content, Math.max(y + 36, 480), 72, pageWidth - 144);
  drawSealFooter(sheet, content, bottom + 22, 72, pageWidth - 144);
};

export const TEMPLATES: Record<'card' | 'letter' | 'notice', Template> = {
  card: drawCard,
  letter: drawLetter,
  notice: drawNotice,
};
