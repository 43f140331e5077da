/**
 * The ledger's arithmetic, pure: which account each movement posts to and with what sign, a
 * balance that keeps exactly what the periods were due, a withholding that never takes more than
 * is owed or paid, and each policy's recovery method.
 */
import { describe, expect, it } from 'vitest';
import {
  balanceOf,
  grantEntry,
  ledgerRef,
  paymentEntries,
  recoveryEntry,
  recoveryMethodOf,
  returnedEntry,
  settlementEntries,
  withholding,
} from '../../domain/ledger.js';

const base = { subjectKey: 'sk_1', policyId: 'old-age-allowance', period: '2026-03' };

describe('ledger entries', () => {
  it('a month paid, recovered after a death, then withheld from a later payment keeps what was due', () => {
    const entries = [
      grantEntry({ ...base, period: '2026-01' }, 'grant:1', 10_000),
      ...paymentEntries({ ...base, period: '2026-02' }, 'line:2', { grossFen: 10_000 }),
      ...paymentEntries(base, 'line:3', { grossFen: 10_000 }),
      recoveryEntry(base, 'line:3:recovery', 10_000),
      ...paymentEntries({ ...base, period: '2026-04' }, 'line:4', { grossFen: 10_000, nettedFen: 10_000 }),
    ];
    // January, February and April were due; March was withheld back from April.
    expect(balanceOf(entries)).toEqual({ paidFen: 30_000, owedFen: 0, netFen: 30_000 });
    expect(entries.filter((e) => e.kind === 'netting').map((e) => [e.account, e.amountFen])).toEqual([
      ['paid', -10_000],
      ['owed', -10_000],
    ]);
  });

  it('keys each movement from its source, so posting it again is the same line', () => {
    expect(paymentEntries(base, 'L', { grossFen: 1 })[0].key).toBe('payment:L');
    expect(paymentEntries(base, 'L:repay', { grossFen: 1, repays: 'L' })[0]).toMatchObject({
      key: 'repayment:L:repay',
      kind: 'repayment',
    });
    expect(returnedEntry(base, 'L', 500)).toMatchObject({ key: 'returned:L', account: 'paid', amountFen: -500 });
    expect(grantEntry(base, 'G', 5, true)).toMatchObject({ key: 'arrears:G', kind: 'arrears' });
    expect(settlementEntries(base, 'collected', 'R1', 7).map((e) => e.key)).toEqual([
      'collected:paid:R1',
      'collected:owed:R1',
    ]);
  });

  it('refuses an amount that is not a positive whole number of fen, naming it', () => {
    expect(() => grantEntry(base, 'G', 1.5)).toThrow(/amountFen: 1.5/);
    expect(() => recoveryEntry(base, 'R', 0)).toThrow(/amountFen: 0/);
    expect(() => paymentEntries(base, 'L', { grossFen: -1 })).toThrow(/grossFen: -1/);
  });

  it('withholds no more than is owed or paid, and only where the policy nets', () => {
    expect(withholding('netting', 2_500, 10_000)).toBe(2_500);
    expect(withholding('netting', 25_000, 10_000)).toBe(10_000);
    expect(withholding('netting', 0, 10_000)).toBe(0);
    expect(withholding('collection', 2_500, 10_000)).toBe(0);
  });

  it('nets by default for a benefit paid by the month or year, collects for one paid once, and follows the policy when it says', () => {
    const cash = { kind: 'cash' };
    expect(recoveryMethodOf({ period: 'month', benefit: cash })).toBe('netting');
    expect(recoveryMethodOf({ period: 'year', benefit: cash })).toBe('netting');
    expect(recoveryMethodOf({ period: 'once', benefit: cash })).toBe('collection');
    expect(recoveryMethodOf({ period: 'month', benefit: { ...cash, recoveredBy: 'collection' } })).toBe('collection');
  });

  it('names a ledger by a hash that holds neither the subject key nor the policy', () => {
    const ref = ledgerRef('old-age-allowance', 'sk_1');
    expect(ref).toMatch(/^LG[0-9A-F]{24}$/);
    expect(ref).toBe(ledgerRef('old-age-allowance', 'sk_1'));
    expect(ref).not.toBe(ledgerRef('old-age-allowance', 'sk_2'));
  });
});
