/**
 * `npm run bench -- targets`: issue 17's targets side by side from one run. It runs, one after the
 * other on the same machine, the life-event latency at the target rate (bench/latency.ts), the
 * sweep of a million (bench/sweep.ts) and the whole city (bench/city.ts), each printing its own
 * figures as when run alone, then one table: each target, what this run measured, met or missed.
 * The memory target is every process of the stack summed at its sampled peak, the highest of the
 * three runs. Named only: the city takes most of an hour once seeded, and hours to seed.
 */
import { cityBenchmark } from './city.js';
import { latencyBenchmark } from './latency.js';
import { sweepBenchmark } from './sweep.js';
import { fmt, table, type Benchmark, type TargetFigure } from './support.js';

/** The runs, in order, and which of this benchmark's options become which of theirs. */
const RUNS: Array<{ name: string; benchmark: Benchmark; options: Record<string, string> }> = [
  {
    name: 'latency',
    benchmark: latencyBenchmark,
    options: {
      residents: 'latency-residents',
      rate: 'rate',
      seconds: 'seconds',
      'max-rate': 'max-rate',
      profile: 'profile',
      perf: 'perf',
    },
  },
  { name: 'sweep', benchmark: sweepBenchmark, options: { residents: 'sweep-residents', parts: 'parts', perf: 'perf' } },
  { name: 'city', benchmark: cityBenchmark, options: { residents: 'city-residents', parts: 'parts' } },
];

/** Rows of the same target (the memory one, from every run) become one: met only when each is. */
export function mergeTargets(figures: readonly TargetFigure[]): TargetFigure[] {
  const merged = new Map<string, TargetFigure>();
  for (const figure of figures) {
    const seen = merged.get(figure.target);
    merged.set(
      figure.target,
      seen
        ? { target: figure.target, measured: `${seen.measured}; ${figure.measured}`, met: seen.met && figure.met }
        : { ...figure },
    );
  }
  return [...merged.values()];
}

export const targetsBenchmark: Benchmark = {
  summary:
    "issue 17's targets side by side from one run: life events at 25/s, a million swept, the whole city, all within 4 GiB",
  byNameOnly: true,
  options: {
    'latency-residents': { default: 200_000, help: 'the city whose infants are the life events' },
    rate: { default: 25, help: 'steady offered life events per second (the target: 25)' },
    seconds: { default: 60, help: 'length of the steady run' },
    'max-rate': { default: 64, help: 'highest rate of the rising steps after the steady run' },
    profile: { default: 0, help: "1: the life-event run records the worker's V8 profile" },
    perf: {
      default: 0,
      help: '1: the life-event run and the sweep of a million sample the Temporal server and FerretDB with Linux perf',
    },
    'sweep-residents': { default: 1_000_000, help: 'the city of the one-sweep target (a million)' },
    parts: { default: 2, help: '_id ranges each sweep screens side by side' },
    'city-residents': { default: 5_600_000, help: "the whole city (Dezhou's 5.6 million)" },
  },
  async run(options) {
    const figures: TargetFigure[] = [];
    const started = performance.now();
    for (const { name, benchmark, options: mapping } of RUNS) {
      const chosen = Object.fromEntries(
        Object.entries(benchmark.options).map(([option, spec]) => [
          option,
          option in mapping ? options[mapping[option]] : spec.default,
        ]),
      );
      const shown = Object.entries(chosen)
        .map(([option, value]) => `--${option} ${value}`)
        .join(' ');
      console.log(`\n-- ${name}: npm run bench -- ${name} ${shown}`);
      const runStarted = performance.now();
      figures.push(...((await benchmark.run(chosen)) ?? []));
      console.log(`   (${name} took ${fmt((performance.now() - runStarted) / 1000)} s)`);
    }
    const rows = mergeTargets(figures);
    console.log(
      `\n   issue 17's targets, this run (${fmt((performance.now() - started) / 60_000, 1)} minutes in all):`,
    );
    console.log(
      table(
        ['target', 'measured', 'met'],
        rows.map((row) => [row.target, row.measured, row.met ? 'met' : 'missed']),
      ),
    );
    return rows;
  },
};
