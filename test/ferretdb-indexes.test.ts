/**
 * The embedded FerretDB's lookups by `_id` use an index. FerretDB 1.24 pushes `{_id: x}` down
 * as `_ferretdb_sjson->'$._id' = ?` but indexes `_ferretdb_sjson->"_id"`, which SQLite never
 * matches to it, so each lookup read the whole collection. The stack's keeper adds an index on
 * the expression the lookups use: checked here with SQLite's own query plan on the files the
 * test run's FerretDB writes, and by the documents the lookups, updates and upserts find. A
 * database dropped while the keeper works is not brought back as an empty file.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ID_INDEX_PREFIX, indexDatabaseFile, keepIdIndexes, sqliteRecentEnough } from '../infra/ferretdb-indexes.js';
import { findExecutable } from '../infra/run-tool.js';
import { connectStore } from '../store/connection.js';

const stack = inject('stack');
const shell = findExecutable('sqlite3', ['/usr/bin/sqlite3']);
const embedded = stack.ferretdbDir !== undefined && shell !== undefined;
const database = `applyfree_idx_${randomUUID().slice(0, 8)}`;
let store: Connection;

const fileOf = (name: string) => join(stack.ferretdbDir!, `${name}.sqlite`);
const query = (file: string, sql: string) => execFileSync(shell!, ['-readonly', file, sql], { encoding: 'utf8' });
/** The SQLite table FerretDB keeps a collection in. */
const tableOf = (file: string, collection: string) =>
  query(file, `SELECT table_name FROM _ferretdb_collections WHERE name = '${collection}'`).trim();
/** SQLite's plan for the query FerretDB runs for `findOne({_id})`. */
const planOf = (file: string, table: string) =>
  query(file, `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "${table}" WHERE _ferretdb_sjson->'$._id' = '"x"'`);

beforeAll(async () => {
  if (embedded) store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
});
afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

describe.skipIf(!embedded)('lookups by _id on the embedded FerretDB', () => {
  it('are index searches once the stack’s keeper has seen the collection, and find what they should', async () => {
    const records = store.db!.collection<{ _id: string; n: number }>('records');
    await records.insertMany(Array.from({ length: 2_000 }, (_, n) => ({ _id: `r${n}`, n })));
    const file = fileOf(database);
    const table = tableOf(file, 'records');
    expect(table).toMatch(/^records_[0-9a-f]{8}$/);
    // The keeper of this test run's stack checks every few seconds.
    await expect
      .poll(() => planOf(file, table), { timeout: 30_000, interval: 500 })
      .toContain(`USING INDEX ${ID_INDEX_PREFIX}${table}`);
    // FerretDB's own `_id` index is still there and still unused by the lookup, which is why this exists.
    expect(
      query(file, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' ORDER BY name`)
        .trim()
        .split('\n'),
    ).toEqual([`${ID_INDEX_PREFIX}${table}`, `${table}__id_`]);

    expect(await records.findOne({ _id: 'r1999' })).toEqual({ _id: 'r1999', n: 1999 });
    expect(await records.findOne({ _id: 'r2000' })).toBeNull();
    await records.updateOne({ _id: 'r7' }, { $set: { n: -7 } });
    await records.updateOne({ _id: 'new' }, { $setOnInsert: { n: 0 } }, { upsert: true });
    await expect(records.insertOne({ _id: 'r5', n: 5 })).rejects.toMatchObject({ code: 11000 });
    expect(
      await records
        .find({ _id: { $in: ['r7', 'new', 'r5'] } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual([
      { _id: 'new', n: 0 },
      { _id: 'r5', n: 5 },
      { _id: 'r7', n: -7 },
    ]);
    // The index is invisible to FerretDB: listIndexes shows only its own.
    expect((await records.listIndexes().toArray()).map((index) => index.name)).toEqual(['_id_']);
  });

  it('indexes each table once, and never recreates a database dropped meanwhile', async () => {
    const name = `applyfree_idxdrop_${randomUUID().slice(0, 8)}`;
    const other = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${name}$1`));
    try {
      await other.db!.collection('a').insertOne({ _id: 'x' } as object);
      await other.db!.collection('b').insertOne({ _id: 'y' } as object);
      const file = fileOf(name);
      // Its own keeper, checked by hand: both tables (and the models' collections) indexed, then none again.
      const keeper = keepIdIndexes(stack.ferretdbDir!, shell!, { everyMs: 3_600_000 });
      try {
        await keeper.ensure();
        for (const collection of ['a', 'b'])
          expect(planOf(file, tableOf(file, collection))).toContain(`USING INDEX ${ID_INDEX_PREFIX}`);
        expect(await indexDatabaseFile(shell!, file)).toEqual([]);

        await other.dropDatabase();
        expect(existsSync(file)).toBe(false);
        await keeper.ensure();
        await expect(indexDatabaseFile(shell!, file)).rejects.toThrow(/unable to open/);
        expect(existsSync(file)).toBe(false);
      } finally {
        await keeper.stop();
      }
    } finally {
      await other.close();
    }
  });
});

describe('the keeper itself', () => {
  it('needs SQLite 3.38 or later, whose -> operator FerretDB’s own index uses', () => {
    expect(sqliteRecentEnough('3.40.1 2022-12-28 14:03:47 df5c253c')).toBe(true);
    expect(sqliteRecentEnough('3.38.0 2022-02-22')).toBe(true);
    expect(sqliteRecentEnough('4.0.0')).toBe(true);
    expect(sqliteRecentEnough('3.37.2 2022-01-06')).toBe(false);
    expect(sqliteRecentEnough('')).toBe(false);
  });

  it.skipIf(shell === undefined)('reports a file it cannot read once, not every round, and keeps going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'applyfree-idx-'));
    try {
      writeFileSync(join(dir, 'broken.sqlite'), 'not a database');
      const errors: string[] = [];
      const keeper = keepIdIndexes(dir, shell!, {
        everyMs: 3_600_000,
        onError: (file) => {
          errors.push(file);
          throw new Error('a failing listener');
        },
      });
      try {
        await keeper.ensure();
        await keeper.ensure();
        expect(errors).toEqual([join(dir, 'broken.sqlite')]);
        // The data folder gone: the rounds go on, saying nothing of files that are no more.
        rmSync(dir, { recursive: true, force: true });
        expect(await keeper.ensure()).toEqual(new Map());
      } finally {
        await keeper.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
