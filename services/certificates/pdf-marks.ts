/**
 * What a certificate PDF draws besides text: the issuing department's seal as a Chinese official
 * seal looks (a red ring, the department's name round the rim, a five-pointed star in the centre),
 * the QR code of the verification link (vector modules, so it scans at any zoom), and the short
 * fingerprint of a seal's signature a reader can compare with the verifier's answer.
 */
import { createHash } from 'node:crypto';
import QRCode from 'qrcode';

/** The red of a seal's ink. */
export const SEAL_RED = '#d8141c';

/** A point on the page, in PDF points from the top left. */
export interface Point {
  x: number;
  y: number;
}

/**
 * The SM3 digest of a seal signature's DER bytes, in hex groups of eight: what the PDF prints under
 * the seal so a reader can match it with the signature a verifier checked.
 */
export function signatureFingerprint(signatureBase64: string): string {
  const digest = createHash('sm3').update(Buffer.from(signatureBase64, 'base64')).digest('hex');
  return digest.match(/.{8}/g)!.join(' ');
}

/** The points of a five-pointed star of outer radius `radius`, one point straight up. */
function starPoints(centre: Point, radius: number): Array<[number, number]> {
  const inner = radius * 0.382;
  return Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? radius : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return [centre.x + r * Math.cos(angle), centre.y + r * Math.sin(angle)];
  });
}

/**
 * How an official seal sets the issuer's name round the top of its ring: centred on the top,
 * spread over 100° for a short name and up to 240° for a long one, each character as large as
 * its share of the arc allows. Angles are degrees clockwise from straight up.
 */
function rimLayout(count: number, radius: number): { charSize: number; textRadius: number; angles: number[] } {
  const span = count <= 1 ? 0 : Math.min(240, Math.max(100, 34 * (count - 1)));
  const step = count <= 1 ? 0 : span / (count - 1);
  const largest = radius * 0.32;
  const radiusFor = (charSize: number) => radius * 0.86 - charSize / 2;
  const charSize = count <= 1 ? largest : Math.min(largest, ((step * Math.PI) / 180) * radiusFor(largest) * 0.92);
  return {
    charSize,
    textRadius: radiusFor(charSize),
    angles: Array.from({ length: count }, (_, i) => -span / 2 + i * step),
  };
}

/**
 * A round red seal of radius `radius` centred at `centre`: the ring, `name` round the rim (each
 * character's foot towards the centre), and the star. `font` is the registered CJK font's name.
 */
export function drawSeal(doc: PDFKit.PDFDocument, centre: Point, radius: number, name: string, font: string): void {
  const chars = [...name];
  const { charSize, textRadius, angles } = rimLayout(chars.length, radius);
  doc.save();
  doc.fillOpacity(0.88).strokeOpacity(0.88).fillColor(SEAL_RED).strokeColor(SEAL_RED);
  doc
    .lineWidth(radius * 0.055)
    .circle(centre.x, centre.y, radius * 0.96)
    .stroke();
  doc.polygon(...starPoints(centre, radius * 0.3)).fill();
  doc.font(font).fontSize(charSize);
  angles.forEach((angle, i) => {
    doc.save();
    doc.translate(centre.x, centre.y).rotate(angle);
    // The glyph's body sits about 0.38 em above its baseline: centre it on the text radius.
    doc.text(chars[i], -charSize / 2, -textRadius + charSize * 0.38, { lineBreak: false, baseline: 'alphabetic' });
    doc.restore();
  });
  doc.restore();
}

/**
 * The QR code of `text` as black squares on a white field with the standard quiet zone of four
 * modules, `size` points wide, its top left at `at`.
 */
export function drawQrCode(doc: PDFKit.PDFDocument, text: string, at: Point, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const unit = size / (modules.size + quiet * 2);
  doc.save();
  doc.rect(at.x, at.y, size, size).fill('#ffffff');
  doc.fillColor('#000000');
  for (let row = 0; row < modules.size; row++) {
    // One rectangle per run of dark modules in the row.
    let run = -1;
    for (let col = 0; col <= modules.size; col++) {
      const dark = col < modules.size && modules.get(row, col);
      if (dark && run < 0) run = col;
      if (!dark && run >= 0) {
        doc.rect(at.x + (quiet + run) * unit, at.y + (quiet + row) * unit, (col - run) * unit, unit);
        run = -1;
      }
    }
  }
  doc.fill();
  doc.restore();
}
