/**
 * The social security card's financial account (社保卡金融账户) as a data source: its place in the
 * catalog (owner, facts, sensitivity), and the synthetic city's accounts: one per resident,
 * deterministic from the seed, a small share closed, and numbers a pain.001 file accepts.
 */
import { describe, expect, it } from 'vitest';
import { findFact, findSource } from '../../../domain/sources.js';
import { luhnCheckDigit } from '../../../infra/seed/bank-accounts.js';
import { PersonGenerator, type PersonRecord } from '../../../infra/seed/persons.js';
import { toPain001, readPain001 } from '../../../services/payroll/bank-files/index.js';
import { checkFactValue, CorrectionError } from '../../../store/corrections.js';
import { SHARED_COLLECTIONS } from '../../../store/shared-data.js';

const RESIDENTS = 4000;

function residents(seed: string, count = RESIDENTS): PersonRecord[] {
  const generator = new PersonGenerator(seed, 'card-test-secret', '2026-06-30', new Date(0));
  return Array.from({ length: count }, () => generator.next());
}

const city = residents('card-test');

describe('the social security card account in the data-source catalog', () => {
  it('is a person source of the human resources and social security bureau with its own collection', () => {
    const source = findSource('social-security-card');
    expect(source).toMatchObject({
      subject: 'person',
      department: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
      collection: 'dp_social_security_card',
    });
    expect(SHARED_COLLECTIONS).toContainEqual({
      name: 'dp_social_security_card',
      subject: 'person',
      keyField: 'idNumber',
    });
  });

  it.each([
    ['person.bankAccountNumber', 'sensitive'],
    ['person.bankAccountHolderName', 'sensitive'],
    ['person.bankAccountBankCode', 'personal'],
    ['person.bankAccountStatus', 'personal'],
  ])('answers %s, %s, with a label in both languages', (key, sensitivity) => {
    const fact = findFact(key);
    expect(fact?.source.id).toBe('social-security-card');
    expect(fact?.field).toMatchObject({ sensitivity, type: 'string', column: key.split('.')[1] });
    expect(fact?.field.label.zh).toMatch(/社保卡/);
    expect(fact?.field.label.en).toMatch(/social security card/);
  });

  it('knows an account as active or closed', () => {
    expect(findFact('person.bankAccountStatus')?.field.values).toEqual(['active', 'closed']);
  });
});

describe("the synthetic city's card accounts", () => {
  it('gives every resident an account in their own name, with a unique Luhn-valid number and a 12-digit bank code', () => {
    const numbers = new Set<string>();
    for (const person of city) {
      const account = person.bankAccount;
      expect(account.idNumber).toBe(person.household.idNumber);
      expect(account.bankAccountHolderName).toBe(person.subject.displayName);
      expect(account.bankAccountNumber).toMatch(/^9\d{18}$/);
      expect(luhnCheckDigit(account.bankAccountNumber.slice(0, -1))).toBe(account.bankAccountNumber.slice(-1));
      expect(account.bankAccountBankCode).toMatch(/^\d{12}$/);
      numbers.add(account.bankAccountNumber);
    }
    expect(numbers.size).toBe(RESIDENTS);
  });

  it('closes a small share of accounts, more of them among the deceased', () => {
    const closedShare = (people: PersonRecord[]) =>
      people.filter((person) => person.bankAccount.bankAccountStatus === 'closed').length / people.length;
    const living = city.filter((person) => person.household.alive);
    expect(closedShare(living)).toBeGreaterThan(0.005);
    expect(closedShare(living)).toBeLessThan(0.03);
    const deceased = residents('card-test', 40_000).filter((person) => !person.household.alive);
    expect(deceased.length).toBeGreaterThan(20);
    expect(closedShare(deceased)).toBeGreaterThan(0.2);
  });

  it('is the same for the same seed, and different for another', () => {
    const again = residents('card-test', 200);
    expect(again.map((person) => person.bankAccount)).toEqual(city.slice(0, 200).map((person) => person.bankAccount));
    const other = residents('another-city', 200);
    expect(other.map((person) => person.bankAccount.bankAccountNumber)).not.toEqual(
      again.map((person) => person.bankAccount.bankAccountNumber),
    );
  });

  it('gives accounts a pain.001 file accepts, with the holder as creditor', () => {
    const payees = city.filter((person) => person.bankAccount.bankAccountStatus === 'active').slice(0, 50);
    const xml = toPain001({
      batchId: 'PAY-card-test',
      createdAt: '2026-07-20T09:00:00+08:00',
      requestedExecutionDate: '2026-07-25',
      debtor: { name: '德州市民政局', accountNumber: '37001600000050000001', bankCode: '102468100016' },
      count: payees.length,
      totalFen: payees.length * 10_000,
      lines: payees.map((person, index) => ({
        endToEndId: `L-card-${index}`,
        creditorName: person.bankAccount.bankAccountHolderName,
        creditorAccountNumber: person.bankAccount.bankAccountNumber,
        bankCode: person.bankAccount.bankAccountBankCode,
        amountFen: 10_000,
        remittance: '高龄津贴 2026-07',
      })),
    });
    expect(readPain001(xml)).toMatchObject({ count: 50, controlSumFen: 500_000 });
    expect(xml).toContain(`<Nm>${payees[0].subject.displayName}</Nm>`);
  });
});

describe('correcting a card account (the way a rejected payment is fixed)', () => {
  it.each([
    ['person.bankAccountNumber', '9102010001000012345'],
    ['person.bankAccountBankCode', '102468100015'],
    ['person.bankAccountStatus', 'active'],
    ['person.bankAccountHolderName', '王𠮷'],
  ])('accepts %s = %s', (fact, value) => {
    expect(checkFactValue(fact, value).value).toBe(value);
  });

  it.each([
    ['person.bankAccountNumber', '9102 0100 0100 0012 345'],
    ['person.bankAccountBankCode', '10246810001'],
    ['person.bankAccountStatus', 'frozen'],
    ['person.bankAccountHolderName', ' '],
  ])('refuses %s = %j, naming the value', (fact, value) => {
    expect(() => checkFactValue(fact, value)).toThrow(CorrectionError);
    try {
      checkFactValue(fact, value);
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_VALUE', field: 'value' });
    }
  });
});
