import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';

const stack = inject('stack');
const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-main-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** The environment that points a process at this run's servers instead of embedded ones. */
function stackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    MONGODB_URI: stack.mongodbUri,
    REDIS_URL: stack.redisUrl,
    APPLYFREE_STATE_DIR: stateDir,
    CI: '1',
    ...extra,
  };
}

describe('the main job (npm start)', () => {
  it('reaches ready, serves a healthy API and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = runEntry('workers/main.ts', [], stackEnv({ API_PORT: String(port) }));
    const result = finished(child);
    await new Promise<void>((resolvePromise, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('applyfree is ready')) resolvePromise();
      });
      child.on('close', (code) => reject(new Error(`main exited with ${code} before ready`)));
    });

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('up');

    child.kill('SIGTERM');
    const { code, stdout, stderr } = await result;
    expect(code).toBe(0);
    expect(stdout).toContain(`http://127.0.0.1:${port}/health`);
    expect(stderr).toContain('applyfree: stopped.');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('fails fast with the variable\'s name when the configuration is wrong', async () => {
    const { code, stderr } = await finished(runEntry('workers/main.ts', [], stackEnv({ REDIS_URL: 'http://cache:6379' })));
    expect(code).toBe(1);
    expect(stderr).toMatch(/REDIS_URL: expected a redis or rediss URL/);
  });
});

describe('npm run stack -- status', () => {
  it('reports every server up and exits 0', async () => {
    const { code, stdout } = await finished(runEntry('infra/stack-cli.ts', ['status'], stackEnv()));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^temporal\s+up/m);
    expect(stdout).toMatch(/^mongodb\s+up/m);
    expect(stdout).toMatch(/^redis\s+up/m);
  });

  it('reports a server that does not answer as down and exits 3', async () => {
    const closed = await freePort();
    const { code, stdout } = await finished(runEntry('infra/stack-cli.ts', ['status'], stackEnv({ REDIS_URL: `redis://127.0.0.1:${closed}` })));
    expect(code).toBe(3);
    expect(stdout).toMatch(/^redis\s+down/m);
  });

  it('explains its usage for an unknown command', async () => {
    const { code, stderr } = await finished(runEntry('infra/stack-cli.ts', ['sideways'], stackEnv()));
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run stack -- up|down|status');
  });
});
