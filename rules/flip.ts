/**
 * The smallest change of facts that flips a decision (issue 4, explanations): ineligible →
 * eligible, eligible → ineligible, undetermined → determined by supplying what is missing.
 * Candidate values come from the leaves themselves (a threshold and its neighbours, a list's
 * members, a date operator's range of days) and from the catalog (booleans, closed sets);
 * every reported flip was evaluated with the compiled evaluator and does flip. Pure.
 */
import { findFact, type Text } from '../domain/sources.js';
import { compilePolicy, type CompiledPolicy, type FlatFacts } from './compiled.js';
import { dateRange, FIRST_DATE, LAST_DATE } from './compiled-dates.js';
import { daysBetween, toCalendarDate } from './dates.js';
import { policyFactKeys } from './engine.js';
import { isMissingFact, shownFactValue } from './explain.js';
import { OPERATOR_SPECS, isOperatorName, operatorFunctions, type OperatorFn } from './operators.js';
import type { Outcome, Policy } from './types.js';

/** One fact's change; `from` is null when the fact was missing. Sensitive values show as '***'. */
export interface FactChange {
  fact: string;
  factLabel?: Text;
  from: unknown;
  to: unknown;
}

/** A set of fact changes and the outcome they lead to (verified by evaluation). */
export interface Flip {
  changes: FactChange[];
  outcome: Outcome;
}

/**
 * Search bounds: at most `maxFacts` facts changed at once (default 3), `limit` flips returned
 * (default 3). `revealSensitive` keeps sensitive values unmasked, for callers that verify flips, never for display.
 */
export interface FlipOptions {
  maxFacts?: number;
  limit?: number;
  revealSensitive?: boolean;
}

const CANDIDATES_PER_FACT = 8;
const MS_PER_DAY = 86_400_000;

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
const round = (n: number): number => Math.round(n * 100) / 100;
const key = (value: unknown): string => JSON.stringify(value);

/** Values that make a leaf true or false, both ways: the search keeps those that flip the decision. */
function leafValues(
  operator: string,
  value: unknown,
  current: unknown,
  asOf: string,
  ops: Record<string, OperatorFn>,
): unknown[] {
  if (!isOperatorName(operator)) return [];
  if (OPERATOR_SPECS[operator].factTypes.every((type) => type === 'date')) {
    if (asOf < FIRST_DATE || asOf > LAST_DATE) return [];
    const [first, last] = dateRange((date) => ops[operator](date, value), asOf);
    const within = (date: string) => date >= FIRST_DATE && date <= LAST_DATE;
    return first <= last ? [first, last, addDays(first, -1), addDays(last, 1)].filter(within) : [];
  }
  const neighbours = (n: number): number[] => {
    const step = Number.isInteger(n) && (typeof current !== 'number' || Number.isInteger(current)) ? 1 : 0.01;
    return [round(n - step), n, round(n + step)];
  };
  switch (operator) {
    case 'contains': {
      const list = Array.isArray(current) ? current : [];
      return [[...list, value], list.filter((item: unknown) => item !== value)];
    }
    case 'in':
    case 'notIn': {
      const list = Array.isArray(value) ? value : [];
      const around = list.filter((item): item is number => typeof item === 'number').flatMap(neighbours);
      return [...list, ...around];
    }
    default:
      if (typeof value === 'number') return neighbours(value);
      if (typeof value === 'boolean') return [value, !value];
      return [value];
  }
}

/** The catalog's own candidates for a fact: both booleans, or every value of a closed set. */
function catalogValues(fact: string): unknown[] {
  const field = findFact(fact)?.field;
  if (field?.type === 'boolean') return [true, false];
  return field?.values ? [...field.values] : [];
}

/** How far a value moves: numbers by their difference, dates in days (from the as-of day when missing); else 0. */
function distance(from: unknown, to: unknown, asOf: string): number {
  if (typeof to === 'number') return Math.abs(to - (typeof from === 'number' ? from : 0));
  const target = toCalendarDate(to);
  const origin = toCalendarDate(from === undefined || from === null ? asOf : from);
  return target && origin ? Math.abs(daysBetween(origin, target)) : 0;
}

interface Candidate {
  fact: string;
  value: unknown;
  distance: number;
}

/** Per fact, the values worth trying, nearest first, never the value it already has. */
function candidatesOf(
  compiled: CompiledPolicy,
  facts: FlatFacts,
  asOf: string,
  changeable: readonly string[],
): Map<string, Candidate[]> {
  const ops = operatorFunctions(asOf);
  const leaves = compiled.explain(facts).conditions;
  const result = new Map<string, Candidate[]>();
  for (const fact of changeable) {
    const current = facts[fact];
    const values = [
      ...leaves
        .filter((leaf) => leaf.fact === fact)
        .flatMap((leaf) => leafValues(leaf.operator, leaf.value, current, asOf, ops)),
      ...catalogValues(fact),
    ];
    const seen = new Set<string>([isMissingFact(facts, fact) ? '' : key(current)]);
    const candidates: Candidate[] = [];
    for (const value of values) {
      if (value === undefined || seen.has(key(value))) continue;
      seen.add(key(value));
      candidates.push({ fact, value, distance: distance(current, value, asOf) });
    }
    candidates.sort((a, b) => a.distance - b.distance);
    if (candidates.length > 0) result.set(fact, candidates.slice(0, CANDIDATES_PER_FACT));
  }
  return result;
}

function* combinations<T>(items: readonly T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - size; i += 1)
    for (const rest of combinations(items, size - 1, i + 1)) yield [items[i], ...rest];
}

function* product(lists: readonly Candidate[][], at = 0): Generator<Candidate[]> {
  if (at === lists.length) {
    yield [];
    return;
  }
  for (const head of lists[at]) for (const rest of product(lists, at + 1)) yield [head, ...rest];
}

/** The outcome of the facts with some changed, or undefined when the amount rule cannot take the values. */
function outcomeWith(compiled: CompiledPolicy, facts: FlatFacts, changes: readonly Candidate[]): Outcome | undefined {
  const trial: Record<string, unknown> = { ...facts };
  for (const change of changes) trial[change.fact] = change.value;
  try {
    return compiled.decide(trial).outcome;
  } catch {
    return undefined;
  }
}

/** The fewest-fact flips to `target`, each fact set with its nearest values, nearest sets first. */
function smallestFlips(
  compiled: CompiledPolicy,
  facts: FlatFacts,
  candidates: Map<string, Candidate[]>,
  target: Outcome,
  maxFacts: number,
): Candidate[][] {
  const keys = [...candidates.keys()];
  for (let size = 1; size <= Math.min(maxFacts, keys.length); size += 1) {
    const found: Array<{ changes: Candidate[]; cost: number }> = [];
    for (const chosen of combinations(keys, size)) {
      let best: { changes: Candidate[]; cost: number } | undefined;
      for (const changes of product(chosen.map((fact) => candidates.get(fact)!))) {
        const cost = changes.reduce((sum, change) => sum + change.distance, 0);
        if (best && best.cost <= cost) continue;
        if (outcomeWith(compiled, facts, changes) === target) best = { changes, cost };
      }
      if (best) found.push(best);
    }
    if (found.length > 0) return found.sort((a, b) => a.cost - b.cost).map((entry) => entry.changes);
  }
  return [];
}

/**
 * The smallest changes of facts that flip the decision on `asOf`: fewest facts first (up to
 * `maxFacts`), then the smallest numeric or date distance. An undetermined decision is flipped
 * only by supplying its missing facts (eligible flips first). Empty when nothing within the cap flips.
 */
export function findFlips(policy: Policy, facts: FlatFacts, asOf: string, options: FlipOptions = {}): Flip[] {
  const maxFacts = options.maxFacts ?? 3;
  const limit = options.limit ?? 3;
  const compiled = compilePolicy(policy, asOf);
  const outcome = compiled.decide(facts).outcome;
  const readable = policyFactKeys(policy);
  const changeable = outcome === 'undetermined' ? readable.filter((fact) => isMissingFact(facts, fact)) : readable;
  const targets: Outcome[] =
    outcome === 'eligible' ? ['ineligible'] : outcome === 'ineligible' ? ['eligible'] : ['eligible', 'ineligible'];
  const candidates = candidatesOf(compiled, facts, asOf, changeable);
  const shown = (fact: string, value: unknown): unknown =>
    options.revealSensitive ? value : shownFactValue(fact, value);
  const flips: Flip[] = [];
  for (const target of targets) {
    for (const changes of smallestFlips(compiled, facts, candidates, target, maxFacts)) {
      flips.push({
        changes: changes.map(({ fact, value }) => {
          const label = findFact(fact)?.field.label;
          return {
            fact,
            ...(label ? { factLabel: label } : {}),
            from: isMissingFact(facts, fact) ? null : shown(fact, facts[fact]),
            to: shown(fact, value),
          };
        }),
        outcome: target,
      });
    }
  }
  return flips.slice(0, limit);
}
