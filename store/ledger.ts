/**
 * The ledger's lines (ledger_lines): one collection for every benefit's money, keyed by the
 * movement (domain/ledger.ts builds the keys from the source record's), so a retried activity, a
 * repeated release or a second import posts nothing twice. Balances are always summed from the
 * lines — per subject and policy, per policy and period, for the programme — never carried.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { yuanToFen } from '../domain/entitlements.js';
import {
  balanceOf,
  grantEntry,
  ledgerRef,
  LEDGER_KINDS,
  type LedgerBalance,
  type LedgerEntry,
  type LedgerKind,
} from '../domain/ledger.js';
import { insertNew } from './bulk.js';
import { idFromKey } from './keyed.js';

export interface LedgerLine extends LedgerEntry {
  /** Equals `key`. */
  _id?: string;
  /** ledgerRef(policyId, subjectKey): how staff name one subject's ledger of a policy. */
  ref: string;
  postedAt: Date;
}

const schema = new Schema<LedgerLine>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    ref: { type: String, required: true },
    subjectKey: { type: String, required: true },
    policyId: { type: String, required: true },
    period: { type: String, required: true },
    kind: { type: String, required: true, enum: LEDGER_KINDS },
    account: { type: String, required: true, enum: ['paid', 'owed'] },
    amountFen: { type: Number, required: true, validate: Number.isSafeInteger },
    source: { type: String, required: true },
    batchId: String,
    postedAt: { type: Date, required: true },
  },
  { collection: 'ledger_lines', versionKey: false },
);
schema.index({ key: 1 }, { unique: true });
/** A subject's ledger (the citizen's view); a policy's programme (index searches where the server uses them: store/indexes.ts). */
schema.index({ subjectKey: 1, policyId: 1 });
schema.index({ ref: 1 });
schema.index({ policyId: 1, period: 1 });
idFromKey(schema, 'key');

export function registerLedgerModel(connection: Connection): Model<LedgerLine> {
  return (connection.models.LedgerLine as Model<LedgerLine>) ?? connection.model<LedgerLine>('LedgerLine', schema);
}

/** Posts entries; one already posted (the same key) is left as it is. Returns the keys written now. */
export async function postLedger(store: Connection, entries: readonly LedgerEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const postedAt = new Date();
  const { inserted } = await insertNew(
    registerLedgerModel(store).collection,
    entries.map((entry) => ({
      _id: entry.key,
      ...entry,
      ref: ledgerRef(entry.policyId, entry.subjectKey),
      postedAt,
    })),
  );
  return inserted;
}

/**
 * Posts grants as paid (arrears after an objection as arrears): a grant without an amount, or of a
 * benefit in kind, moves no money and posts nothing.
 */
export async function postGrants(
  store: Connection,
  grants: ReadonlyArray<{
    key: string;
    subjectKey: string;
    policy: { id: string };
    period: string;
    amount?: number;
    basis: string;
  }>,
): Promise<void> {
  await postLedger(
    store,
    grants
      .filter((grant) => grant.amount !== undefined && grant.amount > 0)
      .map((grant) =>
        grantEntry(
          { subjectKey: grant.subjectKey, policyId: grant.policy.id, period: grant.period },
          grant.key,
          yuanToFen(grant.amount!),
          grant.basis === 'objection-arrears',
        ),
      ),
  );
}

/** What each of `subjectKeys` owes back on `policyId`, summed from the lines (only those owing appear). */
export async function owedBySubject(
  store: Connection,
  policyId: string,
  subjectKeys: readonly string[],
): Promise<Map<string, number>> {
  const owed = new Map<string, number>();
  if (subjectKeys.length === 0) return owed;
  const lines = await registerLedgerModel(store)
    .find({ subjectKey: { $in: subjectKeys }, policyId, account: 'owed' }, { subjectKey: 1, amountFen: 1 })
    .lean();
  for (const line of lines) owed.set(line.subjectKey, (owed.get(line.subjectKey) ?? 0) + line.amountFen);
  for (const [subjectKey, fen] of owed) if (fen <= 0) owed.delete(subjectKey);
  return owed;
}

/** One subject's balance per policy, and its lines, oldest first. */
export async function subjectLedger(
  store: Connection,
  subjectKey: string,
): Promise<Array<{ policyId: string; balance: LedgerBalance; lines: LedgerLine[] }>> {
  const lines = await registerLedgerModel(store).find({ subjectKey }).sort({ period: 1, postedAt: 1, _id: 1 }).lean();
  const byPolicy = new Map<string, LedgerLine[]>();
  for (const line of lines) byPolicy.set(line.policyId, [...(byPolicy.get(line.policyId) ?? []), line]);
  return [...byPolicy].map(([policyId, own]) => ({ policyId, balance: balanceOf(own), lines: own }));
}

/** A policy and period of the programme: what was paid, returned, recovered and is still owed. */
export interface ProgrammeRow extends LedgerBalance {
  policyId: string;
  period: string;
  /** Payroll payments and grants posted (lines, and their gross fen). */
  lines: number;
  grossFen: number;
  /** Lines the bank returned, and their fen. */
  rejectedLines: number;
  rejectedFen: number;
  /** Over-payments raised, and what was taken back (withheld or collected). */
  recoveryFen: number;
  recoveredFen: number;
}

export type ProgrammeSums = Omit<ProgrammeRow, 'policyId' | 'period'>;

const zeroSums = (): ProgrammeSums => ({
  lines: 0,
  grossFen: 0,
  rejectedLines: 0,
  rejectedFen: 0,
  recoveryFen: 0,
  recoveredFen: 0,
  paidFen: 0,
  owedFen: 0,
  netFen: 0,
});

/** The sums of rows: the totals of a programme, or of a policy. */
export function sumRows(rows: readonly ProgrammeRow[]): ProgrammeSums {
  const totals = zeroSums();
  for (const row of rows)
    for (const field of Object.keys(totals) as Array<keyof ProgrammeSums>) totals[field] += row[field];
  return totals;
}

const PAID_OUT: ReadonlySet<LedgerKind> = new Set(['grant', 'arrears', 'payment', 'repayment']);

/**
 * The programme ledger per policy and period, from the lines (streamed: a programme of millions
 * is read once, in key order, and only the per-period sums are kept).
 */
export async function programmeLedger(
  store: Connection,
  filter: { policyId?: string; from?: string; to?: string } = {},
): Promise<ProgrammeRow[]> {
  const query: Record<string, unknown> = {};
  if (filter.policyId) query.policyId = filter.policyId;
  if (filter.from || filter.to)
    query.period = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
  const rows = new Map<string, ProgrammeRow>();
  const cursor = registerLedgerModel(store)
    .find(query, { policyId: 1, period: 1, kind: 1, account: 1, amountFen: 1 })
    .lean()
    .cursor({ batchSize: 5_000 });
  for await (const line of cursor) {
    const id = `${line.policyId}\u0000${line.period}`;
    let row = rows.get(id);
    if (!row) {
      row = { policyId: line.policyId, period: line.period, ...zeroSums() };
      rows.set(id, row);
    }
    if (line.account === 'paid') row.paidFen += line.amountFen;
    else row.owedFen += line.amountFen;
    row.netFen = row.paidFen - row.owedFen;
    if (PAID_OUT.has(line.kind)) {
      row.lines += 1;
      row.grossFen += line.amountFen;
    } else if (line.kind === 'returned') {
      row.rejectedLines += 1;
      row.rejectedFen -= line.amountFen;
    } else if (line.kind === 'recovery') row.recoveryFen += line.amountFen;
    else if (line.account === 'owed') row.recoveredFen -= line.amountFen;
  }
  return [...rows.values()].sort((a, b) => a.policyId.localeCompare(b.policyId) || a.period.localeCompare(b.period));
}
