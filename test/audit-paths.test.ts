/**
 * Audit that cannot be quietly changed, on the real stack and the real code paths: two cases'
 * fact pulls, a supervisor's timeline read and unmask (over the API), an objection filed and
 * corrected (the correction, the objection's steps), the policy lifecycle's history, an impact
 * simulation, a population sweep's bulk slice, a subject's erasure and a park's scan of the
 * citizen's code (the code scans). The untouched store verifies — through
 * verifyStream and through the installed command (`node bin/applyfree.mjs audit verify`) — and
 * an altered, a deleted, two swapped and an out-of-band entry are each named with their position:
 * an unmask, an access record and a policy history entry each altered and each deleted among them.
 * The citizen's "who used my data" shows every kind of use of their data, over the API and on
 * their console page (S7, S13; abuse tests 15, 18, 29); screenshots go to test-output/console/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createCitizenService } from '../services/citizen/service.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { openCatalog } from '../services/catalog/service.js';
import { openMatters } from '../services/matters/service.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { BLOCKS, type AuditBlock } from '../store/audit-chain.js';
import { AUDIT_STREAMS, refKey, type AuditStream, type RecordRef } from '../store/audit-streams.js';
import { verifyStream, type StreamReport } from '../store/audit-verify.js';
import { testSessions, testToken } from './support/users.js';
import { sweepWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { addResident, TEST_SECRET } from './support/city.js';
import { eraseSubject } from '../services/retention/erase.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createSealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { createCertificateService } from '../services/certificates/service.js';
import { createCodeService } from '../services/codes/service.js';
import { certificateWallet } from '../services/codes/wallet.js';
import { findVerifier } from '../store/verifiers.js';
import { registerTestVerifier } from './support/verifiers.js';
import { findUser } from '../store/users.js';
import {
  checkedScreenshot,
  expectFitsScreen,
  launchConsoleBrowser,
  PHONE,
  signInAs,
} from './support/console-browser.js';
import { openObjectionApi, type ObjectionApi } from './support/objection-api.js';
import { runInstalled } from './support/run-node.js';

const stack = inject('stack');
let env: ObjectionApi;
let me: FastifyInstance;
let browser: Browser | undefined;
let meUrl: string;
let objectionId: string;
let uri: string;
const citizenTokens = { adult: '', baby: '' };
const sealKeyDir = mkdtempSync(join(tmpdir(), 'applyfree-audit-seals-'));

/** A park scans the citizen's code showing their sealed senior card (the codes' code path): a record in code_scans. */
async function scanCitizenCode(store: ObjectionApi['pipeline']['store'], citizenId: string) {
  const seals = createSealKeeper({ store, keys: fileSealKeyStore(sealKeyDir) });
  const certificates = createCertificateService({ store, seals });
  const citizen = (await findUser(store, citizenId))!;
  const { certificate } = await issueCertificate(
    { store, seals },
    {
      key: 'audit-paths:senior-card',
      type: 'senior-preferential-card',
      holder: { subjectKey: citizen.subjectKey!, displayName: citizen.name },
      fields: { birthDate: '1970-01-10', district: '东港区', entitlements: '景区免门票' },
      issuedOn: '2026-04-01',
      basis: { kind: 'grant', ref: 'audit-paths' },
    },
  );
  const codes = createCodeService({
    store,
    keys: { subjectKeySecret: TEST_SECRET },
    wallet: certificateWallet(store, certificates),
  });
  const { code } = await codes.issue(
    { id: citizen._id, name: citizen.name, role: 'citizen', subjectKey: citizen.subjectKey },
    { kind: 'certificate', certificateId: certificate.document.id },
  );
  const park = (await findVerifier(store, (await registerTestVerifier(store, TEST_SECRET)).verifier))!;
  await codes.scan(
    { id: park._id, name: park.name, kind: park.kind, matters: park.matters, keyId: park.credentials[0].keyId },
    { code, matter: 'senior-concession' },
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;
const call = async (base: string, method: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};

/** A population reading disability-living-subsidy's facts finds these eligible: the sweep's bulk write. */
const DIBAO_DISABLED = {
  'person.localHukou': true,
  'person.alive': true,
  'person.minimumLivingAllowance': true,
  'person.disabilityCertified': true,
  'person.disabilityGrade': 3,
  'person.disabilityType': 'physical',
  'person.disabilityCertifiedOn': '2026-03-01',
};

beforeAll(async () => {
  env = await openObjectionApi(stack, 'auditpaths');
  const store = env.pipeline.store;
  uri = stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${store.name}$1`);
  // The data catalog's first version, published as the API and workers do at start (a chained stream).
  await openCatalog({ store });
  // The list of matters' first version likewise (a chained stream).
  await openMatters({ store });
  for (let i = 0; i < 12; i++) await addResident(store, `1970-01-${String(i + 10).padStart(2, '0')}`, DIBAO_DISABLED);
  const baby = await addResident(store, '2026-06-01', { 'person.localHukou': true, 'person.alive': true });
  citizenTokens.baby = await testToken(store, '新生儿家长', 'citizen', { subjectKey: baby.subjectKey });
  citizenTokens.adult = env.tokens.citizen;

  // Staff read the case and reveal the identifier, over the API.
  const caseId = encodeURIComponent(env.gradeThree.caseId);
  await call(env.url, 'GET', `/cases/${caseId}/timeline`, env.tokens.supervisor);
  await call(env.url, 'POST', `/cases/${caseId}/unmask`, env.tokens.supervisor, {
    reason: '核实群众来电反映的身份信息',
  });
  // An objection to the grade, corrected by the federation: a correction and the objection's steps.
  const filed = await call(env.url, 'POST', '/objections', env.tokens.citizen, {
    caseId: env.gradeThree.caseId,
    policyId: 'severe-disability-care-subsidy',
    kind: 'data',
    fact: 'person.disabilityGrade',
    claimedValue: 2,
    statement: '我的残疾等级应为二级，系统记录为三级',
  });
  objectionId = filed.id;
  await call(env.url, 'POST', `/objections/${objectionId}/correct`, env.tokens.supervisor, {
    fact: 'person.disabilityGrade',
    value: 2,
    reason: '残联复核后更正鉴定等级',
  });
  // Applied once a second supervisor confirms it (S4).
  await call(env.url, 'POST', `/objections/${objectionId}/confirm`, env.tokens.secondSupervisor, {});
  await env.client.workflow.getHandle(filed.workflowId).result();

  // An officer's impact simulation and a population sweep: one programme-level record each.
  const lifecycle = createPolicyLifecycle(store);
  const simulations = createSimulationRunner({ store, lifecycle });
  await simulations.start({ id: 'u_wang', name: '王芳', role: 'officer' }, 'disability-living-subsidy', 1, {
    asOf: '2026-04-01',
  });
  expect((await simulations.finished('disability-living-subsidy', 1)).status).toBe('done');
  await env.client.workflow
    .start('sweep', {
      workflowId: sweepWorkflowId('disability-living-subsidy', 1, '2026-04-01'),
      taskQueue: env.pipeline.taskQueue,
      args: [{ policy: { id: 'disability-living-subsidy', version: 1 }, asOf: '2026-04-01', requestedBy: '王芳' }],
    })
    .then((handle) => handle.result());

  // A subject's personal data erased (applyfree subject erase's code path): its record in the erasures stream.
  const leaving = await addResident(store, '1985-05-05', { 'person.localHukou': true, 'person.alive': true });
  await eraseSubject(
    store,
    { subjectKeySecret: TEST_SECRET },
    { subject: leaving.id, reason: '本人申请删除个人信息', operator: '运维 李工' },
  );

  await scanCitizenCode(store, env.users.citizen);

  me = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle },
    citizen: createCitizenService({ store, temporal: env.client }),
    console: true,
    health: ALL_UP,
  });
  meUrl = await me.listen({ host: '127.0.0.1', port: 0 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await me?.close();
  await env?.close();
  rmSync(sealKeyDir, { recursive: true, force: true });
});

const verify = (stream: AuditStream, options = {}) =>
  verifyStream(env.pipeline.store, stream, { settleMs: 100, ...options });

/** `node bin/applyfree.mjs audit …` against the test's database, as an auditor runs it. */
function audit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runInstalled(['audit', ...args], { MONGODB_URI: uri });
}

/** Where the chain lists a record: its block, its place there, and its position in the stream. */
async function positionOf(stream: AuditStream, ref: unknown) {
  const blocks = env.pipeline.store.db!.collection<AuditBlock>(BLOCKS);
  let before = 0;
  for (let seq = 1; ; seq++) {
    const block = await blocks.findOne({ _id: `${stream}#${seq}` });
    if (!block) throw new Error(`${String(ref)} is not in ${stream}`);
    const index = block.ids.findIndex((id) => String(id) === String(ref));
    if (index >= 0) return { block: seq, index, position: before + index + 1 };
    before += block.ids.length;
  }
}

/** Tampers with one chained record, expects it named at its position by verifyStream and by the command, and puts it back. */
async function expectNamed(
  stream: AuditStream,
  ref: RecordRef,
  kind: 'altered' | 'deleted',
  tamper: () => Promise<unknown>,
  restore: () => Promise<unknown>,
) {
  const at = await positionOf(stream, ref);
  await tamper();
  try {
    expect((await verify(stream)).break).toMatchObject({ kind, ...at, id: refKey(ref) });
    const { code, stderr } = await audit(['verify', '--stream', stream]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${stream}: entry ${at.position} (block #${at.block}, item ${at.index}`);
    expect(stderr).toContain(`was ${kind}`);
  } finally {
    await restore();
  }
  expect((await verify(stream)).ok).toBe(true);
}

describe('the audit streams of a store the real code paths wrote', () => {
  it('verify, each with entries, through the function and through the installed command', async () => {
    const reports: StreamReport[] = [];
    for (const stream of AUDIT_STREAMS) reports.push(await verify(stream));
    for (const report of reports) {
      expect(report, report.stream).toMatchObject({ ok: true, pending: 0 });
      expect(report.entries, report.stream).toBeGreaterThan(0);
    }
    // The sweep's access records of its eligible subjects went in as one bulk block.
    const sweepRecords = await env.pipeline.store
      .db!.collection('access_records')
      .countDocuments({ caseId: sweepWorkflowId('disability-living-subsidy', 1, '2026-04-01') });
    expect(sweepRecords).toBeGreaterThanOrEqual(14);
    const blocks = await env.pipeline.store
      .db!.collection<AuditBlock>(BLOCKS)
      .find({ stream: 'access_records' } as never)
      .toArray();
    expect(Math.max(...blocks.map((block) => block.ids.length))).toBeGreaterThanOrEqual(sweepRecords);

    const { code, stdout, stderr } = await audit(['verify', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { ok: boolean; streams: StreamReport[] };
    expect(answer.ok).toBe(true);
    expect(answer.streams.map((s) => [s.stream, s.tip])).toEqual(reports.map((r) => [r.stream, r.tip]));
    // The tips kept outside the database are still the chain's.
    const kept = join(mkdtempSync(join(tmpdir(), 'audit-')), 'anchor.json');
    writeFileSync(kept, stdout);
    expect((await audit(['verify', '--anchor', kept])).code).toBe(0);
    const text = await audit(['verify', '--stream', 'unmask_log']);
    expect([text.code, text.stdout]).toEqual([
      0,
      expect.stringMatching(/✔ unmask_log +1 blocks, 1 entries · tip #1 [0-9a-f]{64}/),
    ]);
    const usage = await audit(['verify', '--stream', 'diary']);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('unknown stream "diary"')]);
  });

  it('name an altered unmask with its position (abuse 18)', async () => {
    const unmasks = env.pipeline.store.db!.collection('unmask_log');
    const reveal = (await unmasks.findOne({ caseId: env.gradeThree.caseId }))!;
    const at = await positionOf('unmask_log', reveal._id);
    await unmasks.updateOne({ _id: reveal._id }, { $set: { reason: '例行检查' } });
    try {
      expect((await verify('unmask_log')).break).toMatchObject({ kind: 'altered', ...at, id: reveal._id });
      const { code, stderr } = await audit(['verify']);
      expect(code).toBe(1);
      expect(stderr).toContain(`unmask_log: entry ${at.position} (block #${at.block}, item ${at.index}`);
      expect(stderr).toContain('was altered');
    } finally {
      await unmasks.replaceOne({ _id: reveal._id }, reveal);
    }
    expect((await verify('unmask_log')).ok).toBe(true);
  });

  it('name a deleted correction with its position', async () => {
    const corrections = env.pipeline.store.db!.collection('data_corrections');
    const correction = (await corrections.findOne({ _id: `${objectionId}:correction` } as object))!;
    const at = await positionOf('data_corrections', correction._id);
    await corrections.deleteOne({ _id: correction._id });
    try {
      expect((await verify('data_corrections')).break).toMatchObject({ kind: 'deleted', ...at });
      const { code, stderr } = await audit(['verify', '--stream', 'data_corrections']);
      expect([code, stderr]).toEqual([1, expect.stringContaining(`entry ${at.position} (block #${at.block}`)]);
      expect(stderr).toContain('was deleted');
    } finally {
      await corrections.insertOne(correction);
    }
    expect((await verify('data_corrections')).ok).toBe(true);
  });

  it('name two swapped access records: the first holds the content chained as the second (abuse 29)', async () => {
    const records = env.pipeline.store.db!.collection('access_records');
    const [a, b] = await records.find({ caseId: env.gradeThree.caseId }).limit(2).toArray();
    const [atA, atB] = [await positionOf('access_records', a._id), await positionOf('access_records', b._id)];
    const [first, second] = atA.position < atB.position ? [atA, atB] : [atB, atA];
    const { _id: idA, ...contentA } = a;
    const { _id: idB, ...contentB } = b;
    // Moved one at a time: the business key is unique too.
    await records.replaceOne({ _id: idA }, { ...contentB, key: 'moving' });
    await records.replaceOne({ _id: idB }, contentA);
    await records.updateOne({ _id: idA }, { $set: { key: contentB.key } });
    try {
      const found = (await verify('access_records')).break;
      expect(found).toMatchObject({ kind: 'reordered', ...first });
      expect(found?.message).toContain(`holds the content chained as entry ${second.position}`);
      const { code, stderr } = await audit(['verify', '--stream', 'access_records']);
      expect([code, stderr]).toEqual([1, expect.stringContaining('entries were swapped or reordered')]);
    } finally {
      await records.replaceOne({ _id: idA }, { ...contentA, key: 'moving' });
      await records.replaceOne({ _id: idB }, contentB);
      await records.updateOne({ _id: idA }, { $set: { key: contentA.key } });
    }
    expect((await verify('access_records')).ok).toBe(true);
  });

  it('name an objection step inserted out of band, and a policy history entry altered (abuse 29)', async () => {
    const objections = env.pipeline.store.db!.collection('objections');
    const step = {
      key: 'withdrawn',
      at: new Date(),
      kind: 'withdrawn',
      actor: '某人',
      summary: { zh: '撤回', en: 'withdrawn' },
    };
    const { steps } = (await objections.findOne({ _id: objectionId } as object))!;
    await objections.updateOne({ _id: objectionId } as object, { $push: { steps: step } } as never);
    try {
      expect((await verify('objection_steps')).break).toMatchObject({
        kind: 'inserted',
        id: `${objectionId}#withdrawn`,
      });
      const { code, stderr } = await audit(['verify', '--stream', 'objection_steps']);
      expect([code, stderr]).toEqual([1, expect.stringContaining(`${objectionId}#withdrawn is in no block`)]);
    } finally {
      await objections.updateOne({ _id: objectionId } as object, { $set: { steps } });
    }
    expect((await verify('objection_steps')).ok).toBe(true);

    const history = env.pipeline.store.db!.collection('policy_history');
    const simulated = (await history.findOne({ action: 'simulated' }))!;
    const at = await positionOf('policy_history', simulated._id);
    await history.updateOne({ _id: simulated._id }, { $set: { actor: '李明' } });
    try {
      expect((await verify('policy_history')).break).toMatchObject({ kind: 'altered', ...at });
    } finally {
      await history.replaceOne({ _id: simulated._id }, simulated);
    }
    expect((await verify('policy_history')).ok).toBe(true);
  });

  it('name a deleted unmask with its position (abuse 29)', async () => {
    const unmasks = env.pipeline.store.db!.collection('unmask_log');
    const reveal = (await unmasks.findOne({ caseId: env.gradeThree.caseId }))!;
    await expectNamed(
      'unmask_log',
      reveal._id,
      'deleted',
      () => unmasks.deleteOne({ _id: reveal._id }),
      () => unmasks.insertOne(reveal),
    );
  });

  it('name an altered and a deleted access record with their positions (abuse 29)', async () => {
    const records = env.pipeline.store.db!.collection('access_records');
    const [read, other] = await records.find({ caseId: env.gradeThree.caseId }).limit(2).toArray();
    await expectNamed(
      'access_records',
      read._id,
      'altered',
      () => records.updateOne({ _id: read._id }, { $set: { purposes: ['随意查看'] } }),
      () => records.replaceOne({ _id: read._id }, read),
    );
    await expectNamed(
      'access_records',
      other._id,
      'deleted',
      () => records.deleteOne({ _id: other._id }),
      () => records.insertOne(other),
    );
  });

  it('name a deleted policy history entry with its position (abuse 29)', async () => {
    const history = env.pipeline.store.db!.collection('policy_history');
    const simulated = (await history.findOne({ action: 'simulated' }))!;
    await expectNamed(
      'policy_history',
      simulated._id,
      'deleted',
      () => history.deleteOne({ _id: simulated._id }),
      () => history.insertOne(simulated),
    );
  });
});

describe("the citizen's who-used-my-data", () => {
  it('shows pulls, the sweep and simulation that read everyone, the staff read, the unmask and the correction (S7, S13) (abuse 15, abuse 18)', async () => {
    const list = (await call(meUrl, 'GET', '/me/access', citizenTokens.adult)) as Json[];
    const kinds = new Set(list.map((entry) => entry.kind));
    expect([...kinds].sort()).toEqual(['case-read', 'code-scan', 'correction', 'data-pull', 'screening', 'unmask']);
    expect(list.map((entry) => entry.at)).toEqual(
      list
        .map((entry) => entry.at)
        .sort()
        .reverse(),
    );
    expect(list.find((e) => e.kind === 'case-read')).toMatchObject({
      caseId: env.gradeThree.caseId,
      by: { name: '周督查', role: 'supervisor' },
      purposes: ['案件督查 case supervision'],
    });
    expect(list.find((e) => e.kind === 'unmask')).toMatchObject({
      caseId: env.gradeThree.caseId,
      by: { name: '周督查', role: 'supervisor' },
      reason: '核实群众来电反映的身份信息',
    });
    expect(list.find((e) => e.kind === 'correction')).toMatchObject({
      department: { zh: '市残疾人联合会' },
      fields: [{ fact: 'person.disabilityGrade', label: { zh: expect.any(String) } }],
      reason: '残联复核后更正鉴定等级',
      by: { name: '周督查', role: 'supervisor' },
    });
    const screenings = list.filter((e) => e.kind === 'screening');
    expect(screenings.map((e) => [e.programme, e.policy.id, e.asOf, e.by.name]).sort()).toEqual([
      ['simulation', 'disability-living-subsidy', '2026-04-01', '王芳'],
      ['sweep', 'disability-living-subsidy', '2026-04-01', '王芳'],
    ]);
    expect(screenings[0].fields.map((f: Json) => f.fact)).toContain('person.disabilityGrade');
    expect(screenings[0].departments.map((d: Json) => d.zh)).toContain('市残疾人联合会');
    expect(list.some((e) => e.kind === 'data-pull' && e.policy.id === 'disability-living-subsidy')).toBe(true);
    expect(JSON.stringify(list)).not.toContain(env.gradeThree.id);
  });

  it('leaves out the population reads of a date before the citizen was born', async () => {
    const list = (await call(meUrl, 'GET', '/me/access', citizenTokens.baby)) as Json[];
    expect(list.filter((entry) => entry.kind === 'screening')).toEqual([]);
  });
});

describe("the citizen's page", () => {
  it('lists each kind of use in Chinese, and in English once switched, on a phone', async () => {
    browser = await launchConsoleBrowser(stack.cacheDir);
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await signInAs(page, meUrl, citizenTokens.adult, '刘建国', '群众');
    const item = (kind: string) => page.locator(`.me-access .access-item[data-kind="${kind}"]`).first();
    await item('unmask').waitFor();
    expect(await item('case-read').innerText()).toContain('督查人员 周督查');
    expect(await item('case-read').innerText()).toContain('查阅了您的案件');
    expect(await item('unmask').innerText()).toContain('理由：核实群众来电反映的身份信息');
    expect(await item('correction').innerText()).toContain('市残疾人联合会');
    expect(await item('correction').innerText()).toContain('理由：残联复核后更正鉴定等级');
    expect(await page.locator('.me-access').innerText()).toMatch(
      /全市主动筛查：困难残疾人生活补贴[\s\S]*按 2026-04-01/,
    );
    expect(await page.locator('.me-access').innerText()).toContain('政策影响模拟：困难残疾人生活补贴');
    expect(await item('data-pull').innerText()).toContain('数据：');
    expect(await item('code-scan').innerText()).toMatch(
      /市人民公园（测试）[\s\S]*扫码核验：老年人优待核验[\s\S]*老年人优待证/,
    );
    await expectFitsScreen(page, ['.me-access .access-item[data-kind="screening"]']);
    await checkedScreenshot(page, 'citizen-access-audit', { minHeight: 1_000 });
    await page.locator('.lang-switch').click();
    await expect.poll(() => item('unmask').innerText()).toContain('revealed your full ID number');
    expect(await item('case-read').innerText()).toContain('supervisor 周督查');
    expect(await page.locator('.me-access').innerText()).toContain('Population screening: ');
    await checkedScreenshot(page, 'citizen-access-audit-en', { minHeight: 1_000 });
    await context.close();
  });
});
