/**
 * `applyfree payroll …` (按月发放): start and preview the payroll of a recurring policy for a
 * period (an officer), follow it to its preview, read a batch, release it (a reviewer other than
 * whoever started it) — all through the API as the person in APPLYFREE_TOKEN. While a payroll
 * runs, a line goes to stderr now and then; stdout gets the batch (or, with --json, the API's answer).
 */
import type { CommandContext } from './context.js';
import { payrollWorkflowIdFromInput } from '../workflows/contracts/payroll.js';

export const PAYROLL_USAGE = `usage: applyfree payroll <command> [--json]     按月发放: the payroll of a recurring benefit
  preview <policy> <period> [--no-wait]  start the payroll of a month (YYYY-MM) or year (YYYY) and wait for its
                                       preview: counts, total, changes against the period before (officer)
  status <batch-id>                    a batch's figures (officer, reviewer or supervisor)
  release <batch-id>                   release a batch in preview (a reviewer other than whoever started it)`;

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

export async function runPayrollCommand(
  argv: string[],
  context: CommandContext & { pollMs?: number },
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
    default:
      throw context.usage(sub ? `unknown payroll command "${sub}"` : 'a payroll command is needed');
  }
}
