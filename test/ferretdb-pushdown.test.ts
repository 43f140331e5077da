/**
 * The embedded FerretDB is the project's patched build (infra/ferretdb/applyfree.patch): its own
 * indexes serve what it pushes down to SQLite, and sorts and ranges on `_id` stream from an index.
 * Each behaviour is checked through the MongoDB driver: the documents a query returns (the same as
 * MongoDB would, including where nothing may be pushed down), and SQLite's plan, which FerretDB's
 * `explain` reports (`queryPlanner.Plan`, with `filterPushdown` and `sortPushdown`). Updates of one
 * document at once are each applied in full, and `$collStats` counts without walking the table.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { mongo, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';

const stack = inject('stack');
const embedded = stack.ferretdbDir !== undefined;
const database = `applyfree_pd_${randomUUID().slice(0, 8)}`;
let store: Connection;
let db: mongo.Db;

type Document = mongo.Document;
/** Documents whose `_id` may be of any type. */
type AnyId = { _id: unknown } & Document;
const byAny = (filter: Document) => filter as mongo.Filter<AnyId>;
const { ObjectId } = mongo;

interface Explained {
  filterPushdown: boolean;
  sortPushdown: boolean;
  plan: string;
}

async function explain(
  collection: string,
  filter: Document,
  sort?: Document,
  window: { skip?: number; limit?: number } = {},
): Promise<Explained & { limitPushdown: boolean }> {
  // FerretDB's explain takes skip and limit as 64-bit integers only.
  const longs = Object.fromEntries(Object.entries(window).map(([key, value]) => [key, mongo.Long.fromNumber(value)]));
  const answer = await db.command({ explain: { find: collection, filter, ...(sort ? { sort } : {}), ...longs } });
  return {
    filterPushdown: answer.filterPushdown as boolean,
    sortPushdown: answer.sortPushdown as boolean,
    limitPushdown: answer.limitPushdown as boolean,
    plan: (answer.queryPlanner as { Plan: string[] }).Plan.join('\n'),
  };
}

const ids = (docs: Document[]) => docs.map((doc) => doc._id as unknown);

beforeAll(async () => {
  if (!embedded) return;
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
  db = store.db!;
});
afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

describe.skipIf(!embedded)('the patched embedded FerretDB', () => {
  it('looks a document up by _id (alone, with other conditions, or in a list) through the unique _id index', async () => {
    const people = db.collection<{ _id: string; n: number; status: string }>('people');
    await people.insertMany(Array.from({ length: 3_000 }, (_, n) => ({ _id: `p${n}`, n, status: n % 2 ? 'a' : 'b' })));
    expect(await people.findOne({ _id: 'p1234' })).toMatchObject({ n: 1234 });
    expect(await people.findOne({ _id: 'p1235', status: 'a' })).toMatchObject({ n: 1235 });
    expect(await people.findOne({ _id: 'p1234', status: 'a' })).toBeNull();
    expect(ids(await people.find({ _id: { $in: ['p7', 'p8', 'nobody'] } }).toArray())).toEqual(['p7', 'p8']);

    for (const filter of [{ _id: 'p1' }, { _id: 'p1', status: 'a' }, { _id: { $in: ['p1', 'p2'] } }]) {
      const plan = await explain('people', filter);
      expect(plan.filterPushdown).toBe(true);
      expect(plan.plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_ /);
    }

    // Updates and deletes find their documents the same way.
    await people.updateOne({ _id: 'p10' }, { $set: { status: 'changed' } });
    await people.deleteOne({ _id: 'p11' });
    expect(await people.countDocuments({ status: 'changed' })).toBe(1);
    expect(await people.findOne({ _id: 'p11' })).toBeNull();
  });

  it('serves equality on a field from the index createIndex built, still matching arrays that hold the value', async () => {
    const cases = db.collection<AnyId>('cases');
    await cases.createIndex({ subjectKey: 1 });
    await cases.insertMany([
      { _id: 'c1', subjectKey: 'k1', tag: 'x' },
      { _id: 'c2', subjectKey: ['k0', 'k1'], tag: 'y' },
      { _id: 'c3', subjectKey: 'k2', tag: 'x' },
      { _id: 'c4', subjectKey: 'k1<&>', tag: 'x' },
      { _id: 'c5', subjectKey: true, tag: 'x' },
      { _id: 'c6', tag: 'x' },
    ]);
    expect(ids(await cases.find({ subjectKey: 'k1' }).sort({ _id: 1 }).toArray())).toEqual(['c1', 'c2']);
    expect(ids(await cases.find({ subjectKey: { $in: ['k2', 'k0'] } }).toArray()).sort()).toEqual(['c2', 'c3']);
    expect(ids(await cases.find({ subjectKey: { $eq: 'k2' } }).toArray())).toEqual(['c3']);
    expect(ids(await cases.find({ subjectKey: true }).toArray())).toEqual(['c5']);
    // A value whose JSON would be escaped is not pushed down, and is found all the same.
    expect(ids(await cases.find({ subjectKey: 'k1<&>' }).toArray())).toEqual(['c4']);
    expect(await cases.countDocuments({ subjectKey: 'k1', tag: 'x' })).toBe(1);

    const indexed = await explain('cases', { subjectKey: 'k1' });
    expect(indexed.filterPushdown).toBe(true);
    expect(indexed.plan).toMatch(/USING INDEX \S+_subjectKey_1/);
    expect((await explain('cases', { subjectKey: 'k1<&>' })).filterPushdown).toBe(false);
    // A field without an index is left to FerretDB's in-memory filter.
    expect((await explain('cases', { tag: 'x' })).filterPushdown).toBe(false);
  });

  it('streams a sort on _id from its order index, in both directions, and ranges on _id too', async () => {
    const register = db.collection<{ _id: string; n: number }>('register');
    const keys = Array.from({ length: 2_000 }, (_, n) => `r${String((n * 7_919) % 2_000).padStart(5, '0')}`);
    await register.insertMany(keys.map((key, n) => ({ _id: key, n })));
    const sorted = [...keys].sort();
    expect(ids(await register.find({}).sort({ _id: 1 }).toArray())).toEqual(sorted);
    expect(ids(await register.find({}).sort({ _id: -1 }).toArray())).toEqual([...sorted].reverse());
    expect(
      ids(
        await register
          .find({ _id: { $gt: 'r01000' } })
          .sort({ _id: 1 })
          .limit(3)
          .toArray(),
      ),
    ).toEqual(['r01001', 'r01002', 'r01003']);
    expect(ids(await register.find({ _id: { $gte: 'r00010', $lt: 'r00013' } }).toArray()).sort()).toEqual([
      'r00010',
      'r00011',
      'r00012',
    ]);
    expect(await register.countDocuments({ _id: { $lte: 'r00099' } })).toBe(100);

    const whole = await explain('register', {}, { _id: 1 });
    expect(whole.sortPushdown).toBe(true);
    expect(whole.plan).toMatch(/SCAN \S+ USING INDEX \S+__ferretdb_id_order/);
    expect(whole.plan).not.toContain('TEMP B-TREE');
    const range = await explain('register', { _id: { $gt: 'r01000' } }, { _id: -1 });
    expect(range).toMatchObject({ filterPushdown: true, sortPushdown: true });
    expect(range.plan).toMatch(/SEARCH \S+ USING INDEX \S+__ferretdb_id_order/);
    expect(range.plan).not.toContain('TEMP B-TREE');
  });

  it('orders _ids of mixed types as MongoDB does, and sorts in memory when SQL cannot', async () => {
    const mixed = db.collection<AnyId>('mixed');
    const objectIds = [new ObjectId('0000000000000000000000ff'), new ObjectId('00000000000000000000000a')];
    const date = new Date('2026-01-01T00:00:00Z');
    await mixed.insertMany([
      { _id: 'b' },
      { _id: true },
      { _id: 10 },
      { _id: objectIds[0] },
      { _id: date },
      { _id: -3 },
      { _id: 'a' },
      { _id: objectIds[1] },
      { _id: false },
    ]);
    const expected = [-3, 10, 'a', 'b', objectIds[1], objectIds[0], false, true, date];
    expect((await explain('mixed', {}, { _id: 1 })).sortPushdown).toBe(true);
    expect(ids(await mixed.find({}).sort({ _id: 1 }).toArray())).toEqual(expected);
    // A string bound matches strings only; an ObjectId bound ObjectIds only.
    expect(ids(await mixed.find(byAny({ _id: { $gt: '' } })).toArray()).sort()).toEqual(['a', 'b']);
    expect(ids(await mixed.find(byAny({ _id: { $lt: objectIds[0] } })).toArray())).toEqual([objectIds[1]]);

    // An embedded document as _id: SQL cannot order it, so FerretDB sorts in memory, rightly.
    await mixed.insertOne({ _id: { z: 1 } });
    expect((await explain('mixed', {}, { _id: 1 })).sortPushdown).toBe(false);
    expect(ids(await mixed.find({}).sort({ _id: 1 }).toArray())).toEqual([
      -3,
      10,
      'a',
      'b',
      { z: 1 },
      objectIds[1],
      objectIds[0],
      false,
      true,
      date,
    ]);
  });

  it('skips and limits in _id order inside SQLite when nothing is filtered (a sweep finds its split points so), in memory otherwise', async () => {
    const split = db.collection<AnyId>('split');
    const keys = Array.from({ length: 3_000 }, (_, n) => `s${String((n * 7_919) % 3_000).padStart(5, '0')}`);
    await split.insertMany(keys.map((key, n) => ({ _id: key, n })));
    const sorted = [...keys].sort();
    const window = (skip: number, limit: number, direction: 1 | -1 = 1, filter: Document = {}) =>
      split
        .find(byAny(filter), { projection: { _id: 1 } })
        .sort({ _id: direction })
        .skip(skip)
        .limit(limit)
        .toArray()
        .then(ids);
    expect(await window(1_000, 1)).toEqual([sorted[1_000]]);
    expect(await window(2_000, 3)).toEqual(sorted.slice(2_000, 2_003));
    expect(await window(2_990, 0)).toEqual(sorted.slice(2_990));
    expect(await window(5, 2, -1)).toEqual([...sorted].reverse().slice(5, 7));
    expect(await window(3_000, 1)).toEqual([]);
    const pushed = await explain('split', {}, { _id: 1 }, { skip: 1_000, limit: 1 });
    expect(pushed).toMatchObject({ sortPushdown: true, limitPushdown: true });
    expect(pushed.plan).not.toContain('TEMP B-TREE');

    // With a filter FerretDB still filters in memory, so it must skip and limit there too.
    expect(await window(10, 2, 1, { n: { $mod: [2, 0] } })).toEqual(
      keys
        .filter((_, n) => n % 2 === 0)
        .sort()
        .slice(10, 12),
    );
    expect((await explain('split', { n: { $mod: [2, 0] } }, { _id: 1 }, { skip: 10, limit: 2 })).limitPushdown).toBe(
      false,
    );
    // An _id SQL cannot order: sorted, skipped and limited in memory, rightly.
    await split.insertOne({ _id: { z: 1 }, n: -1 });
    expect(await window(3_000, 1)).toEqual([{ z: 1 }]);
    expect((await explain('split', {}, { _id: 1 }, { skip: 3_000, limit: 1 })).limitPushdown).toBe(false);
  });

  it('counts a collection for $collStats exactly when only the count is asked (a sweep sizes its population so), as the full statistics do', async () => {
    const counted = db.collection<{ _id: string; text: string }>('counted');
    // Documents of 3 KB, each spilling onto an overflow page, some then deleted.
    await counted.insertMany(Array.from({ length: 2_500 }, (_, n) => ({ _id: `c${n}`, text: 'x'.repeat(3_000) })));
    await counted.deleteMany({ _id: { $in: Array.from({ length: 100 }, (_, n) => `c${n * 7}`) } });
    const stats = (stage: Document) => counted.aggregate([{ $collStats: stage }]).next();
    expect(await stats({ count: {} })).toMatchObject({ count: 2_400 });
    const full = await stats({ count: {}, storageStats: {} });
    expect(full).toMatchObject({ count: 2_400, storageStats: { count: 2_400 } });
    expect((full as { storageStats: { size: number } }).storageStats.size).toBeGreaterThan(2_400 * 3_000);
    expect(await db.collection('never-made').countDocuments()).toBe(0);
  });

  it('applies concurrent updates of one document each in full, as MongoDB does: no $inc, $addToSet or findOneAndUpdate is lost', async () => {
    const shared = db.collection<{ _id: string; n: number; marks: string[] }>('shared');
    await shared.insertOne({ _id: 'one', n: 0, marks: [] });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        shared.updateOne({ _id: 'one' }, i % 2 ? { $inc: { n: 1 } } : { $addToSet: { marks: `m${i}` } }),
      ),
    );
    const after = await shared.findOne({ _id: 'one' });
    expect(after?.n).toBe(100);
    expect(after?.marks).toHaveLength(100);
    // findOneAndUpdate as a sequence: every caller gets a number of its own.
    const taken = await Promise.all(
      Array.from({ length: 50 }, () =>
        shared.findOneAndUpdate({ _id: 'one' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      ),
    );
    expect(new Set(taken.map((doc) => doc?.n)).size).toBe(50);
    expect((await shared.findOne({ _id: 'one' }))?.n).toBe(150);
  });

  it('holds no read open between the batches of a cursor sorted by _id, so the write-ahead log is checkpointed while it is open', async () => {
    const stream = db.collection<{ _id: string; n: number }>('stream');
    const keys = Array.from({ length: 3_000 }, (_, n) => `k${String((n * 7_919) % 3_000).padStart(5, '0')}`);
    await stream.insertMany(keys.map((key, n) => ({ _id: key, n })));
    const cursor = stream.find({}).sort({ _id: 1 }).batchSize(100);
    const first = await cursor.next();
    // Others write some 40 MB while the cursor is open between its batches.
    const filler = db.collection('filler');
    for (let round = 0; round < 20; round++)
      await filler.insertMany(Array.from({ length: 1_000 }, (_, n) => ({ round, n, text: 'x'.repeat(2_000) })));
    // Checkpointed as it went, the log was reused from its start: a reader held open would have kept all of it.
    const wal = statSync(join(stack.ferretdbDir!, `${database}.sqlite-wal`)).size;
    expect(wal).toBeLessThan(20 * 1024 * 1024);
    // The cursor reads on where it was, in order, each document once.
    const rest = await cursor.toArray();
    expect([first, ...rest].map((doc) => doc?._id)).toEqual([...keys].sort());
  });

  it('pages through _ids of several types in MongoDB order, in both directions, each document once', async () => {
    const typed = db.collection<AnyId>('typed');
    const numbers = Array.from({ length: 1_500 }, (_, n) => n * 3);
    const strings = Array.from({ length: 1_500 }, (_, n) => `t${String(n).padStart(5, '0')}`);
    const objectIds = Array.from({ length: 1_200 }, (_, n) => new ObjectId(n.toString(16).padStart(24, '0')));
    const all: unknown[] = [...numbers, ...strings, ...objectIds];
    // Inserted out of order, a thousand at a time.
    const shuffled = all.map((id, n) => ({ id, at: (n * 7_919) % all.length })).sort((a, b) => a.at - b.at);
    for (let from = 0; from < shuffled.length; from += 1_000)
      await typed.insertMany(shuffled.slice(from, from + 1_000).map(({ id }) => ({ _id: id })));
    const read = async (direction: 1 | -1) =>
      ids(await typed.find({}).sort({ _id: direction }).batchSize(700).toArray());
    expect(await read(1)).toEqual(all);
    expect(await read(-1)).toEqual([...all].reverse());
    // A range within one type pages within it.
    const range = await typed
      .find(byAny({ _id: { $gt: 't00100' } }))
      .sort({ _id: 1 })
      .toArray();
    expect(ids(range)).toEqual(strings.slice(101));
  });
});
