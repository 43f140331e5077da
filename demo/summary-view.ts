/**
 * The live summary on the console, in Chinese with English labels. On a terminal the
 * block is redrawn in place every two seconds; elsewhere (CI, a log file) it is printed
 * as plain lines every ten seconds, and only when a figure changed.
 */
import type { DemoStatus, PolicyGrants, Summary, SummarySource } from '../services/metrics/summary.js';
import { yuanText } from './payroll.js';

const n = (value: number) => value.toLocaleString('en');

/** Columns a string takes on a terminal: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts a line to `columns` display columns. */
function fit(line: string, columns: number): string {
  if (displayWidth(line) <= columns) return line;
  let out = '';
  for (const char of line) {
    if (displayWidth(out + char) > columns - 1) break;
    out += char;
  }
  return `${out}…`;
}

const LABEL = 36;
const row = (label: string, value: string) => `  ${pad(label, LABEL)}${value}`;

function money(grants: PolicyGrants): string {
  if (grants.amount === undefined) return '';
  return `${grants.currency === 'CNY' || grants.currency === undefined ? '¥' : `${grants.currency} `}${n(Math.round(grants.amount))}`;
}

/** The summary as lines of text (no trailing newline). */
/** The demo payroll's line: where it stands, and each policy's batch. */
function payrollRow(payroll: NonNullable<DemoStatus['payroll']>): string {
  const state = {
    waiting: '等待案件处理完毕 waiting for the cases',
    paying: '发放中 paying',
    paid: '已放款 released',
  }[payroll.state];
  const batches = payroll.batches.map(
    (b) => `${b.policyId} ${b.period} ${b.status} ${n(b.lines)} 笔 ¥${yuanText(b.totalFen)}`,
  );
  return row('按月发放 monthly payroll', [state, ...batches].join(' · '));
}

export function renderSummary(summary: Summary, now: Date = new Date()): string[] {
  const lines = [`免申即享 applyfree · 实时概况 live summary · ${now.toTimeString().slice(0, 8)}`];
  const { demo, deliveries: d, events: e, decisions, grants } = summary;
  if (demo) {
    const asOf = demo.asOf ? ` · 截至 as of ${demo.asOf}` : '';
    lines.push(
      row('演示城市 demo city', `${n(demo.residents)} 居民 residents · ${n(demo.enterprises)} 企业 enterprises${asOf}`),
    );
    const feed = demo.feed;
    if (demo.state === 'seeding') lines.push(row('登记推送 registry feed', '生成城市数据中 seeding the city…'));
    else if (demo.state === 'planning')
      lines.push(row('登记推送 registry feed', '读取登记数据 reading the registries…'));
    else if (demo.state === 'failed')
      lines.push(row('登记推送 registry feed', `未能启动 could not start: ${demo.error ?? ''}`));
    else if (feed) {
      const pace = feed.heldBack
        ? '等待案件处理 waiting for the pipeline'
        : `${feed.ratePerSecond}/s (≤ ${feed.eventsPerSecond}/s)`;
      const state = {
        feeding: pace,
        done: '全部推送 all delivered',
        stopped: '已停止 stopped',
        seeding: '',
        planning: '',
        failed: '',
      }[demo.state];
      const replay = feed.replaying ? ` · 事件日期 date ${feed.replaying}` : '';
      lines.push(
        row('登记推送 registry feed', `${n(feed.position)}/${n(feed.planned)} 投递 deliveries · ${state}${replay}`),
      );
      lines.push(
        row(
          '',
          `首报 first ${n(feed.sent.first)} · 重发 resent ${n(feed.sent.repeat)} · 他部门再报 second registry ${n(feed.sent['second-registry'])}`,
        ),
      );
    }
  }
  if (demo?.payroll) lines.push(payrollRow(demo.payroll));
  lines.push(
    row(
      '收到投递 deliveries this run',
      `${n(d.received)}: 新案件 new ${n(d.accepted)} · 重复已合并 collapsed ${n(d.duplicate)} · 拒收 rejected ${n(d.rejected)} · 失败 failed ${n(d.failed)}`,
    ),
  );
  const inProgress = e.inProgress === undefined ? '' : ` · 处理中 in progress ${n(e.inProgress)}`;
  lines.push(
    row(
      '案件 cases',
      `${n(e.cases)}${inProgress} · 来源事件 source events ${n(e.sourceEvents)} (跨部门合并 collapsed ${n(e.collapsedAcrossRegistries)})`,
    ),
  );
  lines.push(
    row(
      '判定 decisions',
      `符合 eligible ${n(decisions.eligible)} · 不符合 ineligible ${n(decisions.ineligible)} · 待定 undetermined ${n(decisions.undetermined)}`,
    ),
  );
  lines.push(row('发放 grants', `${n(grants.total)}${grants.revoked ? ` (撤销 revoked ${n(grants.revoked)})` : ''}`));
  for (const policy of grants.byPolicy) {
    lines.push(
      `    ${pad(policy.title.zh, 20)}${pad(policy.title.en, 48)}${n(policy.count).padStart(7)}  ${money(policy).padStart(13)}`,
    );
  }
  lines.push(
    row(
      '本月已发放 paid this month',
      `¥${yuanText(summary.payroll.paidFen)} · ${n(summary.payroll.lines)} 笔 lines (${summary.payroll.month})`,
    ),
  );
  lines.push(row('待确认 offers awaiting confirmation', n(summary.offersAwaitingConfirmation)));
  lines.push(row('待核查 pledges awaiting inspection', n(summary.pledgesAwaitingInspection)));
  lines.push(row('人工复核 manual review open', n(summary.manualReviewOpen)));
  lines.push(
    row(
      '通知 notices',
      `已送达 delivered ${n(summary.notices.delivered)} · 排队 queued ${n(summary.notices.queued)} · 失败 failed ${n(summary.notices.failed)}`,
    ),
  );
  return lines;
}

export interface SummaryDisplay {
  /** Prints a line above the live block (which is redrawn below it). */
  log(line: string): void;
  /** Stops redrawing; the last block stays on screen (printed once more when not a terminal). */
  stop(): Promise<void>;
}

export interface DisplayOptions {
  source: SummarySource;
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Redraw in place (a terminal) or print plain lines. */
  interactive: boolean;
  /** Default 2 s on a terminal, 10 s otherwise. */
  intervalMs?: number;
  /** Width to cut lines to on a terminal (default the terminal's). */
  columns?: () => number;
  /** Where a failed read is reported (default a line above the block). */
  onError?: (line: string) => void;
  /** Runs the next read after `ms` and answers how to call it off (default a timer); a test steps it by hand. */
  schedule?: (next: () => void, ms: number) => () => void;
}

const timer = (next: () => void, ms: number): (() => void) => {
  const handle = setTimeout(next, ms);
  return () => clearTimeout(handle);
};

/** Starts the display; see the file comment. */
export function startSummaryDisplay(options: DisplayOptions): SummaryDisplay {
  const { out, interactive, source } = options;
  const intervalMs = options.intervalMs ?? (interactive ? 2000 : 10_000);
  const columns = options.columns ?? (() => ('columns' in out && out.columns ? out.columns : 120));
  let drawn = 0;
  let block: string[] = [];
  let lastPrinted = '';
  let stopped = false;
  const schedule = options.schedule ?? timer;
  let cancel: () => void = () => undefined;
  let drawing: Promise<void> = Promise.resolve();

  const draw = () => {
    const width = columns();
    const text = block.map((line) => fit(line, width)).join('\n');
    out.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
    drawn = block.length;
  };
  const tick = async () => {
    try {
      const summary = await source.get(intervalMs);
      block = renderSummary(summary);
      if (interactive) draw();
      else {
        const figures = block.slice(1).join('\n');
        if (figures !== lastPrinted) {
          lastPrinted = figures;
          out.write(`${block.join('\n')}\n`);
        }
      }
    } catch (error) {
      (options.onError ?? log)(
        `live summary · 实时概况: could not read the store: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const loop = () => {
    if (stopped) return;
    drawing = tick().finally(() => {
      if (!stopped) cancel = schedule(loop, intervalMs);
    });
  };
  function log(line: string) {
    if (interactive && drawn > 0) {
      out.write(`\x1b[${drawn}F\x1b[J${line}\n`);
      drawn = 0;
      draw();
    } else out.write(`${line}\n`);
  }
  loop();
  return {
    log,
    async stop() {
      stopped = true;
      cancel();
      await drawing;
      if (!interactive) await tick();
    },
  };
}
