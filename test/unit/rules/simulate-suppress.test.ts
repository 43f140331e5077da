/**
 * Small-cell suppression of impact simulations (rules/simulate-suppress.ts, S7, abuse test 14),
 * without servers: random cities simulated with the shipped policies, then suppressed, never
 * show a count below 10, and no withheld count can be recomputed from a total the answer shows
 * or anyone can learn — in every group that adds up to one, the withheld cells are none, or at
 * least two adding up to 10 or more, or all of them. A draft aimed at one person answers nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findFact, DISTRICTS } from '../../../domain/sources.js';
import { Random } from '../../../infra/seed/random.js';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { createSimulation, type SimulationResult } from '../../../rules/simulate.js';
import {
  MINIMUM_CELL_SIZE,
  suppressSmallCells,
  type Cell,
  type SuppressedSimulationResult,
} from '../../../rules/simulate-suppress.js';
import type { Policy } from '../../../rules/types.js';

const AS_OF = '2026-07-01';
let policies: readonly Policy[];

beforeAll(async () => {
  policies = (await loadPolicyCatalog()).policies;
});

/** A random value of a catalog fact; sometimes missing, so some subjects are undetermined. */
function factValue(random: Random, fact: string): unknown {
  const field = findFact(fact)!.field;
  if (random.chance(0.03)) return undefined;
  if (field.values) return random.pick([...field.values]);
  switch (field.type) {
    case 'boolean':
      return random.chance(0.7);
    case 'number':
      return random.int(0, 6);
    case 'date':
      return `${random.int(1920, 2026)}-0${random.int(1, 9)}-1${random.int(0, 9)}`;
    default:
      return 'x';
  }
}

/** A simulation of a random city of `size` for a shipped policy, with the published version as its own baseline. */
function simulateCity(seed: string, size: number): SimulationResult {
  const random = new Random(seed);
  const policy = random.pick(policies);
  const simulation = createSimulation(policy, AS_OF, random.chance(0.5) ? policy : undefined);
  // A few districts hold most people, so many cells are small.
  const districts = [...DISTRICTS].slice(0, random.int(1, DISTRICTS.length));
  for (let i = 0; i < size; i++) {
    const facts: Record<string, unknown> = {};
    for (const fact of simulation.facts) facts[fact] = factValue(random, fact);
    facts[policy.subject === 'person' ? 'person.district' : 'enterprise.district'] = random.pick(districts);
    simulation.add(facts);
  }
  return simulation.result(0);
}

/** The groups whose total is shown or learnable, as pairs of raw and served cells. */
function groups(raw: SimulationResult, served: SuppressedSimulationResult): Array<Array<[number, Cell]>> {
  const outcomes = ['eligible', 'ineligible', 'undetermined'] as const;
  const found: Array<Array<[number, Cell]>> = [outcomes.map((o) => [raw.counts[o], served.counts[o]])];
  if (raw.baseline && served.baseline)
    found.push(outcomes.map((o) => [raw.baseline!.counts[o], served.baseline!.counts[o]]));
  if (raw.changes && served.changes) {
    const names = ['winners', 'losers', 'amountUp', 'amountDown', 'unchanged'] as const;
    found.push(names.map((name) => [raw.changes![name], served.changes![name]]));
  }
  const rawTables = Object.values(raw.breakdowns) as SimulationResult['breakdowns']['district'][];
  const servedTables = Object.values(served.breakdowns) as SuppressedSimulationResult['breakdowns']['district'][];
  rawTables.forEach((rows, t) => {
    const shown = servedTables[t];
    rows.forEach((row, r) => found.push(outcomes.map((o) => [row[o], shown[r][o]])));
    for (const o of outcomes) found.push(rows.map((row, r) => [row[o], shown[r][o]]));
    if (rows.some((row) => row.baselineEligible !== undefined))
      found.push(rows.map((row, r) => [row.baselineEligible!, shown[r].baselineEligible!]));
  });
  return found;
}

/** What a reader can learn about one group: nothing exact when it holds. */
function recomputable(group: Array<[number, Cell]>): boolean {
  const withheld = group.filter(([, shown]) => shown === null);
  const sum = withheld.reduce((total, [raw]) => total + raw, 0);
  return withheld.length > 0 && withheld.length < group.length && (withheld.length < 2 || sum < MINIMUM_CELL_SIZE);
}

/** Every count as served, with its raw value. */
function cells(raw: SimulationResult, served: SuppressedSimulationResult): Array<[number, Cell]> {
  return [
    ...groups(raw, served).flat(),
    ...raw.undeterminedCauses.map((cause, i): [number, Cell] => [cause.count, served.undeterminedCauses[i].count]),
  ];
}

describe('suppressing small cells of a simulation', () => {
  it.each(Array.from({ length: 300 }, (_, i) => i))(
    'random city %i: no count below 10 is shown, shown counts are true, and no withheld one can be recomputed',
    (i) => {
      const raw = simulateCity(`suppress-${i}`, new Random(`size-${i}`).int(0, 400));
      const before = JSON.stringify(raw);
      const served = suppressSmallCells(raw);
      expect(JSON.stringify(raw), 'the raw result is left as it was').toBe(before);
      for (const [value, shown] of cells(raw, served)) {
        if (shown !== null) expect(shown).toBe(value);
        if (value < MINIMUM_CELL_SIZE) expect(shown).toBeNull();
      }
      for (const group of groups(raw, served)) expect(recomputable(group), JSON.stringify(group)).toBe(false);
      // A cost is the eligible count times the amount: withheld with it.
      expect(served.totalCost === null).toBe(served.counts.eligible === null);
      for (const rows of Object.values(served.breakdowns) as SuppressedSimulationResult['breakdowns']['district'][])
        for (const row of rows) expect(row.cost === null).toBe(row.eligible === null);
      const distinct = [
        ...Object.values(served.counts),
        ...Object.values(served.baseline?.counts ?? {}),
        ...Object.values(served.changes ?? {}),
        ...(Object.values(served.breakdowns) as SuppressedSimulationResult['breakdowns']['district'][]).flatMap(
          (rows) => rows.flatMap((row) => [row.eligible, row.ineligible, row.undetermined, row.baselineEligible]),
        ),
        ...served.undeterminedCauses.map((cause) => cause.count),
      ];
      expect(served.suppression).toEqual({
        minimumCellSize: MINIMUM_CELL_SIZE,
        withheld: distinct.filter((cell) => cell === null).length,
      });
    },
  );

  it('would be caught by these checks without suppression: small cells occur in the random cities', () => {
    const raw = simulateCity('suppress-1', 40);
    const unsuppressed = suppressSmallCells(raw, 0);
    expect(cells(raw, unsuppressed).some(([value]) => value < MINIMUM_CELL_SIZE)).toBe(true);
    expect(cells(raw, unsuppressed).every(([value, shown]) => shown === value)).toBe(true);
  });

  it('answers a draft aimed at one person (one birth date, one district) with every outcome withheld (abuse 14)', () => {
    const old = policies.find((policy) => policy.id === 'old-age-allowance')!;
    const aimed: Policy = {
      ...old,
      facts: {
        ...old.facts,
        'person.district': { source: 'household-registry', purpose: 'district' },
        'person.disabilityCertified': { source: 'disability-federation', purpose: 'disability' },
      },
      conditions: {
        all: [
          { fact: 'person.birthDate', operator: 'equal', value: '1940-11-26' },
          { fact: 'person.district', operator: 'equal', value: '陵城区' },
          { fact: 'person.disabilityCertified', operator: 'equal', value: true },
        ],
      },
    } as Policy;
    const simulation = createSimulation(aimed, AS_OF);
    for (let i = 0; i < 20_000; i++)
      simulation.add({
        'person.birthDate': `19${50 + (i % 40)}-01-01`,
        'person.district': '德城区',
        'person.localHukou': true,
        'person.alive': true,
        'person.disabilityCertified': false,
      });
    simulation.add({
      'person.birthDate': '1940-11-26',
      'person.district': '陵城区',
      'person.localHukou': true,
      'person.alive': true,
      'person.disabilityCertified': true,
    });
    const raw = simulation.result(0);
    expect(raw.counts).toEqual({ eligible: 1, ineligible: 20_000, undetermined: 0 });
    const served = suppressSmallCells(raw);
    expect(served.population).toBe(20_001);
    expect(served.counts).toEqual({ eligible: null, ineligible: null, undetermined: null });
    expect(served.totalCost).toBeNull();
    const district = served.breakdowns.district.find((row) => row.key === '陵城区')!;
    expect([district.eligible, district.ineligible, district.undetermined, district.cost]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(JSON.stringify(served)).not.toMatch(/"eligible":1\b/);
  });

  it('keeps the eligible count an officer weighs when only the undetermined are few', () => {
    const old = policies.find((policy) => policy.id === 'old-age-allowance')!;
    const raw: SimulationResult = {
      ...suppressInput(old),
      counts: { eligible: 500, ineligible: 19_500, undetermined: 0 },
      totalCost: 50_000,
    };
    const served = suppressSmallCells(raw);
    expect(served.counts).toEqual({ eligible: 500, ineligible: null, undetermined: null });
    expect(served.totalCost).toBe(50_000);
  });
});

/** A result with no breakdown rows, for a hand-made count. */
function suppressInput(policy: Policy): SimulationResult {
  return {
    policyId: policy.id,
    version: policy.version,
    hash: 'h',
    asOf: AS_OF,
    period: '2026-07',
    subject: 'person',
    notInForceOnAsOf: false,
    population: 20_000,
    counts: { eligible: 0, ineligible: 0, undetermined: 0 },
    totalCost: 0,
    breakdowns: { district: [], ageBand: [] },
    undeterminedCauses: [],
    elapsedMs: 0,
  };
}
