/**
 * Verification without a store (domain/certificate-verify.ts), the reasons the stack test does not
 * reach: a malformed or foreign document, a seal used outside its window or for a department the
 * document does not name, a user ID other than the default, a forged revocation list; and the
 * certificate types refuse a malformed entry at load.
 */
import { describe, expect, it } from 'vitest';
import {
  CERTIFICATE_FORMAT,
  type CertificateDocument,
  type PublicSeal,
  type SealSignature,
} from '../../domain/certificates.js';
import { checkCertificateType, CERTIFICATE_TYPES } from '../../domain/certificate-types.js';
import {
  readRevocationList,
  REVOCATION_LIST_FORMAT,
  revocationListPayload,
  signedPayload,
  verifyCertificate,
  type SignatureHeader,
} from '../../domain/certificate-verify.js';
import { generateSm2KeyPair, SM2_DEFAULT_USER_ID, sm2Sign } from '../../domain/sm2.js';

const civil = generateSm2KeyPair();
const registryKeys = generateSm2KeyPair();
const seal = (sealId: string, department: string, publicKey: string, extra: Partial<PublicSeal> = {}): PublicSeal => ({
  sealId,
  department,
  departmentName: { zh: department, en: department },
  name: { zh: `${department}电子印章`, en: `${department} e-seal` },
  algorithm: 'SM2-SM3',
  userId: SM2_DEFAULT_USER_ID,
  publicKey,
  validFrom: '2025-01-01T00:00:00.000Z',
  validTo: '2030-01-01T00:00:00.000Z',
  status: 'active',
  ...extra,
});
const registry = {
  seals: [
    seal('civil-affairs-000000000001', 'civil-affairs', civil.publicKeyPem),
    seal('certificate-registry-000000000001', 'certificate-registry', registryKeys.publicKeyPem),
  ],
};

const document: CertificateDocument = {
  format: CERTIFICATE_FORMAT,
  id: 'c_aaaaaaaaaaaaaaaaaaaaaaaa',
  type: 'senior-preferential-card',
  title: { zh: '老年人优待证', en: 'Senior preferential card' },
  holder: { subjectKey: 'p_aaaaaaaaaaaaaaaaaaaaaaaaaa', kind: 'person', displayName: '张秀英' },
  fields: { birthDate: '1963-01-15', district: '德城区', entitlements: '公共交通免费乘车' },
  issuedOn: '2026-01-15',
  issuedAt: '2026-01-15T02:00:00.000Z',
  basis: { kind: 'grant', ref: 'grant:x' },
  issuers: [{ department: 'civil-affairs', name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' } }],
};

function signed(header: Partial<SignatureHeader> = {}, doc: CertificateDocument = document, key = civil.privateKeyPem) {
  const full: SignatureHeader = {
    sealId: 'civil-affairs-000000000001',
    department: 'civil-affairs',
    algorithm: 'SM2-SM3',
    userId: SM2_DEFAULT_USER_ID,
    signedAt: '2026-01-15T02:00:00.000Z',
    ...header,
  };
  const signature: SealSignature = {
    ...full,
    signature: sm2Sign(key, signedPayload(doc, full), full.userId).toString('base64'),
  };
  return { document: doc, signatures: [signature] };
}

const codes = (value: unknown, today = '2026-02-01') =>
  verifyCertificate(value, registry, new Set(), today).failures.map((failure) => failure.code);

describe('verifying a certificate without the store', () => {
  it('answers valid, vouched for by the issuing department', () => {
    const result = verifyCertificate(signed(), registry, new Set(), '2026-02-01');
    expect(result).toMatchObject({ valid: true, failures: [], certificateId: document.id });
    expect(result.vouchedBy).toEqual([
      { department: 'civil-affairs', name: document.issuers[0].name, sealId: 'civil-affairs-000000000001' },
    ]);
  });

  it('answers MALFORMED for what is not a signed certificate, naming the member at fault', () => {
    expect(codes('not json')).toEqual(['MALFORMED']);
    const extra = { ...signed(), document: { ...document, secret: 'x' } };
    const result = verifyCertificate(extra, registry, new Set(), '2026-02-01');
    expect(result.failures[0].message.en).toContain('document.secret');
    expect(codes({ ...signed(), document: { ...document, fields: { amount: 1.5 } } })).toEqual(['MALFORMED']);
  });

  it('answers UNKNOWN_FORMAT for another format', () => {
    expect(codes({ ...signed(), document: { ...document, format: 'other/9' } })).toEqual(['UNKNOWN_FORMAT']);
  });

  it('answers SEAL_NOT_VALID_AT_SIGNING for a signature dated outside the seal’s window', () => {
    expect(codes(signed({ signedAt: '2031-01-01T00:00:00.000Z' }))).toEqual(['SEAL_NOT_VALID_AT_SIGNING']);
  });

  it('answers BAD_SIGNATURE when the signing time is changed after signing', () => {
    const moved = signed();
    moved.signatures[0].signedAt = '2026-01-16T02:00:00.000Z';
    expect(codes(moved)).toEqual(['BAD_SIGNATURE']);
  });

  it('refuses a user ID other than the GM/T 0009 default, though the signature is sound under it', () => {
    expect(codes(signed({ userId: 'ALICE123@YAHOO.COM' }))).toEqual(['BAD_SIGNATURE']);
  });

  it('answers SEAL_DEPARTMENT_MISMATCH and MISSING_SEAL when another department’s seal signs', () => {
    const other = {
      ...registry,
      seals: [...registry.seals, seal('education-bureau-000000000001', 'education-bureau', civil.publicKeyPem)],
    };
    const result = verifyCertificate(
      signed({ sealId: 'education-bureau-000000000001', department: 'education-bureau' }),
      other,
      new Set(),
      '2026-02-01',
    );
    expect(result.failures.map((failure) => failure.code)).toEqual(['SEAL_DEPARTMENT_MISMATCH', 'MISSING_SEAL']);
    expect(result.vouchedBy).toEqual([]);
  });

  it('lists every reason at once: a revoked, expired certificate', () => {
    const expiring = { ...document, validUntil: '2026-01-31' };
    expect(
      verifyCertificate(signed({}, expiring), registry, new Set([document.id]), '2026-02-01').failures.map(
        (f) => f.code,
      ),
    ).toEqual(['CERTIFICATE_REVOKED', 'EXPIRED']);
    expect(codes(signed({}, expiring), '2026-01-31')).toEqual([]);
  });
});

describe('the revocation list', () => {
  function list(revocations: Array<{ id: string; revokedAt: string }>, key = registryKeys.privateKeyPem) {
    const body = { format: REVOCATION_LIST_FORMAT, issuedAt: '2026-02-01T00:00:00.000Z', revocations } as const;
    const header: SignatureHeader = {
      sealId: 'certificate-registry-000000000001',
      department: 'certificate-registry',
      algorithm: 'SM2-SM3',
      userId: SM2_DEFAULT_USER_ID,
      signedAt: '2026-02-01T00:00:00.000Z',
    };
    return {
      ...body,
      revocations: [...revocations],
      signature: { ...header, signature: sm2Sign(key, revocationListPayload(body, header)).toString('base64') },
    };
  }

  it('is read when the certificate registry’s seal verifies it', () => {
    const read = readRevocationList(list([{ id: document.id, revokedAt: '2026-01-20T00:00:00.000Z' }]), registry);
    expect(read).toEqual({ revoked: new Set([document.id]) });
  });

  it('is refused when an entry was dropped, or another key sealed it', () => {
    const changed = list([{ id: document.id, revokedAt: '2026-01-20T00:00:00.000Z' }]);
    changed.revocations = [];
    expect(readRevocationList(changed, registry)).toHaveProperty('problem');
    expect(readRevocationList(list([], civil.privateKeyPem), registry)).toHaveProperty('problem');
    const { signature: _unsealed, ...unsealed } = list([]);
    expect(readRevocationList(unsealed, registry)).toHaveProperty('problem');
  });
});

describe('the certificate types', () => {
  it('are all valid, with a joint type sealed by two departments', () => {
    expect(CERTIFICATE_TYPES.get('disability-subsidy-certificate')?.departments).toHaveLength(2);
    expect(CERTIFICATE_TYPES.get('decision-letter')?.departmentsNamedAtIssuance).toBe(true);
  });

  it.each([
    ['an unknown department', { departments: ['ministry-of-magic'] }, /not among the sealing departments/],
    ['no department', { departments: [] }, /departmentsNamedAtIssuance/],
    ['a field twice', { fields: [...base().fields, base().fields[0]] }, /listed twice/],
    ['a validity of no months', { validityMonths: 0 }, /validityMonths/],
    ['a title without English', { title: { zh: '证', en: '' } }, /zh and en/],
  ])('refuse %s', (_name, change, message) => {
    expect(() => checkCertificateType({ ...base(), ...change })).toThrow(message);
  });
});

function base() {
  return structuredClone(CERTIFICATE_TYPES.get('senior-preferential-card')!) as Parameters<
    typeof checkCertificateType
  >[0];
}
