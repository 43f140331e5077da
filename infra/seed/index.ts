/**
 * The synthetic city: seeds the shared-data collections and the subjects register with a
 * deterministic population. Same seed and asOf → same residents and enterprises. Each
 * completed batch is marked in `seed_meta`; a re-run skips marked batches and re-inserts
 * the rest with duplicates ignored, so it never duplicates and resumes an interrupted run.
 */
import type { Connection } from 'mongoose';
import { ringSecrets, subjectKey } from '../../domain/pseudonym.js';
import { ensureSharedDataIndexes, SHARED_COLLECTIONS } from '../../store/shared-data.js';
import { registerSubjectModel, SUBJECTS_COLLECTION } from '../../store/subjects.js';
import { EnterpriseGenerator } from './enterprises.js';
import { enterpriseDocs, personDocs } from './entries.js';
import { PersonGenerator, type PersonRecord } from './persons.js';
import { retryWhileBusy, writeBatch, type SeedEntry, type WriteResult } from './writer.js';
import { buildIndexes } from '../../store/indexes.js';

export { pickSubjects, demoFilters, type PickedSubject, type SubjectFilter } from './pick.js';

/** Where the seeder remembers the seed and reference date of the population it wrote. */
export const SEED_META_COLLECTION = 'seed_meta';

export interface SeedOptions {
  residents: number;
  enterprises: number;
  /** Default 'dezhou'. */
  seed?: string;
  /** The subject-key master secret (the pseudonyms' HMAC key is derived from it). */
  secret: string;
  /** Older secrets of the key ring: a city seeded under one of them keeps its keys. */
  previousSecrets?: readonly string[];
  /** Reference date 'YYYY-MM-DD' ages are counted to; default: the date of the last run with this seed, else today. */
  asOf?: string;
  /** Drop the dp_* collections, subjects and seed metadata first. */
  reset?: boolean;
  /** Subjects per bulk write (default 5,000). */
  batchSize?: number;
  onProgress?: (progress: SeedProgress) => void;
  /** Stops between batches (throwing the signal's reason); completed batches stay marked, so a later run resumes. */
  signal?: AbortSignal;
}

export interface SeedProgress {
  phase: 'reset' | 'indexes' | 'residents' | 'enterprises';
  done: number;
  total: number;
}

export interface SeedResult {
  seed: string;
  asOf: string;
  residents: WriteResult;
  enterprises: WriteResult;
  elapsedMs: number;
}

/** A bad seeding option; `field` names it (e.g. 'residents', 'asOf'). */
export class SeedOptionError extends Error {
  readonly code = 'SEED_INVALID_OPTION';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SeedOptionError';
  }
}

function checkOptions(options: SeedOptions, today: string): void {
  for (const field of ['residents', 'enterprises'] as const) {
    const value = options[field];
    if (!Number.isInteger(value) || value < 0)
      throw new SeedOptionError(field, `expected a whole number ≥ 0, got ${value}`);
  }
  if (!options.secret) throw new SeedOptionError('secret', 'a subject-key secret is required');
  const { asOf, batchSize } = options;
  if (
    asOf !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) ||
      Number.isNaN(Date.parse(asOf)) ||
      new Date(asOf).toISOString().slice(0, 10) !== asOf)
  ) {
    throw new SeedOptionError('asOf', `expected a date YYYY-MM-DD, got "${asOf}"`);
  }
  if (asOf !== undefined && asOf > today)
    throw new SeedOptionError('asOf', 'may not be in the future (birth dates in IDs would be)');
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new SeedOptionError('batchSize', `expected a whole number ≥ 1, got ${batchSize}`);
}

/**
 * The city in this database was seeded under a key that is not on the ring (another secret, or
 * the pseudonyms' derivation before HKDF): seeding on would register every subject a second time
 * under a new key. It is synthetic data: seed again from scratch (`reset`).
 */
export class SeedKeyMismatchError extends SeedOptionError {
  constructor() {
    super(
      'secret',
      'the city in this database was seeded under another subject key (another APPLYFREE_SUBJECT_KEY_SECRET, or ' +
        'before keys were derived with HKDF); seeding on would give its residents a second key: seed again with --reset',
    );
  }
}

/** The keyed fingerprint of a secret stored with the city. */
const secretCheckOf = (secret: string) => subjectKey('person', 'seed-meta', secret);

/**
 * The secret of the ring the city in this database was seeded under: undefined when there is no
 * city yet; SeedKeyMismatchError when it was seeded under a key the ring does not hold.
 */
export async function citySecret(
  connection: Connection,
  ring: { secret: string; previousSecrets?: readonly string[] },
): Promise<string | undefined> {
  const meta = await connection.db!.collection<SeedMeta>(SEED_META_COLLECTION).findOne({ _id: 'city' });
  if (!meta) return undefined;
  const secret = ringSecrets({ subjectKeySecret: ring.secret, previousSubjectKeySecrets: ring.previousSecrets }).find(
    (candidate) => secretCheckOf(candidate) === meta.secretCheck,
  );
  if (secret === undefined) throw new SeedKeyMismatchError();
  return secret;
}

/** Drops the shared-data collections, subjects and seed metadata (missing ones are fine). */
export async function resetCity(connection: Connection): Promise<void> {
  const db = connection.db!;
  const present = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of [...SHARED_COLLECTIONS.map((c) => c.name), SUBJECTS_COLLECTION, SEED_META_COLLECTION]) {
    if (present.has(name)) await db.dropCollection(name);
  }
}

/**
 * What a resident's records comprise; a city seeded under an earlier layout is streamed again
 * (what is there is kept, what is missing is added). 2: every resident has a social security card account.
 * 3: residents and enterprises have their records at the catalog's other departments (pension,
 * medical security, veterans, …, high-tech certificates, tax returns; person-facts.ts, enterprise-facts.ts).
 */
const SEED_LAYOUT = 3;

interface SeedMeta {
  _id: string;
  /** SEED_LAYOUT when the city was seeded; absent before layouts were counted. */
  layout?: number;
  seed: string;
  asOf: string;
  batchSize: number;
  /** A keyed fingerprint of the secret: a different secret means different subject keys. */
  secretCheck: string;
  /** Completed batches as "index:size"; written after all of a batch's documents. */
  residentBatches: string[];
  enterpriseBatches: string[];
  updatedAt: Date;
}

type BatchList = 'residentBatches' | 'enterpriseBatches';

async function streamBatches(
  connection: Connection,
  list: BatchList,
  completed: ReadonlySet<string>,
  total: number,
  batchSize: number,
  make: () => SeedEntry,
  progress: (done: number) => void,
  signal?: AbortSignal,
): Promise<WriteResult> {
  const meta = connection.db!.collection<SeedMeta>(SEED_META_COLLECTION);
  const result: WriteResult = { inserted: 0, skipped: 0 };
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  for (let start = 0, index = 0; start < total; start += batchSize, index++) {
    if (signal?.aborted) {
      await Promise.allSettled(inFlight);
      throw signal.reason;
    }
    const entries: SeedEntry[] = [];
    for (let i = start; i < Math.min(total, start + batchSize); i++) entries.push(make()); // always generated: later batches depend on the stream
    const mark = `${index}:${entries.length}`;
    if (completed.has(mark)) {
      result.skipped += entries.length;
      done += entries.length;
      progress(done);
      continue;
    }
    // Two batches in flight: the next one is generated while the database writes this one.
    while (inFlight.size >= 2) await Promise.race(inFlight);
    const write: Promise<void> = writeBatch(connection, entries).then(async (r) => {
      await retryWhileBusy(() => meta.updateOne({ _id: 'city' }, { $addToSet: { [list]: mark } }));
      result.inserted += r.inserted;
      result.skipped += r.skipped;
      done += entries.length;
      progress(done);
      inFlight.delete(write);
    });
    write.catch(() => undefined); // the failure surfaces through race/all below, not as an unhandled rejection
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  return result;
}

/** A resident as seeded: the subject row and its documents in each shared-data collection. */
export function personEntry(p: PersonRecord): SeedEntry {
  return { subject: p.subject, docs: personDocs(p) };
}

/**
 * Seeds `residents` persons and `enterprises` enterprises (each with a `subjects` row),
 * streaming bulk writes. Idempotent for the same seed and asOf. Throws SeedOptionError, and
 * SeedKeyMismatchError when the city there was seeded under a key the ring does not hold.
 */
export async function seedCity(connection: Connection, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const today = new Date().toISOString().slice(0, 10);
  checkOptions(options, today);
  const seed = options.seed ?? 'dezhou';
  const batchSize = options.batchSize ?? 5000;
  const report = options.onProgress ?? (() => undefined);
  const db = connection.db!;
  if (options.reset) {
    report({ phase: 'reset', done: 0, total: 1 });
    await resetCity(connection);
    report({ phase: 'reset', done: 1, total: 1 });
  }
  report({ phase: 'indexes', done: 0, total: 1 });
  await ensureSharedDataIndexes(connection);
  await buildIndexes(registerSubjectModel(connection));
  report({ phase: 'indexes', done: 1, total: 1 });

  const meta = db.collection<SeedMeta>(SEED_META_COLLECTION);
  const previous = await meta.findOne({ _id: 'city' });
  const asOf = options.asOf ?? (previous?.seed === seed ? previous.asOf : today);
  // A city keeps the key it was seeded under (a previous one of the ring, after a rotation), as its subjects do.
  const secret = (await citySecret(connection, options)) ?? options.secret;
  const secretCheck = secretCheckOf(secret);
  const resumable =
    previous?.layout === SEED_LAYOUT &&
    previous.seed === seed &&
    previous.asOf === asOf &&
    previous.batchSize === batchSize &&
    previous.secretCheck === secretCheck;
  if (!resumable) {
    await meta.replaceOne(
      { _id: 'city' },
      {
        layout: SEED_LAYOUT,
        seed,
        asOf,
        batchSize,
        secretCheck,
        residentBatches: [],
        enterpriseBatches: [],
        updatedAt: new Date(),
      },
      { upsert: true },
    );
  }
  const completed = (list: BatchList) => new Set(resumable ? previous[list] : []);

  const createdAt = new Date();
  const people = new PersonGenerator(seed, secret, asOf, createdAt);
  const residents = await streamBatches(
    connection,
    'residentBatches',
    completed('residentBatches'),
    options.residents,
    batchSize,
    () => personEntry(people.next()),
    (done) => report({ phase: 'residents', done, total: options.residents }),
    options.signal,
  );
  const firms = new EnterpriseGenerator(seed, secret, asOf, createdAt);
  const enterprises = await streamBatches(
    connection,
    'enterpriseBatches',
    completed('enterpriseBatches'),
    options.enterprises,
    batchSize,
    () => {
      const e = firms.next();
      return { subject: e.subject, docs: enterpriseDocs(e) };
    },
    (done) => report({ phase: 'enterprises', done, total: options.enterprises }),
    options.signal,
  );
  return { seed, asOf, residents, enterprises, elapsedMs: Date.now() - started };
}
