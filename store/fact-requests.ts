/**
 * Fact requests (数据需求, domain/fact-requests.ts) as records: one document per filing, `_id` the
 * request's ID derived from its business key (the filer and the client's key, or the content per
 * day), written with `$setOnInsert`, so a retried filing files once. A request closes once —
 * answered, refused or withdrawn — through a claimed step (store/step-claims.ts: FerretDB's guarded
 * updates are not atomic), so a department's retried answer and an officer's withdrawal never both
 * land. No personal data: what is asked, why, for which policy, of whom, and the times.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { FactRequestAnswer, FactRequestStatus } from '../domain/fact-requests.js';
import type { FactType, Text } from '../domain/sources.js';
import type { PersonRef } from './users.js';

export interface FactRequestRecord {
  /** `fr_…`, from `key` (domain/fact-requests.ts factRequestId). */
  _id: string;
  key: string;
  status: FactRequestStatus;
  fact: { description: string; key?: string; type?: FactType };
  why: string;
  policy: { id: string; version?: number };
  legalBasis: string;
  /** The registered department asked (its ID), its name then, and the catalog source named, if any. */
  department: string;
  departmentName: Text;
  sourceId?: string;
  filedBy: PersonRef & { id: string };
  filedAt: Date;
  /** One working day after filing (domain/calendar.ts workingDaysAfter). */
  dueAt: Date;
  answer?: FactRequestAnswer;
  answeredAt?: Date;
  /** The department and the key it signed its answer with. */
  answeredBy?: { department: string; keyId: string };
  withdrawnAt?: Date;
  withdrawnBy?: PersonRef & { id: string };
}

const person = { id: String, name: String, role: String };

const factRequestSchema = new Schema<FactRequestRecord>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    status: { type: String, required: true },
    fact: { description: { type: String, required: true }, key: String, type: { type: String } },
    why: { type: String, required: true },
    policy: { id: { type: String, required: true }, version: Number },
    legalBasis: { type: String, required: true },
    department: { type: String, required: true },
    departmentName: { zh: String, en: String },
    sourceId: String,
    filedBy: person,
    filedAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    answer: { type: Schema.Types.Mixed },
    answeredAt: Date,
    answeredBy: { department: String, keyId: String },
    withdrawnAt: Date,
    withdrawnBy: person,
  },
  { collection: 'fact_requests', versionKey: false },
);
// Departments list theirs, officers theirs (served from these where the server uses them: store/indexes.ts).
factRequestSchema.index({ department: 1, filedAt: -1 });
factRequestSchema.index({ 'filedBy.id': 1, filedAt: -1 });

export function registerFactRequestModels(connection: Connection): { FactRequest: Model<FactRequestRecord> } {
  return {
    FactRequest:
      (connection.models.FactRequest as Model<FactRequestRecord>) ??
      connection.model<FactRequestRecord>('FactRequest', factRequestSchema),
  };
}

/** Files the request once under its `_id`; true when this call filed it. */
export async function fileFactRequest(store: Connection, record: FactRequestRecord): Promise<boolean> {
  const { FactRequest } = registerFactRequestModels(store);
  const result = await FactRequest.updateOne({ _id: record._id }, { $setOnInsert: record }, { upsert: true });
  return result.upsertedCount === 1;
}

/** A request by ID, or undefined. */
export async function findFactRequest(store: Connection, id: string): Promise<FactRequestRecord | undefined> {
  return (await registerFactRequestModels(store).FactRequest.findById(id).lean()) ?? undefined;
}

/** Requests matching a filter, newest first (at most `limit`). */
export async function listFactRequests(
  store: Connection,
  filter: { department?: string; status?: FactRequestStatus; filerId?: string; policyId?: string },
  limit = 200,
): Promise<FactRequestRecord[]> {
  const query: Record<string, unknown> = {};
  if (filter.department) query.department = filter.department;
  if (filter.status) query.status = filter.status;
  if (filter.filerId) query['filedBy.id'] = filter.filerId;
  if (filter.policyId) query['policy.id'] = filter.policyId;
  const records = await registerFactRequestModels(store).FactRequest.find(query).lean();
  return records.sort((a, b) => b.filedAt.getTime() - a.filedAt.getTime()).slice(0, limit);
}

/** Every request's times, for the indicator (a projected stream). */
export async function* factRequestTimes(
  store: Connection,
): AsyncGenerator<
  Pick<
    FactRequestRecord,
    'department' | 'departmentName' | 'status' | 'filedAt' | 'dueAt' | 'answeredAt' | 'withdrawnAt'
  >
> {
  const cursor = registerFactRequestModels(store)
    .FactRequest.find(
      {},
      { _id: 0, department: 1, departmentName: 1, status: 1, filedAt: 1, dueAt: 1, answeredAt: 1, withdrawnAt: 1 },
    )
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const record of cursor) yield record;
}
