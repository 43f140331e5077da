/**
 * A subject kind's whole population, streamed from the city data platform (dp_*) as flat fact
 * records, for impact simulations and sweeps. One cursor per source collection, each sorted by
 * `_id` (an index walk on MongoDB and on the embedded FerretDB) with a projection of the needed columns, merge-joined
 * on the key: no per-subject lookups. The population is the register — the household registry for
 * residents, the business registry for enterprises; documents of other sources without a
 * register entry are skipped. Records carry the raw key for resuming only: never put it in a result.
 * Aggregate reading: no per-subject access records, and sources configured as HTTP verification
 * services are read from their platform collections (a department's service answers one subject at a time).
 */
import type { Connection, mongo } from 'mongoose';
import { ensureFactsKnown } from './catalog-versions.js';
import {
  absentAnswer,
  findFact,
  findSource,
  type DataSource,
  type FactField,
  type SubjectKind,
} from '../domain/sources.js';

/** The source whose documents define who belongs to the population. */
export const REGISTER_SOURCE: Record<SubjectKind, string> = {
  person: 'household-registry',
  enterprise: 'business-registry',
};

/** One subject: its raw key (resident ID or USCC; internal, for resuming) and its flat facts. */
export interface PopulationRecord {
  id: string;
  facts: Record<string, unknown>;
}

export interface PopulationOptions {
  kind: SubjectKind;
  /** Fact keys to read (`person.birthDate`…); each must be in the catalog for this kind. */
  facts: readonly string[];
  /** Resume after this key: only subjects whose key sorts after it. */
  after?: string;
  /** Stop at this key: only subjects whose key sorts at or before it (a part of a sweep). */
  until?: string;
  /** Records per yielded batch (default 2,000). */
  batchSize?: number;
  /** Documents per driver round trip (default 10,000). */
  readBatchSize?: number;
  signal?: AbortSignal;
}

/** Stands for an ID-valued fact (guardianIdNumber) that is present: a simulation never needs whose ID it is. */
export const REFERENCED_SUBJECT = 'referenced-subject';

interface Plan {
  source: DataSource;
  fields: FactField[];
}

/** Groups the requested facts by source, the register first (always read, even for no fact). */
function planSources(kind: SubjectKind, facts: readonly string[]): Plan[] {
  const register = findSource(REGISTER_SOURCE[kind])!;
  const plans = new Map<string, Plan>([[register.id, { source: register, fields: [] }]]);
  for (const key of new Set(facts)) {
    const known = findFact(key);
    if (!known) throw new Error(`population: fact ${key} is not in the data-source catalog`);
    if (known.source.subject !== kind)
      throw new Error(`population: fact ${key} is about ${known.source.subject}s, not ${kind}s`);
    const plan = plans.get(known.source.id) ?? { source: known.source, fields: [] };
    plan.fields.push(known.field);
    plans.set(known.source.id, plan);
  }
  return [...plans.values()];
}

/** The `_id`s after `after` and up to `until` (either open). */
const keyRange = (after: string | undefined, until?: string): object =>
  after === undefined && until === undefined
    ? {}
    : { _id: { ...(after === undefined ? {} : { $gt: after }), ...(until === undefined ? {} : { $lte: until }) } };

/**
 * How many subjects the stream will yield (after `after`, when given): the register's documents.
 * The whole count comes from $collStats (FerretDB answers it from SQLite without a scan; its
 * `count` command scans); counting after a key scans the register once.
 */
export async function countPopulation(connection: Connection, kind: SubjectKind, after?: string): Promise<number> {
  const collection = connection.db!.collection(findSource(REGISTER_SOURCE[kind])!.collection);
  if (after !== undefined) return collection.countDocuments(keyRange(after));
  const [stats] = await collection
    .aggregate<{ count?: number }>([{ $collStats: { count: {} } }])
    .toArray()
    .catch(() => [] as Array<{ count?: number }>);
  return typeof stats?.count === 'number' ? stats.count : collection.estimatedDocumentCount();
}

/**
 * Keys that cut the population into `parts` runs of about equal size, in `_id` order: part i holds
 * the subjects after key i-1 (from the first) up to and including key i (to the last). Each key is
 * the register's document at a rank, found with skip and limit in `_id` order (on the patched
 * FerretDB SQLite steps over index entries, docs/FERRETDB.md; MongoDB walks its `_id` index).
 * Fewer keys when the population is too small to cut so: never an empty part.
 */
export async function splitPopulation(connection: Connection, kind: SubjectKind, parts: number): Promise<string[]> {
  const total = await countPopulation(connection, kind);
  const collection = connection.db!.collection(findSource(REGISTER_SOURCE[kind])!.collection);
  const keys: string[] = [];
  for (let part = 1; part < parts; part++) {
    const rank = Math.floor((part * total) / parts) - 1;
    if (rank < 0) continue;
    const [doc] = await collection
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .skip(rank)
      .limit(1)
      .toArray();
    const key = doc === undefined ? undefined : String(doc._id);
    if (key !== undefined && key !== keys.at(-1)) keys.push(key);
  }
  return keys;
}

type Doc = mongo.Document;
const MORE = Symbol('more');

/**
 * A cursor read a driver batch at a time, so matching a key is synchronous while its batch lasts;
 * the next batch is requested as soon as one arrives, so the server works while we evaluate.
 */
class SortedReader {
  private buffer: Doc[] = [];
  private at = 0;
  private ended = false;
  private pending: Promise<boolean> | undefined;

  constructor(private readonly cursor: mongo.FindCursor<Doc>) {}

  private request(): Promise<boolean> {
    const next = this.cursor.hasNext();
    next.catch(() => undefined); // surfaced where it is awaited, in fill()
    return next;
  }

  /** Refills when the buffer is used up; false at the end. */
  async fill(): Promise<boolean> {
    if (this.at < this.buffer.length) return true;
    if (this.ended) return false;
    const more = await (this.pending ?? this.request());
    this.pending = undefined;
    if (!more) {
      this.ended = true;
      return false;
    }
    this.buffer = this.cursor.readBufferedDocuments();
    this.at = 0;
    this.pending = this.request();
    return this.buffer.length > 0 || this.fill();
  }

  /** The next document, when buffered. */
  next(): Doc | undefined {
    return this.at < this.buffer.length ? this.buffer[this.at++] : undefined;
  }

  /** From the buffer only: the document keyed `id` (smaller keys skipped), undefined when there is none, MORE when the buffer ran out first. */
  take(id: string): Doc | undefined | typeof MORE {
    while (this.at < this.buffer.length) {
      const doc = this.buffer[this.at];
      const key = doc._id as string;
      if (key > id) return undefined;
      this.at += 1;
      if (key === id) return doc;
    }
    return this.ended ? undefined : MORE;
  }

  /** The document keyed `id`, reading on when the buffer runs out; undefined when the source has none. */
  async match(id: string): Promise<Doc | undefined> {
    for (;;) {
      const found = this.take(id);
      if (found !== MORE) return found;
      if (!(await this.fill())) return undefined;
    }
  }

  async close(): Promise<void> {
    await this.pending?.catch(() => undefined);
    await this.cursor.close();
  }
}

/**
 * Folds one source's answer into the facts exactly as fetchFacts does: a value as read (dates as
 * 'YYYY-MM-DD'); an empty column left out; no document → as the fact's coverage says (false, 0, or left out).
 */
function fold(facts: Record<string, unknown>, fields: readonly FactField[], doc: Doc | undefined): void {
  for (const field of fields) {
    if (!doc) {
      const absent = absentAnswer(field);
      if (absent !== undefined) facts[field.key] = absent;
      continue;
    }
    const value = doc[field.column];
    if (value === undefined || value === null) continue;
    if (field.type === 'date' && value instanceof Date) facts[field.key] = value.toISOString().slice(0, 10);
    else if (/(IdNumber|CreditCode)$/.test(field.column)) facts[field.key] = REFERENCED_SUBJECT;
    else facts[field.key] = value;
  }
}

/**
 * Streams the population in `_id` order as batches of flat fact records. Resumable: pass the
 * last record's id as `after`. Stops (throwing the signal's reason) between batches when aborted.
 */
export async function* streamPopulation(
  connection: Connection,
  options: PopulationOptions,
): AsyncGenerator<PopulationRecord[]> {
  const db = connection.db;
  if (!db) throw new Error('population: the connection is not open');
  await ensureFactsKnown(connection, options.facts);
  const plans = planSources(options.kind, options.facts);
  const batchSize = options.batchSize ?? 2_000;
  const readBatchSize = options.readBatchSize ?? 10_000;
  const readers = plans.map(({ source, fields }) => {
    const projection: Record<string, 1> = { _id: 1 };
    for (const field of fields) projection[field.column] = 1;
    return new SortedReader(
      db
        .collection(source.collection)
        .find(keyRange(options.after, options.until), { projection, sort: { _id: 1 }, batchSize: readBatchSize }),
    );
  });
  const [register, ...others] = readers;
  const [registerPlan, ...otherPlans] = plans;
  try {
    // Every source starts reading at once, each cursor streaming in `_id` order.
    await Promise.all(readers.map((reader) => reader.fill()));
    let batch: PopulationRecord[] = [];
    while (await register.fill()) {
      for (let doc = register.next(); doc; doc = register.next()) {
        const id = doc._id as string;
        const facts: Record<string, unknown> = {};
        fold(facts, registerPlan.fields, doc);
        for (let i = 0; i < others.length; i++) {
          const reader = others[i];
          const found = reader.take(id);
          fold(facts, otherPlans[i].fields, found === MORE ? await reader.match(id) : found);
        }
        batch.push({ id, facts });
        if (batch.length >= batchSize) {
          options.signal?.throwIfAborted();
          yield batch;
          batch = [];
        }
      }
    }
    options.signal?.throwIfAborted();
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all(readers.map((reader) => reader.close().catch(() => undefined)));
  }
}
