/**
 * The audit chain on the test stack's database (store/audit-chain.ts, store/audit-verify.ts):
 * single and bulk writes chain as blocks; a retried write appends nothing, and one that crashed
 * before chaining is finished by its retry; a crash between a block and its links is repaired by
 * the next writer; two connections appending at once make one unbroken chain with no entry lost;
 * a changed block, a deleted block, swapped blocks and a rewrite past an anchor are each named.
 * (Tampering with records written by the real code paths: test/audit-paths.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSweepWriter, type ScreenedSubject } from '../activities/sweep-writes.js';
import { findFact } from '../domain/sources.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import type { Decision, Policy } from '../rules/types.js';
import { recordAccess, registerAccessRecordModel } from '../store/access-records.js';
import { canonicalRecord } from '../store/audit-canonical.js';
import { BLOCKS, HEADS, LINKS, MAX_BLOCK_ENTRIES, type AuditBlock, type AuditHead } from '../store/audit-chain.js';
import { verifyStream } from '../store/audit-verify.js';
import { recordCaseRead } from '../store/case-reads.js';
import { connectStore } from '../store/connection.js';
import { logUnmask } from '../store/unmask-log.js';

const stack = inject('stack');
const database = `applyfree_audit_${randomUUID().slice(0, 8)}`;
const uri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
let store: Connection;
let other: Connection;
let policy: Policy;

const blocks = () => store.db!.collection<AuditBlock>(BLOCKS);
const head = async (stream: string) =>
  (await store.db!.collection<AuditHead>(HEADS).findOne({ _id: stream } as never))!;
const verify = (stream: Parameters<typeof verifyStream>[1], options = {}) =>
  verifyStream(store, stream, { settleMs: 50, ...options });

beforeAll(async () => {
  store = await connectStore(uri);
  other = await connectStore(uri);
  policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'childcare-subsidy')!;
});
afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
  await other?.close();
});

/** A screened subject of a sweep batch: only its key and facts matter to the access records. */
const screened = (n: number): ScreenedSubject => ({
  id: '',
  subjectKey: `p_test${String(n).padStart(22, '0')}`,
  facts: { 'child.birthDate': '2026-01-01', 'person.localHukou': true },
  decision: {} as Decision,
});

describe('canonical form of a stored record', () => {
  it('does not depend on key order, and treats absent, undefined and null alike', () => {
    const at = new Date('2026-03-01T08:00:00.123Z');
    expect(canonicalRecord({ b: 1, a: { d: [1, 'x'], c: at }, z: undefined, y: null })).toBe(
      canonicalRecord({ a: { c: new Date(at.getTime()), d: [1, 'x'] }, b: 1.0 }),
    );
    expect(canonicalRecord({ a: 1 })).not.toBe(canonicalRecord({ a: '1' }));
  });
});

describe('writing to the chain', () => {
  it('chains a sweep batch as one block, appends nothing when the batch is retried, and verifies', async () => {
    const writer = makeSweepWriter(store);
    const caseId = `sweep:${randomUUID()}`;
    const subjects = Array.from({ length: 300 }, (_, i) => screened(i));
    await writer.recordAccess(caseId, policy, subjects);
    const first = await head('access_records');
    const block = (await blocks().findOne({ _id: `access_records#${first.seq}` }))!;
    // One source per subject for this policy's facts: one record each, all in one block.
    expect(block.ids.length).toBe(await registerAccessRecordModel(store).countDocuments({ caseId }));
    expect(block.ids.length).toBeGreaterThanOrEqual(300);

    await writer.recordAccess(caseId, policy, subjects);
    expect((await head('access_records')).seq).toBe(first.seq);
    expect(await verify('access_records')).toMatchObject({ ok: true, tip: { seq: first.seq } });
  });

  it('splits a write larger than a block into several blocks', async () => {
    const writer = makeSweepWriter(store);
    const before = (await head('access_records')).seq;
    const subjects = Array.from({ length: MAX_BLOCK_ENTRIES + 10 }, (_, i) => screened(10_000 + i));
    await writer.recordAccess(`sweep:${randomUUID()}`, policy, subjects);
    expect((await head('access_records')).seq - before).toBeGreaterThanOrEqual(2);
    expect((await verify('access_records')).ok).toBe(true);
  });

  it('finishes on the retry a write that stored its records and crashed before chaining them', async () => {
    const caseId = `sweep:${randomUUID()}`;
    const subjects = [screened(900), screened(901)];
    const sources = [...new Set(Object.keys(policy.facts).map((fact) => findFact(fact)!.source.id))];
    // The crash: the first attempt stored its records (as it had them) and chained nothing.
    await registerAccessRecordModel(store).collection.insertMany(
      subjects.flatMap(({ subjectKey }) =>
        sources.map((source) => ({
          _id: `${caseId}:${subjectKey}:${source}`,
          caseId,
          subjectKey,
          source,
          at: new Date(),
        })),
      ) as never[],
    );
    expect((await verify('access_records')).break).toMatchObject({ kind: 'inserted' });
    const writer = makeSweepWriter(store);
    const before = (await head('access_records')).seq;
    await writer.recordAccess(caseId, policy, subjects);
    expect((await head('access_records')).seq).toBe(before + 1);
    await writer.recordAccess(caseId, policy, subjects);
    expect((await head('access_records')).seq).toBe(before + 1);
    expect((await verify('access_records')).ok).toBe(true);
  });

  it('chains a single pull once, however often its activity is retried', async () => {
    const Access = registerAccessRecordModel(store);
    const record = {
      key: `life-event:${randomUUID()}:facts:childcare-subsidy:household-registry`,
      subjectKey: 'p_single0000000000000000000',
      caseId: 'life-event:test',
      policyId: 'childcare-subsidy',
      policyVersion: 1,
      source: 'household-registry',
      department: '市公安局',
      fields: ['child.birthDate'],
      purposes: ['age under 3'],
      outcome: 'answered' as const,
      at: new Date(),
    };
    expect(await recordAccess(Access, record)).toBe(true);
    const seq = (await head('access_records')).seq;
    expect(await recordAccess(Access, { ...record, at: new Date(Date.now() + 1000) })).toBe(false);
    expect((await head('access_records')).seq).toBe(seq);
    expect((await verify('access_records')).ok).toBe(true);
  });

  it('repairs a crash between a block and its links: the next writer writes them and moves the head', async () => {
    const first = await recordCaseRead(store, {
      caseId: 'life-event:a',
      subjectKey: 'p_a',
      actor: '周督查',
      role: 'supervisor',
    });
    const stuck = await head('case_reads');
    // The crash: the block is there, its link and the head's move are not.
    await store.db!.collection(LINKS).deleteOne({ _id: `case_reads|${first._id}` } as never);
    await store.db!.collection(HEADS).updateOne({ _id: 'case_reads' } as never, { $set: { seq: stuck.seq - 1 } });
    expect((await verify('case_reads')).ok).toBe(true); // a block beyond the head is pending, not broken
    await recordCaseRead(other, { caseId: 'life-event:b', subjectKey: 'p_b', actor: '陈核查', role: 'inspector' });
    expect((await head('case_reads')).seq).toBe(stuck.seq + 1);
    expect(await store.db!.collection(LINKS).findOne({ _id: `case_reads|${first._id}` } as never)).toMatchObject({
      seq: stuck.seq,
      i: 0,
    });
    expect(await verify('case_reads')).toMatchObject({ ok: true, pending: 0 });
  });

  it('makes one unbroken chain of what two connections append at once, losing nothing', async () => {
    const reads = (connection: Connection, who: string) =>
      Array.from({ length: 25 }, (_, i) =>
        recordCaseRead(connection, {
          caseId: `life-event:${who}-${i}`,
          subjectKey: 'p_c',
          actor: who,
          role: 'supervisor',
        }),
      );
    const unmasks = (connection: Connection, who: string) =>
      Array.from({ length: 10 }, (_, i) =>
        logUnmask(connection, {
          caseId: `life-event:${who}-${i}`,
          subjectKey: 'p_c',
          actor: who,
          role: 'supervisor',
          reason: 'verifying a reported discrepancy',
        }),
      );
    await Promise.all([...reads(store, 'A'), ...reads(other, 'B'), ...unmasks(store, 'A'), ...unmasks(other, 'B')]);
    for (const [stream, collection] of [
      ['case_reads', 'case_reads'],
      ['unmask_log', 'unmask_log'],
    ] as const) {
      const report = await verify(stream);
      const stored = await store.db!.collection(collection).countDocuments({});
      expect(report, stream).toMatchObject({ ok: true, entries: stored, pending: 0 });
      expect((await head(stream)).seq).toBe(report.tip.seq);
    }
  });
});

describe('verifying blocks', () => {
  /** Runs `tamper` on the case_reads chain, checks the report, then puts the blocks back as they were. */
  async function tampered(tamper: () => Promise<void>) {
    const saved = await blocks()
      .find({ stream: 'case_reads' } as never)
      .toArray();
    await tamper();
    const report = await verify('case_reads');
    await blocks().deleteMany({ stream: 'case_reads' } as never);
    await blocks().insertMany(saved);
    expect((await verify('case_reads')).ok).toBe(true);
    return report;
  }

  it('names a block whose list was altered', async () => {
    const report = await tampered(async () => {
      await blocks().updateOne({ _id: 'case_reads#3' }, { $set: { 'hashes.0': '0'.repeat(64) } });
    });
    expect(report.break).toMatchObject({ kind: 'block-altered', block: 3 });
  });

  it('names a deleted block', async () => {
    const report = await tampered(async () => {
      await blocks().deleteOne({ _id: 'case_reads#2' });
    });
    expect(report.break).toMatchObject({ kind: 'block-deleted', block: 2 });
  });

  it('names swapped blocks', async () => {
    const report = await tampered(async () => {
      const [two, three] = await Promise.all([
        blocks().findOne({ _id: 'case_reads#2' }),
        blocks().findOne({ _id: 'case_reads#3' }),
      ]);
      const { _id: _three, ...third } = three!;
      const { _id: _two, ...second } = two!;
      await blocks().replaceOne({ _id: 'case_reads#2' }, third);
      await blocks().replaceOne({ _id: 'case_reads#3' }, second);
    });
    expect(report.break).toMatchObject({ kind: 'block-reordered', block: 2 });
  });

  it('catches a rewrite of the whole chain against an anchor kept outside the database', async () => {
    const anchor = (await verify('unmask_log')).tip;
    // The rewriter's own process: it knows nothing of the chain it replaces.
    const rewriter = await connectStore(uri);
    const victim = (await store.db!.collection('unmask_log').findOne({}))!;
    await store
      .db!.collection('unmask_log')
      .updateOne({ _id: victim._id }, { $set: { reason: 'nothing to see here' } });
    // Rewritten from scratch: every block, link and the head, the altered record chained as it now is.
    await blocks().deleteMany({ stream: 'unmask_log' } as never);
    await store.db!.collection(LINKS).deleteMany({ _id: { $regex: '^unmask_log\\|' } } as never);
    await store.db!.collection(HEADS).deleteOne({ _id: 'unmask_log' } as never);
    const { chainStored } = await import('../store/audit-chain.js');
    const ids = (
      await store
        .db!.collection('unmask_log')
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((doc) => doc._id as unknown as string);
    await chainStored(rewriter, 'unmask_log', ids);
    await rewriter.close();
    expect((await verify('unmask_log')).ok).toBe(true);
    expect((await verify('unmask_log', { anchor })).break).toMatchObject({ kind: 'anchor-mismatch' });
  });
});
