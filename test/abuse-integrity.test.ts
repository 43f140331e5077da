/**
 * Integrity under abuse, on the real stack (security review, abuse tests 18 and 28): what two
 * people doing the same thing at the same moment leave behind. Two reviewers approving one
 * submitted policy version: one approval, the other refused with the status. Two reviewers
 * approving one awaiting sweep, and two people requesting the same sweep at once: one sweep,
 * and after it every eligible resident granted once and told once, the grants adding up to what
 * the sweep's decisions pay. A life event and a sweep granting the same residents for the same
 * month, before, during and after one another: one grant and one notice each. And an unmask
 * whose log entry cannot be written answers an error without the identifier; one that is logged
 * is in the log, and its chain, before its answer (the citizen seeing it in /me/access is
 * test/audit-paths.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyStream } from '../store/audit-verify.js';
import {
  benefitWorkflowId,
  parseBenefitWorkflowId,
  type BenefitResult,
  type LifeEventResult,
} from '../workflows/contracts/index.js';
import { openCaseApi, type CaseApi } from './support/case-api.js';
import { addResident, type TestSubject } from './support/city.js';
import { callApi } from './support/running-pipeline.js';
import { openSweepApi, type SweepApi } from './support/sweep-api.js';

const stack = inject('stack');

const sweepPath = (id: string, action = '') => `/sweeps/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

describe('abuse 28: exactly one grant under concurrency', () => {
  // Sweep workflow IDs are per Temporal namespace: policies and dates (September, October, August 2026) no other file sweeps.
  let env: SweepApi;
  beforeAll(async () => {
    env = await openSweepApi(stack, 'abuseonce', { residents: 200, notices: true });
  }, 180_000);
  afterAll(async () => {
    await env?.close();
  });

  const call = (method: string, path: string, token: string, body?: unknown) =>
    callApi(env.url, method, path, token, body);

  /** Waits for a sweep to finish; its view as its requester's colleagues read it. */
  async function finished(id: string) {
    await expect
      .poll(async () => (await call('GET', sweepPath(id), env.officer)).json.status, { timeout: 60_000 })
      .toBe('done');
    return (await call('GET', sweepPath(id), env.officer)).json;
  }

  /**
   * What a period of a policy granted, as an auditor counts it: one grant per resident, one notice
   * record and one inbox notice per grant, and the money granted equal to what the sweep's
   * eligible decisions pay. Returns the grants.
   */
  async function expectOneGrantAndNoticeEach(sweepId: string, policyId: string, period: string) {
    const { Grant, Notice, Inbox, Decision } = env.pipeline.models;
    const grants = await Grant.find({ 'policy.id': policyId, period }).lean();
    const subjects = grants.map((grant) => grant.subjectKey);
    expect(grants.length).toBeGreaterThan(0);
    expect(new Set(subjects).size).toBe(grants.length);
    expect(grants.map((grant) => grant.key).sort()).toEqual(
      subjects.map((subject) => benefitWorkflowId(policyId, subject, period)).sort(),
    );

    // The ledger: what was granted is what the sweep decided to pay, fen for fen.
    const eligible = await Decision.find({ caseId: sweepId, outcome: 'eligible' }).lean();
    expect(eligible.map((decision) => decision.subjectKey).sort()).toEqual([...subjects].sort());
    const paid = (amounts: Array<number | undefined>) => amounts.reduce<number>((sum, amount) => sum + amount!, 0);
    for (const grant of grants) expect(Number.isInteger(grant.amount) && grant.amount! > 0).toBe(true);
    expect(paid(grants.map((grant) => grant.amount))).toBe(paid(eligible.map((decision) => decision.amount)));

    // One notice each, queued once and delivered once to the citizen's inbox.
    const ofThisGrant = (key: string) => {
      const parsed = parseBenefitWorkflowId(key.split(':notice:')[0]);
      return parsed?.policyId === policyId && parsed.period === period;
    };
    const notices = (await Notice.find({ subjectKey: { $in: subjects } }).lean()).filter((n) =>
      ofThisGrant(n.noticeKey),
    );
    expect(notices.map((notice) => notice.subjectKey).sort()).toEqual([...subjects].sort());
    await expect
      .poll(async () =>
        (await Inbox.find({ subjectKey: { $in: subjects } }).lean())
          .filter((notice) => ofThisGrant(notice.key))
          .map((notice) => notice.subjectKey)
          .sort(),
      )
      .toEqual([...subjects].sort());
    return grants;
  }

  it('abuse 28: two reviewers approving one submitted policy version at once make one approval, the other told it is approved already', async () => {
    const base = '/policies/senior-preferential-card/versions/2';
    const shipped = (await env.lifecycle.get('senior-preferential-card', 1)).document;
    expect((await call('POST', '/policies', env.officer, { ...shipped, version: 2 })).status).toBe(201);
    expect((await call('POST', `${base}/validate`, env.officer)).json).toMatchObject({ valid: true });
    expect((await call('POST', `${base}/test`, env.officer)).json).toMatchObject({ failed: 0 });
    expect((await call('POST', `${base}/simulate`, env.officer, {})).status).toBe(202);
    await expect
      .poll(async () => (await call('GET', `${base}/simulation`, env.officer)).json.status, { timeout: 60_000 })
      .toBe('done');
    expect((await call('POST', `${base}/submit`, env.officer, { note: '复核后提交' })).json).toMatchObject({
      status: 'submitted',
    });

    const answers = await Promise.all(
      [env.reviewer, env.secondReviewer].map((token) => call('POST', `${base}/approve`, token, { note: '同意' })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const approved = answers.find((answer) => answer.status === 200)!.json;
    const refused = answers.find((answer) => answer.status === 409)!.json;
    expect(approved).toMatchObject({ status: 'approved', approvedBy: expect.stringMatching(/^(李明|赵审核)$/) });
    expect(refused).toMatchObject({
      code: 'WRONG_STATUS',
      field: 'status',
      message: expect.stringContaining('is approved') as unknown,
      messageZh: expect.stringContaining('已批准') as unknown,
    });

    const version = (await call('GET', base, env.reviewer)).json;
    expect(version).toMatchObject({ status: 'approved', approvedBy: approved.approvedBy });
    const history = (await call('GET', '/policies/senior-preferential-card/history', env.reviewer)).json as Array<{
      version: number;
      action: string;
      actor: string;
    }>;
    expect(history.filter((entry) => entry.version === 2 && entry.action === 'approved')).toEqual([
      expect.objectContaining({ actor: approved.approvedBy }),
    ]);
  });

  it('abuse 28: two reviewers approving one awaiting sweep at once start one sweep, which grants each eligible resident once', async () => {
    const body = { policyId: 'old-age-allowance', version: 1, asOf: '2026-09-21' };
    const requested = await call('POST', '/sweeps', env.officer, body);
    expect(requested).toMatchObject({ status: 202, json: { status: 'awaiting-approval', created: true } });
    const id = requested.json.id as string;

    const answers = await Promise.all(
      [env.reviewer, env.secondReviewer].map((token) => call('POST', sweepPath(id, 'approve'), token)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    // Both are answered with the one approval that counts.
    const deciders = answers.map((answer) => answer.json.approval.decidedBy as string);
    expect(deciders[0]).toMatch(/^(李明|赵审核)$/);
    expect(deciders[1]).toBe(deciders[0]);
    expect(
      await env.pipeline.store
        .db!.collection('sweep_requests')
        .find({ _id: id } as object)
        .toArray(),
    ).toEqual([expect.objectContaining({ status: 'approved', decidedBy: deciders[0] })]);

    const done = await finished(id);
    // Screened once: every resident once, and the counts agree with what is stored.
    expect(done.processed).toBe(done.total);
    expect(done.eligible + done.ineligible + done.undetermined).toBe(done.total);
    const grants = await expectOneGrantAndNoticeEach(id, 'old-age-allowance', '2026-09');
    expect(done).toMatchObject({
      eligible: grants.length,
      granted: grants.length,
      grantsCreated: grants.length,
      alreadyHandled: 0,
      noticesQueued: grants.length,
    });
  }, 120_000);

  it('abuse 28: two people requesting the same sweep at once get one sweep ID, and after it each eligible resident has one grant and one notice', async () => {
    const body = { policyId: 'old-age-allowance', version: 1, asOf: '2026-10-21' };
    const answers = await Promise.all([env.officer, env.reviewer].map((token) => call('POST', '/sweeps', token, body)));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    expect(answers.map((answer) => answer.json.id)).toEqual([
      'sweep:old-age-allowance@1:2026-10-21',
      'sweep:old-age-allowance@1:2026-10-21',
    ]);
    expect(answers.map((answer) => answer.json.created).sort()).toEqual([false, true]);
    const id = answers[0].json.id as string;
    const requests = await env.pipeline.store
      .db!.collection('sweep_requests')
      .find({ _id: id } as object)
      .toArray();
    expect(requests).toEqual([expect.objectContaining({ status: 'awaiting-approval' })]);
    // The one who asked first is the requester; whoever asked second is told of that request.
    expect(answers.find((answer) => answer.json.created)!.json.requestedBy).toBe(requests[0].requestedBy);

    expect((await call('POST', sweepPath(id, 'approve'), env.secondReviewer)).status).toBe(200);
    const done = await finished(id);
    const grants = await expectOneGrantAndNoticeEach(id, 'old-age-allowance', '2026-10');
    expect(done).toMatchObject({
      processed: done.total,
      granted: grants.length,
      grantsCreated: grants.length,
      noticesQueued: grants.length,
    });
    // Asked again afterwards: the same sweep, nothing screened or granted again.
    expect(await call('POST', '/sweeps', env.officer, body)).toMatchObject({
      status: 202,
      json: { id, created: false, status: 'done' },
    });
    expect(
      await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance', period: '2026-10' }),
    ).toBe(grants.length);
  }, 120_000);

  it('abuse 28: a life event and a sweep for the same residents and month, before, during and after one another, leave one grant and one notice each', async () => {
    // Certified disabled in a dibao household: eligible for the living subsidy, from the sweep and from the certification.
    const disabled = {
      'person.localHukou': true,
      'person.alive': true,
      'person.minimumLivingAllowance': true,
      'person.disabilityCertified': true,
      'person.disabilityGrade': 3,
      'person.disabilityType': 'physical',
      'person.disabilityCertifiedOn': '2026-08-10',
    };
    const residents: TestSubject[] = [];
    for (let i = 0; i < 8; i++)
      residents.push(await addResident(env.pipeline.store, `1975-03-${String(i + 10).padStart(2, '0')}`, disabled));
    const [first, together, after] = [residents.slice(0, 2), residents.slice(2, 6), residents.slice(6)];
    /** The federation's certification of a resident, as a registry posts it. */
    const certify = (resident: TestSubject) =>
      env.ingest({
        sourceEventId: `dpf-cert-${resident.subjectKey.slice(-8)}-${env.pipeline.taskQueue.slice(-8)}`,
        source: 'disability-federation',
        type: 'disability.certified',
        occurredOn: '2026-08-10',
        subject: { residentId: resident.id },
        payload: { grade: 3, disabilityType: 'physical' },
      });
    /** The case decided and its benefits run: the living subsidy's decision and its grant workflow's answer. */
    const settled = async ({ caseId }: { caseId: string }) => {
      const result = (await env.client.workflow.getHandle(caseId).result()) as LifeEventResult;
      const living = result.decisions.find((decision) => decision.policy.id === 'disability-living-subsidy');
      expect(living).toMatchObject({ action: 'granted', period: '2026-08' });
      for (const decision of result.decisions)
        if (decision.benefitWorkflowId) await env.client.workflow.getHandle(decision.benefitWorkflowId).result();
      return (await env.client.workflow.getHandle(living!.benefitWorkflowId!).result()) as BenefitResult;
    };

    // Certified before the sweep: the case grants, and the sweep finds the grant.
    const early = await Promise.all(first.map(certify));
    for (const event of early) expect(await settled(event)).toMatchObject({ grantCreated: true });
    const body = { policyId: 'disability-living-subsidy', version: 1, asOf: '2026-08-20' };
    const requested = await call('POST', '/sweeps', env.officer, body);
    expect(requested.status).toBe(202);
    const id = requested.json.id as string;
    // Certified while the approval starts the sweep: whichever writes first grants, the other finds it.
    const [approved, ...meanwhile] = await Promise.all([
      call('POST', sweepPath(id, 'approve'), env.reviewer),
      ...together.map(certify),
    ]);
    expect(approved.status).toBe(200);
    for (const event of meanwhile) await settled(event);
    const done = await finished(id);
    // Certified after the sweep: the case finds the sweep's grant and grants nothing more.
    const late = await Promise.all(after.map(certify));
    for (const event of late) expect(await settled(event)).toMatchObject({ grantCreated: false });

    const grants = await expectOneGrantAndNoticeEach(id, 'disability-living-subsidy', '2026-08');
    const grantOf = (resident: TestSubject) => grants.filter((grant) => grant.subjectKey === resident.subjectKey);
    first.forEach((resident, i) =>
      expect(grantOf(resident)).toEqual([expect.objectContaining({ caseId: early[i].caseId })]),
    );
    together.forEach((resident, i) =>
      expect(grantOf(resident)).toEqual([
        expect.objectContaining({ caseId: expect.toBeOneOf([id, meanwhile[i].caseId]) }),
      ]),
    );
    for (const resident of after) expect(grantOf(resident)).toEqual([expect.objectContaining({ caseId: id })]);
    // The sweep's counts say the same: what it wrote, and what a case had written before it.
    const bySweep = grants.filter((grant) => grant.caseId === id).length;
    expect(done).toMatchObject({
      eligible: grants.length,
      granted: grants.length,
      grantsCreated: bySweep,
      alreadyHandled: grants.length - bySweep,
      noticesQueued: bySweep,
    });
    expect(done.alreadyHandled).toBeGreaterThanOrEqual(first.length);
  }, 120_000);
});

describe('abuse 18: an unmask is logged before it is answered', () => {
  let env: CaseApi;
  beforeAll(async () => {
    env = await openCaseApi(stack, 'abuseunmask');
  }, 180_000);
  afterAll(async () => {
    await env?.close();
  });

  const unmask = () =>
    callApi(env.url, 'POST', `/cases/${encodeURIComponent(env.birthCase)}/unmask`, env.tokens.supervisor, {
      reason: '核实群众来电反映的身份信息',
    });

  it('abuse 18: an unmask whose log entry cannot be written answers an error without the ID, and leaves no reveal behind', async () => {
    const log = env.pipeline.store.db!.collection('unmask_log');
    // The log refuses the entry for real: a unique index on the case, which an entry already holds.
    const holder = {
      _id: 'test:holds-the-case',
      kind: 'unmask',
      caseId: env.birthCase,
      subjectKey: 'p_placeholder',
      actor: '测试',
      role: 'supervisor',
      reason: '占用该案件的唯一索引',
      at: new Date(),
    };
    await log.createIndex({ caseId: 1 }, { unique: true, name: 'test_one_reveal_per_case' });
    await log.insertOne(holder as object);
    try {
      const refused = await unmask();
      expect(refused.status).toBe(500);
      expect(refused.json).toMatchObject({ code: 'INTERNAL' });
      expect(refused.text).not.toContain(env.child.id);
      expect(await log.countDocuments({ subjectKey: env.child.subjectKey })).toBe(0);
    } finally {
      await log.deleteOne({ _id: holder._id } as object);
      await log.dropIndex('test_one_reveal_per_case');
    }

    // Once the log takes it, the same request answers the ID, and its entry is already there when the answer comes.
    const revealed = await unmask();
    expect(revealed).toMatchObject({ status: 200, json: { subject: { id: env.child.id }, unmaskedBy: '周督查' } });
    expect(await log.find({ caseId: env.birthCase }).toArray()).toEqual([
      expect.objectContaining({
        kind: 'unmask',
        subjectKey: env.child.subjectKey,
        actor: '周督查',
        actorId: env.users.supervisor,
        reason: '核实群众来电反映的身份信息',
        at: new Date(revealed.json.at as string),
      }),
    ]);
    // The refused attempt left nothing half-written: the chain holds the one reveal.
    expect(await verifyStream(env.pipeline.store, 'unmask_log', { settleMs: 100 })).toMatchObject({
      ok: true,
      entries: 1,
    });
  });
});
