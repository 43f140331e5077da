/**
 * Smallest flips over the shipped policies: each reported flip is applied to the facts and
 * evaluated with json-rules-engine (evaluatePolicy), which must give the flip's outcome; the
 * flips are the nearest values (an age boundary, a grade, a month count), and sensitive values are masked.
 */
import { describe, expect, it } from 'vitest';
import { findPolicyVersion, loadPolicyCatalog } from '../../../rules/catalog.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { explainPolicy } from '../../../rules/explain-subject.js';
import { findFlips, type Flip } from '../../../rules/flip.js';
import type { Policy } from '../../../rules/types.js';

const catalog = await loadPolicyCatalog();
const shipped = (id: string): Policy => findPolicyVersion(catalog, id, 1)!;

/** Applies each flip with evaluatePolicy and checks it leads where it says, and that the facts alone do not. */
async function verified(policy: Policy, facts: Record<string, unknown>, asOf: string, flips: Flip[]): Promise<void> {
  const before = await evaluatePolicy(policy, facts, asOf);
  for (const flip of flips) {
    const changed = { ...facts, ...Object.fromEntries(flip.changes.map((change) => [change.fact, change.to])) };
    expect(flip.outcome).not.toBe(before.outcome);
    expect((await evaluatePolicy(policy, changed, asOf)).outcome, JSON.stringify(flip)).toBe(flip.outcome);
  }
}

const flipsOf = async (policy: Policy, facts: Record<string, unknown>, asOf: string): Promise<Flip[]> => {
  const flips = findFlips(policy, facts, asOf, { revealSensitive: true });
  await verified(policy, facts, asOf, flips);
  return flips;
};

describe('findFlips', () => {
  it('tells a 79-year-old which birth date would have made them eligible: the last one that turned 80 before this month', async () => {
    const policy = shipped('old-age-allowance');
    const facts = { 'person.birthDate': '1946-05-17', 'person.localHukou': true, 'person.alive': true };
    const flips = await flipsOf(policy, facts, '2026-01-10');
    expect(flips[0]).toEqual({
      changes: [
        {
          fact: 'person.birthDate',
          factLabel: { zh: '出生日期', en: 'date of birth' },
          from: '1946-05-17',
          to: '1945-12-31',
        },
      ],
      outcome: 'eligible',
    });
    // A day later is not enough: 1946-01-01 turns 80 in January, paid from February.
    expect((await evaluatePolicy(policy, { ...facts, 'person.birthDate': '1946-01-01' }, '2026-01-10')).outcome).toBe(
      'ineligible',
    );
  });

  it('finds the disability grade boundary: grade 3 → 2 for the severe-disability subsidy, and grade 4 → 5 loses the living subsidy', async () => {
    const severe = shipped('severe-disability-care-subsidy');
    const facts = {
      'person.disabilityCertified': true,
      'person.disabilityGrade': 3,
      'person.localHukou': true,
      'person.alive': true,
    };
    const flips = await flipsOf(severe, facts, '2025-06-01');
    expect(flips).toHaveLength(1);
    expect(flips[0].changes).toMatchObject([{ fact: 'person.disabilityGrade', from: 3, to: 2 }]);

    const living = shipped('disability-living-subsidy');
    const eligible = { ...facts, 'person.disabilityGrade': 4, 'person.minimumLivingAllowance': true };
    const losses = findFlips(living, eligible, '2025-06-01', { revealSensitive: true, limit: 10 });
    await verified(living, eligible, '2025-06-01', losses);
    expect(losses.every((flip) => flip.outcome === 'ineligible' && flip.changes.length === 1)).toBe(true);
    expect(losses.map((flip) => flip.changes[0])).toContainEqual(
      expect.objectContaining({ fact: 'person.disabilityGrade', from: 4, to: 5 }),
    );
  });

  it('asks for exactly the missing contribution months for the unemployment benefit (10 → 12)', async () => {
    const facts = {
      'person.unemploymentInsuranceMonths': 10,
      'person.involuntaryUnemployment': true,
      'person.unemploymentRegistered': true,
    };
    const flips = await flipsOf(shipped('unemployment-insurance-benefit'), facts, '2025-06-01');
    expect(flips.map((flip) => flip.changes)).toEqual([
      [expect.objectContaining({ fact: 'person.unemploymentInsuranceMonths', from: 10, to: 12 })],
    ]);
  });

  it('flips an undetermined decision only by supplying the missing fact, eligible first', async () => {
    const facts = { 'person.birthDate': '1940-02-01', 'person.alive': true };
    const flips = await flipsOf(shipped('old-age-allowance'), facts, '2025-05-01');
    expect(flips).toEqual([
      { changes: [expect.objectContaining({ fact: 'person.localHukou', from: null, to: true })], outcome: 'eligible' },
      {
        changes: [expect.objectContaining({ fact: 'person.localHukou', from: null, to: false })],
        outcome: 'ineligible',
      },
    ]);
  });

  it('changes two facts when one cannot flip the decision: a 79-year-old without a household record', async () => {
    const facts = { 'person.birthDate': '1946-05-17', 'person.alive': true };
    const flips = await flipsOf(shipped('old-age-allowance'), facts, '2026-01-10');
    expect(flips[0].changes.map((change) => change.fact).sort()).toEqual(['person.birthDate', 'person.localHukou']);
  });

  it('reaches an enterprise through either branch of an any: a layoff rate down to the 5.5% cap', async () => {
    const facts = {
      'enterprise.status': 'active',
      'enterprise.size': 'small',
      'enterprise.unemploymentPremiumsLastYear': 10_000,
      'enterprise.layoffRate': 25,
      'enterprise.insuredEmployeesLastYear': 40,
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    };
    const flips = await flipsOf(shipped('job-stabilisation-refund'), facts, '2025-06-01');
    expect(flips[0].changes).toMatchObject([{ fact: 'enterprise.layoffRate', from: 25, to: 5.5 }]);
  });

  it('masks a sensitive fact’s values but names it, in the flips and in the explanation', () => {
    const facts = {
      'person.disabilityCertified': true,
      'person.disabilityGrade': 3,
      'person.localHukou': true,
      'person.alive': true,
    };
    const masked = findFlips(shipped('severe-disability-care-subsidy'), facts, '2025-06-01');
    expect(masked[0].changes).toEqual([
      {
        fact: 'person.disabilityGrade',
        factLabel: { zh: '残疾等级（1-4级）', en: 'disability grade (1 most severe to 4)' },
        from: '***',
        to: '***',
      },
    ]);
    const explained = explainPolicy(shipped('severe-disability-care-subsidy'), facts, '2025-06-01');
    expect(explained.flips).toEqual(masked);
    expect(JSON.stringify(explained)).not.toMatch(/"(factValue|from|to)":[23]\b/);
    expect(explained.summary.zh).toContain('残疾等级（1-4级）改变（敏感信息不显示）');
  });

  it('reports nothing when no change of up to three facts flips the decision', () => {
    // All five conditions fail: three changed facts cannot flip it, five can.
    const dead = {
      'enterprise.establishedOn': '2020-01-01',
      'enterprise.status': 'revoked',
      'enterprise.size': 'large',
      'enterprise.premiumsInArrears': true,
      'enterprise.seriousDishonesty': true,
    };
    expect(findFlips(shipped('business-startup-subsidy'), dead, '2025-06-01', { maxFacts: 3 })).toEqual([]);
    expect(findFlips(shipped('business-startup-subsidy'), dead, '2025-06-01', { maxFacts: 5 })[0].changes).toHaveLength(
      5,
    );
  });
});
