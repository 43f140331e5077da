/**
 * Programme-level access records (S7): a population sweep or an impact simulation reads the
 * declared facts of every subject of one kind, so it writes ONE record for the whole read —
 * which policy and version, as of which date, which facts from which sources, for what, who
 * started it — rather than one per subject. A citizen's "who used my data" shows the ones that
 * covered them (services/citizen/service.ts). Keyed by the sweep or simulation run, written once
 * before the first subject is read, and hash-chained (stream `programme_access`).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { findFact, type SubjectKind } from '../domain/sources.js';
import type { Policy } from '../rules/types.js';
import { chainStored } from './audit-chain.js';

export interface ProgrammeAccess {
  /** `sweep:<workflow ID>` or `simulation:<policy>@<version>:<run>`: one per run, ever. */
  _id: string;
  kind: 'sweep' | 'simulation';
  policyId: string;
  policyVersion: number;
  /** Every subject of this kind on the data platform was read. */
  subjectKind: SubjectKind;
  /** The date the population was read as of (YYYY-MM-DD). */
  asOf: string;
  /** Fact keys read, and the data sources they came from. */
  fields: string[];
  sources: string[];
  /** The purposes the policy declares for those facts, with what the read was for. */
  purposes: string[];
  /** Who started it: a user's display name, or `schedule:<kind>` for a scheduled sweep. */
  requestedBy: string;
  /** The user ID of whoever started it (absent for the schedule, and on records before user IDs). */
  requestedById?: string;
  role?: string;
  at: Date;
}

const programmeSchema = new Schema<ProgrammeAccess>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['sweep', 'simulation'] },
    policyId: { type: String, required: true },
    policyVersion: { type: Number, required: true },
    subjectKind: { type: String, required: true, enum: ['person', 'enterprise'] },
    asOf: { type: String, required: true },
    fields: { type: [String], required: true },
    sources: { type: [String], required: true },
    purposes: { type: [String], required: true },
    requestedBy: { type: String, required: true },
    requestedById: String,
    role: String,
    at: { type: Date, required: true },
  },
  { collection: 'programme_access', versionKey: false },
);
/** The reads that covered every subject of a kind, newest first. */
programmeSchema.index({ subjectKind: 1, at: -1 });

export function registerProgrammeAccessModel(connection: Connection): Model<ProgrammeAccess> {
  return (
    (connection.models.ProgrammeAccess as Model<ProgrammeAccess>) ??
    connection.model<ProgrammeAccess>('ProgrammeAccess', programmeSchema)
  );
}

/** The record of a run reading `policy`'s declared facts for every subject of its kind as of `asOf`. */
export function programmeRead(
  run: Pick<ProgrammeAccess, '_id' | 'kind' | 'asOf' | 'requestedBy' | 'requestedById' | 'role'>,
  policy: Pick<Policy, 'id' | 'version' | 'subject' | 'facts'>,
  purposePrefix: string,
): ProgrammeAccess {
  const fields = Object.keys(policy.facts);
  return {
    ...run,
    policyId: policy.id,
    policyVersion: policy.version,
    subjectKind: policy.subject,
    fields,
    sources: [...new Set(fields.map((fact) => findFact(fact)?.source.id ?? policy.facts[fact].source))],
    purposes: [...new Set(Object.values(policy.facts).map((declared) => `${purposePrefix}: ${declared.purpose}`))],
    at: new Date(),
  };
}

/**
 * Writes the run's record once (`$setOnInsert` on its `_id`) and chains it; a retry finds it and
 * chains it only if the first attempt did not. Throws when it could not be written: the run must
 * not read the population without it.
 */
export async function recordProgrammeAccess(connection: Connection, record: ProgrammeAccess): Promise<void> {
  const { _id, ...fields } = Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as unknown as ProgrammeAccess;
  let inserted = false;
  try {
    const result = await registerProgrammeAccessModel(connection).updateOne(
      { _id },
      { $setOnInsert: fields },
      { upsert: true },
    );
    inserted = result.upsertedCount === 1;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  await chainStored(connection, 'programme_access', [_id], { fresh: inserted });
}

/** The most recent reads of every subject of a kind (sorted and limited in the query). */
export function programmeReadsOf(connection: Connection, kind: SubjectKind, limit: number) {
  return registerProgrammeAccessModel(connection).find({ subjectKind: kind }).sort({ at: -1 }).limit(limit).lean();
}
