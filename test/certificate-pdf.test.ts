/**
 * A certificate's PDF read back as a reader's software reads it (pdf.js's text layer, as when a
 * holder searches or copies it): one A4 page per template whose text is the certificate's own in
 * Chinese and English — the title, the holder, each field's label and value, the dates, the
 * number, each seal's department, ID and fingerprint, the verification link — drawn with the
 * embedded Noto Sans CJK, so it reads the same on a machine without the font.
 */
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureCjkFont, type CjkFont } from '../infra/fonts.js';
import { createProgress } from '../infra/progress.js';
import { signatureFingerprint } from '../services/certificates/pdf-marks.js';
import { certificatePdfFor, certificateVerificationUrl, renderCertificatePdf } from '../services/certificates/pdf.js';
import {
  ENROLLMENT_NOTICE,
  JOINT_DECISION,
  SENIOR_CARD,
  type SampleCertificate,
} from './support/sample-certificates.js';

const stack = inject('stack');
const BASE_URL = 'https://services.city.example';

let font: CjkFont;

beforeAll(async () => {
  font = await ensureCjkFont(createProgress({ interactive: false }), stack.cacheDir);
});

interface ReadPdf {
  pages: number;
  /** Page 1's text as pdf.js gives it, a wrapped line's break as one space. */
  text: string;
  /** The fonts page 1 draws with: their names and whether each is embedded. */
  fonts: Array<{ name: string; embedded: boolean }>;
  size: { width: number; height: number };
}

async function readPdf(pdf: Buffer): Promise<ReadPdf> {
  const document = await getDocument({ data: new Uint8Array(pdf) }).promise;
  try {
    const page = await document.getPage(1);
    const content = await page.getTextContent();
    const text = content.items
      .map((item) => ('str' in item ? item.str + (item.hasEOL ? ' ' : '') : ''))
      .join('')
      .replace(/\s+/g, ' ');
    const operators = await page.getOperatorList();
    const ids = new Set(
      operators.fnArray.flatMap((fn, i) => (fn === OPS.setFont ? [operators.argsArray[i][0] as string] : [])),
    );
    const fonts = [...ids].map((id) => {
      const loaded = page.commonObjs.get(id) as { name: string; missingFile: boolean };
      return { name: loaded.name, embedded: !loaded.missingFile };
    });
    const [, , width, height] = page.view;
    return { pages: document.numPages, text, fonts, size: { width, height } };
  } finally {
    await document.destroy();
  }
}

const render = ({ signed, type }: SampleCertificate, language?: 'zh' | 'en') =>
  renderCertificatePdf(signed, type, {
    verificationUrl: certificateVerificationUrl(BASE_URL, signed.document.id),
    fontPath: font.path,
    fontName: font.name,
    ...(language ? { language } : {}),
  });

describe('a certificate PDF', () => {
  it.each<[string, SampleCertificate, string[]]>([
    [
      'the senior card',
      SENIOR_CARD,
      [
        '老年人优待证',
        'Senior Citizen Preferential Card',
        '张秀英',
        '出生日期',
        '1955年2月14日',
        '优待项目',
        '公园景区免票，公交免费乘车',
        '有效期至',
        '2030年2月28日',
      ],
    ],
    [
      'the joint decision letter',
      JOINT_DECISION,
      [
        '给予待遇决定书',
        'Decision to Grant a Benefit',
        '李建国',
        '待遇项目',
        '高龄津贴',
        '每月金额（元）',
        '200',
        '长期有效（撤销前）',
      ],
    ],
    [
      'the enrollment notice',
      ENROLLMENT_NOTICE,
      ['入学通知书', 'School Enrollment Notice', '王小明', '学校', '第一实验小学', '报到日期', '2025年9月1日'],
    ],
  ])(
    '%s is one A4 page whose text says what the certificate says, in the embedded Chinese font',
    async (_, sample, says) => {
      const read = await readPdf(await render(sample));
      expect(read.pages).toBe(1);
      expect(read.size).toEqual({ width: 595.28, height: 841.89 });
      for (const words of says) expect(read.text).toContain(words);
      const { document, signatures } = sample.signed;
      expect(read.text).toContain(document.id);
      expect(read.text).toContain('发证日期');
      expect(read.text).toContain('扫码核验 Scan to verify');
      expect(read.text).toContain(certificateVerificationUrl(BASE_URL, document.id));
      // Every seal: its department by name, its ID, and its signature's fingerprint.
      expect(signatures).toHaveLength(document.issuers.length);
      for (const issuer of document.issuers) expect(read.text).toContain(`${issuer.name.zh} ${issuer.name.en}`);
      for (const signature of signatures) {
        expect(read.text).toContain(signature.sealId);
        expect(read.text).toContain(signatureFingerprint(signature.signature));
      }
      expect(read.fonts.length).toBeGreaterThan(0);
      for (const used of read.fonts)
        expect(used).toEqual({ name: expect.stringContaining('NotoSansCJKsc'), embedded: true });
    },
  );

  it('in English, English leads and the Chinese follows', async () => {
    const { text } = await readPdf(await render(SENIOR_CARD, 'en'));
    expect(text.indexOf('Senior Citizen Preferential Card')).toBeLessThan(text.indexOf('老年人优待证'));
    expect(text.indexOf('Date of birth')).toBeLessThan(text.indexOf('出生日期'));
    expect(text).toContain('1955-02-14');
    expect(text).toContain('Scan to verify 扫码核验');
  });

  it('the same certificate renders to the same bytes', async () => {
    expect((await render(JOINT_DECISION)).equals(await render(JOINT_DECISION))).toBe(true);
  });

  it("the wallet's PDF links to the certificate's verification page under the API's address", async () => {
    const { signed, type } = SENIOR_CARD;
    const { text } = await readPdf(await certificatePdfFor(signed, type, { baseUrl: `${BASE_URL}/` }));
    expect(text).toContain(`${BASE_URL}/certificates/CERT-2025-7Q4M9X2K/verification`);
    expect(text).toContain('老年人优待证');
  });
});
