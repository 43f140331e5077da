/**
 * The social security card's financial account (社保卡金融账户) of each generated resident: the
 * card is issued through one of the city's cooperating banks, and benefits are paid into it.
 * Drawn from a stream of its own, so adding accounts leaves every other generated fact as it was.
 * Bank codes and card numbers are synthetic: codes in the CNAPS shape (bank, city, branch, check
 * digit) under an invented city code, and card numbers under the 9 prefix no bank card uses,
 * with a valid Luhn check digit so a number can be checked like a real one.
 */
import type { SocialSecurityCardDoc } from '../../store/shared-data.js';
import { Random, Weighted } from './random.js';

/** A bank that issues social security cards in the synthetic city. */
export interface CardBank {
  /** The first three digits of a CNAPS code: the bank. */
  bank: string;
  name: string;
  /** Five digits after the 9 that start every synthetic card number of this bank. */
  issuer: string;
}

/** The banks that issue the synthetic city's social security cards, and their shares of cardholders. */
export const CARD_BANKS: ReadonlyArray<readonly [CardBank, number]> = [
  [{ bank: '102', name: '中国工商银行', issuer: '10201' }, 0.22],
  [{ bank: '103', name: '中国农业银行', issuer: '10301' }, 0.24],
  [{ bank: '104', name: '中国银行', issuer: '10401' }, 0.1],
  [{ bank: '105', name: '中国建设银行', issuer: '10501' }, 0.18],
  [{ bank: '403', name: '中国邮政储蓄银行', issuer: '40301' }, 0.12],
  [{ bank: '402', name: '农村商业银行', issuer: '40201' }, 0.14],
];

/** The invented four-digit city code of the synthetic city's bank branches. */
const CITY_CODE = '4681';
const BRANCHES = 40;
/** Accounts closed (card cancelled or replaced without the new account reported yet), living and deceased. */
const CLOSED_SHARE = 0.015;
const CLOSED_SHARE_DECEASED = 0.4;

/** The Luhn check digit of a string of digits. */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A 12-digit CNAPS-shaped code: bank, city, branch, and a check digit (the digit sum mod 10). */
export function branchCode(bank: string, branch: number): string {
  const body = `${bank}${CITY_CODE}${String(branch).padStart(4, '0')}`;
  const sum = [...body].reduce((total, digit) => total + Number(digit), 0);
  return `${body}${sum % 10}`;
}

/** A deterministic stream of card accounts, one per resident in generation order. */
export class BankAccountGenerator {
  private readonly random: Random;
  private readonly banks = new Weighted(CARD_BANKS);
  /** The next serial per bank: every number is unique within the city. */
  private readonly serials = new Map<string, number>();

  constructor(seed: string) {
    this.random = new Random(`${seed}:bank-accounts`);
  }

  next(idNumber: string, holderName: string, alive: boolean): SocialSecurityCardDoc {
    const r = this.random;
    const bank = this.banks.sample(r);
    const branch = r.int(1, BRANCHES);
    const serial = this.serials.get(bank.bank) ?? r.int(0, 999_999);
    this.serials.set(bank.bank, serial + 1);
    const body = `9${bank.issuer}${String(branch).padStart(4, '0')}${String(serial).padStart(8, '0')}`;
    const closed = r.chance(alive ? CLOSED_SHARE : CLOSED_SHARE_DECEASED);
    return {
      idNumber,
      bankAccountNumber: body + luhnCheckDigit(body),
      bankAccountBankCode: branchCode(bank.bank, branch),
      bankAccountStatus: closed ? 'closed' : 'active',
      bankAccountHolderName: holderName,
    };
  }
}
