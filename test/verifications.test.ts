/**
 * Verifications for other departments (证明核验) and the proof archive, on the real store: a
 * department asks a claim its matter lists and gets yes / no / cannot-tell, signed, with the read
 * access-logged for the citizen; an archived answer is reused within its validity and never after
 * it expires or is revoked; an unlisted claim is refused; a retry answers the first verification;
 * a procedure claim waits for the certifying department's answer.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeCreditCode, makeResidentId } from '../domain/identity.js';
import { mattersInForce, putMattersInForce, type Matter, type MatterList } from '../domain/matters.js';
import { STARTER_MATTER_LIST } from '../domain/matters-starter.js';
import { subjectKey } from '../domain/pseudonym.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { findProof, proofOfClaim, reusableProof, reusesOf, revokeProofs } from '../store/proofs.js';
import { findVerification } from '../store/verifications.js';
import { accessOf } from '../services/citizen/access.js';
import { createVerificationService } from '../services/verifications/service.js';
import type { DepartmentPrincipal } from '../services/departments/authenticate.js';
import {
  answerClaimFor,
  answerPendingVerification,
  hmacSignatureHolds,
  type VerificationDeps,
  type VerificationRequest,
} from '../services/verifications/answer.js';
import { testSeals } from './support/seals.js';

const SECRET = 'verifications-test-secret';
const LOCAL = makeResidentId('371402', '1980-04-01', 11, 'male');
const NOT_LOCAL = makeResidentId('371402', '1985-09-09', 12, 'female');
const FIRM = makeCreditCode('371402', 4242);
const HOUSING = 'housing-urban-rural';

/** A matter of the test's own, handled by public security, that asks the procedure claim. */
const PERMIT: Matter = {
  id: 'test-security-guard-permit',
  subject: 'person',
  title: { zh: '保安员证核发（测试）', en: 'Security guard permit (test)' },
  department: { id: 'public-security', name: { zh: '市公安局', en: 'Municipal Public Security Bureau' } },
  legalBasis: { zh: '《保安服务管理条例》', en: 'Regulation on Security Services' },
  level: 'city',
  timeLimitWorkingDays: 15,
  fields: [],
  proofs: [
    {
      id: 'no-criminal-record-proof',
      title: { zh: '无犯罪记录证明', en: 'Certificate of no criminal record' },
      issuedBy: { zh: '派出所', en: 'Police station' },
      replacement: { method: 'verification', claim: 'no-criminal-record' },
    },
  ],
  claims: ['local-hukou'],
};

let store: Connection;
let clock = new Date('2026-03-02T02:00:00Z');
let deps: VerificationDeps;
let removeSeals: () => void;
let starter: MatterList;

const ask = (over: Partial<VerificationRequest> = {}): VerificationRequest => ({
  matter: 'public-rental-housing',
  claim: 'local-hukou',
  subject: { kind: 'person', idValue: LOCAL },
  requester: { kind: 'department', id: HOUSING },
  idempotencyKey: randomUUID(),
  ...over,
});

const pullsOf = async (key: string) => registerAccessRecordModel(store).countDocuments({ subjectKey: key });
const label = async (ref: { id: string; version: number }) => ({ ...ref, title: { zh: ref.id, en: ref.id } });

beforeAll(async () => {
  store = await mongoose
    .createConnection(inject('stack').mongodbUri, { dbName: `af_verify_${randomUUID().slice(0, 8)}` })
    .asPromise();
  const db = store.db!;
  await db.collection<Record<string, unknown> & { _id: string }>('dp_household_registry').insertMany([
    { _id: LOCAL, idNumber: LOCAL, localHukou: true, birthDate: '1980-04-01' },
    { _id: NOT_LOCAL, idNumber: NOT_LOCAL, localHukou: false, birthDate: '1985-09-09' },
  ]);
  await db
    .collection<Record<string, unknown> & { _id: string }>('dp_business_registry')
    .insertOne({ _id: FIRM, creditCode: FIRM, status: 'active', establishedOn: '2020-01-01' });
  starter = mattersInForce();
  putMattersInForce({ ...STARTER_MATTER_LIST, matters: [...STARTER_MATTER_LIST.matters, PERMIT] });
  const sealing = testSeals(store);
  removeSeals = sealing.remove;
  deps = {
    store,
    adapters: createAdapterRegistry({ connection: store }),
    subjectKeySecret: SECRET,
    seals: sealing.seals,
    now: () => clock,
  };
});

afterAll(async () => {
  putMattersInForce(starter);
  removeSeals?.();
  await store?.dropDatabase();
  await store?.close();
});

describe('a department verifies a claim its matter lists', () => {
  it('answers yes, signed, files the proof, and the citizen sees the read with the matter and the department', async () => {
    const answer = await answerClaimFor(deps, ask());
    expect(answer).toMatchObject({ answer: 'yes', reused: false, signedBy: { department: 'public-security' } });
    expect(answer.validUntil).toBe(new Date(clock.getTime() + 90 * 86_400_000).toISOString());
    expect(answer.signature?.scheme).toBe('hmac-sha256');
    expect(JSON.stringify(answer)).not.toContain(LOCAL);
    expect(JSON.stringify(answer)).not.toContain('localHukou');

    const record = (await findVerification(store, answer.verificationId))!;
    expect(hmacSignatureHolds(deps, record)).toBe(true);
    expect(hmacSignatureHolds(deps, { ...record, answer: 'no' })).toBe(false);

    const proof = (await findProof(store, answer.proofId))!;
    expect(proof).toMatchObject({
      subjectKey: subjectKey('person', LOCAL, SECRET),
      proof: proofOfClaim('local-hukou'),
      method: 'verification',
      answer: 'yes',
      dependsOnFacts: ['person.localHukou'],
      obtainedFor: { kind: 'verification', id: answer.verificationId, matter: 'public-rental-housing' },
    });

    const seen = await accessOf(store, subjectKey('person', LOCAL, SECRET), label);
    const pull = seen.find((entry) => entry.kind === 'data-pull');
    expect(pull).toMatchObject({ kind: 'data-pull', source: 'household-registry', outcome: 'answered' });
    expect(pull && 'purposes' in pull ? pull.purposes.join(' ') : '').toContain('市住房和城乡建设局');
    expect(pull && 'purposes' in pull ? pull.purposes.join(' ') : '').toContain('公共租赁住房');
  });

  it('answers no when the facts say no', async () => {
    const answer = await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: NOT_LOCAL } }));
    expect(answer.answer).toBe('no');
  });

  it('answers cannot-tell when a fact the claim needs is absent', async () => {
    // The firm has no record at the tax service: its rating is unknown, not "no".
    const answer = await answerClaimFor(
      deps,
      ask({
        matter: 'enterprise-hiring-subsidy',
        claim: 'tax-credit-a-or-b',
        subject: { kind: 'enterprise', idValue: FIRM },
        requester: { kind: 'department', id: 'human-resources-social-security' },
      }),
    );
    expect(answer.answer).toBe('cannot-tell');
    // A cannot-tell is no proof: the next verification reads again.
    expect(
      await reusableProof(store, {
        subjectKey: subjectKey('enterprise', FIRM, SECRET),
        proof: proofOfClaim('tax-credit-a-or-b'),
        at: clock,
      }),
    ).toBeUndefined();
  });

  it('refuses a claim the matter does not list, a subject of the other kind, and another department’s matter', async () => {
    await expect(answerClaimFor(deps, ask({ claim: 'pension-contributions-12-months' }))).rejects.toMatchObject({
      code: 'CLAIM_NOT_LISTED',
      field: 'claim',
    });
    await expect(answerClaimFor(deps, ask({ claim: 'no-such-claim' }))).rejects.toMatchObject({ field: 'claim' });
    await expect(answerClaimFor(deps, ask({ subject: { kind: 'enterprise', idValue: FIRM } }))).rejects.toMatchObject({
      code: 'CLAIM_NOT_LISTED',
      field: 'subject.kind',
    });
    await expect(
      answerClaimFor(deps, ask({ requester: { kind: 'department', id: 'civil-affairs' } })),
    ).rejects.toMatchObject({ code: 'MATTER_NOT_ALLOWED', field: 'matter' });
    await expect(
      answerClaimFor(
        deps,
        ask({ subject: { kind: 'person', idValue: `${LOCAL.slice(0, 17)}${LOCAL.endsWith('1') ? '2' : '1'}` } }),
      ),
    ).rejects.toMatchObject({ field: 'subject.id' });
  });

  it('answers a retry with the first verification: no second read, proof or reuse', async () => {
    const person = makeResidentId('371402', '1990-01-01', 21, 'male');
    await store
      .db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry')
      .insertOne({ _id: person, idNumber: person, localHukou: true });
    const request = ask({ subject: { kind: 'person', idValue: person } });
    const first = await answerClaimFor(deps, request);
    const again = await answerClaimFor(deps, request);
    expect(again).toEqual(first);
    expect(await pullsOf(subjectKey('person', person, SECRET))).toBe(1);
    expect((await findProof(store, first.proofId))!.reuses).toBe(0);
    await expect(answerClaimFor(deps, { ...request, claim: 'owns-no-housing' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotencyKey',
    });
  });
});

describe('the proof archive', () => {
  const person = makeResidentId('371402', '1975-07-07', 31, 'female');
  const key = () => subjectKey('person', person, SECRET);

  beforeAll(async () => {
    await store
      .db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry')
      .insertOne({ _id: person, idNumber: person, localHukou: true });
  });

  it('reuses an answer within its validity, recording the reuse and reading nothing', async () => {
    const first = await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: person } }));
    clock = new Date(clock.getTime() + 10 * 86_400_000);
    const second = await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: person } }));
    expect(second).toMatchObject({ answer: 'yes', reused: true, proofId: first.proofId, validUntil: first.validUntil });
    expect(second.verificationId).not.toBe(first.verificationId);
    expect(await pullsOf(key())).toBe(1);
    expect((await findProof(store, first.proofId))!.reuses).toBe(1);
    expect((await reusesOf(store, first.proofId)).map((r) => r.by.id)).toEqual([second.verificationId]);
  });

  it('never reuses an expired answer', async () => {
    clock = new Date(clock.getTime() + 90 * 86_400_000);
    const later = await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: person } }));
    expect(later.reused).toBe(false);
    expect(await pullsOf(key())).toBe(2);
  });

  it('never reuses a revoked answer: a corrected fact revokes what rested on it, and only that', async () => {
    const revoked = await revokeProofs(store, {
      subjectKey: key(),
      facts: ['person.ownsHousing'],
      reason: 'correction',
      at: clock,
    });
    expect(revoked).toEqual([]);
    expect((await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: person } }))).reused).toBe(true);

    const hukou = await revokeProofs(store, {
      subjectKey: key(),
      facts: ['person.localHukou'],
      reason: 'correction of person.localHukou',
      at: clock,
    });
    expect(hukou.length).toBeGreaterThan(0);
    const fresh = await answerClaimFor(deps, ask({ subject: { kind: 'person', idValue: person } }));
    expect(fresh.reused).toBe(false);
    expect(await pullsOf(key())).toBe(3);
    expect((await findProof(store, hukou[0]))!).toMatchObject({ revokedBecause: 'correction of person.localHukou' });
  });
});

describe('a proof-free application asks', () => {
  it('files the proof for the application and reuses it for the next one, recording which application reused it', async () => {
    const person = makeResidentId('371402', '1966-06-16', 61, 'male');
    await store
      .db!.collection<Record<string, unknown> & { _id: string }>('dp_household_registry')
      .insertOne({ _id: person, idNumber: person, localHukou: true });
    const forApplication = (id: string) =>
      ask({
        subject: { kind: 'person', idValue: person },
        requester: { kind: 'application', id, department: HOUSING },
        idempotencyKey: `${id}/household-register`,
      });
    const first = await answerClaimFor(deps, forApplication('ap_first'));
    expect(await findProof(store, first.proofId)).toMatchObject({
      obtainedFor: { kind: 'application', id: 'ap_first', matter: 'public-rental-housing' },
    });
    const second = await answerClaimFor(deps, forApplication('ap_second'));
    expect(second).toMatchObject({ reused: true, proofId: first.proofId });
    expect((await reusesOf(store, first.proofId)).map((r) => r.by)).toEqual([
      { kind: 'application', id: 'ap_second', matter: 'public-rental-housing' },
    ]);
  });
});

describe('a claim answered by the certifying department’s procedure', () => {
  const person = makeResidentId('371402', '1992-02-02', 41, 'male');
  const permit = (over: Partial<VerificationRequest> = {}) =>
    ask({
      matter: PERMIT.id,
      claim: 'no-criminal-record',
      subject: { kind: 'person', idValue: person },
      requester: { kind: 'department', id: 'public-security' },
      ...over,
    });

  it('is pending, due in its working days; the department answers; the answer is archived, e-sealed and then reused', async () => {
    clock = new Date('2026-03-06T02:00:00Z'); // a Friday, 10:00 in the city
    const pending = await answerClaimFor(deps, permit());
    expect(pending).toMatchObject({ answer: 'pending', reused: false });
    expect(pending.dueAt).toBe('2026-03-11T02:00:00.000Z'); // three working days: Mon, Tue, Wed
    expect(await pullsOf(subjectKey('person', person, SECRET))).toBe(0);

    await expect(
      answerPendingVerification(deps, {
        verificationId: pending.verificationId,
        answer: 'yes',
        by: { kind: 'department', id: 'civil-affairs' },
      }),
    ).rejects.toMatchObject({ code: 'VERIFICATION_NOT_FOUND' });

    await deps.seals!.ensureSeal({ department: 'public-security', name: { zh: '市公安局', en: 'Public Security' } });
    clock = new Date('2026-03-09T03:00:00Z');
    const answered = await answerPendingVerification(deps, {
      verificationId: pending.verificationId,
      answer: 'yes',
      by: { kind: 'department', id: 'public-security' },
      reference: '德公证〔2026〕12号',
    });
    expect(answered).toMatchObject({ answer: 'yes', proofId: pending.proofId });
    expect(answered.signature?.scheme).toBe('sm2-seal');
    expect(await findProof(store, pending.proofId)).toMatchObject({ answer: 'yes', method: 'verification' });
    // The same answer again stands; another is refused.
    expect(
      (
        await answerPendingVerification(deps, {
          verificationId: pending.verificationId,
          answer: 'yes',
          by: { kind: 'department', id: 'public-security' },
        })
      ).answer,
    ).toBe('yes');
    await expect(
      answerPendingVerification(deps, {
        verificationId: pending.verificationId,
        answer: 'no',
        by: { kind: 'department', id: 'public-security' },
      }),
    ).rejects.toMatchObject({ code: 'VERIFICATION_ANSWERED' });

    const next = await answerClaimFor(deps, permit());
    expect(next).toMatchObject({ answer: 'yes', reused: true, proofId: pending.proofId });
  });

  it('marks a pending answer overdue once its time limit has passed, the soonest due first in the department’s list', async () => {
    const askFor = (id: string) => permit({ subject: { kind: 'person', idValue: id } });
    clock = new Date('2026-04-01T02:00:00Z'); // a Wednesday, 10:00 in the city: due Monday 6 April 10:00
    const first = await answerClaimFor(deps, askFor(makeResidentId('371402', '1993-03-03', 42, 'female')));
    clock = new Date('2026-04-02T02:00:00Z'); // a Thursday: due Tuesday 7 April 10:00
    const second = await answerClaimFor(deps, askFor(makeResidentId('371402', '1994-04-04', 43, 'male')));
    const service = createVerificationService(deps);
    const certifier = { department: 'public-security' } as DepartmentPrincipal;
    const ours = async () =>
      (await service.pending(certifier)).filter((entry) =>
        [first.verificationId, second.verificationId].includes(entry.verificationId),
      );

    clock = new Date('2026-04-03T02:00:00Z');
    expect((await ours()).map((entry) => [entry.verificationId, entry.overdue ?? false])).toEqual([
      [first.verificationId, false],
      [second.verificationId, false],
    ]);
    clock = new Date('2026-04-06T12:00:00Z'); // Monday 20:00 in the city: the first is past its time
    expect((await ours()).map((entry) => [entry.verificationId, entry.overdue ?? false])).toEqual([
      [first.verificationId, true],
      [second.verificationId, false],
    ]);
    const shown = await service.show(certifier, first.verificationId);
    expect(shown).toMatchObject({ status: 'pending', overdue: true });
  });

  it('a death revokes every proof of the person', async () => {
    const revoked = await revokeProofs(store, {
      subjectKey: subjectKey('person', person, SECRET),
      reason: 'death',
      at: clock,
    });
    expect(revoked.length).toBe(1);
    expect((await answerClaimFor(deps, permit())).answer).toBe('pending');
  });
});
