/**
 * The applications' door to the proof archive (档案数据化): a proof obtained for one application is
 * filed by subject key with its validity, and a later application within that validity reuses it
 * (the reuse recorded, no new pull). The archive itself is store/proofs.ts; this is the narrow
 * interface the application path needs of it, so the obtaining step (obtain.ts) does not reach
 * into the archive's shape.
 */
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

export interface ProofArchive {
  /** An archived proof of `proof` for the subject, valid and not revoked at `at`, or undefined. */
  reusable(subjectKey: string, proof: string, at: Date): Promise<{ proofId: string } | undefined>;
  /** Files a proof just obtained (idempotent by `key`); answers its archive ID. */
  file(entry: ProofFiling): Promise<{ proofId: string }>;
  /** Records that an application reused an archived proof (idempotent by application and proof). */
  recordReuse(proofId: string, by: { applicationId: string; at: Date }): Promise<void>;
}

export interface ProofFiling {
  /** The filing's business key (the application and proof): a retried activity files once. */
  key: string;
  subjectKey: string;
  /** `claim:<id>` | `certificate:<type>` | `facts:<sorted keys>` | `document:<matter>/<proof>`. */
  proof: string;
  /** Where it came from: the method, its reference (claim, certificate ID, application) and the department. */
  source: { kind: string; ref: string; department?: string };
  obtainedAt: Date;
  validUntil?: Date;
}

interface InterimProof extends ProofFiling {
  _id: string;
  reusedBy: Array<{ applicationId: string; at: Date }>;
}

const interimSchema = new Schema<InterimProof>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    subjectKey: { type: String, required: true },
    proof: { type: String, required: true },
    source: { type: Schema.Types.Mixed, required: true },
    obtainedAt: { type: Date, required: true },
    validUntil: { type: Date },
    reusedBy: { type: Schema.Types.Mixed, default: [] },
  },
  { collection: 'application_proofs', versionKey: false },
);
interimSchema.index({ subjectKey: 1, proof: 1 });

const modelOf = (store: Connection): Model<InterimProof> =>
  (store.models.ApplicationProofInterim as Model<InterimProof> | undefined) ??
  store.model<InterimProof>('ApplicationProofInterim', interimSchema);

/** The archive, kept in the applications' own collection until store/proofs.ts is merged. */
export function storeProofArchive(store: Connection): ProofArchive {
  const Proof = modelOf(store);
  return {
    async reusable(subjectKey, proof, at) {
      const found = await Proof.find({ subjectKey, proof }).sort({ obtainedAt: -1 }).limit(1).lean();
      const latest = found[0];
      return latest && (!latest.validUntil || latest.validUntil > at) ? { proofId: latest._id } : undefined;
    },
    async file(entry) {
      const _id = `pf_${createHash('sha256').update(entry.key).digest('hex').slice(0, 24)}`;
      await Proof.updateOne({ _id }, { $setOnInsert: { ...entry, reusedBy: [] } }, { upsert: true });
      return { proofId: _id };
    },
    async recordReuse(proofId, by) {
      await Proof.updateOne(
        { _id: proofId, 'reusedBy.applicationId': { $ne: by.applicationId } },
        { $push: { reusedBy: by } },
      );
    },
  };
}
