/**
 * What a department may publish and how its requests are signed, without servers: the rules
 * ingestion applies to every publication (domain/departments.ts), a registration's checks, and the
 * signed-request scheme (domain/department-signature.ts) — a signature that covers the method,
 * target, time, nonce and exact body, a secret that depends on the department, the key and the
 * master, and a fingerprint that tells the issued secret from any other.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEPARTMENT_HEADERS,
  credentialFingerprint,
  departmentSecret,
  fingerprintMatches,
  signDepartmentRequest,
  signatureMatches,
  timestampInWindow,
  type DepartmentClaim,
} from '../../domain/department-signature.js';
import {
  DepartmentSpecError,
  PublicationRefusal,
  checkPublication,
  validateDepartmentSpec,
  type DepartmentSpec,
  type Publisher,
} from '../../domain/departments.js';

const household: Publisher = {
  department: 'public-security-household',
  sources: ['household-registry'],
  eventTypes: ['birth.registered', 'death.registered'],
  backdatingDays: 30,
};
const TODAY = '2026-12-05';

describe('a publication', () => {
  it.each([
    [
      'its own source and type, dated today',
      { source: 'household-registry', type: 'birth.registered', occurredOn: TODAY },
    ],
    [
      'dated at the edge of its 30-day window',
      { source: 'household-registry', type: 'death.registered', occurredOn: '2026-11-05' },
    ],
  ])('is allowed: %s', (_what, event) => {
    expect(() => checkPublication(household, event, TODAY)).not.toThrow();
  });

  it.each([
    [
      'another department’s source',
      { source: 'civil-affairs', type: 'birth.registered', occurredOn: TODAY },
      'SOURCE_NOT_ALLOWED',
      'source',
    ],
    [
      'a type it is not registered for',
      { source: 'household-registry', type: 'marriage.registered', occurredOn: TODAY },
      'EVENT_TYPE_NOT_ALLOWED',
      'type',
    ],
    [
      'a date one day before its window',
      { source: 'household-registry', type: 'birth.registered', occurredOn: '2026-11-04' },
      'BACKDATED',
      'occurredOn',
    ],
  ])('is refused: %s', (_what, event, code, field) => {
    let refusal: unknown;
    try {
      checkPublication(household, event, TODAY);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(PublicationRefusal);
    expect(refusal).toMatchObject({ code, field, kind: code === 'BACKDATED' ? 'invalid' : 'forbidden' });
  });
});

describe('a registration', () => {
  const spec: DepartmentSpec = {
    id: 'public-security-household',
    name: { zh: '市公安局户政', en: 'Public Security household registration' },
    sources: ['household-registry', 'household-registry'],
    eventTypes: ['birth.registered'],
    backdatingDays: 30,
  };

  it('is kept with each source and type once', () => {
    expect(validateDepartmentSpec(spec).sources).toEqual(['household-registry']);
  });

  it.each([
    ['an ID with a slash (it is part of the key’s HKDF context)', { id: 'household/1' }, 'id'],
    ['an ID in capitals', { id: 'Household' }, 'id'],
    ['no English name', { name: { zh: '户政', en: ' ' } }, 'name.en'],
    ['no source', { sources: [] }, 'sources'],
    ['a source with spaces', { sources: ['household registry'] }, 'sources'],
    ['an event type not in the catalog', { eventTypes: ['birth.registerd'] }, 'eventTypes'],
    ['a negative window', { backdatingDays: -1 }, 'backdatingDays'],
    ['a window of half a day', { backdatingDays: 0.5 }, 'backdatingDays'],
  ])('is refused with %s, naming the field', (_what, change, field) => {
    expect(() => validateDepartmentSpec({ ...spec, ...change })).toThrow(
      expect.objectContaining({ name: 'DepartmentSpecError', field }),
    );
    expect(() => validateDepartmentSpec({ ...spec, ...change })).toThrow(DepartmentSpecError);
  });
});

describe('a signed request', () => {
  const MASTER = 'a-master-secret-of-at-least-32-characters';
  const credential = {
    department: 'public-security-household',
    keyId: '0123456789abcdef',
    secret: departmentSecret(MASTER, 'public-security-household', '0123456789abcdef'),
  };
  const body = '{"sourceEventId":"GA-HJ-1"}';
  const headers = signDepartmentRequest(
    credential,
    { method: 'post', path: '/events', body },
    { timestamp: 1_764_900_000, nonce: 'nonce-0123456789abcdef' },
  );
  const claim = (overrides: Partial<DepartmentClaim> = {}, sentBody = body): DepartmentClaim => ({
    department: headers[DEPARTMENT_HEADERS.department],
    keyId: headers[DEPARTMENT_HEADERS.keyId],
    timestamp: headers[DEPARTMENT_HEADERS.timestamp],
    nonce: headers[DEPARTMENT_HEADERS.nonce],
    signature: headers[DEPARTMENT_HEADERS.signature],
    method: 'POST',
    path: '/events',
    bodySha256: createHash('sha256').update(sentBody).digest('hex'),
    ...overrides,
  });

  it('verifies under its secret, the method upper-cased', () => {
    expect(signatureMatches(credential.secret, claim())).toBe(true);
  });

  it.each([
    ['another body', claim({}, '{"sourceEventId":"GA-HJ-2"}')],
    ['another path', claim({ path: '/events?x=1' })],
    ['another method', claim({ method: 'PUT' })],
    ['another timestamp', claim({ timestamp: '1764900001' })],
    ['another nonce', claim({ nonce: 'nonce-0123456789abcdeg' })],
  ])('does not verify for %s', (_what, changed) => {
    expect(signatureMatches(credential.secret, changed)).toBe(false);
  });

  it('has a secret of its own per department, key and master, recognised by its fingerprint only', () => {
    const others = [
      departmentSecret(MASTER, 'health-commission', credential.keyId),
      departmentSecret(MASTER, credential.department, 'fedcba9876543210'),
      departmentSecret(`${MASTER}-rotated`, credential.department, credential.keyId),
    ];
    expect(new Set([credential.secret, ...others]).size).toBe(4);
    const fingerprint = credentialFingerprint(credential.secret);
    expect(fingerprint).not.toContain(credential.secret);
    expect(fingerprintMatches(credential.secret, fingerprint)).toBe(true);
    for (const other of others) {
      expect(fingerprintMatches(other, fingerprint)).toBe(false);
      expect(signatureMatches(other, claim())).toBe(false);
    }
  });

  it('is in its window up to five minutes either way', () => {
    expect(timestampInWindow('1764900000', 1_764_900_300)).toBe(true);
    expect(timestampInWindow('1764900000', 1_764_899_700)).toBe(true);
    expect(timestampInWindow('1764900000', 1_764_900_301)).toBe(false);
    expect(timestampInWindow('1764900000', 1_764_899_699)).toBe(false);
  });
});
