/**
 * The holder's wallet and code in the console end to end, in Debian's Chromium, on the real store
 * and Redis: a resident with a sealed senior card and a decision letter sees both in 我的证照 at
 * desktop width, shows the card with 亮证 and gets a QR code whose modules are exactly the QR of
 * the code the page holds — which a registered park then scans through the API and reads the card.
 * The code's validity is shortened to 8 s for this test (the service's setting, not a sleep), so
 * the page's countdown is seen to ask for a fresh code before the old one ends. On a phone the
 * resident shows only the claim, in Chinese and in English, and finds the park's scan under 谁使用了
 * 我的数据. Screenshots go to test-output/console/codes-*.png and are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cityToday } from '../domain/calendar.js';
import type { SignedCertificate } from '../domain/certificates.js';
import { CODE_TOKEN_PATTERN } from '../domain/codes.js';
import { makeResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import type { VerifierCredential } from '../domain/verifier-signature.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createSealKeeper, type SealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { connectStore } from '../store/connection.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { connectClient } from './support/temporal.js';
import { testToken } from './support/users.js';
import { registerTestVerifier, scanSigned, testWalletApi } from './support/verifiers.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const SECRET = 'the-console-codes-test-master-secret-41ch';
const keyDir = mkdtempSync(join(tmpdir(), 'applyfree-console-codes-'));
const today = cityToday();
const holderKey = subjectKey('person', makeResidentId('371402', '1963-01-15', 51, 'female'), SECRET);
/** Short codes for this test: the page asks for a fresh one 5 s before the end, so about every 3 s. */
const VALIDITY_SECONDS = 8;

let store: Connection;
let temporal: Client;
let seals: SealKeeper;
let api: FastifyInstance;
let url: string;
let browser: Browser;
let closeApi: () => Promise<void>;
let token: string;
let park: VerifierCredential;
let card: SignedCertificate;
let letter: SignedCertificate;

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_console_codes_${run}$1`));
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  seals = createSealKeeper({ store, keys: fileSealKeyStore(keyDir) });
  const holder = { subjectKey: holderKey, displayName: '张秀英' };
  card = (
    await issueCertificate(
      { store, seals },
      {
        key: `console-codes:${run}:card`,
        type: 'senior-preferential-card',
        holder,
        fields: { birthDate: '1963-01-15', district: '东港区', entitlements: '公共交通免费乘车；景区免门票' },
        issuedOn: today,
        basis: { kind: 'grant', ref: `grant:${run}` },
      },
    )
  ).certificate;
  letter = (
    await issueCertificate(
      { store, seals },
      {
        key: `console-codes:${run}:letter`,
        type: 'decision-letter',
        holder,
        fields: {
          policyTitle: '老年人优待证',
          outcome: '准予',
          decidedOn: today,
          reasons: '年满60周岁',
          reference: '市民政局老年人优待办法',
        },
        issuedOn: today,
        basis: { kind: 'decision', ref: `decision:${run}` },
        departments: ['civil-affairs'],
      },
    )
  ).certificate;
  token = await testToken(store, '张秀英', 'citizen', { subjectKey: holderKey });
  park = await registerTestVerifier(store, SECRET);
  ({ api, close: closeApi } = testWalletApi(
    stack.redisUrl,
    { store, temporal, seals, master: SECRET, console: true },
    { validitySeconds: VALIDITY_SECONDS },
  ));
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
});

afterAll(async () => {
  await browser?.close();
  await closeApi?.();
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

/** The code the page shows now (the canvas keeps the text it drew). */
const shownCode = (page: Page) => page.locator('canvas.code-qr').getAttribute('data-code');

/**
 * Whether the canvas's QR is the QR of `code`: each module's centre sampled on the canvas (dark or
 * light) against the qrcode package's own matrix of the text — what a scanner reads is the code.
 */
async function drawnIsQrOf(page: Page, code: string): Promise<boolean> {
  const { size, data } = QRCode.create(code, { errorCorrectionLevel: 'M' }).modules;
  const drawn = await page.evaluate((modules) => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.code-qr')!;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const scale = canvas.width / (modules + 4);
    const dark: boolean[] = [];
    for (let row = 0; row < modules; row++)
      for (let column = 0; column < modules; column++) {
        const x = Math.floor((column + 2.5) * scale);
        const y = Math.floor((row + 2.5) * scale);
        dark.push(pixels[(y * canvas.width + x) * 4] < 128);
      }
    return dark;
  }, size);
  return drawn.length === data.length && drawn.every((dark, i) => dark === Boolean(data[i]));
}

describe('the holder’s wallet and code at desktop width', () => {
  it('lists the sealed certificates, shows the card as a QR a registered park scans, and refreshes it before it ends', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signInAs(page, url, token, '张秀英', '群众');
    await page.locator('.nav-wallet').click();
    const item = (certificate: SignedCertificate) =>
      page.locator(`.certificate[data-certificate="${certificate.document.id}"]`);
    await item(card).waitFor();
    expect(await item(card).innerText()).toMatch(/老年人优待证[\s\S]*有效[\s\S]*市卫生健康委员会/);
    expect(await item(letter).innerText()).toContain('决定书 · 老年人优待证（准予）');
    await checkedScreenshot(page, 'codes-wallet-desktop');
    // The wallet's links take the card's PDF and its sealed file with the session cookie alone.
    const pdf = await page.request.get(
      new URL((await item(card).locator('.act-certificate-pdf').getAttribute('href'))!, page.url()).href,
    );
    expect([pdf.status(), pdf.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const file = await page.request.get(
      new URL((await item(card).locator('.act-certificate-file').getAttribute('href'))!, page.url()).href,
    );
    expect((await file.json()).document.id).toBe(card.document.id);

    await item(card).locator('.act-show-certificate').click();
    await expect.poll(() => shownCode(page)).toMatch(CODE_TOKEN_PATTERN);
    const first = (await shownCode(page))!;
    expect(await page.locator('.my-code h3').innerText()).toBe('居民码');
    expect(await page.locator('.code-shows').innerText()).toContain(`出示：老年人优待证（证照号 ${card.document.id}）`);
    expect(await page.locator('.code-countdown').innerText()).toMatch(/^还剩 \d 秒有效，到期前自动刷新$/);
    expect(await drawnIsQrOf(page, first)).toBe(true);
    await checkedScreenshot(page, 'codes-code-desktop');

    // What the page shows is what the park scans.
    const scan = await scanSigned(api, park, { code: first, matter: 'senior-concession' });
    expect(scan.status).toBe(200);
    expect(scan.json).toMatchObject({ shows: 'certificate', certificate: { id: card.document.id } });

    // Before its 8 s end the page holds a fresh code, drawn as the QR.
    await expect.poll(() => shownCode(page)).not.toBe(first);
    const fresh = (await shownCode(page))!;
    expect(fresh).toMatch(CODE_TOKEN_PATTERN);
    expect(await drawnIsQrOf(page, fresh)).toBe(true);
    expect(await drawnIsQrOf(page, first)).toBe(false);
    await context.close();
  });
});

describe('the holder’s code on a phone', () => {
  it('shows only the claim, in Chinese and English, and lists the park’s scan under who used my data', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, url, token, '张秀英', '群众');
    await page.locator('.nav-code').click();
    await page.locator('select.code-choice').waitFor();
    await page.locator('select.code-choice').selectOption('claim:senior-preferential-card');
    await expect
      .poll(() => page.locator('.code-shows').innerText())
      .toBe('仅出示：持有有效的老年人优待证——核验方只看到“是”或“否”');
    const code = (await shownCode(page))!;
    expect(location(page)).toContain('#/code/claim/senior-preferential-card');
    await expectFitsScreen(page, ['canvas.code-qr', 'select.code-choice', '.code-countdown']);
    await checkedScreenshot(page, 'codes-code-phone');

    const scan = await scanSigned(api, park, { code, matter: 'senior-concession' });
    expect(scan.json).toMatchObject({ shows: 'claim', claim: { answer: true } });

    await page.locator('.lang-switch').click();
    await expect.poll(() => page.locator('.my-code h3').innerText()).toBe('Resident code');
    await expect
      .poll(() => page.locator('.code-shows').innerText())
      .toContain('Shows only: holds a valid Senior preferential card');
    await checkedScreenshot(page, 'codes-code-phone-en');
    await page.locator('.lang-switch').click();

    await page.locator('.nav-me').click();
    const scans = page.locator('.me-access .access-item[data-kind="code-scan"]');
    await expect.poll(() => scans.count()).toBe(2);
    expect(await scans.first().innerText()).toMatch(
      /市人民公园（测试）[\s\S]*扫码核验：老年人优待核验[\s\S]*仅获知“持有有效的老年人优待证”的结果：是/,
    );
    expect(await scans.nth(1).innerText()).toContain(`查看了您出示的证照：老年人优待证（${card.document.id}）`);
    await scans.first().scrollIntoViewIfNeeded();
    await checkedScreenshot(page, 'codes-access-phone', { minHeight: 800 });
    await context.close();
  });
});

const location = (page: Page) => page.url();
