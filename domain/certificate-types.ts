/**
 * The certificate types applyfree issues (电子证照目录), as data: each type's title, the
 * department(s) whose seals sign it, its fields and validity, and the PDF template. Checked when
 * this module loads (a malformed entry stops the process at start, not an issuance at night), so a
 * new type is one entry here, reviewed like a policy. The issuing departments are named here too:
 * the registry of seals (store/seals.ts) keys them by these IDs.
 */
import { DEPARTMENT_ID_PATTERN } from './departments.js';
import type { CertificateType } from './certificates.js';
import type { Text } from './sources.js';

/** The departments that seal certificates, by ID, with the name a certificate and the seal registry show. */
export const SEALING_DEPARTMENTS: Readonly<Record<string, Text>> = {
  'civil-affairs': { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' },
  'education-bureau': { zh: '市教育局', en: 'Municipal Education Bureau' },
  'health-commission': { zh: '市卫生健康委员会', en: 'Municipal Health Commission' },
  'human-resources-social-security': {
    zh: '市人力资源和社会保障局',
    en: 'Municipal Human Resources and Social Security Bureau',
  },
  'disabled-persons-federation': { zh: '市残疾人联合会', en: 'Municipal Disabled Persons’ Federation' },
  'market-supervision': { zh: '市市场监督管理局', en: 'Municipal Market Supervision Administration' },
  /** The certificate registry itself (电子证照库): it seals the revocation list, never a certificate. */
  'certificate-registry': { zh: '市电子证照库', en: 'Municipal Electronic Certificate Registry' },
};

const TYPES: CertificateType[] = [
  {
    id: 'senior-preferential-card',
    title: { zh: '老年人优待证', en: 'Senior preferential card' },
    departments: ['civil-affairs'],
    holderKind: 'person',
    template: 'card',
    fields: [
      { key: 'birthDate', label: { zh: '出生日期', en: 'Date of birth' }, type: 'date', sensitive: true },
      { key: 'district', label: { zh: '户籍所在区县', en: 'District' }, type: 'string' },
      {
        key: 'entitlements',
        label: { zh: '优待项目', en: 'Preferential treatment' },
        type: 'text',
      },
    ],
  },
  {
    id: 'decision-letter',
    title: { zh: '决定书', en: 'Decision letter' },
    // The deciding policy's department seals it: named when the letter is issued.
    departments: [],
    departmentsNamedAtIssuance: true,
    holderKind: 'person',
    template: 'letter',
    fields: [
      { key: 'policyTitle', label: { zh: '事项', en: 'Matter' }, type: 'string' },
      { key: 'outcome', label: { zh: '决定', en: 'Decision' }, type: 'string' },
      { key: 'decidedOn', label: { zh: '决定日期', en: 'Decided on' }, type: 'date' },
      { key: 'amountFen', label: { zh: '金额（分）', en: 'Amount (fen)' }, type: 'number', optional: true },
      { key: 'reasons', label: { zh: '理由', en: 'Reasons' }, type: 'text' },
      { key: 'reference', label: { zh: '依据', en: 'Legal basis' }, type: 'text' },
      { key: 'remedy', label: { zh: '救济途径', en: 'How to object' }, type: 'text', optional: true },
    ],
  },
  {
    id: 'school-enrollment-notice',
    title: { zh: '入学通知书', en: 'School enrollment notice' },
    departments: ['education-bureau'],
    holderKind: 'person',
    template: 'notice',
    validityMonths: 12,
    fields: [
      { key: 'school', label: { zh: '学校', en: 'School' }, type: 'string' },
      { key: 'grade', label: { zh: '年级', en: 'Grade' }, type: 'string' },
      { key: 'reportOn', label: { zh: '报到日期', en: 'Report on' }, type: 'date' },
      { key: 'district', label: { zh: '学区', en: 'School district' }, type: 'string' },
    ],
  },
  {
    // 残疾人两项补贴：民政部门认定补贴，残联核实残疾等级，两个部门联合签章。
    id: 'disability-subsidy-certificate',
    title: { zh: '残疾人两项补贴资格证明', en: 'Disability subsidies eligibility certificate' },
    departments: ['civil-affairs', 'disabled-persons-federation'],
    holderKind: 'person',
    template: 'card',
    validityMonths: 12,
    fields: [
      { key: 'subsidies', label: { zh: '补贴项目', en: 'Subsidies' }, type: 'text' },
      {
        key: 'disabilityGrade',
        label: { zh: '残疾等级', en: 'Disability grade' },
        type: 'string',
        sensitive: true,
      },
      { key: 'from', label: { zh: '起始日期', en: 'From' }, type: 'date' },
    ],
  },
];

const FIELD_KEY = /^[a-z][A-Za-z0-9]{0,39}$/;
const TYPE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Why a type cannot be used: thrown at load, naming the type and what is wrong. */
export class CertificateTypeError extends Error {
  constructor(type: string, problem: string) {
    super(`certificate type ${type}: ${problem}`);
    this.name = 'CertificateTypeError';
  }
}

const hasText = (text: Text | undefined) => Boolean(text?.zh?.trim() && text?.en?.trim());

/** Checks one type: its ID, title, departments (known, distinct; none only when named at issuance), fields and validity. */
export function checkCertificateType(type: CertificateType): CertificateType {
  const fail = (problem: string) => new CertificateTypeError(type.id, problem);
  if (!TYPE_ID.test(type.id)) throw fail('the ID must be kebab-case');
  if (!hasText(type.title)) throw fail('the title needs zh and en');
  if (type.departments.length === 0 && !type.departmentsNamedAtIssuance)
    throw fail('name its departments, or set departmentsNamedAtIssuance');
  if (new Set(type.departments).size !== type.departments.length) throw fail('a department is named twice');
  for (const department of type.departments)
    if (!DEPARTMENT_ID_PATTERN.test(department) || !SEALING_DEPARTMENTS[department])
      throw fail(`department ${department} is not among the sealing departments`);
  if (type.fields.length === 0) throw fail('it has no fields');
  const keys = new Set<string>();
  for (const field of type.fields) {
    if (!FIELD_KEY.test(field.key)) throw fail(`field key "${field.key}" must be camelCase letters and digits`);
    if (keys.has(field.key)) throw fail(`field ${field.key} is listed twice`);
    keys.add(field.key);
    if (!hasText(field.label)) throw fail(`field ${field.key} needs a zh and en label`);
  }
  if (type.validityMonths !== undefined && (!Number.isInteger(type.validityMonths) || type.validityMonths < 1))
    throw fail('validityMonths must be a whole number of months, 1 or more');
  return type;
}

/** Every type, checked once at load. */
export const CERTIFICATE_TYPES: ReadonlyMap<string, CertificateType> = new Map(
  TYPES.map((type) => [type.id, checkCertificateType(type)]),
);

/** A type by ID, or undefined. */
export const certificateType = (id: string): CertificateType | undefined => CERTIFICATE_TYPES.get(id);
