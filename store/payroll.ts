/**
 * The payroll's records (按月发放): payment lines, one per entitlement and period, keyed
 * `<policyId>:<subjectKey>:<period>` (a recovery line `…:recovery`), so a retried slice, a killed
 * worker or a restarted server writes each at most once; and payment batches, one per policy and
 * period, keyed by the payroll workflow's ID. Amounts are integer fen. A batch's counts and total
 * are computed from its lines, never added up along the way, so the batch balances to the fen.
 */
import { Schema, type Connection, type Model, type QueryFilter } from 'mongoose';
import type { Text } from '../domain/sources.js';
import type { PolicyRef } from '../rules/types.js';
import { idFromKey } from './keyed.js';

/** pending: in a batch under preview; released: paid out in a released batch; removed: taken out before release (a stop). */
export type PaymentLineStatus = 'pending' | 'released' | 'removed';
/** A recovery line stays `due`; what is still owed is the ledger's (store/ledger.ts), which nets or collects it. */
export type RecoveryLineStatus = 'due';

/**
 * What became of a released line at the bank: withheld (no usable account: straight onto the
 * returns worklist, never in a file), sent in the batch's pain.001 file, then pending, accepted or
 * rejected as the bank's answer says (services/payroll/bank-export.ts, bank-returns.ts).
 */
export type BankLineStatus = 'withheld' | 'sent' | 'pending' | 'accepted' | 'rejected';

export interface PaymentLineBank {
  /** The line's ID in the bank files (endToEndIdFor(key)): pseudonymous, the same on every export. */
  endToEndId: string;
  status: BankLineStatus;
  /** Why it was withheld or rejected: the reason code, its text, the bank's own words if any. */
  reason?: { code: string; text: Text; detail?: string };
  answeredAt?: Date;
}

export interface PaymentLine {
  /** Equals `key`. */
  _id?: string;
  key: string;
  kind: 'payment' | 'recovery';
  /** The batch a payment is in; a recovery names the batch that paid what it recovers. */
  batchId: string;
  policy: PolicyRef;
  subjectKey: string;
  period: string;
  /** Integer fen; negative for a recovery. A payment's is what the bank transfers: the period's amount less any withholding. */
  amountFen: number;
  /** A payment part of which is withheld against what the subject owes (domain/ledger.ts): the period's whole amount, and the part withheld. */
  grossFen?: number;
  nettedFen?: number;
  status: PaymentLineStatus | RecoveryLineStatus;
  /** Why this amount: the as-of date and each condition's result (masked values), from the re-check. */
  basis?: { asOf: string; conditions: Array<{ name?: string; fact: string; result: boolean | 'unknown' }> };
  /** A recovery: the payment it takes back, and why. */
  recovers?: string;
  reason?: Text;
  /** A repayment: the key of the line whose payment the bank rejected (or that had no usable account), paid again here. */
  repays?: string;
  /** Once the batch is exported: the line's end-to-end ID and what the bank made of it. */
  bank?: PaymentLineBank;
  createdAt: Date;
  releasedAt?: Date;
  removedAt?: Date;
}

/** Changes against the period before: what a reviewer checks before release. */
export interface PayrollCounts {
  /** Payment lines in the batch (removed ones not counted). */
  lines: number;
  /** Paid this period but not the one before. */
  new: number;
  /** Paid both periods, a different amount (an age band crossed). */
  amountChanged: number;
  /** Entitlements this payroll ended or suspended. */
  ended: number;
  suspended: number;
  /** Lines taken out before release (a death or move-out accepted meanwhile). */
  removed: number;
  /** Lines part or all of which is withheld against what the subject owes back. */
  netted: number;
}

export type PaymentBatchStatus = 'running' | 'preview' | 'released';

export interface PaymentBatch {
  /** Equals `key`: the payroll workflow's ID, `payroll:<policyId>:<period>`. */
  _id?: string;
  key: string;
  policy: PolicyRef;
  period: string;
  asOf: string;
  status: PaymentBatchStatus;
  counts: PayrollCounts;
  /** Integer fen: the sum of the batch's payment lines (what the bank transfers), recomputed at preview and release. */
  totalFen: number;
  /** Integer fen withheld from the batch's lines against what their subjects owe back (absent: none). */
  withheldFen?: number;
  /** Who started the payroll (a user ID, or "schedule"); a release needs someone else. */
  startedBy: string;
  startedById?: string;
  startedAt: Date;
  previewedAt?: Date;
  releasedBy?: string;
  releasedById?: string;
  releasedAt?: Date;
}

const ref = { id: String, version: Number, hash: String };
const text = { zh: String, en: String };

const lineSchema = new Schema<PaymentLine>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    kind: { type: String, required: true, enum: ['payment', 'recovery'] },
    batchId: { type: String, required: true },
    policy: ref,
    subjectKey: { type: String, required: true },
    period: { type: String, required: true },
    amountFen: { type: Number, required: true, validate: Number.isInteger },
    grossFen: { type: Number, validate: Number.isInteger },
    nettedFen: { type: Number, validate: Number.isInteger },
    status: { type: String, required: true, enum: ['pending', 'released', 'removed', 'due'] },
    basis: { type: Schema.Types.Mixed, default: undefined },
    recovers: String,
    reason: { type: text, default: undefined },
    repays: String,
    bank: { type: Schema.Types.Mixed, default: undefined },
    createdAt: { type: Date, required: true },
    releasedAt: Date,
    removedAt: Date,
  },
  { collection: 'payment_lines', versionKey: false },
);
lineSchema.index({ key: 1 }, { unique: true });
/** A batch's lines; a citizen's payments (index searches on MongoDB and the embedded FerretDB). */
lineSchema.index({ batchId: 1 });
lineSchema.index({ subjectKey: 1, period: 1 });
idFromKey(lineSchema, 'key');

const counts = {
  lines: Number,
  new: Number,
  amountChanged: Number,
  ended: Number,
  suspended: Number,
  removed: Number,
  netted: Number,
};

const batchSchema = new Schema<PaymentBatch>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    policy: ref,
    period: { type: String, required: true },
    asOf: { type: String, required: true },
    status: { type: String, required: true, enum: ['running', 'preview', 'released'] },
    counts,
    totalFen: { type: Number, required: true, validate: Number.isInteger },
    withheldFen: { type: Number, validate: Number.isInteger },
    startedBy: { type: String, required: true },
    startedById: String,
    startedAt: { type: Date, required: true },
    previewedAt: Date,
    releasedBy: String,
    releasedById: String,
    releasedAt: Date,
  },
  { collection: 'payment_batches', versionKey: false },
);
batchSchema.index({ key: 1 }, { unique: true });
idFromKey(batchSchema, 'key');

export interface PayrollModels {
  PaymentLine: Model<PaymentLine>;
  PaymentBatch: Model<PaymentBatch>;
}

export function registerPayrollModels(connection: Connection): PayrollModels {
  const get = <T>(name: string, schema: Schema<T>) =>
    (connection.models[name] as Model<T>) ?? connection.model<T>(name, schema);
  return {
    PaymentLine: get('PaymentLine', lineSchema),
    PaymentBatch: get('PaymentBatch', batchSchema),
  };
}

/**
 * The keys of the payment lines that match `filter`, in key order, read to their end before the
 * caller reads or writes the lines a chunk of keys at a time. A cursor held open while writing
 * keeps the embedded FerretDB's SQLite from checkpointing its write-ahead log, and every write
 * slows as it grows (docs/FERRETDB.md); a page query with a batch filter beside an `_id` bound is
 * answered there from the batch's index and sorted again for every page. The keys of a batch of
 * 200,000 lines take about 12 MB.
 */
export async function paymentLineKeys(connection: Connection, filter: QueryFilter<PaymentLine>): Promise<string[]> {
  const { PaymentLine } = registerPayrollModels(connection);
  return (await PaymentLine.find(filter, { _id: 1 }).lean()).map((line) => line._id as string).sort();
}

/** The business key of a payment line: one per policy, subject and period. */
export function paymentLineKey(policyId: string, subjectKey: string, period: string): string {
  return `${policyId}:${subjectKey}:${period}`;
}

/** The business key of the recovery of a period's payment. */
export function recoveryLineKey(policyId: string, subjectKey: string, period: string): string {
  return `${paymentLineKey(policyId, subjectKey, period)}:recovery`;
}

/** The period's whole amount of a payment line, before any withholding. */
export const grossOf = (line: Pick<PaymentLine, 'amountFen' | 'grossFen'>): number => line.grossFen ?? line.amountFen;
/** The business key of the repayment, in a later batch, of a line the bank did not pay: once per line. */
export function repaymentLineKey(originalLineKey: string): string {
  return `${originalLineKey}:repay`;
}

/** The zero counts of a batch just started. */
export const ZERO_PAYROLL_COUNTS: Readonly<PayrollCounts> = {
  lines: 0,
  new: 0,
  amountChanged: 0,
  ended: 0,
  suspended: 0,
  removed: 0,
  netted: 0,
};
