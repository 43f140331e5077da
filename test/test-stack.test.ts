import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress } from '../infra/progress.js';
import { startStack } from '../infra/stack.js';
import { loadConfig } from '../workers/config.js';
import { freePort } from './support/free-port.js';
import { sweepAbandonedTestStacks } from './support/test-stack.js';

const root = mkdtempSync(join(tmpdir(), 'applyfree-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('servers left behind by a killed test run', () => {
  it('are stopped at the next run, unless their run is still going', async () => {
    const startRedis = async (name: string, owner: number) => {
      const stateDir = join(root, `applyfree-test-${name}`);
      mkdirSync(stateDir);
      writeFileSync(join(stateDir, 'owner.pid'), String(owner));
      const ports = { temporal: 0, temporalUi: 0, mongodb: 0, redis: await freePort() };
      const stack = await startStack({
        config: loadConfig({}),
        stateDir,
        ports,
        progress: createProgress({ interactive: false }),
        servers: ['redis'],
      });
      return { stateDir, stack, pid: stack.servers.find((server) => server.name === 'redis')!.pid! };
    };
    const deadOwner = spawnSync(process.execPath, ['-e', '0']).pid!;
    const abandoned = await startRedis('abandoned', deadOwner);
    const running = await startRedis('running', process.pid);
    try {
      expect(await sweepAbandonedTestStacks(root)).toEqual([abandoned.stateDir]);
      // The sweep waits until the server has exited; this process, its parent here, reaps it a moment later.
      await expect.poll(() => alive(abandoned.pid), { timeout: 5_000 }).toBe(false);
      expect(existsSync(abandoned.stateDir)).toBe(false);
      expect(alive(running.pid)).toBe(true);
    } finally {
      await running.stack.stop();
      await abandoned.stack.stop().catch(() => undefined);
    }
  });
});
