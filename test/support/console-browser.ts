/**
 * What the console's end-to-end tests share: Debian's Chromium (provisioned like the servers),
 * a sign-in as a token's person, and screenshots checked to be real rendered pages — a PNG as
 * wide as the viewport (nothing overflows sideways), of real size, with many colours.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';
import { createProgress } from '../../infra/progress.js';
import { summarisePng } from './png.js';
import { pollUntil } from './poll.js';

/** Where the screenshots go (git-ignored), for a person to look at after a run. */
export const SHOTS = join(process.cwd(), 'test-output', 'console');

/** Provisions Chromium if needed and starts it headless. */
export async function launchConsoleBrowser(cacheDir: string): Promise<Browser> {
  const chromiumPath = (await ensureChromium(cacheDir, createProgress({ interactive: false }))).path;
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

/** Saves a full-page screenshot under SHOTS and checks it is a rendered page. */
export async function checkedScreenshot(page: Page, name: string, options: { minHeight?: number } = {}): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const png = summarisePng(readFileSync(path));
  expect(statSync(path).size).toBeGreaterThan(15_000);
  expect(png.width).toBe(page.viewportSize()!.width);
  expect(png.height).toBeGreaterThan(options.minHeight ?? 300);
  expect(png.colours).toBeGreaterThan(12);
}

/**
 * Signs in at `${baseUrl}/console` with a token and waits for the person's name (and role, when
 * given) in the header; the token is then nowhere a script of the page can read it.
 */
export async function signInAs(page: Page, baseUrl: string, token: string, name: string, role?: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await expect.poll(() => page.locator('.user-name').textContent()).toBe(name);
  if (role !== undefined) expect(await page.locator('.user-role').textContent()).toBe(role);
  const readable = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
  );
  expect(readable).not.toContain(token);
}

/** A phone's browser: 390 px wide, touch, in Chinese and in the city's zone. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
} as const;

/** Where an element is drawn, in CSS pixels from the viewport's top left. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The boxes of `selectors` (CSS, each its first match), waiting until every one is drawn. Each is
 * found and measured in one step inside the page: a locator's boundingBox() finds the element,
 * then measures it in a second round trip, and answers null when a redraw replaced the element in
 * between (the sweeps list draws its rows again when the policy titles arrive).
 */
export async function boxesOf(page: Page, selectors: readonly string[]): Promise<Box[]> {
  const measure = () =>
    page.evaluate(
      (all) =>
        all.map((selector) => {
          const rect = document.querySelector(selector)?.getBoundingClientRect();
          return rect && (rect.width > 0 || rect.height > 0)
            ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height }
            : null;
        }),
      [...selectors],
    );
  const boxes = await pollUntil(`${selectors.join(', ')} drawn on the page`, measure, (found) =>
    found.every((box) => box !== null),
  );
  return boxes as Box[];
}

/** Nothing on the page scrolls sideways, and each of `parts` (CSS selectors; the first match) lies within the screen. */
export async function expectFitsScreen(page: Page, parts: readonly string[]): Promise<void> {
  const width = page.viewportSize()!.width;
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
  ).toBeLessThanOrEqual(0);
  const boxes = await boxesOf(page, parts);
  parts.forEach((part, i) => {
    expect(boxes[i].x, part).toBeGreaterThanOrEqual(0);
    expect(boxes[i].x + boxes[i].width, part).toBeLessThanOrEqual(width);
  });
}
