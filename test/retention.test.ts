/**
 * Retention and erasure on the real stack (security review S18; PIPL art. 19 and 47). The daily
 * purge workflow, run on the worker as its schedule would run it, deletes what has outlived its
 * period and removes the values from old decisions, keeps grants and everything recent, and
 * finds nothing more the second time; every audit chain still verifies. `applyfree subject erase`
 * refuses a subject with an open pledge, counts first on --dry-run, then removes a citizen's
 * facts, decision values, notices, payload, sign-in and the key's link to their ID, keeps their
 * grant and the audit records, and records the erasure in a chained stream of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_STREAMS } from '../store/audit-streams.js';
import { verifyStream } from '../store/audit-verify.js';
import { registerErasureModel } from '../store/erasures.js';
import { resolveSession } from '../store/sessions.js';
import {
  RETENTION_PURGE_WORKFLOW_TYPE,
  retentionPurgeWorkflowId,
  type RetentionPurgeResult,
} from '../workflows/contracts/index.js';
import { openCaseApi, type CaseApi } from './support/case-api.js';
import { TEST_SECRET } from './support/city.js';
import { runInstalled } from './support/run-node.js';

const stack = inject('stack');
let env: CaseApi;
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

beforeAll(async () => {
  env = await openCaseApi(stack, 'retention');
}, 180_000);

afterAll(async () => {
  await env?.close();
});

const db = () => env.pipeline.store.db!;
const count = (collection: string, filter: object) => db().collection(collection).countDocuments(filter);

async function chainsVerify(): Promise<Array<{ stream: string; ok: boolean }>> {
  const reports = [];
  for (const stream of AUDIT_STREAMS) reports.push(await verifyStream(env.pipeline.store, stream));
  return reports.map(({ stream, ok }) => ({ stream, ok }));
}

/** `applyfree subject …` as an operator types it on a server host, on this test's database and secret. */
function subject(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mongodbUri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${env.pipeline.store.name}$1`);
  return runInstalled(['subject', ...args], {
    MONGODB_URI: mongodbUri,
    APPLYFREE_MODE: 'development',
    APPLYFREE_SUBJECT_KEY_SECRET: TEST_SECRET,
    CI: '1',
  });
}

describe('the retention purge', () => {
  it('deletes what outlived its period, removes old decisions’ values, keeps grants and what is recent', async () => {
    const child = env.child.subjectKey;
    const firm = env.firm.subjectKey;
    // The child's case as if it were a year and more old; the firm's stays recent.
    await db()
      .collection('fact_snapshots')
      .updateMany({ subjectKey: child }, { $set: { takenAt: daysAgo(400) } });
    await db()
      .collection('decisions')
      .updateMany({ subjectKey: child }, { $set: { decidedAt: daysAgo(400) } });
    await db()
      .collection('inbox')
      .updateMany({ subjectKey: child }, { $set: { deliveredAt: daysAgo(800) } });
    await db()
      .collection('notices')
      .updateMany({ subjectKey: child }, { $set: { queuedAt: daysAgo(400) } });
    const snapshotsBefore = await count('fact_snapshots', { subjectKey: child });
    const grantsBefore = await count('grants', {});
    const accessBefore = await count('access_records', {});
    expect(snapshotsBefore).toBeGreaterThan(0);
    expect(await count('inbox', { subjectKey: child })).toBeGreaterThan(0);
    expect(await count('fact_snapshots', { subjectKey: firm })).toBeGreaterThan(0);

    // As the daily schedule starts it, on the worker.
    const run = () =>
      env.client.workflow.execute<(input: object) => Promise<RetentionPurgeResult>>(RETENTION_PURGE_WORKFLOW_TYPE, {
        taskQueue: env.pipeline.taskQueue,
        workflowId: retentionPurgeWorkflowId(randomUUID()),
        args: [{}],
      });
    const result = await run();
    const counted = Object.fromEntries(result.purged.map((row) => [row.collection, row.count]));
    expect(counted).toMatchObject({ fact_snapshots: snapshotsBefore, inbox: 1 });
    expect(counted.decisions).toBeGreaterThan(0);

    expect(await count('fact_snapshots', { subjectKey: child })).toBe(0);
    expect(await count('inbox', { subjectKey: child })).toBe(0);
    const decision = await db()
      .collection('decisions')
      .findOne({ subjectKey: child, 'policy.id': 'childcare-subsidy' });
    // The decision stays as the grant's basis: its outcome, amount and conditions, without the child's values.
    expect(decision).toMatchObject({ outcome: 'eligible', amount: 3000, valuesRemovedAt: expect.any(Date) });
    expect((decision!.conditions as object[]).length).toBeGreaterThan(0);
    expect(JSON.stringify(decision!.conditions)).not.toContain('factValue');
    // What is recent, the ledger and the audit streams stay.
    expect(await count('fact_snapshots', { subjectKey: firm })).toBeGreaterThan(0);
    expect(await count('grants', {})).toBe(grantsBefore);
    expect(await count('access_records', {})).toBe(accessBefore);

    // Idempotent: as of now again, nothing more is due.
    const again = await run();
    expect(again.purged.map((row) => row.count)).toEqual(again.purged.map(() => 0));
    expect((await chainsVerify()).filter((report) => !report.ok)).toEqual([]);
  });
});

describe('applyfree subject erase', () => {
  it('refuses a subject with an open matter, and bad input, changing nothing', async () => {
    // The firm's pledge waits for its inspection.
    const firm = await subject('erase', env.firm.id, '--reason', '企业注销后申请删除', '--by', '运维 李工');
    expect(firm.code).toBe(1);
    expect(firm.stderr).toMatch(/open matters: 1 pledge\(s\) awaiting inspection/);
    expect(firm.stderr).not.toContain(env.firm.id);
    const noReason = await subject('erase', env.child.id, '--by', '运维 李工');
    expect([noReason.code, noReason.stderr.trim()]).toEqual([
      2,
      'applyfree subject: --reason: say why (it is recorded)',
    ]);
    // The child's ID with a check character it does not have (whatever today's ID ends with).
    const wrongCheck = env.child.id.endsWith('0') ? '1' : '0';
    const badId = await subject(
      'erase',
      `${env.child.id.slice(0, 17)}${wrongCheck}`,
      '--reason',
      '本人申请删除',
      '--by',
      'x',
    );
    expect(badId.code).toBe(2);
    expect(await registerErasureModel(env.pipeline.store).countDocuments({})).toBe(0);
    expect(await count('subjects', { idNumber: env.child.id })).toBe(1);
  });

  it('erases what only served the citizen, keeps the ledger and the audit, and records the erasure', async () => {
    const key = env.child.subjectKey;
    // Fresh personal data for the citizen (the purge above took the old).
    await db()
      .collection('fact_snapshots')
      .insertOne({ _id: `${env.birthCase}:snapshot:erase-test`, subjectKey: key, takenAt: new Date() } as object);
    const grants = await count('grants', { subjectKey: key });
    const access = await count('access_records', { subjectKey: key });
    expect(grants).toBeGreaterThan(0);

    const dry = await subject(
      'erase',
      env.child.id,
      '--reason',
      '本人申请删除个人信息',
      '--by',
      '运维 李工',
      '--dry-run',
      '--json',
    );
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { dryRun: boolean; removed: Record<string, number> };
    expect(planned).toMatchObject({ dryRun: true, removed: { fact_snapshots: 1, subjects: 1, users: 1 } });
    expect(await count('fact_snapshots', { subjectKey: key })).toBe(1);
    expect(await resolveSession(env.pipeline.store, env.tokens.citizen)).toHaveProperty('actor');

    const erased = await subject('erase', env.child.id, '--reason', '本人申请删除个人信息', '--by', '运维 李工');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain(`${key} (person): erased`);
    expect(erased.stdout + erased.stderr).not.toContain(env.child.id);

    // Gone: the facts, the values, the notices, the payload, the sign-in, and the key's link to the ID.
    expect(await count('fact_snapshots', { subjectKey: key })).toBe(0);
    expect(await count('inbox', { subjectKey: key })).toBe(0);
    expect(await count('notices', { subjectKey: key })).toBe(0);
    expect(await count('decisions', { subjectKey: key, valuesRemovedAt: { $exists: false } })).toBe(0);
    expect(await db().collection('life_events').findOne({ subjectKey: key })).toMatchObject({ payload: {} });
    expect(await resolveSession(env.pipeline.store, env.tokens.citizen)).toEqual({ failure: 'unknown' });
    const register = await db()
      .collection('subjects')
      .findOne({ _id: key } as object);
    expect(register).toMatchObject({ kind: 'person', erasedAt: expect.any(Date) });
    expect(register).not.toHaveProperty('idNumber');
    await expect(
      env.cases.unmask(
        { id: env.users.supervisor, name: '周督查', role: 'supervisor' },
        env.birthCase,
        '群众来电核实身份',
      ),
    ).rejects.toMatchObject({ code: 'SUBJECT_NOT_FOUND' });
    // Kept: the grant and the audit records, under the key alone.
    expect(await count('grants', { subjectKey: key })).toBe(grants);
    expect(await count('access_records', { subjectKey: key })).toBe(access);

    // The erasure itself: recorded, chained, and every chain still verifies.
    const records = await registerErasureModel(env.pipeline.store).find({ subjectKey: key }).lean();
    expect(records).toEqual([
      expect.objectContaining({
        reason: '本人申请删除个人信息',
        operator: '运维 李工',
        removed: expect.objectContaining({ fact_snapshots: 1, subjects: 1 }),
      }),
    ]);
    expect(JSON.stringify(records)).not.toContain(env.child.id);
    expect((await chainsVerify()).filter((report) => !report.ok)).toEqual([]);
    expect((await verifyStream(env.pipeline.store, 'erasures')).entries).toBe(1);
  });
});
