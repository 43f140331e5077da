/**
 * The payroll's application service (按月发放): officers start (preview) the payroll of a
 * recurring policy for a period; a reviewer other than whoever started it, compared by user ID,
 * releases the batch in preview — four eyes before any money leaves. Release recomputes the
 * batch's figures from its lines first, so a released batch always balances to the fen. An officer
 * then exports the released batch to the bank and imports the bank's answer (bank-export.ts,
 * bank-returns.ts); lines the bank did not pay wait on the returns worklist.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { clientStarter } from '../../activities/benefit-start.js';
import { periodKind, periodStart } from '../../domain/entitlements.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import { paymentLineKeys, registerPayrollModels, type PaymentBatch } from '../../store/payroll.js';
import { payrollBatchFigures } from '../../store/payroll-figures.js';
import { isSamePerson, type User } from '../../store/users.js';
import {
  getPayrollProgressQuery,
  PAYROLL_WORKFLOW_TYPE,
  parsePayrollWorkflowId,
  payrollWorkflowId,
  TASK_QUEUE,
  type PayrollInput,
} from '../../workflows/contracts/index.js';
import { withdrawStoppedLines } from './stops.js';
import { capWithholdings, postReleasedBatch } from '../ledger/release.js';
import { batchLines } from './lines.js';
import { endToEndIdFor } from './bank-files/ids.js';
import { createAdapterRegistry } from '../../activities/shared-data/adapters.js';
import {
  makeFetchFacts,
  type FetchFactsInput,
  type FetchFactsResult,
} from '../../activities/shared-data/fetch-facts.js';
import type { BankFileKind } from '../../store/bank-files.js';
import { storedFile } from '../../store/bank-files.js';
import { DEFAULT_PAYING_BUREAU } from '../../workers/config.js';
import { createBankExport, type BankFileDownload, type ExportAnswer } from './bank-export.js';
import { createBankReturns, type ReturnsAnswer, type ReturnView } from './bank-returns.js';
import type { BatchDebtor } from './bank-files/index.js';

export interface PayrollServiceDeps {
  store: Connection;
  temporal: Client;
  taskQueue?: string;
  /** How accounts are read for an export (default: the platform collections, an access record per read). */
  fetchFacts?: (input: FetchFactsInput) => Promise<FetchFactsResult>;
  /** The paying bureau (config APPLYFREE_PAYING_BUREAU_*; default DEFAULT_PAYING_BUREAU). */
  debtor?: BatchDebtor;
  /** The published policies: a payroll is started only for a recurring policy in force, for a period of its kind. */
  policies?: PolicySource;
}

/** Lines released per update. */
const RELEASE_CHUNK = 2_000;

/** A batch as staff see it: figures and who acted, never a subject key. */
export type BatchView = Omit<PaymentBatch, '_id' | 'key'> & {
  id: string;
  /** While it runs: entitlements re-checked so far (the payroll workflow's progress). */
  processed?: number;
};

const viewOf = ({ _id, key, ...rest }: PaymentBatch): BatchView => {
  void _id;
  return { id: key, ...rest };
};

const noBatch = (id: string) =>
  new Refusal('NOT_FOUND', `id: no payment batch ${id}`, `id：没有该发放批次 ${id}`, 'id');

/** Refuses, naming the field, a payroll for a policy not in force on the period's first day, paid once, or paid by another period. */
async function checkPayable(policies: PolicySource, policyId: string, period: string): Promise<void> {
  const asOf = periodStart(period);
  const policy = (await policies.allInForce(asOf)).find((p) => p.id === policyId);
  if (!policy)
    throw new Refusal(
      'INVALID_INPUT',
      `policyId: no policy ${policyId} in force on ${asOf}`,
      `policyId：${asOf} 没有生效的政策 ${policyId}`,
      'policyId',
    );
  if (policy.period === 'once')
    throw new Refusal(
      'INVALID_INPUT',
      `policyId: ${policyId} is paid once: it has no payroll`,
      `policyId：${policyId} 为一次性发放，没有按期发放`,
      'policyId',
    );
  if (policy.period !== periodKind(period))
    throw new Refusal(
      'INVALID_INPUT',
      `period: ${policyId} is paid by the ${policy.period}: a ${policy.period === 'month' ? 'month (YYYY-MM)' : 'year (YYYY)'}`,
      `period：${policyId} 按${policy.period === 'month' ? '月' : '年'}发放，须为${policy.period === 'month' ? '月份（YYYY-MM）' : '年份（YYYY）'}`,
      'period',
    );
}

export function createPayrollService(deps: PayrollServiceDeps) {
  const { PaymentBatch, PaymentLine } = registerPayrollModels(deps.store);
  // Returned payments' tasks keep their clocks on this deployment's worker (without a task queue: recorded only).
  const workflows = deps.taskQueue ? clientStarter(deps.temporal, deps.taskQueue) : undefined;
  const exports = createBankExport({
    store: deps.store,
    fetchFacts:
      deps.fetchFacts ??
      makeFetchFacts({ connection: deps.store, adapters: createAdapterRegistry({ connection: deps.store }) }),
    debtor: deps.debtor ?? DEFAULT_PAYING_BUREAU,
    ...(workflows ? { workflows } : {}),
  });
  const returns = createBankReturns({ store: deps.store, exports, ...(workflows ? { workflows } : {}) });
  const knownBatch = async (id: string) => {
    const batch = parsePayrollWorkflowId(id) ? await PaymentBatch.findById(id, { _id: 1 }).lean() : null;
    if (!batch) throw noBatch(id);
  };

  return {
    /**
     * Starts the payroll of `policyId` for `period` (an officer), or answers with the one that
     * exists: one per policy and period. INVALID_INPUT names the field at fault.
     */
    async start(
      actor: User,
      input: { policyId?: unknown; period?: unknown },
    ): Promise<{ id: string; created: boolean }> {
      authorize(actor, 'payroll.start');
      if (typeof input.policyId !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.policyId))
        throw new Refusal(
          'INVALID_INPUT',
          'policyId: a policy ID such as old-age-allowance',
          'policyId：须为政策编号',
          'policyId',
        );
      if (typeof input.period !== 'string' || !periodKind(input.period))
        throw new Refusal(
          'INVALID_INPUT',
          'period: a month (YYYY-MM) or a year (YYYY)',
          'period：须为月份（YYYY-MM）或年份（YYYY）',
          'period',
        );
      if (deps.policies) await checkPayable(deps.policies, input.policyId, input.period);
      const id = payrollWorkflowId(input.policyId, input.period);
      const args: [PayrollInput] = [
        { policyId: input.policyId, period: input.period, startedBy: actor.name, startedById: actor.id },
      ];
      try {
        await deps.temporal.workflow.start(PAYROLL_WORKFLOW_TYPE, {
          workflowId: id,
          taskQueue: deps.taskQueue ?? TASK_QUEUE,
          args,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return { id, created: true };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { id, created: false };
        throw error;
      }
    },

    /** One batch (while it runs, with how many entitlements its payroll has re-checked); NOT_FOUND when there is none. */
    async batch(id: string): Promise<BatchView> {
      const batch = parsePayrollWorkflowId(id) ? await PaymentBatch.findById(id).lean() : null;
      if (!batch) throw noBatch(id);
      if (batch.status !== 'running') return viewOf(batch);
      const progress = await deps.temporal.workflow
        .getHandle(id)
        .query(getPayrollProgressQuery)
        .catch(() => undefined);
      return { ...viewOf(batch), ...(progress ? { processed: progress.processed } : {}) };
    },

    /** A page of a batch's lines, each explained (subject masked, change against the period before, basis). */
    async lines(id: string, query: { offset?: unknown; limit?: unknown }) {
      const batch = parsePayrollWorkflowId(id) ? await PaymentBatch.findById(id).lean() : null;
      if (!batch) throw noBatch(id);
      return batchLines(deps.store, batch, query, endToEndIdFor);
    },

    /** Batches, newest period first, optionally of one policy. */
    async batches(filter: { policyId?: string; limit?: number } = {}): Promise<BatchView[]> {
      const found = await PaymentBatch.find(filter.policyId ? { 'policy.id': filter.policyId } : {})
        .sort({ period: -1 })
        .limit(filter.limit ?? 100)
        .lean();
      return found.map(viewOf);
    },

    /**
     * Releases a batch in preview (a reviewer who did not start it: FOUR_EYES otherwise): takes
     * out the lines of subjects stopped since (a death or move-out), recomputes the figures from
     * the lines, then marks the batch and its lines released. Releasing a released batch answers
     * with it; a batch still running is WRONG_STATUS.
     */
    async release(actor: User, id: string): Promise<BatchView> {
      authorize(actor, 'payroll.release');
      const batch = parsePayrollWorkflowId(id) ? await PaymentBatch.findById(id).lean() : null;
      if (!batch) throw noBatch(id);
      if (batch.status === 'released') return viewOf(batch);
      if (batch.status !== 'preview')
        throw new Refusal(
          'WRONG_STATUS',
          `id: batch ${id} is ${batch.status}, not in preview`,
          `id：批次 ${id} 尚未生成预览（${batch.status}）`,
          'id',
        );
      if (isSamePerson({ id: batch.startedById, name: batch.startedBy }, actor))
        throw new Refusal(
          'FOUR_EYES',
          `${actor.name} started this payroll: another reviewer releases it`,
          `该发放由 ${actor.name} 发起，须由另一位审核人放款`,
          'id',
        );
      await withdrawStoppedLines(deps.store, batch);
      await capWithholdings(deps.store, batch);
      // Lines first, then the ledger and the figures from them: a line is either taken out above or released here.
      const releasedAt = new Date();
      // A guarded update per chunk of the pending lines' keys: FerretDB updates each matched document
      // while its query stays open, so one update of a whole batch kept SQLite from checkpointing
      // its log for all of it (5 GB for 200,000 lines).
      const pending = await paymentLineKeys(deps.store, { batchId: id, kind: 'payment', status: 'pending' });
      for (let from = 0; from < pending.length; from += RELEASE_CHUNK)
        await PaymentLine.updateMany(
          { _id: { $in: pending.slice(from, from + RELEASE_CHUNK) }, status: 'pending' },
          { $set: { status: 'released', releasedAt } },
        );
      await postReleasedBatch(deps.store, id);
      const figures = await payrollBatchFigures(deps.store, batch);
      await PaymentBatch.updateOne(
        { _id: id, status: 'preview' },
        {
          $set: {
            status: 'released',
            counts: figures.counts,
            totalFen: figures.totalFen,
            withheldFen: figures.withheldFen,
            releasedBy: actor.name,
            releasedById: actor.id,
            releasedAt,
          },
        },
      );
      return viewOf((await PaymentBatch.findById(id).lean())!);
    },

    /**
     * Exports a released batch to the bank (an officer), once: the pain.001 file and the summary,
     * lines without a usable account put on the returns worklist. See bank-export.ts for refusals.
     */
    async exportBatch(actor: User, id: string): Promise<ExportAnswer> {
      authorize(actor, 'payroll.export');
      await knownBatch(id);
      return exports.exportBatch(id, { id: actor.id, name: actor.name });
    },

    /** A batch's exported file: how it downloads, and its text chunk by chunk. NOT_FOUND before the export. */
    async bankFile(id: string, file: BankFileKind): Promise<BankFileDownload & { text: AsyncIterable<string> }> {
      await knownBatch(id);
      const download = await exports.download(id, file);
      return { ...download, text: storedFile(deps.store, id, file, download.chunks) };
    },

    /** Imports the bank's answer to an exported batch (an officer): pain.002 XML or a CSV return file. */
    async importReturns(actor: User, id: string, text: string): Promise<ReturnsAnswer> {
      authorize(actor, 'payroll.returns');
      await knownBatch(id);
      return returns.importReturns(id, text);
    },

    /** The returns worklist (staff who read batches), subjects masked. */
    async returns(filter: { policyId?: string; status?: string } = {}): Promise<ReturnView[]> {
      return returns.returns(filter);
    },

    /** Closes an open worklist entry (an officer, with a reason): it will not be repaid. */
    async closeReturn(actor: User, id: string, body: { reason?: unknown }): Promise<ReturnView> {
      authorize(actor, 'payroll.returns');
      return returns.close(actor.id, id, body.reason);
    },
  };
}

export type PayrollService = ReturnType<typeof createPayrollService>;
