/**
 * Erasure of one subject's personal data (PIPL art. 47), as far as the law allows: what applyfree
 * keeps only to serve and explain — the facts its cases read, the values behind its decisions,
 * its notices, payloads and eligibility horizons, the citizen's sign-in, and the register's link
 * from the key back to the resident ID or credit code — is removed; what must stay for the
 * statutory period stays under the pseudonymous key alone: grants, recoveries, offers, pledges
 * and the decisions they rest on (outcome and amount, without values), and the audit streams.
 * The erasure is logged and chained before anything is removed (store/erasures.ts). Refused
 * while the subject has open matters (an offer to answer, a pledge to inspect, an objection, a
 * review): a decision still being made needs its facts. Every step is idempotent: a run cut off
 * halfway is finished by running it again.
 */
import type { Connection } from 'mongoose';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { Refusal } from '../../domain/refusal.js';
import { logErasure, type ErasureRecord } from '../../store/erasures.js';
import { revokeProofs } from '../../store/proofs.js';
import { resolveSubject, registerSubjectModel } from '../../store/subjects.js';
import { resolveSubjectInput } from '../cases/service.js';
import { decisionWithoutValues } from './purge.js';

/** A refused erasure: its code, both languages, the field at fault. */
export class ErasureRefusal extends Refusal {}

/** What stays after an erasure, and why. */
export const KEPT_AFTER_ERASURE = [
  'grants, recoveries, offers and pledges: the ledger of public money, for the statutory period (pseudonymous key only)',
  'entitlements, payment lines and batches, the ledger and the returns worklist (pseudonymous key only), and bank files as sent to the bank (name and account): accounting records, for the statutory period',
  'decisions without their values: the basis of each grant (outcome, amount, period, which conditions held)',
  'life events and deliveries without their payloads: the cases the grants hang on',
  'audit streams (access records, case reads, unmasks, corrections, objection steps, this erasure): hash-chained, pseudonymous',
  'objections: the dispute and its steps, part of an audit stream',
  'verifications and the proof archive’s answers (pseudonymous key only): the archive’s are revoked, never reused for a new application or verification',
  'the shared-data platform’s records (dp_*): the providing departments’ own, to erase at their end',
] as const;

export interface ErasureInput {
  /** The resident ID, credit code or subject key. */
  subject: string;
  reason: string;
  /** Who runs it, as recorded. */
  operator: string;
  /** Count what would be removed; remove and record nothing. */
  dryRun?: boolean;
}

export interface ErasureReport {
  subjectKey: string;
  kind: 'person' | 'enterprise';
  dryRun: boolean;
  /** Records removed (or to be removed), or whose personal values were, by collection. */
  removed: Record<string, number>;
  kept: readonly string[];
  /** The erasure's own record (absent on a dry run). */
  record?: Pick<ErasureRecord, '_id' | 'at'>;
}

/** The subject's records each step removes or clears, counted (also for a dry run). */
async function plan(store: Connection, key: string): Promise<Record<string, number>> {
  const db = store.db!;
  const count = (collection: string, filter: object) => db.collection(collection).countDocuments(filter);
  const [snapshots, decisions, inbox, notices, horizons, payloads, tokens, register] = await Promise.all([
    count('fact_snapshots', { subjectKey: key }),
    count('decisions', { subjectKey: key, valuesRemovedAt: { $exists: false } }),
    count('inbox', { subjectKey: key }),
    count('notices', { subjectKey: key }),
    count('eligibility_horizons', { subjectKey: key }),
    count('life_events', { subjectKey: key, payload: { $ne: {} } }),
    count('user_accounts', { subjectKey: key }),
    count('subjects', { _id: key, $or: [{ idNumber: { $exists: true } }, { creditCode: { $exists: true } }] }),
  ]);
  return {
    fact_snapshots: snapshots,
    decisions: decisions,
    inbox,
    notices,
    eligibility_horizons: horizons,
    life_events: payloads,
    users: tokens,
    subjects: register,
  };
}

/** The subject's open matters, in words; none when it may be erased. */
async function openMatters(store: Connection, key: string): Promise<string[]> {
  const db = store.db!;
  const count = (collection: string, filter: object) => db.collection(collection).countDocuments(filter);
  const [offers, pledges, unsigned, objections, reviews] = await Promise.all([
    count('offers', { subjectKey: key, status: 'open' }),
    count('pledges', { subjectKey: key, status: 'pending' }),
    count('pledges', { subjectKey: key, status: 'awaiting-signature' }),
    count('objections', { subjectKey: key, status: { $nin: ['resolved', 'rejected'] } }),
    count('tasks', { subjectKey: key, status: { $in: ['open', 'claimed'] } }),
  ]);
  return [
    offers && `${offers} open offer(s) · 待确认事项`,
    pledges && `${pledges} pledge(s) awaiting inspection · 待核查承诺`,
    unsigned && `${unsigned} pledge(s) awaiting signature · 待签署承诺`,
    objections && `${objections} objection(s) in progress · 办理中的异议`,
    reviews && `${reviews} open task(s) · 待办任务`,
  ].filter((matter): matter is string => Boolean(matter));
}

/** Removes what `plan` counted; each step idempotent. */
async function remove(store: Connection, key: string, at: Date): Promise<void> {
  const db = store.db!;
  await db.collection('fact_snapshots').deleteMany({ subjectKey: key });
  const decisions = db.collection('decisions');
  for (;;) {
    const due = await decisions
      .find(
        { subjectKey: key, valuesRemovedAt: { $exists: false } },
        { projection: { conditions: 1, suppliedFacts: 1 } },
      )
      .limit(500)
      .toArray();
    if (due.length === 0) break;
    await decisions.bulkWrite(
      due.map((decision) => ({
        updateOne: {
          filter: { _id: decision._id },
          update: { $set: { ...decisionWithoutValues(decision), valuesRemovedAt: at } },
        },
      })),
      { ordered: false },
    );
  }
  await db.collection('inbox').deleteMany({ subjectKey: key });
  await db.collection('notices').deleteMany({ subjectKey: key });
  await db.collection('eligibility_horizons').deleteMany({ subjectKey: key });
  await db.collection('life_events').updateMany({ subjectKey: key }, { $set: { payload: {} } });
  // The citizen's sign-in goes: their accounts and every session of them, so nobody reads this subject's page any more.
  const accounts = await db
    .collection('user_accounts')
    .find({ subjectKey: key }, { projection: { _id: 1 } })
    .toArray();
  for (const account of accounts) await db.collection('user_sessions').deleteMany({ userId: account._id });
  await db.collection('user_accounts').deleteMany({ subjectKey: key });
  // What was proved of the subject is relied on no more: a later application or verification reads afresh.
  await revokeProofs(store, { subjectKey: key, reason: 'erasure', at });
  // Last, the link from the key back to the person: the records that stay are pseudonymous from here on.
  await registerSubjectModel(store).collection.updateOne({ _id: key } as object, {
    $unset: { idNumber: '', creditCode: '', displayName: '' },
    $set: { erasedAt: at },
  });
}

/** Erases the subject's personal data as described above, or only counts it (`dryRun`). */
export async function eraseSubject(
  store: Connection,
  ring: SubjectKeyRing,
  input: ErasureInput,
): Promise<ErasureReport> {
  const reason = input.reason.trim();
  if (reason.length < 5)
    throw new ErasureRefusal(
      'REASON_REQUIRED',
      'state why the data is erased (at least 5 characters, e.g. the request it answers); it is recorded',
      '请说明删除理由（至少5个字，例如所依据的申请），理由将被记录',
      'reason',
    );
  if (!input.operator.trim())
    throw new ErasureRefusal('BAD_REQUEST', 'name who runs the erasure', '请填写执行人', 'operator');
  const { key, kind } = await resolveSubjectInput(store, ring, input.subject);
  const planned = await plan(store, key);
  if (!(await resolveSubject(store, key)) && Object.values(planned).every((n) => n === 0))
    throw new ErasureRefusal(
      'SUBJECT_NOT_FOUND',
      'applyfree holds nothing of this subject',
      '系统中没有该对象的数据',
      'subject',
    );
  const open = await openMatters(store, key);
  if (open.length)
    throw new ErasureRefusal(
      'SUBJECT_HAS_OPEN_MATTERS',
      `the subject has open matters: ${open.join('; ')}: finish them before erasing`,
      `该对象尚有未办结事项：${open.join('；')}，办结后方可删除`,
      'subject',
    );
  if (input.dryRun) return { subjectKey: key, kind, dryRun: true, removed: planned, kept: KEPT_AFTER_ERASURE };
  const at = new Date();
  const record = await logErasure(store, {
    subjectKey: key,
    kind,
    reason,
    operator: input.operator.trim(),
    removed: planned,
    kept: [...KEPT_AFTER_ERASURE],
    at,
  });
  await remove(store, key, at);
  return {
    subjectKey: key,
    kind,
    dryRun: false,
    removed: planned,
    kept: KEPT_AFTER_ERASURE,
    record: { _id: record._id, at: record.at },
  };
}
