/**
 * Impact simulation (政策沙盘) on the real store: an officer drafts a new old-age allowance (v3)
 * (from 75, more for the 80s, less for centenarians, none for persons in extreme hardship, who are
 * provided for already) and simulates it over a small city of hand-picked residents. The expected
 * figures are read off the residents, and checked once more by deciding every resident the way a
 * life-event case does (fetchFacts, then evaluatePolicy) — with small-cell suppression off
 * (minimumCellSize 0), since eight residents are all small cells. A draft aimed at one resident
 * of a larger city, with suppression as deployed, answers nothing about them.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { buildApi } from '../api/server.js';
import {
  createPolicyLifecycle,
  PolicyLifecycleError,
  type Actor,
  type PolicyLifecycle,
} from '../services/policies/lifecycle.js';
import { createSimulationRunner, type SimulationRunner, type SimulationView } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import type { Policy } from '../rules/types.js';
import { validatePolicy } from '../rules/validate.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { countPopulation, streamPopulation } from '../store/population.js';
import { makeResidentId } from '../domain/identity.js';
import { addEnterprise, addResident, type TestSubject } from './support/city.js';
import { ALL_UP } from './support/all-up.js';
import { nextDraftVersion } from './support/next-version.js';

const stack = inject('stack');
const AS_OF = '2026-07-01';
/** The version the officer's draft gets: the next after the shipped ones. */
const DRAFT = nextDraftVersion('old-age-allowance');
const wang: Actor = { id: 'u_wang', name: '王芳', role: 'officer' };
let store: Connection;
let lifecycle: PolicyLifecycle;
let runner: SimulationRunner;
let api: FastifyInstance;
let officer: string;
let published: Policy;
const residents: TestSubject[] = [];
const enterprises: TestSubject[] = [];

/** The draft (v3, after the shipped v2), in force from July 2026 (rates set from January): from 75 (50 a month), 150 in the 80s, 250 from 100; not for persons in extreme hardship. */
function oldAgeDraft(): Record<string, unknown> {
  const v1 = structuredClone(published) as unknown as Record<string, unknown> & Policy;
  return {
    ...v1,
    effective: { from: '2026-07-01' },
    facts: {
      ...v1.facts,
      'person.specialHardship': {
        source: 'civil-affairs',
        purpose: 'persons in extreme hardship are provided for already',
      },
    },
    parameters: {
      minimumAge: [{ from: '2026-01-01', value: 75 }],
      monthlyByAgeBand: [{ from: '2026-01-01', value: { '75-79': 50, '80-89': 150, '90-99': 200, '100+': 250 } }],
    },
    conditions: { all: [...(v1.conditions as { all: unknown[] }).all, { condition: 'notInExtremeHardship' }] },
    namedConditions: {
      ...v1.namedConditions,
      reachedEightyBeforeThisMonth: {
        ...v1.namedConditions.reachedEightyBeforeThisMonth,
        label: { zh: '本月之前已年满75周岁', en: 'turned 75 before this month began' },
      },
      notInExtremeHardship: {
        fact: 'person.specialHardship',
        operator: 'equal',
        value: false,
        label: { zh: '非特困供养人员', en: 'not provided for as a person in extreme hardship' },
      },
    },
    tests: [
      {
        name: 'a resident who turned 77 is paid 50 a month from 2026',
        asOf: AS_OF,
        facts: {
          'person.birthDate': '1949-03-10',
          'person.localHukou': true,
          'person.alive': true,
          'person.specialHardship': false,
        },
        expect: { outcome: 'eligible', amount: 50 },
      },
      {
        name: 'a 96-year-old provided for in extreme hardship is not paid twice',
        asOf: AS_OF,
        facts: {
          'person.birthDate': '1930-01-15',
          'person.localHukou': true,
          'person.alive': true,
          'person.specialHardship': true,
        },
        expect: { outcome: 'ineligible' },
      },
    ],
  };
}

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_simulation_${randomUUID().slice(0, 8)}$1`),
  );
  lifecycle = createPolicyLifecycle(store);
  const shipped = (await loadPolicyCatalog()).policies;
  await lifecycle.importCatalog(shipped);
  published = shipped.find((p) => p.id === 'old-age-allowance')!;
  runner = createSimulationRunner({ store, lifecycle, batchSize: 3, readBatchSize: 4, minimumCellSize: 0 });
  officer = await testToken(store, wang.name, wang.role);
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle, simulation: runner },
    health: ALL_UP,
  });
  const local = { 'person.localHukou': true, 'person.alive': true };
  residents.push(
    // 86, local: 100 under v1, 150 under the draft (paid more).
    await addResident(store, '1940-02-01', { ...local, 'person.district': '德城区' }),
    // 77, local: nothing under v1, 50 under the draft (a winner).
    await addResident(store, '1949-03-10', { ...local, 'person.district': '陵城区' }),
    // 96, local, in extreme hardship: 200 under v1, nothing under the draft (a loser).
    await addResident(store, '1930-01-15', {
      ...local,
      'person.district': '德城区',
      'person.specialHardship': true,
      'person.minimumLivingAllowance': false,
    }),
    // 106, local, no civil-affairs record (so not in extreme hardship): 300 under v1, 250 under the draft (paid less).
    await addResident(store, '1920-01-01', { ...local, 'person.district': '禹城市' }),
    // 86, registered elsewhere: never paid.
    await addResident(store, '1940-05-05', {
      'person.localHukou': false,
      'person.alive': true,
      'person.district': '德城区',
    }),
    // 81, alive, household record without the hukou column: undetermined under both.
    await addResident(store, '1945-01-01', { 'person.alive': true, 'person.district': '陵城区' }),
    // 91, local, death registered: never paid.
    await addResident(store, '1935-07-07', {
      'person.localHukou': true,
      'person.alive': false,
      'person.district': '禹城市',
    }),
    // 6, local: never paid.
    await addResident(store, '2020-01-01', { ...local, 'person.district': '德城区' }),
  );
  // A civil-affairs record with no household registration is not a resident of the city: never counted.
  await store
    .db!.collection('dp_civil_affairs')
    .insertOne({ _id: '110101199001010011', idNumber: '110101199001010011', specialHardship: true } as object);
  const firm = (established: string, size: string, district: string) => ({
    'enterprise.establishedOn': established,
    'enterprise.size': size,
    'enterprise.district': district,
  });
  enterprises.push(
    // 16 months old, micro, in business, no arrears, not listed: eligible for 12,000.
    await addEnterprise(store, {
      ...firm('2025-03-01', 'micro', '德城区'),
      'enterprise.status': 'active',
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    }),
    // Medium-sized: not eligible.
    await addEnterprise(store, { ...firm('2025-01-01', 'medium', '陵城区'), 'enterprise.status': 'active' }),
    // 13 months old, small, status and insurance unknown: eligible on its pledge.
    await addEnterprise(store, firm('2025-06-01', 'small', '德城区')),
    // Six months old: not yet eligible.
    await addEnterprise(store, { ...firm('2026-01-01', 'small', '禹城市'), 'enterprise.status': 'active' }),
  );
  await lifecycle.createDraft(wang, oldAgeDraft());
});

afterAll(async () => {
  await runner?.stop();
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

const call = async (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) => {
  const response = await api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.json<SimulationView & { code?: string; messageZh?: string }>() };
};

/** Starts a simulation through the API and follows it to the end, as the console does. */
async function simulate(version: number, asOf: string): Promise<{ first: SimulationView; last: SimulationView }> {
  const started = await call('POST', `/policies/old-age-allowance/versions/${version}/simulate`, officer, { asOf });
  expect(started.status).toBe(202);
  await runner.finished('old-age-allowance', version);
  const read = await call('GET', `/policies/old-age-allowance/versions/${version}/simulation`, officer);
  expect(read.status).toBe(200);
  return { first: started.body, last: read.body };
}

/** Each subject decided as a case decides: the declared facts through fetchFacts, then evaluatePolicy. */
async function decideAsCasesDo(
  policy: Policy,
  subjects: readonly TestSubject[] = residents,
): Promise<{ eligible: number; ineligible: number; undetermined: number; cost: number }> {
  const fetchFacts = makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) });
  const tally = { eligible: 0, ineligible: 0, undetermined: 0, cost: 0 };
  for (const subject of subjects) {
    const pulled = await fetchFacts({
      caseId: `check-${randomUUID()}`,
      subjectKey: subject.subjectKey,
      policyId: policy.id,
      policyVersion: policy.version,
      facts: policy.facts,
      idempotencyKey: randomUUID(),
    });
    const decision = await evaluatePolicy(policy, pulled.values, AS_OF, { acceptPledges: policy.mode === 'pledge' });
    tally[decision.outcome] += 1;
    tally.cost += decision.amount ?? 0;
  }
  return tally;
}

describe('simulating a draft over the whole city', () => {
  it('is read only with a token, and says no simulation has run yet, in both languages', async () => {
    const anonymous = await call('GET', `/policies/old-age-allowance/versions/${DRAFT}/simulation`);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const none = await call('GET', `/policies/old-age-allowance/versions/${DRAFT}/simulation`, officer);
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({
      code: 'NO_SIMULATION',
      messageZh: expect.stringContaining('尚未进行影响模拟') as unknown,
    });
  });

  it('counts who is eligible under the draft, what it costs a month, and who gains or loses against the published version', async () => {
    const { first, last } = await simulate(DRAFT, AS_OF);
    expect(first).toMatchObject({ status: 'running', asOf: AS_OF });
    expect(last.status).toBe('done');
    expect(last.progress).toEqual({ processed: 8, total: 8 });
    const result = last.result!;
    expect(result).toMatchObject({
      policyId: 'old-age-allowance',
      version: DRAFT,
      subject: 'person',
      period: '2026-07',
      notInForceOnAsOf: false,
      population: 8,
    });
    expect(result.counts).toEqual({ eligible: 3, ineligible: 4, undetermined: 1 });
    expect(result.totalCost).toBe(150 + 50 + 250);
    expect(result.baseline).toEqual({
      version: 1,
      counts: { eligible: 3, ineligible: 4, undetermined: 1 },
      totalCost: 100 + 200 + 300,
    });
    expect(result.changes).toEqual({ winners: 1, losers: 1, amountUp: 1, amountDown: 1, unchanged: 4 });
    expect(result.undeterminedCauses).toEqual([
      {
        fact: 'person.localHukou',
        source: 'household-registry',
        label: { zh: '本市户籍', en: 'registered local household (hukou)' },
        count: 1,
      },
    ]);
    expect(result.breakdowns.district.find((row) => row.key === '德城区')).toEqual({
      key: '德城区',
      label: { zh: '德城区', en: 'Decheng District' },
      eligible: 1,
      ineligible: 3,
      undetermined: 0,
      cost: 150,
      baselineEligible: 2,
    });
    expect(
      'ageBand' in result.breakdowns &&
        result.breakdowns.ageBand.map((row) => [row.key, row.eligible, row.ineligible! + row.undetermined!]),
    ).toEqual([
      ['6-17', 0, 1],
      ['60-79', 1, 0],
      ['80+', 2, 4],
    ]);
    expect(JSON.stringify(last)).not.toMatch(/\d{17}[\dX]/);

    // The same residents decided one by one as life-event cases decide them.
    const draft = validatePolicy((await lifecycle.get('old-age-allowance', DRAFT)).document);
    expect(await decideAsCasesDo(draft)).toEqual({ ...result.counts, cost: result.totalCost });
    expect(await decideAsCasesDo(published)).toEqual({ ...result.baseline!.counts, cost: result.baseline!.totalCost });
  });

  it('keeps the last result for an API started later, which answers GET …/simulation with it', async () => {
    const ran = await runner.finished('old-age-allowance', DRAFT);
    expect(ran.status).toBe('done');
    // A second API process over the same store, as after a restart.
    const restarted = createSimulationRunner({ store, lifecycle });
    const later = buildApi({
      sessions: testSessions(store),
      policies: { lifecycle, simulation: restarted },
      health: ALL_UP,
    });
    try {
      const headers = { authorization: `Bearer ${officer}` };
      const read = await later.inject({
        method: 'GET',
        url: `/policies/old-age-allowance/versions/${DRAFT}/simulation`,
        headers,
      });
      expect(read.statusCode).toBe(200);
      const kept = read.json<SimulationView>();
      expect(kept).toMatchObject({ status: 'done', asOf: AS_OF, progress: { processed: 8, total: 8 } });
      expect(kept.result).toEqual(ran.result);
      // Version 1 was never simulated: still none.
      expect(
        (await later.inject({ method: 'GET', url: '/policies/old-age-allowance/versions/1/simulation', headers }))
          .statusCode,
      ).toBe(404);
    } finally {
      await later.close();
    }
  });

  it('simulates a date before the draft takes effect as a what-if, and says so', async () => {
    const { last } = await simulate(DRAFT, '2026-06-01');
    expect(last.status).toBe('done');
    expect(last.result).toMatchObject({
      asOf: '2026-06-01',
      period: '2026-06',
      notInForceOnAsOf: true,
      counts: { eligible: 3, ineligible: 4, undetermined: 1 },
      baseline: { version: 1 },
    });
  });

  it('reports a simulation that cannot run, and why, in both languages', async () => {
    const { last } = await simulate(DRAFT, '2025-06-01');
    expect(last.status).toBe('failed');
    expect(last.result).toBeUndefined();
    expect(last.error).toMatchObject({
      code: 'PARAMETER_NOT_IN_FORCE',
      message: expect.stringContaining('minimumAge') as unknown,
      messageZh: expect.stringContaining('模拟日期 2025-06-01') as unknown,
    });
  });

  it('refuses a malformed date and an unknown version with the reason', async () => {
    const bad = await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/simulate`, officer, {
      asOf: '2026-02-30',
    });
    expect([bad.status, bad.body.code, bad.body.messageZh]).toEqual([
      400,
      'INVALID_AS_OF',
      expect.stringContaining('YYYY-MM-DD'),
    ]);
    expect(
      (await call('POST', '/policies/old-age-allowance/versions/7/simulate', officer, { asOf: AS_OF })).body.code,
    ).toBe('POLICY_NOT_FOUND');
    expect(
      (await call('POST', `/policies/old-age-allowance/versions/${DRAFT}/simulate`, undefined, { asOf: AS_OF })).status,
    ).toBe(401);
    const today = await api.inject({
      method: 'POST',
      url: `/policies/old-age-allowance/versions/${DRAFT}/simulate`,
      headers: { authorization: `Bearer ${officer}` },
      payload: {},
    });
    expect([today.statusCode, today.json<SimulationView>().asOf]).toEqual([
      202,
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    ]);
    await runner.finished('old-age-allowance', DRAFT);
  });
});

describe('simulating a policy for enterprises', () => {
  it('breaks the startup subsidy down by enterprise size and district, pledges accepted as cases accept them', async () => {
    await call('POST', '/policies/business-startup-subsidy/versions/1/simulate', officer, { asOf: AS_OF });
    const { result, progress } = await runner.finished('business-startup-subsidy', 1);
    expect(progress).toEqual({ processed: 4, total: 4 });
    expect(result).toMatchObject({
      subject: 'enterprise',
      population: 4,
      counts: { eligible: 2, ineligible: 2, undetermined: 0 },
      totalCost: 24_000,
    });
    expect(result!.baseline).toBeUndefined();
    expect(
      'enterpriseSize' in result!.breakdowns &&
        result!.breakdowns.enterpriseSize.map((row) => [row.key, row.label.zh, row.eligible, row.ineligible]),
    ).toEqual([
      ['micro', '微型企业', 1, 0],
      ['small', '小型企业', 1, 1],
      ['medium', '中型企业', 0, 1],
    ]);
    expect(result!.breakdowns.district.map((row) => [row.key, row.eligible, row.cost])).toEqual([
      ['德城区', 2, 24_000],
      ['陵城区', 0, 0],
      ['禹城市', 0, 0],
    ]);
    const v1 = validatePolicy((await lifecycle.get('business-startup-subsidy', 1)).document);
    expect(await decideAsCasesDo(v1, enterprises)).toEqual({ ...result!.counts, cost: result!.totalCost });
  });
});

describe('a draft aimed at one resident (one birth date, one district, their disability)', () => {
  let city: Connection;
  let cityLifecycle: PolicyLifecycle;
  let cityRunner: SimulationRunner;
  let cityApi: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    city = await connectStore(
      stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_simaimed_${randomUUID().slice(0, 8)}$1`),
    );
    cityLifecycle = createPolicyLifecycle(city);
    await cityLifecycle.importCatalog((await loadPolicyCatalog()).policies);
    // Suppression as deployed: the default minimum cell size.
    cityRunner = createSimulationRunner({ store: city, lifecycle: cityLifecycle });
    token = await testToken(city, wang.name, wang.role);
    cityApi = buildApi({
      sessions: testSessions(city),
      policies: { lifecycle: cityLifecycle, simulation: cityRunner },
      health: ALL_UP,
    });
    const local = { 'person.localHukou': true, 'person.alive': true, 'person.disabilityCertified': false };
    for (let i = 0; i < 40; i++)
      await addResident(city, `19${30 + i}-03-0${1 + (i % 9)}`, { ...local, 'person.district': '德城区' });
    // The one person the draft is aimed at.
    await addResident(city, '1940-11-26', {
      ...local,
      'person.district': '陵城区',
      'person.disabilityCertified': true,
    });
    const v1 = published as unknown as Record<string, unknown> & Policy;
    await cityLifecycle.createDraft(wang, {
      ...structuredClone(v1),
      facts: {
        'person.birthDate': v1.facts['person.birthDate'],
        'person.district': { source: 'household-registry', purpose: 'district of residence' },
        'person.disabilityCertified': { source: 'disability-federation', purpose: 'disability' },
      },
      conditions: {
        all: [
          { fact: 'person.birthDate', operator: 'equal', value: '1940-11-26' },
          { fact: 'person.district', operator: 'equal', value: '陵城区' },
          { fact: 'person.disabilityCertified', operator: 'equal', value: true },
        ],
      },
      namedConditions: {},
      tests: [
        {
          name: 'the one resident it is aimed at is eligible',
          asOf: AS_OF,
          facts: {
            'person.birthDate': '1940-11-26',
            'person.district': '陵城区',
            'person.disabilityCertified': true,
          },
          expect: { outcome: 'eligible', amount: 100 },
        },
      ],
    });
  });
  afterAll(async () => {
    await cityRunner?.stop();
    await cityApi?.close();
    await city?.dropDatabase();
    await city?.close();
  });

  it('answers "withheld" for every outcome, in the answer, the store and the history (abuse 14)', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const url = `/policies/old-age-allowance/versions/${DRAFT}`;
    const started = await cityApi.inject({ method: 'POST', url: `${url}/simulate`, headers, payload: { asOf: AS_OF } });
    expect(started.statusCode, started.body).toBe(202);
    await cityRunner.finished('old-age-allowance', DRAFT);
    const view = (await cityApi.inject({ method: 'GET', url: `${url}/simulation`, headers })).json<SimulationView>();
    expect(view.status).toBe('done');
    expect(view.result).toMatchObject({
      population: 41,
      counts: { eligible: null, ineligible: null, undetermined: null },
      totalCost: null,
      suppression: { minimumCellSize: 10 },
    });
    expect(view.result!.breakdowns.district.find((row) => row.key === '陵城区')).toMatchObject({
      eligible: null,
      ineligible: null,
      undetermined: null,
      cost: null,
    });
    // Nothing smaller than ten is kept anywhere a person could read it.
    const kept = await city.db!.collection('policy_simulations').find({}).toArray();
    expect(JSON.stringify(kept)).not.toMatch(/"(eligible|ineligible|undetermined)":[0-9]\b/);
    const history = await cityLifecycle.history('old-age-allowance');
    expect(history.find((entry) => entry.action === 'simulated')?.changes[0]).toContain(
      '<10 eligible, <10 ineligible, <10 undetermined; cost withheld',
    );
  });
});

describe('streaming the population', () => {
  it('resumes after a key, and counts what is left', async () => {
    const ids: string[] = [];
    for await (const batch of streamPopulation(store, { kind: 'person', facts: [], batchSize: 3, readBatchSize: 2 }))
      ids.push(...batch.map((record) => record.id));
    expect(ids).toEqual(residents.map((resident) => resident.id).sort());
    const rest: string[] = [];
    for await (const batch of streamPopulation(store, {
      kind: 'person',
      facts: ['person.specialHardship'],
      after: ids[2],
    }))
      rest.push(...batch.map((record) => record.id));
    expect(rest).toEqual(ids.slice(3));
    expect(await countPopulation(store, 'person', ids[2])).toBe(5);
    expect(await countPopulation(store, 'person')).toBe(8);
  });
});

describe('submitting a draft', () => {
  it('needs a finished simulation of its current content, named in both languages', async () => {
    await lifecycle.validate(wang, 'old-age-allowance', DRAFT);
    expect((await lifecycle.test(wang, 'old-age-allowance', DRAFT)).failed).toBe(0);
    // A simulation of a date when its parameters were not in force fails, and does not count.
    expect((await simulate(DRAFT, '2025-06-01')).last.status).toBe('failed');
    const refused = await lifecycle.submit(wang, 'old-age-allowance', DRAFT).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PolicyLifecycleError);
    expect(refused).toMatchObject({
      code: 'CHECKS_REQUIRED',
      message: expect.stringContaining('a finished impact simulation') as unknown,
      messageZh: expect.stringContaining('完成影响模拟') as unknown,
    });
    expect((refused as PolicyLifecycleError).message).not.toContain('passing tests');

    expect((await simulate(DRAFT, AS_OF)).last.status).toBe('done');
    const version = await lifecycle.get('old-age-allowance', DRAFT);
    expect(version.simulation).toMatchObject({
      passed: true,
      hash: version.hash,
      detail: expect.stringContaining('1 gain, 1 lose') as unknown,
    });
    expect((await lifecycle.submit(wang, 'old-age-allowance', DRAFT)).status).toBe('submitted');
    const history = await lifecycle.history('old-age-allowance');
    const simulated = history
      .filter((entry) => entry.version === DRAFT && entry.action === 'simulated')
      .map((entry) => entry.changes[0].split(/ over |: /)[0]);
    expect(simulated.slice(0, 3)).toEqual(['as of 2026-07-01', 'as of 2026-06-01', 'failed as of 2025-06-01']);
    expect(simulated.slice(-2)).toEqual(['failed as of 2025-06-01', 'as of 2026-07-01']);
  });
});

describe('a simulation cut off by its API stopping', () => {
  let city: Connection;
  let cityLifecycle: PolicyLifecycle;
  const runners: SimulationRunner[] = [];
  const runnerOf = (options: { now?: () => Date } = {}) => {
    // Small reads and frequent progress writes, so the run is long enough to be caught midway.
    const made = createSimulationRunner({
      store: city,
      lifecycle: cityLifecycle,
      batchSize: 5,
      readBatchSize: 2,
      progressEveryMs: 20,
      ...options,
    });
    runners.push(made);
    return made;
  };

  beforeAll(async () => {
    city = await connectStore(
      stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_simstop_${randomUUID().slice(0, 8)}$1`),
    );
    cityLifecycle = createPolicyLifecycle(city);
    await cityLifecycle.importCatalog((await loadPolicyCatalog()).policies);
    const households = Array.from({ length: 3_000 }, (_, i) => {
      const born = `19${String(20 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`;
      const id = makeResidentId('371402', born, Math.floor(i / 630), 'male');
      return { _id: id, idNumber: id, birthDate: new Date(born), localHukou: true, alive: true };
    });
    await city.db!.collection('dp_household_registry').insertMany(households as never[]);
  });
  afterAll(async () => {
    for (const made of runners) await made.stop();
    await city?.dropDatabase();
    await city?.close();
  });

  it('shows its progress to another API process while it runs, and says it was interrupted once its API stops', async () => {
    const first = runnerOf();
    await first.start(wang, 'old-age-allowance', 1, { asOf: AS_OF });
    // Another API process over the same store follows the progress the first one writes.
    const other = runnerOf();
    await expect
      .poll(async () => (await other.latest('old-age-allowance', 1)).progress.processed, {
        timeout: 5_000,
        interval: 10,
      })
      .toBeGreaterThan(0);
    const running = await other.latest('old-age-allowance', 1);
    expect(running).toMatchObject({ status: 'running', asOf: AS_OF, progress: { total: 3_000 } });
    // Asked to simulate the same content, the other process answers with that run rather than start a second.
    const asked = await other.start(wang, 'old-age-allowance', 1, { asOf: AS_OF });
    expect(asked).toMatchObject({ status: 'running', startedAt: running.startedAt });
    expect(() => other.view('old-age-allowance', 1)).toThrow(/no simulation/);

    await first.stop();
    const after = await other.latest('old-age-allowance', 1);
    expect(after.status).toBe('failed');
    expect(after.error).toMatchObject({
      code: 'SIMULATION_INTERRUPTED',
      message: expect.stringContaining('start it again') as unknown,
      messageZh: expect.stringContaining('请重新发起模拟') as unknown,
    });
    expect(after.progress.processed).toBeGreaterThan(0);
    expect(after.progress.processed).toBeLessThan(3_000);
    expect(after.result).toBeUndefined();

    // Started again, it runs to the end and replaces the interrupted attempt.
    const again = runnerOf();
    await again.start(wang, 'old-age-allowance', 1, { asOf: AS_OF });
    const done = await again.finished('old-age-allowance', 1);
    expect(done).toMatchObject({ status: 'done', progress: { processed: 3_000, total: 3_000 } });
    expect(await other.latest('old-age-allowance', 1)).toMatchObject({ status: 'done', result: { population: 3_000 } });
  });

  it('is reported interrupted once its progress is stale, as after a crash, and running until then', async () => {
    const crashing = runnerOf();
    await crashing.start(wang, 'old-age-allowance', 1, { asOf: '2026-08-01' });
    const now = runnerOf();
    await expect
      .poll(
        async () => {
          const view = await now.latest('old-age-allowance', 1);
          return view.status === 'running' && view.progress.processed > 0;
        },
        { timeout: 5_000, interval: 10 },
      )
      .toBe(true);
    // A minute on, with no progress written since (its API gone without a word), it was cut off.
    const later = runnerOf({ now: () => new Date(Date.now() + 60_000) });
    expect(await later.latest('old-age-allowance', 1)).toMatchObject({
      status: 'failed',
      asOf: '2026-08-01',
      error: { code: 'SIMULATION_INTERRUPTED' },
    });
    expect((await now.latest('old-age-allowance', 1)).status).toBe('running');
  });
});
