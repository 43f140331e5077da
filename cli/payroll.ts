/**
 * `applyfree payroll …` (按月发放): start and preview the payroll of a recurring policy for a
 * period (an officer), follow it to its preview, read a batch, release it (a reviewer other than
 * whoever started it), export a released batch to the bank and download its files, import the
 * bank's answer, list the returns worklist — all through the API as the person in APPLYFREE_TOKEN.
 * Progress goes to stderr (a redrawn bar on a terminal, plain lines otherwise); stdout gets the
 * result (or, with --json, the API's answer).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { apiFetch, type CommandContext } from './context.js';
import { payrollWorkflowIdFromInput } from '../workflows/contracts/payroll.js';

export const PAYROLL_USAGE = `usage: applyfree payroll <command> [--json]     按月发放: the payroll of a recurring benefit
  preview <policy> <period> [--no-wait]  start the payroll of a month (YYYY-MM) or year (YYYY) and wait for its
                                       preview: counts, total, changes against the period before (officer)
  status <batch-id>                    a batch's figures (officer, reviewer or supervisor)
  release <batch-id>                   release a batch in preview (a reviewer other than whoever started it)
  export <batch-id> [--out <dir>]      export a released batch to the bank (officer) and download its files into
                                       <dir> (default .): <batch>.pain001.xml and <batch>.summary.csv
  import-returns <batch-id> <file>     import the bank's answer (officer): a pain.002 .xml or a CSV return file
  returns [--policy <id>] [--status open|repaid|closed]
                                       the returns worklist: lines the bank did not pay, and their repayment`;

/** A batch as the API answers. */
interface Batch {
  id: string;
  status: 'running' | 'preview' | 'released';
  period: string;
  policy: { id: string; version: number };
  totalFen: number;
  counts: { lines: number; new: number; amountChanged: number; ended: number; suspended: number; removed: number };
  startedById?: string;
  releasedById?: string;
}

const STATUS: Record<Batch['status'], string> = {
  running: 'running · 生成中',
  preview: 'preview · 待放款',
  released: 'released · 已放款',
};
const n = (value: number) => (value ?? 0).toLocaleString('en');
/** Fen as yuan, exactly (integer arithmetic: never a float's rounding). */
export const yuan = (fen: number): string =>
  `${fen < 0 ? '-' : ''}¥${n(Math.floor(Math.abs(fen) / 100))}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const path = (id: string) => `/payroll/batches/${encodeURIComponent(payrollWorkflowIdFromInput(id))}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Checks a just-started payroll may answer "not found" (its batch not yet written) before that is an error. */
const NOT_YET_ROUNDS = 120;

/** The readable summary of a batch. */
export function formatBatch(batch: Batch): string[] {
  const c = batch.counts;
  return [
    `${batch.id}  ${STATUS[batch.status]}  (${batch.policy.id} v${batch.policy.version}, ${batch.period})`,
    `lines 笔数 ${n(c.lines)} · total 总额 ${yuan(batch.totalFen)}`,
    `new 新增 ${n(c.new)} · amount changed 金额变化 ${n(c.amountChanged)} · ended 停发 ${n(c.ended)} · suspended 暂停 ${n(c.suspended)}${c.removed ? ` · removed before release 放款前剔除 ${n(c.removed)}` : ''}`,
    ...(batch.status === 'preview'
      ? [`release (a reviewer other than who started it): applyfree payroll release ${batch.id}`]
      : []),
  ];
}

/** What an export answers. */
interface ExportAnswer {
  batchId: string;
  messageId: string;
  count: number;
  totalFen: number;
  withheld: number;
  files: { pain001: string; summary: string };
}

/** What an import of the bank's answer answers. */
interface ReturnsAnswer {
  batchId: string;
  accepted: number;
  rejected: number;
  pending: number;
  unanswered: number;
  unknown: number;
  mismatches: number;
  details: { unknown: string[]; mismatches: Array<{ endToEndId: string; sentFen: number; reportedFen: number }> };
}

/** A worklist entry as the API answers. */
interface ReturnEntry {
  id: string;
  batchId: string;
  policy: { id: string; version: number };
  period: string;
  amountFen: number;
  reasonCode: string;
  reason: { zh: string; en: string };
  fixable: boolean;
  status: 'open' | 'repaid' | 'closed';
  repaidIn?: string;
  subject: { masked?: string };
}

/** Where progress is drawn (stderr; a test lends its own). */
export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR = 24;

/** One progress line: a bar when the size is known, bytes and lines so far. */
export function downloadLine(
  name: string,
  bytes: number,
  total: number | undefined,
  lines: number,
  bar: boolean,
): string {
  const share = total ? Math.min(1, bytes / total) : undefined;
  const drawn =
    bar && share !== undefined
      ? `${'█'.repeat(Math.round(share * BAR))}${'░'.repeat(BAR - Math.round(share * BAR))} `
      : '';
  const percent = share === undefined ? '' : ` (${Math.floor(share * 100)}%)`;
  return `${name} ${drawn}${n(bytes)}${total ? `/${n(total)}` : ''} bytes${percent} · ${n(lines)} lines 行`;
}

/**
 * Downloads one file of a batch into `dir` (through a temporary name, so a broken download leaves
 * no file that looks whole), drawing progress on `sink`: a redrawn bar on a terminal, else a
 * line at the start, every quarter, and the end. Answers the file's path, bytes and lines.
 */
async function download(
  path: string,
  dir: string,
  fallbackName: string,
  sink: ProgressSink,
): Promise<{ file: string; bytes: number; lines: number }> {
  const response = await apiFetch('GET', path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"/\\]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const total = Number(response.headers.get('content-length')) || undefined;
  const file = join(dir, name);
  const partial = `${file}.part`;
  const out = createWriteStream(partial);
  const tty = sink.isTTY === true;
  let bytes = 0;
  let lines = 0;
  let quarter = -1;
  const draw = (final: boolean) => {
    if (tty) sink.write(`\r${downloadLine(name, bytes, total, lines, true)}\u001b[K${final ? '\n' : ''}`);
    else {
      const reached = total ? Math.floor((bytes / total) * 4) : 0;
      if (final || reached > quarter) {
        quarter = reached;
        sink.write(`${downloadLine(name, bytes, total, lines, false)}\n`);
      }
    }
  };
  try {
    draw(false);
    for await (const chunk of response.body ?? []) {
      const piece = chunk as Uint8Array;
      bytes += piece.byteLength;
      for (const byte of piece) if (byte === 10) lines += 1;
      if (!out.write(piece)) await once(out, 'drain');
      draw(false);
    }
    out.end();
    await once(out, 'finish');
    draw(true);
    await rename(partial, file);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return { file, bytes, lines };
}

/** The bank's answer as the API takes it: XML when it starts with `<` (after a BOM or blanks), else CSV. */
export function returnsContentType(text: string): string {
  return /^\uFEFF?\s*</.test(text) ? 'application/xml' : 'text/csv';
}

function formatReturns(answer: ReturnsAnswer): string[] {
  return [
    `${answer.batchId}  bank answer imported · 回盘已导入`,
    `accepted 成功 ${n(answer.accepted)} · rejected 退回 ${n(answer.rejected)} · pending 处理中 ${n(answer.pending)} · unanswered 未回复 ${n(answer.unanswered)}`,
    ...(answer.rejected ? ['rejected lines are on the worklist · 退回明细见: applyfree payroll returns'] : []),
    ...answer.details.unknown.map((id) => `unknown 未知编号 ${id} (not in this batch's file: not applied 未处理)`),
    ...answer.details.mismatches.map(
      (m) =>
        `amount mismatch 金额不符 ${m.endToEndId}: sent ${yuan(m.sentFen)}, bank ${yuan(m.reportedFen)} (not applied 未处理)`,
    ),
  ];
}

function formatReturnEntry(entry: ReturnEntry): string {
  const status = { open: 'open 待处理', repaid: 'repaid 已补发', closed: 'closed 已关闭' }[entry.status];
  return [
    `${entry.id}  ${entry.policy.id} ${entry.period}  ${yuan(entry.amountFen)}  ${entry.subject.masked ?? ''}`,
    `${entry.reasonCode} ${entry.reason.zh} · ${entry.reason.en}`,
    `${status}${entry.repaidIn ? ` in ${entry.repaidIn}` : entry.fixable ? ' (repaid once the account is corrected 账户更正后补发)' : ' (needs an officer 需人工处理)'}`,
  ].join('  ');
}

export async function runPayrollCommand(
  argv: string[],
  context: CommandContext & { pollMs?: number; progress?: ProgressSink },
): Promise<number> {
  const [sub, ...args] = argv;
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const show = (batch: Batch) => {
    context.out.print(formatBatch(batch), batch);
    return 0;
  };
  switch (sub) {
    case 'preview': {
      const [policyId, period] = positional;
      if (!policyId || !period) throw context.usage('preview needs a policy ID and a period');
      const started = (await context.api('POST', '/payroll/batches', { policyId, period })) as { id: string };
      if (args.includes('--no-wait')) {
        context.out.print(`${started.id}  started · 已发起`, started);
        return 0;
      }
      for (let round = 0; ; round++) {
        // The batch is written by the payroll's first step: until then (a minute at most) it is not found yet.
        const batch = (await context.api('GET', path(started.id)).catch((error: Error) => {
          if (round < NOT_YET_ROUNDS && error.message.startsWith('NOT_FOUND')) return undefined;
          throw error;
        })) as Batch | undefined;
        if (batch && batch.status !== 'running') return show(batch);
        if (round % 10 === 0) process.stderr.write(`${started.id}: re-checking entitlements · 复核中…\n`);
        await sleep(context.pollMs ?? 500);
      }
    }
    case 'status': {
      if (!positional[0]) throw context.usage('status needs a batch ID');
      return show((await context.api('GET', path(positional[0]))) as Batch);
    }
    case 'release': {
      if (!positional[0]) throw context.usage('release needs a batch ID');
      return show((await context.api('POST', `${path(positional[0])}/release`)) as Batch);
    }
    case 'export': {
      const rest = [...args];
      const dir = context.flag(rest, '--out') ?? '.';
      const [id] = rest.filter((arg) => !arg.startsWith('--'));
      if (!id) throw context.usage('export needs a batch ID');
      const answer = (await context.api('POST', `${path(id)}/export`)) as ExportAnswer;
      await mkdir(dir, { recursive: true });
      const sink = context.progress ?? process.stderr;
      const base = answer.batchId.replace(/[^A-Za-z0-9.-]/g, '_');
      const pain = await download(answer.files.pain001, dir, `${base}.pain001.xml`, sink);
      const summary = await download(answer.files.summary, dir, `${base}.summary.csv`, sink);
      context.out.print(
        [
          `${answer.batchId}  exported · 已导出  (MsgId ${answer.messageId})`,
          `transfers 笔数 ${n(answer.count)} · total 总额 ${yuan(answer.totalFen)}${answer.withheld ? ` · withheld 无可用账户 ${n(answer.withheld)} (on the worklist 已列入退回清单)` : ''}`,
          `${pain.file}  ${n(pain.bytes)} bytes`,
          `${summary.file}  ${n(summary.bytes)} bytes`,
        ],
        { ...answer, written: { pain001: pain.file, summary: summary.file } },
      );
      return 0;
    }
    case 'import-returns': {
      const [id, file] = positional;
      if (!id || !file) throw context.usage('import-returns needs a batch ID and the bank file');
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw context.refused(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      });
      const response = await apiFetch('POST', `${path(id)}/returns`, {
        body: text,
        contentType: returnsContentType(text),
        accept: 'application/json',
      });
      const answer = (await response.json()) as ReturnsAnswer;
      context.out.print(formatReturns(answer), answer);
      return 0;
    }
    case 'returns': {
      const rest = [...args];
      const policyId = context.flag(rest, '--policy');
      const status = context.flag(rest, '--status');
      const query = new URLSearchParams({
        ...(policyId ? { policyId } : {}),
        ...(status ? { status } : {}),
      }).toString();
      const { items } = (await context.api('GET', `/payroll/returns${query ? `?${query}` : ''}`)) as {
        items: ReturnEntry[];
      };
      context.out.print(items.length ? items.map(formatReturnEntry) : ['no returns · 没有退回'], { items });
      return 0;
    }
    default:
      throw context.usage(sub ? `unknown payroll command "${sub}"` : 'a payroll command is needed');
  }
}
