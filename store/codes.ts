/**
 * The codes' server side (domain/codes.ts): `codes` binds each code ID to its holder (the
 * pseudonymous subject key, never a resident ID or credit code), what it shows and when it
 * expires — deleted a day after by the retention purge (FerretDB 1.24 has no TTL index); and
 * `code_scans` holds one record per code scanned, keyed by the code ID, so the keyed insert is what
 * makes a code single-use: a second scan, even at the same instant, fails on the unique `_id`
 * (no transaction, no guarded update: FerretDB's are not atomic, store/step-claims.ts). A scan
 * record is the holder's access record too — which verifier, for which matter, saw what, when —
 * hash-chained (stream `code_scans`) before anything is revealed, and shown in "who used my data".
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { CodeShows } from '../domain/codes.js';
import type { Text } from '../domain/sources.js';
import { chainStored } from './audit-chain.js';
import { buildIndexes } from './indexes.js';

export interface CodeRecord {
  /** The code ID (random; what the token carries). */
  _id: string;
  holder: { subjectKey: string; kind: 'person' | 'enterprise'; userId: string };
  shows: CodeShows;
  createdAt: Date;
  expiresAt: Date;
}

/** What a scan revealed, as the holder's access list shows it (never a field's value). */
export interface ScanShown {
  kind: 'certificate' | 'claim';
  certificateType: string;
  /** The certificate shown, by its number (opaque). */
  certificateId?: string;
  claim?: string;
  /** The claim's answer. */
  answer?: boolean;
  /** The certificate's status at the scan: valid, or why not. */
  valid?: boolean;
}

export interface CodeScanRecord {
  /** The code ID: one scan per code. */
  _id: string;
  holderSubjectKey: string;
  verifier: { id: string; name: Text; kind: string; department?: string; keyId: string };
  matter: string;
  shown: ScanShown;
  at: Date;
}

const codeSchema = new Schema<CodeRecord>(
  {
    _id: { type: String, required: true },
    holder: {
      subjectKey: { type: String, required: true },
      kind: { type: String, required: true, enum: ['person', 'enterprise'] },
      userId: { type: String, required: true },
    },
    shows: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'codes', versionKey: false },
);

const scanSchema = new Schema<CodeScanRecord>(
  {
    _id: { type: String, required: true },
    holderSubjectKey: { type: String, required: true },
    verifier: {
      id: { type: String, required: true },
      name: { zh: { type: String, required: true }, en: { type: String, required: true } },
      kind: { type: String, required: true },
      department: { type: String },
      keyId: { type: String, required: true },
    },
    matter: { type: String, required: true },
    shown: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'code_scans', versionKey: false, minimize: false },
);
/** The holder's "who used my data", newest first. */
scanSchema.index({ holderSubjectKey: 1, at: -1 });

export function registerCodeModels(connection: Connection) {
  return {
    Code: (connection.models.Code as Model<CodeRecord>) ?? connection.model('Code', codeSchema),
    CodeScan: (connection.models.CodeScan as Model<CodeScanRecord>) ?? connection.model('CodeScan', scanSchema),
  };
}

/** Creates the collections and the indexes the server can use (store/indexes.ts). */
export async function buildCodeIndexes(connection: Connection): Promise<void> {
  const { Code, CodeScan } = registerCodeModels(connection);
  await Promise.all([buildIndexes(Code), buildIndexes(CodeScan)]);
}

/** Stores a new code's binding (a fresh random ID: never written twice). */
export async function storeCode(connection: Connection, record: CodeRecord): Promise<void> {
  await registerCodeModels(connection).Code.create(record);
}

/** A code's binding by ID (one `_id` read), or undefined. */
export async function findCode(connection: Connection, codeId: string): Promise<CodeRecord | undefined> {
  return (await registerCodeModels(connection).Code.findById(codeId).lean()) ?? undefined;
}

/** Whether the code was scanned already (one `_id` read): a replay is told apart from an expiry. */
export async function wasScanned(connection: Connection, codeId: string): Promise<boolean> {
  return (await registerCodeModels(connection).CodeScan.exists({ _id: codeId })) !== null;
}

/**
 * Records the scan of a code: the keyed insert that spends it, then its chain entry. False when
 * the code was scanned already (the unique `_id`: whoever inserted first has it); throws when the
 * record or its chain entry could not be written — then nothing may be revealed.
 */
export async function recordScan(connection: Connection, record: CodeScanRecord): Promise<boolean> {
  try {
    await registerCodeModels(connection).CodeScan.create(record);
  } catch (error) {
    if ((error as { code?: unknown }).code === 11000) return false;
    throw error;
  }
  await chainStored(connection, 'code_scans', [record._id], { fresh: true });
  return true;
}

/** The holder's scans, newest first, at most `limit`. */
export async function scansOfHolder(connection: Connection, subjectKey: string, limit: number) {
  return registerCodeModels(connection)
    .CodeScan.find({ holderSubjectKey: subjectKey })
    .sort({ at: -1 })
    .limit(limit)
    .lean();
}
