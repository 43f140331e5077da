/**
 * The audit streams the chain covers (store/audit-chain.ts) and where each keeps its records:
 * how to read one record's chained content by its identity, and how to read every record once
 * (the verifier re-hashes each and finds any that no block lists). A record's identity is its `_id` (a string
 * business key, or the ObjectId of older policy history), or for an objection step
 * `<objectionId>#<step key>`: steps live inside their objection's document.
 */
import type { Connection, mongo } from 'mongoose';

/** Every chained stream, in the order the verifier reports them. */
export const AUDIT_STREAMS = [
  'access_records',
  'programme_access',
  'case_reads',
  'unmask_log',
  'data_corrections',
  'policy_history',
  'objection_steps',
  'erasures',
  'code_scans',
  'catalog_versions',
  'matter_versions',
] as const;
export type AuditStream = (typeof AUDIT_STREAMS)[number];

export const isAuditStream = (name: string): name is AuditStream => (AUDIT_STREAMS as readonly string[]).includes(name);

/** A record's identity within its stream. */
export type RecordRef = string | mongo.ObjectId;

/** Text form of an identity, for link keys and messages: the string itself, or `oid:<hex>`. */
export function refKey(ref: RecordRef): string {
  return typeof ref === 'string' ? ref : `oid:${ref.toHexString()}`;
}

export interface StreamSource {
  /** The record's content as chained (its identity left out), or undefined when there is none. */
  content(connection: Connection, ref: RecordRef): Promise<object | undefined>;
  /** Every record with its chained content, in storage order: a full scan. */
  documents(connection: Connection): AsyncIterable<{ ref: RecordRef; content: object }>;
}

/** A stored document's chained content: everything but its `_id`. */
export function contentOfDocument(document: object): object {
  const { _id: _ignored, ...content } = document as { _id?: unknown };
  return content;
}

function collectionStream(name: string): StreamSource {
  const collection = (connection: Connection) => connection.db!.collection(name);
  return {
    async content(connection, ref) {
      const found = await collection(connection).findOne({ _id: ref } as object);
      return found ? contentOfDocument(found) : undefined;
    },
    async *documents(connection) {
      for await (const doc of collection(connection).find({}))
        yield { ref: doc._id as unknown as RecordRef, content: contentOfDocument(doc) };
    },
  };
}

/** `<objectionId>#<step key>`: objection IDs (`obj-…`) hold no '#'. */
export const stepRef = (objectionId: string, key: string) => `${objectionId}#${key}`;

/** A stored step's chained content: everything but its key (part of its identity). */
function contentOfStep(step: { key: string }): object {
  const { key: _key, ...content } = step;
  return content;
}

const objectionSteps: StreamSource = {
  async content(connection, ref) {
    if (typeof ref !== 'string' || !ref.includes('#')) return undefined;
    const at = ref.indexOf('#');
    const objection = await connection
      .db!.collection('objections')
      .findOne({ _id: ref.slice(0, at) } as object, { projection: { steps: 1 } });
    const steps = (objection?.steps ?? []) as Array<{ key: string }>;
    const step = steps.find((candidate) => candidate.key === ref.slice(at + 1));
    return step ? contentOfStep(step) : undefined;
  },
  async *documents(connection) {
    const cursor = connection.db!.collection('objections').find({}, { projection: { steps: 1 } });
    for await (const objection of cursor)
      for (const step of (objection.steps ?? []) as Array<{ key: string }>)
        yield { ref: stepRef(String(objection._id), step.key), content: contentOfStep(step) };
  },
};

export const STREAM_SOURCES: Record<AuditStream, StreamSource> = {
  access_records: collectionStream('access_records'),
  programme_access: collectionStream('programme_access'),
  case_reads: collectionStream('case_reads'),
  unmask_log: collectionStream('unmask_log'),
  data_corrections: collectionStream('data_corrections'),
  policy_history: collectionStream('policy_history'),
  objection_steps: objectionSteps,
  erasures: collectionStream('erasures'),
  code_scans: collectionStream('code_scans'),
  catalog_versions: collectionStream('catalog_versions'),
  matter_versions: collectionStream('matter_versions'),
};
