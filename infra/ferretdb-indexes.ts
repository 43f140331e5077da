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
 * Collections are created as they are first written, so a keeper checks the database files a
 * few seconds after each check ends and indexes new tables. Files are opened read-write without
 * create, so a database file dropped meanwhile is never brought back; lock waits are kept short
 * (the next round tries again), so the keeper holds a file open for milliseconds. Building the
 * index on a large existing table holds SQLite's write lock for about a second per million
 * documents; FerretDB's writers wait up to 10 s for it.
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

/** SQLite's `->` operator, which FerretDB's own index uses, came in 3.38: an older shell cannot even read the schema. */
export const MIN_SQLITE = [3, 38] as const;

/** A collection's table (FerretDB's own tables start with `_ferretdb_`) with no lookup index yet. */
const MISSING = `SELECT t.name FROM sqlite_master t
  WHERE t.type = 'table' AND t.name NOT LIKE '\\_ferretdb\\_%' ESCAPE '\\' AND t.sql LIKE '%_ferretdb_sjson%'
    AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = '${ID_INDEX_PREFIX}' || t.name);`;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function sqlite(
  shell: string,
  file: string,
  sql: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  // -init /dev/null: no ~/.sqliterc changes the output. mode=rw: a file deleted since it was listed (a dropped database) fails instead of being created.
  const args = [
    '-init',
    '/dev/null',
    '-batch',
    '-bail',
    '-list',
    '-noheader',
    '-cmd',
    `.timeout ${options.timeoutMs}`,
    `file:${file}?mode=rw`,
    sql,
  ];
  const { stdout } = await run(shell, args, { timeout: 120_000, signal: options.signal });
  return stdout;
}

/** Whether a `sqlite3 -version` line is at least MIN_SQLITE. */
export function sqliteRecentEnough(versionLine: string): boolean {
  const [major, minor] = versionLine.trim().split(/[ .]/).map(Number);
  return major > MIN_SQLITE[0] || (major === MIN_SQLITE[0] && minor >= MIN_SQLITE[1]);
}

/** FerretDB's database files in its SQLite directory. */
function databaseFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => name.endsWith('.sqlite'))
    .map((name) => join(dataDir, name));
}

/** Indexes one database file's new tables; the tables indexed. */
export async function indexDatabaseFile(
  shell: string,
  file: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const opts = { timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal };
  const tables = (await sqlite(shell, file, MISSING, opts))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (tables.length === 0) return [];
  await sqlite(
    shell,
    file,
    tables
      .map((table) => `CREATE INDEX IF NOT EXISTS ${quoted(ID_INDEX_PREFIX + table)} ON ${quoted(table)} (${ID_PATH});`)
      .join('\n'),
    opts,
  );
  return tables;
}

export interface IdIndexKeeper {
  /** Checks every database file now (after any check under way); the tables indexed, by file. */
  ensure(): Promise<Map<string, string[]>>;
  /** Stops checking; a check under way is cut short. */
  stop(): Promise<void>;
}

/**
 * Keeps FerretDB's `_id` lookups indexed: checks its database files now and `everyMs` after each
 * check ends, skipping a file unchanged since it was last found complete. A file that fails
 * (dropped while being read, busy past the short lock wait) is tried again on the next round;
 * `onError` hears of each new failure once, not every round.
 */
export function keepIdIndexes(
  dataDir: string,
  shell: string,
  options: { everyMs?: number; lockWaitMs?: number; onError?: (file: string, error: Error) => void } = {},
): IdIndexKeeper {
  const complete = new Map<string, string>();
  const reported = new Map<string, string>();
  const abort = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const signature = (file: string) => {
    try {
      return [file, `${file}-wal`]
        .filter(existsSync)
        .map((path) => statSync(path))
        .map((s) => `${s.mtimeMs}:${s.size}`)
        .join('/');
    } catch {
      return undefined;
    }
  };
  const report = (file: string, error: Error) => {
    const first = error.message.split('\n').find((line) => line.trim()) ?? error.message;
    if (reported.get(file) === first) return;
    reported.set(file, first);
    try {
      options.onError?.(file, error);
    } catch {
      // A failing listener must not stop the keeper.
    }
  };
  const check = async (): Promise<Map<string, string[]>> => {
    const indexed = new Map<string, string[]>();
    let files: string[];
    try {
      files = databaseFiles(dataDir);
    } catch (error) {
      report(dataDir, error as Error);
      return indexed;
    }
    for (const file of files) {
      if (stopped) break;
      const before = signature(file);
      if (before === undefined || complete.get(file) === before) continue;
      try {
        const tables = await indexDatabaseFile(shell, file, {
          timeoutMs: options.lockWaitMs ?? 500,
          signal: abort.signal,
        });
        if (tables.length > 0) indexed.set(file, tables);
        reported.delete(file);
        // Unchanged since this check began: nothing created meanwhile can have been missed.
        if (signature(file) === before) complete.set(file, before);
        else complete.delete(file);
      } catch (error) {
        complete.delete(file);
        if (!stopped && existsSync(file)) report(file, error as Error);
      }
    }
    return indexed;
  };
  let round: Promise<Map<string, string[]>> = Promise.resolve(new Map());
  const ensure = () => {
    round = round.catch(() => new Map<string, string[]>()).then(check);
    return round;
  };
  // The next round is scheduled when one ends, so rounds never pile up on a busy machine.
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void ensure().then(schedule, schedule), options.everyMs ?? 5_000);
    timer.unref();
  };
  schedule();
  return {
    ensure,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await round.catch(() => undefined);
    },
  };
}
