/**
 * The canonical JSON text of a value: the one form applyfree hashes and signs (the audit chain,
 * store/audit-canonical.ts; certificates, docs/CERTIFICATES.md). It must give the same text for a
 * record as it was written and as MongoDB or FerretDB return it: object keys sorted at every depth
 * (a server may reorder them), dates as their ISO instant (both keep milliseconds), numbers as
 * JavaScript prints them (an int32 and a double of the same value come back as the same number),
 * BSON types by their value, and an absent member, `undefined` and `null` alike (the driver may
 * store `undefined` as null; nothing in an audit record means something by the difference). No
 * spaces; strings as JSON.stringify writes them (UTF-8 as is, control characters escaped).
 */
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

/** The canonical JSON text of a value (see the module comment). */
export function canonicalRecord(value: unknown): string {
  return JSON.stringify(canonical(value));
}
