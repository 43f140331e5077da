/**
 * `npm run bench -- simulate [--residents N]`: an impact simulation of a draft over N synthetic
 * residents in an embedded FerretDB, through the same runner the API uses (services/policies/simulation.ts):
 * a new old-age-allowance version (80-89 paid 120 instead of 100) against the published v1. Prints wall time,
 * subjects per second, peak memory, and for comparison a bare drain of the same cursors and what
 * json-rules-engine (evaluatePolicy) would take for the same population. The seeded city is kept in
 * a state directory per N (`<state dir>/bench-simulate-N`), so later runs skip seeding.
 */
import type { Connection } from 'mongoose';
import { createPolicyLifecycle, type Actor } from '../services/policies/lifecycle.js';
import { createSimulationRunner, describeSimulation } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { compilePolicy } from '../rules/compiled.js';
import { evaluatePolicy } from '../rules/engine.js';
import { createSimulation } from '../rules/simulate.js';
import { expectsNotInForce, type Policy } from '../rules/types.js';
import { validatePolicy } from '../rules/validate.js';
import { streamPopulation } from '../store/population.js';
import { openCity, peakMb } from './population.js';
import { fmt, progress, table, type Benchmark } from './support.js';

const AS_OF = '2026-06-01';
const ENGINE_SAMPLE = 20_000;
const officer: Actor = { id: 'bench', name: 'bench', role: 'officer' };

/**
 * A new old-age-allowance version: v1 with the 80-89 band paid 120 a month instead of 100 (a draft,
 * created once), numbered after the shipped versions as the lifecycle numbers drafts.
 */
async function draftV2(lifecycle: ReturnType<typeof createPolicyLifecycle>, v1: Policy): Promise<Policy> {
  const shipped = (await loadPolicyCatalog()).policies;
  await lifecycle.importCatalog(shipped);
  const version = Math.max(...shipped.filter((policy) => policy.id === v1.id).map((policy) => policy.version)) + 1;
  const table = v1.parameters.monthlyByAgeBand[0].value as Record<string, number>;
  const tests = v1.tests.map((test) =>
    !expectsNotInForce(test.expect) && test.expect.amount === 100
      ? { ...test, name: test.name.replace('100', '120'), expect: { ...test.expect, amount: 120 } }
      : test,
  );
  const document = {
    ...structuredClone(v1),
    version,
    parameters: { ...v1.parameters, monthlyByAgeBand: [{ from: '2024-01-01', value: { ...table, '80-89': 120 } }] },
    tests,
  };
  const existing = await lifecycle.get(v1.id, version).catch(() => undefined);
  const saved = existing
    ? await lifecycle.updateDraft(officer, v1.id, version, document)
    : await lifecycle.createDraft(officer, document);
  return validatePolicy(saved.document);
}

/** The same cursors and folding as the simulation, without evaluating: what reading alone costs. Keeps the records for the replay. */
async function drain(
  store: Connection,
  facts: readonly string[],
  total: number,
): Promise<{ seconds: number; records: Array<Record<string, unknown>> }> {
  const shown = progress('bare cursor drain', total);
  const records: Array<Record<string, unknown>> = [];
  const started = performance.now();
  for await (const batch of streamPopulation(store, { kind: 'person', facts })) {
    for (const record of batch) records.push(record.facts);
    shown.tick(records.length);
  }
  shown.done();
  return { seconds: (performance.now() - started) / 1000, records };
}

/** Seconds for `each` over all records, on the second of two passes (the first warms the JIT and caches). */
async function warmSeconds(
  records: ReadonlyArray<Record<string, unknown>>,
  make: () => (facts: Record<string, unknown>) => unknown,
): Promise<number> {
  let seconds = 0;
  for (let pass = 0; pass < 2; pass++) {
    const each = make();
    const started = performance.now();
    for (const record of records) each(record);
    seconds = (performance.now() - started) / 1000;
  }
  return seconds;
}

export const simulateBenchmark: Benchmark = {
  summary: 'impact simulation of a draft over the seeded city in FerretDB, through the API runner',
  options: { residents: { default: 1_000_000, help: 'synthetic residents to simulate over' } },
  async run({ residents }) {
    const city = await openCity(residents);
    const { store, stack, stateDir } = city;
    try {
      console.log(`   city (${stateDir}): ${city.note}`);
      const lifecycle = createPolicyLifecycle(store);
      const v1 = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance' && p.version === 1)!;
      const v2 = await draftV2(lifecycle, v1);

      const runner = createSimulationRunner({ store, lifecycle });
      const rssBefore = peakMb('self');
      const started = performance.now();
      await runner.start(officer, v2.id, v2.version, { asOf: AS_OF });
      const shown = progress('simulating', residents);
      const ticker = setInterval(() => shown.tick(runner.view(v2.id, v2.version).progress.processed), 1_000);
      const view = await runner.finished(v2.id, v2.version);
      clearInterval(ticker);
      shown.done();
      const wall = (performance.now() - started) / 1000;
      if (view.status !== 'done' || !view.result)
        throw new Error(`the simulation failed: ${view.error?.message ?? 'no result'}`);
      const result = view.result;

      const rssSimulation = peakMb('self');

      // Reading alone, then evaluating alone (the same records replayed from memory), to split the wall time.
      const facts = createSimulation(v2, AS_OF, v1).facts;
      const bare = await drain(store, facts, residents);
      const aggregate = await warmSeconds(bare.records, () => {
        const simulation = createSimulation(v2, AS_OF, v1);
        return (record) => simulation.add(record);
      });
      const decide = await warmSeconds(bare.records, () => {
        const compiled = compilePolicy(v2, AS_OF);
        return (record) => compiled.decide(record);
      });
      const sample = bare.records.slice(0, ENGINE_SAMPLE);
      const at = performance.now();
      for (const record of sample) await evaluatePolicy(v2, record, AS_OF);
      const engineRate = sample.length / ((performance.now() - at) / 1000);
      const decideRate = bare.records.length / decide;

      const ferret = stack.servers.find((s) => s.name === 'mongodb')?.pid;
      const mb = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value)} MB`);
      const n = result.population;
      console.log(`\n   ${describeSimulation(result)}`);
      console.log(
        table(
          ['figure', 'value'],
          [
            ['residents simulated', fmt(n)],
            ['simulation wall time (POST to done)', `${fmt(wall, 1)} s`],
            ['subjects per second', fmt(n / wall)],
            ['bare cursor drain, same projection', `${fmt(bare.seconds, 1)} s (${fmt(n / bare.seconds)}/s)`],
            [
              'evaluation and aggregation, replayed from memory',
              `${fmt(aggregate, 2)} s (${fmt(n / aggregate)}/s; draft and baseline, breakdowns)`,
            ],
            ['compiled decide() alone, draft', `${fmt(decide, 2)} s (${fmt(decideRate)}/s)`],
            [`evaluatePolicy (json-rules-engine), first ${fmt(sample.length)}`, `${fmt(engineRate)}/s`],
            ['compiled decide() vs evaluatePolicy', `${fmt(decideRate / engineRate)}×`],
            [`evaluatePolicy over all ${fmt(n)}, draft only (projected)`, `${fmt(n / engineRate, 0)} s`],
            [
              'peak RSS, this Node process, after the simulation',
              `${mb(rssSimulation)} (before it ${mb(rssBefore)}; seeding in this run counts)`,
            ],
            ['peak RSS, FerretDB', mb(ferret === undefined ? undefined : peakMb(ferret))],
          ],
        ),
      );
    } finally {
      await city.close();
    }
  },
};
