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

/** Pension insurance contributions and benefits (养老保险): everyone insured or drawing a pension. */
export interface PensionDoc {
  _id?: string;
  idNumber: string;
  pensionContributionMonths: number;
  pensionReceiving: boolean;
  pensionScheme: 'employee' | 'resident';
  /** 0 while no pension is drawn. */
  pensionMonthlyAmount: number;
  /** 工人 or 干部, on the employee scheme only (the original statutory retirement age of women). */
  postCategory?: 'worker' | 'cadre';
}

/** Basic medical insurance and medical assistance (医疗保障): everyone ever enrolled in the city. */
export interface MedicalSecurityDoc {
  _id?: string;
  idNumber: string;
  medicalInsuranceEnrolled: boolean;
  medicalInsuranceScheme: 'employee' | 'resident';
  /** Months of employee medical insurance; 0 for the resident scheme only. */
  medicalInsuranceMonths: number;
  medicalAssistance: boolean;
  outOfPocketMedicalLastYear: number;
}

/** The low-income population (低收入人口): dibao, tekun and marginal households' members. */
export interface LowIncomeDoc {
  _id?: string;
  idNumber: string;
  lowIncomeMarginal: boolean;
  /** Persons in extreme hardship (tekun) only. */
  specialHardshipCareMode?: 'scattered' | 'centralized';
}

/** Older residents (60+) the civil affairs survey reached (老年人信息). */
export interface ElderlyCareDoc {
  _id?: string;
  idNumber: string;
  livesAlone: boolean;
  emptyNest: boolean;
  /** GB/T 42195-2022: 0 fully able … 4 fully dependent. */
  careDependencyLevel: 0 | 1 | 2 | 3 | 4;
}

/** Veterans and members of entitled groups (退役军人与优抚对象). */
export interface VeteranDoc {
  _id?: string;
  idNumber: string;
  veteran: boolean;
  entitledGroup: boolean;
  /** Members of an entitled group only. */
  entitledCategory?: 'disabled-veteran' | 'war-veteran' | 'demobilised' | 'martyr-survivor' | 'serving-family';
}

/** Housing provident fund accounts (住房公积金). */
export interface HousingFundDoc {
  _id?: string;
  idNumber: string;
  housingFundContributing: boolean;
  /** 0 while the account is not contributed to. */
  housingFundMonthlyDeposit: number;
}

/** Owners of dwellings registered in the city (不动产登记). */
export interface RealEstateDoc {
  _id?: string;
  idNumber: string;
  ownsHousing: true;
  housingUnitsOwned: number;
}

/** Owners of registered motor vehicles (机动车登记). */
export interface MotorVehicleDoc {
  _id?: string;
  idNumber: string;
  ownsMotorVehicle: true;
  motorVehiclesOwned: number;
}

/** Pupils of the city's kindergartens and schools (学籍). */
export interface StudentStatusDoc {
  _id?: string;
  idNumber: string;
  schoolStage: 'preschool' | 'primary' | 'junior-secondary' | 'senior-secondary' | 'secondary-vocational';
}

/** Graduates of higher education (高校毕业生学历信息). */
export interface CollegeGraduateDoc {
  _id?: string;
  idNumber: string;
  collegeGraduatedOn: string;
  highestDegree: 'junior-college' | 'bachelor' | 'master' | 'doctorate';
}

/** Members of rural collective economic organisations (农村集体经济组织成员). */
export interface RuralCollectiveDoc {
  _id?: string;
  idNumber: string;
  ruralCollectiveMember: true;
}

/** Persons monitored against falling back into poverty (防止返贫监测对象). */
export interface PovertyMonitoringDoc {
  _id?: string;
  idNumber: string;
  povertyRelapseMonitored: true;
}

/** Women of 20-49 in the maternal health system (孕产妇保健、出生医学证明). */
export interface MaternalHealthDoc {
  _id?: string;
  idNumber: string;
  pregnancyRegistered: boolean;
  childrenCount: number;
}

/** Enterprises that hold or held a high-technology certificate, or are registered technology SMEs (科技型企业). */
export interface HighTechDoc {
  _id?: string;
  creditCode: string;
  /** The certificate is valid (issued within three years). */
  highTechCertified: boolean;
  /** The last certificate's date; absent for a technology SME never certified. */
  highTechCertifiedOn?: string;
  techSmeRegistered: boolean;
}

/** Annual tax returns (纳税申报). */
export interface TaxReturnDoc {
  _id?: string;
  creditCode: string;
  rdExpenseLastYear: number;
  taxPaidLastYear: number;
  vatTaxpayerType: 'general' | 'small-scale';
}

/** Enterprises under environmental supervision (生态环境监管). */
export interface EnvironmentalEnforcementDoc {
  _id?: string;
  creditCode: string;
  seriousEnvironmentalViolationLastYear: boolean;
}

/** Enterprises under work-safety supervision (安全生产监管). */
export interface WorkSafetyDoc {
  _id?: string;
  creditCode: string;
  majorSafetyAccidentLastYear: boolean;
}

/** Active employers' employment registrations last year (就业登记). */
export interface EnterpriseEmploymentDoc {
  _id?: string;
  creditCode: string;
  newJobsLastYear: number;
  graduatesHiredLastYear: number;
  registeredUnemployedHiredLastYear: number;
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
  dp_pension: PensionDoc;
  dp_medical_security: MedicalSecurityDoc;
  dp_low_income: LowIncomeDoc;
  dp_elderly_care: ElderlyCareDoc;
  dp_veterans: VeteranDoc;
  dp_housing_fund: HousingFundDoc;
  dp_real_estate: RealEstateDoc;
  dp_motor_vehicles: MotorVehicleDoc;
  dp_student_status: StudentStatusDoc;
  dp_college_graduates: CollegeGraduateDoc;
  dp_rural_collective: RuralCollectiveDoc;
  dp_poverty_monitoring: PovertyMonitoringDoc;
  dp_maternal_health: MaternalHealthDoc;
  dp_high_tech: HighTechDoc;
  dp_tax_returns: TaxReturnDoc;
  dp_environmental_enforcement: EnvironmentalEnforcementDoc;
  dp_work_safety: WorkSafetyDoc;
  dp_enterprise_employment: EnterpriseEmploymentDoc;
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
