/**
 * `npm run bench -- store`: the embedded FerretDB 1.24.2 as upstream builds it and with the
 * project's patch (infra/ferretdb/applyfree.patch, docs/FERRETDB.md), side by side on the same
 * documents: resident-like, about 1.6 KB, string `_id` of 18 characters, an index on a unique
 * secondary field and one on the district. Each build runs fresh on a free port with its own
 * SQLite directory. Timed: bulk inserts; lookups by `_id` (alone and with a second condition);
 * by the indexed unique field; a count by district; a page of 1,000 after a key in `_id` order;
 * and the whole collection drained in `_id` order (first batch, total, FerretDB's peak memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { freePort } from '../infra/ports.js';
import { createProgress } from '../infra/progress.js';
import { ensureFerretDb } from '../infra/provision.js';
import { loadConfig } from '../workers/config.js';
import { fmt, progress, table, type Benchmark } from './support.js';

interface Resident {
  _id: string;
  seq: string;
  district: string;
  [field: string]: unknown;
}

const DISTRICTS = 13;

/** The n-th resident: keys spread over the key space (a multiplicative permutation), so inserts are not in key order. */
function resident(n: number, total: number): Resident {
  const k = (n * 7_919) % total;
  return {
    _id: `3714${String(k).padStart(14, '0')}`,
    seq: `S${String(n).padStart(10, '0')}`,
    district: `3714${String(k % DISTRICTS).padStart(2, '0')}`,
    birthDate: new Date(Date.UTC(1930 + (k % 90), k % 12, 1 + (k % 28))),
    hukou: k % 5 === 0 ? 'rural' : 'urban',
    flags: { disabled: k % 17 === 0, lowIncome: k % 23 === 0, veteran: k % 41 === 0 },
    pension: (k % 4_000) * 100,
    household: `H${String(Math.floor(k / 3)).padStart(12, '0')}`,
    address: `德州市德城区新湖大街${k % 999}号${'院'.repeat(k % 7)} · ${'x'.repeat(1_200)}`,
    phoneMasked: `1${String(k % 1e10).padStart(10, '0')}`.replace(/\d{4}$/, '****'),
  };
}

/** Peak resident memory of a process (VmHWM), MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function startFerret(binary: string): Promise<{ uri: string; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'applyfree-bench-store-'));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const uri = `mongodb://127.0.0.1:${port}/`;
  for (let tries = 0; ; tries += 1) {
    const client = new mongo.MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      await client.close();
      return { uri, child, dir };
    } catch (error) {
      await client.close();
      if (tries > 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** Median of `probes` runs of `work(i)`, ms. */
async function median(probes: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < probes; i += 1) times.push((await timed(() => work(i)))[1]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function measure(label: string, binary: string, documents: number, probes: number): Promise<string[][]> {
  const { uri, child, dir } = await startFerret(binary);
  const client = await mongo.MongoClient.connect(uri);
  const rows: string[][] = [];
  const row = (figure: string, value: string) => rows.push([label, figure, value]);
  try {
    const residents = client.db('bench').collection<Resident>('residents');
    await residents.createIndex({ seq: 1 }, { unique: true });
    await residents.createIndex({ district: 1 });
    const inserting = progress(`${label}: inserting`, documents);
    const [, insertMs] = await timed(async () => {
      for (let n = 0; n < documents; n += 1_000) {
        const batch = Array.from({ length: Math.min(1_000, documents - n) }, (_, i) => resident(n + i, documents));
        await residents.insertMany(batch, { ordered: false });
        inserting.tick(n + batch.length);
      }
    });
    inserting.done();
    row(
      'insertMany, batches of 1,000',
      `${fmt(insertMs / 1_000, 1)} s (${fmt(insertMs / (documents / 1_000), 0)} ms a batch)`,
    );

    const someId = (i: number) => resident((i * 104_729) % documents, documents)._id;
    row('findOne by _id (median)', `${fmt(await median(probes, (i) => residents.findOne({ _id: someId(i) })), 1)} ms`);
    row(
      'findOne by _id and a second condition',
      `${fmt(await median(Math.min(probes, 3), (i) => residents.findOne({ _id: someId(i), hukou: { $in: ['rural', 'urban'] } })), 1)} ms`,
    );
    row(
      'findOne by an indexed unique field',
      `${fmt(await median(Math.min(probes, 3), (i) => residents.findOne({ seq: `S${String((i * 104_729) % documents).padStart(10, '0')}` })), 1)} ms`,
    );
    const [count, countMs] = await timed(() => residents.countDocuments({ district: '371405' }));
    row('countDocuments by an indexed district', `${fmt(countMs / 1_000, 2)} s (${fmt(count)} documents)`);
    const middle = resident(Math.floor(documents / 2), documents)._id;
    const [page, pageMs] = await timed(() =>
      residents
        .find({ _id: { $gt: middle } })
        .sort({ _id: 1 })
        .limit(1_000)
        .toArray(),
    );
    row('1,000 after a key, in _id order', `${fmt(pageMs / 1_000, 2)} s (${fmt(page.length)} documents)`);

    const rssBefore = peakRssMb(child.pid!);
    const draining = progress(`${label}: draining in _id order`, documents);
    let firstBatchMs = NaN;
    let drained = 0;
    let previous = '';
    let ordered = true;
    const [, drainMs] = await timed(async () => {
      const started = performance.now();
      for await (const doc of residents.find({}).sort({ _id: 1 }).batchSize(1_000)) {
        if (drained === 0) firstBatchMs = performance.now() - started;
        if (doc._id <= previous) ordered = false;
        previous = doc._id;
        drained += 1;
        draining.tick(drained);
      }
    });
    draining.done();
    row('drain in _id order: first batch', `${fmt(firstBatchMs / 1_000, 2)} s`);
    row(
      'drain in _id order: total',
      `${fmt(drainMs / 1_000, 1)} s (${fmt(drained)} documents, ${ordered ? 'in order' : 'OUT OF ORDER'})`,
    );
    row('FerretDB peak RSS before / after the drain', `${fmt(rssBefore)} / ${fmt(peakRssMb(child.pid!))} MB`);
    return rows;
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

export const storeBenchmark: Benchmark = {
  summary: 'the embedded FerretDB, upstream and patched, on the same documents',
  options: {
    documents: { default: 200_000, help: 'resident-like documents of about 1.6 KB' },
    probes: { default: 20, help: 'lookups by _id timed (median); the others take at most 3' },
  },
  async run({ documents, probes }) {
    const config = loadConfig();
    const setup = createProgress({ interactive: false });
    const upstream = await ensureFerretDb(config.cacheDir, setup, { patched: false });
    const patched = await ensureFerretDb(config.cacheDir, setup);
    const rows = [
      ...(await measure('patched', patched.path, documents, probes)),
      ...(await measure('upstream', upstream.path, documents, probes)),
    ];
    console.log(table(['build', 'figure', 'value'], rows));
  },
};
