/**
 * Hash-chained audit streams (S13): access records, programme-level reads, staff case reads,
 * unmasks, data corrections, policy history and objection steps cannot be quietly changed.
 *
 * Each stream is a chain of blocks in `audit_blocks`, `_id` `<stream>#<seq>`. A block lists the
 * records one write (or several writes of one process at once) added — their identities and the
 * sha256 of each one's canonical content (store/audit-canonical.ts) — with a digest over that
 * list, the previous block's hash and its own hash over all of it. A single write is a block of
 * one; a sweep's bulk write of thousands of access records is one block, so the bulk path stays
 * one insert of records, one of the block and one of links.
 *
 * Concurrency without transactions: the block's unique `_id` is the compare-and-set. A writer
 * inserts block `seq + 1` after the tip it knows; on a duplicate another writer got there first,
 * so it reads forward by `_id` to the new tip and tries again. Within a process, writes to one
 * stream are queued and those waiting are appended together as one block.
 *
 * Idempotency: `audit_links` holds one small document per chained record (`<stream>|<identity>`
 * → block and position), written after its block. A retried write that finds its records already
 * stored chains only those without a link (a crash between storing a record and chaining it is
 * finished by the retry); a record that ends up in two blocks (two attempts racing) is listed
 * twice with the same hash, which the verifier accepts. The head (`audit_heads`, `_id` the
 * stream) names the last block whose links are all written and is advanced one block at a time;
 * a writer finding blocks beyond it writes their links and moves it on, so a crash between a
 * block and its links or the head is repaired by the next writer.
 *
 * Plain SHA-256, no key: the verifier needs no secret (auditors verify from a read-only copy),
 * and a key in the same processes that hold the database credential would not stop the person a
 * MAC is meant to stop. What stops someone who rewrites every block is anchoring: the heads'
 * hashes copied outside the database (`applyfree audit verify --json`, README "Audit").
 */
import type { Connection, mongo } from 'mongoose';
import { recordHash, canonicalRecord, sha256 } from './audit-canonical.js';
import { contentOfDocument, refKey, STREAM_SOURCES, type AuditStream, type RecordRef } from './audit-streams.js';
import { insertNew } from './bulk.js';

export const BLOCKS = 'audit_blocks';
export const HEADS = 'audit_heads';
export const LINKS = 'audit_links';
/** The `prev` of a stream's first block. */
export const GENESIS = '0'.repeat(64);
/** Entries per block at most: a larger write is chained as several blocks (a block stays well under 16 MB). */
export const MAX_BLOCK_ENTRIES = 5_000;

export interface AuditBlock {
  /** `<stream>#<seq>`. */
  _id: string;
  stream: AuditStream;
  /** 1, 2, 3… with no gap. */
  seq: number;
  /** The previous block's hash (GENESIS for the first). */
  prev: string;
  at: Date;
  /** The records chained, and the sha256 of each one's canonical content, position by position. */
  ids: RecordRef[];
  hashes: string[];
  /** sha256 over the canonical list of [identity, hash] pairs. */
  digest: string;
  /** sha256 over stream, seq, prev, at, the count and the digest: what the next block carries. */
  hash: string;
}

export interface AuditHead {
  _id: AuditStream;
  seq: number;
  hash: string;
  at: Date;
}

export interface AuditLink {
  /** `<stream>|<identity>` (refKey). */
  _id: string;
  seq: number;
  /** Position in the block's list. */
  i: number;
}

/** One record to chain: its identity and content hash. */
export interface ChainEntry {
  id: RecordRef;
  hash: string;
}

export const blockId = (stream: string, seq: number) => `${stream}#${seq}`;
export const linkId = (stream: string, ref: RecordRef) => `${stream}|${refKey(ref)}`;

export function blockDigest(ids: readonly RecordRef[], hashes: readonly string[]): string {
  return sha256(canonicalRecord(ids.map((id, i) => [id, hashes[i]])));
}

export function blockHash(block: Pick<AuditBlock, 'stream' | 'seq' | 'prev' | 'at' | 'digest'> & { count: number }) {
  const { stream, seq, prev, at, digest, count } = block;
  return sha256(canonicalRecord({ stream, seq, prev, at, count, digest }));
}

const collections = (connection: Connection) => ({
  blocks: connection.db!.collection<AuditBlock>(BLOCKS),
  heads: connection.db!.collection<AuditHead>(HEADS),
  links: connection.db!.collection<AuditLink>(LINKS),
});

const isDuplicate = (error: unknown) => (error as { code?: unknown }).code === 11000;

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of the answers. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Writes the links of a block's records (a record already linked, by an earlier block, keeps its link). */
async function writeLinks(connection: Connection, block: AuditBlock): Promise<void> {
  await insertNew(
    collections(connection).links as unknown as mongo.Collection<mongo.Document>,
    block.ids.map((id, i) => ({ _id: linkId(block.stream, id), seq: block.seq, i })),
  );
}

/** One stream's appender in one process: a queue, drained one block (of all that waited) at a time. */
class StreamAppender {
  private tip?: { seq: number; hash: string };
  /** The head as this appender last moved or read it: the compare-and-set tries it before reading again. */
  private headSeen?: { seq: number; hash: string };
  private queue: Array<{ entries: ChainEntry[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  private draining = false;

  constructor(
    private readonly connection: Connection,
    private readonly stream: AuditStream,
  ) {}

  append(entries: ChainEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const taken = this.queue.splice(0);
      const seen = new Set<string>();
      const entries = taken
        .flatMap((request) => request.entries)
        .filter((entry) => !seen.has(refKey(entry.id)) && seen.add(refKey(entry.id)));
      try {
        for (let from = 0; from < entries.length; from += MAX_BLOCK_ENTRIES)
          await this.appendBlock(entries.slice(from, from + MAX_BLOCK_ENTRIES));
        for (const request of taken) request.resolve();
      } catch (error) {
        this.tip = undefined;
        this.headSeen = undefined;
        for (const request of taken) request.reject(error);
      }
    }
    this.draining = false;
  }

  private async appendBlock(entries: ChainEntry[]): Promise<void> {
    const { blocks } = collections(this.connection);
    let tip = this.tip ?? (await this.readTip());
    let block: AuditBlock;
    for (;;) {
      block = makeBlock(this.stream, tip.seq + 1, tip.hash, new Date(), entries);
      try {
        await blocks.insertOne(block);
        break;
      } catch (error) {
        if (!isDuplicate(error)) throw error;
        tip = await this.chase(tip);
      }
    }
    this.tip = { seq: block.seq, hash: block.hash };
    await writeLinks(this.connection, block);
    await this.advanceHead(block);
  }

  /** The last block after `from`, read forward by `_id`. */
  private async chase(from: { seq: number; hash: string }): Promise<{ seq: number; hash: string }> {
    const { blocks } = collections(this.connection);
    let tip = from;
    for (;;) {
      const next = await blocks.findOne(
        { _id: blockId(this.stream, tip.seq + 1) },
        { projection: { seq: 1, hash: 1 } },
      );
      if (!next) return tip;
      tip = { seq: next.seq, hash: next.hash };
    }
  }

  private async head(): Promise<{ seq: number; hash: string }> {
    const { heads } = collections(this.connection);
    const found = await heads.findOne({ _id: this.stream });
    if (found) return found;
    try {
      await heads.updateOne(
        { _id: this.stream },
        { $setOnInsert: { seq: 0, hash: GENESIS, at: new Date() } },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
    return (await heads.findOne({ _id: this.stream }))!;
  }

  private async readTip(): Promise<{ seq: number; hash: string }> {
    return this.chase(await this.head());
  }

  /** Moves the head up to `target`, one block at a time, writing the links of any block another writer left without. */
  private async advanceHead(target: AuditBlock): Promise<void> {
    const { blocks, heads } = collections(this.connection);
    let head = this.headSeen ?? (await this.head());
    while (head.seq < target.seq) {
      const seq = head.seq + 1;
      const block = seq === target.seq ? target : await blocks.findOne({ _id: blockId(this.stream, seq) });
      if (!block) throw new Error(`audit chain ${this.stream}: block ${seq} is missing below block ${target.seq}`);
      if (block !== target) await writeLinks(this.connection, block);
      const moved = await heads.updateOne(
        { _id: this.stream, seq: head.seq },
        { $set: { seq, hash: block.hash, at: new Date() } },
      );
      head = moved.matchedCount === 1 ? { seq, hash: block.hash } : await this.head();
    }
    this.headSeen = head;
  }
}

function makeBlock(stream: AuditStream, seq: number, prev: string, at: Date, entries: ChainEntry[]): AuditBlock {
  const ids = entries.map((entry) => entry.id);
  const hashes = entries.map((entry) => entry.hash);
  const digest = blockDigest(ids, hashes);
  return {
    _id: blockId(stream, seq),
    stream,
    seq,
    prev,
    at,
    ids,
    hashes,
    digest,
    hash: blockHash({ stream, seq, prev, at, digest, count: ids.length }),
  };
}

const appenders = new WeakMap<Connection, Map<AuditStream, StreamAppender>>();

function appenderOf(connection: Connection, stream: AuditStream): StreamAppender {
  let byStream = appenders.get(connection);
  if (!byStream) appenders.set(connection, (byStream = new Map()));
  let appender = byStream.get(stream);
  if (!appender) byStream.set(stream, (appender = new StreamAppender(connection, stream)));
  return appender;
}

/**
 * Chains documents this write has just inserted, from their content in hand (the bulk path:
 * no read-back). Resolves once their block and links are written; throws when it could not be.
 */
export async function chainInserted(
  connection: Connection,
  stream: AuditStream,
  documents: ReadonlyArray<{ _id: RecordRef }>,
): Promise<void> {
  await appenderOf(connection, stream).append(
    documents.map((document) => ({ id: document._id, hash: recordHash(stream, contentOfDocument(document)) })),
  );
}

/**
 * Chains stored records by identity, hashing what the store holds. `fresh`: this write has just
 * inserted them, so none can be linked yet; otherwise (a retry, a record found already there)
 * only the records without a link are chained, so a retried write whose records are all chained
 * appends nothing. A record that is not there is skipped. Returns how many were chained.
 */
export async function chainStored(
  connection: Connection,
  stream: AuditStream,
  refs: readonly RecordRef[],
  options: { fresh?: boolean } = {},
): Promise<number> {
  const { links } = collections(connection);
  const unlinked = options.fresh
    ? refs
    : (
        await mapLimit(refs, 16, async (ref) =>
          (await links.findOne({ _id: linkId(stream, ref) }, { projection: { _id: 1 } })) ? undefined : ref,
        )
      ).filter((ref) => ref !== undefined);
  const source = STREAM_SOURCES[stream];
  const entries = await mapLimit(unlinked, 16, async (ref) => {
    const content = await source.content(connection, ref);
    return content ? { id: ref, hash: recordHash(stream, content) } : undefined;
  });
  const found = entries.filter((entry) => entry !== undefined);
  await appenderOf(connection, stream).append(found);
  return found.length;
}
