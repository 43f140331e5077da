/**
 * The canonical form of a stored record, which the audit chain hashes. It must give the same
 * text for a record as it was written and as MongoDB or FerretDB return it: object keys sorted
 * at every depth (a server may reorder them), dates as their ISO instant (both keep
 * milliseconds), numbers as JavaScript prints them (an int32 and a double of the same value come
 * back as the same number), BSON types by their value, and an absent member, `undefined` and
 * `null` alike (the driver may store `undefined` as null; nothing in an audit record means
 * something by the difference).
 */
import { createHash } from 'node:crypto';

type Bson = { _bsontype: string; toString(): string; toHexString?: () => string };

const isBson = (value: object): value is Bson => typeof (value as { _bsontype?: unknown })._bsontype === 'string';

function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (Array.isArray(value)) return value.map(canonical);
  if (isBson(value)) {
    switch (value._bsontype) {
      case 'ObjectId':
        return { $oid: value.toHexString!() };
      case 'Long':
      case 'Int32':
      case 'Double':
        return Number(value.toString());
      case 'Binary':
        return { $binary: (value as unknown as { toString(encoding: string): string }).toString('base64') };
      default:
        return { [`$${value._bsontype.toLowerCase()}`]: value.toString() };
    }
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined && member !== null) sorted[key] = canonical(member);
  }
  return sorted;
}

/** The canonical JSON text of a stored value (see the module comment). */
export function canonicalRecord(value: unknown): string {
  return JSON.stringify(canonical(value));
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The hash a block lists for one record: sha256 of its stream and canonical content. The
 * record's identity (`_id`, or an objection step's key) is not part of it: the block pairs each
 * identity with its hash, so content moved from one record to another shows up as a reorder.
 */
export function recordHash(stream: string, content: object): string {
  return sha256(`${stream}\n${canonicalRecord(content)}`);
}
