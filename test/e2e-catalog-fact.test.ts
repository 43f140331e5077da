/**
 * Issue 18's "done when" for the catalog, on the real stack through the API: an officer adds a
 * fact (whether a resident lives alone, 独居, from the civil affairs bureau) to the data catalog;
 * a bad fact is refused naming the field with nothing written; the drafter cannot publish it; a
 * reviewer publishes it, twice at once, and it is published once; the synthetic city gets the
 * fact's generated values; a policy draft using it validates, and its impact simulation counts
 * exactly the residents whose generated value makes them eligible.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { useShippedCatalog } from '../domain/sources.js';
import { seedCity } from '../infra/seed/index.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { createCatalogService, openCatalog } from '../services/catalog/service.js';
import { fillSyntheticFacts } from '../services/catalog/synthetic.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { catalogDrafts, catalogVersions } from '../store/catalog-versions.js';
import { connectStore } from '../store/connection.js';
import { streamPopulation } from '../store/population.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
const AS_OF = '2026-06-30';
let store: Connection;
let api: FastifyInstance;
let officer: string;
let reviewer: string;

const livesAloneReported = {
  key: 'person.livesAloneReported',
  type: 'boolean',
  sensitivity: 'personal',
  label: { zh: '独居', en: 'lives alone' },
  coverage: 'absent-means-no',
  synthetic: { kind: 'bernoulli', p: 0.3 },
};

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_catalogfact_${randomUUID().slice(0, 8)}$1`),
  );
  await seedCity(store, { residents: 400, enterprises: 0, secret: TEST_SECRET, asOf: '2026-01-01' });
  await openCatalog({ store });
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  officer = await testToken(store, '王芳', 'officer');
  reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle, simulation: createSimulationRunner({ store, lifecycle, minimumCellSize: 0 }) },
    // As npm start wires it on the embedded stack: the fill runs in the background.
    catalog: createCatalogService({ store, onPublished: (record) => void fillSyntheticFacts(store, record.added) }),
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  useShippedCatalog();
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
  return { status: response.statusCode, body: response.json() };
};

/** A draft policy: a home visit offered to residents of 60 or more with a local household who live alone. */
async function homeVisitPolicy(): Promise<Record<string, unknown>> {
  const card = (await loadPolicyCatalog()).policies.find((p) => p.id === 'senior-preferential-card')!;
  const policy = structuredClone(card) as unknown as Record<string, unknown> & typeof card;
  return {
    ...policy,
    id: 'elder-living-alone-visit',
    version: 1,
    title: { zh: '独居老人关爱探访', en: 'Home visits for elders living alone' },
    facts: {
      ...policy.facts,
      'person.livesAloneReported': { source: 'civil-affairs', purpose: 'visits are for elders living alone' },
    },
    conditions: { all: [...(policy.conditions as { all: unknown[] }).all, { condition: 'livesAloneReported' }] },
    namedConditions: {
      ...policy.namedConditions,
      livesAloneReported: {
        fact: 'person.livesAloneReported',
        operator: 'equal',
        value: true,
        label: { zh: '独居', en: 'lives alone' },
      },
    },
    benefit: { kind: 'service', description: { zh: '上门关爱探访', en: 'a home visit' } },
    tests: [
      {
        name: 'a resident of 60 who lives alone is offered a visit',
        asOf: '2025-06-01',
        facts: {
          'person.birthDate': '1965-06-01',
          'person.localHukou': true,
          'person.alive': true,
          'person.livesAloneReported': true,
        },
        expect: { outcome: 'eligible' },
      },
      {
        name: 'a resident of 60 who lives with family is not',
        asOf: '2025-06-01',
        facts: {
          'person.birthDate': '1965-06-01',
          'person.localHukou': true,
          'person.alive': true,
          'person.livesAloneReported': false,
        },
        expect: { outcome: 'ineligible' },
      },
    ],
  };
}

describe('an officer adds a fact, a reviewer publishes it, a policy uses it', () => {
  it('refuses a bad fact naming the field, and writes nothing', async () => {
    const bad = await call('POST', '/catalog/drafts', officer, {
      sourceId: 'civil-affairs',
      facts: [{ ...livesAloneReported, type: 'number', synthetic: { kind: 'integer', min: 0, max: 1 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'CATALOG_INVALID', field: 'facts[0].unit' });
    expect(bad.body.messageZh).toContain('单位');
    expect(await catalogDrafts(store).countDocuments()).toBe(0);
    const unknown = await call('POST', '/policies', officer, await homeVisitPolicy());
    const validation = await call(
      'POST',
      `/policies/elder-living-alone-visit/versions/${unknown.body.version}/validate`,
      officer,
    );
    expect(validation.body.valid).toBe(false);
    expect(JSON.stringify(validation.body.issues)).toContain('person.livesAloneReported');
  });

  it('publishes the fact once, by a second person, and the city gets its values', async () => {
    const drafted = await call('POST', '/catalog/drafts', officer, {
      sourceId: 'civil-affairs',
      facts: [livesAloneReported],
    });
    expect(drafted.status).toBe(201);
    const id = drafted.body.id as string;
    expect((await call('POST', `/catalog/drafts/${id}/submit`, officer, {})).body.status).toBe('submitted');
    // The drafter alone cannot publish it.
    const own = await call('POST', `/catalog/drafts/${id}/approve`, officer, {});
    expect(own.status).toBe(403);
    expect((await call('GET', '/catalog')).body.version).toBe(1);

    const approvals = await Promise.all([
      call('POST', `/catalog/drafts/${id}/approve`, reviewer, {}),
      call('POST', `/catalog/drafts/${id}/approve`, reviewer, {}),
    ]);
    expect(approvals.map((a) => [a.status, a.body.status, a.body.publishedVersion])).toEqual([
      [200, 'published', 2],
      [200, 'published', 2],
    ]);
    expect(await catalogVersions(store).countDocuments()).toBe(2);
    const versions = await call('GET', '/catalog/versions');
    expect(versions.body.map((v: { version: number; added: string[] }) => [v.version, v.added.length])).toEqual([
      [2, 1],
      [1, expect.any(Number)],
    ]);
    const catalog = (await call('GET', '/catalog')).body;
    expect(catalog.version).toBe(2);
    const civil = catalog.sources.find((s: { id: string }) => s.id === 'civil-affairs');
    expect(civil.fields.find((f: { key: string }) => f.key === 'person.livesAloneReported')).toMatchObject({
      coverage: 'absent-means-no',
      synthetic: { kind: 'bernoulli', p: 0.3 },
    });
    expect(civil.legalBasis.zh).toContain('社会救助暂行办法');

    await expect
      .poll(async () => (await call('GET', '/catalog/synthetic')).body, { timeout: 60_000 })
      .toEqual([expect.objectContaining({ _id: 'person.livesAloneReported', finished: true })]);
  });

  it('validates a policy using the fact and simulates it on the synthetic city with the generated values', async () => {
    const versions = (await call('GET', '/policies?status=draft', officer)).body as Array<{
      policyId: string;
      version: number;
    }>;
    const draft = versions.find((v) => v.policyId === 'elder-living-alone-visit')!;
    const base = `/policies/elder-living-alone-visit/versions/${draft.version}`;
    const validation = await call('POST', `${base}/validate`, officer);
    expect(validation.body).toMatchObject({ valid: true, issues: [] });
    expect((await call('POST', `${base}/test`, officer)).body).toMatchObject({ passed: 2, failed: 0 });
    expect((await call('POST', `${base}/simulate`, officer, { asOf: AS_OF })).status).toBe(202);
    await expect
      .poll(async () => (await call('GET', `${base}/simulation`, officer)).body.status, { timeout: 120_000 })
      .toBe('done');
    const { result } = (await call('GET', `${base}/simulation`, officer)).body;

    // What the city holds: residents of 60 or more, local, alive; and of them those whose generated value is "lives alone".
    let seniors = 0;
    let alone = 0;
    const facts = ['person.birthDate', 'person.localHukou', 'person.alive', 'person.livesAloneReported'];
    for await (const batch of streamPopulation(store, { kind: 'person', facts }))
      for (const { facts: f } of batch) {
        const senior =
          f['person.localHukou'] === true &&
          f['person.alive'] === true &&
          String(f['person.birthDate']) <= '1966-06-30';
        if (senior) seniors += 1;
        if (senior && f['person.livesAloneReported'] === true) alone += 1;
      }
    expect(alone).toBeGreaterThan(0);
    expect(alone).toBeLessThan(seniors);
    expect(result.counts.eligible).toBe(alone);
    expect(result.counts.undetermined).toBe(0);
  });
});
