/**
 * `applyfree sweep …` (主动筛查): request the sweep of a published policy version, approve
 * another's request (a reviewer) and follow it, read one sweep or the list, pause, resume or
 * cancel (a request awaiting approval: decline) — all through the API as the person in
 * APPLYFREE_TOKEN. While a sweep runs, progress goes to stderr: a live bar on a terminal, a plain
 * line now and then otherwise; stdout gets the summary (or, with --json, the progress object).
 */
import type { SweepView } from '../services/sweeps/service.js';
import { sweepWorkflowIdFromInput } from '../workflows/contracts/sweep.js';

/** What cli.ts lends: its API call, argument helper, usage and refusal errors, and output. */
export interface SweepCommandContext {
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  flag(args: string[], name: string): string | undefined;
  usage(message: string): Error;
  refused(message: string): Error;
  out: { json: boolean; print(human: string[] | string, data: unknown): void };
  /** Wait between progress checks (ms). */
  pollMs?: number;
  /** Where progress goes (stderr); a terminal gets the bar. */
  progress?: { isTTY?: boolean; columns?: number; write(text: string): unknown };
}

export const SWEEP_USAGE = `usage: applyfree sweep <command> [--json]     主动筛查: screen everyone for a published version
  start <id> <version> [--as-of D] [--slice N] [--rate N] [--parts N] [--no-wait]
                                       request the sweep as of a date (default today, never later): it starts
                                       once another reviewer approves it; a sweep already running is followed;
                                       --parts N screens N _id ranges side by side (1 to 16, default 1)
  approve <sweep-id> [--no-wait]       approve another's request (reviewer), which starts it, and follow it
  status <sweep-id> [--watch]          progress, or follow it to the end (officer, reviewer or supervisor)
  list [--policy ID] [--status S]      sweeps, newest first (S: awaiting-approval, running, paused, done, cancelled)
  pause|resume <sweep-id>              between slices (officer or reviewer)
  cancel <sweep-id>                    stop for good, grants stay; or decline a request (reviewer)`;

const n = (value: number) => (value ?? 0).toLocaleString('en');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STATUS: Record<SweepView['status'], string> = {
  'awaiting-approval': 'awaiting approval · 待批准',
  running: 'running · 进行中',
  paused: 'paused · 已暂停',
  done: 'done · 已完成',
  cancelled: 'cancelled · 已取消',
  failed: 'failed · 失败',
};
const ended = (view: SweepView) => view.status === 'done' || view.status === 'cancelled' || view.status === 'failed';

/** `sweep:` may be left off an ID on the command line. */
const sweepPath = (id: string) => `/sweeps/${encodeURIComponent(sweepWorkflowIdFromInput(id))}`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** Subjects per second over the recent samples (the last ~30 s), so a pause does not drag the rate down for ever. */
function rateOf(samples: Array<{ at: number; processed: number }>): number | undefined {
  const last = samples[samples.length - 1];
  const first = samples.find((s) => last.at - s.at <= 30_000) ?? samples[0];
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 && last.processed > first.processed ? (last.processed - first.processed) / seconds : undefined;
}

/** One progress line: processed/total, share, eligible, granted or started, rate and ETA (a bar when `width` > 0). */
export function progressLine(view: SweepView, rate: number | undefined, width: number): string {
  const { processed, total } = view;
  const share = total > 0 ? Math.min(1, processed / total) : 0;
  const filled = Math.round(share * width);
  const bar = width > 0 ? `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ` : '';
  const acted = view.started > 0 ? `started 已启动 ${n(view.started)}` : `granted 已发放 ${n(view.granted)}`;
  const speed = rate
    ? `${n(Math.round(rate))}/s, ETA ${duration((total - processed) / rate)}`
    : view.status === 'paused'
      ? 'paused · 已暂停'
      : '–/s';
  return `${bar}${n(processed)}/${n(total)} (${Math.floor(share * 100)}%) · eligible 符合 ${n(view.eligible)} · ${acted} · ${speed}`;
}

/** The readable summary of a sweep. */
export function formatSweep(view: SweepView): string[] {
  const seconds = (Date.parse(view.updatedAt) - Date.parse(view.startedAt)) / 1000;
  const lines = [
    `${view.id}  ${STATUS[view.status]}`,
    `  ${view.policy.id} v${view.policy.version} as of ${view.asOf}${view.requestedBy ? `, requested by ${view.requestedBy}` : ''}, ${n(view.slices)} slice(s), ${duration(seconds)}`,
    `  screened 已筛查 ${n(view.processed)}/${n(view.total)} · eligible 符合 ${n(view.eligible)} · ineligible 不符合 ${n(view.ineligible)} · undetermined 待核实 ${n(view.undetermined)}`,
    `  granted 已发放 ${n(view.granted)} (new 新增 ${n(view.grantsCreated)}) · offers or pledges started 已启动 ${n(view.started)} · already handled 此前已办理 ${n(view.alreadyHandled)} · notices queued 通知 ${n(view.noticesQueued)}`,
  ];
  if (view.undeterminedCauses.length > 0) {
    lines.push('  undetermined because a fact is missing 因数据缺失待核实:');
    for (const cause of [...view.undeterminedCauses].sort((a, b) => b.count - a.count).slice(0, 5))
      lines.push(`    ${cause.fact}: ${n(cause.count)}`);
  }
  const { approval } = view;
  if (approval?.backDated && approval.status !== 'declined')
    lines.push('  back-dated: it pays grant periods before the current one · 筛查日期早于当前发放周期，将补发此前各期');
  if (approval?.status === 'awaiting-approval')
    lines.push(
      `  awaiting approval by a reviewer other than ${view.requestedBy ?? 'the requester'}: applyfree sweep approve ${view.id} · 待另一位审核人批准`,
    );
  else if (approval?.decidedBy)
    lines.push(
      `  ${approval.status === 'declined' ? 'declined 已驳回' : 'approved 已批准'} by ${approval.decidedBy}${approval.decidedAt ? ` at ${approval.decidedAt}` : ''}`,
    );
  if (view.error) lines.push(`  ${view.error.code}: ${view.error.message} · ${view.error.messageZh}`);
  return lines;
}

/** Cuts a line to the terminal's width (Chinese characters take two columns), so `\r` redraws one line. */
function fit(line: string, columns: number | undefined): string {
  if (!columns) return line;
  let used = 0;
  let out = '';
  for (const char of line) {
    used += /[\u2e80-\uffef]/.test(char) ? 2 : 1;
    if (used > columns - 1) return `${out}…`;
    out += char;
  }
  return out;
}

/** Shows progress until the sweep ends; returns its last view. */
async function follow(context: SweepCommandContext, first: SweepView): Promise<SweepView> {
  const sink = context.progress ?? process.stderr;
  const tty = sink.isTTY === true;
  const samples: Array<{ at: number; processed: number }> = [];
  let view = first;
  let printed: { at: number; status: string } | undefined;
  while (!ended(view)) {
    samples.push({ at: Date.now(), processed: view.processed });
    if (samples.length > 200) samples.shift();
    const line = progressLine(view, view.status === 'paused' ? undefined : rateOf(samples), tty ? 24 : 0);
    if (tty) sink.write(`\r${fit(`${view.status === 'paused' ? '⏸ ' : ''}${line}`, sink.columns)}\u001b[K`);
    else if (!printed || printed.status !== view.status || Date.now() - printed.at >= 10_000) {
      printed = { at: Date.now(), status: view.status };
      sink.write(`${view.id} ${view.status}: ${line}\n`);
    }
    await sleep(context.pollMs ?? 500);
    view = (await context.api('GET', sweepPath(view.id))) as SweepView;
  }
  if (tty) sink.write('\r\u001b[K');
  return view;
}

function positiveNumber(context: SweepCommandContext, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0) || (name === '--slice' && !Number.isInteger(number)))
    throw context.usage(`${name}: expected a ${name === '--slice' ? 'whole ' : ''}number above 0, got "${value}"`);
  return number;
}

/** Runs `sweep <command>`; 0 done, 1 the sweep failed, was cancelled while followed, or the server refused. */
export async function runSweepCommand(args: string[], context: SweepCommandContext): Promise<number> {
  const [command, ...rest] = args;
  const { out } = context;
  const finish = (view: SweepView, expectDone: boolean) => {
    out.print(formatSweep(view), view);
    return expectDone && view.status !== 'done' ? 1 : 0;
  };
  switch (command) {
    case 'start': {
      const asOf = context.flag(rest, '--as-of');
      if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
        throw context.usage(`--as-of: expected a date YYYY-MM-DD, got "${asOf}"`);
      const sliceSize = positiveNumber(context, '--slice', context.flag(rest, '--slice'));
      const startsPerSecond = positiveNumber(context, '--rate', context.flag(rest, '--rate'));
      const parts = positiveNumber(context, '--parts', context.flag(rest, '--parts'));
      const noWait = rest.includes('--no-wait');
      const [policyId, version, ...extra] = rest.filter((arg) => arg !== '--no-wait');
      if (!policyId || !/^\d+$/.test(version ?? '') || extra.length > 0)
        throw context.usage(
          'sweep start <policyId> <version> [--as-of D] [--slice N] [--rate N] [--parts N] [--no-wait]',
        );
      const started = (await context.api('POST', '/sweeps', {
        policyId,
        version: Number(version),
        ...(asOf ? { asOf } : {}),
        ...(sliceSize ? { sliceSize } : {}),
        ...(startsPerSecond ? { startsPerSecond } : {}),
        ...(parts ? { parts } : {}),
      })) as SweepView & { created: boolean };
      // A request waits for another reviewer: nothing to follow yet.
      if (started.status === 'awaiting-approval' || noWait) return finish(started, false);
      if (!started.created && !out.json)
        (context.progress ?? process.stderr).write(
          `${started.id} was already started: following it · 该筛查已发起，继续跟踪\n`,
        );
      return finish(await follow(context, started), true);
    }
    case 'approve': {
      const noWait = rest.includes('--no-wait');
      const [id, ...extra] = rest.filter((arg) => arg !== '--no-wait');
      if (!id || extra.length > 0) throw context.usage('sweep approve <sweep-id> [--no-wait]');
      const approved = (await context.api('POST', `${sweepPath(id)}/approve`)) as SweepView;
      if (noWait) return finish(approved, false);
      return finish(await follow(context, approved), true);
    }
    case 'status': {
      const watch = rest.includes('--watch');
      const [id] = rest.filter((arg) => arg !== '--watch');
      if (!id) throw context.usage('sweep status <id> [--watch]');
      const view = (await context.api('GET', sweepPath(id))) as SweepView;
      return watch ? finish(await follow(context, view), true) : finish(view, false);
    }
    case 'list': {
      const policyId = context.flag(rest, '--policy');
      const status = context.flag(rest, '--status');
      const query = new URLSearchParams({
        ...(policyId ? { policyId } : {}),
        ...(status ? { status } : {}),
      }).toString();
      const views = (await context.api('GET', `/sweeps${query ? `?${query}` : ''}`)) as SweepView[];
      out.print(
        views.length === 0
          ? ['no sweeps · 暂无筛查']
          : views.map(
              (v) =>
                `${v.id.padEnd(48)} ${STATUS[v.status].padEnd(16)} ${n(v.processed)}/${n(v.total)}  eligible ${n(v.eligible)}  ${v.requestedBy ?? ''}`,
            ),
        views,
      );
      return 0;
    }
    case 'pause':
    case 'resume':
    case 'cancel': {
      if (!rest[0]) throw context.usage(`sweep ${command} <id>`);
      const view = (await context.api('POST', `${sweepPath(rest[0])}/${command}`)) as SweepView;
      const note =
        command === 'cancel' && view.approval?.status === 'declined'
          ? 'request declined · 已驳回申请'
          : {
              pause: 'pausing after the slice in flight · 当前分片完成后暂停',
              resume: 'resumed · 已继续',
              cancel: 'stopping after the slice in flight · 当前分片完成后停止',
            }[command];
      out.print([`${view.id}: ${note}`, ...formatSweep(view).slice(1)], view);
      return 0;
    }
    default:
      throw context.usage(command ? `unknown sweep command "${command}"` : 'name a sweep command');
  }
}
