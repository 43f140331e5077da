/**
 * The seeded city the database benchmarks share (simulate, sweep, latency): N synthetic residents
 * in an embedded FerretDB kept in `<state dir>/bench-simulate-N`, seeded once per N and reused;
 * a fresh Temporal dev server and Redis when a benchmark needs them; and the reset of the records
 * a run writes (grants, notices…), which keeps the seeded platform data (dp_*, subjects).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { createProgress } from '../infra/progress.js';
import { freePort } from '../infra/ports.js';
import { seedCity, SEED_META_COLLECTION } from '../infra/seed/index.js';
import { startStack, type RunningStack, type ServerName } from '../infra/stack.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { connectStore } from '../store/connection.js';
import { registerHorizonModel } from '../store/horizons.js';
import { registerModels } from '../store/models.js';
import { countPopulation } from '../store/population.js';
import { registerSweepModel } from '../store/sweeps.js';
import { registerSealModel } from '../store/seals.js';
import { registerCertificateModel } from '../store/certificates.js';
import { registerEntitlementModels } from '../store/entitlements.js';
import { registerLedgerModel } from '../store/ledger.js';
import { childEnv, loadConfig, type Config } from '../workers/config.js';
import { fmt, progress } from './support.js';
import { buildIndexes } from '../store/indexes.js';

export const SEED_AS_OF = '2026-06-01';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BATCH = 5_000;
/** The pseudonym secret of the seeded subjects register; workers screening the city use the same. */
export const SECRET = 'benchmark-only-subject-key-secret-0123456789';

/** Peak resident memory of a process (VmHWM), in MB; undefined when /proc does not say. */
export function peakMb(pid: number | 'self'): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Current resident memory of a process (VmRSS), in MB. */
export function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; undefined when /proc does not say. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Resident memory of every process of the stack, sampled: the peak of each and the peak of their sum. */
export function memorySampler(pids: Record<string, number | undefined>) {
  const peaks: Record<string, number> = {};
  let sumPeak = 0;
  let last: Record<string, number> = {};
  const sample = () => {
    let sum = 0;
    last = {};
    for (const [name, pid] of Object.entries(pids)) {
      const mb = pid === undefined ? undefined : rssMb(pid);
      if (mb === undefined) continue;
      last[name] = mb;
      peaks[name] = Math.max(peaks[name] ?? 0, mb);
      sum += mb;
    }
    sumPeak = Math.max(sumPeak, sum);
  };
  sample();
  const timer = setInterval(sample, 1_000);
  return {
    now: () => Object.values(last).reduce((a, b) => a + b, 0),
    peaks: () => ({ ...peaks }),
    sumPeak: () => sumPeak,
    stop: () => clearInterval(timer),
  };
}

/** The processes of a benchmarked stack by name, for memory and CPU: the worker, FerretDB, Temporal, Redis and this driver. */
export function stackPids(
  worker: ChildProcess,
  city: SeededCity,
  servers: RunningStack,
): Record<string, number | undefined> {
  return {
    worker: worker.pid,
    ferretdb: city.stack.servers.find((s) => s.name === 'mongodb')?.pid,
    temporal: servers.servers.find((s) => s.name === 'temporal')?.pid,
    redis: servers.servers.find((s) => s.name === 'redis')?.pid,
    'this driver': process.pid,
  };
}

/** Starts counting each process's CPU seconds; the function returned says how many each has used since. */
export function cpuMeter(pids: Record<string, number | undefined>): () => Record<string, number> {
  const totals = () => Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) ?? NaN] as const);
  const before = Object.fromEntries(totals());
  return () => Object.fromEntries(totals().map(([name, seconds]) => [name, seconds - before[name]]));
}

/** Seeds N residents unless the state directory already holds exactly that city. */
export async function ensureCity(store: Connection, residents: number): Promise<string> {
  const meta = await store
    .db!.collection<{ _id: string; residentBatches?: string[] }>(SEED_META_COLLECTION)
    .findOne({ _id: 'city' });
  const batches = Math.ceil(residents / BATCH);
  if ((meta?.residentBatches?.length ?? 0) === batches && (await countPopulation(store, 'person')) === residents)
    return 'kept from an earlier run';
  const started = performance.now();
  const shown = progress('seeding residents', residents);
  await seedCity(store, {
    residents,
    enterprises: 0,
    seed: 'dezhou',
    asOf: SEED_AS_OF,
    secret: SECRET,
    batchSize: BATCH,
    onProgress: (p) => p.phase === 'residents' && shown.tick(p.done),
  });
  shown.done();
  const seconds = (performance.now() - started) / 1000;
  return `seeded in ${fmt(seconds, 0)} s (${fmt(residents / seconds)} residents/s)`;
}

export interface SeededCity {
  config: Config;
  stateDir: string;
  /** The city's FerretDB (started for this run). */
  stack: RunningStack;
  /** Its URI, database included. */
  uri: string;
  store: Connection;
  /** How the city came to be: seeded now, or kept. */
  note: string;
  close(): Promise<void>;
}

/** Starts the FerretDB of the city of N residents (seeding it the first time) and connects to its database. */
export async function openCity(residents: number): Promise<SeededCity> {
  const config = loadConfig();
  const stateDir = join(config.stateDir, `bench-simulate-${residents}`);
  const ports = { temporal: 0, temporalUi: 0, mongodb: await freePort(), redis: 0 };
  const stack = await startStack({
    config,
    stateDir,
    ports,
    progress: createProgress({ interactive: false }),
    servers: ['mongodb'],
  });
  const uri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/bench_simulate_${residents}$1`);
  const store = await connectStore(uri);
  try {
    const note = await ensureCity(store, residents);
    return { config, stateDir, stack, uri, store, note, close: async () => (await store.close(), await stack.stop()) };
  } catch (error) {
    await store.close();
    await stack.stop();
    throw error;
  }
}

/** Fresh embedded servers in a throw-away state directory, removed on stop. */
export async function freshServers(names: ServerName[]): Promise<RunningStack & { stateDir: string }> {
  const config = loadConfig();
  const stateDir = mkdtempSync(join(tmpdir(), 'applyfree-bench-'));
  const port = async (name: ServerName) => (names.includes(name) ? freePort() : 0);
  const ports = {
    temporal: await port('temporal'),
    temporalUi: names.includes('temporal') ? await freePort() : 0,
    mongodb: await port('mongodb'),
    redis: await port('redis'),
  };
  const stack = await startStack({
    config,
    stateDir,
    ports,
    progress: createProgress({ interactive: false }),
    servers: names,
  });
  return {
    ...stack,
    stateDir,
    async stop() {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Drops what a sweep or a life event writes (grants, notices, decisions, access records, sweeps,
 * eligibility horizons, cases, seals and certificates, entitlements and ledger lines…) and recreates their indexes; the seeded dp_* collections, the subjects register and the
 * policy versions stay.
 */
export async function resetRecords(store: Connection): Promise<void> {
  const models = registerModels(store);
  const keep = new Set(['Subject', 'PolicyVersion', 'PolicyHistory']);
  const owned = [
    ...Object.values(models),
    registerAccessRecordModel(store),
    registerSweepModel(store),
    registerHorizonModel(store),
    // A worker with seals signs each grant's certificate: the seal records go with their run, as its key files do.
    registerSealModel(store),
    registerCertificateModel(store),
    // A grant opens an entitlement and posts a ledger line: kept, the next run's grants would find them there.
    ...Object.values(registerEntitlementModels(store)),
    registerLedgerModel(store),
  ].filter((model) => !keep.has(model.modelName));
  const existing = new Set((await store.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const model of owned) {
    if (existing.has(model.collection.collectionName)) await model.collection.drop();
    await buildIndexes(model);
  }
}

/** Starts a worker process (bench/sweep-worker.ts: the Temporal worker and its activities) and resolves once it serves its task queue. */
export async function startWorker(settings: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/sweep-worker.ts', JSON.stringify(settings)], {
    cwd: ROOT,
    // TEMPORAL_TLS* with paths made absolute: the worker reaches an external Temporal as this process does.
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`  worker: ${chunk.toString()}`));
    child.on('exit', (code) =>
      reject(new Error(`the sweep worker exited with ${code} before it was ready:\n${output}`)),
    );
  });
  return child;
}
