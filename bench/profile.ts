/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums self time by function and by what the
 * function is doing in a sweep (reading BSON, evaluating, hashing pseudonyms, writing…), so
 * docs/BENCHMARKS.md can say where the time goes without a profiler UI.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, table } from './support.js';

/** The project's root, cut from a profiled function's path. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

/** Buckets by where a function lives; the first match wins. */
const CATEGORIES: Array<[string, RegExp]> = [
  ['idle (waiting for the database or Temporal)', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['BSON decode/encode (driver)', /node_modules\/bson\//],
  ['MongoDB driver (wire, cursors)', /node_modules\/mongodb\//],
  ['mongoose', /node_modules\/mongoose\//],
  ['population stream (merge-join, fold)', /store\/population\.ts/],
  [
    'compiled evaluator (decide, explain, amounts)',
    /rules\/(compiled|compiled-dates|amount|operators|dates|parameters|explain)\.ts/,
  ],
  ['eligibility horizon (next outcome change)', /rules\/horizon\.ts/],
  ['pseudonym HMAC', /domain\/pseudonym\.ts/],
  [
    'sweep activity and bulk writes',
    /activities\/(sweep|sweep-writes|sweep-cursor|notices)\.ts|store\/(bulk|horizons)\.ts/,
  ],
  [
    'life-event case (decide, facts, access records, grant, notice)',
    /activities\/(case|benefit-start|benefits|guard|shared-data\/[\w-]+)\.ts|store\/access-records\.ts/,
  ],
  ['BullMQ / Redis client', /node_modules\/(bullmq|ioredis)\//],
  ['Temporal worker SDK', /node_modules\/@temporalio\//],
  ['luxon', /node_modules\/luxon\//],
  ['node internals (crypto, streams, sockets)', /^node:|^internal\//],
  ['native / V8 (program, builtins)', /^$/],
];

function load(path: string): { profile: CpuProfile; selfUs: Map<number, number> } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1)
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  return { profile, selfUs };
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(ROOT, '');

/** The top functions by self time, and the self time per category, in ms and share of the profile. */
export function summariseProfile(
  path: string,
  top = 20,
): { wallMs: number; functions: SelfTime[]; categories: SelfTime[]; luxonCallers: SelfTime[] } {
  const { profile, selfUs } = load(path);
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const luxon = new Map<string, SelfTime>();
  const byFunction = new Map<string, SelfTime>();
  const byCategory = new Map<string, SelfTime>();
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    if (!us) continue;
    const url = short(node.callFrame.url);
    const name = node.callFrame.functionName || (url ? '(anonymous)' : node.callFrame.functionName || '(program)');
    const label = node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : name;
    const key = `${label} ${url}:${node.callFrame.lineNumber + 1}`;
    const entry = byFunction.get(key) ?? {
      name: label,
      where: url ? `${url}:${node.callFrame.lineNumber + 1}` : '',
      ms: 0,
      share: 0,
    };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
    const category =
      CATEGORIES.find(([, test]) => test.test(label.startsWith('(') && !url ? label : url))?.[0] ?? 'other JavaScript';
    const bucket = byCategory.get(category) ?? { name: category, where: '', ms: 0, share: 0 };
    bucket.ms += us / 1000;
    byCategory.set(category, bucket);
    if (/node_modules\/luxon\//.test(url)) {
      const chain: string[] = [];
      for (let caller = parent.get(node.id); caller && chain.length < 3; caller = parent.get(caller.id)) {
        const file = short(caller.callFrame.url);
        if (file === '' || file.startsWith('node_modules/') || file.startsWith('node:') || chain.at(-1) === file)
          continue;
        chain.push(file);
      }
      const key = chain.length > 0 ? chain.join(' ← ') : '(unknown)';
      const entry = luxon.get(key) ?? { name: key, where: '', ms: 0, share: 0 };
      entry.ms += us / 1000;
      luxon.set(key, entry);
    }
  }
  const finish = (entries: Iterable<SelfTime>) =>
    [...entries].map((e) => ({ ...e, share: e.ms / (total / 1000) })).sort((a, b) => b.ms - a.ms);
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    functions: finish(byFunction.values()).slice(0, top),
    categories: finish(byCategory.values()),
    luxonCallers: finish(luxon.values()),
  };
}

/** Prints where a benchmarked worker's time went during `what`: by category, luxon's callers, and the top functions. */
export function printWorkerProfile(file: string, what: string): void {
  const summary = summariseProfile(file);
  console.log(
    `\n   where the worker's time went (V8 CPU profile of ${what}, ${fmt(summary.wallMs / 1000, 1)} s, self time):`,
  );
  console.log(
    table(
      ['category', 'ms', 'share'],
      summary.categories.map((c) => [c.name, fmt(c.ms), `${fmt(100 * c.share, 1)}%`]),
    ),
  );
  console.log(`\n   luxon's self time by the project files that called it (innermost first):`);
  console.log(
    table(
      ['callers', 'ms'],
      summary.luxonCallers.slice(0, 8).map((c) => [c.name, fmt(c.ms)]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['function', 'where', 'ms', 'share'],
      summary.functions.map((f) => [f.name, f.where, fmt(f.ms), `${fmt(100 * f.share, 1)}%`]),
    ),
  );
}
