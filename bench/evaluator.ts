/**
 * `npm run bench -- evaluator`: the compiled evaluator against json-rules-engine's Engine.run on the
 * same rules and the same facts (DESIGN.md, Performance: at least 100×), and against our
 * evaluatePolicy wrapper, for every shipped policy over the synthetic city. Single-threaded, so
 * every rate is per core. Engine.run and evaluatePolicy are timed on the first `engine-sets` and
 * `wrapper-sets` of the same fact records (they are too slow for all of them); a rate is a rate,
 * so the ratio needs no extrapolation. Results are checked to agree before any figure is shown.
 */
import { isDeepStrictEqual } from 'node:util';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy, type CompiledDecision } from '../rules/compiled.js';
import { evaluatePolicy, runRulesEngine } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { buildBaselineEngine, engineVerdict } from './engine-baseline.js';
import { project, syntheticPopulation, type FactRecord } from './facts.js';
import { fmt, progress, table, type Benchmark } from './support.js';

/** Every policy is in force on this date, and its parameters are. */
const AS_OF = '2025-06-01';
const WARM_UP = 1_000;
const TARGET = 100;

interface Timing {
  count: number;
  seconds: number;
}

interface Measurement {
  policy: Policy;
  subjects: number;
  compileMs: number;
  outcomes: Record<CompiledDecision['outcome'], number>;
  paid: number;
  /** Conditions only, two-valued: json-rules-engine's Engine.run and the compiled passes(). */
  engine: Timing;
  passes: Timing;
  /** Whole decisions (Kleene outcome, amount, period, missing facts): evaluatePolicy and the compiled decide(), with and without precomputation. */
  wrapper: Timing;
  decide: Timing;
  plain: Timing;
  disagreements: string[];
}

const rate = (timing: Timing): number => timing.count / timing.seconds;
const times = (a: Timing, b: Timing): string => `${fmt(rate(a) / rate(b), rate(a) / rate(b) < 10 ? 1 : 0)}×`;

/** Runs `each` over the records, timed, with progress; `each` may be async (then awaited one by one, as a sweep would). */
async function timed(
  label: string,
  records: readonly FactRecord[],
  each: (facts: FactRecord, i: number) => unknown,
): Promise<Timing> {
  const shown = progress(label, records.length);
  const started = performance.now();
  for (let i = 0; i < records.length; i += 1) {
    const result = each(records[i], i);
    if (result instanceof Promise) await result;
    if ((i & 1023) === 0) shown.tick(i);
  }
  const seconds = (performance.now() - started) / 1000;
  shown.done();
  return { count: records.length, seconds };
}

async function measure(
  policy: Policy,
  population: readonly FactRecord[],
  options: Record<string, number>,
): Promise<Measurement> {
  const facts = project(population, Object.keys(policy.facts));
  const sample = facts.slice(0, options['engine-sets']);
  const wrapperSample = facts.slice(0, options['wrapper-sets']);
  const warmUp = facts.slice(-WARM_UP);
  const name = policy.id;

  // Conditions. The JIT warms up on throw-away instances, so each timed compiled run starts cold, as a sweep does.
  const engine = buildBaselineEngine(policy, AS_OF);
  for (const record of warmUp) await engineVerdict(engine, record);
  const verdicts: boolean[] = [];
  const engineTiming = await timed(`${name}: Engine.run`, sample, async (record, i) => {
    verdicts[i] = await engineVerdict(engine, record);
  });
  const warmPasses = compilePolicy(policy, AS_OF);
  for (const record of warmUp) warmPasses.passes(record);
  const forPasses = compilePolicy(policy, AS_OF);
  const passed: boolean[] = [];
  const passesTiming = await timed(`${name}: compiled passes()`, facts, (record, i) => {
    passed[i] = forPasses.passes(record);
  });

  // Decisions.
  for (const record of warmUp) await evaluatePolicy(policy, record, AS_OF);
  const decisions: CompiledDecision[] = [];
  const wrapperTiming = await timed(`${name}: evaluatePolicy`, wrapperSample, async (record, i) => {
    const { outcome, missingFacts, amount, period } = await evaluatePolicy(policy, record, AS_OF);
    decisions[i] = { outcome, missingFacts, ...(amount === undefined ? {} : { amount }), period };
  });
  const warmDecide = compilePolicy(policy, AS_OF);
  for (const record of warmUp) warmDecide.decide(record);
  const compileStarted = performance.now();
  const compiled = compilePolicy(policy, AS_OF);
  const compileMs = performance.now() - compileStarted;
  const outcomes = { eligible: 0, ineligible: 0, undetermined: 0 };
  let paid = 0;
  const decideTiming = await timed(`${name}: compiled decide()`, facts, (record) => {
    const decision = compiled.decide(record);
    outcomes[decision.outcome] += 1;
    paid += decision.amount ?? 0;
  });
  const plain = compilePolicy(policy, AS_OF, { precompute: false });
  for (const record of warmUp) plain.decide(record);
  const plainTiming = await timed(`${name}: compiled decide(), precompute off`, sample, (record) =>
    plain.decide(record),
  );

  const disagreements: string[] = [];
  const disagree = (what: string, record: FactRecord): void => {
    if (disagreements.length < 3) disagreements.push(`${name}: ${what} for ${JSON.stringify(record)}`);
  };
  sample.forEach((record, i) => {
    if (passed[i] !== verdicts[i]) disagree(`Engine.run says ${verdicts[i]}, compiled passes() ${passed[i]}`, record);
  });
  wrapperSample.forEach((record, i) => {
    const decision = compiled.decide(record);
    if (!isDeepStrictEqual(decision, decisions[i]))
      disagree(`evaluatePolicy says ${JSON.stringify(decisions[i])}, compiled ${JSON.stringify(decision)}`, record);
    if (!isDeepStrictEqual(plain.decide(record), decisions[i]))
      disagree('compiled decide() without precomputation differs', record);
  });
  for (const [i, record] of sample.slice(0, WARM_UP).entries()) {
    if ((await runRulesEngine(policy, record, AS_OF)).passed !== verdicts[i])
      disagree('the baseline Engine differs from runRulesEngine', record);
  }

  return {
    policy,
    subjects: facts.length,
    compileMs,
    outcomes,
    paid,
    engine: engineTiming,
    passes: passesTiming,
    wrapper: wrapperTiming,
    decide: decideTiming,
    plain: plainTiming,
    disagreements,
  };
}

type Contender = 'engine' | 'passes' | 'wrapper' | 'decide' | 'plain';
const CONTENDERS: readonly Contender[] = ['engine', 'passes', 'wrapper', 'decide', 'plain'];

function report(measurements: readonly Measurement[], options: Record<string, number>): void {
  const all = Object.fromEntries(
    CONTENDERS.map((key) => [
      key,
      measurements.reduce((sum, m) => ({ count: sum.count + m[key].count, seconds: sum.seconds + m[key].seconds }), {
        count: 0,
        seconds: 0,
      }),
    ]),
  ) as Record<Contender, Timing>;
  const rows = (cells: (label: string, t: Record<Contender, Timing>) => string[]): string[][] => [
    ...measurements.map((m) => cells(m.policy.id, m)),
    cells('all policies', all),
  ];
  const sets = (key: 'engine-sets' | 'wrapper-sets'): string => fmt(Math.min(options[key], options.sets));

  console.log(`\nConditions, two-valued (the DESIGN target): evaluations per second on one core, as of ${AS_OF}.`);
  console.log(
    `Engine.run on the first ${sets('engine-sets')} subjects of each policy, compiled passes() on all ${fmt(options.sets)}.\n`,
  );
  console.log(
    table(
      ['policy', 'Engine.run/s', 'compiled/s', 'compiled vs Engine.run'],
      rows((label, t) => [label, fmt(rate(t.engine)), fmt(rate(t.passes)), times(t.passes, t.engine)]),
    ),
  );

  console.log(
    `\nWhole decisions (outcome, amount, period, missing facts): evaluatePolicy on the first ${sets('wrapper-sets')},`,
  );
  console.log(
    `compiled decide() on all, and decide() without precomputed date ranges and amount cache on the first ${sets('engine-sets')}.\n`,
  );
  console.log(
    table(
      ['policy', 'evaluatePolicy/s', 'decide()/s', 'vs evaluatePolicy', 'precompute off/s', 'off vs evaluatePolicy'],
      rows((label, t) => [
        label,
        fmt(rate(t.wrapper)),
        fmt(rate(t.decide)),
        times(t.decide, t.wrapper),
        fmt(rate(t.plain)),
        times(t.plain, t.wrapper),
      ]),
    ),
  );

  console.log(`\nThe compiled sweep over ${fmt(options.sets)} subjects per policy; agreement on the timed samples\n`);
  console.log(
    table(
      ['policy', 'eligible', 'ineligible', 'undetermined', 'paid (CNY)', 'compile ms', 'sweep s', 'agree'],
      measurements.map((m) => [
        m.policy.id,
        fmt(m.outcomes.eligible),
        fmt(m.outcomes.ineligible),
        fmt(m.outcomes.undetermined),
        fmt(m.paid, 2),
        fmt(m.compileMs, 1),
        fmt(m.decide.seconds, 3),
        m.disagreements.length === 0 ? 'yes' : 'NO',
      ]),
    ),
  );

  const overall = rate(all.passes) / rate(all.engine);
  const slowest = Math.min(...measurements.map((m) => rate(m.passes) / rate(m.engine)));
  const decisions = rate(all.decide) / rate(all.wrapper);
  console.log(
    `\ncompiled vs Engine.run: ${fmt(overall)}× over all policies, ${fmt(slowest)}× for the slowest; target ≥ ${TARGET}×: ${slowest >= TARGET ? 'met' : 'NOT met'}`,
  );
  console.log(`compiled decide() vs evaluatePolicy: ${fmt(decisions)}× over all policies`);
  const disagreements = measurements.flatMap((m) => m.disagreements);
  if (disagreements.length > 0) {
    console.log(
      `\nRESULTS DISAGREE — the figures above mean nothing until this is fixed:\n${disagreements.join('\n')}`,
    );
    process.exitCode = 1;
  }
}

export const evaluatorBenchmark: Benchmark = {
  summary: 'compiled evaluator vs json-rules-engine Engine.run (and evaluatePolicy) on the same rules and facts',
  options: {
    sets: { default: 200_000, help: 'fact sets (synthetic subjects) per policy for the compiled evaluator' },
    'engine-sets': { default: 20_000, help: 'of those, how many Engine.run and the uncached evaluator are timed on' },
    'wrapper-sets': { default: 10_000, help: 'of those, how many evaluatePolicy is timed on' },
  },
  async run(options) {
    const catalog = await loadPolicyCatalog();
    const populations = new Map<string, FactRecord[]>();
    const measurements: Measurement[] = [];
    for (const policy of catalog.policies) {
      if (!populations.has(policy.subject))
        populations.set(policy.subject, syntheticPopulation(policy.subject, options.sets, AS_OF));
      measurements.push(await measure(policy, populations.get(policy.subject)!, options));
      const last = measurements[measurements.length - 1];
      console.error(
        `  ${policy.id}: compiled ${times(last.passes, last.engine)} Engine.run, decide() ${times(last.decide, last.wrapper)} evaluatePolicy`,
      );
    }
    report(measurements, options);
  },
};
