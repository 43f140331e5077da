/**
 * Debian's Chromium (and a Chinese font, so the console's screenshots show text, not boxes)
 * for the console's end-to-end test: found on the machine, or installed with apt-get when
 * running as root, the way provision.ts installs redis-server. A lock keeps two test
 * processes from running apt-get at once.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../../infra/lock.js';
import type { Progress } from '../../infra/progress.js';
import { aptInstall, type Provisioned } from '../../infra/provision.js';
import { findExecutable, ProvisionError } from '../../infra/run-tool.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The flags the console test starts Chromium with: no sandbox (root in a container), no GPU, no background traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const hasChineseFont = () => (spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout ?? '').trim().length > 0;

/** Chromium at /usr/bin/chromium with a CJK font, installing the Debian packages if missing. */
export async function ensureChromium(cacheDir: string, progress: Progress): Promise<Provisioned> {
  const missing = () =>
    [findExecutable('chromium', [CHROMIUM_PATH]) ? '' : 'chromium', hasChineseFont() ? '' : 'fonts-wqy-zenhei'].filter(
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
