/**
 * What the bank export streams and stores: a released batch's transfer lines page by page (keys
 * first, then pages by key: no cursor held open across the account reads in between), and a file
 * written in keyed chunks with its SHA-256 and size, so a file of any size is written and served
 * in flat memory.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { chunkId, registerBankFileModels, type BankFileKind } from '../../store/bank-files.js';
import { paymentLineKeys, registerPayrollModels, type PaymentLine } from '../../store/payroll.js';

/** Lines per page when streaming a batch's lines. */
export const PAGE = 500;
/** Characters per stored chunk. */
const CHUNK_CHARS = 256 * 1024;

/**
 * The released payment lines of a batch that are transfers (more than 0 fen), in key order, page by
 * page: their keys first, then each page's lines by key, with the filter again (no cursor held open
 * across the reads and writes in between; store/payroll.ts paymentLineKeys).
 */
export async function* transferLines(
  store: Connection,
  batchId: string,
  extra: Record<string, unknown> = {},
): AsyncGenerator<PaymentLine> {
  const { PaymentLine } = registerPayrollModels(store);
  const filter = { batchId, kind: 'payment' as const, status: 'released' as const, amountFen: { $gt: 0 }, ...extra };
  const keys = await paymentLineKeys(store, filter);
  for (let from = 0; from < keys.length; from += PAGE) {
    const page = await PaymentLine.find({ ...filter, _id: { $in: keys.slice(from, from + PAGE) } }).lean();
    yield* page.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** Collects a file's pieces into chunks, stores each (keyed, so writing the file again overwrites it) and hashes the bytes. */
export class ChunkWriter {
  private pending = '';
  private seq = 0;
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly store: Connection,
    private readonly batchId: string,
    private readonly file: BankFileKind,
  ) {}

  async write(piece: string): Promise<void> {
    this.pending += piece;
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.hash.update(text, 'utf8');
    this.bytes += Buffer.byteLength(text, 'utf8');
    const { BankFileChunk } = registerBankFileModels(this.store);
    const _id = chunkId(this.batchId, this.file, this.seq);
    await BankFileChunk.updateOne(
      { _id },
      { $set: { batchId: this.batchId, file: this.file, seq: this.seq, text } },
      { upsert: true },
    );
    this.seq += 1;
  }

  async close(): Promise<{ sha256: string; bytes: number; chunks: number }> {
    await this.flush();
    return { sha256: this.hash.digest('hex'), bytes: this.bytes, chunks: this.seq };
  }
}
