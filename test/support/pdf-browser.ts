/**
 * Shows a PDF in Chromium the way a browser's viewer does: pdf.js (served from node_modules, no
 * network) draws its first page on a canvas, then reports the page count and each font it drew
 * with, and whether that font came embedded in the file (a missing one is drawn with a stand-in,
 * which for Chinese means boxes or another typeface). Also reads a QR code from a screenshot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import jsQRModule from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';

const ORIGIN = 'http://pdf-viewer.test';
const PDFJS_BUILD = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');

/** What the page reports once the first page is drawn. */
export interface DrawnPdf {
  pages: number;
  width: number;
  height: number;
  fonts: Array<{ name: string; missingFile: boolean }>;
}

const VIEWER = `<!doctype html>
<meta charset="utf-8">
<body style="margin:0;background:#fff">
<canvas id="page"></canvas>
<script type="module">
import * as pdfjs from '/pdfjs/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdfjs/pdf.worker.mjs';
try {
  const pdf = await pdfjs.getDocument({ url: '/document.pdf' }).promise;
  const page = await pdf.getPage(1);
  const viewport = page.getViewport({ scale: SCALE });
  const canvas = document.getElementById('page');
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
  const operators = await page.getOperatorList();
  const ids = new Set(operators.fnArray.flatMap((fn, i) => (fn === pdfjs.OPS.setFont ? [operators.argsArray[i][0]] : [])));
  const fonts = [...ids].map((id) => {
    const font = page.commonObjs.get(id);
    return { name: String(font.name), missingFile: Boolean(font.missingFile) };
  });
  window.drawn = { pages: pdf.numPages, width: canvas.width, height: canvas.height, fonts };
} catch (error) {
  window.drawn = { error: String(error) };
}
</script>`;

/** Draws `pdf`'s first page at `scale` (1 = 72 dpi) on a canvas in `page`; resolves when it is drawn. */
export async function drawPdfInPage(page: Page, pdf: Buffer, scale = 2): Promise<DrawnPdf> {
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: VIEWER.replace('SCALE', String(scale)) });
    if (path === '/document.pdf') return route.fulfill({ contentType: 'application/pdf', body: pdf });
    const file = /^\/pdfjs\/(pdf(?:\.worker)?\.mjs)$/.exec(path)?.[1];
    if (file) return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(PDFJS_BUILD, file)) });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`);
  const handle = await page.waitForFunction(() => (window as unknown as { drawn?: unknown }).drawn);
  const drawn = (await handle.jsonValue()) as DrawnPdf | { error: string };
  if ('error' in drawn) throw new Error(`pdf.js could not draw the PDF: ${drawn.error}`);
  return drawn;
}

/** The decoded PNG's pixels (RGBA), for reading a QR code or counting colours. */
export function pngPixels(file: Buffer): { data: Uint8ClampedArray; width: number; height: number } {
  const png = PNG.sync.read(file);
  return { data: new Uint8ClampedArray(png.data), width: png.width, height: png.height };
}

/** The text of the QR code in the PNG screenshot, or undefined when none is found. */
export function readQrCode(file: Buffer): string | undefined {
  const { data, width, height } = pngPixels(file);
  // jsqr is CommonJS whose types declare an ES default export: under NodeNext the function is `.default`.
  return jsQRModule.default(data, width, height)?.data;
}

/** How many pixels of the PNG are a seal's red (strong red, little green or blue). */
export function countSealRed(file: Buffer): number {
  const { data } = pngPixels(file);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] > 170 && data[i + 1] < 110 && data[i + 2] < 110) count++;
  return count;
}
