/**
 * The security review's 29 abuse tests are one suite: each number has at least one test whose
 * title carries it (`abuse 7: …` or `… (abuse 7)`), docs/SECURITY.md lists what each checks, and
 * `npm run test:abuse` runs the files that hold them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abuseTestFiles, abuseTestsByNumber, ROOT } from '../support/abuse-tests.js';

const NUMBERS = Array.from({ length: 29 }, (_, i) => i + 1);

describe('the abuse suite', () => {
  it('has a test for every one of the review’s 29 abuse tests', () => {
    const found = abuseTestsByNumber();
    expect(NUMBERS.filter((n) => !found.has(n))).toEqual([]);
    expect([...found.keys()].filter((n) => !NUMBERS.includes(n))).toEqual([]);
  });

  it('says in docs/SECURITY.md what each of them checks', () => {
    const doc = readFileSync(join(ROOT, 'docs/SECURITY.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## The abuse tests'));
    const rows = [...section.matchAll(/^\| (\d+) \| .+ \|$/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(NUMBERS);
  });

  it('runs as npm run test:abuse: the files that hold them, whole', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:abuse']).toBe('exec node --import tsx test/run-abuse.ts');
    const files = abuseTestFiles();
    expect(files).toContain('test/abuse-access.test.ts');
    expect(files).toContain('test/abuse-integrity.test.ts');
    expect(files).toEqual([...new Set(files)]);
  });
});
