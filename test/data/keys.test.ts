import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openCursor, sealCursor } from '../../activities/sweep-cursor.js';
import { deriveKey, KEY_PURPOSES, type KeyPurpose } from '../../domain/keys.js';
import { candidateSubjectKeys, ringSecrets, subjectKey } from '../../domain/pseudonym.js';

const MASTER = 'a-master-secret-of-at-least-32-characters';
const OLD = 'an-older-master-secret-of-32-characters-too';

describe('per-purpose keys (HKDF-SHA256 from the master secret)', () => {
  it('derives RFC 5869 HKDF-SHA256 with a public salt and one info per purpose', () => {
    const expected = Buffer.from(
      hkdfSync('sha256', MASTER, 'applyfree key derivation v1', 'applyfree/pseudonym/v1', 32),
    );
    expect(deriveKey(MASTER, 'pseudonym').equals(expected)).toBe(true);
  });

  it('gives every purpose, and every department of a purpose, its own key, none equal to the master', () => {
    const keys = (Object.keys(KEY_PURPOSES) as KeyPurpose[]).map((purpose) =>
      deriveKey(MASTER, purpose).toString('hex'),
    );
    keys.push(deriveKey(MASTER, 'departmentCredential', 'civil-affairs').toString('hex'));
    keys.push(deriveKey(MASTER, 'departmentCredential', 'tax').toString('hex'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain(Buffer.from(MASTER).toString('hex'));
    expect(new Set(Object.values(KEY_PURPOSES)).size).toBe(Object.keys(KEY_PURPOSES).length);
  });

  it('refuses an empty master and an unregistered purpose', () => {
    expect(() => deriveKey('', 'pseudonym')).toThrow(RangeError);
    expect(() => deriveKey(MASTER, 'toString' as KeyPurpose)).toThrow(/unknown purpose/);
  });

  it('keys subjects under the derived key, so the old plain-HMAC-of-the-master keys no longer come out', () => {
    const plain = createHmac('sha256', MASTER).update('person:11010519491231002X').digest();
    const derived = createHmac('sha256', deriveKey(MASTER, 'pseudonym')).update('person:11010519491231002X').digest();
    expect(plain.equals(derived)).toBe(false);
    expect(subjectKey('person', '11010519491231002X', MASTER)).toMatch(/^p_[a-z2-7]{26}$/);
  });
});

describe('the key ring', () => {
  const ring = { subjectKeySecret: MASTER, previousSubjectKeySecrets: [OLD, MASTER] };

  it('tries the current key first, then each previous one, each once', () => {
    expect(ringSecrets(ring)).toEqual([MASTER, OLD]);
    expect(candidateSubjectKeys(ring, 'person', '11010519491231002X')).toEqual([
      subjectKey('person', '11010519491231002X', MASTER),
      subjectKey('person', '11010519491231002X', OLD),
    ]);
  });
});

describe('sweep cursors', () => {
  it('open under the sealing secret, or when it has become a previous one of the ring', () => {
    const token = sealCursor('371402195003101234', OLD);
    expect(token).not.toContain('3714021950');
    expect(openCursor(token, OLD)).toBe('371402195003101234');
    expect(openCursor(token, [MASTER, OLD])).toBe('371402195003101234');
  });

  it('fail non-retryably under a secret that did not seal them, or once altered', () => {
    const token = sealCursor('371402195003101234', OLD);
    expect(() => openCursor(token, MASTER)).toThrow(/sealed with another pseudonym secret or altered/);
    const altered = Buffer.from(token, 'base64url');
    altered[altered.length - 1] ^= 1;
    expect(() => openCursor(altered.toString('base64url'), OLD)).toThrow(/altered/);
  });
});
