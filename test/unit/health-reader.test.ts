/**
 * GET /health's cost is bounded whatever the request rate (security review S14): the servers are
 * checked at most once per interval, and callers arriving while a check runs share it.
 */
import { describe, expect, it } from 'vitest';
import { createHealthReader, publicHealth, type HealthChecks } from '../../services/health/service.js';

function countingChecks(): { checks: HealthChecks; calls: () => number; fail: (name: keyof HealthChecks) => void } {
  let calls = 0;
  const failing = new Set<string>();
  const check = (name: keyof HealthChecks) => async () => {
    calls++;
    if (failing.has(name)) throw new Error(`${name} refused: connection reset by 10.0.0.7`);
  };
  return {
    checks: { temporal: check('temporal'), mongodb: check('mongodb'), redis: check('redis') },
    calls: () => calls,
    fail: (name) => failing.add(name),
  };
}

describe('the readiness reader', () => {
  it('checks the servers once per interval however often it is asked', async () => {
    let now = 0;
    const { checks, calls } = countingChecks();
    const read = createHealthReader(checks, { cacheMs: 5_000, now: () => now });
    await Promise.all(Array.from({ length: 50 }, () => read()));
    expect(calls()).toBe(3);
    now = 4_999;
    await read();
    expect(calls()).toBe(3);
    now = 5_000;
    await read();
    expect(calls()).toBe(6);
  });

  it('shows whoever asks which server is down, without the server’s own error text', async () => {
    const { checks, fail } = countingChecks();
    fail('redis');
    const report = await createHealthReader(checks, { cacheMs: 0 })();
    expect(report.status).toBe('down');
    expect(report.servers.redis.error).toMatch(/connection reset/);
    const shown = publicHealth(report);
    expect(shown.servers.redis).toEqual({ status: 'down', latencyMs: expect.any(Number) });
    expect(JSON.stringify(shown)).not.toContain('10.0.0.7');
  });
});
