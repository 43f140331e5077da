/**
 * Entitlements and payment periods, pure: the statuses an entitlement moves through, what may
 * cause a move, its business key, and period arithmetic ("2025-04" monthly, "2025" yearly).
 * Money is integer fen (分) everywhere past the policy's amount rule: yuanToFen converts once.
 */

/** active: paid by each payroll; suspended: not paid, kept for review; ended: never paid again. */
export type EntitlementStatus = 'active' | 'suspended' | 'ended';
/** event: a life event (death, move-out); re-check: a payroll's re-evaluation; objection; officer. */
export type EntitlementCause = 'event' | 're-check' | 'objection' | 'officer';
export type EntitlementPeriod = 'month' | 'year';

/** An entitlement's key: one per policy and subject (an open one, ever, for the pair). */
export function entitlementKey(policyId: string, subjectKey: string): string {
  return `${policyId}:${subjectKey}`;
}

/** month for "2025-04", year for "2025", undefined for "once" or anything else. */
export function periodKind(period: string): EntitlementPeriod | undefined {
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return 'month';
  if (/^\d{4}$/.test(period)) return 'year';
  return undefined;
}

/** The period after `period`: "2025-12" → "2026-01", "2025" → "2026". */
export function nextPeriod(period: string): string {
  if (periodKind(period) === 'year') return String(Number(period) + 1);
  const [year, month] = period.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** The period before `period`: "2026-01" → "2025-12", "2026" → "2025". */
export function previousPeriod(period: string): string {
  if (periodKind(period) === 'year') return String(Number(period) - 1);
  const [year, month] = period.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** The first day of a period: "2025-04" → "2025-04-01", "2025" → "2025-01-01". */
export function periodStart(period: string): string {
  return periodKind(period) === 'year' ? `${period}-01-01` : `${period}-01`;
}

/** The period of kind `kind` holding a date: ("2026-03-10", month) → "2026-03". */
export function periodOf(date: string, kind: EntitlementPeriod): string {
  return kind === 'year' ? date.slice(0, 4) : date.slice(0, 7);
}

/** A yuan amount (at most two decimals) in integer fen; throws on a float that is not a whole number of fen. */
export function yuanToFen(yuan: number): number {
  const fen = Math.round(yuan * 100);
  if (!Number.isFinite(yuan) || Math.abs(fen - yuan * 100) > 1e-6)
    throw new RangeError(`amount: ${yuan} yuan is not a whole number of fen`);
  return fen;
}
