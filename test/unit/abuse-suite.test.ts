/**
 * The security review's 29 abuse tests are one suite: each number has at least one test whose
 * title carries it (`abuse 7: …` or `… (abuse 7)`), docs/SECURITY.md lists what each checks, and
 * `npm run test:abuse` runs exactly them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NUMBERS = Array.from({ length: 29 }, (_, i) => i + 1);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Abuse number → the test files whose titles carry it (`abuse N:` opening a title, or `abuse N` in its closing brackets). */
function titlesByNumber(): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const file of testFiles(join(ROOT, 'test'))) {
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

describe('the abuse suite', () => {
  it('has a test for every one of the review’s 29 abuse tests', () => {
    const found = titlesByNumber();
    expect(NUMBERS.filter((n) => !found.has(n))).toEqual([]);
    expect([...found.keys()].filter((n) => !NUMBERS.includes(n))).toEqual([]);
  });

  it('says in docs/SECURITY.md what each of them checks', () => {
    const doc = readFileSync(join(ROOT, 'docs/SECURITY.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## The abuse tests'));
    const rows = [...section.matchAll(/^\| (\d+) \| .+ \|$/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(NUMBERS);
  });

  it('runs as npm run test:abuse, by the number in the titles', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:abuse']).toBe('vitest run -t "abuse [0-9]+"');
    const pattern = /abuse [0-9]+/;
    expect(pattern.test('abuse 7: a stranger declining B’s offer')).toBe(true);
    expect(pattern.test('signs out on the server (abuse 3)')).toBe(true);
  });
});
