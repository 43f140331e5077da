/**
 * The seed indicators of proof-free applications, as a supervisor reads them: each computed from
 * the applications' records and the list in force, and moving when the records do.
 */
import { describe, expect, it } from 'vitest';
import type { ApplicationIndicatorRow } from '../../../domain/applications.js';
import { proofIndicators, targetFor, PROOF_INDICATOR_TARGETS } from '../../../domain/proof-indicators.js';
import { STARTER_MATTERS } from '../../../domain/matters-starter.js';
import type { Matter } from '../../../domain/matters.js';

/** A home-care application as the starter matter carries it: four fields shared, two typed, four proofs replaced. */
const homeCare = (submittedAt: string, overrides: Partial<ApplicationIndicatorRow> = {}): ApplicationIndicatorRow => ({
  matter: 'home-care-service-subsidy',
  department: 'civil-affairs',
  submittedAt: new Date(submittedAt),
  fields: [
    { id: 'birth-date', source: 'shared', fact: 'person.birthDate' },
    { id: 'district', source: 'shared', fact: 'person.district' },
    { id: 'lives-alone', source: 'shared', fact: 'person.livesAlone' },
    { id: 'care-level', source: 'shared', fact: 'person.careDependencyLevel' },
    { id: 'contact-phone', source: 'typed' },
    { id: 'service-address', source: 'typed' },
  ],
  proofs: [
    { id: 'household-register', obtainedBy: 'sharing', reused: false },
    { id: 'senior-card', obtainedBy: 'certificate', reused: false },
    { id: 'hardship-proof', obtainedBy: 'verification', reused: false },
    { id: 'family-situation', obtainedBy: 'pledge', reused: false },
  ],
  ...overrides,
});

describe('the seed indicators of proof-free applications', () => {
  it('counts fields from shared data, proofs by sharing or verification, and proofs by certificate or verification', () => {
    const { total } = proofIndicators([homeCare('2026-12-03T02:00:00Z')], STARTER_MATTERS);
    expect(total.applications).toBe(1);
    expect(total.fieldSharing).toEqual({ part: 4, whole: 6, rate: 4 / 6 });
    expect(total.proofSharing).toEqual({ part: 2, whole: 4, rate: 0.5 });
    expect(total.certificateSubstitution).toEqual({ part: 2, whole: 4, rate: 0.5 });
    expect(total.uploads).toBe(0);
  });

  it('falls when a proof had to be uploaded, and does not count a cancelled proof as required', () => {
    const uploaded = homeCare('2026-12-03T02:00:00Z', {
      proofs: [
        { id: 'household-register', obtainedBy: 'sharing', reused: false },
        { id: 'senior-card', obtainedBy: 'certificate', reused: false },
        { id: 'hardship-proof', obtainedBy: 'upload', reused: false },
        { id: 'family-situation', obtainedBy: 'cancelled', reused: false },
      ],
    });
    const before = proofIndicators([homeCare('2026-12-03T02:00:00Z')], STARTER_MATTERS).total;
    const after = proofIndicators([homeCare('2026-12-03T02:00:00Z'), uploaded], STARTER_MATTERS).total;
    expect(after.uploads).toBe(1);
    expect(after.proofSharing).toEqual({ part: 3, whole: 7, rate: 3 / 7 });
    expect(after.proofSharing.rate!).toBeLessThan(before.proofSharing.rate!);
    expect(after.certificateSubstitution.rate!).toBeLessThan(before.certificateSubstitution.rate!);
  });

  it('splits by department and by the month submitted in city time, each with the targets of its year', () => {
    const { rows } = proofIndicators(
      [
        homeCare('2026-11-30T17:00:00Z'), // 1 December in the city
        homeCare('2026-11-30T15:00:00Z'), // still 30 November
        homeCare('2026-12-02T02:00:00Z', { department: 'housing-urban-rural', matter: 'public-rental-housing' }),
      ],
      STARTER_MATTERS,
    );
    expect(rows.map((r) => [r.month, r.department, r.applications])).toEqual([
      ['2026-11', 'civil-affairs', 1],
      ['2026-12', 'civil-affairs', 1],
      ['2026-12', 'housing-urban-rural', 1],
    ]);
    expect(rows[2]!.departmentName.zh).toBe('市住房和城乡建设局');
    expect(rows[0]!.targets).toEqual({ fieldSharing: 0.5, proofSharing: 0.6 });
  });

  it('follows the plan: 30 % and 40 % by the end of 2022, 50 % and 60 % from 2023', () => {
    expect(targetFor(PROOF_INDICATOR_TARGETS.fieldSharing, '2022-12')).toBe(0.3);
    expect(targetFor(PROOF_INDICATOR_TARGETS.proofSharing, '2022-06')).toBe(0.4);
    expect(targetFor(PROOF_INDICATOR_TARGETS.fieldSharing, '2023-01')).toBe(0.5);
    expect(targetFor(PROOF_INDICATOR_TARGETS.proofSharing, '2027-03')).toBe(0.6);
    expect(targetFor(PROOF_INDICATOR_TARGETS.proofSharing, '2021-12')).toBeUndefined();
  });

  it('measures the matters fully proof-free from the list, falling when a proof is still needed on paper', () => {
    const onPaper: Matter = {
      ...STARTER_MATTERS[0]!,
      id: 'paper-matter',
      proofs: [{ ...STARTER_MATTERS[0]!.proofs[0]!, replacement: { method: 'paper' } }],
    };
    // The three matters carried end to end need no paper; one more that still does lowers the share.
    const carried = STARTER_MATTERS.slice(0, 3);
    const all = proofIndicators([], carried).proofFreeMatters;
    expect(all.total).toEqual({ matters: 3, proofFree: 3, rate: 1 });
    const some = proofIndicators([], [...carried, onPaper]).proofFreeMatters;
    expect(some.total).toEqual({ matters: 4, proofFree: 3, rate: 0.75 });
    expect(some.byDepartment.find((d) => d.department === 'civil-affairs')).toMatchObject({
      matters: 2,
      proofFree: 1,
      rate: 0.5,
    });
  });
});
