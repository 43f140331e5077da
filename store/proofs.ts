/**
 * The proof archive (档案数据化): every proof obtained for a subject — a department's
 * verification answer, facts read by data sharing, a certificate presented, a document seen at
 * the window, a pledge signed — filed once by its business key with where it came from, what it
 * proves, the facts it rests on and how long it may be relied on. A later application or
 * verification within validity reuses it instead of pulling again (the reuse is recorded); an
 * expired or revoked one is never reused; a death or a corrected record revokes what rested on
 * the changed facts (services/verifications/revoke.ts).
 *
 * Keyed (store/keyed.ts): `_id` is the key, writes are `$setOnInsert` upserts, so a retried
 * filing files once and the first filing's content stands; a reuse is its own keyed record,
 * counted on the proof only when it is new. No transactions. Pseudonymous subject keys only.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { ClaimAnswer } from '../domain/verification-claims.js';
import type { SubjectKind } from '../domain/sources.js';
import { buildIndexes } from './indexes.js';
import { idFromKey } from './keyed.js';

/** How a proof was obtained. */
export type ProofMethod = 'sharing' | 'verification' | 'certificate' | 'document' | 'pledge';
export const PROOF_METHODS: readonly ProofMethod[] = ['sharing', 'verification', 'certificate', 'document', 'pledge'];

export interface ArchivedProof {
  /** Equals `key`. */
  _id?: string;
  /** The business key, e.g. `verification:<verificationId>`, `application:<id>/<proofId>`. */
  key: string;
  /** Pseudonymous (domain/pseudonym.ts): never a raw resident ID or credit code. */
  subjectKey: string;
  subjectKind: SubjectKind;
  /**
   * What it proves: `claim:<claimId>`, `certificate:<type>`, `facts:<sorted fact keys joined by ,>`,
   * `document:<matterId>/<proofId>` (the helpers below make them).
   */
  proof: string;
  method: ProofMethod;
  /** A verification's answer; absent for a certificate, document or pledge (their presence is the proof). */
  answer?: ClaimAnswer;
  /** Who answered or issued it (a department ID) and its reference (certificate ID, 文号, verification ID). */
  source: { department: string; reference?: string };
  obtainedAt: Date;
  validUntil: Date;
  revokedAt?: Date;
  revokedBecause?: string;
  /** The catalog facts the proof rests on: a change to any of them revokes it. */
  dependsOnFacts: string[];
  /** What it was obtained for first. */
  obtainedFor: { kind: 'application' | 'verification'; id: string; matter: string };
  /** How many times it was reused (one per new reuse record). */
  reuses: number;
}

/** One reuse of an archived proof: by which application or verification, when. Keyed, so a retry records once. */
export interface ProofReuse {
  _id?: string;
  key: string;
  proofId: string;
  by: { kind: 'application' | 'verification'; id: string; matter?: string };
  at: Date;
}

/** What a proof proves, as the archive names it. */
export const proofOfClaim = (claimId: string): string => `claim:${claimId}`;
export const proofOfCertificate = (type: string): string => `certificate:${type}`;
export const proofOfFacts = (facts: readonly string[]): string => `facts:${[...new Set(facts)].sort().join(',')}`;
export const proofOfDocument = (matterId: string, proofId: string): string => `document:${matterId}/${proofId}`;

const proofSchema = new Schema<ArchivedProof>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    subjectKind: { type: String, enum: ['person', 'enterprise'], required: true },
    proof: { type: String, required: true },
    method: { type: String, enum: PROOF_METHODS, required: true },
    answer: { type: String, enum: ['yes', 'no', 'cannot-tell'] },
    source: { department: { type: String, required: true }, reference: String },
    obtainedAt: { type: Date, required: true },
    validUntil: { type: Date, required: true },
    revokedAt: Date,
    revokedBecause: String,
    dependsOnFacts: { type: [String], required: true },
    obtainedFor: {
      kind: { type: String, enum: ['application', 'verification'], required: true },
      id: { type: String, required: true },
      matter: { type: String, required: true },
    },
    reuses: { type: Number, required: true },
  },
  { collection: 'proofs', versionKey: false },
);
proofSchema.index({ key: 1 }, { unique: true });
idFromKey(proofSchema, 'key');
/** A subject's proofs of one kind, newest first (what reuse asks). */
proofSchema.index({ subjectKey: 1, proof: 1, obtainedAt: -1 });

const reuseSchema = new Schema<ProofReuse>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    proofId: { type: String, required: true },
    by: { kind: { type: String, required: true }, id: { type: String, required: true }, matter: String },
    at: { type: Date, required: true },
  },
  { collection: 'proof_reuses', versionKey: false },
);
reuseSchema.index({ key: 1 }, { unique: true });
idFromKey(reuseSchema, 'key');
reuseSchema.index({ proofId: 1, at: -1 });

/** Registers the proof archive's models on a connection (idempotent). */
export function registerProofModels(connection: Connection): {
  Proof: Model<ArchivedProof>;
  ProofReuse: Model<ProofReuse>;
} {
  return {
    Proof:
      (connection.models.ArchivedProof as Model<ArchivedProof>) ??
      connection.model<ArchivedProof>('ArchivedProof', proofSchema),
    ProofReuse:
      (connection.models.ProofReuse as Model<ProofReuse>) ?? connection.model<ProofReuse>('ProofReuse', reuseSchema),
  };
}

const built = new WeakMap<Connection, Promise<void>>();

/** Builds the archive's indexes once per connection. */
async function ensureIndexes(store: Connection): Promise<void> {
  let done = built.get(store);
  if (!done) {
    const { Proof, ProofReuse } = registerProofModels(store);
    done = Promise.all([buildIndexes(Proof), buildIndexes(ProofReuse)]).then(() => undefined);
    done.catch(() => built.delete(store));
    built.set(store, done);
  }
  await done;
}

const duplicateKey = (error: unknown) => (error as { code?: unknown }).code === 11000;

/**
 * Files a proof once under its key and answers the proof as filed: the first filing's content
 * stands (a retry, or a second answer racing the first, gets the first back).
 */
export async function fileProof(
  store: Connection,
  proof: Omit<ArchivedProof, '_id' | 'reuses'> & { reuses?: number },
): Promise<{ proof: ArchivedProof; filed: boolean }> {
  await ensureIndexes(store);
  const { Proof } = registerProofModels(store);
  const record: ArchivedProof = {
    ...proof,
    dependsOnFacts: [...new Set(proof.dependsOnFacts)].sort(),
    reuses: proof.reuses ?? 0,
  };
  let filed = false;
  try {
    const result = await Proof.updateOne({ _id: record.key }, { $setOnInsert: record }, { upsert: true });
    filed = result.upsertedCount === 1;
  } catch (error) {
    if (!duplicateKey(error)) throw error;
  }
  const stored = await Proof.findById(record.key).lean<ArchivedProof>();
  if (!stored) throw new Error(`proof ${record.key} was filed but cannot be read back`);
  return { proof: stored, filed };
}

/** A proof by its key (its ID), or undefined. */
export async function findProof(store: Connection, proofId: string): Promise<ArchivedProof | undefined> {
  const { Proof } = registerProofModels(store);
  return (await Proof.findById(proofId).lean<ArchivedProof>()) ?? undefined;
}

/** Whether a proof may be relied on at `at`: obtained by then, not revoked, not expired. */
export const proofUsableAt = (proof: ArchivedProof, at: Date): boolean =>
  proof.revokedAt === undefined &&
  proof.obtainedAt.getTime() <= at.getTime() &&
  proof.validUntil.getTime() > at.getTime();

/**
 * The newest proof of `proof` for the subject that may be relied on at `at` (valid, not revoked,
 * not expired), or undefined. Only answers a verification could rely on: a cannot-tell is no proof.
 */
export async function reusableProof(
  store: Connection,
  query: { subjectKey: string; proof: string; at: Date },
): Promise<ArchivedProof | undefined> {
  const { Proof } = registerProofModels(store);
  const candidates = await Proof.find({
    subjectKey: query.subjectKey,
    proof: query.proof,
    revokedAt: { $exists: false },
    validUntil: { $gt: query.at },
  })
    .sort({ obtainedAt: -1 })
    .limit(20)
    .lean<ArchivedProof[]>();
  return candidates.find((p) => proofUsableAt(p, query.at) && p.answer !== 'cannot-tell');
}

/**
 * Records one reuse of a proof, once per key; counts it on the proof when it is new. Answers
 * whether this call recorded it. (A crash between the two writes leaves the count one short,
 * never double: the reuse records are the account.)
 */
export async function recordProofReuse(
  store: Connection,
  reuse: { proofId: string; by: ProofReuse['by']; at: Date; key: string },
): Promise<boolean> {
  await ensureIndexes(store);
  const { Proof, ProofReuse } = registerProofModels(store);
  let inserted = false;
  try {
    const result = await ProofReuse.updateOne(
      { _id: reuse.key },
      { $setOnInsert: { key: reuse.key, proofId: reuse.proofId, by: reuse.by, at: reuse.at } },
      { upsert: true },
    );
    inserted = result.upsertedCount === 1;
  } catch (error) {
    if (!duplicateKey(error)) throw error;
  }
  if (inserted) await Proof.updateOne({ _id: reuse.proofId }, { $inc: { reuses: 1 } });
  return inserted;
}

/** A proof's reuses, newest first. */
export async function reusesOf(store: Connection, proofId: string): Promise<ProofReuse[]> {
  const { ProofReuse } = registerProofModels(store);
  return ProofReuse.find({ proofId }).sort({ at: -1 }).lean<ProofReuse[]>();
}

/**
 * Revokes the subject's proofs not yet revoked — all of them, or those resting on any of
 * `facts` — with the reason; answers their keys. A proof revoked stays revoked: a second
 * revocation leaves the first reason and time.
 */
export async function revokeProofs(
  store: Connection,
  revocation: { subjectKey: string; facts?: readonly string[]; reason: string; at: Date },
): Promise<string[]> {
  const { Proof } = registerProofModels(store);
  const live = await Proof.find(
    { subjectKey: revocation.subjectKey, revokedAt: { $exists: false } },
    { _id: 1, dependsOnFacts: 1 },
  ).lean<Array<Pick<ArchivedProof, '_id' | 'dependsOnFacts'>>>();
  const facts = revocation.facts ? new Set(revocation.facts) : undefined;
  const hit = live.filter((p) => !facts || p.dependsOnFacts.some((fact) => facts.has(fact))).map((p) => p._id!);
  for (const id of hit) {
    await Proof.updateOne(
      { _id: id, revokedAt: { $exists: false } },
      { $set: { revokedAt: revocation.at, revokedBecause: revocation.reason } },
    );
  }
  return hit;
}

/** The subject's proofs, newest first (for the archive's views and tests). */
export async function proofsOf(store: Connection, subjectKey: string, limit = 200): Promise<ArchivedProof[]> {
  const { Proof } = registerProofModels(store);
  return Proof.find({ subjectKey }).sort({ obtainedAt: -1 }).limit(limit).lean<ArchivedProof[]>();
}
