/**
 * The embedded stack: Temporal dev server (SQLite file, Web UI), FerretDB on SQLite and
 * redis-server, each provisioned from the cache and started in its own process group.
 * A server whose URL is configured (TEMPORAL_ADDRESS, MONGODB_URI, REDIS_URL) is used as
 * it is and nothing is started for it. A server still running from an earlier
 * `stack up` is reused; a stale pid file is cleared. The embedded FerretDB is the project's
 * patched build (infra/ferretdb/applyfree.patch): its own indexes serve the filters and `_id`
 * sorts it pushes down, so nothing outside it keeps indexes.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../workers/config.js';
import { answers, checkMongo, checkRedis, checkTemporal } from './checks.js';
import {
  isOurProcess,
  portOpen,
  readPidFile,
  spawnServer,
  stopServer,
  waitUntilReady,
  type PidRecord,
} from './processes.js';
import type { Progress } from './progress.js';
import { ensureFerretDb, ensureRedisServer, ensureTemporalCli } from './provision.js';
import { ensureSearchAttributes } from './search-attributes.js';
import type { TemporalAccess } from './temporal-connection.js';

export type ServerName = 'temporal' | 'mongodb' | 'redis';
export const SERVER_NAMES: ServerName[] = ['temporal', 'mongodb', 'redis'];

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  mongodb: number;
  redis: number;
}

/** Ports of the `npm start` stack; tests pick free ports instead. */
export const DEV_PORTS: StackPorts = { temporal: 7233, temporalUi: 8233, mongodb: 27027, redis: 6389 };

export interface StackOptions {
  config: Config;
  /** Where SQLite files, the Redis dump, logs and pid files live. */
  stateDir: string;
  ports: StackPorts;
  progress: Progress;
  /** Which servers to run (default all three). */
  servers?: ServerName[];
}

export interface ServerState {
  name: ServerName;
  /** embedded: started by this process; reused: already running from an earlier start; external: configured URL. */
  origin: 'embedded' | 'reused' | 'external';
  url: string;
  pid?: number;
}

export interface RunningStack {
  temporalAddress: string;
  temporalNamespace: string;
  /** TLS and the API key to an external temporalAddress (TEMPORAL_TLS*, TEMPORAL_API_KEY); absent, plain gRPC. */
  temporalAccess?: TemporalAccess;
  /** Temporal Web UI, when the embedded dev server runs it. */
  temporalUiUrl?: string;
  mongodbUri: string;
  redisUrl: string;
  servers: ServerState[];
  /** FerretDB's SQLite directory, when FerretDB is embedded or reused (not external). */
  ferretdbDir?: string;
  /** Stops the servers this process started (not reused or external ones). */
  stop(): Promise<void>;
}

const DATABASE = 'applyfree';

/** Paths of a server's files inside the state directory. */
export function serverFiles(stateDir: string, name: ServerName) {
  return { pidFile: join(stateDir, 'run', `${name}.pid`), logFile: join(stateDir, 'logs', `${name}.log`) };
}

/** URLs of the embedded servers on the given ports. */
export function embeddedUrls(ports: StackPorts): Record<ServerName, string> {
  return {
    temporal: `127.0.0.1:${ports.temporal}`,
    mongodb: `mongodb://127.0.0.1:${ports.mongodb}/${DATABASE}`,
    redis: `redis://127.0.0.1:${ports.redis}`,
  };
}

interface Launch {
  name: ServerName;
  label: string;
  port: number;
  executable: () => Promise<string>;
  args: (executable: string) => string[];
  /** Environment beside this process's own. */
  env?: Record<string, string>;
  ready: () => Promise<boolean>;
  timeoutMs: number;
}

/**
 * The embedded FerretDB's Go collector at GOGC=400 instead of Go's 100: converting each
 * document to and from JSON makes garbage fast, and at 100 the collector took a fifth of FerretDB's
 * CPU in a sweep (docs/BENCHMARKS.md, "Where the servers' CPU goes"). Its heap stays small beside
 * the 4 GiB the stack is held to.
 */
const FERRETDB_GOGC = '400';

/**
 * The arguments that start the Temporal CLI's dev server on 127.0.0.1 with its state in `dbFile`
 * (headless without `uiPort`). Its SQLite would otherwise keep a rollback journal and fsync each
 * commit twice: WAL with synchronous=NORMAL, as FerretDB runs (docs/FERRETDB.md, "Durability"),
 * keeps every commit through a killed process and fsyncs at checkpoints.
 */
export function temporalDevServerArgs(options: {
  port: number;
  uiPort?: number;
  dbFile: string;
  namespace: string;
}): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    '--db-filename',
    options.dbFile,
    '--namespace',
    options.namespace,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--log-level',
    'warn',
  ];
}

function launches(options: StackOptions): Launch[] {
  const { config, stateDir, ports, progress } = options;
  const urls = embeddedUrls(ports);
  return [
    {
      name: 'temporal',
      label: 'Temporal dev server',
      port: ports.temporal,
      executable: async () => (await ensureTemporalCli(config.cacheDir, progress)).path,
      args: () =>
        temporalDevServerArgs({
          port: ports.temporal,
          uiPort: ports.temporalUi,
          dbFile: join(stateDir, 'temporal', 'temporal.db'),
          namespace: config.temporalNamespace,
        }),
      ready: () => answers(() => checkTemporal(urls.temporal, config.temporalNamespace)),
      timeoutMs: 60_000,
    },
    {
      name: 'mongodb',
      label: 'FerretDB (SQLite)',
      port: ports.mongodb,
      executable: async () => (await ensureFerretDb(config.cacheDir, progress)).path,
      args: () => [
        '--handler=sqlite',
        // WAL with synchronous=NORMAL: a commit survives a killed process, and only an OS crash or
        // power loss can take back the last ones, as MongoDB's default write concern (no journal wait)
        // allows; FULL, SQLite's default, fsyncs every commit (docs/FERRETDB.md, durability).
        `--sqlite-url=file:${join(stateDir, 'ferretdb')}/?_pragma=synchronous(normal)`,
        `--state-dir=${join(stateDir, 'ferretdb-state')}`,
        `--listen-addr=127.0.0.1:${ports.mongodb}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      env: { GOGC: FERRETDB_GOGC },
      ready: () => answers(() => checkMongo(urls.mongodb)),
      timeoutMs: 30_000,
    },
    {
      name: 'redis',
      label: 'Redis',
      port: ports.redis,
      executable: async () => (await ensureRedisServer(progress)).path,
      args: () => [
        '--bind',
        '127.0.0.1',
        '--port',
        String(ports.redis),
        '--dir',
        join(stateDir, 'redis'),
        '--appendonly',
        'yes',
        '--save',
        '60 1',
        '--daemonize',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      ready: () => answers(() => checkRedis(urls.redis)),
      timeoutMs: 20_000,
    },
  ];
}

/** The configured URL of an external server, if any. */
export function externalUrl(config: Config, name: ServerName): string | undefined {
  return { temporal: config.temporalAddress, mongodb: config.mongodbUri, redis: config.redisUrl }[name];
}

/** Provisions (first time) and starts the embedded servers not configured externally. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, stateDir, progress } = options;
  const wanted = new Set(options.servers ?? SERVER_NAMES);
  // The SQLite files hold raw IDs and facts, and the servers run without credentials: the state is the owner's alone
  // (security review S16). chmod as well, for folders an older version made 0755.
  for (const dir of ['', 'run', 'logs', 'temporal', 'ferretdb', 'ferretdb-state', 'redis']) {
    mkdirSync(join(stateDir, dir), { recursive: true, mode: 0o700 });
    chmodSync(join(stateDir, dir), 0o700);
  }
  const urls = embeddedUrls(options.ports);
  const servers: ServerState[] = [];
  const started: Array<{ record: PidRecord; pidFile: string }> = [];
  const stop = async () => {
    for (const { record, pidFile } of started.reverse()) await stopServer(record, pidFile);
    started.length = 0;
  };

  try {
    // Provision sequentially (builds share two cores), then start each server.
    for (const launch of launches(options).filter((l) => wanted.has(l.name))) {
      const external = externalUrl(config, launch.name);
      if (external) {
        servers.push({ name: launch.name, origin: 'external', url: external });
        continue;
      }
      const { pidFile, logFile } = serverFiles(stateDir, launch.name);
      const previous = readPidFile(pidFile);
      if (previous && isOurProcess(previous) && previous.port === launch.port && (await launch.ready())) {
        servers.push({ name: launch.name, origin: 'reused', url: urls[launch.name], pid: previous.pid });
        continue;
      }
      if (previous && isOurProcess(previous)) await stopServer(previous, pidFile);
      const executable = await launch.executable();
      if (await portOpen(launch.port)) {
        throw new Error(
          `${launch.label}: port ${launch.port} is already in use by another program; free it, or point ` +
            `${{ temporal: 'TEMPORAL_ADDRESS', mongodb: 'MONGODB_URI', redis: 'REDIS_URL' }[launch.name]} at an existing server.`,
        );
      }
      const step = progress.step(`${launch.label}: starting on port ${launch.port}`);
      const record = spawnServer({
        executable,
        args: launch.args(executable),
        env: launch.env,
        port: launch.port,
        logFile,
        pidFile,
      });
      started.push({ record, pidFile });
      try {
        await waitUntilReady(launch.label, record, logFile, launch.ready, launch.timeoutMs);
      } catch (error) {
        step.fail('did not start');
        throw error;
      }
      step.done(`pid ${record.pid}`);
      servers.push({ name: launch.name, origin: 'embedded', url: urls[launch.name], pid: record.pid });
    }

    const ferretdbDir = servers.some((s) => s.name === 'mongodb' && s.origin !== 'external')
      ? join(stateDir, 'ferretdb')
      : undefined;

    const temporalAddress = config.temporalAddress ?? urls.temporal;
    const temporalEmbedded = servers.some((s) => s.name === 'temporal' && s.origin !== 'external');
    // TLS settings come with TEMPORAL_ADDRESS only (workers/config.ts refuses them without it).
    const temporalAccess = config.temporalAddress ? config.temporalAccess : undefined;
    if (wanted.has('temporal')) {
      try {
        await ensureSearchAttributes(temporalAddress, config.temporalNamespace, temporalAccess);
      } catch (error) {
        // An external cluster may refuse the operator API (Temporal Cloud): say so and go on.
        if (temporalEmbedded) throw error;
        progress.info(
          `Temporal at ${temporalAddress}: could not register search attributes (${(error as Error).message}); register them yourself.`,
        );
      }
    }
    return {
      temporalAddress,
      temporalNamespace: config.temporalNamespace,
      ...(temporalAccess ? { temporalAccess } : {}),
      temporalUiUrl: temporalEmbedded ? `http://127.0.0.1:${options.ports.temporalUi}` : undefined,
      mongodbUri: config.mongodbUri ?? urls.mongodb,
      redisUrl: config.redisUrl ?? urls.redis,
      servers,
      ferretdbDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Stops the embedded servers recorded in the state directory's pid files (`stack down`). */
export async function stopRecordedServers(stateDir: string): Promise<ServerName[]> {
  const stopped: ServerName[] = [];
  for (const name of [...SERVER_NAMES].reverse()) {
    const { pidFile } = serverFiles(stateDir, name);
    const record = readPidFile(pidFile);
    if (!record) continue;
    if (isOurProcess(record)) stopped.push(name);
    await stopServer(record, pidFile);
  }
  return stopped;
}
