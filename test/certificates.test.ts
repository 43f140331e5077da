/**
 * Electronic certificates under SM2 seals, on the real store: a certificate issued for a holder
 * lands in their wallet, downloads as the signed file and verifies through the API, naming the
 * department that vouches for it; issuing under the same key twice answers the first. One changed
 * byte, a revoked seal, a revoked certificate and an expired one each fail with their reason; a
 * rotation keeps what the old seal signed valid; a joint certificate carries two departments'
 * seals and fails when one is stripped. The offline command verifies a downloaded file with the
 * registry and the sealed revocation list saved as files, and refuses a tampered one. The
 * independent sm-crypto verifies a stored signature, and the seals' key files are of mode 0600.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import smCrypto from 'sm-crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { addDays, cityToday } from '../domain/calendar.js';
import type { SignedCertificate, VerificationResult } from '../domain/certificates.js';
import { signedPayload } from '../domain/certificate-verify.js';
import { subjectKey } from '../domain/pseudonym.js';
import { SM2_DEFAULT_USER_ID, sm2PublicKeyHex } from '../domain/sm2.js';
import { issueCertificate, type IssueRequest } from '../services/certificates/issue.js';
import { createSealKeeper, type SealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { createCertificateService } from '../services/certificates/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { runInstalled } from './support/run-node.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const SECRET = 'the-certificates-test-master-secret-of-44-ch';
const keyDir = mkdtempSync(join(tmpdir(), 'applyfree-seals-'));
const today = cityToday();
const holderKey = subjectKey('person', `370102196301150012-${run}`, SECRET);
const otherKey = subjectKey('person', `370102196301150039-${run}`, SECRET);
let store: Connection;
let seals: SealKeeper;
let api: FastifyInstance;
let citizen: string;
let other: string;
let supervisor: string;
let reviewer: string;
let officer: string;

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_certificates_${run}$1`));
  seals = createSealKeeper({ store, keys: fileSealKeyStore(join(keyDir, 'seals')) });
  citizen = await testToken(store, '张秀英', 'citizen', { subjectKey: holderKey });
  other = await testToken(store, '李四', 'citizen', { subjectKey: otherKey });
  supervisor = await testToken(store, '周督查', 'supervisor');
  reviewer = await testToken(store, '陈审核', 'reviewer');
  officer = await testToken(store, '王芳', 'officer');
  api = buildApi({
    sessions: testSessions(store),
    certificates: createCertificateService({ store, seals }),
    health: ALL_UP,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

let sequence = 0;
/** Issues a senior card (or another type) to the holder under a fresh key. */
async function issue(overrides: Partial<IssueRequest> = {}) {
  sequence += 1;
  return issueCertificate(
    { store, seals },
    {
      key: `test:${run}:${sequence}`,
      type: 'senior-preferential-card',
      holder: { subjectKey: holderKey, displayName: '张秀英' },
      fields: { birthDate: '1963-01-15', district: '德城区', entitlements: '公共交通免费乘车；景区免门票；就医优先' },
      issuedOn: today,
      basis: { kind: 'grant', ref: `grant:senior-preferential-card:${holderKey}:once` },
      ...overrides,
    },
  );
}

const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
  api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function verify(signed: unknown): Promise<VerificationResult> {
  const response = await call('POST', '/certificates/verify', undefined, signed);
  expect(response.statusCode).toBe(200);
  return response.json<VerificationResult>();
}

const codes = (result: VerificationResult) => result.failures.map((failure) => failure.code);

describe('issuing a certificate', () => {
  it('puts a sealed certificate in the holder’s wallet that verifies through the API, vouched for by civil affairs', async () => {
    const { certificate, created } = await issue();
    expect(created).toBe(true);
    expect(certificate.document.id).toMatch(/^c_[a-z2-7]{24}$/);
    expect(certificate.signatures).toEqual([
      expect.objectContaining({ department: 'civil-affairs', algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID }),
    ]);

    const wallet = await call('GET', '/me/certificates', citizen);
    expect(wallet.statusCode).toBe(200);
    expect(wallet.json()).toContainEqual(
      expect.objectContaining({
        id: certificate.document.id,
        title: { zh: '老年人优待证', en: 'Senior preferential card' },
        issuers: [{ department: 'civil-affairs', name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' } }],
        status: 'valid',
      }),
    );

    const download = await call('GET', `/me/certificates/${certificate.document.id}`, citizen);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${certificate.document.id}.json"`);
    const file = download.json<SignedCertificate>();
    expect(file).toEqual(certificate);

    const result = await verify(file);
    expect(result).toMatchObject({ valid: true, failures: [], certificateId: certificate.document.id });
    expect(result.vouchedBy).toEqual([
      {
        department: 'civil-affairs',
        name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' },
        sealId: certificate.signatures[0].sealId,
      },
    ]);
  });

  it('answers the first certificate when the same key issues again', async () => {
    const first = await issue({ key: `retry:${run}` });
    const second = await issue({ key: `retry:${run}` });
    expect(second.created).toBe(false);
    expect(second.certificate).toEqual(first.certificate);
  });

  it('shows one holder’s certificate to no one else: another citizen gets 404, staff are refused', async () => {
    const { certificate } = await issue();
    expect((await call('GET', `/me/certificates/${certificate.document.id}`, other)).statusCode).toBe(404);
    expect((await call('GET', '/me/certificates', other)).json()).toEqual([]);
    expect((await call('GET', `/me/certificates/${certificate.document.id}`, supervisor)).statusCode).toBe(403);
  });

  it('refuses a field the type does not have, and a missing one, naming it', async () => {
    await expect(issue({ fields: { birthDate: '1963-01-15', district: '德城区' } })).rejects.toMatchObject({
      code: 'INVALID_CERTIFICATE',
      field: 'fields.entitlements',
    });
    await expect(issue({ type: 'driving-licence' })).rejects.toMatchObject({ code: 'UNKNOWN_CERTIFICATE_TYPE' });
  });

  it('is verified by the independent sm-crypto from the registry’s public key', async () => {
    const { certificate } = await issue();
    const [signature] = certificate.signatures;
    const registry = (await call('GET', '/seals')).json<{ seals: Array<{ sealId: string; publicKey: string }> }>();
    const seal = registry.seals.find((entry) => entry.sealId === signature.sealId)!;
    const payload = signedPayload(certificate.document, signature).toString('utf8');
    const der = Buffer.from(signature.signature, 'base64').toString('hex');
    const options = { hash: true, der: true, userId: SM2_DEFAULT_USER_ID };
    expect(smCrypto.sm2.doVerifySignature(payload, der, sm2PublicKeyHex(seal.publicKey), options)).toBe(true);
    expect(smCrypto.sm2.doVerifySignature(`${payload} `, der, sm2PublicKeyHex(seal.publicKey), options)).toBe(false);
  });

  it('keeps each seal’s private key in a file of mode 0600', () => {
    const files = readdirSync(join(keyDir, 'seals'));
    expect(files.length).toBeGreaterThan(0);
    expect(statSync(join(keyDir, 'seals')).mode & 0o777).toBe(0o700);
    for (const file of files) expect(statSync(join(keyDir, 'seals', file)).mode & 0o777, file).toBe(0o600);
  });
});

describe('verifying a certificate', () => {
  it('fails one changed byte with BAD_SIGNATURE', async () => {
    const { certificate } = await issue();
    const changed = structuredClone(certificate);
    changed.document.fields.district = '德城区'.replace('德', '陵');
    const result = await verify(changed);
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['BAD_SIGNATURE']);
    expect(result.vouchedBy).toEqual([]);
    expect(result.failures[0].message.zh).toContain('签名与证照内容不符');
  });

  it('fails a revoked certificate with CERTIFICATE_REVOKED, in the wallet and the revocation list too', async () => {
    const { certificate } = await issue();
    const id = certificate.document.id;
    expect((await call('POST', `/certificates/${id}/revoke`, officer, { reason: '错发' })).statusCode).toBe(403);
    const revoked = await call('POST', `/certificates/${id}/revoke`, supervisor, { reason: '信息有误，已重新制发' });
    expect(revoked.statusCode).toBe(200);
    expect(codes(await verify(certificate))).toEqual(['CERTIFICATE_REVOKED']);
    const list = (await call('GET', '/certificates/revocations')).json<{ revocations: Array<{ id: string }> }>();
    expect(list.revocations.map((entry) => entry.id)).toContain(id);
    const wallet = (await call('GET', '/me/certificates', citizen)).json<Array<{ id: string; status: string }>>();
    expect(wallet.find((entry) => entry.id === id)?.status).toBe('revoked');
  });

  it('fails an expired certificate with EXPIRED', async () => {
    const { certificate } = await issue({
      type: 'school-enrollment-notice',
      fields: { school: '德州市实验小学', grade: '一年级', reportOn: addDays(today, -700), district: '德城区' },
      issuedOn: addDays(today, -730),
      basis: { kind: 'enrollment', ref: `enrollment:${run}` },
    });
    expect(certificate.document.validUntil! < today).toBe(true);
    expect(codes(await verify(certificate))).toEqual(['EXPIRED']);
  });

  it('answers the verification link with the type, issuers, dates and the holder’s name masked', async () => {
    const { certificate } = await issue();
    const response = await call('GET', `/certificates/${certificate.document.id}/verification`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.result.valid).toBe(true);
    expect(body.certificate).toEqual({
      id: certificate.document.id,
      type: 'senior-preferential-card',
      title: { zh: '老年人优待证', en: 'Senior preferential card' },
      issuers: [{ department: 'civil-affairs', name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' } }],
      issuedOn: today,
      holder: '张**',
    });
    expect(JSON.stringify(body)).not.toContain(holderKey);
    expect(JSON.stringify(body)).not.toContain('1963');
  });
});

describe('seals', () => {
  it('keep what a rotated seal signed valid, and sign anew with the new one', async () => {
    const before = await issue();
    expect((await call('POST', '/seals/civil-affairs/rotate', supervisor)).statusCode).toBe(403);
    const rotated = await call('POST', '/seals/civil-affairs/rotate', reviewer);
    expect(rotated.statusCode).toBe(200);
    const { active, retired } = rotated.json();
    expect(retired).toMatchObject({ sealId: before.certificate.signatures[0].sealId, status: 'retired' });
    expect(active).toMatchObject({ status: 'active', rotatedFrom: retired.sealId });
    expect((await verify(before.certificate)).valid).toBe(true);
    const after = await issue();
    expect(after.certificate.signatures[0].sealId).toBe(active.sealId);
    expect((await verify(after.certificate)).valid).toBe(true);
  });

  it('fail everything a revoked seal signed with SEAL_REVOKED, and the store’s certificates are re-sealed', async () => {
    const { certificate } = await issue({
      type: 'school-enrollment-notice',
      fields: { school: '德州市实验小学', grade: '一年级', reportOn: addDays(today, 60), district: '德城区' },
      basis: { kind: 'enrollment', ref: `enrollment:${run}:2` },
    });
    const sealId = certificate.signatures[0].sealId;
    const revoked = await call('POST', `/seals/${sealId}/revoke`, reviewer, { reason: '私钥疑似泄露' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ sealId, status: 'revoked', revocationReason: '私钥疑似泄露' });
    expect(codes(await verify(certificate))).toEqual(['SEAL_REVOKED']);
    // The store's own copy is re-sealed by the department's new seal: the wallet and the link answer valid again.
    expect(revoked.json().resealed).toBeGreaterThanOrEqual(1);
    const link = (await call('GET', `/certificates/${certificate.document.id}/verification`)).json();
    expect(link.result).toMatchObject({ valid: true, failures: [] });
    expect(link.result.vouchedBy[0].sealId).not.toBe(sealId);
    const again = (await call('GET', `/me/certificates/${certificate.document.id}`, citizen)).json<SignedCertificate>();
    expect(again.document).toEqual(certificate.document);
    expect((await verify(again)).valid).toBe(true);
    // The department signs again at once, with a new seal.
    const next = await issue({
      type: 'school-enrollment-notice',
      fields: { school: '德州市实验小学', grade: '一年级', reportOn: addDays(today, 60), district: '德城区' },
      basis: { kind: 'enrollment', ref: `enrollment:${run}:3` },
    });
    expect(next.certificate.signatures[0].sealId).not.toBe(sealId);
    expect((await verify(next.certificate)).valid).toBe(true);
  });

  it('seal a joint certificate with two departments, which fails with MISSING_SEAL when one is stripped', async () => {
    const { certificate } = await issue({
      type: 'disability-subsidy-certificate',
      fields: { subsidies: '困难残疾人生活补贴；重度残疾人护理补贴', disabilityGrade: '二级', from: today },
      basis: { kind: 'grant', ref: `grant:disability:${run}` },
    });
    expect(certificate.signatures.map((signature) => signature.department)).toEqual([
      'civil-affairs',
      'disabled-persons-federation',
    ]);
    const result = await verify(certificate);
    expect(result.valid).toBe(true);
    expect(result.vouchedBy.map((entry) => entry.department)).toEqual(['civil-affairs', 'disabled-persons-federation']);
    const stripped = { ...certificate, signatures: certificate.signatures.slice(0, 1) };
    const failed = await verify(stripped);
    expect(codes(failed)).toEqual(['MISSING_SEAL']);
    expect(failed.failures[0].message.en).toContain('disabled-persons-federation');
  });

  it('fail a signature by a seal the registry does not hold with UNKNOWN_SEAL', async () => {
    const { certificate } = await issue();
    const forged = structuredClone(certificate);
    forged.signatures[0].sealId = 'civil-affairs-000000000000';
    expect(codes(await verify(forged))).toEqual(['UNKNOWN_SEAL']);
  });

  it('publish the registry with every seal’s public key and status', async () => {
    const registry = (await call('GET', '/seals')).json<{ format: string; seals: Array<{ status: string }> }>();
    expect(registry.format).toBe('applyfree-seal-registry/1');
    expect(new Set(registry.seals.map((seal) => seal.status))).toEqual(new Set(['active', 'retired', 'revoked']));
  });
});

describe('the offline command, applyfree certificate verify', () => {
  /** Saves the downloaded certificate, the registry and the revocation list as files, as an outside verifier would. */
  async function saveFiles(id: string, certificate: unknown) {
    const dir = mkdtempSync(join(keyDir, 'offline-'));
    const files = {
      certificate: join(dir, `${id}.json`),
      registry: join(dir, 'seals.json'),
      revocations: join(dir, 'revocations.json'),
    };
    writeFileSync(files.certificate, JSON.stringify(certificate));
    writeFileSync(files.registry, (await call('GET', '/seals')).body);
    writeFileSync(files.revocations, (await call('GET', '/certificates/revocations')).body);
    return files;
  }
  /** No API: the command must not need one. */
  const offline = { APPLYFREE_API_URL: 'http://127.0.0.1:9' };
  const verifyOffline = (files: Awaited<ReturnType<typeof saveFiles>>, certificate = files.certificate) =>
    runInstalled(
      ['certificate', 'verify', certificate, '--registry', files.registry, '--revocations', files.revocations],
      offline,
    );

  it('verifies a downloaded file with the registry’s public keys (exit 0) and refuses a tampered one (exit 1)', async () => {
    const { certificate } = await issue();
    const id = certificate.document.id;
    const download = await call('GET', `/me/certificates/${id}`, citizen);
    const files = await saveFiles(id, download.json());

    const valid = await verifyOffline(files);
    expect(valid.stderr).toBe('');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain(`valid · 有效: certificate 证照 ${id}`);
    expect(valid.stdout).toContain('vouched for by 签章部门 市民政局 · Municipal Civil Affairs Bureau');

    const tampered = join(files.certificate.replace(/[^/]+$/, ''), 'tampered.json');
    writeFileSync(tampered, download.body.replace('德城区', '陵城区'));
    const refused = await verifyOffline(files, tampered);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('INVALID · 无效');
    expect(refused.stdout).toMatch(/BAD_SIGNATURE: .*签名与证照内容不符.* · .*does not match the certificate/);

    const json = await runInstalled(
      ['certificate', 'verify', tampered, '--registry', files.registry, '--revocations', files.revocations, '--json'],
      offline,
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, failures: [{ code: 'BAD_SIGNATURE' }] });
  });

  it('refuses a certificate the sealed revocation list names, and a revocation list that was changed', async () => {
    const { certificate } = await issue();
    const id = certificate.document.id;
    await call('POST', `/certificates/${id}/revoke`, supervisor, { reason: '持证人信息变更' });
    const files = await saveFiles(id, certificate);
    const revoked = await verifyOffline(files);
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toContain('CERTIFICATE_REVOKED');

    // Dropping the certificate from the list breaks the list's seal: the command refuses the list.
    const list = JSON.parse((await call('GET', '/certificates/revocations')).body);
    list.revocations = list.revocations.filter((entry: { id: string }) => entry.id !== id);
    writeFileSync(files.revocations, JSON.stringify(list));
    const changed = await verifyOffline(files);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('its seal does not verify against the registry');
  });

  it('reads the registry and the revocation list from the API by default, and reviewers manage seals with applyfree seal', async () => {
    const { certificate } = await issue();
    const address = await api.listen({ host: '127.0.0.1', port: 0 });
    const dir = mkdtempSync(join(keyDir, 'online-'));
    const file = join(dir, `${certificate.document.id}.json`);
    writeFileSync(file, JSON.stringify(certificate));
    const online = await runInstalled(['certificate', 'verify', file], { APPLYFREE_API_URL: address });
    expect(online.code).toBe(0);
    expect(online.stdout).toContain('valid · 有效');
    expect(online.stdout).not.toContain('未核对撤销列表');

    const list = await runInstalled(['seal', 'list', '--json'], { APPLYFREE_API_URL: address });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).seals).toContainEqual(expect.objectContaining({ department: 'civil-affairs' }));
    const refused = await runInstalled(['seal', 'rotate', 'civil-affairs'], {
      APPLYFREE_API_URL: address,
      APPLYFREE_TOKEN: officer,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FORBIDDEN_ROLE');
    const rotated = await runInstalled(['seal', 'rotate', 'civil-affairs'], {
      APPLYFREE_API_URL: address,
      APPLYFREE_TOKEN: reviewer,
    });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^active 启用: civil-affairs-[0-9a-f]{12}\s+active/m);
    expect(rotated.stdout).toContain(`retired 停用: ${certificate.signatures[0].sealId}`);
  });

  it('answers a missing file argument with its usage and exit 2', async () => {
    const usage = await runInstalled(['certificate', 'verify'], offline);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: applyfree certificate verify FILE');
  });
});
