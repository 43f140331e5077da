/**
 * Money to the bank and back, as records: the one export of each released batch (keyed by the
 * batch, so a re-export answers the same file: same MsgId, same IDs, same bytes), the files it
 * wrote, kept as they went out in chunks (the pain.001 file is what the bank was sent, so it is
 * stored, not regenerated from accounts that may have changed since), and the returns worklist:
 * one entry per line the bank did not pay, keyed by the line, until it is repaid or closed.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { BatchDebtor } from '../services/payroll/bank-files/batch.js';
import type { Text } from '../domain/sources.js';
import type { PolicyRef } from '../rules/types.js';
import { idFromKey } from './keyed.js';
import { insertNew } from './bulk.js';
import { postLedger } from './ledger.js';
import { returnedEntry } from '../domain/ledger.js';

/** The two files of an export. */
export type BankFileKind = 'pain001' | 'summary';
export const BANK_FILE_KINDS: readonly BankFileKind[] = ['pain001', 'summary'];

/** One export of a released batch. `writing` until both files are stored whole; then `complete`, for good. */
export interface BankExport {
  /** Equals `batchId`: one export per batch. */
  _id?: string;
  batchId: string;
  status: 'writing' | 'complete';
  /** GrpHdr/MsgId: the batch ID when it fits the message (35 of A-Z a-z 0-9 . : / -), else derived from it. */
  messageId: string;
  /** GrpHdr/CreDtTm as written (city time with offset): kept, so a file written again is the same file. */
  createdAtText: string;
  requestedExecutionDate: string;
  debtor: BatchDebtor;
  createdAt: Date;
  createdBy: string;
  createdById?: string;
  /** Transfers in the file and their sum in fen (GrpHdr NbOfTxs and CtrlSum). */
  count?: number;
  totalFen?: number;
  /** Lines put on the worklist instead (no usable account), and their fen. */
  withheld?: number;
  withheldFen?: number;
  /** SHA-256 (hex) and size in bytes of each file as stored. */
  sha256?: Partial<Record<BankFileKind, string>>;
  bytes?: Partial<Record<BankFileKind, number>>;
  chunks?: Partial<Record<BankFileKind, number>>;
  completedAt?: Date;
}

/** A piece of a stored file, in order (`seq`); the file is the chunks' texts joined. */
export interface BankFileChunk {
  /** `<batchId>:<file>:<seq, 6 digits>`. */
  _id: string;
  batchId: string;
  file: BankFileKind;
  seq: number;
  text: string;
}

export type PaymentReturnStatus = 'open' | 'repaid' | 'closed';

/** A line the bank did not pay (rejected, or withheld for want of a usable account), on the officers' worklist. */
export interface PaymentReturn {
  /** Equals `lineKey`. */
  _id?: string;
  lineKey: string;
  endToEndId: string;
  batchId: string;
  policy: PolicyRef;
  subjectKey: string;
  period: string;
  amountFen: number;
  reasonCode: string;
  reason: Text;
  /** The bank's own words, if it gave any. */
  detail?: string;
  /** Correcting the beneficiary's account fixes it: the next payroll of the policy repays it once the account is active. */
  fixable: boolean;
  /** How it got here: withheld at export, or rejected in the bank's answer. */
  origin: 'export' | 'bank';
  status: PaymentReturnStatus;
  /** The repayment line, and its batch. */
  repaidBy?: string;
  repaidIn?: string;
  createdAt: Date;
  repaidAt?: Date;
  /** Closed by an officer (not to be repaid: the beneficiary died, the claim lapsed…): who, when, why. */
  closedById?: string;
  closedAt?: Date;
  closeReason?: string;
}

const exportSchema = new Schema<BankExport>(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true },
    status: { type: String, required: true, enum: ['writing', 'complete'] },
    messageId: { type: String, required: true },
    createdAtText: { type: String, required: true },
    requestedExecutionDate: { type: String, required: true },
    debtor: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    createdById: String,
    count: Number,
    totalFen: Number,
    withheld: Number,
    withheldFen: Number,
    sha256: { type: Schema.Types.Mixed, default: undefined },
    bytes: { type: Schema.Types.Mixed, default: undefined },
    chunks: { type: Schema.Types.Mixed, default: undefined },
    completedAt: Date,
  },
  { collection: 'bank_exports', versionKey: false },
);
idFromKey(exportSchema, 'batchId');

const chunkSchema = new Schema<BankFileChunk>(
  {
    _id: { type: String, required: true },
    batchId: { type: String, required: true },
    file: { type: String, required: true, enum: ['pain001', 'summary'] },
    seq: { type: Number, required: true },
    text: { type: String, required: true },
  },
  { collection: 'bank_file_chunks', versionKey: false },
);

const returnSchema = new Schema<PaymentReturn>(
  {
    _id: { type: String, required: true },
    lineKey: { type: String, required: true },
    endToEndId: { type: String, required: true },
    batchId: { type: String, required: true },
    policy: { id: String, version: Number, hash: String },
    subjectKey: { type: String, required: true },
    period: { type: String, required: true },
    amountFen: { type: Number, required: true, validate: Number.isInteger },
    reasonCode: { type: String, required: true },
    reason: { zh: String, en: String },
    detail: String,
    fixable: { type: Boolean, required: true },
    origin: { type: String, required: true, enum: ['export', 'bank'] },
    status: { type: String, required: true, enum: ['open', 'repaid', 'closed'] },
    repaidBy: String,
    repaidIn: String,
    createdAt: { type: Date, required: true },
    repaidAt: Date,
    closedById: String,
    closedAt: Date,
    closeReason: String,
  },
  { collection: 'payment_returns', versionKey: false },
);
idFromKey(returnSchema, 'lineKey');
/** A policy's open entries, as the next payroll reads them. */
returnSchema.index({ 'policy.id': 1, status: 1 });

export interface BankFileModels {
  BankExport: Model<BankExport>;
  BankFileChunk: Model<BankFileChunk>;
  PaymentReturn: Model<PaymentReturn>;
}

export function registerBankFileModels(connection: Connection): BankFileModels {
  const get = <T>(name: string, schema: Schema<T>) =>
    (connection.models[name] as Model<T>) ?? connection.model<T>(name, schema);
  return {
    BankExport: get('BankExport', exportSchema),
    BankFileChunk: get('BankFileChunk', chunkSchema),
    PaymentReturn: get('PaymentReturn', returnSchema),
  };
}

/** The `_id` of a file's chunk: sorts in order as text. */
export const chunkId = (batchId: string, file: BankFileKind, seq: number): string =>
  `${batchId}:${file}:${String(seq).padStart(6, '0')}`;

/** A stored file's text, its `chunks` pieces in order (flat memory for a file of any size). */
export async function* storedFile(
  connection: Connection,
  batchId: string,
  file: BankFileKind,
  chunks: number,
): AsyncGenerator<string> {
  const { BankFileChunk } = registerBankFileModels(connection);
  for (let seq = 0; seq < chunks; seq++) {
    const chunk = await BankFileChunk.findById(chunkId(batchId, file, seq), { text: 1 }).lean();
    if (!chunk) throw new Error(`bank file ${file} of ${batchId}: chunk ${seq} of ${chunks} is missing`);
    yield chunk.text;
  }
}

/**
 * Puts a line the bank did not pay on the worklist — the entry once (keyed by the line), then what
 * it takes off the ledger: the amount that never reached the citizen (posted once, by the line).
 */
export async function putOnWorklist(connection: Connection, entry: PaymentReturn & { _id: string }): Promise<void> {
  await insertNew(registerBankFileModels(connection).PaymentReturn.collection, [entry]);
  if (entry.amountFen > 0)
    await postLedger(connection, [
      returnedEntry(
        { subjectKey: entry.subjectKey, policyId: entry.policy.id, period: entry.period, batchId: entry.batchId },
        entry.lineKey,
        entry.amountFen,
      ),
    ]);
}
