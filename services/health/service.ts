/**
 * Health of the three servers the product depends on. Each check runs with a time limit;
 * the report says which server is down and the error it gave.
 */
export type ServerName = 'temporal' | 'mongodb' | 'redis';

export interface ServerHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'up' | 'down';
  checkedAt: string;
  servers: Record<ServerName, ServerHealth>;
}

export type HealthChecks = Record<ServerName, () => Promise<void>>;

/** Runs every check in parallel; the report is `up` only when all three are up. */
export async function checkHealth(checks: HealthChecks): Promise<HealthReport> {
  const names = Object.keys(checks) as ServerName[];
  const results = await Promise.all(
    names.map(async (name): Promise<[ServerName, ServerHealth]> => {
      const started = Date.now();
      try {
        await checks[name]();
        return [name, { status: 'up', latencyMs: Date.now() - started }];
      } catch (error) {
        return [
          name,
          {
            status: 'down',
            latencyMs: Date.now() - started,
            error: error instanceof Error ? error.message : String(error),
          },
        ];
      }
    }),
  );
  const servers = Object.fromEntries(results) as Record<ServerName, ServerHealth>;
  return {
    status: results.every(([, health]) => health.status === 'up') ? 'up' : 'down',
    checkedAt: new Date().toISOString(),
    servers,
  };
}

/**
 * Readiness for anyone who asks, at a bounded cost (security review S14): one check of the three
 * servers at most every `cacheMs` (default 5 s) whatever the request rate, concurrent callers
 * sharing the check in flight. Give it checks that use the process's own clients (infra/checks.ts
 * `ping…`), so a check opens no connection.
 */
export function createHealthReader(checks: HealthChecks, options: { cacheMs?: number; now?: () => number } = {}) {
  const cacheMs = options.cacheMs ?? 5_000;
  const now = options.now ?? Date.now;
  let last: { at: number; report: HealthReport } | undefined;
  let inFlight: Promise<HealthReport> | undefined;
  return (): Promise<HealthReport> => {
    if (last && now() - last.at < cacheMs) return Promise.resolve(last.report);
    inFlight ??= checkHealth(checks)
      .then((report) => {
        last = { at: now(), report };
        return report;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** The report as anyone may read it: each server's status and latency, without the servers' own error texts. */
export function publicHealth(report: HealthReport): HealthReport {
  const servers = Object.fromEntries(
    Object.entries(report.servers).map(([name, { status, latencyMs }]) => [name, { status, latencyMs }]),
  ) as HealthReport['servers'];
  return { ...report, servers };
}
