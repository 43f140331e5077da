/**
 * The list of benefits (待遇目录): each benefit a policy can grant has a code, a name in both
 * languages and a kind. A policy names its benefit by code (`benefit.code`), so the duplicate-benefit
 * check (rules/cross-checks.ts) compares what is granted, not how its description is worded: two
 * policies paying the old-age allowance are a duplicate however they describe it, and two
 * similarly worded but different benefits are not.
 *
 * Shipped versions written before codes are mapped by policy id (SHIPPED_BENEFIT_CODES) rather than
 * edited: a published version never changes, its content hash is pinned by running cases and
 * recorded workflow histories (test/histories), and the catalog import refuses a shipped file that
 * differs from the version published under its number. A version that names a code carries it in
 * its content (and so in its hash); one that does not hashes exactly as before.
 */
import type { Text } from './sources.js';

/** What kind of benefit: the same kinds a policy's benefit has (rules/types.ts Benefit). */
export type BenefitCodeKind = 'cash' | 'service' | 'card' | 'enrollment';

export interface BenefitCode {
  /** Upper-case words joined by hyphens, e.g. `ELDER-ALLOWANCE`. */
  code: string;
  name: Text;
  kind: BenefitCodeKind;
}

/** The form of a code. */
export const BENEFIT_CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$/;

/** The benefits of the main social-assistance, elderly-care, disability, education, employment and enterprise-support policies. */
export const BENEFIT_CODES: readonly BenefitCode[] = [
  { code: 'ELDER-ALLOWANCE', name: { zh: '高龄津贴', en: 'old-age allowance' }, kind: 'cash' },
  { code: 'ELDER-CARD', name: { zh: '老年人优待证', en: 'senior preferential card' }, kind: 'card' },
  { code: 'ELDER-HOME-CARE', name: { zh: '居家养老服务', en: 'home care for the elderly' }, kind: 'service' },
  {
    code: 'ELDER-CARE-SUBSIDY',
    name: { zh: '经济困难老年人养老服务补贴', en: 'elderly-care subsidy for low-income seniors' },
    kind: 'cash',
  },
  { code: 'CHILDCARE-SUBSIDY', name: { zh: '育儿补贴', en: 'childcare subsidy' }, kind: 'cash' },
  { code: 'SCHOOL-PLACE', name: { zh: '义务教育学位', en: 'compulsory-school place' }, kind: 'enrollment' },
  {
    code: 'STUDENT-AID',
    name: { zh: '家庭经济困难学生资助', en: 'aid for students from low-income families' },
    kind: 'cash',
  },
  {
    code: 'DISABILITY-LIVING-SUBSIDY',
    name: { zh: '困难残疾人生活补贴', en: 'living subsidy for disabled people in hardship' },
    kind: 'cash',
  },
  {
    code: 'DISABILITY-CARE-SUBSIDY',
    name: { zh: '重度残疾人护理补贴', en: 'care subsidy for the severely disabled' },
    kind: 'cash',
  },
  {
    code: 'DISABILITY-REHAB',
    name: { zh: '残疾人基本康复服务', en: 'basic rehabilitation for disabled people' },
    kind: 'service',
  },
  {
    code: 'MINIMUM-LIVING-ALLOWANCE',
    name: { zh: '最低生活保障金', en: 'minimum living allowance (dibao)' },
    kind: 'cash',
  },
  {
    code: 'EXTREME-POVERTY-SUPPORT',
    name: { zh: '特困人员救助供养金', en: 'support for people in extreme poverty' },
    kind: 'cash',
  },
  { code: 'TEMPORARY-ASSISTANCE', name: { zh: '临时救助金', en: 'temporary assistance' }, kind: 'cash' },
  { code: 'UNEMPLOYMENT-BENEFIT', name: { zh: '失业保险金', en: 'unemployment insurance benefit' }, kind: 'cash' },
  { code: 'STARTUP-SUBSIDY', name: { zh: '一次性创业补贴', en: 'one-off business start-up subsidy' }, kind: 'cash' },
  { code: 'JOB-STABILISATION-REFUND', name: { zh: '失业保险稳岗返还', en: 'job-stabilisation refund' }, kind: 'cash' },
  { code: 'EMPLOYMENT-SUBSIDY', name: { zh: '吸纳就业补贴', en: 'subsidy for hiring' }, kind: 'cash' },
  {
    code: 'SKILLS-TRAINING-SUBSIDY',
    name: { zh: '职业技能培训补贴', en: 'vocational training subsidy' },
    kind: 'cash',
  },
];

/**
 * The code of each shipped policy's benefit, for its versions that name none (see the module
 * comment: published versions are not edited to add one).
 */
export const SHIPPED_BENEFIT_CODES: Readonly<Record<string, string>> = {
  'old-age-allowance': 'ELDER-ALLOWANCE',
  'senior-preferential-card': 'ELDER-CARD',
  'childcare-subsidy': 'CHILDCARE-SUBSIDY',
  'compulsory-school-enrollment': 'SCHOOL-PLACE',
  'disability-living-subsidy': 'DISABILITY-LIVING-SUBSIDY',
  'severe-disability-care-subsidy': 'DISABILITY-CARE-SUBSIDY',
  'unemployment-insurance-benefit': 'UNEMPLOYMENT-BENEFIT',
  'business-startup-subsidy': 'STARTUP-SUBSIDY',
  'job-stabilisation-refund': 'JOB-STABILISATION-REFUND',
};

/** The listed benefit with this code, or undefined. */
export function findBenefitCode(code: string): BenefitCode | undefined {
  return BENEFIT_CODES.find((entry) => entry.code === code);
}

/** The benefit code of a policy version: the one it names, else its shipped policy's, else none. */
export function benefitCodeOf(policy: { id: string; benefit: { code?: string } }): string | undefined {
  return policy.benefit.code ?? SHIPPED_BENEFIT_CODES[policy.id];
}
