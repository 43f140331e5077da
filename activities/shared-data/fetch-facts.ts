/**
 * The fetchFacts activity (数据共享): pulls the facts a policy declares, source by source in
 * parallel, reading only the declared columns, and writes one access record per pull.
 *
 * Absent vs missing — what the caller gets for each declared fact:
 * - the source answered with a value            → `values[fact]`
 * - the source answered "no record" (找不到记录)  → as the fact's coverage says (domain/sources.ts
 *   absentAnswer): absent-means-no gives a boolean `false` (no disability record: not disabled; not
 *   on the dishonesty list: false) and a number `0` in `values`; absent-means-unknown leaves the
 *   fact out of `values` and lists it in `absentFacts` (the source knows nothing of it)
 * - the source's record has no value in the column → left out of `values`, listed in `absentFacts`
 * - the source failed (timeout, 5xx, open circuit…) → left out of `values`, listed in `missingFacts`,
 *   the source in `failedSources`: never silently false, so the decision can be 'undetermined'
 * ID-valued facts (columns ending IdNumber/CreditCode) come back as the referenced subject's
 * subjectKey; when no subject maps to it the fact is missing. No raw ID is ever returned.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../workflows/contracts/index.js';
import type { Connection, Model } from 'mongoose';
import { absentAnswer, findFact, type DataSource, type FactField, type SubjectKind } from '../../domain/sources.js';
import {
  recordAccess,
  registerAccessRecordModel,
  type AccessOutcome,
  type AccessRecord,
} from '../../store/access-records.js';
import type { AdapterRegistry, SourceAnswer } from './adapters.js';
import { describeFailure } from './errors.js';
import { idFieldOf } from './source-keys.js';
import { buildIndexes } from '../../store/indexes.js';
import { chainInserted, chainStored, mapLimit } from '../../store/audit-chain.js';
import { insertNew } from '../../store/bulk.js';
import { ensureFactsKnown } from '../../store/catalog-versions.js';

/** Failure types of fetchFacts (all non-retryable except AccessRecordWriteFailed). */
export const FetchFactsErrorType = {
  UnknownSubject: ErrorType.UnknownSubject,
  UndeclaredFact: ErrorType.UndeclaredFact,
  SubjectKindMismatch: ErrorType.SubjectKindMismatch,
  AccessRecordWriteFailed: ErrorType.AccessRecordWriteFailed,
} as const;

export interface FetchFactsInput {
  caseId: string;
  subjectKey: string;
  policyId: string;
  policyVersion: number;
  /** The policy's declared manifest: fact key → source and purpose. */
  facts: Record<string, { source: string; purpose: string }>;
  /** Derived from the workflow ID and step; access records are keyed `${idempotencyKey}:${sourceId}`. */
  idempotencyKey: string;
}

export interface FetchFactsResult {
  values: Record<string, unknown>;
  /** Facts whose source failed or could not be served: the decision must not treat them as false. */
  missingFacts: string[];
  /** Non-boolean facts the source answered for but holds no value of (no record, or an empty column). */
  absentFacts: string[];
  failedSources: Array<{ source: string; error: string }>;
}

export interface FetchFactsDeps {
  connection: Connection;
  adapters: AdapterRegistry;
  /** Clock for access records; injectable for tests. */
  now?: () => Date;
}

interface Subject {
  kind: SubjectKind;
  idValue: string;
}

interface SourcePull {
  source: DataSource;
  facts: Array<{ key: string; field: FactField; purpose: string }>;
}

/**
 * Builds fetchFacts. Idempotent: a retry with the same idempotencyKey re-reads but writes no
 * second access record. Throws UnknownSubject, UndeclaredFact or SubjectKindMismatch
 * (non-retryable) before reading anything; a failing source does not fail the activity.
 */
export function makeFetchFacts(deps: FetchFactsDeps) {
  const AccessRecords = registerAccessRecordModel(deps.connection);
  const now = deps.now ?? (() => new Date());
  const indexes = indexesOnce(AccessRecords);

  return async function fetchFacts(input: FetchFactsInput): Promise<FetchFactsResult> {
    await ensureFactsKnown(deps.connection, Object.keys(input.facts));
    const pulls = planPulls(input.facts);
    const subject = await resolveSubject(deps.connection, input.subjectKey);
    checkKinds(input, pulls, subject);
    await indexes();

    const result: FetchFactsResult = { values: {}, missingFacts: [], absentFacts: [], failedSources: [] };
    const settled = await Promise.allSettled(
      pulls.map((pull) => pullSource(deps, AccessRecords, now, input, subject, pull, result)),
    );
    const recordFailure = settled.find((outcome) => outcome.status === 'rejected');
    if (recordFailure) {
      throw ApplicationFailure.create({
        type: FetchFactsErrorType.AccessRecordWriteFailed,
        message: `an access record of case ${input.caseId} could not be written; no data is released without one (${describeFailure(recordFailure.reason, subject.idValue)})`,
      });
    }
    await finishResult(deps.connection, pulls, result);
    return result;
  };
}

/** The access records' indexes, built once per process; a failed build is tried again by the next call. */
function indexesOnce(AccessRecords: Model<AccessRecord>): () => Promise<unknown> {
  let built: Promise<unknown> | undefined;
  return () =>
    (built ??= buildIndexes(AccessRecords).catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
}

/** Throws SubjectKindMismatch when the policy reads a source of another kind of subject than this one. */
function checkKinds(
  input: Pick<FetchFactsInput, 'policyId' | 'policyVersion'>,
  pulls: readonly SourcePull[],
  subject: Subject,
): void {
  const mismatch = pulls.find(({ source }) => source.subject !== subject.kind);
  if (mismatch)
    throw ApplicationFailure.create({
      type: FetchFactsErrorType.SubjectKindMismatch,
      message: `policy ${input.policyId} v${input.policyVersion} reads ${mismatch.source.subject} source ${mismatch.source.id} for a ${subject.kind} subject`,
      nonRetryable: true,
    });
}

/** Checks every fact against the catalog and groups the facts by source. */
function planPulls(manifest: FetchFactsInput['facts']): SourcePull[] {
  const bySource = new Map<string, SourcePull>();
  for (const [key, declared] of Object.entries(manifest)) {
    const known = findFact(key);
    if (!known || known.source.id !== declared.source) {
      throw ApplicationFailure.create({
        type: FetchFactsErrorType.UndeclaredFact,
        message: known
          ? `fact ${key} is declared from source ${declared.source}, but the catalog serves it from ${known.source.id}`
          : `fact ${key} is not in the data-source catalog`,
        nonRetryable: true,
      });
    }
    const pull = bySource.get(known.source.id) ?? { source: known.source, facts: [] };
    pull.facts.push({ key, field: known.field, purpose: declared.purpose });
    bySource.set(known.source.id, pull);
  }
  return [...bySource.values()];
}

async function resolveSubject(connection: Connection, subjectKey: string): Promise<Subject> {
  return (await resolveSubjects(connection, [subjectKey]))[0];
}

/** The subjects' kinds and IDs, in the order given, in one read by key; throws UnknownSubject for the first not registered. */
async function resolveSubjects(connection: Connection, subjectKeys: readonly string[]): Promise<Subject[]> {
  // _id is the subject key (store/subjects.ts): an indexed lookup on FerretDB too.
  const filter = subjectKeys.length === 1 ? { _id: subjectKeys[0] } : { _id: { $in: [...new Set(subjectKeys)] } };
  const found = new Map<string, Subject>();
  for await (const doc of connection
    .db!.collection('subjects')
    .find(filter as object, { projection: { kind: 1, idNumber: 1, creditCode: 1 } })) {
    const kind = doc.kind as SubjectKind | undefined;
    const idValue = kind === 'person' ? doc.idNumber : kind === 'enterprise' ? doc.creditCode : undefined;
    if (kind && typeof idValue === 'string' && idValue !== '') found.set(String(doc._id), { kind, idValue });
  }
  return subjectKeys.map((subjectKey) => {
    const subject = found.get(subjectKey);
    if (!subject)
      throw ApplicationFailure.create({
        type: FetchFactsErrorType.UnknownSubject,
        message: `subject ${subjectKey} is not registered (or has no ID on record)`,
        nonRetryable: true,
      });
    return subject;
  });
}

/** Pulls one source, folds its answer into `result`, and writes its access record (which may throw). */
async function pullSource(
  deps: FetchFactsDeps,
  AccessRecords: Model<AccessRecord>,
  now: () => Date,
  input: FetchFactsInput,
  subject: Subject,
  pull: SourcePull,
  result: FetchFactsResult,
): Promise<void> {
  await recordAccess(AccessRecords, await readSource(deps, now, input, subject, pull, result));
}

/** A source's answer for one subject, or why it gave none. */
type Answered = { answer: SourceAnswer } | { error: unknown };

/** Reads one source for one subject and folds its answer into `result`; answers the access record to write. */
async function readSource(
  deps: FetchFactsDeps,
  now: () => Date,
  input: FetchFactsInput,
  subject: Subject,
  pull: SourcePull,
  result: FetchFactsResult,
): Promise<AccessRecord> {
  return foldAnswer(now, input, subject, pull, await answerOf(deps, subject, pull), result);
}

/** Folds one source's answer for one subject into `result`; answers the access record to write. */
function foldAnswer(
  now: () => Date,
  input: FetchFactsInput,
  subject: Subject,
  { source, facts }: SourcePull,
  answered: Answered,
  result: FetchFactsResult,
): AccessRecord {
  const answer = 'answer' in answered ? answered.answer : undefined;
  const outcome: AccessOutcome = !answer ? 'failed' : answer.found ? 'answered' : 'not-found';
  if ('error' in answered)
    result.failedSources.push({ source: source.id, error: describeFailure(answered.error, subject.idValue) });
  for (const { key, field } of facts) {
    if (!answer) result.missingFacts.push(key);
    else if (!answer.found && absentAnswer(field) !== undefined) result.values[key] = absentAnswer(field);
    else if (answer.values[field.column] === undefined || answer.values[field.column] === null)
      result.absentFacts.push(key);
    else result.values[key] = normalize(field, answer.values[field.column]);
  }
  return {
    key: `${input.idempotencyKey}:${source.id}`,
    subjectKey: input.subjectKey,
    caseId: input.caseId,
    policyId: input.policyId,
    policyVersion: input.policyVersion,
    source: source.id,
    department: source.department.zh,
    fields: facts.map((f) => f.key),
    purposes: [...new Set(facts.map((f) => f.purpose))],
    outcome,
    at: now(),
  };
}

/**
 * Reads one source for many subjects: in one query where the adapter can (fetchMany), otherwise
 * each subject by itself, several at a time. Answers each subject's answer or failure by ID value.
 */
async function readSourceForMany(
  deps: FetchFactsDeps,
  { source, facts }: SourcePull,
  idValues: readonly string[],
): Promise<Map<string, Answered>> {
  const adapter = deps.adapters.adapterFor(source.id);
  const columns = facts.map((f) => f.field.column);
  if (adapter.fetchMany) {
    let answers: Map<string, SourceAnswer>;
    try {
      answers = await adapter.fetchMany({ source, idValues, columns });
    } catch (error) {
      return new Map(idValues.map((id) => [id, { error }]));
    }
    return new Map(idValues.map((id) => [id, { answer: answers.get(id) ?? { found: false, values: {} } }]));
  }
  const answered = await mapLimit(idValues, MANY_LANES, async (idValue): Promise<Answered> => {
    try {
      return { answer: await adapter.fetch({ source, idValue, columns }) };
    } catch (error) {
      return { error };
    }
  });
  return new Map(idValues.map((id, i) => [id, answered[i]]));
}

/** Subjects whose sources are read at once by fetchFactsForMany. */
const MANY_LANES = 16;

/**
 * fetchFacts for many subjects of one case and policy (a payroll slice): each subject's sources
 * read as fetchFacts reads them, several subjects at a time, and their access records written
 * in one bulk insert and chained as one block (a retry writes and chains only what is missing),
 * instead of a keyed upsert and a chain entry per record. Answers each subject's result in the
 * order given; throws as fetchFacts does, before anything is recorded.
 */
export function makeFetchFactsForMany(deps: FetchFactsDeps) {
  const AccessRecords = registerAccessRecordModel(deps.connection);
  const now = deps.now ?? (() => new Date());
  const indexes = indexesOnce(AccessRecords);

  return async function fetchFactsForMany(
    shared: Omit<FetchFactsInput, 'subjectKey' | 'idempotencyKey'>,
    subjects: ReadonlyArray<{ subjectKey: string; idempotencyKey: string }>,
  ): Promise<FetchFactsResult[]> {
    await ensureFactsKnown(deps.connection, Object.keys(shared.facts));
    const pulls = planPulls(shared.facts);
    await indexes();
    const resolved = await resolveSubjects(
      deps.connection,
      subjects.map((s) => s.subjectKey),
    );
    for (const subject of resolved) checkKinds(shared, pulls, subject);
    // Each source once for the whole chunk, the sources side by side.
    const answers = await Promise.all(
      pulls.map((pull) =>
        readSourceForMany(
          deps,
          pull,
          resolved.map((subject) => subject.idValue),
        ),
      ),
    );
    const read = await mapLimit(subjects, MANY_LANES, async ({ subjectKey, idempotencyKey }, i) => {
      const input = { ...shared, subjectKey, idempotencyKey };
      const subject = resolved[i];
      const result: FetchFactsResult = { values: {}, missingFacts: [], absentFacts: [], failedSources: [] };
      const records = pulls.map((pull, p) =>
        foldAnswer(now, input, subject, pull, answers[p].get(subject.idValue)!, result),
      );
      await finishResult(deps.connection, pulls, result);
      return { result, records };
    });
    await writeAccessRecords(
      deps.connection,
      AccessRecords,
      shared.caseId,
      read.flatMap(({ records }) => records),
    );
    return read.map(({ result }) => result);
  };
}

/**
 * Writes access records in one bulk insert and chains them as one block; a retry writes and
 * chains only what is missing. Throws AccessRecordWriteFailed when they could not be written.
 */
async function writeAccessRecords(
  connection: Connection,
  AccessRecords: Model<AccessRecord>,
  caseId: string,
  written: readonly AccessRecord[],
): Promise<void> {
  const records = written.map((record) => ({ _id: record.key, ...record }));
  try {
    const { inserted, existing } = await insertNew(AccessRecords.collection, records);
    const fresh = new Set(inserted);
    await chainInserted(
      connection,
      'access_records',
      records.filter((record) => fresh.has(record._id)),
    );
    await chainStored(connection, 'access_records', existing);
  } catch (error) {
    throw ApplicationFailure.create({
      type: FetchFactsErrorType.AccessRecordWriteFailed,
      message: `the access records of case ${caseId} could not be written; no data is released without them (${describeFailure(error, '')})`,
    });
  }
}

/** What fetchFactsForPolicies pulls for one policy of a case. */
export type PolicyPull = Pick<FetchFactsInput, 'policyId' | 'policyVersion' | 'facts' | 'idempotencyKey'>;

/**
 * fetchFacts for every policy of one case at once (a life event that several policies answer):
 * each source read once for the subject, with the columns all the policies declare from it, and
 * each policy's answer folded from that read. Every policy keeps its own access record per source
 * (the same key, fields and purposes fetchFacts writes), all written in one bulk insert and chained
 * as one block. Answers each policy's result in the order given; throws as fetchFacts does, before
 * anything is read.
 */
export function makeFetchFactsForPolicies(deps: FetchFactsDeps) {
  const AccessRecords = registerAccessRecordModel(deps.connection);
  const now = deps.now ?? (() => new Date());
  const indexes = indexesOnce(AccessRecords);

  return async function fetchFactsForPolicies(
    shared: Pick<FetchFactsInput, 'caseId' | 'subjectKey'>,
    policies: readonly PolicyPull[],
  ): Promise<FetchFactsResult[]> {
    if (policies.length === 0) return [];
    await ensureFactsKnown(deps.connection, [...new Set(policies.flatMap((p) => Object.keys(p.facts)))]);
    const plans = policies.map((policy) => ({ input: { ...shared, ...policy }, pulls: planPulls(policy.facts) }));
    const subject = await resolveSubject(deps.connection, shared.subjectKey);
    for (const { input, pulls } of plans) checkKinds(input, pulls, subject);
    await indexes();
    // One read per source: the union of the columns every policy declares from it.
    const union = new Map<string, SourcePull>();
    for (const { pulls } of plans)
      for (const pull of pulls) {
        const merged = union.get(pull.source.id) ?? { source: pull.source, facts: [] };
        for (const fact of pull.facts)
          if (!merged.facts.some((f) => f.field.column === fact.field.column)) merged.facts.push(fact);
        union.set(pull.source.id, merged);
      }
    const answers = new Map(
      await Promise.all(
        [...union.values()].map(async (pull) => [pull.source.id, await answerOf(deps, subject, pull)] as const),
      ),
    );
    const records: AccessRecord[] = [];
    const results: FetchFactsResult[] = [];
    for (const { input, pulls } of plans) {
      const result: FetchFactsResult = { values: {}, missingFacts: [], absentFacts: [], failedSources: [] };
      for (const pull of pulls)
        records.push(foldAnswer(now, input, subject, pull, answers.get(pull.source.id)!, result));
      await finishResult(deps.connection, pulls, result);
      results.push(result);
    }
    await writeAccessRecords(deps.connection, AccessRecords, shared.caseId, records);
    return results;
  };
}

/** One source's answer for one subject, or why it gave none. */
async function answerOf(deps: FetchFactsDeps, subject: Subject, pull: SourcePull): Promise<Answered> {
  try {
    return {
      answer: await deps.adapters
        .adapterFor(pull.source.id)
        .fetch({ source: pull.source, idValue: subject.idValue, columns: pull.facts.map((f) => f.field.column) }),
    };
  } catch (error) {
    return { error };
  }
}

/** A result as callers get it: ID-valued facts pseudonymised, the lists in a stable order. */
async function finishResult(connection: Connection, pulls: SourcePull[], result: FetchFactsResult): Promise<void> {
  await pseudonymizeIdFacts(connection, pulls, result);
  result.missingFacts.sort();
  result.absentFacts.sort();
  result.failedSources.sort((a, b) => a.source.localeCompare(b.source));
}

/** Dates travel as 'YYYY-MM-DD' strings whatever the platform stored. */
function normalize(field: FactField, value: unknown): unknown {
  if (field.type === 'date' && value instanceof Date) return value.toISOString().slice(0, 10);
  return value;
}

function isIdReference(field: FactField): boolean {
  return /(IdNumber|CreditCode)$/.test(field.column);
}

/** Replaces ID-valued facts by the referenced subject's key; unmapped ones become missing. */
async function pseudonymizeIdFacts(
  connection: Connection,
  pulls: SourcePull[],
  result: FetchFactsResult,
): Promise<void> {
  const subjects = connection.db!.collection('subjects');
  for (const { source, facts } of pulls) {
    for (const { key, field } of facts) {
      if (!isIdReference(field) || !Object.hasOwn(result.values, key)) continue;
      const raw = result.values[key];
      delete result.values[key];
      const idField = field.column.endsWith('CreditCode') ? 'creditCode' : idFieldOf(source);
      const referenced =
        typeof raw === 'string'
          ? await subjects.findOne({ [idField]: raw }, { projection: { _id: 0, subjectKey: 1 } })
          : null;
      if (typeof referenced?.subjectKey === 'string') result.values[key] = referenced.subjectKey;
      else result.missingFacts.push(key);
    }
  }
}
