import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import type { HealthReport } from '../services/health/service.js';
import { checkMongo, checkRedis, checkTemporal } from '../infra/checks.js';
import { isOurProcess } from '../infra/processes.js';
import { silentProgress } from '../infra/progress.js';
import { startStack } from '../infra/stack.js';
import { loadConfig } from '../workers/config.js';
import { freePort } from './support/free-port.js';

const stack = inject('stack');

/** Checked afresh on every request (no reuse of a result), so a stopped server shows at once. */
function apiFor(redisUrl: string) {
  return buildApi({
    health: {
      temporal: () => checkTemporal(stack.temporalAddress, stack.temporalNamespace),
      mongodb: () => checkMongo(stack.mongodbUri),
      redis: () => checkRedis(redisUrl, 1000),
    },
    healthCacheMs: 0,
  });
}

describe('the health endpoint', () => {
  it('reports all three servers up with 200', async () => {
    const response = await apiFor(stack.redisUrl).inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const report = response.json<HealthReport>();
    expect(report.status).toBe('up');
    expect(Object.values(report.servers).map((s) => s.status)).toEqual(['up', 'up', 'up']);
  });

  it('reports a stopped Redis as down with 503, and names it', async () => {
    // A Redis of this test's own, started by the stack code and then stopped.
    const root = mkdtempSync(join(tmpdir(), 'applyfree-health-'));
    const stateDir = join(root, 'state');
    const ports = { temporal: 0, temporalUi: 0, mongodb: 0, redis: await freePort() };
    const own = await startStack({
      config: { ...loadConfig(), redisUrl: undefined },
      stateDir,
      ports,
      progress: silentProgress,
      servers: ['redis'],
    });
    try {
      const api = apiFor(own.redisUrl);
      expect((await api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      // The state (Redis's files here; FerretDB's SQLite with raw IDs on a full stack) is the owner's alone.
      for (const dir of ['', 'redis', 'logs', 'run'])
        expect(statSync(join(stateDir, dir)).mode & 0o777, dir).toBe(0o700);

      const redis = own.servers.find((s) => s.name === 'redis')!;
      await own.stop();
      expect(isOurProcess({ pid: redis.pid!, port: ports.redis, executable: 'redis-server', startedAt: '' })).toBe(
        false,
      );

      const response = await api.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      const report = response.json<HealthReport>();
      expect(report.status).toBe('down');
      expect(report.servers.redis.status).toBe('down');
      // Which server is down, but not its own error text: that goes to the log (security review S14).
      expect(report.servers.redis).not.toHaveProperty('error');
      expect(report.servers.temporal.status).toBe('up');
      expect(report.servers.mongodb.status).toBe('up');
      // Liveness asks no server: the process answers, so a load balancer keeps it while Redis is away.
      const live = await api.inject({ method: 'GET', url: '/health/live' });
      expect([live.statusCode, live.json()]).toEqual([200, { status: 'up' }]);
    } finally {
      await own.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('answers an unknown route with a JSON error that has a code', async () => {
    const response = await apiFor(stack.redisUrl).inject({ method: 'GET', url: '/no-such-thing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
