import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateCreditCode, validateResidentId } from '../../domain/identity.js';
import { subjectKey } from '../../domain/pseudonym.js';
import { DATA_SOURCES, DISTRICTS } from '../../domain/sources.js';
import { demoFilters, pickSubjects, seedCity, type SeedResult } from '../../infra/seed/index.js';
import { PersonGenerator } from '../../infra/seed/persons.js';
import { sharedCollection } from '../../store/shared-data.js';
import { ensureSubject, registerSubjectModel, resolveSubject } from '../../store/subjects.js';

const RESIDENTS = 3000;
const ENTERPRISES = 600;
const OPTIONS = {
  residents: RESIDENTS,
  enterprises: ENTERPRISES,
  seed: 'seed-test',
  secret: 'seed-test-secret',
  asOf: '2026-06-30',
};

/** The test stack's URI with this file's own database, so parallel files never share data. */
function databaseUri(name: string): string {
  return inject('stack').mongodbUri.replace(/^(mongodb:\/\/[^/?]+)(\/[^?]*)?/, `$1/${name}`);
}

let connection: Connection;
let first: SeedResult;

const count = (name: string, filter: Record<string, unknown> = {}) =>
  connection.db!.collection(name).countDocuments(filter);
const share = async (name: string, filter: Record<string, unknown>, of: number) => (await count(name, filter)) / of;
const yearsBefore = (years: number) => `${2026 - years}${OPTIONS.asOf.slice(4)}`;

beforeAll(async () => {
  connection = await mongoose
    .createConnection(databaseUri(`applyfree_seed_${process.pid}`), { autoIndex: false })
    .asPromise();
  first = await seedCity(connection, { ...OPTIONS, reset: true });
}, 180_000);
afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

describe('the synthetic city', () => {
  it('writes one subject row and the core records for every resident and enterprise', async () => {
    expect(first.residents).toEqual({ inserted: RESIDENTS, skipped: 0 });
    expect(first.enterprises).toEqual({ inserted: ENTERPRISES, skipped: 0 });
    expect(await count('subjects', { kind: 'person' })).toBe(RESIDENTS);
    expect(await count('subjects', { kind: 'enterprise' })).toBe(ENTERPRISES);
    for (const name of ['dp_household_registry', 'dp_civil_affairs', 'dp_social_insurance', 'dp_social_security_card'])
      expect(await count(name)).toBe(RESIDENTS);
    for (const name of ['dp_business_registry', 'dp_enterprise_insurance', 'dp_tax', 'dp_credit'])
      expect(await count(name)).toBe(ENTERPRISES);
  });

  it('issues only valid resident IDs whose embedded birth date and gender match the registry', async () => {
    const people = await sharedCollection(connection, 'dp_household_registry').find({}).toArray();
    expect(new Set(people.map((p) => p.idNumber)).size).toBe(RESIDENTS);
    for (const person of people) {
      const info = validateResidentId(person.idNumber);
      expect([info.birthDate, info.gender]).toEqual([person.birthDate, person.gender]);
    }
    const firms = await sharedCollection(connection, 'dp_business_registry').find({}).toArray();
    for (const firm of firms) expect(validateCreditCode(firm.creditCode).regionCode.slice(0, 4)).toBe('3714');
  });

  it('keys every subject with its pseudonym and resolves the key back to the identifier', async () => {
    const subjects = await registerSubjectModel(connection).find({}).lean();
    for (const s of subjects) {
      expect(s._id).toBe(s.subjectKey);
      expect(s.subjectKey).toBe(subjectKey(s.kind, s.idNumber ?? s.creditCode!, OPTIONS.secret));
    }
    const person = subjects.find((s) => s.kind === 'person')!;
    expect(await resolveSubject(connection, person.subjectKey)).toEqual({ kind: 'person', idNumber: person.idNumber });
    expect(await resolveSubject(connection, 'p_unknownunknownunknownunkn')).toBeUndefined();
  });

  it('has the age pyramid, sex ratio, districts and hukou shares of Dezhou', async () => {
    const people = await sharedCollection(connection, 'dp_household_registry').find({}).toArray();
    const shareOf = (test: (p: (typeof people)[number]) => boolean) => people.filter(test).length / RESIDENTS;
    expect(shareOf((p) => p.birthDate <= yearsBefore(60))).toBeGreaterThan(0.16);
    expect(shareOf((p) => p.birthDate <= yearsBefore(60))).toBeLessThan(0.25);
    expect(shareOf((p) => p.birthDate <= yearsBefore(80))).toBeGreaterThan(0.025);
    expect(shareOf((p) => p.birthDate <= yearsBefore(80))).toBeLessThan(0.06);
    expect(shareOf((p) => p.birthDate > yearsBefore(3))).toBeGreaterThan(0.01);
    expect(shareOf((p) => p.gender === 'male')).toBeGreaterThan(0.46);
    expect(shareOf((p) => p.gender === 'male')).toBeLessThan(0.54);
    expect(shareOf((p) => p.localHukou)).toBeGreaterThan(0.89);
    expect(shareOf((p) => p.localHukou)).toBeLessThan(0.95);
    for (const district of DISTRICTS) {
      expect(shareOf((p) => p.district === district)).toBeGreaterThan(0.02);
      expect(shareOf((p) => p.district === district)).toBeLessThan(0.2);
    }
  });

  it('has plausible marital, work, disability, dibao and income figures', async () => {
    expect(
      await count('dp_civil_affairs', { maritalStatus: { $ne: 'single' }, idNumber: { $in: await minors() } }),
    ).toBe(0);
    expect(
      await share('dp_social_insurance', { employmentStatus: 'unemployed', unemploymentRegistered: true }, RESIDENTS),
    ).toBeGreaterThan(0.006);
    expect(
      await share('dp_social_insurance', { employmentStatus: 'unemployed', unemploymentRegistered: true }, RESIDENTS),
    ).toBeLessThan(0.028);
    const disabled = await count('dp_disability');
    expect(disabled / RESIDENTS).toBeGreaterThan(0.04);
    expect(disabled / RESIDENTS).toBeLessThan(0.08);
    expect(await count('dp_disability', { disabilityCertified: true })).toBe(disabled);
    const severe = (await count('dp_disability', { disabilityGrade: { $lte: 2 } })) / disabled;
    expect(severe).toBeGreaterThan(0.28);
    expect(severe).toBeLessThan(0.52);
    expect(await share('dp_civil_affairs', { minimumLivingAllowance: true }, RESIDENTS)).toBeGreaterThan(0.01);
    expect(await share('dp_civil_affairs', { minimumLivingAllowance: true }, RESIDENTS)).toBeLessThan(0.045);
    expect(
      await count('dp_civil_affairs', { minimumLivingAllowance: true, householdIncomePerCapita: { $gte: 900 } }),
    ).toBe(0);
    const incomes = (await sharedCollection(connection, 'dp_civil_affairs').find({}).toArray())
      .map((c) => c.householdIncomePerCapita)
      .sort((a, b) => a - b);
    expect(incomes[Math.floor(incomes.length / 2)]).toBeGreaterThan(2000);
    expect(incomes[Math.floor(incomes.length / 2)]).toBeLessThan(3000);
  });

  it('gives every minor a living adult guardian at least 18 years older, and schools every child of 6-15', async () => {
    const registry = sharedCollection(connection, 'dp_household_registry');
    const children = await registry.find({ birthDate: { $gt: yearsBefore(18) } }).toArray();
    expect(children.length).toBeGreaterThan(RESIDENTS * 0.15);
    const guardians = new Map(
      (await registry.find({ idNumber: { $in: children.map((c) => c.guardianIdNumber!) } }).toArray()).map((g) => [
        g.idNumber,
        g,
      ]),
    );
    for (const child of children) {
      const guardian = guardians.get(child.guardianIdNumber!);
      expect(guardian, 'guardian exists').toBeDefined();
      expect(guardian!.alive).toBe(true);
      expect(Number(child.birthDate.slice(0, 4)) - Number(guardian!.birthDate.slice(0, 4))).toBeGreaterThanOrEqual(18);
    }
    expect(
      await count('dp_household_registry', {
        birthDate: { $lte: yearsBefore(18) },
        guardianIdNumber: { $exists: true },
      }),
    ).toBe(0);
    const schoolAge = await count('dp_household_registry', {
      birthDate: { $lte: yearsBefore(6), $gt: yearsBefore(16) },
    });
    expect(await count('dp_education')).toBe(schoolAge);
  });

  it('has enterprise sizes, arrears, dishonesty and premiums consistent with insured employees', async () => {
    expect(await share('dp_business_registry', { size: 'micro' }, ENTERPRISES)).toBeGreaterThan(0.72);
    expect(await share('dp_business_registry', { size: 'micro' }, ENTERPRISES)).toBeLessThan(0.88);
    expect(await share('dp_business_registry', { size: 'large' }, ENTERPRISES)).toBeLessThan(0.03);
    expect(await share('dp_enterprise_insurance', { premiumsInArrears: true }, ENTERPRISES)).toBeLessThan(0.07);
    expect(await share('dp_credit', { seriousDishonesty: true }, ENTERPRISES)).toBeLessThan(0.03);
    expect(await count('dp_tax', { taxCreditRating: { $ne: 'D' }, creditCode: { $in: await dishonest() } })).toBe(0);
    const firms = new Map(
      (await sharedCollection(connection, 'dp_business_registry').find({}).toArray()).map((f) => [f.creditCode, f]),
    );
    for (const ins of await sharedCollection(connection, 'dp_enterprise_insurance').find({}).toArray()) {
      expect(ins.insuredEmployeesLastYear).toBeLessThanOrEqual(firms.get(ins.creditCode)!.employeeCount);
      if (ins.insuredEmployeesLastYear === 0) expect(ins.unemploymentPremiumsLastYear).toBe(0);
      else expect(ins.unemploymentPremiumsLastYear / ins.insuredEmployeesLastYear).toBeGreaterThan(400);
    }
    expect(await share('dp_enterprise_insurance', { layoffRate: { $lte: 5.5 } }, ENTERPRISES)).toBeGreaterThan(0.85);
  });

  it('names every column exactly as the data-source catalog, dates as YYYY-MM-DD', async () => {
    for (const source of DATA_SOURCES) {
      const docs = await connection.db!.collection(source.collection).find({}).limit(500).toArray();
      for (const field of source.fields) {
        const values = docs.map((doc) => doc[field.column]).filter((value) => value !== undefined);
        expect(values.length, `${source.collection}.${field.column}`).toBeGreaterThan(0);
        const expected = field.type === 'date' ? 'string' : field.type;
        for (const value of values) expect(typeof value, `${source.collection}.${field.column}`).toBe(expected);
        if (field.type === 'date') for (const value of values) expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (field.values) for (const value of values) expect(field.values).toContain(value);
      }
    }
  });

  it('declares a unique key index on every shared-data collection and on subject keys', async () => {
    for (const source of DATA_SOURCES) {
      const key = source.subject === 'person' ? 'idNumber' : 'creditCode';
      const indexes = await connection.db!.collection(source.collection).indexes();
      expect(indexes.find((index) => index.key[key] === 1)?.unique, source.collection).toBe(true);
    }
    const person = await sharedCollection(connection, 'dp_household_registry').findOne({});
    expect(person!._id).toBe(person!.idNumber);
    const subjectIndexes = await connection.db!.collection('subjects').indexes();
    expect(subjectIndexes.find((index) => index.key.subjectKey === 1)?.unique).toBe(true);
  });

  it('picks demo subjects with their keys: a child under one and a registered unemployed adult', async () => {
    const babies = await pickSubjects(connection, demoFilters.childUnderOne(OPTIONS.asOf), 3);
    expect(babies.length).toBeGreaterThan(0);
    for (const baby of babies) {
      expect(validateResidentId(baby.idNumber!).birthDate > yearsBefore(1)).toBe(true);
      expect(baby.subjectKey).toBe(subjectKey('person', baby.idNumber!, OPTIONS.secret));
    }
    const [unemployed] = await pickSubjects(connection, demoFilters.registeredUnemployed(), 1, OPTIONS.secret);
    expect(
      await sharedCollection(connection, 'dp_social_insurance').findOne({ idNumber: unemployed.idNumber }),
    ).toMatchObject({ employmentStatus: 'unemployed' });
    const [firm] = await pickSubjects(connection, demoFilters.stableEmployer(), 1);
    expect(firm).toMatchObject({ kind: 'enterprise', subjectKey: expect.stringMatching(/^e_/) });
    const [veteran] = await pickSubjects(connection, demoFilters.veteran(), 1, OPTIONS.secret);
    expect(await sharedCollection(connection, 'dp_veterans').findOne({ idNumber: veteran.idNumber })).toMatchObject({
      veteran: true,
    });
    const [alone] = await pickSubjects(connection, demoFilters.olderLivingAlone(), 1);
    expect(validateResidentId(alone.idNumber!).birthDate <= yearsBefore(60)).toBe(true);
    expect(await pickSubjects(connection, demoFilters.pensioner(), 2)).toHaveLength(2);
    expect(await pickSubjects(connection, demoFilters.highTechEnterprise(), 1)).toHaveLength(1);
  });

  it('reproduces the same residents from the same seed, whatever the run size', async () => {
    const generator = new PersonGenerator(OPTIONS.seed, OPTIONS.secret, OPTIONS.asOf);
    const firstHundred = Array.from({ length: 100 }, () => generator.next().household.idNumber);
    expect(await count('dp_household_registry', { idNumber: { $in: firstHundred } })).toBe(100);
  });

  it('is idempotent: a re-run adds nothing, and an interrupted batch is completed', async () => {
    const before = await allCounts();
    const again = await seedCity(connection, OPTIONS);
    expect(again.residents).toEqual({ inserted: 0, skipped: RESIDENTS });
    expect(await allCounts()).toEqual(before);

    // A crash after some writes of a batch but before its completion mark.
    const victims = (await sharedCollection(connection, 'dp_household_registry').find({}).limit(25).toArray()).map(
      (p) => p.idNumber,
    );
    await connection.db!.collection('subjects').deleteMany({ idNumber: { $in: victims } });
    await sharedCollection(connection, 'dp_civil_affairs').deleteMany({ idNumber: { $in: victims } });
    await connection.db!.collection('seed_meta').updateOne({ _id: 'city' as never }, { $set: { residentBatches: [] } });
    const resumed = await seedCity(connection, OPTIONS);
    expect(resumed.residents).toEqual({ inserted: 25, skipped: RESIDENTS - 25 });
    expect(await allCounts()).toEqual(before);
  });

  it('marks every batch done though two are written at once, so a run after it writes nothing and skips them all', async () => {
    const small = await mongoose
      .createConnection(databaseUri(`applyfree_seed_marks_${process.pid}`), { autoIndex: false })
      .asPromise();
    try {
      const options = { ...OPTIONS, residents: 1_000, enterprises: 0, batchSize: 50 };
      expect((await seedCity(small, { ...options, reset: true })).residents).toEqual({ inserted: 1_000, skipped: 0 });
      const meta = await small.db!.collection('seed_meta').findOne({ _id: 'city' as never });
      expect([...(meta?.residentBatches as string[])].sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `${i}:50`).sort(),
      );
      expect((await seedCity(small, options)).residents).toEqual({ inserted: 0, skipped: 1_000 });
    } finally {
      await small.dropDatabase();
      await small.close();
    }
  });

  it('gives the card accounts to the residents of a city seeded before they existed', async () => {
    const before = await allCounts();
    await connection.db!.collection('dp_social_security_card').deleteMany({});
    await connection.db!.collection('seed_meta').updateOne({ _id: 'city' as never }, { $unset: { layout: '' } });
    const again = await seedCity(connection, OPTIONS);
    expect(again.residents).toEqual({ inserted: 0, skipped: RESIDENTS });
    expect(await count('dp_social_security_card')).toBe(RESIDENTS);
    expect(await allCounts()).toEqual(before);
  });

  it('gives a city seeded before the other departments’ records existed its pensions, veterans, tax returns, …', async () => {
    const before = await allCounts();
    const added = ['dp_pension', 'dp_veterans', 'dp_rural_collective', 'dp_high_tech', 'dp_tax_returns'];
    for (const name of added) await connection.db!.collection(name).drop();
    await connection.db!.collection('seed_meta').updateOne({ _id: 'city' as never }, { $set: { layout: 2 } });
    const again = await seedCity(connection, OPTIONS);
    expect(again.residents).toEqual({ inserted: 0, skipped: RESIDENTS });
    expect(await allCounts()).toEqual(before);
    for (const name of added) expect(before[name], name).toBeGreaterThan(0);
  });

  it('has the other departments’ records in the shares the generators state', async () => {
    const pensioners = await sharedCollection(connection, 'dp_pension').find({ pensionReceiving: true }).toArray();
    expect(pensioners.length / RESIDENTS).toBeGreaterThan(0.16);
    expect(pensioners.length / RESIDENTS).toBeLessThan(0.26);
    const registry = new Map(
      (await sharedCollection(connection, 'dp_household_registry').find({}).toArray()).map((p) => [p.idNumber, p]),
    );
    for (const p of pensioners) expect(registry.get(p.idNumber)!.birthDate <= yearsBefore(55)).toBe(true);
    const veterans = await sharedCollection(connection, 'dp_veterans').find({ veteran: true }).toArray();
    expect(
      veterans.filter((v) => registry.get(v.idNumber)!.gender === 'male').length / veterans.length,
    ).toBeGreaterThan(0.85);
    expect(await share('dp_medical_security', { medicalInsuranceEnrolled: true }, RESIDENTS)).toBeGreaterThan(0.9);
    expect(await share('dp_rural_collective', {}, RESIDENTS)).toBeGreaterThan(0.35);
    expect(await count('dp_tax_returns')).toBe(ENTERPRISES);
    const firms = new Map(
      (await sharedCollection(connection, 'dp_business_registry').find({}).toArray()).map((f) => [f.creditCode, f]),
    );
    for (const firm of await sharedCollection(connection, 'dp_high_tech').find({}).toArray())
      expect(firms.get(firm.creditCode)!.status).toBe('active');
  });

  it('adds only the newcomers when the same seed is run for more residents', async () => {
    const grown = await seedCity(connection, { ...OPTIONS, residents: RESIDENTS + 100 });
    expect(grown.residents).toEqual({ inserted: 100, skipped: RESIDENTS });
    expect(await count('dp_household_registry')).toBe(RESIDENTS + 100);
  });

  it('records a subject once through ensureSubject, with _id equal to its key', async () => {
    const key = subjectKey('person', '11010519491231002X', OPTIONS.secret);
    await ensureSubject(connection, { subjectKey: key, kind: 'person', idNumber: '11010519491231002X' });
    await ensureSubject(connection, { subjectKey: key, kind: 'person', idNumber: '11010519491231002X' });
    expect(await count('subjects', { _id: key })).toBe(1);
    expect(await resolveSubject(connection, key)).toEqual({ kind: 'person', idNumber: '11010519491231002X' });
    const model = registerSubjectModel(connection);
    const created = await model.create({
      subjectKey: 'p_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      kind: 'person',
      idNumber: '440524188001010014',
    });
    expect(created._id).toBe('p_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    await model.deleteOne({ _id: 'p_aaaaaaaaaaaaaaaaaaaaaaaaaa' });
  });

  it('starts over with reset', async () => {
    const result = await seedCity(connection, { ...OPTIONS, residents: 200, enterprises: 20, reset: true });
    expect(result.residents.inserted).toBe(200);
    expect(await count('subjects')).toBe(220);
    expect(await count('dp_household_registry')).toBe(200);
  });
});

async function minors(): Promise<string[]> {
  return (
    await sharedCollection(connection, 'dp_household_registry')
      .find({ birthDate: { $gt: yearsBefore(18) } })
      .toArray()
  ).map((p) => p.idNumber);
}
async function dishonest(): Promise<string[]> {
  return (await sharedCollection(connection, 'dp_credit').find({ seriousDishonesty: true }).toArray()).map(
    (c) => c.creditCode,
  );
}
async function allCounts(): Promise<Record<string, number>> {
  const names = ['subjects', ...DATA_SOURCES.map((s) => s.collection)];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await count(name)] as const)));
}
