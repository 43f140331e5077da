/**
 * The data catalog as data, on the real store: the shipped catalog is published once as version
 * 1; a fact proposed for a published source waits for a reviewer, who publishes it (never its
 * drafter); once published the process knows it; a bad fact is refused naming the field with
 * nothing written; approvals racing publish one version; a shipped catalog that grows publishes
 * its additions, one that retypes a published fact is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';
import { verifyStream } from '../store/audit-verify.js';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import {
  CatalogError,
  createCatalogService,
  openCatalog,
  proposeFact,
  type CatalogActor,
  type CatalogService,
} from '../services/catalog/service.js';
import { catalogDrafts, catalogVersions } from '../store/catalog-versions.js';
import {
  catalogVersion,
  DATA_SOURCES,
  findFact,
  useShippedCatalog,
  type DataSource,
  type FactField,
} from '../domain/sources.js';

const stack = inject('stack');
const ID = '371402195003101234';
let store: Connection;
let catalog: CatalogService;

const wang: CatalogActor = { id: 'u_wang', name: '王芳', role: 'officer' };
const li: CatalogActor = { id: 'u_li', name: '李明', role: 'reviewer' };
const zhou: CatalogActor = { id: 'u_zhou', name: '周敏', role: 'reviewer' };

/** A fact the civil affairs bureau could add: whether a person lives alone (独居). */
const livesAloneReported = (key = 'person.livesAloneReported'): FactField => ({
  key,
  column: key.split('.')[1],
  type: 'boolean',
  sensitivity: 'personal',
  label: { zh: '独居', en: 'lives alone' },
  coverage: 'absent-means-no',
  synthetic: { kind: 'bernoulli', p: 0.2 },
});

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_catalog_${randomUUID().slice(0, 8)}$1`),
  );
  catalog = createCatalogService({ store });
});

afterAll(async () => {
  useShippedCatalog();
  await store?.dropDatabase();
  await store?.close();
});

describe('the data catalog in the store', () => {
  it('publishes the shipped catalog once as version 1, whoever starts first', async () => {
    const starts = await Promise.all([openCatalog({ store }), openCatalog({ store }), openCatalog({ store })]);
    expect(starts.map((s) => s.version)).toEqual([1, 1, 1]);
    expect(starts.filter((s) => s.published)).toHaveLength(1);
    const [v1] = await catalog.versions({ withSources: true });
    expect(v1).toMatchObject({ version: 1, origin: 'shipped' });
    expect(v1.sources).toEqual(DATA_SOURCES);
    expect(await catalogVersions(store).countDocuments()).toBe(1);
  });

  it('refuses a bad fact naming the field, and writes nothing', async () => {
    const bad = {
      ...livesAloneReported(),
      type: 'number' as const,
      synthetic: { kind: 'integer' as const, min: 0, max: 3 },
    };
    const refusal = await proposeFact({ store }, wang, { sourceId: 'civil-affairs', field: bad }).catch((e) => e);
    expect(refusal).toBeInstanceOf(CatalogError);
    expect(refusal).toMatchObject({ code: 'CATALOG_INVALID', field: 'facts[0].unit' });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ key: 'livesAloneReported' }, 'facts[0].key'],
      [{ key: 'enterprise.livesAloneReported' }, 'facts[0].key'],
      [{ key: 'person.birthDate' }, 'facts[0].key'],
      [{ type: 'text' }, 'facts[0].type'],
      [{ type: 'string', synthetic: { kind: 'choice', weights: { yes: 1 } } }, 'facts[0].values'],
      [{ unit: { zh: '人', en: 'persons' } }, 'facts[0].unit'],
      [{ type: 'date', synthetic: { kind: 'date', from: '2000-01-01', to: '2020-01-01' } }, 'facts[0].coverage'],
      [{ synthetic: { kind: 'integer', min: 0, max: 1 } }, 'facts[0].synthetic.kind'],
      [{ synthetic: { kind: 'bernoulli', p: 2 } }, 'facts[0].synthetic.p'],
    ];
    for (const [change, field] of cases) {
      const proposed = { ...livesAloneReported(), ...change } as FactField;
      await expect(proposeFact({ store }, wang, { sourceId: 'civil-affairs', field: proposed })).rejects.toMatchObject({
        code: 'CATALOG_INVALID',
        field,
      });
    }
    await expect(
      proposeFact({ store }, wang, { sourceId: 'no-such-source', field: livesAloneReported() }),
    ).rejects.toMatchObject({ code: 'CATALOG_INVALID', field: 'sourceId' });
    await expect(
      proposeFact(
        { store },
        { id: 'u_s', name: '督查', role: 'supervisor' },
        { sourceId: 'civil-affairs', field: livesAloneReported() },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    expect(await catalogDrafts(store).countDocuments()).toBe(0);
  });

  it('proposes a fact for review; its drafter cannot publish it, a reviewer can, once', async () => {
    const requestId = `fr-${randomUUID().slice(0, 8)}`;
    const { draftId } = await proposeFact({ store }, wang, {
      sourceId: 'civil-affairs',
      field: livesAloneReported(),
      requestId,
    });
    // Asked again for the same request: the same draft, nothing written twice.
    expect(
      await proposeFact({ store }, wang, { sourceId: 'civil-affairs', field: livesAloneReported(), requestId }),
    ).toEqual({
      draftId,
    });
    expect(await catalogDrafts(store).countDocuments()).toBe(1);
    const draft = await catalog.get(draftId);
    expect(draft).toMatchObject({
      status: 'submitted',
      requestId,
      facts: ['person.livesAloneReported'],
      createdById: wang.id,
    });
    expect(findFact('person.livesAloneReported')).toBeUndefined();

    // A reviewer who also drafted is refused (four eyes); an officer may not approve at all.
    const own = await proposeFact(
      { store },
      { ...li, role: 'officer' },
      {
        sourceId: 'civil-affairs',
        field: livesAloneReported('person.livesWithCarer'),
      },
    );
    await expect(catalog.approve(li, own.draftId)).rejects.toMatchObject({ code: 'FOUR_EYES' });
    await expect(catalog.approve(wang, draftId)).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });

    // Two reviewers approving at once (or one retrying): one version.
    const answers = await Promise.all([
      catalog.approve(li, draftId),
      catalog.approve(zhou, draftId),
      catalog.approve(li, draftId),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['published', 'published', 'published']);
    expect(new Set(answers.map((a) => a.publishedVersion))).toEqual(new Set([2]));
    expect(await catalogVersions(store).countDocuments()).toBe(2);
    expect(catalogVersion()).toBe(2);
    expect(findFact('person.livesAloneReported')).toMatchObject({
      source: { id: 'civil-affairs' },
      field: { type: 'boolean' },
    });

    // The same key again is refused: published facts are never redefined.
    await expect(
      proposeFact({ store }, wang, {
        sourceId: 'civil-affairs',
        field: { ...livesAloneReported(), type: 'number' } as FactField,
      }),
    ).rejects.toMatchObject({ code: 'CATALOG_INVALID' });
    await expect(
      proposeFact({ store }, wang, { sourceId: 'civil-affairs', field: livesAloneReported() }),
    ).rejects.toMatchObject({ code: 'CATALOG_INVALID', field: 'facts[0].key' });
  });

  it('is learnt by a process still on an older catalog where the fact is needed: validation and fetchFacts', async () => {
    // Another process, started before the publication, that has not polled yet.
    useShippedCatalog();
    expect(findFact('person.livesAloneReported')).toBeUndefined();
    const fetchFacts = makeFetchFacts({ connection: store, adapters: createAdapterRegistry({ connection: store }) });
    await store
      .db!.collection('subjects')
      .insertOne({ _id: 'sk_alone', subjectKey: 'sk_alone', kind: 'person', idNumber: ID } as object);
    await store
      .db!.collection('dp_civil_affairs')
      .insertOne({ _id: ID, idNumber: ID, livesAloneReported: true } as object);
    const facts = await fetchFacts({
      caseId: 'case-alone',
      subjectKey: 'sk_alone',
      policyId: 'elder-visit',
      policyVersion: 1,
      facts: { 'person.livesAloneReported': { source: 'civil-affairs', purpose: 'visits for elders living alone' } },
      idempotencyKey: 'case-alone:facts',
    });
    expect(facts.values).toEqual({ 'person.livesAloneReported': true });
    expect(catalogVersion()).toBe(2);
  });

  it('drafts a new source, submits it, and a reviewer sends it back with a reason', async () => {
    const source = {
      id: 'housing-fund-loans',
      subject: 'person',
      department: { zh: '市住房公积金管理中心', en: 'Municipal Housing Provident Fund Centre' },
      legalBasis: { zh: '《住房公积金管理条例》', en: 'Regulations on the Administration of Housing Provident Funds' },
      updateFrequency: 'monthly',
      collection: 'dp_housing_fund_loans',
      fields: [
        {
          key: 'person.housingFundLoanMonths',
          type: 'number',
          sensitivity: 'personal',
          label: { zh: '公积金缴存月数', en: 'months of housing-fund contributions' },
          unit: { zh: '月', en: 'months' },
          coverage: 'absent-means-no',
          synthetic: { kind: 'integer', min: 0, max: 240, absentShare: 0.3 },
        },
      ],
    };
    const draft = await catalog.draft(wang, { source });
    expect(draft).toMatchObject({ status: 'draft', facts: ['person.housingFundLoanMonths'] });
    expect(draft.addition).toMatchObject({ source: { fields: [{ column: 'housingFundLoanMonths' }] } });
    await expect(catalog.approve(li, draft.id)).rejects.toMatchObject({ code: 'WRONG_STATUS' });
    await catalog.submit(wang, draft.id);
    await expect(catalog.reject(li, draft.id, '')).rejects.toMatchObject({ code: 'REASON_REQUIRED', field: 'note' });
    expect((await catalog.reject(li, draft.id, '依据需写明条款')).status).toBe('rejected');
    await expect(catalog.draft(wang, { source: { ...source, collection: 'dp_civil_affairs' } })).rejects.toMatchObject({
      field: 'source.collection',
    });
  });

  it('publishes what a grown shipped catalog adds, keeping officers’ facts, and refuses a retyped fact', async () => {
    const grown: DataSource[] = structuredClone(DATA_SOURCES) as DataSource[];
    grown
      .find((s) => s.id === 'education')!
      .fields.push({ ...livesAloneReported('person.schoolGrade'), label: { zh: '年级', en: 'grade' } });
    const start = await openCatalog({ store }, grown);
    expect(start).toEqual({ version: 3, published: true });
    expect(findFact('person.schoolGrade')?.source.id).toBe('education');
    expect(findFact('person.livesAloneReported')?.source.id).toBe('civil-affairs');
    expect(await openCatalog({ store }, grown)).toEqual({ version: 3, published: false });
    const retyped = structuredClone(grown);
    retyped.find((s) => s.id === 'household-registry')!.fields[0].type = 'string';
    await expect(openCatalog({ store }, retyped)).rejects.toMatchObject({
      code: 'CATALOG_CONFLICT',
      field: 'person.birthDate',
    });
    // Every published version is chained: altering one is detected.
    expect((await verifyStream(store, 'catalog_versions')).ok).toBe(true);
    await catalogVersions(store).updateOne({ _id: 'catalog@2' }, { $set: { publishedBy: '冒名' } });
    expect((await verifyStream(store, 'catalog_versions')).ok).toBe(false);
  });
});
