/**
 * Builds a model's indexes where they do good. Unique indexes everywhere: they carry
 * idempotency (no transactions). The others only where a query can use them:
 *   - MongoDB (and FerretDB 2) uses them all;
 *   - the embedded FerretDB, the project's patched 1.24 (infra/ferretdb/applyfree.patch, which it
 *     announces in buildInfo's `ferretdbFeatures.indexedPushdown`), serves equality on an index's
 *     first field from it when that field is top-level: those are built;
 *   - an unpatched FerretDB 1.x pushes no filter down but `_id` equality, so there a secondary
 *     index is never read and only slows every write: none is built.
 * Indexes already built on an existing store are left as they are.
 */
import type { Connection, Model } from 'mongoose';

/** Which secondary indexes the server's queries use: all, those led by a top-level field (by equality), or none. */
export type SecondaryIndexUse = 'all' | 'leading-field' | 'none';

const kinds = new WeakMap<Connection, Promise<SecondaryIndexUse>>();

/** Which secondary indexes the server's queries use (see above), from its buildInfo; a failed probe is asked again next time. */
export function secondaryIndexUse(connection: Connection): Promise<SecondaryIndexUse> {
  let known = kinds.get(connection);
  if (!known) {
    known = connection
      .db!.admin()
      .command({ buildInfo: 1 })
      .then((info): SecondaryIndexUse => {
        const ferret1 = typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion);
        const patched = (info.ferretdbFeatures as { indexedPushdown?: boolean } | undefined)?.indexedPushdown === true;
        return !ferret1 ? 'all' : patched ? 'leading-field' : 'none';
      });
    known.catch(() => kinds.delete(connection));
    kinds.set(connection, known);
  }
  return known;
}

/** Creates the model's collection and the indexes its schema declares that the server can use (see above). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model, whatever its document type
export async function buildIndexes(model: Model<any>): Promise<void> {
  const use = await secondaryIndexUse(model.db);
  if (use === 'all') {
    await model.createIndexes();
    return;
  }
  await model.createCollection().catch((error: { codeName?: string }) => {
    if (error.codeName !== 'NamespaceExists') throw error;
  });
  for (const [fields, options] of model.schema.indexes()) {
    const leading = Object.keys(fields)[0] ?? '';
    const used = options.unique || (use === 'leading-field' && !leading.includes('.'));
    if (used) await model.collection.createIndex(fields as Record<string, 1 | -1>, options as object);
  }
}
