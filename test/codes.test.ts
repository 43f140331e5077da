/**
 * The resident and enterprise codes on the real store and Redis: a holder with a sealed senior card
 * and a decision letter shows a code; a park registered for the senior concession scans it and
 * sees only the chosen card — the concession's fields, the birth date masked to its year, the name
 * to its first character, civil affairs vouching — and nothing of the letter. The same code scanned
 * again is REPLAYED (also when two scans race), one scanned after its minute EXPIRED (the service's
 * clock moved, no sleeping), one with a character changed TAMPERED; a matter the verifier is not
 * registered for is MATTER_NOT_ALLOWED and a code showing what the matter may not see NOT_SHOWN —
 * neither spends the code. A claim answers yes or no and nothing else, no once the card is revoked.
 * A firm's staff member shows the enterprise code. The holder sees every scan in "who used my
 * data", by verifier, matter and time; no token, URL or stored record carries a raw identifier or
 * the subject key, and the scans are hash-chained.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cityToday } from '../domain/calendar.js';
import type { SignedCertificate } from '../domain/certificates.js';
import { CODE_TOKEN_PATTERN } from '../domain/codes.js';
import { makeCreditCode, makeResidentId } from '../domain/identity.js';
import { subjectKey } from '../domain/pseudonym.js';
import type { VerifierCredential } from '../domain/verifier-signature.js';
import { issueCertificate, type IssueRequest } from '../services/certificates/issue.js';
import { createSealKeeper, type SealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import type { IssuedCode } from '../services/codes/service.js';
import type { ScanResult } from '../services/codes/reveal.js';
import { verifyStream } from '../store/audit-verify.js';
import { revokeCertificateRecord } from '../store/certificates.js';
import { connectStore } from '../store/connection.js';
import { revokeVerifierCredential } from '../store/verifiers.js';
import { identifiersIn } from './support/histories.js';
import { connectClient } from './support/temporal.js';
import { testToken } from './support/users.js';
import { registerTestVerifier, scanSigned, testWalletApi } from './support/verifiers.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const SECRET = 'the-codes-test-master-secret-of-forty-chars';
const keyDir = mkdtempSync(join(tmpdir(), 'applyfree-codes-seals-'));
const today = cityToday();
const residentId = makeResidentId('371402', '1963-01-15', 41, 'female');
const holderKey = subjectKey('person', residentId, SECRET);
const otherKey = subjectKey('person', makeResidentId('371402', '1958-06-01', 43, 'male'), SECRET);
const firmKey = subjectKey('enterprise', makeCreditCode('371402', 4711), SECRET);

let store: Connection;
let temporal: Client;
let seals: SealKeeper;
let api: FastifyInstance;
let closeApi: () => Promise<void>;
/** The service's clock runs this far ahead of the real one: a test moves it past a code's minute. */
let clockAheadMs = 0;
let holder: string;
let firm: string;
let park: VerifierCredential;
let bank: VerifierCredential;
let card: SignedCertificate;
let letter: SignedCertificate;
let othersCard: SignedCertificate;

let sequence = 0;
/** Issues a certificate to a holder under a fresh key, sealed by the registry's seals. */
async function issue(request: Partial<IssueRequest> & Pick<IssueRequest, 'type' | 'fields'>) {
  sequence += 1;
  const { certificate } = await issueCertificate(
    { store, seals },
    {
      key: `codes-test:${run}:${sequence}`,
      holder: { subjectKey: holderKey, displayName: '张秀英' },
      issuedOn: today,
      basis: { kind: 'grant', ref: `grant:${run}:${sequence}` },
      ...request,
    },
  );
  return certificate;
}

const SENIOR_CARD = {
  type: 'senior-preferential-card',
  fields: { birthDate: '1963-01-15', district: '德城区', entitlements: '公共交通免费乘车；景区免门票' },
};

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_codes_${run}$1`));
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  seals = createSealKeeper({ store, keys: fileSealKeyStore(join(keyDir, 'seals')) });
  card = await issue(SENIOR_CARD);
  letter = await issue({
    type: 'decision-letter',
    fields: {
      policyTitle: '高龄津贴',
      outcome: '准予',
      decidedOn: today,
      amount: '100.00 元',
      reasons: '年满80周岁',
      reference: '市民政局高龄津贴办法第三条',
    },
    basis: { kind: 'decision', ref: `decision:${run}` },
    departments: ['civil-affairs'],
  });
  othersCard = await issue({ ...SENIOR_CARD, holder: { subjectKey: otherKey, displayName: '王五' } });
  holder = await testToken(store, '张秀英', 'citizen', { subjectKey: holderKey });
  firm = await testToken(store, '赵经办（日照港务）', 'citizen', { subjectKey: firmKey });
  park = await registerTestVerifier(store, SECRET);
  bank = await registerTestVerifier(store, SECRET, {
    id: `bank-${run}`,
    name: { zh: '日照银行（测试）', en: 'Bank of Rizhao (test)' },
    matters: ['benefit-decision'],
  });
  ({ api, close: closeApi } = testWalletApi(
    stack.redisUrl,
    { store, temporal, seals, master: SECRET },
    { now: () => new Date(Date.now() + clockAheadMs) },
  ));
  await api.ready();
});

afterAll(async () => {
  await closeApi?.();
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

/** The holder (or the firm's staff member) asks for a code. */
async function showCode(token: string, show: object) {
  const response = await api.inject({
    method: 'POST',
    url: '/me/codes',
    headers: { authorization: `Bearer ${token}` },
    payload: { show },
  });
  return { status: response.statusCode, json: response.json<IssuedCode & { code: string; field?: string }>() };
}

async function codeFor(show: object, token = holder): Promise<string> {
  const { status, json } = await showCode(token, show);
  expect(status).toBe(200);
  return json.code;
}

const showCard = () => codeFor({ kind: 'certificate', certificateId: card.document.id });

/** A refusal as the verifier's app reads it: status, code, the field at fault, both languages. */
function expectRefusal(answer: Awaited<ReturnType<typeof scanSigned>>, status: number, code: string, field: string) {
  expect(answer.status).toBe(status);
  expect(answer.json).toMatchObject({ code, field });
  expect(answer.json.message).toEqual(expect.any(String));
  expect(answer.json.messageZh).toMatch(/[\u4e00-\u9fff]/);
}

describe('a holder’s code scanned by a registered verifier', () => {
  it('shows the park only the chosen card: the concession’s fields, the birth year, the name masked, civil affairs vouching', async () => {
    const issued = await showCode(holder, { kind: 'certificate', certificateId: card.document.id });
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({
      holderKind: 'person',
      validitySeconds: 60,
      shows: { kind: 'certificate', certificate: { id: card.document.id, type: 'senior-preferential-card' } },
    });
    expect(issued.json.code).toMatch(CODE_TOKEN_PATTERN);

    const scan = await scanSigned(api, park, { code: issued.json.code, matter: 'senior-concession' });
    expect(scan.status).toBe(200);
    const result = scan.json as unknown as ScanResult;
    expect(result).toMatchObject({
      matter: { id: 'senior-concession', title: { zh: '老年人优待核验' } },
      holderKind: 'person',
      shows: 'certificate',
      certificate: {
        id: card.document.id,
        type: 'senior-preferential-card',
        title: { zh: '老年人优待证' },
        holder: { kind: 'person', displayName: '张**' },
        issuers: [{ department: 'health-commission' }],
        issuedOn: today,
        status: {
          valid: true,
          failures: [],
          vouchedBy: [expect.objectContaining({ department: 'health-commission' })],
        },
      },
    });
    expect(result.certificate!.fields).toEqual([
      { key: 'birthDate', label: { zh: '出生日期', en: 'Date of birth' }, value: '1963-**-**', masked: true },
      { key: 'entitlements', label: expect.any(Object), value: '公共交通免费乘车；景区免门票' },
    ]);
    expect(result.claim).toBeUndefined();
    // Nothing else of the holder: not the district, the letter, the full name or birth date, the key.
    for (const absent of ['德城区', letter.document.id, '张秀英', '1963-01-15', holderKey, residentId])
      expect(scan.text).not.toContain(absent);
  });

  it('refuses the same code a second time as replayed, naming the code', async () => {
    const code = await showCard();
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
    expectRefusal(await scanSigned(api, park, { code, matter: 'senior-concession' }), 409, 'REPLAYED', 'code');
    expectRefusal(await scanSigned(api, bank, { code, matter: 'benefit-decision' }), 409, 'REPLAYED', 'code');
  });

  it('lets one of two scans racing on a code through, and refuses the other as replayed', async () => {
    const code = await showCard();
    const answers = await Promise.all([
      scanSigned(api, park, { code, matter: 'senior-concession' }),
      scanSigned(api, park, { code, matter: 'senior-concession' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
  });

  it('refuses a code scanned after its minute as expired, and a fresh one scans', async () => {
    const code = await showCard();
    clockAheadMs = 61_000;
    try {
      expectRefusal(await scanSigned(api, park, { code, matter: 'senior-concession' }), 422, 'EXPIRED', 'code');
    } finally {
      clockAheadMs = 0;
    }
    expect((await scanSigned(api, park, { code: await showCard(), matter: 'senior-concession' })).status).toBe(200);
  });

  it('refuses a code with one character changed as tampered, and the code itself still scans once', async () => {
    const code = await showCard();
    const at = code.length - 5;
    const altered = code.slice(0, at) + (code[at] === 'A' ? 'B' : 'A') + code.slice(at + 1);
    expectRefusal(await scanSigned(api, park, { code: altered, matter: 'senior-concession' }), 400, 'TAMPERED', 'code');
    const madeUp = `AFC1.${'A'.repeat(26)}.${'B'.repeat(26)}`;
    expectRefusal(await scanSigned(api, park, { code: madeUp, matter: 'senior-concession' }), 400, 'TAMPERED', 'code');
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
  });

  it('refuses a matter the verifier is not registered for, and the code stays good for one it may check', async () => {
    const code = await showCard();
    const refused = await scanSigned(api, park, { code, matter: 'benefit-decision' });
    expectRefusal(refused, 403, 'MATTER_NOT_ALLOWED', 'matter');
    expect(refused.text).not.toContain(card.document.id);
    expectRefusal(await scanSigned(api, park, { code, matter: 'no-such-matter' }), 400, 'UNKNOWN_MATTER', 'matter');
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
  });

  it('refuses, unspent, a code showing what the matter may not see: the letter to the park; the bank reads it', async () => {
    const code = await codeFor({ kind: 'certificate', certificateId: letter.document.id });
    const refused = await scanSigned(api, park, { code, matter: 'senior-concession' });
    expectRefusal(refused, 403, 'NOT_SHOWN', 'matter');
    expect(refused.text).not.toContain(letter.document.id);
    const read = await scanSigned(api, bank, { code, matter: 'benefit-decision' });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      shows: 'certificate',
      certificate: { id: letter.document.id, type: 'decision-letter' },
    });
    // The letter's amount is no sensitive field: the bank, checking the decision, reads it.
    expect((read.json as unknown as ScanResult).certificate!.fields).toContainEqual(
      expect.objectContaining({ key: 'amount', value: '100.00 元' }),
    );
  });

  it('answers a claim yes or no and nothing else, and no once the card is revoked', async () => {
    const show = { kind: 'claim', claim: 'holds-valid-certificate', certificateType: 'senior-preferential-card' };
    const issued = await showCode(holder, show);
    expect(issued.json.shows).toEqual({
      kind: 'claim',
      claim: {
        id: 'holds-valid-certificate',
        certificateType: 'senior-preferential-card',
        statement: { zh: '持有有效的老年人优待证', en: 'holds a valid Senior preferential card' },
      },
    });
    const yes = await scanSigned(api, park, { code: issued.json.code, matter: 'senior-concession' });
    expect(yes.status).toBe(200);
    expect(yes.json).toEqual({
      matter: { id: 'senior-concession', title: { zh: '老年人优待核验', en: 'senior concession check' } },
      holderKind: 'person',
      scannedAt: expect.any(String),
      shows: 'claim',
      claim: {
        id: 'holds-valid-certificate',
        certificateType: 'senior-preferential-card',
        statement: { zh: '持有有效的老年人优待证', en: 'holds a valid Senior preferential card' },
        answer: true,
      },
    });
    expect(yes.text).not.toContain(card.document.id);

    const second = await issue(SENIOR_CARD);
    for (const held of [card, second])
      await revokeCertificateRecord(store, held.document.id, { at: new Date(), reason: '测试撤销', by: 'u_test' });
    try {
      const no = await scanSigned(api, park, { code: await codeFor(show), matter: 'senior-concession' });
      expect(no.json).toMatchObject({ shows: 'claim', claim: { answer: false } });
    } finally {
      await store.db!.collection('certificates').updateOne({ _id: card.document.id } as object, {
        $unset: { revokedAt: '', revocationReason: '', revokedBy: '' },
      });
    }
  });

  it('lets no one show another’s certificate, nor a claim that is not one', async () => {
    const others = await showCode(holder, { kind: 'certificate', certificateId: othersCard.document.id });
    expect(others.status).toBe(404);
    expect(others.json).toMatchObject({ code: 'CERTIFICATE_NOT_FOUND', field: 'show.certificateId' });
    const unknown = await showCode(holder, {
      kind: 'claim',
      claim: 'is-rich',
      certificateType: 'senior-preferential-card',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ code: 'UNKNOWN_CLAIM', field: 'show.claim' });
    const incomplete = await showCode(holder, { kind: 'certificate' });
    expect(incomplete.json).toMatchObject({ code: 'BAD_REQUEST', field: 'show.certificateId' });
  });

  it('shows a firm’s staff member the enterprise code, and the verifier learns it is an enterprise’s', async () => {
    const issued = await showCode(firm, {
      kind: 'claim',
      claim: 'holds-valid-certificate',
      certificateType: 'decision-letter',
    });
    expect(issued.status).toBe(200);
    expect(issued.json.holderKind).toBe('enterprise');
    const scan = await scanSigned(api, bank, { code: issued.json.code, matter: 'benefit-decision' });
    expect(scan.json).toMatchObject({ holderKind: 'enterprise', shows: 'claim', claim: { answer: false } });
  });

  it('admits only a registered verifier’s signature: unsigned, or a revoked key, is VERIFIER_UNAUTHENTICATED', async () => {
    const code = await showCard();
    const unsigned = await scanSigned(api, undefined, { code, matter: 'senior-concession' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.code).toBe('VERIFIER_UNAUTHENTICATED');
    const person = await api.inject({
      method: 'POST',
      url: '/codes/scan',
      headers: { authorization: `Bearer ${holder}` },
      payload: { code, matter: 'senior-concession' },
    });
    expect(person.statusCode).toBe(403);
    const gone = await registerTestVerifier(store, SECRET);
    await revokeVerifierCredential(store, gone.verifier, 'all');
    expect((await scanSigned(api, gone, { code, matter: 'senior-concession' })).json.code).toBe(
      'VERIFIER_UNAUTHENTICATED',
    );
    // None of these spent the code.
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
  });
});

describe('what the holder sees, and what is kept', () => {
  it('lists every scan in who used my data: the verifier’s name, the matter, what it saw and when', async () => {
    const before = Date.now();
    const code = await showCard();
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
    const response = await api.inject({
      method: 'GET',
      url: '/me/access',
      headers: { authorization: `Bearer ${holder}` },
    });
    expect(response.statusCode).toBe(200);
    const scans = response.json<Array<Record<string, unknown>>>().filter((entry) => entry.kind === 'code-scan');
    expect(scans.length).toBeGreaterThanOrEqual(8);
    expect(scans[0]).toEqual({
      kind: 'code-scan',
      at: expect.any(String),
      verifier: { name: { zh: '市人民公园（测试）', en: 'People’s Park (test)' }, kind: 'outside' },
      matter: { id: 'senior-concession', title: { zh: '老年人优待核验', en: 'senior concession check' } },
      shown: {
        kind: 'certificate',
        certificateType: 'senior-preferential-card',
        certificateTitle: { zh: '老年人优待证', en: 'Senior preferential card' },
        certificateId: card.document.id,
      },
    });
    expect(Date.parse(scans[0].at as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(scans).toContainEqual(
      expect.objectContaining({
        verifier: expect.objectContaining({ name: { zh: '日照银行（测试）', en: 'Bank of Rizhao (test)' } }),
        matter: expect.objectContaining({ id: 'benefit-decision' }),
      }),
    );
    expect(scans).toContainEqual(
      expect.objectContaining({ shown: expect.objectContaining({ kind: 'claim', answer: true }) }),
    );
  });

  it('keeps no raw identifier or subject key in a token, and none but the pseudonymous key in the records', async () => {
    const code = await showCard();
    expect(code).not.toContain(holderKey.slice(2));
    expect(identifiersIn(JSON.stringify({ code }))).toEqual([]);
    expect((await scanSigned(api, park, { code, matter: 'senior-concession' })).status).toBe(200);
    const scans = await store.db!.collection('code_scans').find({}).toArray();
    const codes = await store.db!.collection('codes').find({}).toArray();
    expect(scans.length).toBeGreaterThan(0);
    for (const kept of [JSON.stringify(scans), JSON.stringify(codes)]) {
      expect(identifiersIn(kept)).toEqual([]);
      expect(kept).not.toContain(residentId);
      expect(kept).not.toContain('张秀英');
      expect(kept).not.toContain('1963-01-15');
    }
    // The scans are the holder's access records: hash-chained, every one.
    const report = await verifyStream(store, 'code_scans');
    expect(report).toMatchObject({ ok: true, pending: 0 });
    expect(report.entries).toBe(scans.length);
  });
});
