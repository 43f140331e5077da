/**
 * The eligibility horizon over the shipped policies: the first day the outcome changes by
 * itself, checked with json-rules-engine (evaluatePolicy) on that day and the day before —
 * birthdays (paid from the month after, 29 February on 1 March), months since founding, the
 * end of a policy, and a dated parameter that lowers an age threshold.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { findPolicyVersion, isInForce, loadPolicyCatalog } from '../../../rules/catalog.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { nextOutcomeChange } from '../../../rules/horizon.js';
import type { Outcome, Policy } from '../../../rules/types.js';

const catalog = await loadPolicyCatalog();
const shipped = (id: string): Policy => findPolicyVersion(catalog, id, 1)!;
const dayBefore = (date: string): string =>
  DateTime.fromISO(date, { zone: 'utc' }).minus({ days: 1 }).toISODate() as string;

/** The outcome json-rules-engine gives on a day; 'ineligible' outside the effective range. */
const outcomeOn = async (policy: Policy, facts: Record<string, unknown>, date: string): Promise<Outcome> =>
  isInForce(policy, date) ? (await evaluatePolicy(policy, facts, date)).outcome : 'ineligible';

/** The change, checked: the day before still has the as-of outcome, the day itself the new one. */
async function changeOf(policy: Policy, facts: Record<string, unknown>, asOf: string) {
  const change = nextOutcomeChange(policy, facts, asOf);
  if (change) {
    const now = await outcomeOn(policy, facts, asOf);
    expect(await outcomeOn(policy, facts, dayBefore(change.date))).toBe(now);
    expect(await outcomeOn(policy, facts, change.date)).toBe(change.outcome);
  }
  return change;
}

const resident = (birthDate: string) => ({
  'person.birthDate': birthDate,
  'person.localHukou': true,
  'person.alive': true,
});

describe('nextOutcomeChange', () => {
  it('makes a 79-year-old eligible for the old-age allowance from the month after the 80th birthday', async () => {
    expect(await changeOf(shipped('old-age-allowance'), resident('1946-05-17'), '2026-01-10')).toEqual({
      date: '2026-06-01',
      outcome: 'eligible',
    });
  });

  it('gives the senior card on the 60th birthday itself', async () => {
    expect(await changeOf(shipped('senior-preferential-card'), resident('1966-05-17'), '2026-01-10')).toEqual({
      date: '2026-05-17',
      outcome: 'eligible',
    });
  });

  it('counts a 29 February birthday on 1 March in a common year (school age 6)', async () => {
    const facts = { 'person.birthDate': '2020-02-29', 'person.localHukou': true, 'person.schoolEnrolled': false };
    expect(await changeOf(shipped('compulsory-school-enrollment'), facts, '2026-01-10')).toEqual({
      date: '2026-03-01',
      outcome: 'eligible',
    });
  });

  it('opens the start-up subsidy after 12 months in business and closes it after 36', async () => {
    const policy = shipped('business-startup-subsidy');
    const enterprise = (establishedOn: string) => ({
      'enterprise.establishedOn': establishedOn,
      'enterprise.status': 'active',
      'enterprise.size': 'micro',
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    });
    expect(await changeOf(policy, enterprise('2025-01-15'), '2025-06-01')).toEqual({
      date: '2026-01-15',
      outcome: 'eligible',
    });
    expect(await changeOf(policy, enterprise('2023-01-15'), '2025-06-01')).toEqual({
      date: '2026-02-15',
      outcome: 'ineligible',
    });
  });

  it('ends the childcare subsidy with the year after the third birthday month, and the refund policy with its effective range', async () => {
    expect(
      await changeOf(
        shipped('childcare-subsidy'),
        { 'person.birthDate': '2023-03-10', 'person.localHukou': true },
        '2025-06-01',
      ),
    ).toEqual({ date: '2027-01-01', outcome: 'ineligible' });
    const refund = {
      'enterprise.status': 'active',
      'enterprise.size': 'small',
      'enterprise.unemploymentPremiumsLastYear': 10_000,
      'enterprise.layoffRate': 2,
      'enterprise.insuredEmployeesLastYear': 40,
      'enterprise.premiumsInArrears': false,
      'enterprise.seriousDishonesty': false,
    };
    expect(await changeOf(shipped('job-stabilisation-refund'), refund, '2025-06-01')).toEqual({
      date: '2026-01-01',
      outcome: 'ineligible',
    });
  });

  it('follows a dated parameter: the threshold lowered to 75 from 2027 brings a 76-year-old in on that day, a 74-year-old after their 75th birthday', async () => {
    const base = shipped('old-age-allowance');
    const lowered: Policy = {
      ...base,
      version: 2,
      parameters: {
        minimumAge: [
          { from: '2024-01-01', to: '2026-12-31', value: 80 },
          { from: '2027-01-01', value: 75 },
        ],
        monthlyByAgeBand: [
          ...base.parameters.monthlyByAgeBand.map((entry) => ({ ...entry, to: '2026-12-31' })),
          { from: '2027-01-01', value: { '75-89': 100, '90-99': 200, '100+': 300 } },
        ],
      },
    };
    expect(await changeOf(lowered, resident('1950-06-01'), '2026-01-10')).toEqual({
      date: '2027-01-01',
      outcome: 'eligible',
    });
    expect(await changeOf(lowered, resident('1952-06-15'), '2026-01-10')).toEqual({
      date: '2027-07-01',
      outcome: 'eligible',
    });
  });

  it('answers null when nothing changes by itself within the horizon', async () => {
    expect(await changeOf(shipped('old-age-allowance'), resident('1940-05-17'), '2026-01-10')).toBeNull();
    expect(
      nextOutcomeChange(
        shipped('old-age-allowance'),
        { 'person.localHukou': true, 'person.alive': true },
        '2026-01-10',
      ),
    ).toBeNull();
    expect(
      nextOutcomeChange(shipped('senior-preferential-card'), resident('1966-05-17'), '2026-01-10', { horizonYears: 0 }),
    ).toBeNull();
  });
});
