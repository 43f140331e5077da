/**
 * A beneficiary's account as the bank files need it: the social security card's financial account
 * (社保卡金融账户, source `social-security-card`), read through the fact fetcher like every other
 * personal-data read, so each read has an access record with its purpose (a disbursement, a
 * repayment). Only an active account with a number, a holder's name and a bank code is usable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../workflows/contracts/index.js';
import type { FetchFactsInput, FetchFactsResult } from './fetch-facts.js';

const SOURCE = 'social-security-card';
const FACTS = {
  number: 'person.bankAccountNumber',
  holderName: 'person.bankAccountHolderName',
  bankCode: 'person.bankAccountBankCode',
  status: 'person.bankAccountStatus',
} as const;

/** Purposes written on the access records of account reads. */
export const ACCOUNT_PURPOSES = {
  disbursement: '代发 disbursement to the social security card account',
  repayment: '补发 repayment to the social security card account once corrected',
} as const;

export interface BankAccount {
  number: string;
  holderName: string;
  bankCode: string;
}

/** usable; or not: no account on record (or the subject is gone), not active, or the source did not answer. */
export type AccountReading =
  { usable: true; account: BankAccount } | { usable: false; why: 'missing' | 'inactive' | 'unavailable' };

export interface AccountReadInput {
  /** The batch the read is for: the access record's case. */
  batchId: string;
  subjectKey: string;
  policy: { id: string; version: number };
  purpose: string;
  /** One access record per key (a retry writes none). */
  idempotencyKey: string;
}

/** Reads one subject's account through `fetchFacts` (an access record with the purpose) and says whether it can be paid into. */
export async function readBankAccount(
  fetchFacts: (input: FetchFactsInput) => Promise<FetchFactsResult>,
  input: AccountReadInput,
): Promise<AccountReading> {
  let pulled: FetchFactsResult;
  try {
    pulled = await fetchFacts({
      caseId: input.batchId,
      subjectKey: input.subjectKey,
      policyId: input.policy.id,
      policyVersion: input.policy.version,
      facts: Object.fromEntries(Object.values(FACTS).map((fact) => [fact, { source: SOURCE, purpose: input.purpose }])),
      idempotencyKey: input.idempotencyKey,
    });
  } catch (error) {
    // A subject erased since the line was written has no account to pay into.
    if (error instanceof ApplicationFailure && error.type === ErrorType.UnknownSubject)
      return { usable: false, why: 'missing' };
    throw error;
  }
  if (pulled.failedSources.length > 0) return { usable: false, why: 'unavailable' };
  const text = (fact: string) => {
    const value = pulled.values[fact];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const [number, holderName, bankCode, status] = [FACTS.number, FACTS.holderName, FACTS.bankCode, FACTS.status].map(
    text,
  );
  if (!number || !holderName || !bankCode) return { usable: false, why: 'missing' };
  if (status !== 'active') return { usable: false, why: 'inactive' };
  return { usable: true, account: { number, holderName, bankCode } };
}
