/**
 * The security review's abuse tests as one suite: every test that checks one carries its number in
 * its title (`abuse 7: …`, or `… (abuse 7)` where an existing test already checked it). This finds
 * them; `npm run test:abuse` runs the files that hold them, whole, since some of their tests build
 * on the ones before them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Abuse number → the test files (relative to the root) whose titles carry it. */
export function abuseTestsByNumber(): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const file of testFiles(join(ROOT, 'test')).sort()) {
    const source = readFileSync(file, 'utf8');
    const numbers = [
      ...[...source.matchAll(/['"`]abuse (\d+): /g)].map((m) => Number(m[1])),
      ...[...source.matchAll(/\((abuse \d+(?:, abuse \d+)*)\)['"`]/g)].flatMap((m) =>
        m[1].split(', ').map((part) => Number(part.slice('abuse '.length))),
      ),
    ];
    for (const n of new Set(numbers)) found.set(n, [...(found.get(n) ?? []), relative(ROOT, file)]);
  }
  return found;
}

/** Every test file that holds an abuse test, once. */
export function abuseTestFiles(): string[] {
  return [...new Set([...abuseTestsByNumber().values()].flat())].sort();
}
