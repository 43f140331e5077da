/**
 * The codes' pure parts: a token carries a random ID and its MAC and nothing of the holder, reads
 * back under any master on the ring and not once a character changed; what a scan reveals keeps to
 * the matter's fields with sensitive ones masked; a verifier's registration names the field at
 * fault; and a verifier's key is not a department's of the same name.
 */
import { describe, expect, it } from 'vitest';
import { claimStatement, CODE_CLAIMS } from '../../domain/code-claims.js';
import { CODE_MATTERS, codeMatter, matterCertificate } from '../../domain/code-matters.js';
import { base32 } from '../../domain/base32.js';
import { CODE_TOKEN_PATTERN, codeToken, newCodeId, readCodeToken } from '../../domain/codes.js';
import { departmentSecret } from '../../domain/department-signature.js';
import type { CertificateType } from '../../domain/certificates.js';
import { subjectKey } from '../../domain/pseudonym.js';
import { makeResidentId } from '../../domain/identity.js';
import { verifierSecret } from '../../domain/verifier-signature.js';
import { validateVerifierSpec, VerifierSpecError, type VerifierSpec } from '../../domain/verifiers.js';
import { maskValue, revealedFields } from '../../services/codes/reveal.js';

const MASTER = 'a-master-secret-for-the-codes-unit-test';
const PREVIOUS = 'the-master-secret-before-the-rotation';

const SENIOR_CARD: CertificateType = {
  id: 'senior-preferential-card',
  title: { zh: '老年人优待证', en: 'Senior preferential card' },
  departments: ['civil-affairs'],
  holderKind: 'person',
  template: 'card',
  fields: [
    { key: 'birthDate', label: { zh: '出生日期', en: 'Date of birth' }, type: 'date', sensitive: true },
    { key: 'district', label: { zh: '户籍所在区县', en: 'District' }, type: 'string' },
    { key: 'entitlements', label: { zh: '优待项目', en: 'Preferential treatment' }, type: 'text' },
  ],
};

describe('a code token', () => {
  it('is base32 as RFC 4648 writes it', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32(Buffer.from('f'))).toBe('MY');
  });

  it('carries a random ID and its MAC, short enough for a small QR code, and nothing of the holder', () => {
    const id = newCodeId();
    const token = codeToken(MASTER, id);
    expect(token).toMatch(CODE_TOKEN_PATTERN);
    expect(token.length).toBe(58);
    expect(newCodeId()).not.toBe(id);
    const key = subjectKey('person', makeResidentId('371402', '1950-03-01', 7, 'female'), MASTER);
    expect(token).not.toContain(key.slice(2));
    expect(token).not.toMatch(/\d{17}[\dX]/);
  });

  it('reads back under the master that signed it, also after a rotation while it is on the ring', () => {
    const id = newCodeId();
    expect(readCodeToken(codeToken(MASTER, id), [MASTER])).toBe(id);
    expect(readCodeToken(codeToken(PREVIOUS, id), [MASTER, PREVIOUS])).toBe(id);
    expect(readCodeToken(codeToken(PREVIOUS, id), [MASTER])).toBeUndefined();
  });

  it.each([
    [
      'one character of the ID changed',
      (token: string) => token.slice(0, 6) + (token[6] === 'A' ? 'B' : 'A') + token.slice(7),
    ],
    ['one character of the MAC changed', (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')],
    ['the ID of another code under this MAC', (token: string) => `AFC1.${newCodeId()}.${token.split('.')[2]}`],
    ['another tag', (token: string) => token.replace('AFC1', 'AFC2')],
    ['lower-case', (token: string) => token.toLowerCase()],
    ['cut short', (token: string) => token.slice(0, -2)],
  ])('is refused with %s', (_what, alter) => {
    expect(readCodeToken(alter(codeToken(MASTER, newCodeId())), [MASTER])).toBeUndefined();
  });
});

describe('what a scan reveals', () => {
  it('masks a sensitive value to what an outsider may see', () => {
    expect(maskValue({ type: 'date' }, '1950-03-01')).toBe('1950-**-**');
    expect(maskValue({ type: 'number' }, 120000)).toBe('***');
    expect(maskValue({ type: 'string' }, '张秀英')).toBe('张**');
    expect(maskValue({ type: 'text' }, '李')).toBe('*');
  });

  it('keeps to the fields the matter may see, in the type’s order, a sensitive one masked', () => {
    const allowed = matterCertificate(codeMatter('senior-concession')!, SENIOR_CARD.id)!;
    const fields = revealedFields(SENIOR_CARD, allowed, {
      birthDate: '1950-03-01',
      district: '东港区',
      entitlements: '公园免票、公交免费',
      unlisted: 'never shown',
    });
    expect(fields).toEqual([
      { key: 'birthDate', label: SENIOR_CARD.fields[0].label, value: '1950-**-**', masked: true },
      { key: 'entitlements', label: SENIOR_CARD.fields[2].label, value: '公园免票、公交免费' },
    ]);
  });

  it('shows every field the type lists when the matter names none', () => {
    const fields = revealedFields(SENIOR_CARD, { type: SENIOR_CARD.id }, { district: '东港区', unlisted: 'x' });
    expect(fields.map((field) => field.key)).toEqual(['district']);
  });

  it('words a claim with the type’s title', () => {
    expect(claimStatement(CODE_CLAIMS[0], SENIOR_CARD.title)).toEqual({
      zh: '持有有效的老年人优待证',
      en: 'holds a valid Senior preferential card',
    });
  });

  it('has matters with distinct IDs, each with something to see', () => {
    expect(new Set(CODE_MATTERS.map((matter) => matter.id)).size).toBe(CODE_MATTERS.length);
    for (const matter of CODE_MATTERS) expect(matter.certificates.length + matter.claims.length).toBeGreaterThan(0);
  });
});

describe('a verifier’s registration', () => {
  const park: VerifierSpec = {
    id: 'peoples-park',
    name: { zh: '人民公园', en: 'People’s Park' },
    kind: 'outside',
    matters: ['senior-concession'],
  };

  it('is kept as given, trimmed', () => {
    expect(validateVerifierSpec({ ...park, name: { zh: ' 人民公园 ', en: 'People’s Park' } })).toEqual(park);
  });

  it.each<[string, Partial<VerifierSpec>, VerifierSpecError['field']]>([
    ['an ID that is not kebab-case', { id: 'Peoples_Park' }, 'id'],
    ['no Chinese name', { name: { zh: ' ', en: 'Park' } }, 'name.zh'],
    ['an unknown kind', { kind: 'bank' as never }, 'kind'],
    ['a department’s verifier without its department', { kind: 'department' }, 'department'],
    ['an outside party naming a department', { department: 'civil-affairs' }, 'department'],
    ['no matter', { matters: [] }, 'matters'],
    ['a matter that is not one', { matters: ['everything'] }, 'matters'],
  ])('refuses %s, naming the field', (_what, change, field) => {
    expect(() => validateVerifierSpec({ ...park, ...change })).toThrow(
      expect.objectContaining({ name: 'VerifierSpecError', field }),
    );
  });

  it('gets keys of its own purpose: a verifier and a department of one ID never share a secret', () => {
    expect(verifierSecret(MASTER, 'civil-affairs', '0123456789abcdef')).not.toBe(
      departmentSecret(MASTER, 'civil-affairs', '0123456789abcdef'),
    );
  });
});
