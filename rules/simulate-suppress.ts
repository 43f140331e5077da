/**
 * Small-cell suppression of impact simulations (S7, abuse test 14): a simulation reads everyone,
 * so a draft conditioned on one birth date and one district would otherwise answer "eligible: 1"
 * — one identifiable person's disability or income. Every count below MINIMUM_CELL_SIZE is
 * withheld (null), zeros included: a shown 0 beside a withheld 1 would tell the two apart.
 *
 * Complementary suppression: where cells add up to a total the answer shows or anyone can learn
 * (the population; a district's or age band's size, which a trivial draft reveals), one withheld
 * cell could be recomputed from the others. So in every such group a withheld cell is joined by
 * the group's largest shown cell (the least informative one to lose), until the withheld cells of
 * the group are at least two and add up to MINIMUM_CELL_SIZE or more; groups are revisited until
 * nothing changes, since a cell withheld for one group can expose another. A cost is withheld
 * with its row's eligible count (cost ÷ amount is that count). Pure; applied before a result is
 * kept, so nothing smaller than the minimum is stored, served or written to the policy history.
 */
import type { SimulationResult, SimulationRow } from './simulate.js';

/** Counts below this are withheld (the usual minimum for published official statistics). */
export const MINIMUM_CELL_SIZE = 10;

/** A count, or null where it is withheld. */
export type Cell = number | null;

type Counted<T> = { [K in keyof T]: T[K] extends number | undefined ? Cell | Exclude<T[K], number> : T[K] };

/** A breakdown row as served: its counts, cost and baseline count may be withheld. */
export type SuppressedRow = Counted<SimulationRow>;

/** A simulation result as served: every count below the minimum (and its complements) withheld. */
export interface SuppressedSimulationResult extends Omit<
  SimulationResult,
  'counts' | 'totalCost' | 'baseline' | 'changes' | 'breakdowns' | 'undeterminedCauses'
> {
  counts: Counted<SimulationResult['counts']>;
  totalCost: Cell;
  baseline?: { version: number; counts: Counted<SimulationResult['counts']>; totalCost: Cell };
  changes?: Counted<NonNullable<SimulationResult['changes']>>;
  breakdowns:
    | { district: SuppressedRow[]; ageBand: SuppressedRow[] }
    | { district: SuppressedRow[]; enterpriseSize: SuppressedRow[] };
  undeterminedCauses: Array<Omit<SimulationResult['undeterminedCauses'][number], 'count'> & { count: Cell }>;
  /** How many cells were withheld, and below what size. */
  suppression: { minimumCellSize: number; withheld: number };
}

/** One count of the result, shown or withheld. */
interface Slot {
  value: number;
  hidden: boolean;
}

const OUTCOMES = ['eligible', 'ineligible', 'undetermined'] as const;
const CHANGES = ['winners', 'losers', 'amountUp', 'amountDown', 'unchanged'] as const;

/** Withholds further cells of a group until its withheld cells are two or more and add up to the minimum; true when it changed any. */
function complete(group: readonly Slot[], minimum: number): boolean {
  let changed = false;
  for (;;) {
    const hidden = group.filter((slot) => slot.hidden);
    const shown = group.filter((slot) => !slot.hidden);
    const sum = hidden.reduce((total, slot) => total + slot.value, 0);
    if (hidden.length === 0 || shown.length === 0 || (hidden.length >= 2 && sum >= minimum)) return changed;
    // The largest shown cell: one is enough (it is at least the minimum), and it tells the least.
    shown.reduce((largest, slot) => (slot.value > largest.value ? slot : largest)).hidden = true;
    changed = true;
  }
}

/**
 * The result with every count below `minimum` withheld and enough complements withheld that no
 * withheld count can be recomputed from a total. The raw result is not changed.
 */
export function suppressSmallCells(
  result: SimulationResult,
  minimum: number = MINIMUM_CELL_SIZE,
): SuppressedSimulationResult {
  const slots: Slot[] = [];
  const slot = (value: number): Slot => {
    const made = { value, hidden: value < minimum };
    slots.push(made);
    return made;
  };
  const outcomeSlots = (counts: SimulationResult['counts']) =>
    Object.fromEntries(OUTCOMES.map((outcome) => [outcome, slot(counts[outcome])])) as Record<
      (typeof OUTCOMES)[number],
      Slot
    >;

  const counts = outcomeSlots(result.counts);
  const baseline = result.baseline && outcomeSlots(result.baseline.counts);
  const changes =
    result.changes &&
    (Object.fromEntries(CHANGES.map((name) => [name, slot(result.changes![name])])) as Record<
      (typeof CHANGES)[number],
      Slot
    >);
  const tables = Object.entries(result.breakdowns) as Array<[string, SimulationRow[]]>;
  const rows = tables.map(([name, table]) => ({
    name,
    table,
    cells: table.map((row) => ({
      ...outcomeSlots(row),
      ...(row.baselineEligible === undefined ? {} : { baselineEligible: slot(row.baselineEligible) }),
    })),
  }));
  const causes = result.undeterminedCauses.map((cause) => slot(cause.count));

  // Groups whose total is shown or learnable: the outcomes over the population (this version and
  // the baseline), the changes, each row's outcomes over its size, and each column over its total.
  const groups: Slot[][] = [
    OUTCOMES.map((outcome) => counts[outcome]),
    ...(baseline ? [OUTCOMES.map((outcome) => baseline[outcome])] : []),
    ...(changes ? [CHANGES.map((name) => changes[name])] : []),
    ...rows.flatMap(({ cells }) => [
      ...cells.map((cell) => OUTCOMES.map((outcome) => cell[outcome])),
      ...OUTCOMES.map((outcome) => cells.map((cell) => cell[outcome])),
      ...(cells.some((cell) => cell.baselineEligible) ? [cells.flatMap((cell) => cell.baselineEligible ?? [])] : []),
    ]),
  ];
  for (let changed = true; changed;) {
    changed = false;
    for (const group of groups) if (complete(group, minimum)) changed = true;
  }

  const shown = (s: Slot): Cell => (s.hidden ? null : s.value);
  const outcomes = (cells: Record<(typeof OUTCOMES)[number], Slot>) =>
    Object.fromEntries(OUTCOMES.map((outcome) => [outcome, shown(cells[outcome])])) as Counted<
      SimulationResult['counts']
    >;
  const breakdowns = Object.fromEntries(
    rows.map(({ name, table, cells }) => [
      name,
      table.map((row, i): SuppressedRow => ({
        key: row.key,
        label: row.label,
        ...outcomes(cells[i]),
        // The cost of a row is its eligible count times the amount: withheld with that count.
        cost: cells[i].eligible.hidden ? null : row.cost,
        ...(cells[i].baselineEligible ? { baselineEligible: shown(cells[i].baselineEligible!) } : {}),
      })),
    ]),
  ) as SuppressedSimulationResult['breakdowns'];
  return {
    ...result,
    counts: outcomes(counts),
    totalCost: counts.eligible.hidden ? null : result.totalCost,
    ...(result.baseline && baseline
      ? {
          baseline: {
            version: result.baseline.version,
            counts: outcomes(baseline),
            totalCost: baseline.eligible.hidden ? null : result.baseline.totalCost,
          },
        }
      : {}),
    ...(changes
      ? {
          changes: Object.fromEntries(CHANGES.map((name) => [name, shown(changes[name])])) as NonNullable<
            SuppressedSimulationResult['changes']
          >,
        }
      : {}),
    breakdowns,
    undeterminedCauses: result.undeterminedCauses.map((cause, i) => ({ ...cause, count: shown(causes[i]) })),
    suppression: { minimumCellSize: minimum, withheld: slots.filter((s) => s.hidden).length },
  };
}
