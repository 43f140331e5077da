import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';
import { secondaryIndexUse } from '../store/indexes.js';
import { registerModels } from '../store/models.js';

const stack = inject('stack');
let store: Connection;

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri);
});
afterAll(async () => {
  await store?.close();
});

function notice(subjectKey: string, key: string = randomUUID()) {
  return {
    key,
    subjectKey,
    template: 'grant.awarded',
    title: { zh: '测试', en: 'Test' },
    body: { zh: '测试通知', en: 'Test notice' },
    deliveredAt: new Date(),
  };
}

describe('mongoose on the MongoDB-wire store (FerretDB embedded)', () => {
  it('creates documents and finds them again by an indexed field', async () => {
    const { Inbox } = registerModels(store);
    const subjectKey = `sk_${randomUUID()}`;
    await Inbox.create(notice(subjectKey));
    await Inbox.create(notice(subjectKey));
    const found = await Inbox.find({ subjectKey }).sort({ deliveredAt: -1 }).lean();
    expect(found).toHaveLength(2);
    expect(found.every((doc) => doc.title.zh === '测试' && doc.title.en === 'Test')).toBe(true);
  });

  it('rejects a second document with the same unique key (E11000) and keeps only the first', async () => {
    const { Inbox } = registerModels(store);
    const key = `notice:${randomUUID()}`;
    await Inbox.create(notice('sk_first', key));
    await expect(Inbox.create(notice('sk_second', key))).rejects.toMatchObject({ code: 11000 });
    const docs = await Inbox.find({ key }).lean();
    expect(docs.map((d) => d.subjectKey)).toEqual(['sk_first']);
  });

  it('declares the unique index on the server, not only in mongoose', async () => {
    const indexes = await store.db!.collection('inbox').indexes();
    expect(indexes.find((index) => index.key.key === 1)?.unique).toBe(true);
  });

  it.each([
    ['access_records', 'key'],
    ['grants', 'key'],
    ['life_events', 'naturalKey'],
    ['event_deliveries', 'sourceEventId'],
  ])('has the unique index that makes %s writes idempotent from the first connection', async (collection, field) => {
    const indexes = await store.db!.collection(collection).indexes();
    expect(indexes.find((index) => index.key[field] === 1)?.unique).toBe(true);
  });

  it('builds the secondary indexes only where a query can use them: on the embedded FerretDB, those led by a top-level field', async () => {
    const grants = (await store.db!.collection('grants').indexes()).map((index) => Object.keys(index.key).join('+'));
    expect(grants).toContain('key');
    const use = await secondaryIndexUse(store);
    if (use === 'all')
      expect(grants).toEqual(expect.arrayContaining(['subjectKey+grantedAt', 'policy.id+period', 'caseId']));
    else if (use === 'leading-field') expect(grants.sort()).toEqual(['_id', 'caseId', 'key', 'subjectKey+grantedAt']);
    else expect(grants.sort()).toEqual(['_id', 'key']);
    // The test stack's FerretDB is the patched build: the test would pass vacuously on an unpatched one.
    if (stack.ferretdbDir) expect(use).toBe('leading-field');
  });

  it('rejects a document missing a required field and writes nothing', async () => {
    const { Inbox } = registerModels(store);
    const subjectKey = `sk_${randomUUID()}`;
    const { title: _omitted, ...withoutTitle } = notice(subjectKey);
    await expect(Inbox.create(withoutTitle)).rejects.toThrow(/title\.zh/);
    expect(await Inbox.countDocuments({ subjectKey })).toBe(0);
  });
});
