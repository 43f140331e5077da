/**
 * Lookups by `_id` on the embedded FerretDB, made index lookups.
 *
 * FerretDB 1.24 on SQLite keeps each collection in a table of JSON documents. It pushes a filter
 * `{_id: <string>}` down to SQLite as `WHERE _ferretdb_sjson->'$._id' = ?`, but builds the
 * collection's `_id` index on `_ferretdb_sjson->"_id"`. SQLite matches an index to a query by
 * the expression's text, so that index is never used: every `findOne`, `updateOne` and upsert by
 * `_id` reads the whole table (about 130 ms on 100,000 documents, seconds on a million). The
 * embedded stack therefore adds, beside each collection's table, an index on the very expression
 * the lookups use (about 1 ms on 100,000). FerretDB neither lists nor needs it; dropping the
 * collection or database drops it too. A real MongoDB needs none of this.
 *
 * Collections are created as they are first written, so a keeper checks the database files
 * every few seconds and indexes new tables. Files are opened read-write without create: a
 * database dropped meanwhile is never brought back as an empty file.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Names of the indexes added here: `_applyfree_id_<table>`. */
export const ID_INDEX_PREFIX = '_applyfree_id_';

/** The expression FerretDB's `_id` pushdown queries (internal/backends/sqlite/metadata IDColumn). */
const ID_PATH = "_ferretdb_sjson->'$._id'";

/** A collection's table (FerretDB's own tables start with `_ferretdb_`) with no lookup index yet. */
const MISSING = `SELECT t.name FROM sqlite_master t
  WHERE t.type = 'table' AND t.name NOT LIKE '\\_ferretdb\\_%' ESCAPE '\\' AND t.sql LIKE '%_ferretdb_sjson%'
    AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = '${ID_INDEX_PREFIX}' || t.name);`;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function sqlite(shell: string, file: string, sql: string): Promise<string> {
  // mode=rw: a file deleted since it was listed (a dropped database) fails instead of being created.
  const { stdout } = await run(shell, ['-batch', '-bail', '-cmd', '.timeout 10000', `file:${file}?mode=rw`, sql], { timeout: 120_000 });
  return stdout;
}

/** FerretDB's database files in its SQLite directory. */
function databaseFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir).filter((name) => name.endsWith('.sqlite')).map((name) => join(dataDir, name));
}

/** Indexes one database file's new tables; the tables indexed. */
export async function indexDatabaseFile(shell: string, file: string): Promise<string[]> {
  const tables = (await sqlite(shell, file, MISSING)).split('\n').map((line) => line.trim()).filter(Boolean);
  if (tables.length === 0) return [];
  await sqlite(shell, file, tables.map((table) => `CREATE INDEX IF NOT EXISTS ${quoted(ID_INDEX_PREFIX + table)} ON ${quoted(table)} (${ID_PATH});`).join('\n'));
  return tables;
}

export interface IdIndexKeeper {
  /** Checks every database file now; the tables indexed, by file. */
  ensure(): Promise<Map<string, string[]>>;
  stop(): Promise<void>;
}

/**
 * Keeps FerretDB's `_id` lookups indexed: checks its database files now and every `everyMs`,
 * skipping a file unchanged since it was last found complete. A file that fails (dropped while
 * being read, busy past the timeout) is tried again on the next round; `onError` hears of it.
 */
export function keepIdIndexes(
  dataDir: string,
  shell: string,
  options: { everyMs?: number; onError?: (file: string, error: Error) => void } = {},
): IdIndexKeeper {
  const complete = new Map<string, string>();
  const signature = (file: string) => {
    try {
      const parts = [file, `${file}-wal`].filter(existsSync).map((path) => statSync(path)).map((s) => `${s.mtimeMs}:${s.size}`);
      return parts.join('/');
    } catch {
      return undefined;
    }
  };
  let round: Promise<Map<string, string[]>> = Promise.resolve(new Map());
  const ensure = () => {
    round = round.then(async () => {
      const indexed = new Map<string, string[]>();
      for (const file of databaseFiles(dataDir)) {
        const before = signature(file);
        if (before === undefined || complete.get(file) === before) continue;
        try {
          const tables = await indexDatabaseFile(shell, file);
          if (tables.length > 0) indexed.set(file, tables);
          // Unchanged since this check began: nothing created meanwhile can have been missed.
          if (signature(file) === before) complete.set(file, before);
          else complete.delete(file);
        } catch (error) {
          complete.delete(file);
          if (existsSync(file)) options.onError?.(file, error as Error);
        }
      }
      return indexed;
    });
    return round;
  };
  const timer = setInterval(() => void ensure(), options.everyMs ?? 5_000);
  timer.unref();
  return {
    ensure,
    async stop() {
      clearInterval(timer);
      await round.catch(() => undefined);
    },
  };
}
