/**
 * The Chinese font the certificate PDFs embed (and the browser tests' screenshots show): Noto Sans
 * CJK, Simplified Chinese face, from Debian's fonts-noto-cjk. Found through fontconfig or at the
 * paths distributions install it to; provisioned with apt-get like redis-server when the stack
 * starts, never at request time: a PDF asked for on a machine without it fails with a one-line
 * ProvisionError saying what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from './lock.js';
import type { Progress } from './progress.js';
import { aptInstall, type Provisioned } from './provision.js';
import { ProvisionError } from './run-tool.js';

/** The Debian package that carries the font. */
export const CJK_FONT_PACKAGE = 'fonts-noto-cjk';

/** The font's file and, since the file is a collection (.ttc) of faces, the PostScript name of the face to use. */
export interface CjkFont {
  path: string;
  name: string;
}

/** The Simplified Chinese regular face inside NotoSansCJK-Regular.ttc. */
const FACE = 'NotoSansCJKsc-Regular';
const FAMILY = 'Noto Sans CJK SC';

/** Where Debian (fonts-noto-cjk), Fedora (google-noto-sans-cjk-fonts) and Arch (noto-fonts-cjk) put the collection. */
const KNOWN_PATHS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
];

/** The regular face fontconfig knows under the family name, when fontconfig is there. */
function fromFontconfig(): CjkFont | undefined {
  const listed = spawnSync('fc-list', [`${FAMILY}:style=Regular`, '-f', '%{file}\t%{postscriptname}\n'], {
    encoding: 'utf8',
  });
  if (listed.status !== 0) return undefined;
  for (const line of (listed.stdout ?? '').split('\n')) {
    const [path, name] = line.split('\t');
    if (path && name && existsSync(path)) return { path, name };
  }
  return undefined;
}

/** Noto Sans CJK SC Regular on this machine, or undefined; installs nothing. */
export function findCjkFont(): CjkFont | undefined {
  const known = KNOWN_PATHS.find((path) => existsSync(path));
  return known ? { path: known, name: FACE } : fromFontconfig();
}

/** The font, or a ProvisionError saying how to install it: for request time, where nothing is installed. */
export function requireCjkFont(): CjkFont {
  const font = findCjkFont();
  if (!font)
    throw new ProvisionError(
      `Cannot render a certificate: the Chinese font ${FAMILY} is not installed (run 'sudo apt-get install ${CJK_FONT_PACKAGE}', or start the stack as root once with npm start).`,
    );
  return font;
}

/**
 * The font, installing fonts-noto-cjk with apt-get when it is missing (as root; otherwise a
 * ProvisionError naming the command). `lockDir`, when given, holds the lock that keeps two
 * processes of this project from running apt-get at once (the tests' cache directory).
 */
export async function ensureCjkFont(progress: Progress, lockDir?: string): Promise<Provisioned & CjkFont> {
  const found = findCjkFont();
  if (found) return { ...found, cached: true };
  const install = async () => {
    const again = findCjkFont();
    if (again) return { ...again, cached: true };
    await aptInstall([CJK_FONT_PACKAGE], progress);
    const installed = findCjkFont();
    if (!installed)
      throw new ProvisionError(
        `Cannot install ${CJK_FONT_PACKAGE}: apt-get succeeded but ${FAMILY} is still missing (looked in ${KNOWN_PATHS.join(', ')} and fontconfig).`,
      );
    return { ...installed, cached: false };
  };
  if (!lockDir) return install();
  mkdirSync(lockDir, { recursive: true });
  return withLock(join(lockDir, 'apt.lock'), install);
}
