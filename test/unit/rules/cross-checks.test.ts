/**
 * Cross-policy checks on crafted policies: conditions that can never hold, two policies
 * granting the same benefit to the same people at the same time, and triggers no event
 * produces; and the shipped catalog, which must come out clean.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { benefitCodeOf, findBenefitCode } from '../../../domain/benefit-codes.js';
import { crossCheckPolicies, type CrossCheckFinding } from '../../../rules/cross-checks.js';
import type { Condition, Policy } from '../../../rules/types.js';

const { policies: shipped } = await loadPolicyCatalog();
const policy = (id: string): Policy => structuredClone(shipped.find((p) => p.id === id)!);
const card = () => policy('senior-preferential-card');

/** The senior card with extra conditions in its top-level `all` (after its three named ones). */
function cardWith(...extra: Condition[]): Policy {
  const p = card();
  (p.conditions as { all: Condition[] }).all.push(...extra);
  return p;
}
const leaf = (fact: string, operator: string, value: unknown): Condition => ({ fact, operator, value });
const neverFires = (p: Policy): CrossCheckFinding[] =>
  crossCheckPolicies([], p).filter((f) => f.check === 'never-fires');

describe('a policy that can never fire', () => {
  it('is reported when an added age range contradicts the named one, at the contradicting leaf, in both languages', () => {
    const findings = neverFires(cardWith(leaf('person.birthDate', 'ageBelow', 55)));
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        policyId: 'senior-preferential-card',
        version: 1,
        path: 'conditions.all[3]',
      }),
    ]);
    expect(findings[0].message).toContain('namedConditions.agedSixty');
    expect(findings[0].messageZh).toContain('资格条件相互矛盾');
  });

  it('is not reported when the ranges meet (aged 60 to 69)', () => {
    expect(neverFires(cardWith(leaf('person.birthDate', 'ageBelow', 70)))).toEqual([]);
  });

  it.each<[string, Condition[], string]>([
    [
      'an income both above 3000 and at most 2000',
      [
        leaf('person.householdIncomePerCapita', 'greaterThan', 3000),
        leaf('person.householdIncomePerCapita', 'lessThanInclusive', 2000),
      ],
      'conditions.all[4]',
    ],
    [
      'an income below 1000 and equal to 1000',
      [
        leaf('person.householdIncomePerCapita', 'lessThan', 1000),
        leaf('person.householdIncomePerCapita', 'equal', 1000),
      ],
      'conditions.all[4]',
    ],
    [
      'a gender that is male and in [female]',
      [leaf('person.gender', 'equal', 'male'), leaf('person.gender', 'in', ['female'])],
      'conditions.all[4]',
    ],
    [
      'a marital status outside every value',
      [
        leaf('person.maritalStatus', 'notIn', ['single', 'married']),
        leaf('person.maritalStatus', 'notIn', ['divorced', 'widowed']),
      ],
      'conditions.all[4]',
    ],
    [
      'a local household and not one (through not)',
      [{ not: leaf('person.localHukou', 'equal', true) }],
      'conditions.all[3].not',
    ],
    [
      'born before 1990 yet under 18 while the policy is in force from 2024',
      [leaf('person.birthDate', 'dateBefore', '1990-01-01'), leaf('person.birthDate', 'ageBelow', 18)],
      'conditions.all[4]',
    ],
    [
      'certified at least 13 months ago and at most 300 days ago',
      [
        leaf('person.disabilityCertifiedOn', 'monthsSinceAtLeast', 13),
        leaf('person.disabilityCertifiedOn', 'daysSinceAtMost', 300),
      ],
      'conditions.all[4]',
    ],
  ])('is reported for %s', (_name, extra, path) => {
    expect(neverFires(cardWith(...extra))).toEqual([expect.objectContaining({ path })]);
  });

  it('is reported at the conditions when every branch of an any is impossible', () => {
    const p = cardWith({ any: [leaf('person.birthDate', 'ageBelow', 50), leaf('person.birthDate', 'ageBelow', 40)] });
    expect(neverFires(p)).toEqual([expect.objectContaining({ path: 'conditions' })]);
  });

  it.each<[string, Condition[]]>([
    [
      'one branch of an any is possible',
      [{ any: [leaf('person.birthDate', 'ageBelow', 50), leaf('person.localHukou', 'equal', true)] }],
    ],
    [
      'numbers between 2000 and 2000.5 (not whole numbers)',
      [
        leaf('person.householdIncomePerCapita', 'greaterThan', 2000),
        leaf('person.householdIncomePerCapita', 'lessThan', 2000.5),
      ],
    ],
    [
      'a not over an age operator, which also holds for a missing or future date',
      [{ not: leaf('person.birthDate', 'ageAtLeast', 50) }],
    ],
    [
      'an open string fact equal to two values through any',
      [{ any: [leaf('person.guardianIdNumber', 'equal', 'a'), leaf('person.guardianIdNumber', 'equal', 'b')] }],
    ],
  ])('is not reported when %s', (_name, extra) => {
    expect(neverFires(cardWith(...extra))).toEqual([]);
  });

  it('is not reported when a parameter change makes the conditions possible later in the policy period', () => {
    const p = cardWith(leaf('person.birthDate', 'ageBelow', 55));
    p.parameters.minimumAge = [
      { from: '2024-01-01', to: '2025-12-31', value: 60 },
      { from: '2026-01-01', value: 50 },
    ];
    expect(neverFires(p)).toEqual([]);
    p.parameters.minimumAge = [
      { from: '2024-01-01', to: '2025-12-31', value: 60 },
      { from: '2026-01-01', value: 58 },
    ];
    expect(neverFires(p)).toHaveLength(1);
  });

  it('ignores contradictions on facts a pledge policy accepts on the applicant’s pledge', () => {
    const p = policy('business-startup-subsidy');
    (p.conditions as { all: Condition[] }).all.push(leaf('enterprise.status', 'equal', 'revoked'));
    expect(neverFires(p)).toEqual([]);
    (p.conditions as { all: Condition[] }).all.push(leaf('enterprise.size', 'equal', 'large'));
    expect(neverFires(p)).toEqual([expect.objectContaining({ path: 'conditions.all[6]' })]);
  });
});

describe('two policies granting the same benefit', () => {
  /** The catalog with the allowance at v1 only: v2 (from 2027) would be a second duplicate of each copy. */
  const published = shipped.filter((p) => !(p.id === 'old-age-allowance' && p.version > 1));
  /** A different policy that grants the old-age allowance again, from 2025, by its benefit code. */
  function copy(): Policy {
    const p = policy('old-age-allowance');
    return {
      ...p,
      id: 'longevity-allowance',
      effective: { from: '2025-01-01' },
      benefit: { ...p.benefit, code: 'ELDER-ALLOWANCE' },
    };
  }
  const duplicates = (published: readonly Policy[], candidate?: Policy) =>
    crossCheckPolicies(published, candidate).filter((f) => f.check === 'duplicate-benefit');

  it('are reported on both sides when their periods overlap and both sets of conditions can hold', () => {
    const findings = duplicates([...published, copy()]);
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        policyId: 'old-age-allowance',
        version: 1,
        path: 'benefit',
        otherPolicyId: 'longevity-allowance',
        otherVersion: 1,
      }),
      expect.objectContaining({
        severity: 'error',
        policyId: 'longevity-allowance',
        version: 1,
        path: 'benefit.code',
        otherPolicyId: 'old-age-allowance',
      }),
    ]);
    expect(findings[1].message).toContain('2025-01-01');
    expect(findings[1].message).toContain('ELDER-ALLOWANCE, old-age allowance');
  });

  it('are reported for a candidate version against the published set, about the candidate only', () => {
    expect(duplicates(published, copy())).toEqual([
      expect.objectContaining({ policyId: 'longevity-allowance', otherPolicyId: 'old-age-allowance' }),
    ]);
  });

  it('are caught by the code whatever the wording: a true duplicate described otherwise', () => {
    const reworded = copy();
    reworded.benefit = {
      ...reworded.benefit,
      description: { zh: '长寿老人补助', en: 'longevity grant for the very old' },
    };
    expect(duplicates(published, reworded)).toEqual([expect.objectContaining({ severity: 'error' })]);
  });

  it('are not reported for the same wording under a different code', () => {
    const care = policy('severe-disability-care-subsidy');
    // Worded exactly as the shipped care subsidy ("护理补贴，按月发放"), but the elderly-care subsidy.
    const elderly = { ...care, id: 'elderly-care-subsidy', benefit: { ...care.benefit, code: 'ELDER-CARE-SUBSIDY' } };
    expect(duplicates(shipped, elderly)).toEqual([]);
    const copied = { ...elderly, benefit: { ...elderly.benefit, code: 'DISABILITY-CARE-SUBSIDY' } };
    expect(duplicates(shipped, copied)).toEqual([
      expect.objectContaining({ otherPolicyId: 'severe-disability-care-subsidy' }),
    ]);
  });

  it('are not reported when the conditions exclude each other, the code differs, or the subject kinds differ', () => {
    const exclusive = copy();
    exclusive.namedConditions.localHukou = { ...exclusive.namedConditions.localHukou, value: false } as Condition;
    expect(duplicates(published, exclusive)).toEqual([]);
    const different = copy();
    different.benefit = { ...different.benefit, code: 'ELDER-CARE-SUBSIDY' };
    expect(duplicates(published, different)).toEqual([]);
  });

  it('are not reported when a newer version of one policy replaced the shared benefit before the other began', () => {
    const replaced = { ...policy('old-age-allowance'), version: 2, effective: { from: '2025-01-01' } };
    replaced.benefit = { ...replaced.benefit, code: 'ELDER-CARE-SUBSIDY' };
    expect(duplicates([...published, replaced], copy())).toEqual([]);
    const later = { ...replaced, effective: { from: '2025-03-01' } };
    expect(duplicates([...published, later], copy())).toEqual([
      expect.objectContaining({ message: expect.stringContaining('2025-01-01 to 2025-02-28') as unknown }),
    ]);
  });

  it('cannot see a benefit with no code: the version is warned to name one', () => {
    const uncoded = { ...copy(), benefit: { ...policy('old-age-allowance').benefit } };
    expect(duplicates(shipped, uncoded)).toEqual([]);
    expect(crossCheckPolicies(shipped, uncoded).filter((f) => f.check === 'no-benefit-code')).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'benefit.code' }),
    ]);
  });
});

describe('a trigger no event produces', () => {
  it('is reported for a misspelt event type, with the likely one', () => {
    const p = { ...policy('childcare-subsidy'), triggers: ['birth.registerd'] };
    const findings = crossCheckPolicies(shipped, p).filter((f) => f.check === 'unknown-trigger');
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: 'triggers[0]',
        message: expect.stringContaining('did you mean "birth.registered"') as unknown,
      }),
    ]);
    expect(findings[0].messageZh).toContain('birth.registered');
  });

  it('is reported for an event about the other kind of subject', () => {
    const p = { ...policy('childcare-subsidy'), triggers: ['birth.registered', 'enterprise.established'] };
    expect(crossCheckPolicies(shipped, p).filter((f) => f.check === 'unknown-trigger')).toEqual([
      expect.objectContaining({ path: 'triggers[1]' }),
    ]);
  });
});

describe('the shipped catalog', () => {
  it('has no error findings', () => {
    expect(crossCheckPolicies(shipped).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('names every shipped benefit by a listed code of its kind, through the mapping by policy id', () => {
    for (const p of shipped) {
      const code = benefitCodeOf(p);
      expect(code, p.id).toBeDefined();
      expect(findBenefitCode(code!)?.kind, p.id).toBe(p.benefit.kind);
    }
    expect(crossCheckPolicies(shipped).filter((f) => f.check === 'no-benefit-code')).toEqual([]);
  });
});

describe('an age band read on the day judged in a monthly or yearly policy', () => {
  const dayDependent = (p: Policy) => crossCheckPolicies([], p).filter((f) => f.check === 'day-dependent-amount');
  const allowance = (version: number) =>
    structuredClone(shipped.find((p) => p.id === 'old-age-allowance' && p.version === version)!);

  it('is a warning on old-age-allowance v1, at its amount rule, in both languages', () => {
    const findings = dayDependent(allowance(1));
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'warning', version: 1, path: 'benefit.amount.bandFrom' }),
    ]);
    expect(findings[0].message).toContain('month-after-birthday');
    expect(findings[0].messageZh).toContain('按月发放的金额会随判定日期不同而不同');
  });

  it('is not reported for v2, which moves the band from the month after the birthday, nor for a one-off grant', () => {
    expect(dayDependent(allowance(2))).toEqual([]);
    expect(dayDependent({ ...allowance(1), period: 'once' })).toEqual([]);
  });
});

describe('a monthly or yearly decision that reads the day judged', () => {
  const dayDependent = (p: Policy) => crossCheckPolicies([], p).filter((f) => f.check === 'day-dependent-amount');

  it('finds nothing in the shipped catalog but old-age-allowance v1’s age band', () => {
    expect(
      crossCheckPolicies(shipped)
        .filter((f) => f.check === 'day-dependent-amount')
        .map((f) => `${f.policyId} v${f.version} ${f.path}`),
    ).toEqual(['old-age-allowance v1 benefit.amount.bandFrom']);
  });

  it('warns of an amount parameter changing in the middle of a month, at the entry', () => {
    const p = policy('disability-living-subsidy');
    p.parameters.monthlyAmount = [
      { from: '2024-01-01', to: '2026-07-14', value: 120 },
      { from: '2026-07-15', value: 150 },
    ];
    expect(dayDependent(p).map((f) => f.path)).toEqual(['parameters.monthlyAmount[1].from']);
    p.parameters.monthlyAmount = [
      { from: '2024-01-01', to: '2026-06-30', value: 120 },
      { from: '2026-07-01', value: 150 },
    ];
    expect(dayDependent(p)).toEqual([]);
  });

  it('warns of an age reached on the birthday in a monthly policy, at the operator', () => {
    const p = policy('old-age-allowance');
    p.namedConditions.reachedEightyBeforeThisMonth = {
      ...p.namedConditions.reachedEightyBeforeThisMonth,
      operator: 'ageAtLeast',
    } as Condition;
    expect(dayDependent(p).map((f) => f.path)).toContain('namedConditions.reachedEightyBeforeThisMonth.operator');
    expect(dayDependent({ ...p, period: 'year' }).map((f) => f.path)).toContain(
      'namedConditions.reachedEightyBeforeThisMonth.operator',
    );
  });
});
