/**
 * The city of the payroll benchmark: N residents with a local household who are 80 or over (the
 * old-age allowance's people), drawn from the synthetic city's resident stream (infra/seed) with
 * all their shared data — the household registry the re-check reads, and the social security
 * card account the bank file pays to — in an embedded FerretDB kept in `<state dir>/bench-payroll-N`
 * and seeded once per N. A payroll streams entitlements, never the population, so the benchmark
 * holds only the beneficiaries: seeding the ~28 residents per beneficiary a whole city would have
 * costs many minutes and changes nothing the payroll reads. The entitlements themselves are seeded
 * afresh by every run (bench/payroll.ts), so each run starts from N active ones.
 */
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { createProgress } from '../infra/progress.js';
import { freePort } from '../infra/ports.js';
import { personEntry, SEED_META_COLLECTION } from '../infra/seed/index.js';
import { PersonGenerator } from '../infra/seed/persons.js';
import { writeBatch, type SeedEntry } from '../infra/seed/writer.js';
import { startStack } from '../infra/stack.js';
import { connectStore } from '../store/connection.js';
import { buildIndexes } from '../store/indexes.js';
import { ensureSharedDataIndexes } from '../store/shared-data.js';
import { registerSubjectModel } from '../store/subjects.js';
import { loadConfig } from '../workers/config.js';
import { SECRET, SEED_AS_OF, type SeededCity } from './population.js';
import { fmt, progress } from './support.js';

const BATCH = 5_000;
/** Born on or before this day: 80 or over on the benchmark's as-of date. */
const EIGHTY_BY = `${Number(SEED_AS_OF.slice(0, 4)) - 80}${SEED_AS_OF.slice(4)}`;

interface PayrollCityMeta {
  _id: string;
  beneficiaries: number;
  /** How many residents of the stream were drawn to find them. */
  drawn: number;
}

const isoDay = (value: unknown): string =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);

/** Seeds the first N local residents aged 80 or over of the resident stream, unless the database holds them already. */
async function ensureBeneficiaries(store: Connection, count: number): Promise<string> {
  const meta = store.db!.collection<PayrollCityMeta>(SEED_META_COLLECTION);
  const found = await meta.findOne({ _id: 'payroll-city' });
  if (found?.beneficiaries === count) return `kept from an earlier run (${fmt(found.drawn)} residents drawn)`;
  await ensureSharedDataIndexes(store);
  await buildIndexes(registerSubjectModel(store));
  const started = performance.now();
  const shown = progress('seeding beneficiaries', count);
  const people = new PersonGenerator('dezhou', SECRET, SEED_AS_OF, new Date());
  let drawn = 0;
  let seeded = 0;
  const inFlight = new Set<Promise<void>>();
  while (seeded < count) {
    const entries: SeedEntry[] = [];
    while (entries.length < Math.min(BATCH, count - seeded)) {
      const person = people.next();
      drawn += 1;
      if (person.household.localHukou && isoDay(person.household.birthDate) <= EIGHTY_BY)
        entries.push(personEntry(person));
    }
    seeded += entries.length;
    while (inFlight.size >= 2) await Promise.race(inFlight);
    const write: Promise<void> = writeBatch(store, entries).then(() => {
      shown.tick(seeded);
      inFlight.delete(write);
    });
    write.catch(() => undefined);
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  shown.done();
  await meta.replaceOne({ _id: 'payroll-city' }, { beneficiaries: count, drawn }, { upsert: true });
  const seconds = (performance.now() - started) / 1000;
  return `seeded in ${fmt(seconds)} s (${fmt(drawn)} residents drawn for ${fmt(count)} beneficiaries)`;
}

/** Starts the FerretDB of the payroll city of N beneficiaries (seeding it the first time) and connects to it. */
export async function openPayrollCity(beneficiaries: number): Promise<SeededCity> {
  const config = loadConfig();
  const stateDir = join(config.stateDir, `bench-payroll-${beneficiaries}`);
  const ports = { temporal: 0, temporalUi: 0, mongodb: await freePort(), redis: 0 };
  const stack = await startStack({
    config,
    stateDir,
    ports,
    progress: createProgress({ interactive: false }),
    servers: ['mongodb'],
  });
  const uri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/bench_payroll_${beneficiaries}$1`);
  const store = await connectStore(uri);
  try {
    const note = await ensureBeneficiaries(store, beneficiaries);
    return { config, stateDir, stack, uri, store, note, close: async () => (await store.close(), await stack.stop()) };
  } catch (error) {
    await store.close();
    await stack.stop();
    throw error;
  }
}
