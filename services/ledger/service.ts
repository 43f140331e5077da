/**
 * The ledger's application service (台账): the programme ledger per policy and period, checked
 * against the released batches (each batch's total must equal what the ledger says it paid); the
 * collection list — what subjects owe back where nothing will be withheld (the policy collects, or
 * the entitlement is no longer active) — as JSON or CSV for the finance bureau; and the record of
 * a collection (an officer; keyed by the payment's reference, so the same receipt twice counts
 * once). Staff see ledger references (ledgerRef), never a subject key.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { entitlementKey } from '../../domain/entitlements.js';
import { recoveryMethodOf, settlementEntries, type RecoveryMethod } from '../../domain/ledger.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { registerEntitlementModels } from '../../store/entitlements.js';
import {
  postLedger,
  programmeLedger,
  registerLedgerModel,
  sumRows,
  type ProgrammeRow,
  type ProgrammeSums,
} from '../../store/ledger.js';
import { registerPayrollModels } from '../../store/payroll.js';
import type { User } from '../../store/users.js';
import { fenToYuan } from '../payroll/bank-files/money.js';
import { toCsv } from '../payroll/bank-files/csv.js';

export interface LedgerServiceDeps {
  store: Connection;
  policies: PolicySource;
}

/** A released batch against the ledger: its total, and what the ledger posted for it. */
export interface BatchCheck {
  id: string;
  period: string;
  totalFen: number;
  ledgerFen: number;
  balanced: boolean;
}

/** One subject's debt on a policy that no payment will net: for the finance bureau to collect. */
export interface CollectionItem {
  ref: string;
  policyId: string;
  owedFen: number;
  /** The earliest period of the recoveries behind it. */
  since: string;
  /** Why nothing nets it: the policy collects, or the entitlement has ended or is suspended. */
  because: 'policy-collects' | 'entitlement-ended' | 'entitlement-suspended' | 'no-entitlement';
}

const PERIOD = /^\d{4}(-(0[1-9]|1[0-2]))?$/;
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9.:/-]{0,63}$/;
const invalid = (field: string, en: string, zh: string) =>
  new Refusal('INVALID_INPUT', `${field}: ${en}`, `${field}：${zh}`, field);

function checkPeriod(field: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !PERIOD.test(value))
    throw invalid(field, 'a month (YYYY-MM) or a year (YYYY)', '须为月份（YYYY-MM）或年份（YYYY）');
  return value;
}

export function createLedgerService(deps: LedgerServiceDeps) {
  const Ledger = registerLedgerModel(deps.store);
  const { PaymentBatch } = registerPayrollModels(deps.store);
  const { Entitlement } = registerEntitlementModels(deps.store);

  const methods = new Map<string, RecoveryMethod>();
  /** The recovery method of the version in force, else of the version the entitlement pinned; collection when neither is known. */
  async function methodOf(policyId: string, pinned?: { id: string; version: number }): Promise<RecoveryMethod> {
    let method = methods.get(policyId);
    if (!method) {
      const policy =
        (await deps.policies.allInForce(cityToday())).find((p) => p.id === policyId) ??
        (pinned ? await deps.policies.version(pinned.id, pinned.version) : undefined);
      method = policy ? recoveryMethodOf(policy) : 'collection';
      methods.set(policyId, method);
    }
    return method;
  }

  /** Every ref owing, with what it owes and the recoveries' first period, from the owed account's lines. */
  async function owing(policyId?: string) {
    const debts = new Map<
      string,
      { ref: string; subjectKey: string; policyId: string; owedFen: number; since: string }
    >();
    const cursor = Ledger.find(
      { account: 'owed', ...(policyId ? { policyId } : {}) },
      { ref: 1, subjectKey: 1, policyId: 1, period: 1, kind: 1, amountFen: 1 },
    )
      .lean()
      .cursor({ batchSize: 5_000 });
    for await (const line of cursor) {
      const debt = debts.get(line.ref) ?? {
        ref: line.ref,
        subjectKey: line.subjectKey,
        policyId: line.policyId,
        owedFen: 0,
        since: line.period,
      };
      debt.owedFen += line.amountFen;
      if (line.kind === 'recovery' && line.period < debt.since) debt.since = line.period;
      debts.set(line.ref, debt);
    }
    return [...debts.values()].filter((debt) => debt.owedFen > 0);
  }

  return {
    /**
     * The programme ledger per policy and period (optionally one policy, a range of periods), its
     * totals, and each released batch in range checked against what the ledger posted for it.
     */
    async programme(
      actor: User,
      query: { policyId?: unknown; from?: unknown; to?: unknown },
    ): Promise<{ rows: ProgrammeRow[]; totals: ProgrammeSums; batches: BatchCheck[] }> {
      authorize(actor, 'ledger.read');
      const policyId = typeof query.policyId === 'string' && query.policyId !== '' ? query.policyId : undefined;
      const from = checkPeriod('from', query.from);
      const to = checkPeriod('to', query.to);
      const rows = await programmeLedger(deps.store, { policyId, from, to });
      const totals = sumRows(rows);
      const released = await PaymentBatch.find(
        {
          status: 'released',
          ...(policyId ? { 'policy.id': policyId } : {}),
          ...(from || to ? { period: { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) } } : {}),
        },
        { key: 1, period: 1, totalFen: 1 },
      )
        .sort({ period: 1 })
        .lean();
      const batches: BatchCheck[] = [];
      for (const batch of released) {
        // What the batch transferred: its payments and repayments, less what they withheld.
        const posted = await Ledger.find(
          { batchId: batch.key, account: 'paid', kind: { $in: ['payment', 'repayment', 'netting'] } },
          { amountFen: 1 },
        ).lean();
        const ledgerFen = posted.reduce((sum, line) => sum + line.amountFen, 0);
        batches.push({
          id: batch.key,
          period: batch.period,
          totalFen: batch.totalFen,
          ledgerFen,
          balanced: ledgerFen === batch.totalFen,
        });
      }
      return { rows, totals, batches };
    },

    /** What is owed back that no payment will net, largest first. */
    async collections(actor: User, query: { policyId?: unknown } = {}): Promise<CollectionItem[]> {
      authorize(actor, 'ledger.read');
      const policyId = typeof query.policyId === 'string' && query.policyId !== '' ? query.policyId : undefined;
      const debts = await owing(policyId);
      const entitlements = new Map(
        (
          await Entitlement.find(
            { _id: { $in: debts.map((debt) => entitlementKey(debt.policyId, debt.subjectKey)) } },
            { status: 1, policy: 1 },
          ).lean()
        ).map((e) => [e._id, e]),
      );
      const items: CollectionItem[] = [];
      for (const debt of debts) {
        const entitlement = entitlements.get(entitlementKey(debt.policyId, debt.subjectKey));
        const method = await methodOf(debt.policyId, entitlement?.policy);
        const status = entitlement?.status;
        if (method === 'netting' && status === 'active') continue;
        items.push({
          ref: debt.ref,
          policyId: debt.policyId,
          owedFen: debt.owedFen,
          since: debt.since,
          because:
            method === 'collection'
              ? 'policy-collects'
              : status === 'ended'
                ? 'entitlement-ended'
                : status === 'suspended'
                  ? 'entitlement-suspended'
                  : 'no-entitlement',
        });
      }
      return items.sort((a, b) => b.owedFen - a.owedFen || a.ref.localeCompare(b.ref));
    },

    /** The collection list as the finance bureau's CSV (BOM, quoted, yuan with two places). */
    async collectionsCsv(actor: User, query: { policyId?: unknown } = {}): Promise<string> {
      const items = await this.collections(actor, query);
      return toCsv([
        ['台账编号 ref', '政策 policy', '应追回金额（元） owed (CNY)', '起始期间 since', '原因 because'],
        ...items.map((item) => [item.ref, item.policyId, fenToYuan(item.owedFen), item.since, item.because]),
      ]);
    },

    /**
     * Records that `amountFen` of what `ref` owes was paid back (an officer), under the receipt's
     * reference: the same reference again changes nothing. Refuses more than is owed.
     */
    async recordCollection(
      actor: User,
      ref: string,
      body: { amountFen?: unknown; reference?: unknown },
    ): Promise<{ ref: string; collectedFen: number; owedFen: number; recorded: boolean }> {
      authorize(actor, 'ledger.collect');
      if (typeof body.amountFen !== 'number' || !Number.isSafeInteger(body.amountFen) || body.amountFen <= 0)
        throw invalid('amountFen', 'a positive whole number of fen', '须为正整数（分）');
      if (typeof body.reference !== 'string' || !REFERENCE.test(body.reference))
        throw invalid(
          'reference',
          'the receipt’s reference: 1–64 letters, digits or . : / -',
          '须为缴款凭证号：1–64 位字母、数字或 . : / -',
        );
      const lines = await Ledger.find({ ref }, { subjectKey: 1, policyId: 1, account: 1, amountFen: 1, key: 1 }).lean();
      if (lines.length === 0 || !/^LG[0-9A-F]{24}$/.test(ref))
        throw new Refusal('NOT_FOUND', `ref: no ledger ${ref}`, `ref：没有该台账 ${ref}`, 'ref');
      const source = `collection:${ref}:${body.reference}`;
      const owedFen = lines.filter((l) => l.account === 'owed').reduce((sum, l) => sum + l.amountFen, 0);
      if (lines.some((line) => line.key === `collected:owed:${source}`))
        return { ref, collectedFen: body.amountFen, owedFen, recorded: false };
      if (body.amountFen > owedFen)
        throw invalid(
          'amountFen',
          `¥${fenToYuan(body.amountFen)} (${body.amountFen} fen) is more than the ¥${fenToYuan(owedFen)} owed`,
          `¥${fenToYuan(body.amountFen)}（${body.amountFen} 分）超过应追回的 ¥${fenToYuan(owedFen)}`,
        );
      const { subjectKey, policyId } = lines[0];
      // A collection counts in the month it was received.
      const period = cityToday().slice(0, 7);
      await postLedger(
        deps.store,
        settlementEntries({ subjectKey, policyId, period }, 'collected', source, body.amountFen),
      );
      return { ref, collectedFen: body.amountFen, owedFen: owedFen - body.amountFen, recorded: true };
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
