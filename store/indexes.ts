/**
 * Builds a model's indexes where they do good. Unique indexes everywhere: they carry
 * idempotency (no transactions). The others only where a query can use them: MongoDB serves
 * the citizen's and supervisor's views from them, but FerretDB 1.24 on SQLite pushes no filter
 * down except `_id` equality, and no sort but `$natural`, so there a secondary index is never
 * read and only slows every write — a sweep's bulk grants, decisions and access records most.
 * Indexes already built on an existing store are left as they are.
 */
import type { Connection, Model } from 'mongoose';

const ferret = new WeakMap<Connection, Promise<boolean>>();

/**
 * Whether the server is FerretDB 1.x (its buildInfo names its version), whose SQLite backend
 * pushes down only `_id`. FerretDB 2 (on DocumentDB) uses secondary indexes: it gets them all.
 * A failed probe is asked again next time.
 */
export function isFerretDb(connection: Connection): Promise<boolean> {
  let known = ferret.get(connection);
  if (!known) {
    known = connection
      .db!.admin()
      .command({ buildInfo: 1 })
      .then((info) => typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion));
    known.catch(() => ferret.delete(connection));
    ferret.set(connection, known);
  }
  return known;
}

/** Creates the model's collection and the indexes its schema declares that the server can use (see above). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model, whatever its document type
export async function buildIndexes(model: Model<any>): Promise<void> {
  if (!(await isFerretDb(model.db))) {
    await model.createIndexes();
    return;
  }
  await model.createCollection().catch((error: { codeName?: string }) => {
    if (error.codeName !== 'NamespaceExists') throw error;
  });
  for (const [fields, options] of model.schema.indexes()) {
    if (options.unique) await model.collection.createIndex(fields as Record<string, 1 | -1>, options as object);
  }
}
