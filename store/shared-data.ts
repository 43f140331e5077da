/**
 * The city data platform's shared-data collections (dp_*), one per source in
 * domain/sources.ts. Person sources are keyed by `idNumber`, enterprise sources by
 * `creditCode` (unique index); columns are named exactly as the catalog's `column`,
 * dates are 'YYYY-MM-DD' strings. A subject absent from a source has no document there.
 * `_id` equals the key, so point reads use `{ _id: idNumber }` (store/keyed.ts says why).
 */
import type { Connection, mongo } from 'mongoose';
import { DATA_SOURCES, type SubjectKind } from '../domain/sources.js';

export interface HouseholdRegistryDoc {
  _id?: string;
  idNumber: string;
  birthDate: string;
  gender: 'male' | 'female';
  localHukou: boolean;
  /** Household-registration district; for a non-local resident, the district of residence. */
  district: string;
  /** Absent for non-local residents. */
  hukouSince?: string;
  alive: boolean;
  /** Minors only. */
  guardianIdNumber?: string;
}

export interface CivilAffairsDoc {
  _id?: string;
  idNumber: string;
  maritalStatus: 'single' | 'married' | 'divorced' | 'widowed';
  minimumLivingAllowance: boolean;
  specialHardship: boolean;
  householdIncomePerCapita: number;
}

export interface SocialInsuranceDoc {
  _id?: string;
  idNumber: string;
  employmentStatus: 'employed' | 'unemployed' | 'retired' | 'student' | 'none';
  unemploymentInsuranceMonths: number;
  employmentEndedOn?: string;
  involuntaryUnemployment?: boolean;
  unemploymentRegistered: boolean;
  pensionInsured: boolean;
  retiredOn?: string;
}

/** The social security card's financial account (社保卡金融账户): one per resident who holds a card. */
export interface SocialSecurityCardDoc {
  _id?: string;
  idNumber: string;
  /** The card's account number (sensitive: masked wherever shown). */
  bankAccountNumber: string;
  /** The CNAPS code (12 digits) of the issuing bank's branch. */
  bankAccountBankCode: string;
  bankAccountStatus: 'active' | 'closed';
  bankAccountHolderName: string;
}

export interface DisabilityDoc {
  _id?: string;
  idNumber: string;
  /** Always true where a document exists: a person without a certificate has no document. */
  disabilityCertified: true;
  disabilityGrade: 1 | 2 | 3 | 4;
  disabilityType: 'visual' | 'hearing' | 'speech' | 'physical' | 'intellectual' | 'mental' | 'multiple';
  disabilityCertifiedOn: string;
}

export interface EducationDoc {
  _id?: string;
  idNumber: string;
  schoolEnrolled: boolean;
}

export interface BusinessRegistryDoc {
  _id?: string;
  creditCode: string;
  establishedOn: string;
  status: 'active' | 'deregistered' | 'revoked';
  district: string;
  industry: 'manufacturing' | 'retail' | 'services' | 'construction' | 'agriculture' | 'technology' | 'logistics';
  size: 'micro' | 'small' | 'medium' | 'large';
  employeeCount: number;
}

export interface EnterpriseInsuranceDoc {
  _id?: string;
  creditCode: string;
  unemploymentPremiumsLastYear: number;
  insuredEmployeesLastYear: number;
  layoffRate: number;
  premiumsInArrears: boolean;
}

export interface TaxDoc {
  _id?: string;
  creditCode: string;
  taxCreditRating: 'A' | 'B' | 'M' | 'C' | 'D';
  annualRevenue: number;
}

export interface CreditDoc {
  _id?: string;
  creditCode: string;
  seriousDishonesty: boolean;
}

/** Document type of each shared-data collection. */
export interface SharedDataDocs {
  dp_household_registry: HouseholdRegistryDoc;
  dp_civil_affairs: CivilAffairsDoc;
  dp_social_insurance: SocialInsuranceDoc;
  dp_social_security_card: SocialSecurityCardDoc;
  dp_disability: DisabilityDoc;
  dp_education: EducationDoc;
  dp_business_registry: BusinessRegistryDoc;
  dp_enterprise_insurance: EnterpriseInsuranceDoc;
  dp_tax: TaxDoc;
  dp_credit: CreditDoc;
}

export type SharedCollectionName = keyof SharedDataDocs;

/** The identifier field a subject kind's documents are keyed by. */
export const SUBJECT_ID_FIELD: Record<SubjectKind, 'idNumber' | 'creditCode'> = {
  person: 'idNumber',
  enterprise: 'creditCode',
};

/** Every shared-data collection with its subject kind and key field, from the catalog. */
export const SHARED_COLLECTIONS: ReadonlyArray<{
  name: SharedCollectionName;
  subject: SubjectKind;
  keyField: 'idNumber' | 'creditCode';
}> = DATA_SOURCES.map((source) => ({
  name: source.collection as SharedCollectionName,
  subject: source.subject,
  keyField: SUBJECT_ID_FIELD[source.subject],
}));

/** A typed native-driver handle on one shared-data collection. */
export function sharedCollection<Name extends SharedCollectionName>(
  connection: Connection,
  name: Name,
): mongo.Collection<SharedDataDocs[Name]> {
  if (!connection.db) throw new Error('sharedCollection: the connection is not open');
  return connection.db.collection<SharedDataDocs[Name]>(name);
}

/** Creates each collection's unique key index (idempotent: an existing identical index is kept). */
export async function ensureSharedDataIndexes(connection: Connection): Promise<void> {
  for (const { name, keyField } of SHARED_COLLECTIONS) {
    await sharedCollection(connection, name).createIndex(
      { [keyField]: 1 },
      { unique: true, name: `${keyField}_unique` },
    );
  }
}
