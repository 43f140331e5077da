/**
 * Where a benchmarked server's CPU goes: Linux perf samples a running FerretDB or Temporal dev
 * server (both Go binaries with their symbols), and its self time is summed by what the code is
 * doing (SQLite, FerretDB's document conversions, Temporal's persistence, gRPC, Go's garbage
 * collector, the kernel…). The benchmarks' CPU seconds per process say which server bounds a
 * run; this says what inside it does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgress } from '../infra/progress.js';
import { ensurePerf } from '../infra/provision.js';
import { fmt, table } from './support.js';

/** Samples a second per core: enough for a share of a percent over a minute, little overhead. */
const FREQUENCY_HZ = 199;

export interface SymbolTime {
  /** The function (Go symbol, or the kernel's), or the category. */
  name: string;
  /** Its share of the samples, 0–1. */
  share: number;
}

/** Buckets by symbol; the first match wins. Kernel symbols are matched as `[k] name`. */
const CATEGORIES: Array<[string, RegExp]> = [
  ['kernel (system calls: sockets, file I/O, scheduling)', /^\[k\] /],
  ['SQLite (modernc.org/sqlite: C translated to Go)', /^modernc\.org\/sqlite/],
  ["SQLite's C library shim (modernc.org/libc, memory)", /^modernc\.org\/(libc|memory|mathutil)/],
  [
    'FerretDB: documents to and from SQLite JSON (sjson)',
    /FerretDB\/internal\/handler\/sjson|FerretDB\/internal\/backends/,
  ],
  ['FerretDB: BSON on the wire (bson, wire)', /FerretDB\/internal\/(bson|wire)/],
  ['FerretDB: documents, filters, projections (types, handler)', /FerretDB\/internal\//],
  ['Temporal: persistence (SQL stores, serialization)', /go\.temporal\.io\/server\/common\/persistence/],
  ['Temporal: history, matching and frontend services', /go\.temporal\.io\/server\/service/],
  ['Temporal: other server code', /go\.temporal\.io\//],
  ['gRPC and HTTP/2', /google\.golang\.org\/grpc|golang\.org\/x\/net\/http2/],
  ['protobuf encoding', /google\.golang\.org\/protobuf|github\.com\/gogo\/protobuf/],
  ['JSON (encoding/json)', /^encoding\/json/],
  [
    'Go runtime: garbage collection',
    /^runtime\.(gc|scan|mark|greyobject|wbBuf|bgsweep|sweep|findObject|tryDefer|heapBits|spanOf|typePointers|bulkBarrier|\(\*mspan\)\.(moveInlineMarks|sweep)|\(\*gcWork\))|^internal\/runtime\/gc\//,
  ],
  [
    'Go runtime: stack unwinding (stack scans, runtime.Callers)',
    /^runtime\.(pcvalue|step|findfunc|funcInfo|funcspdelta|funcMaxSPDelta|readvarint|\(\*unwinder\)|gentraceback|callers|tracebackPCs)/,
  ],
  ['Go runtime: allocation', /^runtime\.(mallocgc|newobject|makeslice|growslice|nextFree|mcache|mcentral|mheap|mspan)/],
  ['Go runtime: scheduler, copies, maps and other', /^runtime\.|^internal\/runtime/],
  ['Go standard library: other', /^[a-z]+(\/[a-z0-9]+)*\.[^/]*$/],
];

/** The category of one perf symbol line's name (kernel symbols prefixed `[k] `). */
export function categoryOf(symbol: string): string {
  return CATEGORIES.find(([, test]) => test.test(symbol))?.[0] ?? 'other';
}

/**
 * Parses `perf report --stdio --no-children --sort sym` lines: `  12.34%  [.] symbol` (user)
 * or `  1.20%  [k] symbol` (kernel). Kernel symbols come back prefixed `[k] `.
 */
export function parsePerfReport(text: string): SymbolTime[] {
  const rows: SymbolTime[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([\d.]+)%\s+\[([.k])\]\s+(.+?)\s*$/.exec(line);
    if (!match) continue;
    const name = match[3].replace(/(\s+-)+$/, '');
    rows.push({ name: match[2] === 'k' ? `[k] ${name}` : name, share: Number(match[1]) / 100 });
  }
  return rows;
}

/** A count as perf prints it: `812`, `34K`, `1M`. */
export function perfCount(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/.exec(text ?? '');
  if (!match) return NaN;
  return Math.round(Number(match[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[match[2] as '' | 'K' | 'M' | 'G']);
}

/** Sums symbols' shares by category, largest first. */
export function byCategory(symbols: readonly SymbolTime[]): SymbolTime[] {
  const sums = new Map<string, number>();
  for (const { name, share } of symbols) {
    const category = categoryOf(name);
    sums.set(category, (sums.get(category) ?? 0) + share);
  }
  return [...sums].map(([name, share]) => ({ name, share })).sort((a, b) => b.share - a.share);
}

export interface ServerProfile {
  server: string;
  /** Samples perf took (all threads). */
  samples: number;
  categories: SymbolTime[];
  symbols: SymbolTime[];
}

export interface ServerRecording {
  /** Stops sampling and reads the profile. */
  stop(): Promise<ServerProfile>;
  /** Stops sampling without reading. */
  cancel(): void;
}

/**
 * Starts `perf` (its path) sampling process `pid` (every thread, user and kernel) into `dir`.
 * Throws with perf's own words when it cannot attach (a kernel that forbids perf events: see
 * /proc/sys/kernel/perf_event_paranoid).
 */
async function recordServer(perf: string, server: string, pid: number, dir: string): Promise<ServerRecording> {
  const file = join(dir, `${server}.perf.data`);
  const child = spawn(perf, ['record', '-F', String(FREQUENCY_HZ), '-p', String(pid), '-o', file, '-q'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // perf says at once when it cannot attach; give it that moment before the run counts on it.
  const early = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 500, undefined))]);
  if (early) throw new Error(`perf could not record ${server} (pid ${pid}): ${stderr.trim() || `exit ${early[0]}`}`);
  return {
    cancel: () => void child.kill('SIGINT'),
    async stop() {
      child.kill('SIGINT');
      await exited;
      const report = spawnSync(perf, ['report', '-i', file, '--stdio', '--no-children', '--sort', 'sym'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      rmSync(file, { force: true });
      if (report.status !== 0) throw new Error(`perf report failed for ${server}: ${report.stderr.trim()}`);
      const symbols = parsePerfReport(report.stdout);
      const samples = perfCount(/^# Samples: (\S+)/m.exec(report.stdout)?.[1]);
      return { server, samples, categories: byCategory(symbols), symbols };
    },
  };
}

/** Prints where a server's CPU went during `what`: by category, then its top functions. */
export function printServerProfile(profile: ServerProfile, what: string, top = 15): void {
  console.log(
    `\n   where ${profile.server}'s CPU went (perf, ${what}, ${fmt(profile.samples)} samples at ${FREQUENCY_HZ} Hz, self time):`,
  );
  console.log(
    table(
      ['category', 'share'],
      profile.categories.filter((c) => c.share >= 0.005).map((c) => [c.name, `${fmt(100 * c.share, 1)}%`]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['function', 'category', 'share'],
      profile.symbols.slice(0, top).map((s) => [s.name, categoryOf(s.name), `${fmt(100 * s.share, 1)}%`]),
    ),
  );
}

/**
 * Records each named server of `pids` (for example `ferretdb`, `temporal`) with perf until `stop`;
 * provisions Debian's linux-perf first when it is missing.
 */
export async function recordServers(
  pids: Record<string, number | undefined>,
  names: readonly string[],
): Promise<{ stop(): Promise<ServerProfile[]>; discard(): void }> {
  const perf = (await ensurePerf(createProgress({ interactive: false }))).path;
  const dir = mkdtempSync(join(tmpdir(), 'applyfree-perf-'));
  const recordings: ServerRecording[] = [];
  const discard = () => {
    for (const recording of recordings) recording.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const name of names) {
      const pid = pids[name];
      if (pid === undefined) throw new Error(`no ${name} process to record`);
      recordings.push(await recordServer(perf, name, pid, dir));
    }
  } catch (error) {
    discard();
    throw error;
  }
  return {
    async stop() {
      try {
        const profiles: ServerProfile[] = [];
        for (const recording of recordings) profiles.push(await recording.stop());
        return profiles;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    discard,
  };
}
