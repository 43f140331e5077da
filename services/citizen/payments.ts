/**
 * The citizen's payments (/me/payments): each payment of a released batch (period, amount in fen
 * and in yuan, date paid), each recovery due, and each recurring benefit with its status and, when
 * it stopped, why; and the subject's ledger of each benefit (what reached them, what they owe back).
 * Lines not yet released, or taken out before release, were never paid: not shown.
 */
import type { Connection } from 'mongoose';
import type { Text } from '../../domain/sources.js';
import { registerEntitlementModels } from '../../store/entitlements.js';
import { registerPayrollModels, type PaymentLine } from '../../store/payroll.js';
import { subjectLedger } from '../../store/ledger.js';
import { registerBenefitModels } from '../../store/benefits.js';

type Label = (ref: { id: string; version: number }) => Promise<{ id: string; version: number; title: Text }>;

/** What the bank did not pay: the citizen never got it (a repayment follows once the account is right). */
const NOT_PAID = new Set(['rejected', 'withheld']);
const RETURNED: Text = {
  zh: '未能到账（银行退回或账户不可用），账户更正后补发',
  en: 'did not reach your account (returned by the bank, or no usable account): paid again once the account is corrected',
};

/** A payment reached the citizen unless the bank returned it; a recovery is settled once nothing is owed on its benefit. */
function statusOf(line: PaymentLine, owedFen: number): 'paid' | 'returned' | 'recovery-due' | 'recovery-settled' {
  if (line.kind === 'recovery') return owedFen > 0 ? 'recovery-due' : 'recovery-settled';
  return NOT_PAID.has(line.bank?.status ?? '') ? 'returned' : 'paid';
}

/** At most this many payments (newest period first). */
const LIMIT = 200;

export async function citizenPayments(store: Connection, subjectKey: string, label: Label) {
  const { PaymentLine } = registerPayrollModels(store);
  const { Entitlement } = registerEntitlementModels(store);
  const { Grant } = registerBenefitModels(store);
  const lines = await PaymentLine.find({ subjectKey, status: { $in: ['released', 'due'] } })
    .sort({ period: -1, _id: 1 })
    .limit(LIMIT)
    .lean();
  const entitlements = await Entitlement.find({ subjectKey }).lean();
  const ledgers = await subjectLedger(store, subjectKey);
  const owed = new Map(ledgers.map((ledger) => [ledger.policyId, ledger.balance.owedFen]));
  // A policy's label from any version the subject's records pinned.
  const refs = new Map([...lines.map((l) => l.policy), ...entitlements.map((e) => e.policy)].map((r) => [r.id, r]));
  return {
    payments: await Promise.all(
      lines.map(async (line) => ({
        policy: await label(line.policy),
        period: line.period,
        kind: line.kind,
        amountFen: line.amountFen,
        amount: line.amountFen / 100,
        ...(line.nettedFen ? { grossFen: line.grossFen, withheldFen: line.nettedFen } : {}),
        status: statusOf(line, owed.get(line.policy.id) ?? 0),
        ...(line.repays ? { repayment: true } : {}),
        // Why this amount: the re-check's as-of day and each condition's result (no values).
        ...(line.basis ? { basis: line.basis } : {}),
        ...(line.releasedAt ? { paidAt: line.releasedAt.toISOString() } : {}),
        ...(line.reason ? { reason: line.reason } : NOT_PAID.has(line.bank?.status ?? '') ? { reason: RETURNED } : {}),
      })),
    ),
    entitlements: await Promise.all(
      entitlements.map(async (entitlement) => ({
        policy: await label(entitlement.policy),
        status: entitlement.status,
        firstPeriod: entitlement.firstPeriod,
        ...(entitlement.endedFrom ? { endedFrom: entitlement.endedFrom } : {}),
        ...(entitlement.reason ? { reason: entitlement.reason } : {}),
      })),
    ),
    balances: await Promise.all(
      ledgers.map(async ({ policyId, balance }) => ({
        policy: await label(
          refs.get(policyId) ??
            (await Grant.findOne({ subjectKey, 'policy.id': policyId }, { policy: 1 }).lean())?.policy ?? {
              id: policyId,
              version: 1,
            },
        ),
        ...balance,
      })),
    ),
  };
}
