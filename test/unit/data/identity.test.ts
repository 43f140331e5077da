import { describe, expect, it } from 'vitest';
import {
  findIdentifiers,
  IdentityError,
  makeCreditCode,
  makeResidentId,
  maskCreditCode,
  maskResidentId,
  validateCreditCode,
  validateResidentId,
} from '../../../domain/identity.js';

// Check characters worked out in the test from the standards, independently of the module.
function idCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * weights[i], 0);
  return '10X98765432'[sum % 11];
}
function usccCheck(first17: string): string {
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((acc, c, i) => acc + charset.indexOf(c) * weights[i], 0);
  return charset[(31 - (sum % 31)) % 31];
}

function captureError(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IdentityError) return error;
    throw error;
  }
  throw new Error('expected an IdentityError');
}

describe('resident IDs (GB 11643-1999)', () => {
  it('accepts the examples printed in the standard', () => {
    expect(validateResidentId('11010519491231002X')).toEqual({
      id: '11010519491231002X',
      regionCode: '110105',
      birthDate: '1949-12-31',
      gender: 'female',
    });
    // The standard's other example is born in 1880: well-formed, but outside the accepted range (1900 on).
    expect(captureError(() => validateResidentId('440524188001010014')).reason).toBe('birthDate');
  });

  it('accepts a Dezhou ID whose check digit is worked out by hand', () => {
    // 3·7+7·9+1·10+4·5+0·8+2·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+2·4+3·2 = 271; 271 mod 11 = 7 → '5'.
    const first17 = '37140219900307123';
    expect(idCheck(first17)).toBe('5');
    expect(validateResidentId(`${first17}5`)).toEqual({
      id: `${first17}5`,
      regionCode: '371402',
      birthDate: '1990-03-07',
      gender: 'male',
    });
  });

  it('accepts a lower-case x check digit and normalises it to upper case', () => {
    expect(validateResidentId(' 11010519491231002x ').id).toBe('11010519491231002X');
  });

  it.each([
    ['length', '3714021990030712'],
    ['charset', '37140219900307A235'],
    ['region', '991402199003071235'],
    ['birthDate', `371402199002301${'23'}${idCheck('37140219900230123')}`],
    ['birthDate', `371402189912311${'23'}${idCheck('37140218991231123')}`],
    ['birthDate', `371402209901011${'23'}${idCheck('37140220990101123')}`],
    ['checkDigit', '371402199003071236'],
  ] as const)('rejects a bad ID with reason %s', (reason, id) => {
    const error = captureError(() => validateResidentId(id, { field: 'child.idNumber' }));
    expect(error).toMatchObject({ code: 'INVALID_RESIDENT_ID', reason, field: 'child.idNumber' });
    expect(error.message).toMatch(/^Invalid resident ID/);
    expect(error.messageZh).toMatch(/^身份证号码/);
  });

  it('never echoes the full ID in either language', () => {
    const id = '371402199003071236';
    const error = captureError(() => validateResidentId(id));
    for (const text of [error.message, error.messageZh]) {
      expect(text).not.toContain(id);
      expect(text).not.toContain('19900307');
      expect(text).toContain('3714**********1236');
    }
    expect(maskResidentId('37140219900307123X')).toBe('3714**********123X');
    expect(maskResidentId('1234567')).toBe('*******');
  });

  it('lets the caller name the field after the fact', () => {
    const error = captureError(() => validateResidentId('123'));
    error.field = 'guardianIdNumber';
    expect(error.field).toBe('guardianIdNumber');
    expect(error.field).not.toBe('idNumber');
  });

  it('generates valid IDs carrying the requested birth date and gender', () => {
    const male = makeResidentId('371402', '2025-06-01', 7, 'male');
    const female = makeResidentId('371402', '2025-06-01', 7, 'female');
    expect(male).toBe(`37140220250601015${idCheck('37140220250601015')}`);
    expect(validateResidentId(male)).toMatchObject({ birthDate: '2025-06-01', gender: 'male' });
    expect(validateResidentId(female)).toMatchObject({ gender: 'female' });
    expect(() => makeResidentId('371402', '2025-06-01', 500, 'male')).toThrow(RangeError);
  });
});

describe('unified social credit codes (GB 32100-2015)', () => {
  it('accepts the example printed in the standard', () => {
    expect(validateCreditCode('91350100M000100Y43')).toEqual({
      code: '91350100M000100Y43',
      registrationDept: '9',
      orgType: '1',
      regionCode: '350100',
      orgCode: 'M000100Y4',
    });
  });

  it('accepts a Dezhou code whose check character is worked out by hand', () => {
    const first17 = '91371402MA3C1234X';
    const code = first17 + usccCheck(first17);
    expect(validateCreditCode(code.toLowerCase()).code).toBe(code);
  });

  it.each([
    ['length', '91350100M000100Y4'],
    ['charset', '91350100M000100I43'],
    ['region', '91990100M000100Y43'],
    ['checkDigit', '91350100M000100Y44'],
  ] as const)('rejects a bad code with reason %s and masks it', (reason, code) => {
    const error = captureError(() => validateCreditCode(code));
    expect(error).toMatchObject({ code: 'INVALID_CREDIT_CODE', reason, field: 'creditCode' });
    expect(`${error.message} ${error.messageZh}`).not.toContain(code);
  });

  it('generates valid codes for a region', () => {
    const code = makeCreditCode('371425', 12_345_678);
    expect(code.slice(0, 8)).toBe('91371425');
    expect(code[17]).toBe(usccCheck(code.slice(0, 17)));
    expect(validateCreditCode(code).regionCode).toBe('371425');
    expect(maskCreditCode(code)).toBe(`9137**********${code.slice(-4)}`);
  });
});

describe('finding identifiers in a text', () => {
  const id = makeResidentId('371402', '1980-04-02', 7, 'male');
  const code = makeCreditCode('371402', 42);

  it('finds a resident ID and a credit code wherever they stand, masked', () => {
    const text = JSON.stringify({ note: `见 ${id}`, nested: [{ firm: code }], key: 'p_abc' });
    expect(findIdentifiers(text)).toEqual([
      { kind: 'resident-id', masked: maskResidentId(id) },
      { kind: 'credit-code', masked: maskCreditCode(code) },
    ]);
  });

  it('leaves alone what is only shaped like one: a wrong check character, a longer run, a hash', () => {
    const wrong = `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}`;
    expect(findIdentifiers(`${wrong} ${id}9 a${code} 0123456789abcdef0123456789abcdef`)).toEqual([]);
  });
});
