import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SUBJECT_KEY_PATTERN, subjectKey, subjectKeyKind } from '../../../domain/pseudonym.js';

const ID = '11010519491231002X';

describe('pseudonymous subject keys', () => {
  it('is p_ or e_ followed by 26 lowercase base32 characters', () => {
    expect(subjectKey('person', ID, 's1')).toMatch(/^p_[a-z2-7]{26}$/);
    expect(subjectKey('enterprise', '91350100M000100Y43', 's1')).toMatch(/^e_[a-z2-7]{26}$/);
    expect(SUBJECT_KEY_PATTERN.test(subjectKey('person', ID, 's1'))).toBe(true);
  });

  it('is the base32 of HMAC-SHA256 under the HKDF-SHA256 pseudonym key of the secret, of kind:id', () => {
    const key = Buffer.from(hkdfSync('sha256', 's1', 'applyfree key derivation v1', 'applyfree/pseudonym/v1', 32));
    const digest = createHmac('sha256', key).update(`person:${ID}`).digest();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const bits = [...digest].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = Array.from({ length: 26 }, (_, i) => alphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)]).join('');
    expect(subjectKey('person', ID, 's1')).toBe(`p_${expected}`);
  });

  it('is deterministic and ignores case and surrounding space of the ID', () => {
    expect(subjectKey('person', ID, 's1')).toBe(subjectKey('person', ID, 's1'));
    expect(subjectKey('person', ` ${ID.toLowerCase()} `, 's1')).toBe(subjectKey('person', ID, 's1'));
  });

  it('differs per secret, per kind and per ID', () => {
    const key = subjectKey('person', ID, 's1');
    expect(subjectKey('person', ID, 's2')).not.toBe(key);
    expect(subjectKey('enterprise', ID, 's1').slice(2)).not.toBe(key.slice(2));
    expect(subjectKey('person', '440524188001010014', 's1')).not.toBe(key);
  });

  it('does not contain the ID and refuses an empty secret', () => {
    expect(subjectKey('person', ID, 's1')).not.toContain('19491231');
    expect(() => subjectKey('person', ID, '')).toThrow(RangeError);
  });

  it('tells the kind from the key', () => {
    expect(subjectKeyKind(subjectKey('enterprise', '91350100M000100Y43', 's1'))).toBe('enterprise');
    expect(subjectKeyKind(subjectKey('person', ID, 's1'))).toBe('person');
    expect(subjectKeyKind(ID)).toBeUndefined();
  });
});
