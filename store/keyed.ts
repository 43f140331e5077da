/**
 * Records whose `_id` is their business key. `_id` is the one field every MongoDB-wire store
 * indexes (a keyed read or upsert is one index lookup, on MongoDB and on the embedded FerretDB
 * with the project's patch, docs/FERRETDB.md), and the one an upstream FerretDB 1.24 pushed down. A document created
 * without an `_id` takes it from its key field, so both write paths agree.
 */
import type { Schema } from 'mongoose';

/** Fills `_id` from `field` before validation when a document was created without one. */
export function idFromKey<T>(schema: Schema<T>, field: keyof T & string): Schema<T> {
  schema.pre('validate', function fillId() {
    if (this.get('_id') === undefined || this.get('_id') === null) this.set('_id', this.get(field));
  });
  return schema;
}
