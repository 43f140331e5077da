/**
 * What every benchmark shares: its contract with bench/run.ts, progress lines for long runs,
 * a plain-text table, and the machine the figures come from. Timings live here and in bench/
 * only; tests never assert them.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** One of issue 17's targets as a run measured it: `npm run bench -- targets` prints them side by side. */
export interface TargetFigure {
  target: string;
  measured: string;
  met: boolean;
}

/** Issue 17's memory target, which every run that samples the whole stack reports against. */
export const MEMORY_TARGET_MB = 4 * 1024;

/** The memory target as one run measured it: the peak of every process's resident memory summed. */
export function memoryFigure(run: string, sumPeakMb: number): TargetFigure {
  return {
    target: 'all processes ≤ 4 GiB',
    measured: `${fmt(sumPeakMb)} MB at the peak (${run})`,
    met: sumPeakMb <= MEMORY_TARGET_MB,
  };
}

/**
 * A named entry of `npm run bench`: integer options with defaults, and a run that prints its
 * figures and returns those it measured against a target, if any.
 */
export interface Benchmark {
  summary: string;
  options: Record<string, { default: number; help: string }>;
  /** Run only when named (`npm run chaos` is `bench -- chaos`): never part of `npm run bench` with no name. */
  byNameOnly?: boolean;
  run(options: Record<string, number>): Promise<void | TargetFigure[]>;
}

/** An option a benchmark cannot run with: `npm run bench` prints its message (naming the option) and exits 2. */
export class OptionError extends Error {}

/** Checks that each named option is a switch, 0 or 1: an OptionError naming the first that is not. */
export function checkSwitches(options: Record<string, number>, names: readonly string[]): void {
  for (const name of names)
    if (options[name] !== 0 && options[name] !== 1) throw new OptionError(`--${name}: 0 or 1, got ${options[name]}`);
}

/** One line about the machine, with its load when the run starts: figures mean little without them. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg()[0].toFixed(2);
  return `${availableParallelism()} cores · ${cpu} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version} · ${process.platform} · load ${load}`;
}

/**
 * Progress of a long loop on stderr, at most once a second: rewritten in place on a terminal,
 * a line every ten seconds otherwise (CI logs). `done()` clears the line.
 */
export function progress(label: string, total: number): { tick(count: number): void; done(): void } {
  const tty = process.stderr.isTTY;
  const every = tty ? 1_000 : 10_000;
  let last = performance.now();
  let shown = false;
  return {
    tick(count) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      const line = `  ${label} ${count.toLocaleString('en')}/${total.toLocaleString('en')} (${Math.floor((100 * count) / total)}%)`;
      if (tty) process.stderr.write(`\r${line}\u001b[K`);
      else process.stderr.write(`${line}\n`);
      shown = true;
    },
    done() {
      if (tty && shown) process.stderr.write('\r\u001b[K');
    },
  };
}

/** A number with thousands separators, rounded to `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Rows under a header, columns padded; text columns left-aligned, numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const numeric = header.map((_, i) => rows.every((row) => /^[\d,.×%/ -]*$/.test(row[i])));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
