/**
 * The demo city's monthly payroll (按月发放), run the way a bureau runs it. Once the city has
 * settled (the feed delivered, no case still running) and its cases have opened entitlements of
 * a monthly policy (the old-age allowance, the disability subsidies), the demo officer starts
 * that policy's payroll for a month that has lines — the current month when an entitlement was
 * opened before it, else the month after its grants, since a grant pays its own first month
 * (activities/payroll.ts payrollSlice) — waits for the preview, and the demo reviewer, another
 * user, releases it. Both act through the payroll service the API uses, never on the records.
 * One payroll per policy: a policy with a batch already (from an earlier `npm start`) has that
 * batch taken up where it stands, so a restart neither starts a second payroll nor pays twice.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../domain/calendar.js';
import { nextPeriod } from '../domain/entitlements.js';
import { Refusal } from '../domain/refusal.js';
import type { BatchView, PayrollService } from '../services/payroll/service.js';
import { fenToYuan } from '../services/payroll/bank-files/money.js';
import { entitlementRange, registerEntitlementModels } from '../store/entitlements.js';
import type { User } from '../store/users.js';

/** One policy's payroll as the demo sees it. */
export interface DemoPayrollBatch {
  id: string;
  policyId: string;
  period: string;
  status: 'running' | 'preview' | 'released';
  lines: number;
  totalFen: number;
}

/**
 * waiting: the city is not settled yet; paying: a policy with entitlements has no released batch
 * yet; paid: every monthly policy with entitlements has its released batch.
 */
export interface DemoPayrollStatus {
  state: 'waiting' | 'paying' | 'paid';
  batches: DemoPayrollBatch[];
}

export interface DemoPayrollDeps {
  store: Connection;
  service: Pick<PayrollService, 'start' | 'batch' | 'batches' | 'release'>;
  /** Starts the payrolls. */
  officer: User;
  /** Releases them: another user than the officer. */
  reviewer: User;
  /** The monthly policies to pay. */
  policies: readonly string[];
  /** Whether the city has settled: no delivery to come, no case running. */
  settled: () => Promise<boolean>;
  signal: AbortSignal;
  say: (line: string) => void;
  today?: () => string;
  /** Between rounds (default 5 s). */
  intervalMs?: number;
}

export interface DemoPayroll {
  status(): DemoPayrollStatus;
  /** Settles when the demo's signal aborts the loop. */
  readonly finished: Promise<void>;
}

/** Yuan with thousands separators and two places, from integer fen: "12,300.00". */
export function yuanText(fen: number): string {
  const [whole, fraction] = fenToYuan(fen).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/**
 * The month a payroll of `policyId` pays lines for: `month` when an active entitlement was opened
 * before it, else the month after the earliest opening; undefined when none is active.
 */
export async function payablePeriod(store: Connection, policyId: string, month: string): Promise<string | undefined> {
  const { Entitlement } = registerEntitlementModels(store);
  const open = await Entitlement.find({ _id: entitlementRange(policyId), status: 'active' }, { firstPeriod: 1 }).lean();
  if (open.length === 0) return undefined;
  const first = open.map((entitlement) => entitlement.firstPeriod).sort()[0];
  return first < month ? month : nextPeriod(first);
}

const viewOf = (batch: BatchView): DemoPayrollBatch => ({
  id: batch.id,
  policyId: batch.policy.id,
  period: batch.period,
  status: batch.status,
  lines: batch.counts.lines,
  totalFen: batch.totalFen,
});

/** Waits `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Starts the loop; see the file comment. Never rejects: a failed round is reported and tried again. */
export function startDemoPayroll(deps: DemoPayrollDeps): DemoPayroll {
  const today = deps.today ?? (() => cityToday());
  const status: DemoPayrollStatus = { state: 'waiting', batches: [] };
  /** Payrolls this process started whose batch is not written yet. */
  const started = new Map<string, string>();

  /** One policy one step on: its batch as it stands now, released when in preview; undefined when it has nothing to pay. */
  async function step(policyId: string): Promise<DemoPayrollBatch | undefined> {
    let [batch] = await deps.service.batches({ policyId, limit: 1 });
    const startedId = started.get(policyId);
    if (!batch && startedId) {
      try {
        batch = await deps.service.batch(startedId);
      } catch (error) {
        // Started, its first activity not run yet.
        if (error instanceof Refusal && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    }
    if (!batch) {
      const period = await payablePeriod(deps.store, policyId, today().slice(0, 7));
      if (period === undefined) return undefined;
      const { id, created } = await deps.service.start(deps.officer, { policyId, period });
      started.set(policyId, id);
      if (created) deps.say(`payroll · 按月发放: ${deps.officer.name} started ${id} (preview first · 先预览)`);
      return { id, policyId, period, status: 'running', lines: 0, totalFen: 0 };
    }
    if (batch.status === 'preview') {
      deps.say(
        `payroll · 按月发放: ${batch.id} in preview · 预览 ${batch.counts.lines} 笔 lines ¥${yuanText(batch.totalFen)}`,
      );
      batch = await deps.service.release(deps.reviewer, batch.id);
      deps.say(
        `payroll · 按月发放: ${deps.reviewer.name} released ${batch.id} · 已放款 ${batch.counts.lines} 笔 lines ¥${yuanText(batch.totalFen)}`,
      );
    }
    return viewOf(batch);
  }

  async function round(): Promise<void> {
    if (!(await deps.settled())) {
      status.state = 'waiting';
      return;
    }
    const batches: DemoPayrollBatch[] = [];
    let unpaid = false;
    for (const policyId of deps.policies) {
      const batch = await step(policyId);
      if (batch) batches.push(batch);
      // Nothing to pay is settled too; a batch not yet released is not.
      if (batch && batch.status !== 'released') unpaid = true;
      else if (!batch && started.has(policyId)) unpaid = true;
    }
    status.batches = batches;
    status.state = unpaid ? 'paying' : 'paid';
  }

  const finished = (async () => {
    while (!deps.signal.aborted) {
      try {
        await round();
      } catch (error) {
        if (deps.signal.aborted) return;
        deps.say(`payroll · 按月发放: ${error instanceof Error ? error.message : String(error)} (trying again)`);
      }
      // Once paid, a slower look: new events posted to /events may open entitlements later.
      await pause(status.state === 'paid' ? 4 * (deps.intervalMs ?? 5_000) : (deps.intervalMs ?? 5_000), deps.signal);
    }
  })();

  return { status: () => ({ state: status.state, batches: [...status.batches] }), finished };
}
