/**
 * Proof-free applications (依申请 免提交) end to end on the real stack: the pipeline's worker runs
 * each application's workflow and its handling task on the Temporal dev server, the records live
 * in FerretDB and the notices go through Redis. A senior applies for the home-care subsidy with
 * nothing to upload: the form comes pre-filled with each field's source, and the four proofs are
 * obtained by sharing, verification, her senior card and her pledge; the civil affairs officer
 * approves it and she is told. Her second application within validity reuses the archived proofs
 * without a new pull. A resident whose real-estate check answers "no" is asked for exactly that
 * proof, and an upload closes it — and the seed indicators, counted from the records, fall with
 * the upload. A firm applies for the hiring subsidy. A bad submission is
 * refused naming the field, with nothing written.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { cityToday, workingDaysAfter } from '../domain/calendar.js';
import { createApplicationService } from '../services/applications/service.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createWindowVisits } from '../services/window/visits.js';
import { createTaskService } from '../services/tasks/service.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { registerApplicationModel } from '../store/applications.js';
import { readProgrammeMetrics } from '../services/metrics/service.js';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { applicationResumer } from '../services/applications/resume.js';
import { createVerificationService } from '../services/verifications/service.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { registerNoticeModels } from '../store/notices.js';
import { reusesOf } from '../store/proofs.js';
import { ALL_UP } from './support/all-up.js';
import { addEnterprise, addResident, TEST_SECRET, type TestSubject } from './support/city.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { WORKFLOWS_PATH } from '../workers/temporal-worker.js';
import { testSessions, testToken, testUser } from './support/users.js';

const stack = inject('stack');
let running: RunningPipeline;
let api: FastifyInstance;
let senior: TestSubject;
let owner: TestSubject;
let teacher: TestSubject;
let firm: TestSubject;
let cardId: string;
const tokens = { senior: '', owner: '', firm: '', teacher: '', civil: '', housing: '', supervisor: '', window: '' };
let visitId: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const response = await api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  return { status: response.statusCode, body: response.json<Json>() };
}

const application = async (id: string, token = tokens.senior) => (await call('GET', `/applications/${id}`, token)).body;
const untilStatus = (id: string, status: string, token?: string) =>
  expect.poll(async () => (await application(id, token)).status, { timeout: 120_000, interval: 200 }).toBe(status);
const proof = (app: Json, id: string) => app.proofs.find((p: Json) => p.id === id);

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'applications', { seals: true });
  const { store } = running.pipeline;
  senior = await addResident(store, '1948-03-02', {
    'person.localHukou': true,
    'person.district': '德城区',
    'person.livesAlone': true,
    'person.careDependencyLevel': 2,
    'person.minimumLivingAllowance': true,
  });
  owner = await addResident(store, '1990-05-06', {
    'person.localHukou': true,
    'person.district': '陵城区',
    'person.maritalStatus': 'married',
    'person.householdIncomePerCapita': 1500,
    'person.ownsHousing': true,
  });
  teacher = await addResident(store, '1996-09-12', {
    'person.localHukou': true,
    'person.highestDegree': 'bachelor',
    'person.collegeGraduatedOn': '2018-06-30',
  });
  firm = await addEnterprise(store, {
    'enterprise.establishedOn': '2021-04-01',
    'enterprise.industry': 'manufacturing',
    'enterprise.status': 'active',
    'enterprise.premiumsInArrears': false,
    'enterprise.newJobsLastYear': 12,
    'enterprise.registeredUnemployedHiredLastYear': 4,
  });
  const { certificate } = await issueCertificate(
    { store, seals: running.pipeline.seals! },
    {
      key: `applications-test:${running.run}:senior-card`,
      type: 'senior-preferential-card',
      holder: { subjectKey: senior.subjectKey, displayName: '王桂兰' },
      issuedOn: cityToday(),
      basis: { kind: 'grant', ref: `grant:${running.run}:senior-card` },
      fields: { birthDate: '1948-03-02', district: '德城区', entitlements: '公共交通免费乘车' },
    },
  );
  cardId = certificate.document.id;
  tokens.senior = await testToken(store, '王桂兰', 'citizen', { subjectKey: senior.subjectKey });
  tokens.owner = await testToken(store, '孙立', 'citizen', { subjectKey: owner.subjectKey });
  tokens.firm = await testToken(store, '德州精工', 'citizen', { subjectKey: firm.subjectKey });
  tokens.teacher = await testToken(store, '刘晓', 'citizen', { subjectKey: teacher.subjectKey });
  tokens.civil = await testToken(store, '马承办', 'officer', { department: '市民政局' });
  tokens.housing = await testToken(store, '何承办', 'officer', { department: '市住房和城乡建设局' });
  tokens.supervisor = await testToken(store, '周督查', 'supervisor');
  // Window staff serving the senior in person: their open visit is what lets them apply for her.
  const staff = await testUser(store, '赵窗口', 'window', { department: '市政务服务管理局' });
  tokens.window = staff.token;
  const visits = createWindowVisits({ store, subjectKeySecret: TEST_SECRET });
  visitId = (
    await visits.open(
      { id: staff.id, name: '赵窗口', role: 'window', department: '市政务服务管理局' },
      { idNumber: senior.id, window: '德州市政务服务中心 3号窗口', reason: '代为申请居家养老服务补贴' },
    )
  ).visit.visitId;
  api = buildApi({
    sessions: testSessions(store),
    applications: createApplicationService({
      store,
      temporal: running.client,
      taskQueue: running.pipeline.taskQueue,
      visits,
    }),
    tasks: createTaskService({ store, temporal: running.client, taskQueue: running.pipeline.taskQueue }),
    // The certifying department's written answers, entered by a supervisor, resume the applications waiting on them.
    verifications: {
      service: createVerificationService({
        store,
        adapters: createAdapterRegistry({ connection: store }),
        subjectKeySecret: TEST_SECRET,
        resumeApplication: applicationResumer(running.client),
      }),
    },
    health: ALL_UP,
  });
  await api.ready();
}, 300_000);

afterAll(async () => {
  await api?.close();
  // An application still with its department waits on its task's timers: end it rather than leave it on the shared server.
  if (running)
    for (const record of await registerApplicationModel(running.pipeline.store)
      .find({ status: { $nin: ['approved', 'refused', 'withdrawn'] } })
      .lean())
      await running.client.workflow
        .getHandle(record.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  await running?.close();
});

describe('a proof-free application', { timeout: 180_000 }, () => {
  let first: Json;

  it('shows the home-care form pre-filled, each field with its source and each proof with its method', async () => {
    const { status, body } = await call('GET', '/applications/form/home-care-service-subsidy', tokens.senior);
    expect(status).toBe(200);
    const field = (id: string) => body.fields.find((f: Json) => f.id === id);
    expect(field('birth-date')).toMatchObject({
      source: 'shared',
      value: '1948-03-02',
      fact: 'person.birthDate',
      department: { zh: '市公安局' },
    });
    expect(field('district')).toMatchObject({ source: 'shared', value: '德城区' });
    expect(field('contact-phone')).toMatchObject({ source: 'typed', input: 'text' });
    expect(body.proofs.map((p: Json) => [p.id, p.method])).toEqual([
      ['household-register', 'sharing'],
      ['senior-card', 'certificate'],
      ['hardship-proof', 'verification'],
      ['family-situation', 'pledge'],
    ]);
    expect(body.proofs[1].certificates.map((c: Json) => c.id)).toEqual([cardId]);
    expect(body.proofs[3].statement.zh).toContain('本人承诺');
    // The read is on her record of who used her data, its purpose naming the matter.
    const reads = await registerAccessRecordModel(running.pipeline.store)
      .find({ subjectKey: senior.subjectKey, caseId: 'form:home-care-service-subsidy' })
      .lean();
    expect(reads.map((r) => r.department).sort()).toEqual(['市公安局', '市民政局']);
    expect(reads.every((r) => r.purposes.some((p) => p.includes('home-care-service-subsidy')))).toBe(true);
  });

  it('refuses a submission without a required field, naming it, and writes nothing', async () => {
    const before = await registerApplicationModel(running.pipeline.store).countDocuments({});
    const { status, body } = await call('POST', '/applications', tokens.senior, {
      matter: 'home-care-service-subsidy',
      fields: { 'service-address': '德城区新湖街道 12 号' },
    });
    expect(status).toBe(400);
    expect(body.field).toBe('fields.contact-phone');
    const unknownCard = await call('POST', '/applications', tokens.senior, {
      matter: 'home-care-service-subsidy',
      fields: { 'contact-phone': '13800000000', 'service-address': '德城区新湖街道 12 号' },
      certificates: ['no-such-certificate'],
    });
    expect([unknownCard.status, unknownCard.body.field]).toEqual([400, 'certificates[0]']);
    expect(await registerApplicationModel(running.pipeline.store).countDocuments({})).toBe(before);
  });

  it('completes with zero uploads: proofs by sharing, verification, certificate and pledge; approved and noticed', async () => {
    const body = {
      matter: 'home-care-service-subsidy',
      fields: { 'contact-phone': '13800000000', 'service-address': '德城区新湖街道 12 号' },
      pledges: ['family-situation'],
      certificates: [cardId],
      submissionKey: `home-care-${randomUUID()}`,
    };
    const submitted = await call('POST', '/applications', tokens.senior, body);
    expect(submitted.status).toBe(201);
    // A double-click is the same application.
    const again = await call('POST', '/applications', tokens.senior, body);
    expect([again.status, again.body.id]).toEqual([200, submitted.body.id]);
    const id = submitted.body.id as string;
    expect(id).toMatch(/^ap_[a-z2-7]{26}$/);

    await untilStatus(id, 'handling');
    first = await application(id);
    expect(first.proofs.map((p: Json) => [p.id, p.obtainedBy, p.reused])).toEqual([
      ['household-register', 'sharing', false],
      ['senior-card', 'certificate', false],
      ['hardship-proof', 'verification', false],
      ['family-situation', 'pledge', false],
    ]);
    expect(first.proofs.every((p: Json) => p.proofId || p.obtainedBy === 'pledge')).toBe(true);
    expect(first.asked).toEqual([]);
    expect(first.fields.filter((f: Json) => f.source === 'shared').map((f: Json) => [f.id, f.value])).toEqual([
      ['birth-date', '1948-03-02'],
      ['district', '德城区'],
      ['lives-alone', true],
      ['care-level', 2],
    ]);
    expect(first.fields.filter((f: Json) => f.source === 'typed').map((f: Json) => f.id)).toEqual([
      'contact-phone',
      'service-address',
    ]);
    // The statutory limit: 15 working days from submission.
    expect(first.dueAt).toBe(workingDaysAfter(new Date(first.submittedAt), 15).toISOString());

    // The civil affairs bureau sees it and its handler decides through the task.
    const listed = await call('GET', '/applications', tokens.civil);
    expect(listed.body.applications.map((a: Json) => a.id)).toContain(id);
    expect((await call('GET', '/applications', tokens.housing)).body.applications.map((a: Json) => a.id)).not.toContain(
      id,
    );
    expect((await call('GET', `/applications/${id}`, tokens.housing)).status).toBe(404);
    expect((await call('POST', `/tasks/${first.taskKey}/claim`, tokens.civil)).status).toBe(200);
    const done = await call('POST', `/tasks/${first.taskKey}/complete`, tokens.civil, {
      outcome: { kind: 'decided', outcome: 'eligible', reason: '经核实符合居家养老服务补贴条件' },
    });
    expect(done.status).toBe(200);
    await untilStatus(id, 'approved');
    const approved = await application(id);
    expect(approved.decision).toMatchObject({ outcome: 'approved', reason: '经核实符合居家养老服务补贴条件' });
    expect(approved.notice.key).toBe(`application:${id}:notice:approved`);
    const notices = await registerNoticeModels(running.pipeline.store)
      .Notice.find({ noticeKey: approved.notice.key })
      .lean();
    expect(notices.map((n) => [n.subjectKey, n.template])).toEqual([[senior.subjectKey, 'application.approved']]);
    // No raw resident ID in what the applicant reads.
    expect(JSON.stringify(approved)).not.toContain(senior.id);
  });

  it('reuses the archived proofs within validity on a second application, without a new pull', async () => {
    const submitted = await call('POST', '/applications', tokens.senior, {
      matter: 'home-care-service-subsidy',
      fields: { 'contact-phone': '13800000000', 'service-address': '德城区新湖街道 14 号' },
      pledges: ['family-situation'],
      submissionKey: `home-care-${randomUUID()}`,
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await untilStatus(id, 'handling');
    const second = await application(id);
    expect(second.proofs.map((p: Json) => [p.id, p.obtainedBy, p.reused])).toEqual([
      ['household-register', 'sharing', true],
      ['senior-card', 'certificate', true],
      ['hardship-proof', 'verification', true],
      ['family-situation', 'pledge', false],
    ]);
    expect(proof(second, 'hardship-proof').proofId).toBe(proof(first, 'hardship-proof').proofId);
    // The archive records each reuse by this application.
    for (const reusedProof of ['household-register', 'senior-card', 'hardship-proof'])
      expect(
        (await reusesOf(running.pipeline.store, proof(second, reusedProof).proofId)).map((r) => r.by.id),
      ).toContain(id);
    // Only the form's shared fields were read for the second application: no pull for a proof.
    const pulls = await registerAccessRecordModel(running.pipeline.store).find({ caseId: id }).lean();
    expect(pulls.flatMap((r) => r.fields).sort()).toEqual(
      ['person.birthDate', 'person.careDependencyLevel', 'person.district', 'person.livesAlone'].sort(),
    );
  });

  it('asks for exactly the proof whose verification failed, and an upload closes it', async () => {
    const indicators = async () =>
      (await readProgrammeMetrics({ store: running.pipeline.store, catalog: await loadPolicyCatalog() }))
        .proofIndicators;
    const before = await indicators();
    const submitted = await call('POST', '/applications', tokens.owner, {
      matter: 'public-rental-housing',
      fields: { 'household-size': 3, 'contact-phone': '13900000000' },
      pledges: ['income-proof'],
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await untilStatus(id, 'awaiting-proofs', tokens.owner);
    const asking = await application(id, tokens.owner);
    expect(asking.asked).toEqual(['no-housing-proof']);
    expect(proof(asking, 'no-housing-proof').asked.zh).toContain('核验结果为“否”');
    expect(asking.proofs.filter((p: Json) => p.id !== 'no-housing-proof').map((p: Json) => p.obtainedBy)).toEqual([
      'sharing',
      'sharing',
      'pledge',
    ]);
    const content = Buffer.from('%PDF-1.4 无房证明扫描件').toString('base64');
    const notAsked = await call('POST', `/applications/${id}/uploads`, tokens.owner, {
      proof: 'marriage-certificate',
      fileName: 'marriage.pdf',
      contentBase64: content,
    });
    expect([notAsked.status, notAsked.body.code, notAsked.body.field]).toEqual([409, 'PROOF_NOT_ASKED', 'proof']);
    const uploaded = await call('POST', `/applications/${id}/uploads`, tokens.owner, {
      proof: 'no-housing-proof',
      fileName: '无房证明.pdf',
      contentBase64: content,
    });
    expect(uploaded.status).toBe(200);
    await untilStatus(id, 'handling', tokens.owner);
    const handled = await application(id, tokens.owner);
    expect(proof(handled, 'no-housing-proof')).toMatchObject({
      obtainedBy: 'upload',
      upload: { fileName: '无房证明.pdf' },
    });
    expect(handled.asked).toEqual([]);
    // The seed indicators move with the records: one more upload, and a lower certificate
    // substitution rate, since the upload stands where a verification would have.
    const after = await indicators();
    expect(after.total.uploads).toBe(before.total.uploads + 1);
    expect(after.total.certificateSubstitution.whole).toBe(before.total.certificateSubstitution.whole + 4);
    expect(after.total.certificateSubstitution.part).toBe(before.total.certificateSubstitution.part);
    expect(after.total.certificateSubstitution.rate!).toBeLessThan(before.total.certificateSubstitution.rate!);
    const housing = after.rows.find((row) => row.department === 'housing-urban-rural')!;
    expect(housing).toMatchObject({
      applications: 1,
      uploads: 1,
      fieldSharing: { part: 3, whole: 5 },
      proofSharing: { part: 2, whole: 4 },
      certificateSubstitution: { part: 0, whole: 4, rate: 0 },
    });
    expect(housing.departmentName.zh).toBe('市住房和城乡建设局');
    // The housing bureau's handler sees it; the civil affairs one does not.
    expect((await call('GET', `/applications/${id}`, tokens.housing)).status).toBe(200);
    expect((await call('GET', `/applications/${id}`, tokens.civil)).status).toBe(404);
  });

  it('waits for a verification answered by procedure, and takes the answer when it comes instead of an upload', async () => {
    const submitted = await call('POST', '/applications', tokens.teacher, {
      matter: 'teacher-qualification',
      fields: { subject: '数学', stage: '初级中学教师资格' },
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await untilStatus(id, 'awaiting-proofs', tokens.teacher);
    const waiting = await application(id, tokens.teacher);
    // The medical form is still paper; the public security bureau's search of its records is pending.
    expect(waiting.asked.sort()).toEqual(['health-check', 'no-criminal-record-proof']);
    expect(proof(waiting, 'no-criminal-record-proof').asked.zh).toContain('可等待答复');
    const log = (await call('GET', '/staff/verifications?status=pending', tokens.supervisor)).body as unknown as Json[];
    const pending = log.find((entry) => entry.requester.kind === 'application' && entry.requester.id === id)!;
    expect(pending).toMatchObject({ claim: { id: 'no-criminal-record' }, answer: 'pending' });

    const answered = await call('POST', `/staff/verifications/${pending.verificationId}/answer`, tokens.supervisor, {
      answer: 'yes',
      reference: '德公（刑）证字〔2026〕118号',
    });
    expect(answered.status).toBe(200);
    await expect
      .poll(async () => (await application(id, tokens.teacher)).asked, { timeout: 120_000, interval: 200 })
      .toEqual(['health-check']);
    const resumed = await application(id, tokens.teacher);
    expect(proof(resumed, 'no-criminal-record-proof')).toMatchObject({ obtainedBy: 'verification' });
    expect(resumed.status).toBe('awaiting-proofs');
  });

  it('takes a firm’s hiring-subsidy application with zero uploads', async () => {
    const form = await call('GET', '/applications/form/enterprise-hiring-subsidy', tokens.firm);
    expect(form.body.fields.find((f: Json) => f.id === 'new-hires')).toMatchObject({ source: 'shared', value: 12 });
    const submitted = await call('POST', '/applications', tokens.firm, {
      matter: 'enterprise-hiring-subsidy',
      fields: { 'contact-person': '李经办', 'contact-phone': '05340000000' },
      pledges: ['no-violation-statement'],
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await untilStatus(id, 'handling', tokens.firm);
    const handled = await application(id, tokens.firm);
    expect(handled.proofs.map((p: Json) => p.obtainedBy)).toEqual([
      'verification',
      'verification',
      'sharing',
      'pledge',
    ]);
    expect(handled.department.id).toBe('human-resources-social-security');
    // A firm sees the firms' matters, and a person's is not a firm's.
    const matters = (await call('GET', '/applications/matters', tokens.firm)).body as unknown as Json[];
    expect(matters.map((m) => m.id)).toContain('enterprise-hiring-subsidy');
    expect(matters.every((m) => m.subject === 'enterprise')).toBe(true);
    const wrong = await call('GET', '/applications/form/home-care-service-subsidy', tokens.firm);
    expect(wrong.status).toBe(404);
  });

  it('lets window staff apply for the person present, in their open visit only', async () => {
    const withoutVisit = await call('GET', '/applications/form/home-care-service-subsidy', tokens.window);
    expect([withoutVisit.status, withoutVisit.body.field]).toEqual([400, 'visitId']);
    const form = await call('GET', `/applications/form/home-care-service-subsidy?visitId=${visitId}`, tokens.window);
    expect(form.status).toBe(200);
    expect(form.body.fields.find((f: Json) => f.id === 'birth-date')).toMatchObject({
      source: 'shared',
      value: '1948-03-02',
    });
    const submitted = await call('POST', '/applications', tokens.window, {
      matter: 'home-care-service-subsidy',
      fields: { 'contact-phone': '13800000000', 'service-address': '德城区新湖街道 16 号' },
      pledges: ['family-situation'],
      submissionKey: `window-${randomUUID()}`,
      visitId,
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body.submittedBy).toMatchObject({ name: '赵窗口', role: 'window' });
    // Hers, in her own list; and in the list of the staff member who submitted it.
    const id = submitted.body.id as string;
    expect((await call('GET', '/applications', tokens.senior)).body.applications.map((a: Json) => a.id)).toContain(id);
    expect((await call('GET', '/applications', tokens.window)).body.applications.map((a: Json) => a.id)).toEqual([id]);
    await untilStatus(id, 'handling');
  });

  it('replays every application’s history with today’s workflow code (determinism)', async () => {
    const records = await registerApplicationModel(running.pipeline.store).find({}).lean();
    expect(records.length).toBeGreaterThanOrEqual(4);
    for (const record of records) {
      const history = await running.client.workflow.getHandle(record.workflowId).fetchHistory();
      await expect(
        Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, record.workflowId),
      ).resolves.toBeUndefined();
    }
  });

  it('keeps the indicator row on every record, and the supervisor sees every matter applied for', async () => {
    const all = (await call('GET', '/applications', tokens.supervisor)).body.applications as Json[];
    expect(new Set(all.map((a) => a.matter.id))).toEqual(
      new Set([
        'home-care-service-subsidy',
        'public-rental-housing',
        'enterprise-hiring-subsidy',
        'teacher-qualification',
      ]),
    );
    const records = await registerApplicationModel(running.pipeline.store).find({}).lean();
    for (const record of records) {
      expect(Object.keys(record)).toEqual(
        expect.arrayContaining(['matter', 'department', 'submittedAt', 'fields', 'proofs']),
      );
      expect(record.key).not.toContain(senior.id);
      expect(record.workflowId).toBe(`application:${record._id}`);
    }
  });
});
