/**
 * A `--json` answer piped to another program arrives whole. Node writes to a pipe asynchronously,
 * and the CLI used to end with process.exit() straight after printing: a report over 64 kB was cut
 * off mid-JSON, and the command still exited 0. Here the installed command tests a policy with
 * hundreds of test cases (a report of several hundred kB) into a pipe, and the JSON parses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runInstalled } from '../support/run-node.js';

const dir = mkdtempSync(join(tmpdir(), 'applyfree-json-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('applyfree … --json into a pipe', () => {
  it('delivers a report of several hundred kB whole, and exits with its code', async () => {
    const policy = JSON.parse(readFileSync(`${ROOT}rules/policies/old-age-allowance/v1.json`, 'utf8')) as {
      tests: Array<{ name: string }>;
    };
    const copies = 400;
    policy.tests = Array.from({ length: copies }, (_, i) =>
      policy.tests.map((test) => ({ ...test, name: `${test.name} #${i}` })),
    ).flat();
    const file = join(dir, 'many-tests.json');
    writeFileSync(file, JSON.stringify(policy));

    const run = await runInstalled(['policy', 'test', file, '--json'], {});
    expect(run.stderr).toBe('');
    expect(run.stdout.length).toBeGreaterThan(256 * 1024);
    const report = JSON.parse(run.stdout) as { passed: number; failed: number; results: unknown[] };
    expect(report.results).toHaveLength(policy.tests.length);
    expect([report.failed, run.code]).toEqual([0, 0]);
  });
});
