/**
 * Which effective ranges of one policy's versions publish side by side: the version precedence
 * serves a later version starting later and a correction from the same day; it cannot serve a
 * version that would never be in force, or one that swallows a published version's start.
 */
import { describe, expect, it } from 'vitest';
import { publishConflict, rangesOverlap } from '../../../rules/effective-ranges.js';

const v = (version: number, from: string, to?: string) => ({
  version,
  effective: to === undefined ? { from } : { from, to },
});

describe('publishing beside published versions', () => {
  it.each([
    ['a later version that starts later (it ends the earlier one)', v(2, '2026-01-01'), [v(1, '2024-01-01')]],
    ['a correction from the same day (it replaces the earlier one)', v(2, '2024-01-01'), [v(1, '2024-01-01')]],
    ['this year’s version after next year’s, ending before it', v(2, '2026-01-01', '2026-12-31'), [v(3, '2027-01-01')]],
    [
      'this year’s open-ended version after next year’s (next year’s ends it)',
      v(2, '2026-01-01'),
      [v(3, '2027-01-01')],
    ],
    ['a version after the range of a published one', v(2, '2026-01-01'), [v(3, '2024-01-01', '2025-12-31')]],
  ])('allows %s', (_name, candidate, published) => {
    expect(publishConflict('p', candidate, published)).toBeUndefined();
  });

  it('refuses a lower version that starts on or after a published higher one covering it', () => {
    expect(publishConflict('p', v(2, '2027-01-01'), [v(3, '2027-01-01')])?.other).toBe(3);
    expect(publishConflict('p', v(2, '2027-03-01'), [v(3, '2027-01-01')])?.message.en).toContain(
      'would never be in force where the published v3',
    );
  });

  it('refuses a higher version that starts before a published lower one, saying where to end it', () => {
    const conflict = publishConflict('p', v(3, '2026-01-01'), [v(1, '2024-01-01'), v(2, '2027-01-01')]);
    expect(conflict?.other).toBe(2);
    expect(conflict?.message.en).toContain('end v3 on 2026-12-31 (effective.to)');
    expect(conflict?.message.zh).toContain('2026-12-31');
  });

  it('reads ranges with both ends inclusive and no end as running on', () => {
    expect(rangesOverlap({ from: '2026-01-01', to: '2026-12-31' }, { from: '2026-12-31' })).toBe(true);
    expect(rangesOverlap({ from: '2026-01-01', to: '2026-12-30' }, { from: '2026-12-31' })).toBe(false);
  });
});
