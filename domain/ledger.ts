/**
 * The ledger (台账), pure: every movement of a benefit's money becomes lines of one ledger per
 * subject and policy, on two accounts. `paid` is money that reached the citizen (a grant, a
 * payroll payment, arrears after an objection, a repayment; less what the bank returned, what was
 * withheld against a debt, and what was collected back). `owed` is money the citizen owes back (a
 * recovery after a death, a move-out, an objection or a false pledge; less what was withheld or
 * collected). What the subject keeps is `paid − owed`: the sum of what each period was due.
 * A withholding (netting) or a collection writes one line on each account, so both move together.
 * Amounts are integer fen, signed; keys are built from the source record's key, so posting the
 * same movement twice writes it once.
 */
import { createHash } from 'node:crypto';

/** Money to the citizen, or money the citizen owes back. */
export type LedgerAccount = 'paid' | 'owed';

/**
 * grant: the grant of a period (a case's decision); arrears: a top-up after an objection;
 * payment: a released payroll line (gross); repayment: a line paid again after the bank rejected
 * it; returned: what the bank rejected; recovery: an over-payment to take back; netting: withheld
 * from a payment against what is owed; collected: paid back by the citizen.
 */
export type LedgerKind =
  'grant' | 'arrears' | 'payment' | 'repayment' | 'returned' | 'recovery' | 'netting' | 'collected';

export const LEDGER_KINDS: readonly LedgerKind[] = [
  'grant',
  'arrears',
  'payment',
  'repayment',
  'returned',
  'recovery',
  'netting',
  'collected',
];

/** How a policy takes back an over-payment: from its later payments, or by a collection list. */
export type RecoveryMethod = 'netting' | 'collection';

/** One line. `amountFen` is signed: positive adds to the account, negative takes from it. */
export interface LedgerEntry {
  key: string;
  subjectKey: string;
  policyId: string;
  /** The period the money is for (YYYY-MM, YYYY, or the grant's period). */
  period: string;
  kind: LedgerKind;
  account: LedgerAccount;
  amountFen: number;
  /** The record it was posted from: a grant, a payment line, a recovery… */
  source: string;
  /** The payment batch, for payroll lines. */
  batchId?: string;
}

/** The balance of a set of lines: what reached the citizen, what is owed back, what they keep. */
export interface LedgerBalance {
  paidFen: number;
  owedFen: number;
  netFen: number;
}

const positiveFen = (field: string, fen: number) => {
  if (!Number.isSafeInteger(fen) || fen <= 0)
    throw new RangeError(`${field}: ${fen} is not a positive whole number of fen`);
  return fen;
};

type Base = Pick<LedgerEntry, 'subjectKey' | 'policyId' | 'period'> & { batchId?: string };

/** A grant (or arrears) of `amountFen`, paid when it was recorded. */
export function grantEntry(base: Base, grantKey: string, amountFen: number, arrears = false): LedgerEntry {
  const kind = arrears ? 'arrears' : 'grant';
  return {
    ...base,
    key: `${kind}:${grantKey}`,
    kind,
    account: 'paid',
    amountFen: positiveFen('amountFen', amountFen),
    source: grantKey,
  };
}

/**
 * A released payroll line: the period's gross amount paid, and — when part of it was withheld
 * against a debt — the withholding on both accounts. A repayment line is posted as a repayment.
 */
export function paymentEntries(
  base: Base,
  lineKey: string,
  line: { grossFen: number; nettedFen?: number; repays?: string },
): LedgerEntry[] {
  const kind = line.repays ? 'repayment' : 'payment';
  const entries: LedgerEntry[] = [
    {
      ...base,
      key: `${kind}:${lineKey}`,
      kind,
      account: 'paid',
      amountFen: positiveFen('grossFen', line.grossFen),
      source: lineKey,
    },
  ];
  if (line.nettedFen) entries.push(...settlementEntries(base, 'netting', lineKey, line.nettedFen));
  return entries;
}

/** What the bank rejected of a released line: taken off what reached the citizen. */
export function returnedEntry(base: Base, lineKey: string, amountFen: number): LedgerEntry {
  return {
    ...base,
    key: `returned:${lineKey}`,
    kind: 'returned',
    account: 'paid',
    amountFen: -positiveFen('amountFen', amountFen),
    source: lineKey,
  };
}

/** An over-payment the citizen owes back. */
export function recoveryEntry(base: Base, recoveryKey: string, amountFen: number): LedgerEntry {
  return {
    ...base,
    key: `recovery:${recoveryKey}`,
    kind: 'recovery',
    account: 'owed',
    amountFen: positiveFen('amountFen', amountFen),
    source: recoveryKey,
  };
}

/** A withholding or a collection of `amountFen`: less owed, and less that reached the citizen. */
export function settlementEntries(
  base: Base,
  kind: 'netting' | 'collected',
  source: string,
  amountFen: number,
): LedgerEntry[] {
  const fen = positiveFen('amountFen', amountFen);
  return (['paid', 'owed'] as const).map((account) => ({
    ...base,
    key: `${kind}:${account}:${source}`,
    kind,
    account,
    amountFen: -fen,
    source,
  }));
}

/** The balance of lines (any set: a subject's, a policy's, the programme's). */
export function balanceOf(entries: Iterable<Pick<LedgerEntry, 'account' | 'amountFen'>>): LedgerBalance {
  let paidFen = 0;
  let owedFen = 0;
  for (const entry of entries) {
    if (entry.account === 'paid') paidFen += entry.amountFen;
    else owedFen += entry.amountFen;
  }
  return { paidFen, owedFen, netFen: paidFen - owedFen };
}

/** What a payment of `grossFen` withholds against `owedFen` when the policy nets: never more than either. */
export function withholding(method: RecoveryMethod, owedFen: number, grossFen: number): number {
  if (method !== 'netting' || owedFen <= 0 || grossFen <= 0) return 0;
  return Math.min(owedFen, grossFen);
}

/** A policy's recovery method: as it says, else netting for a benefit paid by the month or year, collection for one paid once. */
export function recoveryMethodOf(policy: {
  period: string;
  benefit: { kind: string; recoveredBy?: RecoveryMethod };
}): RecoveryMethod {
  if (policy.benefit.kind === 'cash' && policy.benefit.recoveredBy) return policy.benefit.recoveredBy;
  return policy.period === 'once' ? 'collection' : 'netting';
}

/**
 * The reference staff use for one subject's ledger of one policy (a collection list's line): a
 * hash of the pair, so neither a subject key nor an ID number leaves the ledger.
 */
export function ledgerRef(policyId: string, subjectKey: string): string {
  return `LG${createHash('sha256').update(`${policyId}:${subjectKey}`, 'utf8').digest('hex').slice(0, 24).toUpperCase()}`;
}
