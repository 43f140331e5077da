/**
 * Debian's Chromium (and Noto Sans CJK, the Chinese font the certificate PDFs embed, so the
 * console's screenshots show text, not boxes) for the end-to-end tests: found on the machine, or
 * installed with apt-get when running as root, the way provision.ts installs redis-server. A lock
 * keeps two test processes from running apt-get at once (ensureCjkFont takes the same one).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../../infra/lock.js';
import { CJK_FONT_PACKAGE, findCjkFont } from '../../infra/fonts.js';
import type { Progress } from '../../infra/progress.js';
import { aptInstall, type Provisioned } from '../../infra/provision.js';
import { findExecutable, ProvisionError } from '../../infra/run-tool.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The flags the console test starts Chromium with: no sandbox (root in a container), no GPU, no background traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Chromium at /usr/bin/chromium with Noto Sans CJK, installing the Debian packages if missing. */
export async function ensureChromium(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const missing = () =>
    [findExecutable('chromium', [CHROMIUM_PATH]) ? '' : 'chromium', findCjkFont() ? '' : CJK_FONT_PACKAGE].filter(
      Boolean,
    );
  if (missing().length === 0) return { path: findExecutable('chromium', [CHROMIUM_PATH])!, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  return withLock(join(cacheDir, 'apt.lock'), async () => {
    const packages = missing();
    if (packages.length > 0) await aptInstall(packages, progress);
    const path = findExecutable('chromium', [CHROMIUM_PATH]);
    if (!path) throw new ProvisionError('Cannot install chromium: apt-get succeeded but chromium is still missing.');
    return { path, cached: packages.length === 0 };
  });
}
