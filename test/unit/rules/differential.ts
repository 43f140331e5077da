/**
 * The differential harness for the compiled evaluator (rules/compiled.ts): seeded fact sets over the
 * as-of dates where something changes (missing and null facts, values on the edges of every
 * condition, random values, and values a source should never send), each checked four ways against
 * json-rules-engine: compile errors, decide (fast and without precomputation), explain and passes.
 * Used by compiled.test.ts and compiled-second-half.test.ts (the shipped policies) and
 * compiled-harness.test.ts (its own proof).
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { findFact } from '../../../domain/sources.js';
import { Random } from '../../../infra/seed/random.js';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { compilePolicy, type CompiledPolicy, type CompileOptions } from '../../../rules/compiled.js';
import { evaluatePolicy, runRulesEngine } from '../../../rules/engine.js';
import { RulesError } from '../../../rules/errors.js';
import { conditionValueAt, isAgeOnValue } from '../../../rules/condition-values.js';
import { isMonthDay, monthDayIn } from '../../../rules/dates.js';
import { isFactTable } from '../../../rules/fact-tables.js';
import type { Condition, Decision, FactTable, Policy } from '../../../rules/types.js';

export const catalog = await loadPolicyCatalog();
/** Fact sets per shipped policy in the agreement (the design asks for at least 10,000). */
export const FACT_SETS_PER_POLICY = 10_000;
export const shipped = (id: string): Policy => findPolicyVersion(catalog, id, 1)!;

/**
 * The catalog's policies in two halves, one per agreement file: the agreement is most of the fast
 * tier's work, and vitest shares files, not tests, between its two workers.
 */
export const catalogHalf = (which: 'first' | 'second'): Policy[] => {
  const middle = Math.floor(catalog.policies.length / 2);
  return which === 'first' ? catalog.policies.slice(0, middle) : catalog.policies.slice(middle);
};

type Facts = Record<string, unknown>;
export type Compile = (policy: Policy, asOf: string, options: CompileOptions) => CompiledPolicy;

// ---------------------------------------------------------------------------------------------
// Fact sets: missing and null facts, values on the edges of each condition, random valid values,
// and values a source should never send (wrong types, outside closed sets, bad dates).

const day = (date: string): DateTime => DateTime.fromISO(date, { zone: 'utc' });
const isoDay = (date: DateTime): string => date.toISODate() as string;
export const shift = (date: string, days: number): string => isoDay(day(date).plus({ days }));

function leavesOf(condition: Condition): Array<Extract<Condition, { fact: string }>> {
  if ('all' in condition) return condition.all.flatMap(leavesOf);
  if ('any' in condition) return condition.any.flatMap(leavesOf);
  if ('not' in condition) return leavesOf(condition.not);
  return 'fact' in condition ? [condition] : [];
}

function policyLeaves(policy: Policy): Array<Extract<Condition, { fact: string }>> {
  return [policy.conditions, ...Object.values(policy.namedConditions)].flatMap(leavesOf);
}

/** A leaf's value on a date (parameters, age-on members resolved), or undefined when a parameter is not in force then. */
function valueOn(policy: Policy, value: unknown, asOf: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  try {
    return conditionValueAt(policy, value, asOf);
  } catch {
    return undefined;
  }
}

/** The fact tables in force on a date that any leaf compares with. */
function tablesOn(policy: Policy, asOf: string): FactTable[] {
  return policyLeaves(policy)
    .map((leaf) => valueOn(policy, leaf.value, asOf))
    .filter((value): value is FactTable => isFactTable(value));
}

/**
 * Edges of the new date forms: an age in months (each anchor minus the months, and the ends of
 * months too short for the birth day), an age on a month-day (the cut-off day of the as-of year, and
 * the year before and after, minus the age), a month-day compared as a date of the as-of year, and
 * a fact table's rows (a threshold per row, and each key's boundaries: the first and last days of a
 * month range, a number range's ends, a string's values).
 */
function dateFormEdges(policy: Policy, fact: string, asOf: string, around: (date: DateTime) => void): unknown[] {
  const today = day(asOf);
  const edges: unknown[] = [];
  const anchors = [today, today.startOf('month'), today.endOf('month').startOf('day')];
  const monthsBack = (months: number): void => {
    for (const anchor of anchors) {
      const birth = anchor.minus({ months });
      around(birth);
      around(birth.endOf('month').startOf('day'));
    }
  };
  for (const leaf of policyLeaves(policy).filter((candidate) => candidate.fact === fact)) {
    const value = valueOn(policy, leaf.value, asOf);
    if (leaf.operator.startsWith('ageMonths')) {
      if (typeof value === 'number') monthsBack(value);
      else if (isFactTable(value)) for (const row of value.rows) monthsBack(row.value);
    } else if (leaf.operator.startsWith('ageOn') && isAgeOnValue(value) && typeof value.age === 'number') {
      for (const year of [today.year - 1, today.year, today.year + 1]) {
        const cutOff = monthDayIn(year, value.on);
        if (cutOff) around(cutOff.minus({ years: value.age }));
      }
    } else if (leaf.operator.startsWith('date') && isMonthDay(value)) around(monthDayIn(today.year, value)!);
  }
  for (const table of tablesOn(policy, asOf)) {
    for (const row of table.rows) {
      const match = row.when[fact];
      if (match === undefined) continue;
      if (Array.isArray(match)) edges.push(...match);
      else if (typeof match === 'object' && match !== null) {
        for (const bound of [match.from, match.to]) {
          if (typeof bound === 'number') edges.push(bound, bound - 1, bound + 1, bound + 0.5);
          else if (typeof bound === 'string') {
            const first = day(`${bound}-01`);
            around(first);
            around(first.endOf('month').startOf('day'));
          }
        }
      } else edges.push(match);
    }
  }
  return edges;
}

/** The values of a fact on the edges of every condition that reads it, as of a date. */
function edgeValues(policy: Policy, fact: string, asOf: string): unknown[] {
  const today = day(asOf);
  const edges: unknown[] = [];
  const around = (date: DateTime): void => {
    for (const days of [-1, 0, 1]) edges.push(isoDay(date.plus({ days })));
  };
  edges.push(...dateFormEdges(policy, fact, asOf, around));
  for (const leaf of policyLeaves(policy).filter((candidate) => candidate.fact === fact)) {
    const value = valueOn(policy, leaf.value, asOf);
    if (Array.isArray(value)) edges.push(...value);
    else if (leaf.operator.startsWith('ageMonths') || leaf.operator.startsWith('ageOn')) continue;
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
    else if (typeof value === 'string' && leaf.operator.startsWith('date') && !isMonthDay(value)) around(day(value));
    else if (isFactTable(value)) continue;
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

/** How each declared fact of a policy gets values on a date: its type, closed values and edge values. */
function valuePlans(policy: Policy, asOf: string, random: Random) {
  return Object.keys(policy.facts).map((fact) => {
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
}

/** A generator of fact sets for a policy and date: each declared fact missing, on an edge, random, or odd. */
function factSets(policy: Policy, asOf: string, random: Random): () => Facts {
  const plans = valuePlans(policy, asOf, random);
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
  // A month-day parameter (a yearly cut-off) is judged on its day and the next, in a leap year and a common one.
  for (const entry of Object.values(policy.parameters).flat())
    if (isMonthDay(entry.value))
      for (const year of [2024, 2027]) dates.add(`${year}-${entry.value}`).add(shift(`${year}-${entry.value}`, 1));
  return [...dates].filter((date) => date >= '2020-01-01').sort();
}

/**
 * The facts a decision says did not matter, each supplied with an edge or random valid value: all
 * missing declared facts of a decided outcome, the missing ones left out of an undetermined one's
 * missing facts; never a fact an accepted pledge stands in for. Undefined when there is none.
 */
function supplyMoot(
  policy: Policy,
  facts: Facts,
  decision: Pick<Decision, 'outcome' | 'missingFacts'>,
  acceptPledges: boolean,
  fill: (fact: string) => unknown,
): Facts | undefined {
  const pledged = new Set(acceptPledges && policy.mode === 'pledge' ? (policy.pledge?.pledgedFacts ?? []) : []);
  const moot = Object.keys(policy.facts).filter(
    (fact) =>
      (facts[fact] === undefined || facts[fact] === null) &&
      !pledged.has(fact) &&
      !decision.missingFacts.includes(fact),
  );
  if (moot.length === 0) return undefined;
  return { ...facts, ...Object.fromEntries(moot.map((fact) => [fact, fill(fact)])) };
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

export const show = (value: unknown): string => inspect(value, { depth: 6, breakLength: Infinity });

/** What a sweep reads from a decision: outcome, amount, period and missing facts. */
const essentials = (decision: Pick<Decision, 'outcome' | 'amount' | 'period' | 'missingFacts'>) => ({
  outcome: decision.outcome,
  amount: decision.amount,
  period: decision.period,
  missingFacts: [...decision.missingFacts].sort(),
});

export interface Mismatch {
  check: 'compile' | 'decide' | 'explain' | 'passes' | 'moot';
  message: string;
}

export interface DiffReport {
  compared: number;
  tally: Record<string, number>;
  mismatches: Mismatch[];
}

/**
 * Diffs a compiled evaluator against evaluatePolicy (decision) and runRulesEngine (Engine.run verdict)
 * on `sets` seeded fact sets spread over the as-of dates. On a date where evaluatePolicy throws for
 * every fact set (a parameter not yet in force), compiling must throw the same error.
 */
export async function diffAgainstEngine(
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
    const plans = new Map(valuePlans(policy, asOf, random).map((plan) => [plan.fact, plan]));
    const fill = (fact: string): unknown => {
      const plan = plans.get(fact)!;
      return random.chance(0.5) ? random.pick(plan.edges) : randomValue(random, plan.type, plan.values, asOf);
    };
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
      // What did not matter cannot matter: supplying the moot facts leaves the decision as it was.
      if (i % 4 === 0 && 'value' in reference) {
        const supplied = supplyMoot(policy, facts, reference.value, acceptPledges, fill);
        if (supplied) {
          report.tally['moot supplied'] = (report.tally['moot supplied'] ?? 0) + 1;
          const after = await settle(() => fast.decide(supplied));
          const same = 'value' in after ? { value: essentials(after.value) } : after;
          if (!isDeepStrictEqual(expected, same))
            mismatch('moot', () => `${context()}, moot facts supplied: ${show(supplied)}`, expected, same);
        }
      }
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
export const messages = (report: DiffReport, check?: Mismatch['check']): string[] =>
  report.mismatches.filter((m) => m.message !== '' && (check === undefined || m.check === check)).map((m) => m.message);
/** Zero mismatches over `sets` fact sets, every outcome reached at least 100 times. */
export async function expectAgreement(policy: Policy, sets: number): Promise<void> {
  const report = await diffAgainstEngine(policy, { sets, seed: `compiled:${policy.id}` });
  expect(messages(report)).toEqual([]);
  expect(report.mismatches).toHaveLength(0);
  expect(report.compared).toBeGreaterThanOrEqual(sets);
  // The fact sets reach every outcome often enough to mean something.
  for (const outcome of ['eligible', 'ineligible', 'undetermined'])
    expect(report.tally[outcome] ?? 0, `${outcome} in ${show(report.tally)}`).toBeGreaterThanOrEqual(100);
}

/** The title of an agreement test: `<policy>: zero mismatches over <sets> random fact sets`. */
export const agreementTitle = (policy: Policy, sets: number): string =>
  `${policy.id}: zero mismatches over ${sets.toLocaleString('en')} random fact sets`;
