/**
 * Coverage (数据覆盖范围) followed where facts are read: a source with no record of a subject
 * answers a published fact's absent-means-no as "no" (false, 0) and its absent-means-unknown as
 * nothing known (absent, so a decision needing it is undetermined), in a case's fetchFacts and in
 * the population a simulation or sweep streams alike; the shipped facts read as they always did.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../../activities/shared-data/fetch-facts.js';
import { DATA_SOURCES, useCatalog, useShippedCatalog, type DataSource, type FactField } from '../../domain/sources.js';
import { streamPopulation } from '../../store/population.js';

const ID_WITH_RECORD = '371402195003101234';
const ID_WITHOUT = '371402198807154321';
let connection: Connection;

const fact = (key: string, type: 'boolean' | 'number', coverage: FactField['coverage']): FactField => ({
  key,
  column: key.split('.')[1],
  type,
  sensitivity: 'personal',
  label: { zh: key, en: key },
  ...(type === 'number' ? { unit: { zh: '次', en: 'times' } } : {}),
  coverage,
  synthetic: type === 'number' ? { kind: 'integer', min: 0, max: 3 } : { kind: 'bernoulli', p: 0.5 },
});
const ADDED = [
  fact('person.careVisits', 'number', 'absent-means-no'),
  fact('person.careBudget', 'number', 'absent-means-unknown'),
  fact('person.careAssessed', 'boolean', 'absent-means-unknown'),
];
const FACTS = [...ADDED.map((f) => f.key), 'person.minimumLivingAllowance', 'person.householdIncomePerCapita'];

beforeAll(async () => {
  connection = await mongoose
    .createConnection(inject('stack').mongodbUri, { dbName: `af_coverage_${randomUUID().slice(0, 8)}` })
    .asPromise();
  const db = connection.db!;
  await db.collection<Record<string, unknown> & { _id: string }>('subjects').insertMany([
    { _id: 'sk_with', subjectKey: 'sk_with', kind: 'person', idNumber: ID_WITH_RECORD },
    { _id: 'sk_without', subjectKey: 'sk_without', kind: 'person', idNumber: ID_WITHOUT },
  ]);
  await db.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertMany([
    { _id: ID_WITH_RECORD, idNumber: ID_WITH_RECORD, birthDate: '1950-03-10', localHukou: true },
    { _id: ID_WITHOUT, idNumber: ID_WITHOUT, birthDate: '1988-07-15', localHukou: true },
  ]);
  await db.collection<Record<string, unknown> & { _id: string }>('dp_civil_affairs').insertOne({
    _id: ID_WITH_RECORD,
    idNumber: ID_WITH_RECORD,
    minimumLivingAllowance: true,
    householdIncomePerCapita: 800,
    careVisits: 2,
    careBudget: 300,
    careAssessed: true,
  });
  const sources: DataSource[] = DATA_SOURCES.map((s) =>
    s.id === 'civil-affairs' ? { ...s, fields: [...s.fields, ...ADDED] } : s,
  );
  useCatalog(2, sources);
});

afterAll(async () => {
  useShippedCatalog();
  await connection?.dropDatabase();
  await connection?.close();
});

const manifest = Object.fromEntries(FACTS.map((key) => [key, { source: 'civil-affairs', purpose: 'coverage' }]));

describe('coverage: what no record means', () => {
  it('fetchFacts answers absent-means-no as false or 0 and leaves absent-means-unknown unknown', async () => {
    const fetchFacts = makeFetchFacts({ connection, adapters: createAdapterRegistry({ connection }) });
    const input = (subjectKey: string) => ({
      caseId: `case-${subjectKey}`,
      subjectKey,
      policyId: 'coverage',
      policyVersion: 1,
      facts: manifest,
      idempotencyKey: `coverage:${subjectKey}`,
    });
    const without = await fetchFacts(input('sk_without'));
    expect(without.values).toEqual({ 'person.careVisits': 0, 'person.minimumLivingAllowance': false });
    expect(without.absentFacts).toEqual([
      'person.careAssessed',
      'person.careBudget',
      'person.householdIncomePerCapita',
    ]);
    expect(without.missingFacts).toEqual([]);
    const withRecord = await fetchFacts(input('sk_with'));
    expect(withRecord.values).toMatchObject({
      'person.careVisits': 2,
      'person.careBudget': 300,
      'person.careAssessed': true,
    });
  });

  it('the population a simulation streams reads no record the same way', async () => {
    const records = [];
    for await (const batch of streamPopulation(connection, { kind: 'person', facts: FACTS })) records.push(...batch);
    const without = records.find((r) => r.id === ID_WITHOUT)!.facts;
    expect(without).toEqual({ 'person.careVisits': 0, 'person.minimumLivingAllowance': false });
  });
});
