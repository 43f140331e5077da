/**
 * Inspections and credit through the worklists, end to end on the real stack (issue 14; the pledge's
 * re-check comes seconds after its signature rather than a month, by its plan): a high-risk pledge, signed and granted, goes to an on-site inspection task; a supervisor
 * assigns it to an inspector over the API; the inspector records that the firm does not conform,
 * and the task's workflow carries the finding out: the grant revoked, its recovery due and a credit
 * record written, once each. The firm's next pledge-mode case is then barred from pledging: its
 * facts go to verification, and where the departments cannot confirm them to a reviewer, whose
 * supplied fact grants it on verified facts — once, with its notice.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planOf } from '../activities/case.js';
import { buildApi } from '../api/server.js';
import type { TaskView } from '../domain/tasks.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { policyRef } from '../rules/policy-hash.js';
import { createTaskService } from '../services/tasks/service.js';
import {
  benefitWorkflowId,
  signPledgeUpdate,
  type BenefitInput,
  type PolicyPlan,
} from '../workflows/contracts/index.js';
import { pledgeBenefit } from '../workflows/pledge.js';
import { ALL_UP } from './support/all-up.js';
import { addEnterprise, removeFacts, type TestSubject } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const POLICY = 'business-startup-subsidy';
const AS_OF = '2026-06-01';
/** Seconds, not the policy's 30 days, between the signature and the automatic re-check. */
const RECHECK_AFTER_DAYS = 3 / 86_400;
let running: RunningPipeline;
let client: Client;
let pipeline: Pipeline;
let api: FastifyInstance;
const people = {} as Record<'supervisor' | 'inspector' | 'reviewer', { id: string; token: string }>;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'inspecttask', { notices: false });
  ({ client, pipeline } = running);
  people.supervisor = await testUser(pipeline.store, '周督查', 'supervisor');
  people.inspector = await testUser(pipeline.store, '陈核查', 'inspector');
  people.reviewer = await testUser(pipeline.store, '李明', 'reviewer');
  api = buildApi({
    sessions: testSessions(pipeline.store),
    tasks: createTaskService({
      store: pipeline.store,
      temporal: client,
      taskQueue: pipeline.taskQueue,
      policies: pipeline.policies,
    }),
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await running?.close();
});

async function call<T = Record<string, unknown>>(person: keyof typeof people, url: string, body: object) {
  const response = await api.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${people[person].token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json<T>() };
}
const noticeTemplates = async (subjectKey: string) =>
  (await pipeline.models.Notice.find({ subjectKey }).sort({ queuedAt: 1 }).lean()).map((notice) => notice.template);
const taskPath = (key: string, action: string) => `/tasks/${encodeURIComponent(key)}/${action}`;

/**
 * A pledge-mode case of `firm` as a life event makes it — its facts collected and its decision
 * recorded under the case — then its pledge workflow started under `workflowId` with `plan` changes.
 */
async function pledgeCase(firm: TestSubject, workflowId?: string, plan: Partial<PolicyPlan['pledge']> = {}) {
  const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === POLICY && p.version === 1)!;
  const caseId = `life-event:test-${randomUUID()}`;
  const { snapshotKey } = await pipeline.activities.collectFacts({
    caseId,
    subjectKey: firm.subjectKey,
    policy: policyRef(policy),
    facts: policy.facts,
  });
  const [decision] = await pipeline.activities.evaluateCase({
    caseId,
    subjectKey: firm.subjectKey,
    asOf: AS_OF,
    items: [{ policy: policyRef(policy), snapshotKey }],
  });
  expect(decision.outcome).toBe('eligible');
  const base = planOf(policy);
  const input: BenefitInput = {
    caseId,
    subjectKey: firm.subjectKey,
    plan: { ...base, pledge: { ...base.pledge!, inspectAfterDays: RECHECK_AFTER_DAYS, ...plan } },
    decision,
  };
  return client.workflow.start(pledgeBenefit, {
    workflowId: workflowId ?? benefitWorkflowId(POLICY, firm.subjectKey, decision.period),
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
}

describe('an on-site inspection on the worklist', () => {
  it('revokes, recovers and records a false pledge once; the firm’s next pledge is verified, and a reviewer grants it', async () => {
    const firm = await addEnterprise(pipeline.store, {
      'enterprise.establishedOn': '2025-03-01',
      'enterprise.status': 'active',
      'enterprise.size': 'micro',
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    });
    // An earlier pledge (another period's, say), high-risk: inspected on site whatever the data says.
    const earlier = await pledgeCase(firm, `${benefitWorkflowId(POLICY, firm.subjectKey, 'once')}:earlier`, {
      highRiskAmount: 10000,
    });
    const notice = await (async () => {
      for (let i = 0; i < 150; i++) {
        const pledge = await pipeline.models.Pledge.findById(earlier.workflowId).lean();
        if (pledge?.noticeHash) return pledge.noticeHash;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the written notice was not recorded');
    })();
    await earlier.executeUpdate(signPledgeUpdate, { args: [{ channel: 'app', noticeHash: notice }] });
    expect(await earlier.result()).toEqual({ status: 'inspection-on-site', grantCreated: true });
    const inspectionKey = `${earlier.workflowId}:on-site`;

    // Nobody holds it; the inspector cannot complete it before a supervisor assigns it to them.
    const finding = {
      outcome: {
        kind: 'finding',
        finding: 'does-not-conform',
        notes: '经营场所无人办公，社保欠缴三个月',
        evidence: ['现场照片-0712', '社保中心复函〔2026〕31号'],
      },
    };
    expect(await call('inspector', taskPath(inspectionKey, 'complete'), finding)).toMatchObject({
      status: 403,
      body: { code: 'NOT_TASK_HOLDER' },
    });
    expect(
      await call('supervisor', taskPath(inspectionKey, 'reassign'), { assigneeId: people.inspector.id }),
    ).toMatchObject({ status: 200 });
    const done = await call<{ resolution: { action: string }; task: TaskView }>(
      'inspector',
      taskPath(inspectionKey, 'complete'),
      finding,
    );
    expect(done.status).toBe(200);
    expect(done.body.resolution.action).toBe('revoked');
    expect(done.body.task).toMatchObject({ status: 'done', completedById: people.inspector.id });

    const grant = await pipeline.models.Grant.findById(earlier.workflowId).lean();
    expect(grant?.status).toBe('revoked');
    expect(await pipeline.models.Recovery.find({ subjectKey: firm.subjectKey }).lean()).toMatchObject([
      { grantKey: earlier.workflowId, amount: grant!.amount, status: 'due' },
    ]);
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey })).toBe(1);
    const pledge = await pipeline.models.Pledge.findById(earlier.workflowId).lean();
    expect(pledge?.status).toBe('failed');
    expect(await noticeTemplates(firm.subjectKey)).toContain('pledge.revoked');
    // Completed once: a second finding is refused and nothing more is revoked or recorded.
    expect(await call('inspector', taskPath(inspectionKey, 'complete'), finding)).toMatchObject({ status: 409 });
    expect(await pipeline.models.CreditRecord.countDocuments({ subjectKey: firm.subjectKey })).toBe(1);

    // The firm's next pledge-mode case: barred from pledging, its facts verified instead; the
    // arrears record is missing at the department, so a reviewer decides.
    await removeFacts(pipeline.store, firm, ['enterprise.premiumsInArrears']);
    const next = await pledgeCase(firm);
    expect(await next.result()).toEqual({ status: 'in-review' });
    expect(await pipeline.models.Grant.countDocuments({ _id: next.workflowId })).toBe(0);
    const reviewKey = `${next.workflowId}:verification`;
    expect(await call('reviewer', taskPath(reviewKey, 'claim'), {})).toMatchObject({ status: 200 });
    const reviewed = await call<{ resolution: { action: string } }>('reviewer', taskPath(reviewKey, 'complete'), {
      outcome: {
        kind: 'facts-supplied',
        facts: [
          {
            fact: 'enterprise.premiumsInArrears',
            value: false,
            provenance: { kind: 'department-reply', reference: '市社保中心复函〔2026〕44号' },
          },
        ],
      },
    });
    expect(reviewed).toMatchObject({ status: 200, body: { resolution: { action: 'pledged' } } });
    const verified = await pipeline.models.Grant.find({ _id: next.workflowId }).lean();
    expect(verified.map((g) => [g.basis, g.status])).toEqual([['verified', 'granted']]);
    const templates = await noticeTemplates(firm.subjectKey);
    expect(templates.filter((t) => t === 'pledge.barred-review')).toHaveLength(1);
    expect(templates.at(-1)).toBe('grant.awarded');
  });
});
