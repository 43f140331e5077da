/**
 * The system of record for subjects: the only collection where a raw resident ID or
 * credit code sits next to its pseudonymous subject key. Everything else carries the key.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { shownIdentifier } from '../domain/identity.js';
import { candidateSubjectKeys, type SubjectKeyRing } from '../domain/pseudonym.js';

export type SubjectKind = 'person' | 'enterprise';

/**
 * One resident or enterprise known to the engine, keyed by its pseudonymous subject key.
 * `_id` equals `subjectKey`, so a lookup is by `_id`: one index search on any store.
 */
export interface SubjectRecord {
  _id?: string;
  subjectKey: string;
  kind: SubjectKind;
  /** Resident ID (GB 11643), persons only. */
  idNumber?: string;
  /** Unified social credit code (GB 32100), enterprises only. */
  creditCode?: string;
  displayName?: string;
  createdAt: Date;
}

/** What a subject key resolves to: the kind and the identifier the shared-data collections are keyed by. */
export interface ResolvedSubject {
  kind: SubjectKind;
  idNumber?: string;
  creditCode?: string;
}

export const SUBJECTS_COLLECTION = 'subjects';

const subjectSchema = new Schema<SubjectRecord>(
  {
    _id: {
      type: String,
      default(this: SubjectRecord) {
        return this.subjectKey;
      },
    },
    subjectKey: { type: String, required: true },
    kind: { type: String, enum: ['person', 'enterprise'], required: true },
    idNumber: { type: String },
    creditCode: { type: String },
    displayName: { type: String },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { collection: SUBJECTS_COLLECTION, versionKey: false },
);
subjectSchema.index({ subjectKey: 1 }, { unique: true });
/** A referenced identifier (a guardian's resident ID, a parent firm's credit code) turned into its subject key. */
subjectSchema.index({ idNumber: 1 });
subjectSchema.index({ creditCode: 1 });
subjectSchema.pre('validate', function () {
  if (this._id !== this.subjectKey) throw new Error('subjects: _id must equal subjectKey');
});

/** Registers the Subject model on a connection (idempotent) and returns it; call `createIndexes()` once at start. */
export function registerSubjectModel(connection: Connection): Model<SubjectRecord> {
  return (
    (connection.models.Subject as Model<SubjectRecord>) ?? connection.model<SubjectRecord>('Subject', subjectSchema)
  );
}

/** The kind and identifier behind a subject key, or undefined for an unknown key. Read-only, one `_id` lookup. */
export async function resolveSubject(connection: Connection, subjectKey: string): Promise<ResolvedSubject | undefined> {
  const doc = await registerSubjectModel(connection)
    .findOne({ _id: subjectKey }, { _id: 0, kind: 1, idNumber: 1, creditCode: 1 })
    .lean();
  if (!doc) return undefined;
  return {
    kind: doc.kind,
    ...(doc.idNumber ? { idNumber: doc.idNumber } : {}),
    ...(doc.creditCode ? { creditCode: doc.creditCode } : {}),
  };
}

/** The subject as staff see it on payroll worklists: the last four characters of its identifier, or nothing when unknown. */
export async function staffMaskedSubject(connection: Connection, subjectKey: string): Promise<{ masked?: string }> {
  const resolved = await resolveSubject(connection, subjectKey);
  const masked = resolved ? shownIdentifier(resolved, 'staff') : undefined;
  return masked ? { masked } : {};
}
/**
 * Records a subject if it is new (`$setOnInsert` on `_id` = key; idempotent, safe to race)
 * and returns its key. The caller computes the key with domain/pseudonym.ts.
 */
export async function ensureSubject(
  connection: Connection,
  subject: { subjectKey: string; kind: SubjectKind; idNumber?: string; creditCode?: string; displayName?: string },
): Promise<string> {
  const { subjectKey, ...rest } = subject;
  const Subjects = registerSubjectModel(connection);
  // One command for a subject new or known: what was there before (nothing, for a new one).
  const before = await Subjects.findOneAndUpdate(
    { _id: subjectKey },
    { $setOnInsert: { subjectKey, ...rest, createdAt: new Date() } },
    { upsert: true, returnDocument: 'before' },
  ).lean();
  // A subject whose data was erased (services/retention/erase.ts) and who is seen again is processed
  // again: the register links the key to the identifier once more.
  if ((before as { erasedAt?: Date } | null)?.erasedAt !== undefined)
    await Subjects.collection.updateOne({ _id: subjectKey, erasedAt: { $exists: true } } as object, {
      $set: rest,
      $unset: { erasedAt: '' },
    });
  return subjectKey;
}

/**
 * The subject key of a raw identifier under a key ring: the first of the current key and then
 * each previous one that `subjects` knows (one `_id` lookup each), else the current key — a subject seen for the first time. A subject therefore keeps
 * the key it was first registered under across rotations. Read-only; without previous keys, no
 * lookup (and no connection needed).
 */
export async function resolveSubjectKey(
  connection: Connection | undefined,
  ring: SubjectKeyRing,
  kind: SubjectKind,
  id: string,
): Promise<string> {
  const [current, ...older] = candidateSubjectKeys(ring, kind, id);
  if (older.length === 0) return current;
  if (!connection) throw new Error('resolveSubjectKey: a key ring with previous keys needs the subject register');
  const Subjects = registerSubjectModel(connection);
  for (const key of [current, ...older]) {
    if (await Subjects.exists({ _id: key })) return key;
  }
  return current;
}

/** Lookups in flight at once when a batch of identifiers is resolved. */
const RESOLVE_CONCURRENCY = 32;

/** resolveSubjectKey for many identifiers of one kind (a sweep's batch): identifier → key. */
export async function resolveSubjectKeys(
  connection: Connection,
  ring: SubjectKeyRing,
  kind: SubjectKind,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let at = 0; at < unique.length; at += RESOLVE_CONCURRENCY) {
    const chunk = unique.slice(at, at + RESOLVE_CONCURRENCY);
    const resolved = await Promise.all(chunk.map((id) => resolveSubjectKey(connection, ring, kind, id)));
    chunk.forEach((id, i) => keys.set(id, resolved[i]));
  }
  return keys;
}

/**
 * Registers a raw identifier under the key ring: resolves its key (an existing subject keeps its
 * own) and records the subject if it is new. Idempotent; returns the key.
 */
export async function registerSubject(
  connection: Connection,
  ring: SubjectKeyRing,
  subject: { kind: SubjectKind; id: string; displayName?: string },
): Promise<string> {
  const subjectKey = await resolveSubjectKey(connection, ring, subject.kind, subject.id);
  const idField = subject.kind === 'person' ? 'idNumber' : 'creditCode';
  return ensureSubject(connection, {
    subjectKey,
    kind: subject.kind,
    [idField]: subject.id,
    ...(subject.displayName ? { displayName: subject.displayName } : {}),
  });
}
