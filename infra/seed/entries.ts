/**
 * Which shared-data collection each generated record goes to: one list for the seeder's writes
 * and for the benchmarks that read the same city without a database (bench/facts.ts), so a
 * source added to the catalog and the generators is written and read alike.
 */
import type { SharedCollectionName } from '../../store/shared-data.js';
import type { EnterpriseRecord } from './enterprises.js';
import type { PersonRecord } from './persons.js';

export type CollectionDoc = readonly [SharedCollectionName, object];

/** The collection of each department record a resident may have (person-facts.ts). */
const PERSON_DEPARTMENTS = {
  pension: 'dp_pension',
  medical: 'dp_medical_security',
  lowIncome: 'dp_low_income',
  elderly: 'dp_elderly_care',
  veteran: 'dp_veterans',
  housingFund: 'dp_housing_fund',
  realEstate: 'dp_real_estate',
  vehicles: 'dp_motor_vehicles',
  student: 'dp_student_status',
  graduate: 'dp_college_graduates',
  rural: 'dp_rural_collective',
  poverty: 'dp_poverty_monitoring',
  maternal: 'dp_maternal_health',
} as const satisfies Record<keyof PersonRecord['departments'], SharedCollectionName>;

/** The collection of each department record an enterprise may have (enterprise-facts.ts). */
const ENTERPRISE_DEPARTMENTS = {
  highTech: 'dp_high_tech',
  taxReturns: 'dp_tax_returns',
  environment: 'dp_environmental_enforcement',
  safety: 'dp_work_safety',
  employment: 'dp_enterprise_employment',
} as const satisfies Record<keyof EnterpriseRecord['departments'], SharedCollectionName>;

function departmentDocs<Docs extends object>(
  records: Docs,
  collections: Record<keyof Docs, SharedCollectionName>,
): CollectionDoc[] {
  const docs: CollectionDoc[] = [];
  for (const key of Object.keys(collections) as Array<keyof Docs>) {
    const doc = records[key];
    if (doc) docs.push([collections[key], doc as object]);
  }
  return docs;
}

/** A resident's documents, one per collection that holds a record of them. */
export function personDocs(p: PersonRecord): CollectionDoc[] {
  const docs: CollectionDoc[] = [
    ['dp_household_registry', p.household],
    ['dp_civil_affairs', p.civil],
    ['dp_social_insurance', p.social],
    ['dp_social_security_card', p.bankAccount],
  ];
  if (p.disability) docs.push(['dp_disability', p.disability]);
  if (p.education) docs.push(['dp_education', p.education]);
  return [...docs, ...departmentDocs(p.departments, PERSON_DEPARTMENTS)];
}

/** An enterprise's documents, one per collection that holds a record of it. */
export function enterpriseDocs(e: EnterpriseRecord): CollectionDoc[] {
  return [
    ['dp_business_registry', e.registry],
    ['dp_enterprise_insurance', e.insurance],
    ['dp_tax', e.tax],
    ['dp_credit', e.credit],
    ...departmentDocs(e.departments, ENTERPRISE_DEPARTMENTS),
  ];
}
