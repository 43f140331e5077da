/**
 * The service window page (窗口服务) end to end in Debian's Chromium: window staff read a senior's ID
 * card, state the reason and open a visit (the number gone from the page at once), see her offer of
 * the senior card and confirm it for her with her signed form; her benefit, the act and the
 * confirmation notice appear; the notice printed as a letter is drawn by pdf.js with the embedded
 * Chinese font, and its QR code, read off the drawn page, opens the decision letter's check, which
 * answers valid. At phone width the page fits the screen. Screenshots go to test-output/console/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  SHOTS,
  signInAs,
} from './support/console-browser.js';
import { drawPdfInPage, readQrCode } from './support/pdf-browser.js';
import { firmAwaitingSignature, openWindowCity, type WindowCity } from './support/window-city.js';

const stack = inject('stack');
let city: WindowCity;
let url: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  city = await openWindowCity(stack, 'e2ewindow', { console: true });
  url = await city.api.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchConsoleBrowser(stack.cacheDir);
}, 600_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await city?.close();
});

async function staffPage(options: object): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signInAs(page, url, city.tokens.staff, '赵窗口', '窗口人员');
  return { page, errors };
}

/** Reads the ID card, states the reason and opens the visit; resolves once the visit is shown. */
async function openVisit(page: Page, idNumber: string, reason: string): Promise<void> {
  await page.locator('#window-id-number').fill(idNumber);
  await page.locator('#window-reason').fill(reason);
  await page.locator('.act-open-visit').click();
  await page.locator('.window-visit').waitFor();
}

describe('the service window page', () => {
  let page: Page;
  let errors: string[];

  it('opens a visit with the ID card and shows the senior masked, with her offer', async () => {
    ({ page, errors } = await staffPage({ viewport: { width: 1280, height: 900 } }));
    expect(await page.locator('.top-nav a.current').innerText()).toBe('窗口服务');
    await page.locator('.window-open').waitFor();
    await checkedScreenshot(page, 'window-open');
    await openVisit(page, city.senior.id, '老人无智能手机，来窗口办理老年人优待证');
    expect(await page.locator('.window-person').innerText()).toBe('张**');
    expect(await page.locator('.window-visit .masked-id').innerText()).toBe(
      `**************${city.senior.id.slice(-4)}`,
    );
    await page.locator(`.window-offers .offer[data-offer="${city.offerKey}"]`).waitFor();
    expect(await page.locator('.window-offers').innerText()).toContain('老年人优待证');
    // The number was read for the request only: nowhere on the page now.
    expect(await page.content()).not.toContain(city.senior.id);
    await checkedScreenshot(page, 'window-visit');

    // The same visit in English.
    await page.locator('.lang-switch').click();
    await expect.poll(() => page.locator('.window-offers h3').innerText()).toBe('Offers awaiting an answer');
    expect(await page.locator('.top-nav a.current').innerText()).toBe('Service window');
    expect(await page.locator('.window-offers .act-confirm').innerText()).toBe('Confirm for them');
    await checkedScreenshot(page, 'window-visit-en');
    await page.locator('.lang-switch').click();
    await expect.poll(() => page.locator('.window-offers h3').innerText()).toBe('待确认事项');
  });

  it('confirms the offer for her with her signed form: the benefit, the act and the notice appear', async () => {
    const offer = page.locator(`.window-offers .offer[data-offer="${city.offerKey}"]`);
    await offer.locator('.act-confirm').click();
    // Without the form's number the consent is refused at its field.
    await expect.poll(() => offer.locator('.flash-bad').innerText()).toContain('consent.reference');
    await offer.locator('.consent-reference').fill('确认单 DZ-2026-000123');
    await offer.locator('.act-confirm').click();
    await page.locator('.window-benefits .benefit[data-policy="senior-preferential-card"]').waitFor();
    expect(await page.locator('.window-acts .act-offer-answer').innerText()).toContain('确认单 DZ-2026-000123');
    const confirmed = page.locator('.window-notices .notice-item[data-template="offer.confirmed"]');
    await expect
      .poll(async () => {
        await page.locator('.act-refresh').click();
        await page.locator('.window-visit').waitFor();
        return confirmed.count();
      })
      .toBe(1);
    await page.locator('.window-letters .certificate[data-type="decision-letter"]').waitFor();
    expect(await city.running.pipeline.models.Grant.countDocuments({ subjectKey: city.senior.subjectKey })).toBe(1);
    await checkedScreenshot(page, 'window-visit-confirmed');
  });

  it('prints the confirmation notice: drawn with the embedded Chinese font, its QR code opening the decision letter’s check', async () => {
    const href = await page
      .locator('.window-notices .notice-item[data-template="offer.confirmed"] .act-print-notice')
      .getAttribute('href');
    const printed = await page.request.get(`${url}${href}`);
    expect(printed.status()).toBe(200);
    expect(printed.headers()['content-type']).toBe('application/pdf');
    const viewer = await browser.newPage({ viewport: { width: 1240, height: 1760 } });
    try {
      const drawn = await drawPdfInPage(viewer, await printed.body());
      expect(drawn.pages).toBe(1);
      expect([drawn.width, drawn.height]).toEqual([1190, 1683]);
      for (const used of drawn.fonts) {
        expect(used.name).toContain('NotoSansCJKsc');
        expect(used.missingFile).toBe(false);
      }
      const path = join(SHOTS, 'window-notice-letter.png');
      await viewer.locator('#page').screenshot({ path });
      const link = new URL(readQrCode(readFileSync(path))!);
      const letterId = await page
        .locator('.window-letters .certificate[data-type="decision-letter"]')
        .getAttribute('data-certificate');
      expect(link.href).toBe(`${url}/certificates/${letterId}/verification`);
      const check = await fetch(link);
      expect(await check.json()).toMatchObject({
        result: { valid: true },
        certificate: { id: letterId, type: 'decision-letter' },
      });
    } finally {
      await viewer.close();
    }
    expect(errors).toEqual([]);
  });

  it('fits a phone: the visit of a person whose card is undetermined, her notice to print', async () => {
    const phone = await staffPage(PHONE);
    await phone.page.locator('.window-open').waitFor();
    await expectFitsScreen(phone.page, ['.window-open', '.act-open-visit']);
    await checkedScreenshot(phone.page, 'window-open-phone');
    await openVisit(phone.page, city.undecided.id, '询问优待证为何未推送');
    await phone.page.locator('.window-notices .notice-item[data-template="decision.undetermined"]').waitFor();
    await expectFitsScreen(phone.page, ['.window-visit', '.window-notices .act-print-notice', '.window-objection']);
    await checkedScreenshot(phone.page, 'window-visit-phone');
    expect(phone.errors).toEqual([]);
  });

  it('records a firm’s signed paper pledge on a phone: the written notice shown, the grant following', async () => {
    const { firm, pledgeKey } = await firmAwaitingSignature(city, 'console');
    const phone = await staffPage(PHONE);
    await phone.page.locator('.window-open').waitFor();
    await phone.page.locator('#window-holder').selectOption('firm');
    await openVisit(phone.page, firm.id, '企业代表签署创业补贴告知承诺书');
    const pledge = phone.page.locator(`.window-pledges .pledge[data-pledge="${pledgeKey}"]`);
    expect(await pledge.getAttribute('class')).toContain('pledge-awaiting-signature');
    await pledge.locator('.act-show-notice').click();
    await pledge.locator('.pledge-notice').waitFor();
    expect(await pledge.locator('.pledge-notice').innerText()).toContain('承诺');
    await pledge.locator('.paper-form-ref').fill('承诺书 DZ-2026-000812');
    await expectFitsScreen(phone.page, ['.window-pledges .pledge-notice', '.window-pledges .act-sign-pledge']);
    await checkedScreenshot(phone.page, 'window-pledge-notice-phone');
    await pledge.locator('.act-sign-pledge').click();
    // The page reloads the visit: the pledge granted, the benefit shown, the act recorded with its form.
    await phone.page.locator(`.window-pledges .pledge.pledge-pending[data-pledge="${pledgeKey}"]`).waitFor();
    await phone.page.locator('.window-benefits .benefit[data-policy="business-startup-subsidy"]').waitFor();
    expect(await phone.page.locator('.window-acts .act-pledge-sign').innerText()).toContain('承诺书 DZ-2026-000812');
    expect(await phone.page.content()).not.toContain(firm.id);
    await checkedScreenshot(phone.page, 'window-pledge-signed-phone');
    expect(
      await city.running.pipeline.models.Grant.countDocuments({ subjectKey: firm.subjectKey, basis: 'pledge' }),
    ).toBe(1);
    await city.running.client.workflow
      .getHandle(pledgeKey)
      .terminate('test over')
      .catch(() => undefined);
    expect(phone.errors).toEqual([]);
  });
});
