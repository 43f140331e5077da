/**
 * Certificates the workflows issue, on the real stack (Temporal's time-skipping server, FerretDB):
 * a 60th birthday offered the senior card and confirmed yields a sealed card and a decision letter
 * in the holder's wallet; the card verifies through the API, offline through the installed command
 * and with the independent sm-crypto; its PDF carries the Chinese text and a QR code whose link
 * answers valid. A resident refused the card gets a refusal letter naming the condition and how to
 * object. A replayed case issues nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import smCrypto from 'sm-crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import type { SignedCertificate } from '../domain/certificates.js';
import { signedPayload } from '../domain/certificate-verify.js';
import { sm2PublicKeyHex, SM2_DEFAULT_USER_ID } from '../domain/sm2.js';
import { issueGrantCertificates } from '../services/certificates/on-decision.js';
import { createCertificateService } from '../services/certificates/service.js';
import { confirmOfferSignal, type LifeEventInput } from '../workflows/contracts/index.js';
import { lifeEvent } from '../workflows/life-event.js';
import { ALL_UP } from './support/all-up.js';
import { addResident } from './support/city.js';
import type { Pipeline } from './support/pipeline.js';
import { runInstalled } from './support/run-node.js';
import { openTimeSkippingPipeline, type TimeSkippingPipeline } from './support/time-skipping-pipeline.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
const CARD = 'senior-preferential-card';
let harness: TimeSkippingPipeline;
let env: TestWorkflowEnvironment;
let pipeline: Pipeline;
let api: FastifyInstance;
const files = mkdtempSync(join(tmpdir(), 'applyfree-issued-'));

interface WalletEntry {
  id: string;
  type: string;
  title: { zh: string; en: string };
  issuers: Array<{ department: string }>;
  status: string;
}

beforeAll(async () => {
  harness = await openTimeSkippingPipeline(stack, 'certissued', { seals: true });
  ({ env, pipeline } = harness);
  api = buildApi({
    sessions: testSessions(pipeline.store),
    certificates: createCertificateService({ store: pipeline.store, seals: pipeline.seals! }),
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await harness?.close();
  rmSync(files, { recursive: true, force: true });
});

async function runCase(subjectKey: string, eventDate: string, policyId = CARD) {
  const caseId = `life-event:test-${randomUUID()}`;
  const input: LifeEventInput = { caseId, eventType: 'age.milestone', subjectKey, subjectKind: 'person', eventDate };
  const result = await env.client.workflow.execute(lifeEvent, {
    workflowId: input.caseId,
    taskQueue: pipeline.taskQueue,
    args: [input],
  });
  return result.decisions.find((decision) => decision.policy.id === policyId)!;
}

const get = (url: string, token?: string) =>
  api.inject({ method: 'GET', url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });

const walletOf = async (token: string) => (await get('/me/certificates', token)).json<WalletEntry[]>();

async function pdfText(pdf: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(pdf) }).promise;
  const page = await document.getPage(1);
  const content = await page.getTextContent();
  return content.items.map((item) => ('str' in item ? item.str : '')).join('');
}

describe('certificates issued by the case workflows', () => {
  it('seals the senior card and its decision letter when the citizen confirms, and nothing twice', async () => {
    const senior = await addResident(pipeline.store, '1966-03-14', { 'person.localHukou': true, 'person.alive': true });
    const token = await testToken(pipeline.store, '张秀英', 'citizen', { subjectKey: senior.subjectKey });
    const decided = await runCase(senior.subjectKey, '2026-03-14');
    expect([decided.outcome, decided.action]).toEqual(['eligible', 'offered']);
    // Offered, not granted: nothing sealed yet.
    expect(await walletOf(token)).toEqual([]);

    const offer = env.client.workflow.getHandle(decided.benefitWorkflowId!);
    await offer.signal(confirmOfferSignal);
    expect(await offer.result()).toMatchObject({ status: 'confirmed', grantCreated: true });

    const wallet = await walletOf(token);
    expect(wallet.map((entry) => [entry.type, entry.status, entry.issuers.map((i) => i.department)]).sort()).toEqual([
      ['decision-letter', 'valid', ['health-commission']],
      [CARD, 'valid', ['health-commission']],
    ]);
    const card = wallet.find((entry) => entry.type === CARD)!;
    const signed = (await get(`/me/certificates/${card.id}`, token)).json<SignedCertificate>();
    expect(signed.document).toMatchObject({
      holder: { subjectKey: senior.subjectKey, kind: 'person' },
      fields: { birthDate: '1966-03-14', entitlements: expect.stringContaining('公共交通') },
      basis: { kind: 'grant' },
    });

    // Through the API.
    const verified = await api.inject({ method: 'POST', url: '/certificates/verify', payload: signed });
    expect(verified.json()).toMatchObject({
      valid: true,
      failures: [],
      vouchedBy: [{ department: 'health-commission' }],
    });

    // With the independent SM2 implementation, from the registry's public key.
    const registry = (await get('/seals')).json<{ seals: Array<{ sealId: string; publicKey: string }> }>();
    const [signature] = signed.signatures;
    const seal = registry.seals.find((entry) => entry.sealId === signature.sealId)!;
    const payload = signedPayload(signed.document, signature).toString('utf8');
    const der = Buffer.from(signature.signature, 'base64').toString('hex');
    const options = { hash: true, der: true, userId: SM2_DEFAULT_USER_ID };
    expect(smCrypto.sm2.doVerifySignature(payload, der, sm2PublicKeyHex(seal.publicKey), options)).toBe(true);

    // Offline, through the installed command, with the registry and revocation list saved as files.
    const paths = {
      card: join(files, `${card.id}.json`),
      seals: join(files, 'seals.json'),
      revoked: join(files, 'r.json'),
    };
    writeFileSync(paths.card, JSON.stringify(signed));
    // The revocation list first: the registry saved after it holds the seal that sealed it.
    writeFileSync(paths.revoked, (await get('/certificates/revocations')).body);
    writeFileSync(paths.seals, (await get('/seals')).body);
    const offline = await runInstalled(
      ['certificate', 'verify', paths.card, '--registry', paths.seals, '--revocations', paths.revoked],
      { APPLYFREE_API_URL: 'http://127.0.0.1:9' },
    );
    expect(offline.stderr).toBe('');
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(`valid · 有效: certificate 证照 ${card.id}`);

    // The grant's activity retried after a crash issues under the same keys: nothing more.
    const grant = (await pipeline.models.Grant.findOne({ subjectKey: senior.subjectKey, 'policy.id': CARD }).lean())!;
    const again = await issueGrantCertificates({ store: pipeline.store, seals: pipeline.seals! }, grant.key, {
      subjectKey: senior.subjectKey,
      policy: (await pipeline.policies.version(CARD, grant.policy.version))!,
      decision: { asOf: '2026-03-14', period: 'once' },
      facts: { 'person.birthDate': '1966-03-14' },
      issuedOn: '2026-03-14',
    });
    expect(again.sort()).toEqual(wallet.map((entry) => entry.id).sort());
    expect(await walletOf(token)).toHaveLength(2);
  });

  it('renders the card as a PDF in Chinese whose QR link answers valid', async () => {
    const senior = await addResident(pipeline.store, '1966-04-02', { 'person.localHukou': true, 'person.alive': true });
    const token = await testToken(pipeline.store, '李桂兰', 'citizen', { subjectKey: senior.subjectKey });
    const decided = await runCase(senior.subjectKey, '2026-04-02');
    const offer = env.client.workflow.getHandle(decided.benefitWorkflowId!);
    await offer.signal(confirmOfferSignal);
    await offer.result();
    const card = (await walletOf(token)).find((entry) => entry.type === CARD)!;

    const response = await get(`/me/certificates/${card.id}/pdf`, token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(response.rawPayload);
    expect(text).toContain('老年人优待证');
    expect(text).toContain('市卫生健康委员会');
    expect(text).toContain(card.id);
    const link = new URL(/https?:\/\/\S+\/certificates\/c_[a-z2-7]{24}\/verification/.exec(text)![0]);
    const answer = await get(link.pathname);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ result: { valid: true }, certificate: { id: card.id, type: CARD } });
    // Another citizen cannot have it.
    const other = await testToken(pipeline.store, '王五', 'citizen', {
      subjectKey: (await addResident(pipeline.store, '1980-01-01', {})).subjectKey,
    });
    expect((await get(`/me/certificates/${card.id}/pdf`, other)).statusCode).toBe(404);
  });

  it('seals a refusal letter naming the unmet condition and how to object', async () => {
    const outsider = await addResident(pipeline.store, '1966-05-20', {
      'person.localHukou': false,
      'person.alive': true,
    });
    const token = await testToken(pipeline.store, '赵六', 'citizen', { subjectKey: outsider.subjectKey });
    const decided = await runCase(outsider.subjectKey, '2026-05-20');
    expect(decided.outcome).toBe('ineligible');
    // One letter: the old-age allowance (from 80) and school enrollment (at 6) the birthday also
    // reached refused nothing, the subject being outside their target group.
    const wallet = await walletOf(token);
    expect(wallet).toHaveLength(1);
    const [letter] = wallet;
    expect(letter).toMatchObject({
      about: { matter: '老年人优待证', outcome: '不予' },
      type: 'decision-letter',
      status: 'valid',
      issuers: [{ department: 'health-commission' }],
    });
    const signed = (await get(`/me/certificates/${letter.id}`, token)).json<SignedCertificate>();
    expect(signed.document.fields).toMatchObject({
      policyTitle: '老年人优待证',
      outcome: '不予',
      decidedOn: '2026-05-20',
      reasons: expect.stringMatching(/^不符合：.*户籍/),
      remedy: expect.stringContaining('异议'),
    });
    expect(signed.document.basis).toEqual({ kind: 'decision', ref: expect.stringContaining(':decision:') });
    expect((await api.inject({ method: 'POST', url: '/certificates/verify', payload: signed })).json().valid).toBe(
      true,
    );
  });

  it('seals the school enrollment notice, by the education bureau, when the family confirms the place', async () => {
    const child = await addResident(pipeline.store, '2020-05-10', {
      'person.localHukou': true,
      'person.schoolEnrolled': false,
    });
    const token = await testToken(pipeline.store, '刘小明', 'citizen', { subjectKey: child.subjectKey });
    const decided = await runCase(child.subjectKey, '2026-05-10', 'compulsory-school-enrollment');
    expect([decided.outcome, decided.action]).toEqual(['eligible', 'offered']);
    const offer = env.client.workflow.getHandle(decided.benefitWorkflowId!);
    await offer.signal(confirmOfferSignal);
    await offer.result();

    const notice = (await walletOf(token)).find((entry) => entry.type === 'school-enrollment-notice')!;
    expect(notice).toMatchObject({ status: 'valid', issuers: [{ department: 'education-bureau' }] });
    const signed = (await get(`/me/certificates/${notice.id}`, token)).json<SignedCertificate>();
    expect(signed.document).toMatchObject({
      fields: { grade: '一年级', reportOn: '2026-09-01', school: expect.stringContaining('就近入学') },
      basis: { kind: 'enrollment' },
      validUntil: expect.stringMatching(/^2027-/),
    });
  });
});
