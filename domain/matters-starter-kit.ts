/**
 * The pieces the starter list of matters (domain/matters-starter*.ts) is written with: the
 * city's departments, form fields filled from a catalog fact or typed, and the paper proofs that
 * recur across matters (户口簿, 营业执照, …) — so each matter reads as what it asks, and a proof
 * shared by many matters is titled and replaced the same way in each. Pure: the console bundles it.
 */
import type { FieldInput, MatterField, MatterProof, ProofReplacement } from './matters.js';
import type { Text } from './sources.js';

const dept = (id: string, zh: string, en: string) => ({ id, name: { zh, en } });

/** The handling departments of the starter list (德州市 and its districts' counterparts). */
export const DEPARTMENTS = {
  civilAffairs: dept('civil-affairs', '市民政局', 'Municipal Civil Affairs Bureau'),
  publicSecurity: dept('public-security', '市公安局', 'Municipal Public Security Bureau'),
  humanResources: dept(
    'human-resources-social-security',
    '市人力资源和社会保障局',
    'Municipal Human Resources and Social Security Bureau',
  ),
  health: dept('health-commission', '市卫生健康委员会', 'Municipal Health Commission'),
  education: dept('education-bureau', '市教育局', 'Municipal Education Bureau'),
  medicalSecurity: dept('medical-security', '市医疗保障局', 'Municipal Healthcare Security Administration'),
  veterans: dept('veterans-affairs', '市退役军人事务局', 'Municipal Veterans Affairs Bureau'),
  housingFund: dept('housing-provident-fund', '市住房公积金管理中心', 'Municipal Housing Provident Fund Centre'),
  disabledPersons: dept('disabled-persons-federation', '市残疾人联合会', 'Municipal Disabled Persons’ Federation'),
  scienceTechnology: dept('science-technology', '市科学技术局', 'Municipal Science and Technology Bureau'),
  emergency: dept('emergency-management', '市应急管理局', 'Municipal Emergency Management Bureau'),
  ecology: dept('ecology-environment', '市生态环境局', 'Municipal Ecology and Environment Bureau'),
  developmentReform: dept('development-reform', '市发展和改革委员会', 'Municipal Development and Reform Commission'),
  marketSupervision: dept('market-supervision', '市市场监督管理局', 'Municipal Market Supervision Administration'),
  taxation: dept('taxation', '国家税务总局德州市税务局', 'Dezhou Municipal Tax Service, STA'),
} as const;

/** A form field shared data fills (免填写). */
export const filled = (id: string, zh: string, en: string, fact: string, required = true): MatterField => ({
  id,
  label: { zh, en },
  fact,
  required,
});

/** A form field the applicant types. */
export const typed = (
  id: string,
  zh: string,
  en: string,
  input: FieldInput = 'text',
  required = true,
): MatterField => ({
  id,
  label: { zh, en },
  input,
  required,
});

export const contactPhone = (): MatterField => typed('contact-phone', '联系电话', 'Contact phone');
export const contactPerson = (): MatterField => typed('contact-person', '经办人', 'Contact person');

/** A proof as people knew it, with how it is obtained now. */
export const proof = (id: string, title: Text, issuedBy: Text, replacement: ProofReplacement): MatterProof => ({
  id,
  title,
  issuedBy,
  replacement,
});

export const sharing = (...facts: string[]): ProofReplacement => ({ method: 'sharing', facts });
export const verification = (claim: string): ProofReplacement => ({ method: 'verification', claim });
export const certificate = (certificateType: string): ProofReplacement => ({ method: 'certificate', certificateType });
export const pledge = (zh: string, en: string): ProofReplacement => ({ method: 'pledge', statement: { zh, en } });
export const cancelled = (zh: string, en: string): ProofReplacement => ({ method: 'cancelled', basis: { zh, en } });
export const PAPER: ProofReplacement = { method: 'paper' };

const BY = {
  publicSecurity: { zh: '公安机关', en: 'public security bureau' },
  civilAffairs: { zh: '民政部门', en: 'civil affairs bureau' },
  marriageRegistry: { zh: '民政部门（婚姻登记机关）', en: 'civil affairs bureau (marriage registry)' },
  disabledPersons: { zh: '残疾人联合会', en: 'disabled persons’ federation' },
  marketSupervision: { zh: '市场监督管理部门', en: 'market supervision administration' },
  socialInsurance: { zh: '社会保险经办机构', en: 'social insurance agency' },
  committee: { zh: '村（居）民委员会', en: 'village or neighbourhood committee' },
  employer: { zh: '工作单位', en: 'employer' },
  hospital: { zh: '医疗机构', en: 'hospital' },
  firm: { zh: '申请企业', en: 'the firm' },
  realEstate: { zh: '不动产登记机构', en: 'real estate registry' },
  credit: { zh: '信用主管部门', en: 'credit authority' },
} as const;
export { BY as ISSUERS };

/** 户口簿, read from the household registry by the facts given. */
export const householdRegister = (...facts: string[]): MatterProof =>
  proof(
    'household-register',
    { zh: '户口簿', en: 'household register (hukou booklet)' },
    BY.publicSecurity,
    sharing(...facts),
  );

/** 低保证 / 特困证, verified by civil affairs. */
export const assistanceCertificate = (): MatterProof =>
  proof(
    'assistance-certificate',
    { zh: '低保证或特困人员救助供养证', en: 'minimum-living-allowance or special-hardship certificate' },
    BY.civilAffairs,
    verification('receives-social-assistance'),
  );

/** 残疾人证, verified by the disabled persons' federation (the claim decides which grades). */
export const disabilityCard = (claim = 'disability-certified'): MatterProof =>
  proof('disability-card', { zh: '残疾人证', en: 'disability certificate' }, BY.disabledPersons, verification(claim));

/** 结婚证 / 离婚证, read from the marriage registry. */
export const marriageCertificate = (): MatterProof =>
  proof(
    'marriage-certificate',
    { zh: '结婚证或离婚证', en: 'marriage or divorce certificate' },
    BY.marriageRegistry,
    sharing('person.maritalStatus'),
  );

/** 收入证明 from the employer, replaced by the applicant's pledge. */
export const incomeProof = (): MatterProof =>
  proof(
    'income-proof',
    { zh: '收入证明（单位出具）', en: 'proof of income (from the employer)' },
    BY.employer,
    pledge(
      '本人承诺所报家庭收入真实完整，如有隐瞒，愿退回所得待遇并承担相应责任。',
      'I pledge that the household income I state is true and complete; if anything is hidden, I will repay what I received and accept the consequences.',
    ),
  );

/** 营业执照, verified with the business registry. */
export const businessLicence = (): MatterProof =>
  proof(
    'business-licence',
    { zh: '营业执照副本', en: 'business licence (copy)' },
    BY.marketSupervision,
    verification('enterprise-in-operation'),
  );

/** 信用报告 / 无失信证明, verified with the credit authority. */
export const creditReport = (): MatterProof =>
  proof(
    'credit-report',
    { zh: '信用报告（无严重失信证明）', en: 'credit report (no serious dishonesty)' },
    BY.credit,
    verification('no-serious-dishonesty'),
  );

/** 社会保险缴费证明 of a firm, verified with the social insurance agency. */
export const premiumsProof = (): MatterProof =>
  proof(
    'social-insurance-proof',
    { zh: '社会保险缴费证明', en: 'proof of social insurance contributions' },
    BY.socialInsurance,
    verification('no-social-insurance-arrears'),
  );
