/**
 * Records whose `_id` is their business key. FerretDB (SQLite) answers only `_id` lookups
 * from an index, so keyed reads and `$setOnInsert` upserts filter on `_id`; a document
 * created without an `_id` takes it from its key field, so both write paths agree.
 */
import type { Schema } from 'mongoose';

/** Fills `_id` from `field` before validation when a document was created without one. */
export function idFromKey<T>(schema: Schema<T>, field: keyof T & string): Schema<T> {
  schema.pre('validate', function fillId() {
    if (this.get('_id') === undefined || this.get('_id') === null) this.set('_id', this.get(field));
  });
  return schema;
}
