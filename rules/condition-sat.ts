/**
 * Static satisfiability of condition trees, for the cross-policy checks: can any facts and
 * any as-of date in a window make a tree true? Conservative by construction: it answers
 * "impossible" only when every branch holds a contradiction it can prove (number ranges,
 * closed value sets, booleans, ages and elapsed times, dates), and "possible" otherwise.
 */
import { DateTime } from 'luxon';
import { findFact } from '../domain/sources.js';
import { entryInForce } from './parameters.js';
import type { Condition, Policy } from './types.js';

/** One leaf of a branch, with the parameter values it names already resolved. */
interface Literal {
  fact: string;
  operator: string;
  value: unknown;
  negated: boolean;
  path: string;
}

/** A conjunction's contradiction: the leaf that closed the last door, and the leaves before it on the same fact. */
export interface Contradiction {
  fact: string;
  path: string;
  with: string[];
}

/** Either possible, or impossible with the contradiction of each branch. */
export type Satisfiability = { possible: true } | { possible: false; contradictions: Contradiction[] };

const MAX_BRANCHES = 512;
type Dnf = Literal[][];

/** Disjunctive normal form of a condition with negations pushed to the leaves; undefined when too large to decide. */
function toDnf(policy: Policy, node: Condition, path: string, negated: boolean, depth = 0): Dnf | undefined {
  if (depth > 32) return undefined;
  if ('condition' in node)
    return toDnf(
      policy,
      policy.namedConditions[node.condition],
      `namedConditions.${node.condition}`,
      negated,
      depth + 1,
    );
  if ('not' in node) return toDnf(policy, node.not, `${path}.not`, !negated, depth + 1);
  if ('all' in node || 'any' in node) {
    const conjunctive = 'all' in node !== negated;
    const key = 'all' in node ? 'all' : 'any';
    const children = ('all' in node ? node.all : node.any).map((child, i) =>
      toDnf(policy, child, `${path}.${key}[${i}]`, negated, depth + 1),
    );
    if (children.some((child) => child === undefined)) return undefined;
    const parts = children as Dnf[];
    if (!conjunctive) return parts.flat().length > MAX_BRANCHES ? undefined : parts.flat();
    let product: Dnf = [[]];
    for (const part of parts) {
      if (product.length * part.length > MAX_BRANCHES) return undefined;
      product = product.flatMap((left) => part.map((right) => [...left, ...right]));
    }
    return product;
  }
  return [[{ fact: node.fact, operator: node.operator, value: node.value, negated, path }]];
}

/** The dates in [from, to] on which some parameter of the policies changes value (from included). */
function epochStarts(policies: readonly Policy[], from: string, to: string | undefined): string[] {
  const starts = new Set([from]);
  for (const policy of policies) {
    for (const entries of Object.values(policy.parameters)) {
      for (const entry of entries) {
        const boundaries = [entry.from, ...(entry.to ? [nextDay(entry.to)] : [])];
        for (const date of boundaries) if (date > from && (to === undefined || date <= to)) starts.add(date);
      }
    }
  }
  return [...starts].sort();
}

const nextDay = (date: string): string =>
  DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() as string;
const dayNumber = (date: string): number => Math.round(DateTime.fromISO(date, { zone: 'utc' }).toSeconds() / 86400);

/**
 * Whether the conjunction of the policies' root conditions can hold on some date in
 * [from, to] (to open when undefined). Parameters are resolved per stretch of dates in which
 * none changes; leaves on facts a pledge policy accepts on pledge are ignored (a pledge stands in).
 */
export function satisfiable(policies: readonly Policy[], from: string, to?: string): Satisfiability {
  const dnfs: Dnf[] = [];
  for (const policy of policies) {
    const dnf = toDnf(policy, policy.conditions, 'conditions', false);
    if (!dnf) return { possible: true };
    const pledged = new Set(policy.mode === 'pledge' ? (policy.pledge?.pledgedFacts ?? []) : []);
    dnfs.push(dnf.map((branch) => branch.filter((literal) => !pledged.has(literal.fact))));
  }
  const starts = epochStarts(policies, from, to);
  const contradictions = new Map<string, Contradiction>();
  for (const [i, start] of starts.entries()) {
    const end =
      i + 1 < starts.length
        ? DateTime.fromISO(starts[i + 1], { zone: 'utc' })
            .minus({ days: 1 })
            .toISODate()!
        : to;
    const resolved = dnfs.map((dnf, p) =>
      dnf.map((branch) => branch.map((literal) => resolve(policies[p], literal, start))),
    );
    let combined: Dnf = [[]];
    for (const dnf of resolved) {
      if (combined.length * dnf.length > MAX_BRANCHES) return { possible: true };
      combined = combined.flatMap((left) => dnf.map((right) => [...left, ...right]));
    }
    for (const branch of combined) {
      const contradiction = contradictionOf(branch, { from: start, to: end });
      if (!contradiction) return { possible: true };
      contradictions.set(`${contradiction.path}|${contradiction.with.join()}`, contradiction);
    }
  }
  return { possible: false, contradictions: [...contradictions.values()] };
}

function resolve(policy: Policy, literal: Literal, date: string): Literal {
  const value = literal.value as { parameter?: unknown } | null;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof value.parameter !== 'string')
    return literal;
  const entry = entryInForce(policy.parameters[value.parameter] ?? [], date);
  return { ...literal, value: entry?.value };
}

/** The first contradiction of a conjunction of leaves, fact by fact; undefined when none can be proved. */
function contradictionOf(branch: Literal[], window: { from: string; to?: string }): Contradiction | undefined {
  const byFact = new Map<string, Literal[]>();
  for (const literal of branch) byFact.set(literal.fact, [...(byFact.get(literal.fact) ?? []), literal]);
  for (const [fact, literals] of byFact) {
    const type = findFact(fact)?.field.type;
    for (let n = 1; n <= literals.length; n += 1) {
      const prefix = literals.slice(0, n);
      const empty =
        type === 'date'
          ? dateDomainEmpty(prefix, window)
          : type
            ? valueDomainEmpty(prefix, type, findFact(fact)?.field.values)
            : false;
      if (empty) return { fact, path: prefix[n - 1].path, with: prefix.slice(0, -1).map((l) => l.path) };
    }
  }
  return undefined;
}

const NEGATE: Record<string, string> = {
  equal: 'notEqual',
  notEqual: 'equal',
  in: 'notIn',
  notIn: 'in',
  lessThan: 'greaterThanInclusive',
  greaterThanInclusive: 'lessThan',
  greaterThan: 'lessThanInclusive',
  lessThanInclusive: 'greaterThan',
  dateBefore: 'dateOnOrAfter',
  dateOnOrAfter: 'dateBefore',
};

/** The operator a leaf amounts to once its negation is applied, or undefined when the negation says nothing usable. */
const effectiveOperator = (literal: Literal): string | undefined =>
  literal.negated ? NEGATE[literal.operator] : literal.operator;

/** Numbers, booleans and strings: an interval (numbers), an allowed set and an excluded set. */
function valueDomainEmpty(literals: Literal[], type: string, closed: readonly string[] | undefined): boolean {
  let allowed: unknown[] | undefined = type === 'boolean' ? [true, false] : closed ? [...closed] : undefined;
  const excluded: unknown[] = [];
  let lo = -Infinity,
    hi = Infinity,
    loOpen = false,
    hiOpen = false;
  for (const literal of literals) {
    const operator = effectiveOperator(literal);
    const { value } = literal;
    if (operator === undefined || value === undefined) continue;
    const number = typeof value === 'number' ? value : undefined;
    if (operator === 'equal') allowed = (allowed ?? [value]).filter((v) => v === value);
    else if (operator === 'in' && Array.isArray(value)) allowed = (allowed ?? value).filter((v) => value.includes(v));
    else if (operator === 'notEqual') excluded.push(value);
    else if (operator === 'notIn' && Array.isArray(value)) excluded.push(...value);
    else if (number !== undefined && (operator === 'greaterThan' || operator === 'greaterThanInclusive')) {
      if (number > lo || (number === lo && operator === 'greaterThan'))
        [lo, loOpen] = [number, operator === 'greaterThan'];
    } else if (number !== undefined && (operator === 'lessThan' || operator === 'lessThanInclusive')) {
      if (number < hi || (number === hi && operator === 'lessThan')) [hi, hiOpen] = [number, operator === 'lessThan'];
    }
  }
  if (lo > hi || (lo === hi && (loOpen || hiOpen))) return true;
  if (!allowed) return false;
  const inRange = (v: unknown) => typeof v !== 'number' || ((loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi));
  return allowed.filter((v) => !excluded.includes(v) && inRange(v)).length === 0;
}

/**
 * Dates: an absolute range of the date itself, and ranges of the age in years, whole months
 * and days elapsed on the as-of day; each implies bounds on the others (a year has 365 or 366
 * days, a month 28 to 31), and the window bounds the as-of day.
 */
function dateDomainEmpty(literals: Literal[], window: { from: string; to?: string }): boolean {
  const r = { age: [0, Infinity], months: [0, Infinity], days: [0, Infinity] } as Record<
    'age' | 'months' | 'days',
    [number, number]
  >;
  let relative = false;
  let earliest = -Infinity,
    latest = Infinity;
  const raise = (key: keyof typeof r, n: number) => (r[key][0] = Math.max(r[key][0], n));
  const lower = (key: keyof typeof r, n: number) => (r[key][1] = Math.min(r[key][1], n));
  for (const literal of literals) {
    const operator = effectiveOperator(literal);
    const { value } = literal;
    if (
      (operator === 'dateBefore' || operator === 'dateOnOrAfter') &&
      typeof value === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(value)
    ) {
      if (operator === 'dateBefore') latest = Math.min(latest, dayNumber(value) - 1);
      else earliest = Math.max(earliest, dayNumber(value));
      continue;
    }
    if (literal.negated || typeof value !== 'number') continue;
    relative = true;
    if (operator === 'ageAtLeast' || operator === 'ageReachedBeforeMonth') raise('age', value);
    else if (operator === 'ageBelow') lower('age', value - 1);
    else if (operator === 'ageBelowDuringYear') lower('age', value);
    else if (operator === 'monthsSinceAtLeast') raise('months', value);
    else if (operator === 'monthsSinceAtMost') lower('months', value);
    else if (operator === 'daysSinceAtLeast') raise('days', value);
    else if (operator === 'daysSinceAtMost') lower('days', value);
  }
  if (earliest > latest) return true;
  if (!relative) return false;
  // Age below n allows up to 12n whole months (29 February births); months imply days.
  raise('months', 12 * r.age[0]);
  lower('months', 12 * (r.age[1] + 1));
  raise('days', Math.max(365 * r.age[0], 28 * r.months[0]));
  lower('days', 31 * (r.months[1] + 1) - 1);
  if (latest !== Infinity) raise('days', dayNumber(window.from) - latest);
  if (earliest !== -Infinity && window.to !== undefined) lower('days', dayNumber(window.to) - earliest);
  raise('age', Math.floor(r.days[0] / 366));
  lower('age', Math.floor(r.days[1] / 365));
  raise('months', Math.floor(r.days[0] / 31));
  lower('months', Math.floor(r.days[1] / 28));
  return Object.values(r).some(([lo, hi]) => lo > hi);
}
