/**
 * The compiled evaluator against json-rules-engine: for every shipped policy, at least 10,000 seeded
 * random fact sets over several as-of dates (5,000 for a probe policy using every operator) must give
 * the same decision as evaluatePolicy and the same verdict as Engine.run, with zero mismatches.
 * Perturbed evaluators show the harness catches an off-by-one day, missing-as-false and ignored pledges.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { Random } from '../../../infra/seed/random.js';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { FIRST_DATE, LAST_DATE, dateRange, dateRangeTest, isPlainDate } from '../../../rules/compiled-dates.js';
import { MEMO_TRIAL, cachedByFacts, primitivesKey } from '../../../rules/compiled-memo.js';
import { compilePolicy, type CompiledPolicy, type CompileOptions, type FlatFacts } from '../../../rules/compiled.js';
import { evaluatePolicy, runRulesEngine } from '../../../rules/engine.js';
import { RulesError } from '../../../rules/errors.js';
import { parameterAt } from '../../../rules/parameters.js';
import type { Condition, Decision, Policy } from '../../../rules/types.js';
import { isIsoDate } from '../../../rules/dates.js';
import { OPERATOR_NAMES, OPERATOR_SPECS, operatorFunctions } from '../../../rules/operators.js';
import { validatePolicy } from '../../../rules/validate.js';

const catalog = await loadPolicyCatalog();
const shipped = (id: string): Policy => findPolicyVersion(catalog, id, 1)!;

const FACT_SETS_PER_POLICY = 10_000;

type Facts = Record<string, unknown>;
type Compile = (policy: Policy, asOf: string, options: CompileOptions) => CompiledPolicy;

// ---------------------------------------------------------------------------------------------
// Fact sets: missing and null facts, values on the edges of each condition, random valid values,
// and values a source should never send (wrong types, outside closed sets, bad dates).

const day = (date: string): DateTime => DateTime.fromISO(date, { zone: 'utc' });
const isoDay = (date: DateTime): string => date.toISODate() as string;
const shift = (date: string, days: number): string => isoDay(day(date).plus({ days }));

function leavesOf(condition: Condition): Array<Extract<Condition, { fact: string }>> {
  if ('all' in condition) return condition.all.flatMap(leavesOf);
  if ('any' in condition) return condition.any.flatMap(leavesOf);
  if ('not' in condition) return leavesOf(condition.not);
  return 'fact' in condition ? [condition] : [];
}

function policyLeaves(policy: Policy): Array<Extract<Condition, { fact: string }>> {
  return [policy.conditions, ...Object.values(policy.namedConditions)].flatMap(leavesOf);
}

/** A leaf's value on a date, or undefined when its parameter is not in force then. */
function valueOn(policy: Policy, value: unknown, asOf: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  try {
    return parameterAt(policy, (value as { parameter: string }).parameter, asOf);
  } catch {
    return undefined;
  }
}

/** The values of a fact on the edges of every condition that reads it, as of a date. */
function edgeValues(policy: Policy, fact: string, asOf: string): unknown[] {
  const today = day(asOf);
  const edges: unknown[] = [];
  const around = (date: DateTime): void => {
    for (const days of [-1, 0, 1]) edges.push(isoDay(date.plus({ days })));
  };
  for (const leaf of policyLeaves(policy).filter((candidate) => candidate.fact === fact)) {
    const value = valueOn(policy, leaf.value, asOf);
    if (Array.isArray(value)) edges.push(...value);
    else if (typeof value === 'number' && leaf.operator.startsWith('age')) {
      for (const anchor of [today, today.startOf('month'), today.startOf('year'), today.endOf('year').startOf('day')]) {
        const birth = anchor.minus({ years: value });
        around(birth);
        around(birth.startOf('month'));
      }
    } else if (typeof value === 'number' && leaf.operator.startsWith('months')) {
      around(today.minus({ months: value }));
      around(today.minus({ months: value }).endOf('month').startOf('day'));
    } else if (typeof value === 'number' && leaf.operator.startsWith('days')) around(today.minus({ days: value }));
    else if (typeof value === 'string' && leaf.operator.startsWith('date')) around(day(value));
    else if (typeof value === 'number')
      edges.push(value, value - 1, value + 1, value - 0.5, value + 0.5, value + 0.001);
    else edges.push(value);
  }
  if (findFact(fact)?.field.type === 'date') around(today);
  return edges;
}

const LEAP_DAYS = Array.from({ length: 31 }, (_, i) => `${1904 + 4 * i}-02-29`);

/** A source answering badly: the wrong type, a value outside the closed set, a malformed or shifted date. */
function oddValue(random: Random, type: string, edges: readonly unknown[]): unknown {
  const edge = random.pick(
    edges.filter((value): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)),
  );
  switch (type) {
    case 'date':
      if (edge !== undefined && random.chance(0.6)) {
        // Timestamps near Shanghai midnight: 16:00Z is the next Shanghai day, 15:59:59Z the same one.
        return random.pick([
          `${shift(edge, -1)}T16:00:00Z`,
          `${edge}T15:59:59Z`,
          `${edge}T00:00:00+08:00`,
          new Date(`${shift(edge, -1)}T16:00:00Z`),
          new Date(`${edge}T15:59:59Z`),
        ]);
      }
      return random.pick([
        '2023-02-29',
        '2025-13-01',
        '1965-6-1',
        'yesterday',
        '',
        19650601,
        true,
        new Date('not a date'),
        ['1965-06-01'],
      ]);
    case 'number':
      return random.pick([Number.NaN, Infinity, -Infinity, -0, '12', true, [1], { value: 1 }]);
    case 'boolean':
      return random.pick(['true', 'false', 1, 0, 'yes']);
    default:
      return random.pick(['unknown', '', 'ACTIVE', 1, true, ['micro']]);
  }
}

function randomValue(random: Random, type: string, values: readonly string[] | undefined, asOf: string): unknown {
  switch (type) {
    case 'date':
      return random.chance(0.15)
        ? random.pick(LEAP_DAYS)
        : isoDay(
            day('1900-01-01').plus({
              days: random.int(0, day(asOf).plus({ years: 1 }).diff(day('1900-01-01'), 'days').days),
            }),
          );
    case 'number':
      return random.pick([
        () => random.int(0, 200),
        () => Math.round(random.uniform(0, 100) * 100) / 100,
        () => random.int(0, 1_000_000),
        () => -random.int(1, 50),
      ])();
    case 'boolean':
      return random.chance(0.5);
    default:
      return values ? random.pick(values) : `value-${random.int(0, 9)}`;
  }
}

/** A generator of fact sets for a policy and date: each declared fact missing, on an edge, random, or odd. */
function factSets(policy: Policy, asOf: string, random: Random): () => Facts {
  const plans = Object.keys(policy.facts).map((fact) => {
    const field = findFact(fact)?.field;
    const type = field?.type ?? 'string';
    const edges = edgeValues(policy, fact, asOf);
    return {
      fact,
      type,
      values: field?.values,
      edges: edges.length > 0 ? edges : [randomValue(random, type, field?.values, asOf)],
    };
  });
  return () => {
    const facts: Facts = {};
    for (const { fact, type, values, edges } of plans) {
      const roll = random.next();
      if (roll < 0.08) continue;
      if (roll < 0.12) facts[fact] = null;
      else if (roll < 0.14) facts[fact] = undefined;
      else if (roll < 0.6) facts[fact] = random.pick(edges);
      else if (roll < 0.9) facts[fact] = randomValue(random, type, values, asOf);
      else facts[fact] = oddValue(random, type, edges);
    }
    return facts;
  };
}

/** As-of dates where something changes: effective dates, parameter changes, month, year and leap-day edges. */
function asOfDates(policy: Policy): string[] {
  const dates = new Set(['2024-02-29', '2024-03-01', '2025-03-01', '2025-06-15', '2025-12-31', '2026-01-01']);
  const { from, to } = policy.effective;
  for (const date of [from, shift(from, -1), ...(to === undefined ? [] : [to, shift(to, 1)])]) dates.add(date);
  for (const entries of Object.values(policy.parameters)) {
    for (const entry of entries)
      for (const date of [entry.from, shift(entry.from, -1), ...(entry.to === undefined ? [] : [entry.to])])
        dates.add(date);
  }
  return [...dates].filter((date) => date >= '2020-01-01').sort();
}

// ---------------------------------------------------------------------------------------------
// The harness.

type Result<T> = { value: T } | { error: string };

async function settle<T>(run: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: error instanceof RulesError ? error.code : String(error) };
  }
}

const show = (value: unknown): string => inspect(value, { depth: 6, breakLength: Infinity });

/** What a sweep reads from a decision: outcome, amount, period and missing facts. */
const essentials = (decision: Pick<Decision, 'outcome' | 'amount' | 'period' | 'missingFacts'>) => ({
  outcome: decision.outcome,
  amount: decision.amount,
  period: decision.period,
  missingFacts: [...decision.missingFacts].sort(),
});

interface Mismatch {
  check: 'compile' | 'decide' | 'explain' | 'passes';
  message: string;
}

interface DiffReport {
  compared: number;
  tally: Record<string, number>;
  mismatches: Mismatch[];
}

/**
 * Diffs a compiled evaluator against evaluatePolicy (decision) and runRulesEngine (Engine.run verdict)
 * on `sets` seeded fact sets spread over the as-of dates. On a date where evaluatePolicy throws for
 * every fact set (a parameter not yet in force), compiling must throw the same error.
 */
async function diffAgainstEngine(
  policy: Policy,
  options: { sets: number; seed: string; asOfs?: string[]; compile?: Compile },
): Promise<DiffReport> {
  const compile = options.compile ?? compilePolicy;
  const random = new Random(options.seed);
  const report: DiffReport = { compared: 0, tally: {}, mismatches: [] };
  const mismatch = (check: Mismatch['check'], context: () => string, expected: unknown, actual: unknown): void => {
    // Every mismatch counts; the first few of each check keep their message (policy, date, facts, both results).
    const described = report.mismatches.filter((m) => m.check === check && m.message !== '').length < 5;
    const message = `${check}: ${policy.id} v${policy.version} ${context()}\n  json-rules-engine: ${show(expected)}\n  compiled:          ${show(actual)}`;
    report.mismatches.push({ check, message: described ? message : '' });
  };

  const dates = options.asOfs ?? asOfDates(policy);
  const open: string[] = [];
  for (const asOf of dates) {
    const reference = await settle(() => evaluatePolicy(policy, {}, asOf));
    if ('value' in reference) open.push(asOf);
    else {
      const compiled = await settle(() => compile(policy, asOf, {}));
      if (!('error' in compiled && compiled.error === reference.error))
        mismatch(
          'compile',
          () => `as of ${asOf}`,
          reference,
          'error' in compiled ? compiled : 'compiled without error',
        );
    }
  }

  const perDate = Math.ceil(options.sets / open.length);
  for (const asOf of open) {
    const next = factSets(policy, asOf, random);
    const evaluators = new Map<boolean, { fast: CompiledPolicy; plain: CompiledPolicy }>();
    for (const acceptPledges of [false, true]) {
      evaluators.set(acceptPledges, {
        fast: compile(policy, asOf, { acceptPledges }),
        plain: compile(policy, asOf, { acceptPledges, precompute: false }),
      });
    }
    for (let i = 0; i < perDate; i += 1) {
      const facts = next();
      const acceptPledges = random.chance(0.5);
      const { fast, plain } = evaluators.get(acceptPledges)!;
      const context = (): string => `as of ${asOf}${acceptPledges ? ' accepting pledges' : ''}, facts ${show(facts)}`;

      const reference = await settle(() => evaluatePolicy(policy, facts, asOf, { acceptPledges }));
      const expected = 'value' in reference ? { value: essentials(reference.value) } : reference;
      for (const evaluator of i % 8 === 0 ? [fast, plain] : [fast]) {
        const decided = await settle(() => evaluator.decide(facts));
        const actual = 'value' in decided ? { value: essentials(decided.value) } : decided;
        if (!isDeepStrictEqual(expected, actual)) mismatch('decide', context, expected, actual);
      }
      const explained = await settle(() => fast.explain(facts));
      if (!isDeepStrictEqual(reference, explained)) mismatch('explain', context, reference, explained);
      const raw = await settle(async () => (await runRulesEngine(policy, facts, asOf)).passed);
      const passes = await settle(() => fast.passes(facts));
      if (!isDeepStrictEqual(raw, passes)) mismatch('passes', context, raw, passes);

      const kind = 'value' in reference ? reference.value.outcome : `error ${reference.error}`;
      report.tally[kind] = (report.tally[kind] ?? 0) + 1;
      report.compared += 1;
    }
  }
  return report;
}

/** The described mismatches, optionally of one check only. */
const messages = (report: DiffReport, check?: Mismatch['check']): string[] =>
  report.mismatches.filter((m) => m.message !== '' && (check === undefined || m.check === check)).map((m) => m.message);

// ---------------------------------------------------------------------------------------------

/** A policy using every operator, an `any` root, nested and negated named conditions and a parameter that changes. */
const operatorProbe = validatePolicy({
  ...structuredClone(shipped('senior-preferential-card')),
  id: 'operator-probe',
  facts: Object.fromEntries(
    [
      'person.birthDate',
      'person.hukouSince',
      'person.householdIncomePerCapita',
      'person.disabilityType',
      'person.gender',
      'person.employmentEndedOn',
      'person.maritalStatus',
      'person.disabilityGrade',
    ].map((fact) => [fact, { source: findFact(fact)!.source.id, purpose: 'probe' }]),
  ),
  parameters: {
    incomeLine: [
      { from: '2024-01-01', to: '2024-12-31', value: 900 },
      { from: '2025-01-01', value: 1000 },
    ],
  },
  conditions: {
    any: [
      { all: [{ condition: 'poor' }, { not: { condition: 'recentArrival' } }] },
      { condition: 'longUnemployed' },
      {
        not: {
          any: [
            { fact: 'person.disabilityType', operator: 'notIn', value: ['visual', 'hearing'] },
            { fact: 'person.gender', operator: 'notEqual', value: 'female' },
          ],
        },
      },
    ],
  },
  namedConditions: {
    poor: {
      all: [
        { fact: 'person.householdIncomePerCapita', operator: 'lessThan', value: { parameter: 'incomeLine' } },
        { fact: 'person.householdIncomePerCapita', operator: 'greaterThanInclusive', value: 0 },
        {
          any: [
            { fact: 'person.birthDate', operator: 'ageBelow', value: 18 },
            { fact: 'person.birthDate', operator: 'ageAtLeast', value: 60 },
            { condition: 'severe' },
          ],
        },
      ],
    },
    severe: { fact: 'person.disabilityGrade', operator: 'lessThanInclusive', value: 2 },
    recentArrival: {
      any: [
        { fact: 'person.hukouSince', operator: 'daysSinceAtMost', value: 365 },
        { fact: 'person.hukouSince', operator: 'dateOnOrAfter', value: '2024-07-01' },
      ],
    },
    longUnemployed: {
      all: [
        { fact: 'person.employmentEndedOn', operator: 'daysSinceAtLeast', value: 180 },
        { fact: 'person.employmentEndedOn', operator: 'dateBefore', value: '2025-01-01' },
        {
          any: [
            { fact: 'person.maritalStatus', operator: 'contains', value: 'single' },
            { fact: 'person.maritalStatus', operator: 'in', value: ['widowed', 'divorced'] },
            { condition: 'severe' },
          ],
        },
        { fact: 'person.disabilityGrade', operator: 'greaterThan', value: 0 },
      ],
    },
  },
  tests: [
    {
      name: 'a widowed resident out of work since 2024-03-01 passes the probe',
      asOf: '2025-06-01',
      facts: {
        'person.employmentEndedOn': '2024-03-01',
        'person.maritalStatus': 'widowed',
        'person.disabilityGrade': 3,
      },
      expect: { outcome: 'eligible' },
    },
  ],
});

describe('the compiled evaluator agrees with json-rules-engine', () => {
  // The probe only widens operator coverage, so it runs on fewer sets to spare the two-core suite.
  const cases = [
    ...catalog.policies.map((policy) => [policy, FACT_SETS_PER_POLICY] as const),
    [operatorProbe, 5_000] as const,
  ];
  it.each(
    cases.map(
      ([policy, sets]) =>
        [`${policy.id}: zero mismatches over ${sets.toLocaleString('en')} random fact sets`, policy, sets] as const,
    ),
  )(
    '%s',
    async (_title, policy, sets) => {
      const report = await diffAgainstEngine(policy, { sets, seed: `compiled:${policy.id}` });
      expect(messages(report)).toEqual([]);
      expect(report.mismatches).toHaveLength(0);
      expect(report.compared).toBeGreaterThanOrEqual(sets);
      // The fact sets reach every outcome often enough to mean something.
      for (const outcome of ['eligible', 'ineligible', 'undetermined'])
        expect(report.tally[outcome] ?? 0, `${outcome} in ${show(report.tally)}`).toBeGreaterThanOrEqual(100);
    },
    120_000,
  );
});

describe('each policy’s own test cases, compiled', () => {
  for (const policy of catalog.policies) {
    it.each(policy.tests)(`${policy.id}: $name`, (test) => {
      const decision = compilePolicy(policy, test.asOf).decide(test.facts);
      expect(decision.outcome).toBe(test.expect.outcome);
      if (test.expect.amount !== undefined) expect(decision.amount).toBe(test.expect.amount);
      if (decision.outcome !== 'eligible') expect(decision.amount).toBeUndefined();
      if (test.expect.missingFacts !== undefined) expect(decision.missingFacts).toEqual(test.expect.missingFacts);
    });
  }
});

describe('the differential harness can fail', () => {
  const senior = shipped('senior-preferential-card');

  it('catches an evaluator one day off, on the 60th birthday', async () => {
    const dayLate: Compile = (policy, asOf, options) => {
      const late = compilePolicy(policy, shift(asOf, 1), options);
      return { ...late, asOf, explain: (facts) => ({ ...late.explain(facts), asOf }) };
    };
    const report = await diffAgainstEngine(senior, {
      sets: 2_000,
      seed: 'perturbed:day',
      asOfs: ['2025-06-15'],
      compile: dayLate,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(0);
    expect(messages(report, 'decide')[0]).toMatch(
      /^decide: senior-preferential-card v1 as of 2025-06-15( accepting pledges)?, facts .*'person\.birthDate': .*1965-06-1[56]/,
    );
  });

  it('catches an evaluator that reads a missing fact as false', async () => {
    const missingAsFalse: Compile = (policy, asOf, options) => {
      const compiled = compilePolicy(policy, asOf, options);
      const filled = (facts: FlatFacts): FlatFacts =>
        Object.fromEntries(Object.keys(policy.facts).map((fact) => [fact, facts[fact] ?? false]));
      return { ...compiled, decide: (facts) => compiled.decide(filled(facts)) };
    };
    const report = await diffAgainstEngine(senior, {
      sets: 500,
      seed: 'perturbed:missing',
      asOfs: ['2025-06-15'],
      compile: missingAsFalse,
    });
    expect(report.mismatches.filter((m) => m.check === 'decide').length).toBeGreaterThan(50);
    expect(messages(report, 'decide')[0]).toMatch(/json-rules-engine: .*undetermined/);
  });

  it('catches an evaluator that ignores accepted pledges', async () => {
    const noPledges: Compile = (policy, asOf, options) =>
      compilePolicy(policy, asOf, { ...options, acceptPledges: false });
    const report = await diffAgainstEngine(shipped('business-startup-subsidy'), {
      sets: 1_000,
      seed: 'perturbed:pledge',
      asOfs: ['2025-06-15'],
      compile: noPledges,
    });
    expect(report.mismatches.length).toBeGreaterThan(0);
    expect(messages(report, 'decide')[0]).toMatch(/as of 2025-06-15 accepting pledges/);
  });
});

describe('date operators as ranges of days', () => {
  const DATE_OPERATORS = OPERATOR_NAMES.filter(
    (name) => OPERATOR_SPECS[name].value !== 'date' && OPERATOR_SPECS[name].factTypes.every((type) => type === 'date'),
  );
  const cases = ['2024-02-29', '2025-03-01', '2025-06-15', '2025-12-31'].flatMap((asOf) => [
    ...DATE_OPERATORS.flatMap((operator) => [0, 3, 12, 60, 365].map((value) => ({ asOf, operator, value }) as const)),
    ...(['dateBefore', 'dateOnOrAfter'] as const).flatMap((operator) =>
      ['1964-02-29', '2024-07-01', '2025-01-31'].map((value) => ({ asOf, operator, value })),
    ),
  ]);

  it('match the operator itself around both ends of each range and on random days', () => {
    const random = new Random('date-ranges');
    const wrong: string[] = [];
    for (const { asOf, operator, value } of cases) {
      const op = operatorFunctions(asOf)[operator];
      const [first, last] = dateRange((date) => op(date, value), asOf);
      const days = [first, last].flatMap((end) => Array.from({ length: 81 }, (_, i) => shift(end, i - 40)));
      days.push(...Array.from({ length: 150 }, () => shift(FIRST_DATE, random.int(0, 146_000))));
      const inRange = dateRangeTest(op, value, asOf);
      for (const date of days.filter((day) => day >= FIRST_DATE && day <= LAST_DATE)) {
        const holds = op(date, value);
        if (holds !== (first <= date && date <= last) || inRange(date) !== holds)
          wrong.push(`${operator} ${value} as of ${asOf} on ${date}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('leave timestamps, Date objects, far years and malformed dates to the operator', () => {
    const op = operatorFunctions('2025-06-15').ageAtLeast;
    const test = dateRangeTest(op, 60, '2025-06-15');
    for (const value of [
      '1965-06-14T16:00:00Z',
      new Date('1965-06-15T15:59:59Z'),
      '1700-01-01',
      '1965-02-29',
      '1965-6-15',
      19650615,
      undefined,
    ]) {
      expect([value, test(value)]).toEqual([value, op(value, 60)]);
    }
    expect(test('1700-01-01')).toBe(true);
  });

  it('read plain dates as isIsoDate does, leap years and month lengths included', () => {
    const differ: string[] = [];
    for (let year = 1800; year <= 2199; year += 1) {
      for (let month = 0; month <= 13; month += 1) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          if (isPlainDate(text) !== isIsoDate(text)) differ.push(text);
        }
      }
    }
    for (const text of ['1965-6-15', '1965-06-1x', '1965/06/15', ' 965-06-15', '1965-06-15 ', '19650615'])
      if (isPlainDate(text) !== isIsoDate(text)) differ.push(text);
    expect(differ).toEqual([]);
  });
});

describe('memo keys', () => {
  it('never confuse two different lists of values', () => {
    const lists: unknown[][] = [
      ['ab', 'c'],
      ['a', 'bc'],
      [0],
      [-0],
      ['1'],
      [1],
      [null],
      [undefined],
      [true],
      ['t'],
      [],
      ['s1:a'],
      ['a', 's0:'],
    ];
    const keys = lists.map(primitivesKey);
    expect(new Set(keys).size).toBe(lists.length);
  });

  it('are not made for objects (Dates and arrays are computed afresh)', () => {
    expect([primitivesKey([new Date(0)]), primitivesKey(['a', ['b']])]).toEqual([undefined, undefined]);
  });

  it('start over when full instead of growing without bound', () => {
    const computed: unknown[] = [];
    const cached = cachedByFacts(['x'], (record) => computed.push(record.x), 2);
    for (const x of ['a', 'b', 'a', 'c', 'a']) cached({ x });
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });

  it('stop caching values that hardly repeat, and keep answering right', () => {
    let computations = 0;
    const cached = cachedByFacts(['x'], (record) => {
      computations += 1;
      return Number(record.x) * 2;
    });
    for (let x = 0; x < MEMO_TRIAL; x += 1) expect(cached({ x })).toBe(2 * x);
    expect([cached({ x: 1 }), computations]).toEqual([2, MEMO_TRIAL + 1]);
  });
});
