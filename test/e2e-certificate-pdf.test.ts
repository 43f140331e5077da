/**
 * A certificate's PDF as a holder sees it, in Debian's Chromium with pdf.js drawing the page: one
 * page per template (the senior card, a joint decision letter under two seals, an enrollment
 * notice), its text drawn with the embedded Chinese font (no stand-in), the seals' red on it, and a
 * QR code a phone's camera reads as the certificate's verification link. Screenshots go to
 * test-output/certificates/ for a person to look at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { subjectKey } from '../domain/pseudonym.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createCertificateService } from '../services/certificates/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { testSeals } from './support/seals.js';
import { testSessions, testToken } from './support/users.js';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureCjkFont, type CjkFont } from '../infra/fonts.js';
import { createProgress } from '../infra/progress.js';
import { certificateVerificationUrl, renderCertificatePdf } from '../services/certificates/pdf.js';
import { CHROMIUM_ARGS, ensureChromium } from './support/chromium.js';
import { countSealRed, drawPdfInPage, readQrCode } from './support/pdf-browser.js';
import {
  ENROLLMENT_NOTICE,
  JOINT_DECISION,
  SENIOR_CARD,
  type SampleCertificate,
} from './support/sample-certificates.js';

const stack = inject('stack');
const SHOTS = join(process.cwd(), 'test-output', 'certificates');
const BASE_URL = 'https://services.city.example';

let browser: Browser;
let font: CjkFont;

beforeAll(async () => {
  const progress = createProgress({ interactive: false });
  const chromiumPath = (await ensureChromium(stack.cacheDir, progress)).path;
  font = await ensureCjkFont(progress, stack.cacheDir);
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

describe('a certificate PDF in the browser', () => {
  it.each<[string, SampleCertificate]>([
    ['the senior card', SENIOR_CARD],
    ['the joint decision letter', JOINT_DECISION],
    ['the enrollment notice', ENROLLMENT_NOTICE],
  ])(
    '%s draws its Chinese with the embedded font, shows its seals and a QR code that reads as its verification link',
    async (_, { signed, type }) => {
      const verificationUrl = certificateVerificationUrl(BASE_URL, signed.document.id);
      const pdf = await renderCertificatePdf(signed, type, {
        verificationUrl,
        fontPath: font.path,
        fontName: font.name,
      });
      const page = await browser.newPage({ viewport: { width: 1240, height: 1760 } });
      try {
        const drawn = await drawPdfInPage(page, pdf);
        expect(drawn.pages).toBe(1);
        // A4 at 144 dpi.
        expect([drawn.width, drawn.height]).toEqual([1190, 1683]);
        expect(drawn.fonts.length).toBeGreaterThan(0);
        for (const used of drawn.fonts) {
          expect(used.name).toContain('NotoSansCJKsc');
          expect(used.missingFile).toBe(false);
        }
        const path = join(SHOTS, `${type.id}.png`);
        await page.locator('#page').screenshot({ path });
        const shot = readFileSync(path);
        expect(readQrCode(shot)).toBe(verificationUrl);
        // Each seal's ring, star and name in red: the smallest, of radius 44 pt at 144 dpi, has some 3,500 red pixels.
        expect(countSealRed(shot)).toBeGreaterThan(signed.signatures.length * 2_500);
      } finally {
        await page.close();
      }
    },
  );

  it('a sealed card from the wallet: its QR code, read off the drawn page, opens a link that answers valid', async () => {
    const run = randomUUID().slice(0, 8);
    const store: Connection = await connectStore(
      stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_certpdf_${run}$1`),
    );
    const keeper = testSeals(store);
    let api: FastifyInstance | undefined;
    try {
      const holder = subjectKey('person', `370102196601150012-${run}`, TEST_SECRET);
      const { certificate } = await issueCertificate(
        { store, seals: keeper.seals },
        {
          key: `grant:certpdf-${run}:certificate:senior-preferential-card`,
          type: 'senior-preferential-card',
          holder: { subjectKey: holder, displayName: '张秀英' },
          fields: { birthDate: '1966-01-15', entitlements: '公共交通、景区、就医等社会优待（凭证享受）' },
          issuedOn: cityToday(),
          basis: { kind: 'grant', ref: `grant:certpdf-${run}` },
        },
      );
      api = buildApi({
        sessions: testSessions(store),
        certificates: createCertificateService({ store, seals: keeper.seals }),
        health: ALL_UP,
      });
      const token = await testToken(store, '张秀英', 'citizen', { subjectKey: holder });
      const response = await api.inject({
        method: 'GET',
        url: `/me/certificates/${certificate.document.id}/pdf`,
        headers: { authorization: `Bearer ${token}`, host: '127.0.0.1:8080' },
      });
      expect(response.statusCode).toBe(200);
      const page = await browser.newPage({ viewport: { width: 1240, height: 1760 } });
      try {
        expect((await drawPdfInPage(page, response.rawPayload)).fonts.every((used) => !used.missingFile)).toBe(true);
        const path = join(SHOTS, 'issued-senior-card.png');
        await page.locator('#page').screenshot({ path });
        const link = new URL(readQrCode(readFileSync(path))!);
        expect(link.href).toBe(`http://127.0.0.1:8080/certificates/${certificate.document.id}/verification`);
        const answer = await api.inject({ method: 'GET', url: link.pathname });
        expect(answer.json()).toMatchObject({
          result: { valid: true, vouchedBy: [{ department: 'health-commission' }] },
          certificate: { id: certificate.document.id, holder: '张**' },
        });
      } finally {
        await page.close();
      }
    } finally {
      await api?.close();
      await store.dropDatabase();
      await store.close();
      keeper.remove();
    }
  });
});
