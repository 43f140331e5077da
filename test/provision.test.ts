import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { silentProgress } from '../infra/progress.js';
import { buildInto, ensureFerretDb, ensureTemporalCli, ensureTestServer, FERRETDB_PATCH } from '../infra/provision.js';
import { ProvisionError, requireExecutable, runTool } from '../infra/run-tool.js';
import { FERRETDB_VERSION, TEMPORAL_CLI_VERSION, TEST_SERVER_VERSION } from '../infra/versions.js';

const stack = inject('stack');

describe('provisioning the embedded servers', () => {
  it('finds every server in the version-keyed cache on the second start', async () => {
    const results = await Promise.all([
      ensureTemporalCli(stack.cacheDir, silentProgress),
      ensureFerretDb(stack.cacheDir, silentProgress),
      ensureTestServer(stack.cacheDir, silentProgress),
    ]);
    expect(results.map((r) => r.cached)).toEqual([true, true, true]);
    expect(results[0].path).toBe(join(stack.cacheDir, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal'));
    // FerretDB's entry names the patch it was built with: a changed patch is built anew.
    const patchId = createHash('sha256').update(readFileSync(FERRETDB_PATCH)).digest('hex').slice(0, 12);
    expect(results[1].path).toBe(join(stack.cacheDir, `ferretdb-${FERRETDB_VERSION}-applyfree-${patchId}`, 'ferretdb'));
    expect(results[2].path).toBe(
      join(stack.cacheDir, `temporal-test-server-${TEST_SERVER_VERSION}`, 'temporal-test-server'),
    );
    expect(results.every((r) => existsSync(r.path))).toBe(true);
  });

  it('names the missing toolchain in one line', () => {
    expect(() =>
      requireExecutable('go-toolchain-that-is-not-here', 'build the Temporal CLI', 'install Go 1.23 or later'),
    ).toThrow(
      new ProvisionError(
        "Cannot build the Temporal CLI: 'go-toolchain-that-is-not-here' is not installed (install Go 1.23 or later).",
      ),
    );
  });

  it('reports a failing build with its last output line', async () => {
    const step = { update: () => undefined, done: () => undefined, fail: () => undefined };
    await expect(
      runTool('sh', ['-c', 'echo compiling; echo "module not found" >&2; exit 7'], { step, purpose: 'build X' }),
    ).rejects.toThrow('Cannot build X: sh exited with code 7 (module not found)');
  });

  it('leaves nothing in the cache when a build fails, and a complete entry when it succeeds', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'applyfree-cache-'));
    try {
      const entry = join(cacheDir, 'server-1.0.0');
      const failed = buildInto(entry, async (tmp) => {
        writeFileSync(join(tmp, 'half-built'), 'x');
        throw new ProvisionError('Cannot build server: interrupted');
      });
      await expect(failed).rejects.toThrow('interrupted');
      expect(readdirSync(cacheDir)).toEqual([]);

      await buildInto(entry, async (tmp) => writeFileSync(join(tmp, 'server'), 'binary'));
      expect(readdirSync(cacheDir)).toEqual(['server-1.0.0']);
      expect(readdirSync(entry)).toEqual(['server']);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
