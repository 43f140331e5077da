/** Period arithmetic and fen conversion of entitlements and payrolls (domain/entitlements.ts). */
import { describe, expect, it } from 'vitest';
import {
  entitlementKey,
  nextPeriod,
  periodKind,
  periodOf,
  periodStart,
  previousPeriod,
  yuanToFen,
} from '../../domain/entitlements.js';

describe('entitlement periods', () => {
  it('tells monthly and yearly periods from a one-off grant', () => {
    expect(periodKind('2025-04')).toBe('month');
    expect(periodKind('2025')).toBe('year');
    expect(periodKind('once')).toBeUndefined();
    expect(periodKind('2025-13')).toBeUndefined();
  });

  it('steps across a year end both ways and starts each period on its first day', () => {
    expect(nextPeriod('2025-12')).toBe('2026-01');
    expect(previousPeriod('2026-01')).toBe('2025-12');
    expect(nextPeriod('2025')).toBe('2026');
    expect(periodStart('2026-02')).toBe('2026-02-01');
    expect(periodStart('2026')).toBe('2026-01-01');
    expect(periodOf('2026-03-10', 'month')).toBe('2026-03');
    expect(periodOf('2026-03-10', 'year')).toBe('2026');
  });

  it('keys an entitlement by policy and subject', () => {
    expect(entitlementKey('old-age-allowance', 'p_abc')).toBe('old-age-allowance:p_abc');
  });

  it('turns yuan into integer fen and refuses a fraction of a fen', () => {
    expect(yuanToFen(100)).toBe(10_000);
    expect(yuanToFen(0.1 + 0.2)).toBe(30);
    expect(yuanToFen(291.67)).toBe(29_167);
    expect(() => yuanToFen(1.005)).toThrow(/amount/);
  });
});
