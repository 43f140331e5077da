import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { MongoCollectionAdapter, createAdapterRegistry } from '../../activities/shared-data/adapters.js';
import {
  makeFetchFacts,
  makeFetchFactsForMany,
  makeFetchFactsForPolicies,
  type FetchFactsInput,
} from '../../activities/shared-data/fetch-facts.js';
import { findSource, type DataSource } from '../../domain/sources.js';
import { registerAccessRecordModel } from '../../store/access-records.js';

const ID_ELDER = '371402195003101234';
const ID_NO_RECORDS = '371402198807154321';
const ID_GUARDIAN = '371402196001015678';
const ID_ORPHAN_GUARDIAN = '371402196101018765';
const ID_CHILD = '371402202001011111';
const USCC = '91371400MA3C1234XY';
const RAW_IDS = [ID_ELDER, ID_NO_RECORDS, ID_GUARDIAN, ID_ORPHAN_GUARDIAN, ID_CHILD, USCC];

let connection: Connection;
let server: Server;
/** The social-insurance department's verification service: answers, or fails with 503. */
let departmentDown = false;
const at = new Date('2025-06-01T08:00:00Z');
let fetchFacts: ReturnType<typeof makeFetchFacts>;
let fetchFactsForMany: ReturnType<typeof makeFetchFactsForMany>;
let fetchFactsForPolicies: ReturnType<typeof makeFetchFactsForPolicies>;
/** Reads of each source through the adapters fetchFactsForPolicies uses, and the columns each asked for. */
const reads: Array<{ source: string; columns: string[] }> = [];

beforeAll(async () => {
  connection = await mongoose
    .createConnection(inject('stack').mongodbUri, { dbName: `af_fetch_${randomUUID().slice(0, 8)}` })
    .asPromise();
  const db = connection.db!;
  await db.collection<Record<string, unknown> & { _id: string }>('subjects').insertMany([
    { _id: 'sk_elder', subjectKey: 'sk_elder', kind: 'person', idNumber: ID_ELDER },
    { _id: 'sk_no_records', subjectKey: 'sk_no_records', kind: 'person', idNumber: ID_NO_RECORDS },
    { _id: 'sk_guardian', subjectKey: 'sk_guardian', kind: 'person', idNumber: ID_GUARDIAN },
    { _id: 'sk_child', subjectKey: 'sk_child', kind: 'person', idNumber: ID_CHILD },
    { _id: 'sk_firm', subjectKey: 'sk_firm', kind: 'enterprise', creditCode: USCC },
  ]);
  await db.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertMany([
    // gender is a catalog field the test policies do not declare; criminalRecord is no catalog field at all.
    {
      _id: ID_ELDER,
      idNumber: ID_ELDER,
      birthDate: '1950-03-10',
      localHukou: true,
      district: '德城区',
      gender: 'female',
      criminalRecord: 'SENSITIVE',
    },
    {
      _id: ID_NO_RECORDS,
      idNumber: ID_NO_RECORDS,
      birthDate: '1988-07-15',
      localHukou: true,
      district: '陵城区',
      gender: 'male',
    },
    { _id: ID_CHILD, idNumber: ID_CHILD, birthDate: '2020-01-01', localHukou: true, guardianIdNumber: ID_GUARDIAN },
    {
      _id: '371402202101012222',
      idNumber: '371402202101012222',
      birthDate: '2021-01-01',
      localHukou: true,
      guardianIdNumber: ID_ORPHAN_GUARDIAN,
    },
  ]);
  await db.collection<Record<string, unknown> & { _id: string }>('dp_disability').insertOne({
    _id: ID_ELDER,
    idNumber: ID_ELDER,
    disabilityGrade: 2,
    disabilityType: 'physical',
    disabilityCertifiedOn: '2015-05-05',
  });
  await db
    .collection<Record<string, unknown> & { _id: string }>('dp_civil_affairs')
    .insertOne({ _id: ID_ELDER, idNumber: ID_ELDER, minimumLivingAllowance: true, maritalStatus: 'widowed' });
  await db
    .collection<Record<string, unknown> & { _id: string }>('dp_business_registry')
    .insertOne({ _id: USCC, creditCode: USCC, establishedOn: '2024-02-01', status: 'active', size: 'small' });

  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const request = JSON.parse(raw) as { subject: { idNumber: string } };
      if (departmentDown) {
        res.writeHead(503).end(`unavailable for ${request.subject.idNumber}`);
        return;
      }
      const found = request.subject.idNumber === ID_ELDER;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(found ? { found, values: { employmentStatus: 'retired', retiredOn: '2010-03-31' } } : { found }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adapters = createAdapterRegistry({
    connection,
    http: {
      'social-insurance': {
        baseUrl,
        timeoutMs: 5_000,
        retries: 1,
        breaker: { failureThreshold: 100, cooldownMs: 60_000 },
        development: true,
      },
    },
    sleep: async () => undefined,
  });
  fetchFacts = makeFetchFacts({ connection, adapters, now: () => at });
  fetchFactsForMany = makeFetchFactsForMany({ connection, adapters, now: () => at });
  fetchFactsForPolicies = makeFetchFactsForPolicies({
    connection,
    adapters: {
      ...adapters,
      adapterFor: (sourceId) => {
        const adapter = adapters.adapterFor(sourceId);
        return {
          fetch: (request) => (reads.push({ source: sourceId, columns: request.columns }), adapter.fetch(request)),
        };
      },
    },
    now: () => at,
  });
});
afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});
beforeEach(() => {
  departmentDown = false;
});

const purpose = (text: string, source: string) => ({ source, purpose: text });

function input(
  subjectKey: string,
  facts: FetchFactsInput['facts'],
  idempotencyKey = `life-event:${randomUUID()}:fetch:p`,
): FetchFactsInput {
  return {
    caseId: `case-${randomUUID()}`,
    subjectKey,
    policyId: 'test-policy',
    policyVersion: 3,
    facts,
    idempotencyKey,
  };
}

function expectNoRawId(value: unknown): void {
  const text = JSON.stringify(value);
  for (const id of RAW_IDS) expect(text).not.toContain(id);
}

describe('fetchFacts on the real store', () => {
  it('the platform adapter reads only the requested columns', async () => {
    const source = findSource('household-registry') as DataSource;
    const answer = await new MongoCollectionAdapter(connection).fetch({
      source,
      idValue: ID_ELDER,
      columns: ['birthDate', 'localHukou'],
    });
    expect(answer).toEqual({ found: true, values: { birthDate: '1950-03-10', localHukou: true } });
  });

  it('returns exactly the declared facts, nothing else from the record', async () => {
    const result = await fetchFacts(
      input('sk_elder', {
        'person.birthDate': purpose('aged 80 or over', 'household-registry'),
        'person.localHukou': purpose('local household registration', 'household-registry'),
      }),
    );
    expect(result).toEqual({
      values: { 'person.birthDate': '1950-03-10', 'person.localHukou': true },
      missingFacts: [],
      absentFacts: [],
      failedSources: [],
    });
    expect(JSON.stringify(result)).not.toContain('SENSITIVE');
    expectNoRawId(result);
  });

  it('writes one access record per source pulled, with the fields, purposes and department', async () => {
    const request = input('sk_elder', {
      'person.birthDate': purpose('aged 80 or over', 'household-registry'),
      'person.localHukou': purpose('local household registration', 'household-registry'),
      'person.disabilityGrade': purpose('severe disability (grade 1-2)', 'disability-federation'),
      'person.employmentStatus': purpose('retired', 'social-insurance'),
    });
    const result = await fetchFacts(request);
    expect(result.values).toEqual({
      'person.birthDate': '1950-03-10',
      'person.localHukou': true,
      'person.disabilityGrade': 2,
      'person.employmentStatus': 'retired',
    });

    const records = await registerAccessRecordModel(connection)
      .find({ caseId: request.caseId }, { _id: 0 })
      .sort({ source: 1 })
      .lean();
    expect(records).toEqual([
      expect.objectContaining({
        source: 'disability-federation',
        department: '市残疾人联合会',
        fields: ['person.disabilityGrade'],
        purposes: ['severe disability (grade 1-2)'],
        outcome: 'answered',
      }),
      expect.objectContaining({
        key: `${request.idempotencyKey}:household-registry`,
        subjectKey: 'sk_elder',
        policyId: 'test-policy',
        policyVersion: 3,
        department: '市公安局',
        fields: ['person.birthDate', 'person.localHukou'],
        purposes: ['aged 80 or over', 'local household registration'],
        outcome: 'answered',
        at,
      }),
      expect.objectContaining({
        source: 'social-insurance',
        department: '市人力资源和社会保障局',
        outcome: 'answered',
      }),
    ]);
    expectNoRawId(records);
  });

  it('a retry with the same idempotency key writes no second access record', async () => {
    const AccessRecords = registerAccessRecordModel(connection);
    const request = input('sk_elder', { 'person.birthDate': purpose('aged 80 or over', 'household-registry') });
    await fetchFacts(request);
    const retried = await fetchFacts(request);
    expect(retried.values).toEqual({ 'person.birthDate': '1950-03-10' });
    expect(await AccessRecords.countDocuments({ caseId: request.caseId })).toBe(1);
    await fetchFacts({ ...request, idempotencyKey: `${request.idempotencyKey}-next-step` });
    expect(await AccessRecords.countDocuments({ caseId: request.caseId })).toBe(2);
    const indexes = await connection.db!.collection('access_records').indexes();
    expect(indexes.find((index) => index.key.key === 1)?.unique).toBe(true);
  });

  it('a subject the disability and civil-affairs sources hold no record of: booleans false, the rest absent, nothing missing', async () => {
    const request = input('sk_no_records', {
      'person.disabilityGrade': purpose('severe disability (grade 1-2)', 'disability-federation'),
      'person.disabilityType': purpose('type of disability', 'disability-federation'),
      'person.minimumLivingAllowance': purpose('receives dibao', 'civil-affairs'),
      'person.employmentStatus': purpose('retired', 'social-insurance'),
    });
    const result = await fetchFacts(request);
    expect(result).toEqual({
      values: { 'person.minimumLivingAllowance': false },
      absentFacts: ['person.disabilityGrade', 'person.disabilityType', 'person.employmentStatus'],
      missingFacts: [],
      failedSources: [],
    });
    const outcomes = await registerAccessRecordModel(connection).find({ caseId: request.caseId }).distinct('outcome');
    expect(outcomes).toEqual(['not-found']);
  });

  it('a failing department makes its facts missing and is reported, while the other sources still answer', async () => {
    departmentDown = true;
    const request = input('sk_elder', {
      'person.birthDate': purpose('aged 60 or over', 'household-registry'),
      'person.employmentStatus': purpose('retired', 'social-insurance'),
      'person.pensionInsured': purpose('insured for the pension', 'social-insurance'),
    });
    const result = await fetchFacts(request);
    expect(result.values).toEqual({ 'person.birthDate': '1950-03-10' });
    expect(result.values).not.toHaveProperty('person.pensionInsured');
    expect(result.missingFacts).toEqual(['person.employmentStatus', 'person.pensionInsured']);
    expect(result.failedSources).toEqual([
      { source: 'social-insurance', error: expect.stringMatching(/^ServerError: .*503/) },
    ]);
    expectNoRawId(result);
    const failed = await registerAccessRecordModel(connection)
      .findOne({ caseId: request.caseId, source: 'social-insurance' })
      .lean();
    expect(failed?.outcome).toBe('failed');
  });

  it("returns a guardian's ID as the guardian's subject key, and as missing when no subject maps to it", async () => {
    const facts = { 'person.guardianIdNumber': purpose('guardian receives the subsidy', 'household-registry') };
    const mapped = await fetchFacts(input('sk_child', facts));
    expect(mapped.values).toEqual({ 'person.guardianIdNumber': 'sk_guardian' });

    await connection
      .db!.collection<Record<string, unknown> & { _id: string }>('subjects')
      .insertOne({ _id: 'sk_child2', subjectKey: 'sk_child2', kind: 'person', idNumber: '371402202101012222' });
    const unmapped = await fetchFacts(input('sk_child2', facts));
    expect(unmapped).toMatchObject({ values: {}, missingFacts: ['person.guardianIdNumber'] });
    expectNoRawId([mapped, unmapped]);
  });

  it('reads enterprise sources by credit code; not on the dishonesty list is false', async () => {
    const result = await fetchFacts(
      input('sk_firm', {
        'enterprise.establishedOn': purpose('established within a year', 'business-registry'),
        'enterprise.size': purpose('small or micro enterprise', 'business-registry'),
        'enterprise.seriousDishonesty': purpose('not seriously dishonest', 'credit'),
      }),
    );
    expect(result.values).toEqual({
      'enterprise.establishedOn': '2024-02-01',
      'enterprise.size': 'small',
      'enterprise.seriousDishonesty': false,
    });
    expectNoRawId(result);
  });

  it('rejects a fact outside the catalog, or declared from the wrong source, before reading anything', async () => {
    const AccessRecords = registerAccessRecordModel(connection);
    const unknown = input('sk_elder', { 'person.income': purpose('means test', 'tax') });
    await expect(fetchFacts(unknown)).rejects.toMatchObject({ type: 'UndeclaredFact', nonRetryable: true });
    const wrongSource = input('sk_elder', { 'person.birthDate': purpose('age', 'civil-affairs') });
    await expect(fetchFacts(wrongSource)).rejects.toMatchObject({
      type: 'UndeclaredFact',
      nonRetryable: true,
      message: expect.stringContaining('household-registry'),
    });
    expect(await AccessRecords.countDocuments({ caseId: { $in: [unknown.caseId, wrongSource.caseId] } })).toBe(0);
  });

  it('rejects an unknown subject key, and a person source for an enterprise', async () => {
    const facts = { 'person.birthDate': purpose('age', 'household-registry') };
    await expect(fetchFacts(input('sk_nobody', facts))).rejects.toMatchObject({
      type: 'UnknownSubject',
      nonRetryable: true,
    });
    await expect(fetchFacts(input('sk_firm', facts))).rejects.toMatchObject({
      type: 'SubjectKindMismatch',
      nonRetryable: true,
    });
  });
});

describe('fetchFactsForMany: a chunk of subjects (the payroll) read source by source', () => {
  const facts = {
    'person.birthDate': purpose('aged 80 or over', 'household-registry'),
    'person.guardianIdNumber': purpose('guardian receives the subsidy', 'household-registry'),
    'person.disabilityGrade': purpose('severe disability (grade 1-2)', 'disability-federation'),
    'person.minimumLivingAllowance': purpose('receives dibao', 'civil-affairs'),
    // Answered by the department's HTTP service, which has no many-subject read: one request each.
    'person.employmentStatus': purpose('retired', 'social-insurance'),
  };
  const shared = (caseId: string) => ({ caseId, policyId: 'test-policy', policyVersion: 3, facts });
  const chunk = (caseId: string, keys: string[]) =>
    keys.map((subjectKey) => ({ subjectKey, idempotencyKey: `${caseId}:${subjectKey}` }));

  it('the platform adapter reads many IDs in one query: only the requested columns, not found for those it lacks', async () => {
    const answers = await new MongoCollectionAdapter(connection).fetchMany({
      source: findSource('household-registry') as DataSource,
      idValues: [ID_ELDER, ID_GUARDIAN, ID_NO_RECORDS],
      columns: ['birthDate'],
    });
    expect([...answers.entries()]).toEqual([
      [ID_ELDER, { found: true, values: { birthDate: '1950-03-10' } }],
      [ID_GUARDIAN, { found: false, values: {} }],
      [ID_NO_RECORDS, { found: true, values: { birthDate: '1988-07-15' } }],
    ]);
  });

  it('answers each subject, in the order given, exactly as fetchFacts does for it alone', async () => {
    const keys = ['sk_no_records', 'sk_elder', 'sk_child', 'sk_guardian'];
    const caseId = `payroll-${randomUUID()}`;
    const many = await fetchFactsForMany(shared(caseId), chunk(caseId, keys));
    const alone = await Promise.all(keys.map((subjectKey) => fetchFacts(input(subjectKey, facts))));
    expect(many).toEqual(alone);
    expect(many[1].values).toMatchObject({ 'person.birthDate': '1950-03-10', 'person.disabilityGrade': 2 });
    expect(many[2].values).toMatchObject({ 'person.guardianIdNumber': 'sk_guardian' });
    expectNoRawId(many);
  });

  it('writes one access record per subject and source, and a retry of the chunk writes none again', async () => {
    const AccessRecords = registerAccessRecordModel(connection);
    const caseId = `payroll-${randomUUID()}`;
    const subjects = chunk(caseId, ['sk_elder', 'sk_no_records']);
    await fetchFactsForMany(shared(caseId), subjects);
    await fetchFactsForMany(shared(caseId), subjects);
    const records = await AccessRecords.find({ caseId }, { _id: 0, subjectKey: 1, source: 1, outcome: 1 })
      .sort({ subjectKey: 1, source: 1 })
      .lean();
    expect(records).toEqual([
      { subjectKey: 'sk_elder', source: 'civil-affairs', outcome: 'answered' },
      { subjectKey: 'sk_elder', source: 'disability-federation', outcome: 'answered' },
      { subjectKey: 'sk_elder', source: 'household-registry', outcome: 'answered' },
      { subjectKey: 'sk_elder', source: 'social-insurance', outcome: 'answered' },
      { subjectKey: 'sk_no_records', source: 'civil-affairs', outcome: 'not-found' },
      { subjectKey: 'sk_no_records', source: 'disability-federation', outcome: 'not-found' },
      { subjectKey: 'sk_no_records', source: 'household-registry', outcome: 'answered' },
      { subjectKey: 'sk_no_records', source: 'social-insurance', outcome: 'not-found' },
    ]);
  });

  it("a failing department makes its facts missing for every subject of the chunk, and the platform's still answer", async () => {
    departmentDown = true;
    const caseId = `payroll-${randomUUID()}`;
    const [elder, noRecords] = await fetchFactsForMany(shared(caseId), chunk(caseId, ['sk_elder', 'sk_no_records']));
    for (const result of [elder, noRecords]) {
      expect(result.missingFacts).toEqual(['person.employmentStatus']);
      expect(result.failedSources).toEqual([
        { source: 'social-insurance', error: expect.stringMatching(/^ServerError: .*503/) },
      ]);
    }
    expect(elder.values['person.birthDate']).toBe('1950-03-10');
    expectNoRawId([elder, noRecords]);
  });

  it('an unknown subject or a subject of the wrong kind anywhere in the chunk fails it before anything is recorded', async () => {
    const AccessRecords = registerAccessRecordModel(connection);
    const caseId = `payroll-${randomUUID()}`;
    await expect(
      fetchFactsForMany(shared(caseId), chunk(caseId, ['sk_elder', 'sk_nobody', 'sk_no_records'])),
    ).rejects.toMatchObject({
      type: 'UnknownSubject',
      nonRetryable: true,
      message: expect.stringContaining('sk_nobody'),
    });
    await expect(fetchFactsForMany(shared(caseId), chunk(caseId, ['sk_elder', 'sk_firm']))).rejects.toMatchObject({
      type: 'SubjectKindMismatch',
      nonRetryable: true,
    });
    expect(await AccessRecords.countDocuments({ caseId })).toBe(0);
  });
});

describe('fetchFactsForPolicies: every policy of a case from one read per source (a life event)', () => {
  const oldAge = {
    'person.birthDate': purpose('aged 80 or over', 'household-registry'),
    'person.localHukou': purpose('local household registration', 'household-registry'),
    'person.disabilityGrade': purpose('severe disability (grade 1-2)', 'disability-federation'),
  };
  const card = {
    'person.birthDate': purpose('aged 60 or over', 'household-registry'),
    'person.district': purpose('issuing district', 'household-registry'),
    'person.employmentStatus': purpose('retired', 'social-insurance'),
  };
  const policies = (caseId: string) => [
    { policyId: 'old-age', policyVersion: 1, facts: oldAge, idempotencyKey: `${caseId}:facts:old-age` },
    { policyId: 'card', policyVersion: 2, facts: card, idempotencyKey: `${caseId}:facts:card` },
  ];

  it('reads each source once with the columns of every policy, and answers each policy as fetchFacts does alone', async () => {
    const caseId = `life-event:${randomUUID()}`;
    reads.length = 0;
    const both = await fetchFactsForPolicies({ caseId, subjectKey: 'sk_elder' }, policies(caseId));
    expect(reads.map((r) => r.source).sort()).toEqual([
      'disability-federation',
      'household-registry',
      'social-insurance',
    ]);
    expect(reads.find((r) => r.source === 'household-registry')!.columns.sort()).toEqual([
      'birthDate',
      'district',
      'localHukou',
    ]);
    const alone = await Promise.all([fetchFacts(input('sk_elder', oldAge)), fetchFacts(input('sk_elder', card))]);
    expect(both).toEqual(alone);
    expect(both[1].values).toEqual({
      'person.birthDate': '1950-03-10',
      'person.district': '德城区',
      'person.employmentStatus': 'retired',
    });
    expectNoRawId(both);
  });

  it("keeps each policy's own access record per source, with its fields and purposes, and a retry writes none again", async () => {
    const AccessRecords = registerAccessRecordModel(connection);
    const caseId = `life-event:${randomUUID()}`;
    await fetchFactsForPolicies({ caseId, subjectKey: 'sk_elder' }, policies(caseId));
    await fetchFactsForPolicies({ caseId, subjectKey: 'sk_elder' }, policies(caseId));
    const records = await AccessRecords.find({ caseId }, { _id: 0, key: 1, policyId: 1, fields: 1, purposes: 1 })
      .sort({ key: 1 })
      .lean();
    expect(records).toEqual([
      {
        key: `${caseId}:facts:card:household-registry`,
        policyId: 'card',
        fields: ['person.birthDate', 'person.district'],
        purposes: ['aged 60 or over', 'issuing district'],
      },
      {
        key: `${caseId}:facts:card:social-insurance`,
        policyId: 'card',
        fields: ['person.employmentStatus'],
        purposes: ['retired'],
      },
      {
        key: `${caseId}:facts:old-age:disability-federation`,
        policyId: 'old-age',
        fields: ['person.disabilityGrade'],
        purposes: ['severe disability (grade 1-2)'],
      },
      {
        key: `${caseId}:facts:old-age:household-registry`,
        policyId: 'old-age',
        fields: ['person.birthDate', 'person.localHukou'],
        purposes: ['aged 80 or over', 'local household registration'],
      },
    ]);
  });

  it("a failing department makes its facts missing for each policy that reads it, and the others' still answer", async () => {
    departmentDown = true;
    const caseId = `life-event:${randomUUID()}`;
    const [oldAgeFacts, cardFacts] = await fetchFactsForPolicies({ caseId, subjectKey: 'sk_elder' }, policies(caseId));
    expect(oldAgeFacts.missingFacts).toEqual([]);
    expect(cardFacts.missingFacts).toEqual(['person.employmentStatus']);
    expect(cardFacts.failedSources).toEqual([
      { source: 'social-insurance', error: expect.stringMatching(/^ServerError: .*503/) },
    ]);
    expect(cardFacts.values['person.birthDate']).toBe('1950-03-10');
  });

  it('a policy reading a source of another kind of subject fails the case before anything is read or recorded', async () => {
    const caseId = `life-event:${randomUUID()}`;
    reads.length = 0;
    await expect(
      fetchFactsForPolicies({ caseId, subjectKey: 'sk_elder' }, [
        ...policies(caseId),
        {
          policyId: 'startup',
          policyVersion: 1,
          facts: { 'enterprise.status': purpose('in business', 'business-registry') },
          idempotencyKey: `${caseId}:facts:startup`,
        },
      ]),
    ).rejects.toMatchObject({ type: 'SubjectKindMismatch', nonRetryable: true });
    expect(reads).toEqual([]);
    expect(await registerAccessRecordModel(connection).countDocuments({ caseId })).toBe(0);
  });
});
