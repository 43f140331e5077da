/**
 * The citizen's real pledge (告知承诺, issue 14) on the Java time-skipping server: the written
 * notice, the signature it waits for (none: no grant), an inspector's finding started as the
 * human task would start it (inspectionResolution), the credit record it writes read back by the
 * same subject's next pledge (verification instead), and the on-site inspection a high-risk
 * pledge always gets. Benefit workflows are started directly, so this file's server can skip time.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy } from '../rules/engine.js';
import { policyRef } from '../rules/policy-hash.js';
import type { Policy } from '../rules/types.js';
import { snapshotFacts } from '../store/decisions.js';
import { registerTaskModels } from '../store/tasks.js';
import {
  benefitWorkflowId,
  ErrorType,
  getBenefitStatusQuery,
  signPledgeUpdate,
  SIGN_PLEDGE_UPDATE_ID,
  taskResolutionWorkflowId,
  type BenefitInput,
  type BenefitStatus,
  type PolicyPlan,
  type TaskResolutionInput,
} from '../workflows/contracts/index.js';
import { inspectionResolution } from '../workflows/inspection-resolution.js';
import { pledgeBenefit } from '../workflows/pledge.js';
import { addEnterprise, removeFacts, updateFacts, type TestSubject } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';

const stack = inject('stack');
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'pledge-sign');
  ({ env, pipeline } = harness);
});

afterAll(async () => {
  await harness?.close();
});

const STARTUP = {
  'enterprise.establishedOn': '2025-03-01',
  'enterprise.status': 'active',
  'enterprise.size': 'micro',
  'enterprise.premiumsInArrears': false,
  'enterprise.seriousDishonesty': false,
};
const INSPECTOR = { id: 'u_inspector_test', name: '核查员 王' };

/** Starts the start-up subsidy's pledge workflow for `firm` (v1 as of 2026-06-01), with `plan` changes; `id` names a later case. */
async function startPledge(firm: TestSubject, options: { id?: string; plan?: Partial<PolicyPlan['pledge']> } = {}) {
  const catalog = await loadPolicyCatalog();
  const policy = catalog.policies.find((p) => p.id === 'business-startup-subsidy' && p.version === 1)!;
  const caseId = `life-event:test-${randomUUID()}`;
  const asOf = '2026-06-01';
  const decision = await evaluatePolicy(policy, await factsOf(firm.subjectKey, policy, caseId), asOf, {
    acceptPledges: true,
  });
  expect(decision.outcome).toBe('eligible');
  const plan = planOf(policy);
  const input: BenefitInput = {
    caseId,
    subjectKey: firm.subjectKey,
    plan: { ...plan, pledge: { ...plan.pledge!, ...options.plan } },
    decision: {
      policy: decision.policy,
      outcome: decision.outcome,
      asOf,
      amount: decision.amount,
      period: decision.period,
      missingFacts: [],
      failedSources: [],
    },
  };
  return env.client.workflow.start(pledgeBenefit, {
    workflowId: options.id ?? benefitWorkflowId(policy.id, firm.subjectKey, decision.period),
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
}

async function factsOf(subjectKey: string, policy: Policy, caseId: string): Promise<Record<string, unknown>> {
  const snapshot = await pipeline.activities.collectFacts({
    caseId,
    subjectKey,
    policy: policyRef(policy),
    facts: policy.facts,
  });
  const stored = await pipeline.models.FactSnapshot.findOne({ key: snapshot.snapshotKey }).lean();
  return snapshotFacts(stored!);
}

/** Waits (without skipping time: queries do not) until the workflow reports `status`. */
async function reaches(handle: { query: (q: typeof getBenefitStatusQuery) => Promise<BenefitStatus> }, status: string) {
  for (let i = 0; i < 150 && (await handle.query(getBenefitStatusQuery)) !== status; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(await handle.query(getBenefitStatusQuery)).toBe(status);
}

const pledgeOf = (key: string) => pipeline.models.Pledge.findOne({ key }).lean();
const grantsOf = (firm: TestSubject) => pipeline.models.Grant.find({ subjectKey: firm.subjectKey }).lean();

/** The failure type of an update the workflow's validator refused. */
async function refusal(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((error as WorkflowUpdateFailedError).cause as { type?: string }).type;
  }
}

describe('the written notice and the signature (告知承诺书)', () => {
  it('grants nothing to a firm that never signs: the pledge lapses after 30 days, and it is told so', async () => {
    const firm = await addEnterprise(pipeline.store, STARTUP);
    const handle = await startPledge(firm);
    expect(await handle.result()).toEqual({ status: 'lapsed' });

    expect(await grantsOf(firm)).toEqual([]);
    const pledge = await pledgeOf(handle.workflowId);
    expect(pledge?.status).toBe('lapsed');
    expect(pledge?.signature).toBeUndefined();
    expect(await harness.noticeTemplates(firm.subjectKey)).toEqual(['pledge.notice', 'pledge.lapsed']);
    // A signature after the period finds no workflow to take it (the citizen API refuses it from the record first).
    await expect(
      handle.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }] }),
    ).rejects.toThrow();
  });

  it('sends a notice naming the obligations, the pledged facts, the inspection and the consequence, and grants once on its signature', async () => {
    const firm = await addEnterprise(pipeline.store, STARTUP);
    const handle = await startPledge(firm);
    await reaches(handle, 'awaiting-signature');
    const pledge = await pledgeOf(handle.workflowId);
    expect(pledge?.status).toBe('awaiting-signature');
    expect(pledge?.notice?.zh).toContain('不实承诺的法律责任');
    expect(pledge?.notice?.zh).toContain('无欠缴社会保险费');
    expect(pledge?.notice?.en).toMatch(/revoked, what was paid is recovered.*credit record.*1095 days/s);
    expect(pledge?.noticeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await grantsOf(firm)).toEqual([]);

    // A hash of another text is refused, and names the notice's own.
    expect(
      await refusal(handle.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: 'f'.repeat(64) }] })),
    ).toBe(ErrorType.NoticeChanged);

    const signed = await handle.executeUpdate(signPledgeUpdate, {
      args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }],
      updateId: SIGN_PLEDGE_UPDATE_ID,
    });
    expect(signed.grant).toEqual({ key: handle.workflowId, created: true });
    expect(
      await refusal(
        handle.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }] }),
      ),
    ).toBe(ErrorType.AlreadySigned);

    const grants = await grantsOf(firm);
    expect(grants.map((g) => [g.basis, g.status, g.amount])).toEqual([['pledge', 'granted', 12000]]);
    const after = await pledgeOf(handle.workflowId);
    expect(after?.status).toBe('pending');
    expect(after?.signature).toMatchObject({ channel: 'app', noticeHash: pledge!.noticeHash });
    expect(after?.signature?.signedAt.toISOString()).toBe(signed.signedAt);
    expect(await handle.result()).toEqual({ status: 'inspection-passed', grantCreated: true });
    expect(await grantsOf(firm)).toHaveLength(1);
  });
});

describe('an inspector’s finding (事中事后核查) and the credit record read back', () => {
  /** A signed pledge whose automatic re-check found the arrears record missing: an inspector's task. */
  async function inconclusivePledge(firm: TestSubject) {
    const handle = await startPledge(firm);
    await reaches(handle, 'awaiting-signature');
    const pledge = await pledgeOf(handle.workflowId);
    await handle.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: pledge!.noticeHash! }] });
    await removeFacts(pipeline.store, firm, ['enterprise.premiumsInArrears']);
    expect(await handle.result()).toEqual({ status: 'inspection-inconclusive', grantCreated: true });
    return handle.workflowId;
  }

  /** The finding as the humanTask workflow hands it to its resolution child. */
  const resolve = (pledgeKey: string, taskKey: string, finding: 'conforms' | 'does-not-conform' | 'cannot-verify') => {
    const input: TaskResolutionInput = {
      taskKey,
      type: 'inconclusive-inspection',
      source: { kind: 'pledge', key: pledgeKey },
      policyId: 'business-startup-subsidy',
      outcome: {
        kind: 'finding',
        finding,
        notes: '现场无经营迹象，社保欠缴三个月',
        evidence: ['照片-001', '社保中心复函〔2026〕12号'],
      },
      by: INSPECTOR,
    };
    return env.client.workflow.execute(inspectionResolution, {
      workflowId: taskResolutionWorkflowId(taskKey),
      taskQueue: pipeline.taskQueue,
      args: [input],
    });
  };

  it('revokes, recovers and records a false pledge once, and the firm’s next pledge goes to verification', async () => {
    const firm = await addEnterprise(pipeline.store, STARTUP);
    const pledgeKey = await inconclusivePledge(firm);
    const taskKey = `${pledgeKey}:inspection`;
    const { Task } = registerTaskModels(pipeline.store);
    expect(await Task.countDocuments({ key: taskKey, type: 'inconclusive-inspection' })).toBe(1);

    const result = await resolve(pledgeKey, taskKey, 'does-not-conform');
    expect(result.action).toBe('revoked');
    expect((await grantsOf(firm)).map((g) => g.status)).toEqual(['revoked']);
    const recoveries = await pipeline.models.Recovery.find({ subjectKey: firm.subjectKey }).lean();
    expect(recoveries.map((r) => [r.amount, r.status])).toEqual([[12000, 'due']]);
    const credit = await pipeline.models.CreditRecord.find({ subjectKey: firm.subjectKey }).lean();
    expect(credit.map((c) => [c.kind, c.blockDays])).toEqual([['false-pledge', 1095]]);
    expect(credit[0].reason).toContain('现场无经营迹象');
    const pledge = await pledgeOf(pledgeKey);
    expect(pledge?.status).toBe('failed');
    expect(pledge?.findings?.map((f) => [f.finding, f.byId, f.evidence])).toEqual([
      ['does-not-conform', INSPECTOR.id, ['照片-001', '社保中心复函〔2026〕12号']],
    ]);
    expect(await harness.noticeTemplates(firm.subjectKey)).toEqual([
      'pledge.notice',
      'pledge.granted',
      'pledge.revoked',
    ]);

    // The records are back; the same firm's next pledge-mode case is verified, not pledged.
    await updateFacts(pipeline.store, firm, { 'enterprise.premiumsInArrears': false });
    const next = await startPledge(firm, { id: `${pledgeKey}:next` });
    expect(await next.result()).toEqual({ status: 'verified', grantCreated: true });
    expect(await pledgeOf(next.workflowId)).toBeNull();
    const nextGrant = await pipeline.models.Grant.findOne({ key: next.workflowId }).lean();
    expect(nextGrant?.basis).toBe('verified');
    const notices = await pipeline.models.Notice.find({
      subjectKey: firm.subjectKey,
      template: 'pledge.barred-granted',
    }).lean();
    expect(notices).toHaveLength(1);
    // Once: a second record of the same finding (a retried task) changes nothing.
    const again = await resolve(pledgeKey, `${taskKey}:again`, 'does-not-conform');
    expect(again.action).toBe('recorded');
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey })).toBe(1);
    expect(await pipeline.models.Recovery.countDocuments({ subjectKey: firm.subjectKey })).toBe(1);
  });

  it('sends a barred firm whose records are still missing to a reviewer, and tells it why', async () => {
    const firm = await addEnterprise(pipeline.store, STARTUP);
    const pledgeKey = await inconclusivePledge(firm);
    await resolve(pledgeKey, `${pledgeKey}:inspection`, 'does-not-conform');
    const next = await startPledge(firm, { id: `${pledgeKey}:next` });
    expect(await next.result()).toEqual({ status: 'in-review' });
    expect(await pipeline.models.Grant.countDocuments({ key: next.workflowId })).toBe(0);
    const { Task } = registerTaskModels(pipeline.store);
    const review = await Task.findOne({ key: `${next.workflowId}:verification` }).lean();
    expect(review).toMatchObject({ type: 'review', status: 'open', missingFacts: ['enterprise.premiumsInArrears'] });
    const [notice] = await pipeline.models.Notice.find({
      subjectKey: firm.subjectKey,
      template: 'pledge.barred-review',
    }).lean();
    expect(notice).toBeDefined();
  });

  it('closes a pledge the inspector finds true as passed, and one they cannot verify as unverified with the grant standing', async () => {
    const conforming = await addEnterprise(pipeline.store, STARTUP);
    const first = await inconclusivePledge(conforming);
    expect((await resolve(first, `${first}:inspection`, 'conforms')).action).toBe('passed');
    expect((await pledgeOf(first))?.status).toBe('passed');
    expect((await harness.noticeTemplates(conforming.subjectKey)).at(-1)).toBe('pledge.passed');

    const unclear = await addEnterprise(pipeline.store, STARTUP);
    const second = await inconclusivePledge(unclear);
    expect((await resolve(second, `${second}:inspection`, 'cannot-verify')).action).toBe('unverified');
    expect((await pledgeOf(second))?.status).toBe('unverified');
    expect((await grantsOf(unclear)).map((g) => g.status)).toEqual(['granted']);
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: unclear.subjectKey })).toBe(0);
  });

  it('sends a high-risk pledge to an inspector on site even when the data agrees', async () => {
    const firm = await addEnterprise(pipeline.store, STARTUP);
    const handle = await startPledge(firm, { plan: { highRiskAmount: 10000 } });
    await reaches(handle, 'awaiting-signature');
    const pledge = await pledgeOf(handle.workflowId);
    expect(pledge?.onSite).toBe('high-risk');
    expect(pledge?.notice?.zh).toContain('现场核查');
    await handle.executeUpdate(signPledgeUpdate, {
      args: [
        {
          channel: 'window',
          noticeHash: pledge!.noticeHash!,
          staffId: 'u_window_1',
          staffName: '窗口 李',
          paperFormRef: 'CN-2026-0001',
          consent: '本人到场签署纸质承诺书',
        },
      ],
    });
    expect(await handle.result()).toEqual({ status: 'inspection-on-site', grantCreated: true });
    const { Task } = registerTaskModels(pipeline.store);
    expect(await Task.findOne({ key: `${handle.workflowId}:on-site` }).lean()).toMatchObject({
      type: 'inspection',
      status: 'open',
      source: { kind: 'pledge', key: handle.workflowId },
    });
    const signed = await pledgeOf(handle.workflowId);
    expect(signed?.status).toBe('pending');
    expect(signed?.signature).toMatchObject({ channel: 'window', staffId: 'u_window_1', paperFormRef: 'CN-2026-0001' });
  });
});
