/**
 * `npm run bench [-- <name>…] [--<option> N …]`: runs the named benchmarks, or all of them, and
 * prints each figure and ratio (docs/BENCHMARKS.md records them with this command). A benchmark
 * is one entry below; `--help` lists them with their options. Separate from tests on purpose:
 * timings are measured here and never asserted.
 */
import { casePathBenchmark } from './case-path.js';
import { certificatesBenchmark } from './certificates.js';
import { chaosBenchmark } from './chaos.js';
import { cityBenchmark } from './city.js';
import { evaluatorBenchmark } from './evaluator.js';
import { grantsBenchmark } from './grants.js';
import { latencyBenchmark } from './latency.js';
import { payrollBenchmark } from './payroll.js';
import { noticesBenchmark } from './notices.js';
import { simulateBenchmark } from './simulate.js';
import { storeBenchmark } from './store.js';
import { sweepBenchmark } from './sweep.js';
import { targetsBenchmark } from './targets.js';
import { machine, OptionError, type Benchmark } from './support.js';

const BENCHMARKS: Record<string, Benchmark> = {
  evaluator: evaluatorBenchmark,
  simulate: simulateBenchmark,
  grants: grantsBenchmark,
  notices: noticesBenchmark,
  sweep: sweepBenchmark,
  payroll: payrollBenchmark,
  latency: latencyBenchmark,
  city: cityBenchmark,
  certificates: certificatesBenchmark,
  store: storeBenchmark,
  'case-path': casePathBenchmark,
  chaos: chaosBenchmark,
  targets: targetsBenchmark,
};

class UsageError extends OptionError {}

function usage(only: readonly string[]): string {
  const lines = [
    'usage: npm run bench [-- <name>…] [--<option> N …]',
    '',
    'benchmarks (all when none is named, except those marked "named only"):',
  ];
  for (const [name, benchmark] of Object.entries(BENCHMARKS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    lines.push(`  ${name.padEnd(12)} ${benchmark.summary}${benchmark.byNameOnly ? ' (named only)' : ''}`);
    for (const [option, { default: value, help }] of Object.entries(benchmark.options))
      lines.push(`      --${option} N  ${help} (default ${value.toLocaleString('en')})`);
  }
  return lines.join('\n');
}

/** Benchmark names and integer options from the command line; throws UsageError on anything else. */
function parse(args: readonly string[]): { names: string[]; options: Record<string, number> } {
  const names: string[] = [];
  const options: Record<string, number> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      if (!(arg in BENCHMARKS))
        throw new UsageError(`unknown benchmark "${arg}" (known: ${Object.keys(BENCHMARKS).join(', ')})`);
      names.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split('=', 2);
    const text = inline ?? args[++i];
    const value = Number(text?.replaceAll('_', ''));
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new UsageError(`--${key}: expected a positive whole number, got ${JSON.stringify(text ?? '')}`);
    options[key] = value;
  }
  const all = Object.keys(BENCHMARKS).filter((name) => !BENCHMARKS[name].byNameOnly);
  return { names: names.length > 0 ? names : all, options };
}

async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage(args.filter((arg) => arg in BENCHMARKS)));
    return;
  }
  const { names, options } = parse(args);
  const known = new Set(names.flatMap((name) => Object.keys(BENCHMARKS[name].options)));
  const stray = Object.keys(options).find((option) => !known.has(option));
  if (stray !== undefined)
    throw new UsageError(`--${stray} is not an option of ${names.join(', ')} (see npm run bench -- --help)`);

  console.log(`applyfree benchmarks · ${new Date().toISOString()}\n${machine()}`);
  for (const name of names) {
    const benchmark = BENCHMARKS[name];
    const chosen = Object.fromEntries(
      Object.entries(benchmark.options).map(([option, spec]) => [option, options[option] ?? spec.default]),
    );
    const shown = Object.entries(chosen)
      .map(([option, value]) => `--${option} ${value}`)
      .join(' ');
    console.log(`\n== ${name}: ${benchmark.summary}\n   npm run bench -- ${name} ${shown}`);
    await benchmark.run(chosen);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof OptionError ? `bench: ${error.message}` : error);
  process.exitCode = error instanceof OptionError ? 2 : 1;
});
