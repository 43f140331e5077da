/**
 * Verifies one audit stream's chain (store/audit-chain.ts) from the store alone, read-only, in
 * three passes that keep memory to a bit per entry:
 * 1. the blocks, by sequence (`_id` lookups): each one's digest and hash recomputed, its link to
 *    the block before, its place; a block altered, deleted or out of order is named here;
 * 2. every record of the stream, read once: re-hashed and compared with the entry its link
 *    (`_id` lookup) points at — content changed, or moved from another entry (reordered); a
 *    record no block lists was inserted out of band;
 * 3. the entries no record answered for: each listed record looked up — gone means deleted.
 * The break with the earliest position in the chain is reported (a record inserted out of band
 * has none, so it comes last). An anchor — a block's hash kept outside the database earlier —
 * must still be in the chain: that catches someone who rewrote every block, link and head.
 */
import type { Connection } from 'mongoose';
import { recordHash } from './audit-canonical.js';
import {
  BLOCKS,
  blockDigest,
  blockHash,
  blockId,
  GENESIS,
  HEADS,
  LINKS,
  linkId,
  mapLimit,
  type AuditBlock,
  type AuditHead,
  type AuditLink,
} from './audit-chain.js';
import { refKey, STREAM_SOURCES, type AuditStream, type RecordRef } from './audit-streams.js';

export type ChainBreakKind =
  | 'altered'
  | 'deleted'
  | 'reordered'
  | 'inserted'
  | 'block-altered'
  | 'block-deleted'
  | 'block-reordered'
  | 'anchor-mismatch';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The entry's position in the stream, counting from 1 over every block's list. */
  position?: number;
  /** The block (its sequence number) and the entry's place in its list, from 0. */
  block?: number;
  index?: number;
  /** The record's identity (refKey). */
  id?: string;
  message: string;
}

export interface StreamReport {
  stream: AuditStream;
  ok: boolean;
  blocks: number;
  entries: number;
  /** The last block: what to anchor outside the database. */
  tip: { seq: number; hash: string };
  /** Blocks after the head whose links a writer had not confirmed yet (finished by the next write). */
  pending: number;
  break?: ChainBreak;
}

export interface VerifyOptions {
  /** A block's hash recorded outside the database earlier: the chain must still hold it. */
  anchor?: { seq: number; hash: string };
  /** How long to wait before looking again at records found in no block (writes in flight), ms. */
  settleMs?: number;
}

/** Blocks looked at on either side of an entry whose content changed, to tell a reorder from an alteration. */
const REORDER_WINDOW = 4;
/** Sequence numbers probed past a missing block before the chain is taken to end there. */
const GAP_PROBE = 8;
/** Blocks kept in memory while the records are read (they are read in about the order they were chained). */
const CACHED_BLOCKS = 128;

/** Verifies one stream; see the module comment. Never writes. */
export async function verifyStream(
  connection: Connection,
  stream: AuditStream,
  options: VerifyOptions = {},
): Promise<StreamReport> {
  const report: StreamReport = { stream, ok: true, blocks: 0, entries: 0, tip: { seq: 0, hash: GENESIS }, pending: 0 };
  const chain = new Chain(connection, stream);
  const found =
    (await chain.walk(report, options.anchor)) ??
    (await chain.readRecords(options.settleMs ?? 2_000)) ??
    (await chain.unanswered());
  return found ? { ...report, ok: false, break: found } : report;
}

class Chain {
  /** Position (from 0) of each block's first entry, by sequence number; the last item is the total. */
  private readonly starts: number[] = [0, 0];
  /** One bit per entry: a record answered for it. */
  private seen = new Uint8Array(0);
  private head?: AuditHead | null;
  private readonly cache = new Map<number, AuditBlock | null>();
  /** Entries of blocks past the head, whose links may not be written yet: refKey → [seq, index]. */
  private readonly pending = new Map<string, [number, number]>();

  constructor(
    private readonly connection: Connection,
    private readonly stream: AuditStream,
  ) {}

  private get blocks() {
    return this.connection.db!.collection<AuditBlock>(BLOCKS);
  }

  private async block(seq: number): Promise<AuditBlock | null> {
    if (!this.cache.has(seq)) {
      if (this.cache.size >= CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(seq, await this.blocks.findOne({ _id: blockId(this.stream, seq) }));
    }
    return this.cache.get(seq)!;
  }

  private where(seq: number, index: number, ref: RecordRef) {
    const position = this.starts[seq] + index + 1;
    return {
      block: seq,
      index,
      position,
      id: refKey(ref),
      at: `entry ${position} (block #${seq}, item ${index}, ${refKey(ref)})`,
    };
  }

  /** Pass 1: the blocks. Fills the report's figures; returns the first break of a block, if any. */
  async walk(report: StreamReport, anchor: VerifyOptions['anchor']): Promise<ChainBreak | undefined> {
    const { stream } = this;
    this.head = await this.connection.db!.collection<AuditHead>(HEADS).findOne({ _id: stream });
    for (let seq = 1; ; seq++) {
      const block = await this.blocks.findOne({ _id: blockId(stream, seq) });
      const at = { block: seq, position: report.entries + 1 };
      if (!block) {
        let later: number | undefined;
        for (let probe = seq + 1; probe <= seq + GAP_PROBE && later === undefined; probe++)
          if (await this.blocks.findOne({ _id: blockId(stream, probe) }, { projection: { _id: 1 } })) later = probe;
        if (later === undefined && !(this.head && this.head.seq >= seq)) break;
        return {
          kind: 'block-deleted',
          ...at,
          message: `${stream}: block #${seq} is missing (deleted) although the chain goes on to #${later ?? this.head!.seq}`,
        };
      }
      if (block.stream !== stream || block.seq !== seq)
        return {
          kind: 'block-reordered',
          ...at,
          message: `${stream}: the block stored as #${seq} says it is ${block.stream} #${block.seq}: blocks were swapped or moved`,
        };
      if (block.prev !== report.tip.hash)
        return {
          kind: 'block-reordered',
          ...at,
          message: `${stream}: block #${seq} does not follow block #${seq - 1} (its previous-block hash differs): a block was replaced, inserted or reordered`,
        };
      const count = Array.isArray(block.ids) ? block.ids.length : -1;
      if (
        !Array.isArray(block.hashes) ||
        block.hashes.length !== count ||
        blockDigest(block.ids, block.hashes) !== block.digest ||
        blockHash({ ...block, count }) !== block.hash
      )
        return {
          kind: 'block-altered',
          ...at,
          message: `${stream}: block #${seq} was altered: its list of records or its fields no longer match its hash`,
        };
      if (anchor?.seq === seq && anchor.hash !== block.hash)
        return {
          kind: 'anchor-mismatch',
          block: seq,
          message: `${stream}: block #${seq} no longer has the hash anchored outside the database (${anchor.hash}): the chain was rewritten`,
        };
      if (this.head && seq > this.head.seq) {
        report.pending += 1;
        block.ids.forEach((ref, i) => this.pending.set(refKey(ref), [seq, i]));
      }
      report.blocks += 1;
      report.entries += count;
      report.tip = { seq, hash: block.hash };
      this.starts[seq + 1] = report.entries;
    }
    if (anchor && anchor.seq > report.tip.seq)
      return {
        kind: 'anchor-mismatch',
        block: anchor.seq,
        message: `${stream}: the chain ends at block #${report.tip.seq} but block #${anchor.seq} was anchored outside the database: blocks were deleted`,
      };
    this.seen = new Uint8Array(Math.ceil(report.entries / 8));
    return undefined;
  }

  private mark(seq: number, index: number): void {
    const position = this.starts[seq] + index;
    this.seen[position >> 3] |= 1 << (position & 7);
  }

  /** Where a content hash was chained among the blocks around `seq`, if anywhere. */
  private async locate(hash: string, seq: number): Promise<{ seq: number; index: number } | undefined> {
    for (let near = Math.max(1, seq - REORDER_WINDOW); near <= seq + REORDER_WINDOW; near++) {
      const block = near < this.starts.length - 1 ? await this.block(near) : null;
      const index = block?.hashes.indexOf(hash) ?? -1;
      if (index >= 0) return { seq: near, index };
    }
    return undefined;
  }

  /** Compares one record with the entry at (seq, index); a break when it does not match. */
  private async check(ref: RecordRef, hash: string, seq: number, index: number): Promise<ChainBreak | undefined> {
    const block = await this.block(seq);
    if (!block || seq >= this.starts.length - 1 || refKey(block.ids[index] ?? '') !== refKey(ref))
      return {
        kind: 'inserted',
        id: refKey(ref),
        message: `${this.stream}: record ${refKey(ref)} is not where its link says (block #${seq}, item ${index}): it was inserted out of band`,
      };
    this.mark(seq, index);
    if (block.hashes[index] === hash) return undefined;
    const here = this.where(seq, index, ref);
    const moved = await this.locate(hash, seq);
    if (moved) {
      const from = this.where(moved.seq, moved.index, ref);
      return {
        kind: 'reordered',
        ...here,
        message: `${this.stream}: ${here.at} holds the content chained as entry ${from.position} (block #${moved.seq}, item ${moved.index}): entries were swapped or reordered`,
      };
    }
    return {
      kind: 'altered',
      ...here,
      message: `${this.stream}: ${here.at} was altered: its content no longer matches its hash`,
    };
  }

  /** Pass 2: every record, re-hashed against the entry its link names. */
  async readRecords(settleMs: number): Promise<ChainBreak | undefined> {
    const links = this.connection.db!.collection<AuditLink>(LINKS);
    const breaks: ChainBreak[] = [];
    const unlinked: Array<{ ref: RecordRef; hash: string }> = [];
    const compare = async (batch: Array<{ ref: RecordRef; content: object }>) => {
      const found = await mapLimit(batch, 16, (record) =>
        links.findOne({ _id: linkId(this.stream, record.ref) }, { projection: { seq: 1, i: 1 } }),
      );
      for (let n = 0; n < batch.length && breaks.length < 1_000; n++) {
        const { ref, content } = batch[n];
        const hash = recordHash(this.stream, content);
        const at = found[n] ? [found[n]!.seq, found[n]!.i] : this.pending.get(refKey(ref));
        if (!at) unlinked.push({ ref, hash });
        else {
          const broken = await this.check(ref, hash, at[0], at[1]);
          if (broken) breaks.push(broken);
        }
      }
    };
    let batch: Array<{ ref: RecordRef; content: object }> = [];
    for await (const record of STREAM_SOURCES[this.stream].documents(this.connection)) {
      batch.push(record);
      if (batch.length === 256) {
        const full = batch;
        batch = [];
        await compare(full);
      }
    }
    await compare(batch);
    if (unlinked.length > 0 && breaks.length === 0) {
      // A write in flight chains its records within moments: look again before calling them inserted.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      for (const { ref, hash } of unlinked) {
        const link = await links.findOne({ _id: linkId(this.stream, ref) });
        const broken = link
          ? await this.check(ref, hash, link.seq, link.i)
          : {
              kind: 'inserted' as const,
              id: refKey(ref),
              message: `${this.stream}: record ${refKey(ref)} is in no block: it was inserted out of band (or written before the chain covered it: see applyfree audit adopt)`,
            };
        if (broken) breaks.push(broken);
      }
    }
    return earliest(breaks);
  }

  /** Pass 3: entries no record answered for — a record listed twice (a retried write), or a deleted one. */
  async unanswered(): Promise<ChainBreak | undefined> {
    const source = STREAM_SOURCES[this.stream];
    for (let seq = 1; seq < this.starts.length - 1; seq++) {
      const missing: number[] = [];
      for (let position = this.starts[seq]; position < this.starts[seq + 1]; position++)
        if (!(this.seen[position >> 3] & (1 << (position & 7)))) missing.push(position - this.starts[seq]);
      if (missing.length === 0) continue;
      const block = (await this.block(seq))!;
      const contents = await mapLimit(missing, 16, (index) => source.content(this.connection, block.ids[index]));
      for (let n = 0; n < missing.length; n++) {
        const here = this.where(seq, missing[n], block.ids[missing[n]]);
        if (!contents[n])
          return { kind: 'deleted', ...here, message: `${this.stream}: ${here.at} is missing: it was deleted` };
        if (recordHash(this.stream, contents[n]!) !== block.hashes[missing[n]])
          return {
            kind: 'altered',
            ...here,
            message: `${this.stream}: ${here.at} was altered: its content no longer matches its hash`,
          };
      }
    }
    return undefined;
  }
}

/** The break with the lowest position; one without a position (an insertion) only when there is no other. */
function earliest(breaks: ChainBreak[]): ChainBreak | undefined {
  return breaks.reduce<ChainBreak | undefined>(
    (best, next) => (!best || (next.position ?? Infinity) < (best.position ?? Infinity) ? next : best),
    undefined,
  );
}
