/**
 * Test fixtures: residents and enterprises written straight into the city data platform
 * collections (dp_*) and the subjects collection, the way registries hold them.
 */
import { randomInt } from 'node:crypto';
import type { Connection } from 'mongoose';
import { makeCreditCode, makeResidentId } from '../../domain/identity.js';
import { DEVELOPMENT_SUBJECT_KEY_SECRET, subjectKey } from '../../domain/pseudonym.js';
import { DATA_SOURCES } from '../../domain/sources.js';

export const TEST_SECRET = DEVELOPMENT_SUBJECT_KEY_SECRET;

/** Writes one subject's facts (flat fact keys) into the platform collections that hold them. */
async function writeFacts(
  store: Connection,
  idField: 'idNumber' | 'creditCode',
  id: string,
  facts: Record<string, unknown>,
): Promise<void> {
  for (const source of DATA_SOURCES) {
    const columns = Object.fromEntries(
      source.fields.filter((field) => field.key in facts).map((field) => [field.column, facts[field.key]]),
    );
    if (Object.keys(columns).length === 0) continue;
    await store
      .db!.collection(source.collection)
      .updateOne({ _id: id } as object, { $set: { [idField]: id, ...columns } }, { upsert: true });
  }
}

export interface TestSubject {
  id: string;
  subjectKey: string;
}

/**
 * Test files run in parallel processes against one Temporal namespace, where a benefit workflow
 * ID (policy, subject key, period) may be started only once. Two files drawing the same random
 * resident would see each other's grants, so every drawn ID is claimed, for the whole run, by
 * the unique `_id` of a collection on the shared MongoDB server: a duplicate draws again.
 * Sequences below 200, and organisation codes below 20,000,000, are left to the tests that write
 * fixed IDs. Against a persistent server (MONGODB_URI) the claims outlive the run, as the
 * workflows they guard do on a persistent Temporal.
 */
const CLAIMS_DB = 'applyfree_test_claims';

/** Draws until `claim` takes an ID (false: claimed already, by this file or another), at most 50 times. */
export async function drawUnclaimed(draw: () => string, claim: (id: string) => Promise<boolean>): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = draw();
    if (await claim(id)) return id;
  }
  throw new Error('no unclaimed test subject ID after 50 draws');
}

/** A resident ID born on `birthDate`, sequence 200-499 (below 200 is for fixed IDs). */
export const drawResidentId = (birthDate: string): string =>
  makeResidentId('371402', birthDate, 200 + randomInt(300), 'female');

/** A credit code, organisation code 20,000,000 or more (below is for fixed IDs). */
export const drawCreditCode = (): string => makeCreditCode('371402', 20_000_000 + randomInt(79_999_999));

/** An ID claimed on the shared server: the unique `_id` turns away one another file holds. */
function claimed(store: Connection, draw: () => string): Promise<string> {
  const claims = store.getClient().db(CLAIMS_DB).collection<{ _id: string }>('subjects');
  return drawUnclaimed(draw, async (id) => {
    try {
      await claims.insertOne({ _id: id });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      return false;
    }
  });
}

/** A resident born on `birthDate` with the given facts (e.g. `'person.localHukou': true`). */
export async function addResident(
  store: Connection,
  birthDate: string,
  facts: Record<string, unknown>,
): Promise<TestSubject> {
  const id = await claimed(store, () => drawResidentId(birthDate));
  const key = subjectKey('person', id, TEST_SECRET);
  await store
    .db!.collection('subjects')
    .updateOne(
      { _id: key } as object,
      { $setOnInsert: { subjectKey: key, kind: 'person', idNumber: id, createdAt: new Date() } },
      { upsert: true },
    );
  await writeFacts(store, 'idNumber', id, { 'person.birthDate': birthDate, ...facts });
  return { id, subjectKey: key };
}

export async function addEnterprise(store: Connection, facts: Record<string, unknown>): Promise<TestSubject> {
  const id = await claimed(store, drawCreditCode);
  const key = subjectKey('enterprise', id, TEST_SECRET);
  await store
    .db!.collection('subjects')
    .updateOne(
      { _id: key } as object,
      { $setOnInsert: { subjectKey: key, kind: 'enterprise', creditCode: id, createdAt: new Date() } },
      { upsert: true },
    );
  await writeFacts(store, 'creditCode', id, facts);
  return { id, subjectKey: key };
}

/** Changes a subject's record at the certifying department (what an inspection will find). */
export async function updateFacts(
  store: Connection,
  subject: TestSubject,
  facts: Record<string, unknown>,
): Promise<void> {
  await writeFacts(store, subject.subjectKey.startsWith('p_') ? 'idNumber' : 'creditCode', subject.id, facts);
}

/** Removes facts from the certifying department's record, as when a registry has no entry for them. */
export async function removeFacts(store: Connection, subject: TestSubject, factKeys: string[]): Promise<void> {
  for (const source of DATA_SOURCES) {
    const columns = Object.fromEntries(
      source.fields.filter((field) => factKeys.includes(field.key)).map((field) => [field.column, 1]),
    );
    if (Object.keys(columns).length > 0)
      await store.db!.collection(source.collection).updateOne({ _id: subject.id } as object, { $unset: columns });
  }
}
