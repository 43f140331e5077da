/**
 * The owning department's correction of a shared-data record (store/corrections.ts) on the real
 * FerretDB: a value is checked against the catalog's type, closed values and the grade's range
 * before anything is written, with the field named; the audit keeps the old value masked where
 * the fact is sensitive and sealed for a revert, with who recorded and who confirmed it; a retry
 * finishes a half-done correction and never applies another value.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkFactValue,
  CorrectionError,
  correctSharedFact,
  oldValueOf,
  registerCorrectionModel,
} from '../store/corrections.js';
import { connectStore } from '../store/connection.js';
import { addResident, TEST_SECRET, type TestSubject } from './support/city.js';

const stack = inject('stack');
let store: Connection;
let disabled: TestSubject;
let notCertified: TestSubject;
/** Who recorded and who confirmed, as records name people: user ID and display name (store/users.ts PersonRef). */
const by = { id: 'u_zhou', name: '周督查', role: 'supervisor' };
const confirmedBy = { id: 'u_wu', name: '吴督查', role: 'supervisor' };

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_objections_${randomUUID().slice(0, 8)}$1`),
  );
  disabled = await addResident(store, '1980-04-02', {
    'person.localHukou': true,
    'person.district': '德城区',
    'person.disabilityCertified': true,
    'person.disabilityGrade': 3,
    'person.disabilityType': 'physical',
  });
  notCertified = await addResident(store, '1990-01-01', { 'person.localHukou': true });
});

afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof CorrectionError)
      return {
        kind: error.kind,
        code: error.code,
        field: error.field,
        message: error.message,
        messageZh: error.messageZh,
      };
    throw error;
  }
  return undefined;
};
const record = (subject: TestSubject, collection = 'dp_disability') =>
  store.db!.collection(collection).findOne({ _id: subject.id } as object);

describe('a corrected value is checked against the catalog first', () => {
  it.each([
    ['person.disabilityGrade', '2', 'value', /number/],
    ['person.disabilityGrade', 7, 'value', /1 to 4/],
    ['person.disabilityGrade', 2.5, 'value', /whole number/],
    ['person.disabilityType', 'blue', 'value', /visual, hearing/],
    ['person.disabilityCertifiedOn', '2026-02-30', 'value', /YYYY-MM-DD/],
    ['person.localHukou', 'yes', 'value', /true or false/],
    ['person.guardianIdNumber', '371402199001011234', 'fact', /identifier/],
    ['person.shoeSize', 42, 'fact', /not in the data-source catalog/],
  ])('%s = %j is refused, naming %s', (fact, value, field, message) => {
    const refused = refusal(() => checkFactValue(fact, value));
    expect(refused).toMatchObject({ kind: 'invalid', field });
    expect(refused?.message).toMatch(message);
    expect(refused?.messageZh).toBeTruthy();
  });

  it('names the field the caller gives (an objection’s claimed value)', () => {
    expect(refusal(() => checkFactValue('person.disabilityGrade', 9, 'claimedValue'))).toMatchObject({
      field: 'claimedValue',
    });
    expect(refusal(() => checkFactValue('person.disabilityType', 'visual'))).toBeUndefined();
  });
});

describe('correcting a record at the department that owns it', () => {
  it('writes nothing for a bad value, an unknown subject, a missing reason or a subject the source holds no record of', async () => {
    const attempts = [
      {
        key: 'c-bad',
        subjectKey: disabled.subjectKey,
        fact: 'person.disabilityGrade',
        value: 0,
        reason: '鉴定等级录入有误',
      },
      { key: 'c-nobody', subjectKey: 'p_nobody', fact: 'person.disabilityGrade', value: 2, reason: '鉴定等级录入有误' },
      { key: 'c-noreason', subjectKey: disabled.subjectKey, fact: 'person.disabilityGrade', value: 2, reason: ' ' },
      {
        key: 'c-norecord',
        subjectKey: notCertified.subjectKey,
        fact: 'person.disabilityGrade',
        value: 2,
        reason: '鉴定等级录入有误',
      },
    ];
    const codes = [];
    for (const attempt of attempts)
      codes.push(
        await correctSharedFact(store, { ...attempt, by, confirmedBy, secret: TEST_SECRET }).then(
          () => 'written',
          (error: CorrectionError) => `${error.kind} ${error.code} ${error.field}`,
        ),
      );
    expect(codes).toEqual([
      'invalid BAD_VALUE value',
      'not-found SUBJECT_NOT_FOUND subject',
      'invalid REASON_REQUIRED reason',
      'conflict NO_RECORD fact',
    ]);
    expect(await registerCorrectionModel(store).countDocuments({})).toBe(0);
    expect((await record(disabled))?.disabilityGrade).toBe(3);
    expect(await record(notCertified)).toBeNull();
  });

  it('corrects the grade with an audit that masks the old value; a retry returns the same correction, another value is a 409', async () => {
    const request = {
      key: 'obj-test:correction',
      subjectKey: disabled.subjectKey,
      fact: 'person.disabilityGrade',
      value: 2,
      reason: '市残联复核：应为二级',
      by,
      confirmedBy,
      secret: TEST_SECRET,
    };
    const first = await correctSharedFact(store, request);
    expect(first).toMatchObject({
      fact: 'person.disabilityGrade',
      source: 'disability-federation',
      department: '市残疾人联合会',
      oldValue: '***',
      newValue: 2,
      reason: '市残联复核：应为二级',
      by,
      confirmedBy,
    });
    // The old grade is sealed for a revert: it opens under the master secret, and nowhere is it in the clear.
    expect(first.sealedOldValue).toMatch(/^[\w-]{20,}$/);
    expect(oldValueOf(first, [TEST_SECRET])).toBe(3);
    expect((await record(disabled))?.disabilityGrade).toBe(2);
    const again = await correctSharedFact(store, request);
    expect(again.at).toEqual(first.at);
    await expect(correctSharedFact(store, { ...request, value: 1 })).rejects.toMatchObject({
      kind: 'conflict',
      code: 'ALREADY_CORRECTED',
      field: 'value',
    });
    expect((await record(disabled))?.disabilityGrade).toBe(2);
    expect(await registerCorrectionModel(store).countDocuments({ subjectKey: disabled.subjectKey })).toBe(1);
  });

  it('keeps a public old value as it was, and a retry finishes a correction whose record write was lost', async () => {
    const key = 'obj-district:correction';
    // As if the process died after the audit and before the record write.
    await registerCorrectionModel(store).create({
      _id: key,
      subjectKey: disabled.subjectKey,
      fact: 'person.district',
      source: 'household-registry',
      department: '市公安局',
      oldValue: '德城区',
      newValue: '陵城区',
      reason: '户籍迁移登记漏录',
      by,
      at: new Date(),
    });
    expect((await record(disabled, 'dp_household_registry'))?.district).toBe('德城区');
    const finished = await correctSharedFact(store, {
      key,
      subjectKey: disabled.subjectKey,
      fact: 'person.district',
      value: '陵城区',
      reason: '户籍迁移登记漏录',
      by,
      confirmedBy,
      secret: TEST_SECRET,
    });
    expect(finished).toMatchObject({ oldValue: '德城区', newValue: '陵城区' });
    expect((await record(disabled, 'dp_household_registry'))?.district).toBe('陵城区');
  });
});
