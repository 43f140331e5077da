/**
 * /objections on the real stack, end to end (issue 5, done when): a resident certified at
 * disability grade 3 is granted the living subsidy (120 a month, whatever the grade) and found
 * ineligible for the severe-disability care subsidy (grades 1-2 only). They object that their
 * grade is 2; a supervisor records the federation's correction, which changes nothing until a
 * second supervisor confirms it (the recorder may not; security review S4, abuse test 10); then
 * the record changes with its old value sealed, the citizen is told, the re-evaluation makes a new
 * decision (the old one kept and linked) and pays the 100 due for the month already decided;
 * the case timeline shows objection → correction → re-evaluation → new decision → arrears →
 * notice in order; repeating the correction or its signal pays nothing twice. A supervisor files
 * for a citizen from their case and may not correct what they filed (four eyes compare user IDs: the
 * recorder in another session is refused, a namesake is not); officers neither file nor
 * read objections (S10); roles are refused with reasons in both languages; bad input is a 400
 * naming the field, a claimed value on a decision objection included (S22). The CLI shows the same.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { oldValueOf, type DataCorrection } from '../store/corrections.js';
import { TEST_SECRET } from './support/city.js';
import type { CaseTimeline } from '../services/cases/timeline.js';
import { objectionTaskKey, type ObjectionView } from '../services/objections/service.js';
import { registerTaskModels } from '../store/tasks.js';
import {
  getObjectionStageQuery,
  objectionCorrectedSignal,
  type ObjectionResult,
} from '../workflows/contracts/index.js';
import { openObjectionApi, type ObjectionApi } from './support/objection-api.js';
import { finished, runEntry } from './support/run-node.js';
import { callApi } from './support/running-pipeline.js';
import { testUser } from './support/users.js';
import { issueSession } from '../store/sessions.js';

const stack = inject('stack');
let env: ObjectionApi;

beforeAll(async () => {
  env = await openObjectionApi(stack, 'apiobj');
}, 180_000);

afterAll(async () => {
  await env?.close();
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  callApi(env.url, method, path, token, body);

const REASON = '市残联复核鉴定档案，等级录入有误，应为二级';
let filed: ObjectionView;

describe('an objection that corrects a disability grade', () => {
  it('starts from a grade-3 certificate: the living subsidy granted at 120, the care subsidy refused', async () => {
    const decisions = await env.pipeline.models.Decision.find({ caseId: env.gradeThree.caseId }).lean();
    expect(decisions.map((d) => [d.policy.id, d.outcome, d.amount ?? null]).sort()).toEqual([
      ['disability-living-subsidy', 'eligible', 120],
      ['severe-disability-care-subsidy', 'ineligible', null],
    ]);
  });

  it('is filed by the citizen about their own decision, with the claimed grade, and starts its workflow', async () => {
    const response = await call('POST', '/objections', env.tokens.citizen, {
      caseId: env.gradeThree.caseId,
      policyId: 'severe-disability-care-subsidy',
      kind: 'data',
      fact: 'person.disabilityGrade',
      claimedValue: 2,
      statement: '我的残疾等级应为二级，证件上是二级，系统记录为三级',
    });
    expect(response.status).toBe(201);
    filed = response.json;
    expect(filed).toMatchObject({
      status: 'filed',
      kind: 'data',
      fact: 'person.disabilityGrade',
      claimedValue: 2,
      subjectKey: env.gradeThree.subjectKey,
      filedBy: { id: env.users.citizen, role: 'citizen' },
      caseId: env.gradeThree.caseId,
    });
    expect(filed.steps.map((s) => [s.kind, s.actorId])).toEqual([['filed', env.users.citizen]]);
    expect(response.text).not.toContain(env.gradeThree.id);
    const again = await call('POST', '/objections', env.tokens.citizen, {
      caseId: env.gradeThree.caseId,
      policyId: 'severe-disability-care-subsidy',
      statement: '再次提出同一异议内容',
    });
    expect([again.status, again.json.code]).toEqual([409, 'OBJECTION_OPEN']);
  });

  it('is recorded by a supervisor for the federation and changes nothing until a second supervisor confirms it (abuse 10)', async () => {
    const response = await call('POST', `/objections/${filed.id}/correct`, env.tokens.supervisor, {
      fact: 'person.disabilityGrade',
      value: 2,
      reason: REASON,
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      status: 'correcting',
      pendingCorrection: {
        fact: 'person.disabilityGrade',
        value: '***',
        reason: REASON,
        by: { id: env.users.supervisor, name: '周督查', role: 'supervisor' },
      },
    });
    expect(response.json.correction).toBeUndefined();
    // Nothing applied: the federation's record, the audit and the workflow are as they were.
    const record = () =>
      env.pipeline.store.db!.collection('dp_disability').findOne({ _id: env.gradeThree.id } as object);
    expect((await record())?.disabilityGrade).toBe(3);
    const audits = env.pipeline.store.db!.collection('data_corrections');
    expect(await audits.countDocuments({ _id: `${filed.id}:correction` } as object)).toBe(0);
    expect(await env.client.workflow.getHandle(filed.workflowId).query(getObjectionStageQuery)).toBe('waiting');
    // The recorder may not confirm it; a second correction while it waits is refused.
    const own = await call('POST', `/objections/${filed.id}/confirm`, env.tokens.supervisor, {});
    expect([own.status, own.json.code, own.json.messageZh]).toEqual([
      403,
      'FOUR_EYES',
      expect.stringContaining('须由另一位督查人员确认'),
    ]);
    const another = await call('POST', `/objections/${filed.id}/correct`, env.tokens.secondSupervisor, {
      value: 1,
      reason: '另一种更正意见',
    });
    expect([another.status, another.json.code]).toEqual([409, 'CORRECTION_PENDING']);
    expect((await record())?.disabilityGrade).toBe(3);
  });

  it('is confirmed by a second supervisor: the record changes, audited with the old grade masked and sealed, and the citizen is told', async () => {
    const response = await call('POST', `/objections/${filed.id}/confirm`, env.tokens.secondSupervisor, {});
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      status: 're-evaluating',
      correction: {
        fact: 'person.disabilityGrade',
        department: '市残疾人联合会',
        oldValue: '***',
        newValue: '***',
        reason: REASON,
        by: { id: env.users.supervisor, name: '周督查', role: 'supervisor' },
        confirmedBy: { id: env.users.secondSupervisor, name: '吴督查', role: 'supervisor' },
      },
    });
    expect(response.json.pendingCorrection).toBeUndefined();
    const record = await env.pipeline.store
      .db!.collection('dp_disability')
      .findOne({ _id: env.gradeThree.id } as object);
    expect(record?.disabilityGrade).toBe(2);
    const audit = (await env.pipeline.store
      .db!.collection('data_corrections')
      .findOne({ _id: `${filed.id}:correction` } as object)) as unknown as DataCorrection;
    expect(audit).toMatchObject({
      fact: 'person.disabilityGrade',
      oldValue: '***',
      newValue: 2,
      reason: REASON,
      by: { id: env.users.supervisor, name: '周督查', role: 'supervisor' },
      confirmedBy: { id: env.users.secondSupervisor, name: '吴督查', role: 'supervisor' },
    });
    // The old grade is kept sealed, so the correction can be reverted: it opens under the key ring only.
    expect(JSON.stringify(audit)).not.toMatch(/"oldValue":3|:3[,}]/);
    expect(oldValueOf(audit, [TEST_SECRET])).toBe(3);
    expect(() => oldValueOf(audit, ['another-master-secret-of-32-characters!'])).toThrow(/cannot be opened/);
    const told = await env.pipeline.models.Notice.findOne({
      subjectKey: env.gradeThree.subjectKey,
      template: 'data.corrected',
    }).lean();
    expect(told?.noticeKey).toBe(`${filed.id}:notice:corrected`);
  });

  it('re-evaluates as of the original date and pays the 100 arrears once, however often the correction and its signal repeat', async () => {
    const handle = env.client.workflow.getHandle(filed.workflowId);
    await handle.signal(objectionCorrectedSignal).catch(() => undefined);
    const result = (await handle.result()) as ObjectionResult;
    expect(result).toEqual({
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      amountAfter: 100,
      arrears: 100,
      overpayment: 0,
    });
    // A retried correction answers the objection as it stands; the closed workflow is not started again.
    const retry = await call('POST', `/objections/${filed.id}/correct`, env.tokens.supervisor, {
      fact: 'person.disabilityGrade',
      value: 2,
      reason: REASON,
    });
    expect(retry.status).toBe(200);
    // The activities retried by hand, as Temporal would after a lost completion.
    const reevaluation = await env.pipeline.activities.reevaluateObjection({
      objectionId: filed.id,
      workflowId: filed.workflowId,
    });
    expect(await env.pipeline.activities.settleObjection({ objectionId: filed.id, reevaluation })).toMatchObject({
      arrears: 100,
      periods: [{ period: '2026-03', paid: 0, due: 100 }],
    });

    const grants = await env.pipeline.models.Grant.find({
      subjectKey: env.gradeThree.subjectKey,
      'policy.id': 'severe-disability-care-subsidy',
    }).lean();
    expect(grants.map((g) => [g.key, g.amount, g.basis, g.period])).toEqual([
      [`objection:${filed.id}:arrears:2026-03`, 100, 'objection-arrears', '2026-03'],
    ]);
    const decisions = await env.pipeline.models.Decision.find({
      caseId: env.gradeThree.caseId,
      'policy.id': 'severe-disability-care-subsidy',
    }).lean();
    expect(decisions.map((d) => [d.key, d.outcome, d.amount ?? null, d.asOf]).sort()).toEqual([
      [`${env.gradeThree.caseId}:decision:severe-disability-care-subsidy`, 'ineligible', null, '2026-03-01'],
      [
        `${env.gradeThree.caseId}:decision:severe-disability-care-subsidy:objection:${filed.id}`,
        'eligible',
        100,
        '2026-03-01',
      ],
    ]);
    const access = await env.pipeline.store
      .db!.collection('access_records')
      .find({ caseId: env.gradeThree.caseId, purposes: `objection re-evaluation: ${REASON}` })
      .toArray();
    expect(access.map((a) => a.source).sort()).toEqual(['disability-federation', 'household-registry']);
    const notices = await env.pipeline.models.Notice.find({
      subjectKey: env.gradeThree.subjectKey,
      template: 'objection.arrears',
    }).lean();
    expect(notices).toHaveLength(1);
  });

  it('answers the citizen with the outcome and shows every step in the case timeline, in order', async () => {
    const mine = await call('GET', `/objections/${filed.id}`, env.tokens.citizen);
    expect(mine.json).toMatchObject({
      status: 'resolved',
      correction: { newValue: 2 },
      outcome: { outcome: 'eligible', previousOutcome: 'ineligible', amountAfter: 100, arrears: 100 },
    });
    expect(mine.json.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'filed',
      'correction-recorded',
      'corrected',
      're-evaluation',
      'decision',
      'arrears',
      'resolved',
    ]);
    // A person's step names their user ID (the recorder's, then the confirmer's); the workflow's own steps name nobody.
    expect(
      mine.json.steps.map((s: { kind: string; actorId?: string }) => [s.kind, s.actorId ?? null]).slice(0, 4),
    ).toEqual([
      ['filed', env.users.citizen],
      ['correction-recorded', env.users.supervisor],
      ['corrected', env.users.secondSupervisor],
      ['re-evaluation', null],
    ]);

    await expect
      .poll(
        async () =>
          (await env.pipeline.models.Notice.findOne({ noticeKey: `${filed.workflowId}:notice:arrears` }).lean())
            ?.status,
        { timeout: 20_000 },
      )
      .toBe('delivered');
    const { status, json, text } = await call(
      'GET',
      `/cases/${encodeURIComponent(env.gradeThree.caseId)}/timeline`,
      env.tokens.supervisor,
    );
    expect(status).toBe(200);
    expect(text).not.toContain(env.gradeThree.id);
    const timeline = json as CaseTimeline;
    const at = (kind: string, where: (e: CaseTimeline['entries'][number]) => boolean = () => true) =>
      timeline.entries.findIndex((e) => e.kind === kind && where(e));
    const order = [
      at('objection.filed'),
      at('objection.corrected'),
      at('objection.re-evaluation'),
      at('decision', (e) => e.detail?.objectionId === filed.id),
      at('arrears'),
      at('notice.queued', (e) => e.detail?.template === 'objection.arrears'),
      at('notice.delivered', (e) => String(e.detail?.noticeKey).endsWith(':notice:arrears')),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(timeline.entries[order[3]].detail).toMatchObject({
      outcome: 'eligible',
      amount: 100,
      supersedes: `${env.gradeThree.caseId}:decision:severe-disability-care-subsidy`,
    });
    expect(timeline.entries[order[4]].detail).toMatchObject({
      amount: 100,
      basis: 'objection-arrears',
      period: '2026-03',
    });
    expect(timeline.entries[at('objection.corrected')]).toMatchObject({
      detail: { department: '市残疾人联合会', oldValue: '***', reason: REASON },
    });
    expect(timeline.workflows).toContainEqual(
      expect.objectContaining({ workflowId: filed.workflowId, type: 'objection', history: 'read' }),
    );
    expect(timeline.entries.filter((e) => e.workflowId === filed.workflowId).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['activity.reevaluateObjection', 'activity.settleObjection', 'workflow.completed']),
    );
  });

  it('is listed for the citizen (their own only) and for supervisors with the grade masked', async () => {
    const own = await call('GET', '/objections', env.tokens.citizen);
    expect(own.json.objections.map((o: ObjectionView) => o.id)).toEqual([filed.id]);
    const other = await call('GET', '/objections', env.tokens.otherCitizen);
    expect(other.json.objections).toEqual([]);
    const all = await call('GET', '/objections?status=resolved', env.tokens.supervisor);
    const listed = all.json.objections.find((o: ObjectionView) => o.id === filed.id);
    expect(listed).toMatchObject({
      policyTitle: { zh: '重度残疾人护理补贴', en: 'Care subsidy for severely disabled people' },
    });
    expect(listed.correction.departmentLabel).toEqual({
      zh: '市残疾人联合会',
      en: 'Municipal Disabled Persons’ Federation',
    });
    expect(listed).toMatchObject({
      claimedValue: '***',
      correction: { newValue: '***' },
      // Staff see the identifier's last four characters only (S3).
      subject: { maskedId: `**************${env.gradeThree.id.slice(-4)}` },
    });
    expect(all.text).not.toContain(env.gradeThree.id);
  });
});

describe('an over-payment found by an objection', () => {
  it('recovers the difference when the grade is corrected the other way (grade 1 → 2: 150 paid, 100 due) (abuse 10)', async () => {
    // A supervisor files for the citizen from their case (the case names them: no resident ID).
    const response = await call('POST', '/objections', env.tokens.supervisor, {
      caseId: env.gradeOne.caseId,
      policyId: 'severe-disability-care-subsidy',
      kind: 'data',
      fact: 'person.disabilityGrade',
      statement: '残联来函：该人员等级误录为一级，应为二级',
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      filedBy: { id: env.users.supervisor, name: '周督查', role: 'supervisor' },
      subjectKey: env.gradeOne.subjectKey,
    });
    // Whoever filed it does not correct it, nor confirm another's correction of it.
    const byFiler = await call('POST', `/objections/${response.json.id}/correct`, env.tokens.supervisor, {
      value: 2,
      reason: '残联复核，等级应为二级',
    });
    expect([byFiler.status, byFiler.json.code, byFiler.json.messageZh]).toEqual([
      403,
      'FOUR_EYES',
      expect.stringContaining('须由其他督查人员登记更正'),
    ]);
    const recorded = await call('POST', `/objections/${response.json.id}/correct`, env.tokens.secondSupervisor, {
      value: 2,
      reason: '残联复核，等级应为二级',
    });
    expect(recorded.status).toBe(200);
    const filerConfirms = await call('POST', `/objections/${response.json.id}/confirm`, env.tokens.supervisor, {});
    expect([filerConfirms.status, filerConfirms.json.code]).toEqual([403, 'FOUR_EYES']);
    // Four eyes by user ID: the recorder in another session is still the recorder; another supervisor who
    // shares the recorder's name (吴督查) is a second person, and confirms.
    const store = env.pipeline.store;
    const recorderAgain = (
      await issueSession(store, {
        userId: env.users.secondSupervisor,
        role: 'supervisor',
        kind: 'machine',
        via: 'test',
      })
    ).token;
    const sameRecorder = await call('POST', `/objections/${response.json.id}/confirm`, recorderAgain, {});
    expect([sameRecorder.status, sameRecorder.json.code]).toEqual([403, 'FOUR_EYES']);
    const namesake = await testUser(store, '吴督查', 'supervisor');
    const corrected = await call('POST', `/objections/${response.json.id}/confirm`, namesake.token, {});
    expect(corrected.status).toBe(200);
    expect(corrected.json.correction).toMatchObject({
      by: { id: env.users.secondSupervisor, name: '吴督查' },
      confirmedBy: { id: namesake.id, name: '吴督查' },
    });
    const result = (await env.client.workflow.getHandle(response.json.workflowId).result()) as ObjectionResult;
    expect(result).toMatchObject({
      outcome: 'eligible',
      amountBefore: 150,
      amountAfter: 100,
      arrears: 0,
      overpayment: 50,
    });
    const recoveries = await env.pipeline.models.Recovery.find({ subjectKey: env.gradeOne.subjectKey }).lean();
    expect(recoveries.map((r) => [r.key, r.amount, r.status])).toEqual([
      [`objection:${response.json.id}:recovery:2026-03`, 50, 'due'],
    ]);
    const timeline = (
      await call('GET', `/cases/${encodeURIComponent(env.gradeOne.caseId)}/timeline`, env.tokens.supervisor)
    ).json as CaseTimeline;
    expect(timeline.entries.some((e) => e.kind === 'recovery' && e.detail?.amount === 50)).toBe(true);
    expect(
      await env.pipeline.models.Notice.countDocuments({
        subjectKey: env.gradeOne.subjectKey,
        template: 'objection.recovery',
      }),
    ).toBe(1);
  });
});

describe('who may do what', () => {
  it('refuses officers, reviewers and inspectors, a citizen filing about someone else, and a citizen or officer correcting, each in both languages (abuse 6)', async () => {
    const body = {
      caseId: env.gradeOne.caseId,
      policyId: 'severe-disability-care-subsidy',
      statement: '我对这个判定有异议',
    };
    // Officers author policies: they neither list residents' objections nor file for them (S10).
    for (const token of [env.tokens.officer, env.tokens.reviewer, env.tokens.inspector]) {
      const refused = await call('POST', '/objections', token, { ...body, subject: env.gradeOne.id });
      expect([refused.status, refused.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
      expect(refused.json.messageZh).toMatch(/只有/);
      expect((await call('GET', '/objections', token)).status).toBe(403);
    }
    const someoneElse = await call('POST', '/objections', env.tokens.citizen, { ...body, subject: env.gradeOne.id });
    expect([someoneElse.status, someoneElse.json.code, someoneElse.json.field]).toEqual([
      403,
      'FORBIDDEN_SUBJECT',
      'subject',
    ]);
    expect(someoneElse.text).not.toContain(env.gradeOne.id);
    // Another's decision is answered as no decision at all (S21).
    const notTheirs = await call('POST', '/objections', env.tokens.citizen, body);
    const none = await call('POST', '/objections', env.tokens.citizen, { ...body, caseId: 'life-event:no-such-case' });
    expect([notTheirs.status, notTheirs.json.code, notTheirs.json.field]).toEqual([
      404,
      'DECISION_NOT_FOUND',
      'caseId',
    ]);
    expect([none.status, none.json.code, none.json.field]).toEqual([404, 'DECISION_NOT_FOUND', 'caseId']);
    expect(notTheirs.json.message.replace(env.gradeOne.caseId, '')).toBe(
      none.json.message.replace('life-event:no-such-case', ''),
    );
    expect((await call('GET', `/objections/${filed.id}`, env.tokens.otherCitizen)).status).toBe(404);
    for (const token of [env.tokens.citizen, env.tokens.officer]) {
      const refused = await call('POST', `/objections/${filed.id}/correct`, token, {
        value: 1,
        reason: '想改成一级等级',
      });
      expect([refused.status, refused.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
      expect(refused.json.message).toContain('supervisor');
      expect(refused.json.messageZh).toContain('督查人员');
      const confirm = await call('POST', `/objections/${filed.id}/confirm`, token, {});
      expect([confirm.status, confirm.json.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    }
  });

  it('answers bad input with a 400 naming the field, and writes nothing (abuse 22)', async () => {
    const expectField = async (path: string, token: string, body: unknown, field: string) => {
      const response = await call('POST', path, token, body);
      expect([response.status, response.json.field], JSON.stringify(response.json)).toEqual([400, field]);
      expect(response.json.messageZh).toBeTruthy();
    };
    const base = {
      caseId: env.gradeOne.caseId,
      policyId: 'severe-disability-care-subsidy',
      statement: '等级有误请核实',
    };
    const staff = env.tokens.thirdSupervisor;
    // Staff name the case, never a resident ID; a case is required.
    await expectField('/objections', staff, { ...base, subject: env.gradeOne.id }, 'subject');
    await expectField('/objections', staff, { ...base, caseId: undefined }, 'caseId');
    await expectField('/objections', staff, { ...base, statement: '短' }, 'statement');
    await expectField('/objections', staff, { ...base, kind: 'data', fact: 'person.maritalStatus' }, 'fact');
    await expectField(
      '/objections',
      staff,
      { ...base, kind: 'data', fact: 'person.disabilityGrade', claimedValue: 'two' },
      'claimedValue',
    );
    // A claimed value belongs to a data objection only (S22): one on a decision objection is refused, not stored.
    await expectField('/objections', staff, { ...base, claimedValue: { any: 'json'.repeat(100) } }, 'claimedValue');
    await expectField('/objections', staff, { ...base, kind: 'decision', claimedValue: 2 }, 'claimedValue');
    const open = await call('POST', '/objections', staff, {
      ...base,
      kind: 'data',
      fact: 'person.disabilityGrade',
    });
    expect(open.status).toBe(201);
    await expectField(
      `/objections/${open.json.id}/correct`,
      env.tokens.supervisor,
      { value: 7, reason: '等级录入有误需更正' },
      'value',
    );
    await expectField(`/objections/${open.json.id}/correct`, env.tokens.supervisor, { value: 2 }, 'reason');
    await expectField(`/objections/${open.json.id}/confirm`, env.tokens.supervisor, { action: 'maybe' }, 'action');
    await expectField(
      `/objections/${open.json.id}/correct`,
      env.tokens.supervisor,
      { fact: 'person.disabilityType', value: 'visual', reason: '等级录入有误需更正' },
      'fact',
    );
    const record = await env.pipeline.store.db!.collection('dp_disability').findOne({ _id: env.gradeOne.id } as object);
    expect(record?.disabilityGrade).toBe(2);
    expect((await call('GET', `/objections/${open.json.id}`, env.tokens.supervisor)).json.status).toBe('filed');
    // A supervisor rejects it with a reason: the citizen is told, nothing is paid or recovered.
    const rejected = await call('POST', `/objections/${open.json.id}/resolve`, env.tokens.supervisor, {
      action: 'reject',
      reason: '已于前次异议更正，无需再次处理',
    });
    expect(rejected.status).toBe(200);
    expect(((await env.client.workflow.getHandle(open.json.workflowId).result()) as ObjectionResult).status).toBe(
      'rejected',
    );
    expect((await call('GET', `/objections/${open.json.id}`, env.tokens.supervisor)).json.status).toBe('rejected');
    // It was on the supervisors' worklist from its filing, on its sixty days, and is closed by the resolution.
    const task = await registerTaskModels(env.pipeline.store).Task.findById(objectionTaskKey(open.json.id)).lean();
    expect(task).toMatchObject({ type: 'objection', status: 'done', timeLimitDays: 60, caseId: open.json.caseId });
    expect(task?.outcome).toEqual({ kind: 'closed', note: 'rejected: 已于前次异议更正，无需再次处理' });
    expect(task?.history.map((entry) => entry.action)).toEqual(['opened', 'completed']);
  });
});

describe('applyfree objection', () => {
  const cli = (args: string[], token: string) =>
    finished(runEntry('cli/main.ts', ['objection', ...args], { APPLYFREE_API_URL: env.url, APPLYFREE_TOKEN: token }));

  it('shows an objection with its correction, outcome and steps; refusals are one line with exit 1', async () => {
    const shown = await cli(['show', filed.id], env.tokens.citizen);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('resolved · 已办结');
    expect(shown.stdout).toContain('arrears 补发 100');
    expect(shown.stdout).toContain('补发 100 元（2026-03）');
    const json = await cli(['list', '--json'], env.tokens.citizen);
    expect((JSON.parse(json.stdout) as { objections: ObjectionView[] }).objections.map((o) => o.id)).toEqual([
      filed.id,
    ]);
    expect(shown.stdout).toContain('by 周督查, confirmed by 确认 吴督查');
    const refused = await cli(['correct', filed.id, '--value', '1', '--reason', '想改成一级等级'], env.tokens.citizen);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('FORBIDDEN_ROLE');
    expect((await cli(['correct', filed.id], env.tokens.supervisor)).code).toBe(2);
    expect((await cli(['confirm', filed.id, '--reject'], env.tokens.secondSupervisor)).code).toBe(2);
  }, 40_000);

  it('records a correction and rejects it as a second supervisor, leaving the record as it was', async () => {
    const filedByCitizen = await call('POST', '/objections', env.tokens.citizen, {
      caseId: env.gradeThree.caseId,
      policyId: 'disability-living-subsidy',
      kind: 'data',
      fact: 'person.minimumLivingAllowance',
      statement: '我家低保记录有误，请核实',
    });
    expect(filedByCitizen.status).toBe(201);
    const id = filedByCitizen.json.id as string;
    const recorded = await cli(
      ['correct', id, '--value', 'false', '--reason', '民政局来函称低保已停发'],
      env.tokens.supervisor,
    );
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain('it applies once a second supervisor confirms it');
    expect(recorded.stdout).toContain(`a second supervisor confirms it: applyfree objection confirm ${id}`);
    const rejected = await cli(
      ['confirm', id, '--reject', '--reason', '民政局系统仍在保，来函有误'],
      env.tokens.secondSupervisor,
    );
    expect([rejected.code, rejected.stdout]).toEqual([0, expect.stringContaining('rejected 已退回')]);
    const after = (await call('GET', `/objections/${id}`, env.tokens.supervisor)).json as ObjectionView;
    expect(after).toMatchObject({ status: 'filed' });
    expect(after.pendingCorrection).toBeUndefined();
    expect(after.steps.map((step) => step.kind)).toEqual(['filed', 'correction-recorded', 'correction-rejected']);
    const record = await env.pipeline.store
      .db!.collection('dp_civil_affairs')
      .findOne({ _id: env.gradeThree.id } as object);
    expect(record?.minimumLivingAllowance).toBe(true);
    await call('POST', `/objections/${id}/resolve`, env.tokens.supervisor, {
      action: 'reject',
      reason: '民政局核实无误，维持原判定',
    });
  }, 40_000);
});
