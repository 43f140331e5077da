/**
 * `applyfree policy simulate <id> <version> [--as-of YYYY-MM-DD]`: starts an impact simulation
 * through the API, shows its progress on stderr while it runs (a bar on a terminal, a line now and
 * then otherwise), and prints what an officer weighs before submitting: counts, cost, the change
 * against the published version, the largest breakdown rows and why subjects are undetermined.
 * A count the API withholds (below the minimum cell size) reads "<10"; its cost, "withheld".
 */
import type { SimulationView } from '../services/policies/simulation.js';
import {
  MINIMUM_CELL_SIZE,
  type Cell,
  type SuppressedRow,
  type SuppressedSimulationResult,
} from '../rules/simulate-suppress.js';

/** What cli.ts lends: its API call, argument helpers, usage error and output. */
export interface SimulateCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  versionArgs(args: string[]): [string, number];
  flag(args: string[], name: string): string | undefined;
  usage(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
  /** Wait between progress checks (ms). */
  pollMs?: number;
}

const n = (value: Cell) => (value === null ? `<${MINIMUM_CELL_SIZE}` : value.toLocaleString('en'));
const cny = (value: Cell) =>
  value === null
    ? 'withheld 不公开'
    : value.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function progressLine(view: SimulationView, width: number): string {
  const { processed, total } = view.progress;
  if (total === 0) return 'simulating · 模拟中: counting the population · 正在统计人口';
  const share = total > 0 ? Math.min(1, processed / total) : 0;
  const bar = `${'█'.repeat(Math.round(share * width))}${'░'.repeat(width - Math.round(share * width))}`;
  return `simulating · 模拟中 ${bar} ${n(processed)}/${n(total)} (${Math.floor(share * 100)}%)`;
}

/** Shows progress until the simulation is no longer running; returns its last view. */
async function follow(context: SimulateCommandContext, path: string, first: SimulationView): Promise<SimulationView> {
  const tty = process.stderr.isTTY === true;
  let view = first;
  let lastLine = 0;
  while (view.status === 'running') {
    if (tty) process.stderr.write(`\r${progressLine(view, 30)}\u001b[K`);
    else if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now();
      process.stderr.write(`${progressLine(view, 20)}\n`);
    }
    await sleep(context.pollMs ?? 500);
    view = (await context.api('GET', path)) as SimulationView;
  }
  if (tty) process.stderr.write('\r\u001b[K');
  return view;
}

/** Pads to a terminal width: Chinese characters take two columns. */
function padWide(text: string, width: number): string {
  const used = [...text].reduce((sum, char) => sum + (/[\u2e80-\uffef]/.test(char) ? 2 : 1), 0);
  return text + ' '.repeat(Math.max(0, width - used));
}

function rowLine(row: SuppressedRow, withBaseline: boolean): string {
  const label = padWide(`${row.label.zh} ${row.label.en}`, 32);
  const baseline =
    withBaseline && row.baselineEligible !== undefined ? `  (published: ${n(row.baselineEligible)})` : '';
  return `    ${label} eligible ${n(row.eligible).padStart(9)}  cost ${cny(row.cost).padStart(16)}${baseline}`;
}

/** The rows in their own order, or the `top` rows by eligible subjects. */
function breakdownLines(
  title: string,
  rows: readonly SuppressedRow[],
  top: number | 'all',
  withBaseline: boolean,
): string[] {
  const shown =
    top === 'all'
      ? rows
      : [...rows]
          .sort((a, b) => (b.eligible ?? -1) - (a.eligible ?? -1) || (b.cost ?? -1) - (a.cost ?? -1))
          .slice(0, top);
  const more = rows.length > shown.length ? ` (top ${shown.length} of ${rows.length} by eligible)` : '';
  return [`  ${title}${more}:`, ...shown.map((row) => rowLine(row, withBaseline))];
}

/** The readable summary of a finished simulation. */
export function formatSimulation(result: SuppressedSimulationResult): string[] {
  const who = result.subject === 'person' ? 'residents · 居民' : 'enterprises · 企业';
  const { counts, baseline, changes } = result;
  const lines = [
    `${result.policyId} v${result.version} as of ${result.asOf} over ${n(result.population)} ${who} (${(result.elapsedMs / 1000).toFixed(1)} s)`,
  ];
  if (result.notInForceOnAsOf)
    lines.push(
      `  note: v${result.version} is not in force on ${result.asOf}: this is a what-if · 该版本在模拟日期未生效，结果仅供推演`,
    );
  lines.push(
    `  eligible 符合 ${n(counts.eligible)} · ineligible 不符合 ${n(counts.ineligible)} · undetermined 待核实 ${n(counts.undetermined)}`,
    `  cost 支出 ${cny(result.totalCost)} CNY for ${result.period}`,
  );
  if (baseline && changes) {
    const delta =
      result.totalCost === null || baseline.totalCost === null ? null : result.totalCost - baseline.totalCost;
    lines.push(
      `  published v${baseline.version}: eligible ${n(baseline.counts.eligible)}, cost ${cny(baseline.totalCost)} CNY (change ${delta !== null && delta >= 0 ? '+' : ''}${cny(delta)})`,
      `  winners 新增受益 ${n(changes.winners)} · losers 不再受益 ${n(changes.losers)} · paid more 增发 ${n(changes.amountUp)} · paid less 减发 ${n(changes.amountDown)} · unchanged 不变 ${n(changes.unchanged)}`,
    );
  } else lines.push('  no published version in force on that date to compare with · 无可比较的现行版本');
  const { breakdowns } = result;
  lines.push(...breakdownLines('by district 按区县', breakdowns.district, 5, baseline !== undefined));
  if ('ageBand' in breakdowns)
    lines.push(...breakdownLines('by age band 按年龄段', breakdowns.ageBand, 'all', baseline !== undefined));
  else
    lines.push(
      ...breakdownLines('by enterprise size 按企业规模', breakdowns.enterpriseSize, 'all', baseline !== undefined),
    );
  if (result.undeterminedCauses.length > 0) {
    lines.push('  undetermined because a fact is missing 因数据缺失待核实:');
    for (const cause of result.undeterminedCauses.slice(0, 5)) {
      lines.push(
        `    ${cause.fact} ${cause.label.zh} · ${cause.label.en}${cause.source ? ` (${cause.source})` : ''}: ${n(cause.count)}`,
      );
    }
  }
  if (result.suppression.withheld > 0)
    lines.push(
      `  ${result.suppression.withheld} count(s) below ${result.suppression.minimumCellSize}, or that would give one away, withheld · 小于 ${result.suppression.minimumCellSize} 的计数（及可据以推算的计数）不公开`,
    );
  return lines;
}

/** Runs the command; 0 when the simulation finished, 1 when it failed. */
export async function runSimulateCommand(args: string[], context: SimulateCommandContext): Promise<number> {
  const rest = [...args];
  const asOf = context.flag(rest, '--as-of');
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
    throw context.usage(`--as-of: expected a date YYYY-MM-DD, got "${asOf}"`);
  const [id, version] = context.versionArgs(rest);
  const base = `/policies/${encodeURIComponent(id)}/versions/${version}`;
  const started = (await context.api('POST', `${base}/simulate`, asOf ? { asOf } : {})) as SimulationView;
  const view = await follow(context, `${base}/simulation`, started);
  if (view.status === 'failed' || !view.result) {
    const error = view.error ?? {
      code: 'SIMULATION_FAILED',
      message: 'the simulation did not finish',
      messageZh: '模拟未完成',
    };
    if (context.out.json) context.out.print([], view);
    else process.stderr.write(`applyfree: ${error.code}: ${error.message} · ${error.messageZh}\n`);
    return 1;
  }
  context.out.print(formatSimulation(view.result), view);
  return 0;
}
