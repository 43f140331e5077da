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
