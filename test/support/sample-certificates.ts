/**
 * Signed certificates written by hand for the PDF's tests, one per template: a senior preferential
 * card under one seal, a joint decision letter under two (多部门联合签章), and a school enrollment
 * notice. The signatures are stand-in bytes: the renderer shows a signature's fingerprint and
 * verifies nothing.
 */
import { createHash } from 'node:crypto';
import {
  CERTIFICATE_FORMAT,
  SEAL_ALGORITHM,
  type CertificateDocument,
  type CertificateType,
  type SealSignature,
  type SignedCertificate,
} from '../../domain/certificates.js';

export interface SampleCertificate {
  signed: SignedCertificate;
  type: CertificateType;
}

const CIVIL_AFFAIRS = { department: 'civil-affairs', name: { zh: '市民政局', en: 'Civil Affairs Bureau' } };
const HUMAN_RESOURCES = {
  department: 'human-resources-social-security',
  name: { zh: '市人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
};
const EDUCATION = { department: 'education', name: { zh: '市教育局', en: 'Education Bureau' } };

/** 72 stand-in bytes (the length of a DER SM2 signature), different for each seal. */
function standInSignature(sealId: string, department: string): SealSignature {
  const bytes = Buffer.concat([
    createHash('sha256').update(`r:${sealId}`).digest(),
    createHash('sha256').update(`s:${sealId}`).digest(),
  ]);
  return {
    sealId,
    department,
    algorithm: SEAL_ALGORITHM,
    userId: '1234567812345678',
    signature: Buffer.concat([
      Buffer.from([0x30, 0x44, 0x02, 0x20]),
      bytes.subarray(0, 32),
      Buffer.from([0x02, 0x20]),
      bytes.subarray(32),
    ]).toString('base64'),
    signedAt: '2025-03-01T02:15:00.000Z',
  };
}

type Party = { department: string; name: { zh: string; en: string } };

/**
 * A sample of `type`: its document says the type's ID and title and is issued by `issuers`, each
 * sealing it with the seal named beside it.
 */
function sample(
  type: CertificateType,
  issuers: Array<[Party, string]>,
  { id, ...document }: Omit<CertificateDocument, 'format' | 'type' | 'title' | 'issuers'>,
): SampleCertificate {
  return {
    type,
    signed: {
      document: {
        format: CERTIFICATE_FORMAT,
        id,
        type: type.id,
        title: { ...type.title },
        ...document,
        issuers: issuers.map(([party]) => party),
      },
      signatures: issuers.map(([party, sealId]) => standInSignature(sealId, party.department)),
    },
  };
}

export const SENIOR_CARD = sample(
  {
    id: 'senior-preferential-card',
    title: { zh: '老年人优待证', en: 'Senior Citizen Preferential Card' },
    departments: [CIVIL_AFFAIRS.department],
    holderKind: 'person',
    fields: [
      { key: 'birthDate', label: { zh: '出生日期', en: 'Date of birth' }, type: 'date', sensitive: true },
      { key: 'benefits', label: { zh: '优待项目', en: 'Benefits' }, type: 'text' },
    ],
    validityMonths: 60,
    template: 'card',
  },
  [[CIVIL_AFFAIRS, 'seal-civil-affairs-2025']],
  {
    id: 'CERT-2025-7Q4M9X2K',
    holder: { subjectKey: 'p_3f9a1c7e5b2d4a60', kind: 'person', displayName: '张秀英' },
    fields: { birthDate: '1955-02-14', benefits: '公园景区免票，公交免费乘车' },
    issuedOn: '2025-03-01',
    issuedAt: '2025-03-01T02:15:00.000Z',
    validUntil: '2030-02-28',
    basis: { kind: 'grant', ref: 'senior-card:2025-03' },
  },
);

export const JOINT_DECISION = sample(
  {
    id: 'decision-letter',
    title: { zh: '给予待遇决定书', en: 'Decision to Grant a Benefit' },
    departments: [CIVIL_AFFAIRS.department, HUMAN_RESOURCES.department],
    holderKind: 'person',
    fields: [
      { key: 'benefit', label: { zh: '待遇项目', en: 'Benefit' }, type: 'string' },
      { key: 'amountYuan', label: { zh: '每月金额（元）', en: 'Monthly amount (CNY)' }, type: 'number' },
      { key: 'from', label: { zh: '起始日期', en: 'From' }, type: 'date' },
      { key: 'reason', label: { zh: '决定理由', en: 'Grounds' }, type: 'text' },
    ],
    template: 'letter',
  },
  [
    [CIVIL_AFFAIRS, 'seal-civil-affairs-2025'],
    [HUMAN_RESOURCES, 'seal-hrss-2025'],
  ],
  {
    id: 'CERT-2025-J8D3W5RA',
    holder: { subjectKey: 'p_8c2e6a4d0f1b3957', kind: 'person', displayName: '李建国' },
    fields: {
      benefit: '高龄津贴',
      amountYuan: 200,
      from: '2025-04-01',
      reason: '经共享数据核实，您已年满八十周岁且户籍在本市，符合高龄津贴发放条件，免申即享。',
    },
    issuedOn: '2025-03-01',
    issuedAt: '2025-03-01T02:15:00.000Z',
    basis: { kind: 'decision', ref: 'old-age-allowance:2025-04' },
  },
);

export const ENROLLMENT_NOTICE = sample(
  {
    id: 'school-enrollment-notice',
    title: { zh: '入学通知书', en: 'School Enrollment Notice' },
    departments: [EDUCATION.department],
    holderKind: 'person',
    fields: [
      { key: 'school', label: { zh: '学校', en: 'School' }, type: 'string' },
      { key: 'grade', label: { zh: '年级', en: 'Grade' }, type: 'string' },
      { key: 'reportOn', label: { zh: '报到日期', en: 'Report on' }, type: 'date' },
    ],
    validityMonths: 6,
    template: 'notice',
  },
  [[EDUCATION, 'seal-education-2025']],
  {
    id: 'CERT-2025-N2T6Y4PB',
    holder: { subjectKey: 'p_51d7b3e9a2c4f608', kind: 'person', displayName: '王小明' },
    fields: { school: '第一实验小学', grade: '一年级', reportOn: '2025-09-01' },
    issuedOn: '2025-07-15',
    issuedAt: '2025-07-15T01:00:00.000Z',
    validUntil: '2026-01-14',
    basis: { kind: 'enrollment', ref: 'enrollment:2025' },
  },
);
