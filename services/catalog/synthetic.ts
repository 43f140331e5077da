/**
 * The synthetic city's values for facts officers add to the catalog, so an impact simulation or a
 * sweep of a policy that reads one works on the embedded stack. A fact's declarative generator
 * (bernoulli / integer / choice / date, with `absentShare`) gives each subject one value drawn
 * from its subject key and the fact key: the same value on every run, in every process.
 *
 * Why a backfill of the source collection rather than an adapter that computes values: every
 * reader — fetchFacts' adapters, the population stream simulations and sweeps merge-join, the
 * HTTP verification adapters' fallback, corrections — reads the dp_* collections, so values
 * written there are read the way real data is, with its coverage, masking and access records, and
 * nothing downstream knows the city is synthetic. A fact of a shipped source gets a value in the
 * records that source holds (its "no record" stays one); a fact of a source an officer added gets
 * a record for each subject with a value (the others have no record: coverage decides).
 *
 * Production never invents data: this runs only where the composition allows it (development
 * mode: the embedded stack, workers/main.ts) AND the store holds a seeded synthetic city
 * (`seed_meta` `city`, infra/seed). Idempotent and resumable: values are deterministic, a fact
 * is marked done in `catalog_synthetic` when filled, and progress is kept there as it goes.
 */
import type { Connection } from 'mongoose';
import { Random, Weighted } from '../../infra/seed/random.js';
import { SEED_META_COLLECTION } from '../../infra/seed/index.js';
import {
  DATA_SOURCES,
  findFact,
  type DataSource,
  type FactField,
  type SyntheticGenerator,
} from '../../domain/sources.js';
import { SUBJECTS_COLLECTION } from '../../store/subjects.js';
import { SUBJECT_ID_FIELD } from '../../store/shared-data.js';

export const CATALOG_SYNTHETIC = 'catalog_synthetic';

/** Where a fact's fill stands: subjects done of the total, and whether it finished. */
export interface SyntheticFill {
  _id: string;
  source: string;
  /** The synthetic city filled (syntheticCity). */
  city: string;
  done: number;
  total: number;
  finished: boolean;
  updatedAt: Date;
}

const DAY_MS = 86_400_000;

/**
 * A subject's value of a fact under its generator, or undefined when the subject is among the
 * `absentShare` with none (and for `seed` facts, which the city's seed writes). Deterministic.
 */
export function syntheticValue(generator: SyntheticGenerator, subjectKey: string, factKey: string): unknown {
  if (generator.kind === 'seed') return undefined;
  const random = new Random(`${subjectKey}|${factKey}`);
  if (random.next() < (generator.absentShare ?? 0)) return undefined;
  switch (generator.kind) {
    case 'bernoulli':
      return random.chance(generator.p);
    case 'integer':
      return random.int(generator.min, generator.max);
    case 'choice':
      return new Weighted(
        Object.keys(generator.weights)
          .sort()
          .map((value) => [value, generator.weights[value]] as const),
      ).sample(random);
    case 'date': {
      const from = Date.parse(`${generator.from}T00:00:00Z`);
      const days = Math.round((Date.parse(`${generator.to}T00:00:00Z`) - from) / DAY_MS);
      return new Date(from + random.int(0, days) * DAY_MS).toISOString().slice(0, 10);
    }
  }
}

/**
 * The seeded synthetic city in the store (infra/seed writes `seed_meta` `city`), named by its seed,
 * reference date and key fingerprint; undefined when there is none. A city seeded again from
 * scratch has another name, so its values are filled again.
 */
export async function syntheticCity(store: Connection): Promise<string | undefined> {
  const meta = await store.db!.collection(SEED_META_COLLECTION).findOne({ _id: 'city' } as object);
  return meta ? `${String(meta.seed)}:${String(meta.asOf)}:${String(meta.secretCheck)}` : undefined;
}

const isShippedSource = (source: DataSource) => DATA_SOURCES.some((s) => s.id === source.id);

/** Subjects written per bulk write. */
const BATCH = 1_000;

/**
 * Gives the synthetic city its values of `facts` (keys in the catalog in force; `seed` facts and
 * facts already filled are skipped). Does nothing unless the store holds a synthetic city.
 * Answers the facts it filled.
 */
export async function fillSyntheticFacts(
  store: Connection,
  facts: readonly string[],
  onProgress: (fill: SyntheticFill) => void = () => undefined,
): Promise<string[]> {
  const city = await syntheticCity(store);
  if (city === undefined) return [];
  const fills = store.db!.collection<SyntheticFill>(CATALOG_SYNTHETIC);
  const filled: string[] = [];
  for (const key of facts) {
    const known = findFact(key);
    if (!known || known.field.synthetic.kind === 'seed') continue;
    const fill = await fills.findOne({ _id: key });
    if (fill?.finished && fill.city === city) continue;
    await fillOne(store, city, known.source, known.field, onProgress);
    filled.push(key);
  }
  return filled;
}

async function fillOne(
  store: Connection,
  city: string,
  source: DataSource,
  field: FactField,
  onProgress: (fill: SyntheticFill) => void,
): Promise<void> {
  const db = store.db!;
  const fills = db.collection<SyntheticFill>(CATALOG_SYNTHETIC);
  const idField = SUBJECT_ID_FIELD[source.subject];
  const subjects = db.collection(SUBJECTS_COLLECTION);
  const total = await subjects.countDocuments({ kind: source.subject });
  // A shipped source's records exist already (the seed wrote them): only they get the value.
  const upsert = !isShippedSource(source);
  const target = db.collection<{ _id: string }>(source.collection);
  const fill: SyntheticFill = {
    _id: field.key,
    source: source.id,
    city,
    done: 0,
    total,
    finished: false,
    updatedAt: new Date(),
  };
  await fills.updateOne({ _id: field.key }, { $set: fill }, { upsert: true });
  // The batch's subjects by the value they get: one update per value (FerretDB 1.x serves a bulk of
  // single-record updates badly), an upsert per subject where records are created.
  let batch = new Map<string, { value: unknown; ids: string[] }>();
  const flush = async () => {
    for (const { value, ids } of batch.values()) {
      if (upsert)
        for (const id of ids)
          await target.updateOne({ _id: id }, { $set: { [idField]: id, [field.column]: value } }, { upsert: true });
      else await target.updateMany({ _id: { $in: ids } }, { $set: { [field.column]: value } });
    }
    batch = new Map();
    fill.updatedAt = new Date();
    await fills.updateOne({ _id: field.key }, { $set: { done: fill.done, updatedAt: fill.updatedAt } });
    onProgress({ ...fill });
  };
  const cursor = subjects.find({ kind: source.subject }, { projection: { _id: 1, [idField]: 1 }, batchSize: 5_000 });
  for await (const subject of cursor) {
    fill.done += 1;
    const id = subject[idField] as unknown;
    const value = syntheticValue(field.synthetic, String(subject._id), field.key);
    if (typeof id === 'string' && value !== undefined) {
      const group = batch.get(JSON.stringify(value)) ?? { value, ids: [] };
      group.ids.push(id);
      batch.set(JSON.stringify(value), group);
    }
    if (fill.done % BATCH === 0) await flush();
  }
  await flush();
  fill.finished = true;
  await fills.updateOne({ _id: field.key }, { $set: { finished: true, done: fill.done, updatedAt: new Date() } });
  onProgress({ ...fill });
}

/** Where each fact's fill stands (for GET /catalog/synthetic and the console). */
export async function syntheticFills(store: Connection): Promise<SyntheticFill[]> {
  return store.db!.collection<SyntheticFill>(CATALOG_SYNTHETIC).find({}).sort({ _id: 1 }).toArray();
}
