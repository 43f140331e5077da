/**
 * The synthetic city generates every catalog fact (issue 18): of the declared type, within the
 * closed values, deterministically, and with the shares and correlations person-facts.ts and
 * enterprise-facts.ts state — a pension only past retirement age, veterans mostly men, recent
 * graduates in their early twenties, high-tech firms mostly in technology and manufacturing.
 * Generators only (no database): test/data/seed.test.ts checks what the seeder writes.
 */
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES, type SubjectKind } from '../../../domain/sources.js';
import { ageOn } from '../../../infra/seed/dates.js';
import { EnterpriseGenerator, type EnterpriseRecord } from '../../../infra/seed/enterprises.js';
import { enterpriseDocs, personDocs, type CollectionDoc } from '../../../infra/seed/entries.js';
import { PersonGenerator, type PersonRecord } from '../../../infra/seed/persons.js';

const AS_OF = '2026-06-30';
const RESIDENTS = 20_000;
const ENTERPRISES = 6_000;

const people = (seed = 'facts-test', count = RESIDENTS): PersonRecord[] => {
  const generator = new PersonGenerator(seed, 'facts-test-secret', AS_OF, new Date(0));
  return Array.from({ length: count }, () => generator.next());
};
const firms = (seed = 'facts-test', count = ENTERPRISES): EnterpriseRecord[] => {
  const generator = new EnterpriseGenerator(seed, 'facts-test-secret', AS_OF, new Date(0));
  return Array.from({ length: count }, () => generator.next());
};
const city = people();
const economy = firms();
const ageOf = (p: PersonRecord) => ageOn(p.household.birthDate, AS_OF);
const shareOf = <T>(items: readonly T[], test: (item: T) => boolean) => items.filter(test).length / items.length;
/** The first few subjects that break a rule, by ID (a plain loop: one expect per rule, not per subject). */
const breaking = (items: readonly PersonRecord[], ok: (p: PersonRecord) => boolean) =>
  items
    .filter((p) => !ok(p))
    .slice(0, 5)
    .map((p) => p.household.idNumber);
const breakingFirms = (items: readonly EnterpriseRecord[], ok: (e: EnterpriseRecord) => boolean) =>
  items
    .filter((e) => !ok(e))
    .slice(0, 5)
    .map((e) => e.registry.creditCode);
const WHOLE_UNITS = new Set(['月', '人', '级', '套', '辆']);

/** Every generated document of a kind, by collection. */
function byCollection(docs: readonly CollectionDoc[][]): Map<string, Array<Record<string, unknown>>> {
  const map = new Map<string, Array<Record<string, unknown>>>();
  for (const subject of docs)
    for (const [collection, doc] of subject) {
      const list = map.get(collection) ?? [];
      list.push(doc as Record<string, unknown>);
      map.set(collection, list);
    }
  return map;
}
const GENERATED: Record<SubjectKind, Map<string, Array<Record<string, unknown>>>> = {
  person: byCollection(city.map(personDocs)),
  enterprise: byCollection(economy.map(enterpriseDocs)),
};

describe('every catalog fact in the synthetic city', () => {
  it.each(
    DATA_SOURCES.flatMap((source) =>
      source.fields.map((field) => [field.key, source.collection, source, field] as const),
    ),
  )('%s is generated into %s, of its declared type and values', (_key, collection, source, field) => {
    const docs = GENERATED[source.subject].get(collection) ?? [];
    const values = docs.map((doc) => doc[field.column]).filter((value) => value !== undefined);
    expect(values.length, 'generated for some subjects').toBeGreaterThan(0);
    const fits = (value: unknown): boolean => {
      if (field.type === 'date')
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value <= AS_OF;
      if (typeof value !== field.type) return false;
      if (field.type === 'number') {
        const number = value as number;
        if (!Number.isFinite(number) || number < 0) return false;
        if (field.unit && WHOLE_UNITS.has(field.unit.zh) && !Number.isInteger(number)) return false;
      }
      return !field.values || field.values.includes(value as string);
    };
    expect(values.filter((value) => !fits(value)).slice(0, 5)).toEqual([]);
    const key = source.subject === 'person' ? 'idNumber' : 'creditCode';
    expect(docs.filter((doc) => typeof doc[key] !== 'string').length).toBe(0);
  });

  it('is the same for the same seed, and another for another seed', () => {
    const again = people('facts-test', 300).map((p) => p.departments);
    expect(again).toEqual(city.slice(0, 300).map((p) => p.departments));
    expect(firms('facts-test', 300).map((e) => e.departments)).toEqual(economy.slice(0, 300).map((e) => e.departments));
    expect(people('another-seed', 300).map((p) => p.departments)).not.toEqual(again);
  });
});

describe('the residents’ department records follow their lives', () => {
  const living = city.filter((p) => p.household.alive);
  const dept = (p: PersonRecord) => p.departments;

  it('pays a pension only past retirement age: ≈21% of residents, employee pensions far above resident ones', () => {
    const drawing = city.filter((p) => dept(p).pension?.pensionReceiving);
    expect(drawing.length / RESIDENTS).toBeGreaterThan(0.16);
    expect(drawing.length / RESIDENTS).toBeLessThan(0.26);
    expect(
      breaking(drawing, (p) => {
        const pension = dept(p).pension!;
        const employee = pension.pensionScheme === 'employee';
        return (
          p.household.alive &&
          ageOf(p) >= (employee ? 55 : 60) &&
          pension.pensionMonthlyAmount > 0 &&
          (!employee || (pension.pensionContributionMonths >= 180 && p.social.employmentStatus === 'retired'))
        );
      }),
    ).toEqual([]);
    expect(
      breaking(city, (p) => dept(p).pension?.pensionReceiving === true || !dept(p).pension?.pensionMonthlyAmount),
    ).toEqual([]);
    const median = (scheme: string) => {
      const amounts = drawing
        .filter((p) => dept(p).pension!.pensionScheme === scheme)
        .map((p) => dept(p).pension!.pensionMonthlyAmount)
        .sort((a, b) => a - b);
      return amounts[Math.floor(amounts.length / 2)];
    };
    expect(median('employee')).toBeGreaterThan(2800);
    expect(median('employee')).toBeLessThan(3800);
    expect(median('resident')).toBeGreaterThan(180);
    expect(median('resident')).toBeLessThan(300);
  });

  it('enrols ≈96% of the living in medical insurance, and gives medical assistance mostly to the low-income', () => {
    const enrolled = shareOf(living, (p) => dept(p).medical?.medicalInsuranceEnrolled === true);
    expect(enrolled).toBeGreaterThan(0.93);
    expect(enrolled).toBeLessThan(0.98);
    const assisted = city.filter((p) => dept(p).medical?.medicalAssistance);
    const lowIncome = (p: PersonRecord) =>
      p.civil.minimumLivingAllowance || p.civil.specialHardship || dept(p).lowIncome?.lowIncomeMarginal === true;
    expect(shareOf(assisted, lowIncome)).toBeGreaterThan(0.7);
    expect(shareOf(city.filter(lowIncome), (p) => dept(p).medical?.medicalAssistance === true)).toBeGreaterThan(0.6);
    expect(
      breaking(
        city,
        (p) => dept(p).medical?.medicalInsuranceScheme !== 'resident' || dept(p).medical!.medicalInsuranceMonths === 0,
      ),
    ).toEqual([]);
  });

  it('counts ≈2% in marginal households, never on dibao, and gives every tekun a care mode', () => {
    const marginal = city.filter((p) => dept(p).lowIncome?.lowIncomeMarginal);
    expect(marginal.length / RESIDENTS).toBeGreaterThan(0.01);
    expect(marginal.length / RESIDENTS).toBeLessThan(0.035);
    expect(breaking(marginal, (p) => !p.civil.minimumLivingAllowance && !p.civil.specialHardship)).toEqual([]);
    expect(
      breaking(city, (p) => (dept(p).lowIncome?.specialHardshipCareMode !== undefined) === p.civil.specialHardship),
    ).toEqual([]);
  });

  it('records older people’s living situation at 60+ only: about half empty nest, the married never alone', () => {
    const older = city.filter((p) => dept(p).elderly);
    expect(breaking(older, (p) => ageOf(p) >= 60)).toEqual([]);
    expect(older.length).toBe(living.filter((p) => ageOf(p) >= 60).length);
    const emptyNest = shareOf(older, (p) => dept(p).elderly!.emptyNest);
    expect(emptyNest).toBeGreaterThan(0.35);
    expect(emptyNest).toBeLessThan(0.6);
    expect(
      breaking(older, (p) => {
        const { livesAlone, emptyNest } = dept(p).elderly!;
        return !(livesAlone && p.civil.maritalStatus === 'married') && (!livesAlone || emptyNest);
      }),
    ).toEqual([]);
    const dependent = (low: number, high: number) =>
      shareOf(
        older.filter((p) => ageOf(p) >= low && ageOf(p) < high),
        (p) => dept(p).elderly!.careDependencyLevel > 0,
      );
    expect(dependent(80, 200)).toBeGreaterThan(dependent(60, 70) + 0.2);
  });

  it('finds veterans among ≈3% of residents aged 20+, at least nine in ten of them men', () => {
    const veterans = city.filter((p) => dept(p).veteran?.veteran);
    const adults = city.filter((p) => ageOf(p) >= 20);
    expect(veterans.length / adults.length).toBeGreaterThan(0.025);
    expect(veterans.length / adults.length).toBeLessThan(0.06);
    expect(shareOf(veterans, (p) => p.household.gender === 'male')).toBeGreaterThan(0.9);
    expect(
      breaking(
        city.filter((p) => dept(p).veteran),
        (p) => {
          const record = dept(p).veteran!;
          const category = record.entitledCategory ?? '';
          return (
            ageOf(p) >= 20 &&
            record.entitledGroup === (record.entitledCategory !== undefined) &&
            (category !== 'war-veteran' || ageOf(p) >= 55) &&
            (!['disabled-veteran', 'war-veteran', 'demobilised'].includes(category) || record.veteran)
          );
        },
      ),
    ).toEqual([]);
  });

  it('has housing fund contributions only from the employed, dwellings and vehicles only for adults', () => {
    expect(
      breaking(
        city,
        (p) =>
          (!dept(p).housingFund?.housingFundContributing ||
            (p.social.employmentStatus === 'employed' && dept(p).housingFund!.housingFundMonthlyDeposit > 0)) &&
          ((!dept(p).realEstate && !dept(p).vehicles) || ageOf(p) >= 18) &&
          (!p.civil.minimumLivingAllowance || (dept(p).realEstate?.housingUnitsOwned ?? 1) === 1),
      ),
    ).toEqual([]);
    const owners = shareOf(
      city.filter((p) => ageOf(p) >= 30 && ageOf(p) < 60),
      (p) => dept(p).realEstate !== undefined,
    );
    expect(owners).toBeGreaterThan(0.5);
    expect(owners).toBeLessThan(0.8);
  });

  it('puts children in the school stage of their age, and graduates on 30 June, recent ones in their early twenties', () => {
    const EXPECTED: Record<string, [number, number]> = {
      preschool: [3, 5],
      primary: [6, 11],
      'junior-secondary': [12, 15],
      'senior-secondary': [15, 18],
      'secondary-vocational': [15, 18],
    };
    expect(
      breaking(
        city.filter((p) => dept(p).student),
        (p) => {
          const [low, high] = EXPECTED[dept(p).student!.schoolStage];
          return ageOf(p) >= low && ageOf(p) <= high && p.education?.schoolEnrolled !== false;
        },
      ),
    ).toEqual([]);
    const primaryAge = city.filter((p) => p.household.alive && ageOf(p) >= 7 && ageOf(p) <= 11);
    expect(shareOf(primaryAge, (p) => dept(p).student?.schoolStage === 'primary')).toBeGreaterThan(0.98);
    const graduates = city.filter((p) => dept(p).graduate);
    expect(breaking(graduates, (p) => dept(p).graduate!.collegeGraduatedOn.endsWith('-06-30'))).toEqual([]);
    const recent = graduates.filter((p) => dept(p).graduate!.collegeGraduatedOn >= '2024-06-30');
    expect(recent.length).toBeGreaterThan(50);
    expect(shareOf(recent, (p) => ageOf(p) >= 21 && ageOf(p) <= 25)).toBeGreaterThan(0.75);
    expect(breaking(recent, (p) => ageOf(p) >= 21 && ageOf(p) <= 31)).toEqual([]);
  });

  it('makes ≈45% rural collective members, local only, children with their guardian; poverty monitoring only among them', () => {
    const rural = shareOf(city, (p) => dept(p).rural !== undefined);
    expect(rural).toBeGreaterThan(0.38);
    expect(rural).toBeLessThan(0.52);
    const byId = new Map(city.map((p) => [p.household.idNumber, p]));
    expect(
      breaking(city, (p) => {
        const guardian = p.household.guardianIdNumber ? byId.get(p.household.guardianIdNumber) : undefined;
        return (
          (!dept(p).rural || p.household.localHukou) &&
          (!dept(p).poverty || dept(p).rural !== undefined) &&
          (!guardian ||
            !p.household.localHukou ||
            (dept(p).rural !== undefined) === (dept(guardian).rural !== undefined))
        );
      }),
    ).toEqual([]);
    const members = city.filter((p) => dept(p).rural);
    const monitored = shareOf(members, (p) => dept(p).poverty !== undefined);
    expect(monitored).toBeGreaterThan(0.005);
    expect(monitored).toBeLessThan(0.05);
  });

  it('registers pregnancies and children born only for women of 20-49', () => {
    const records = city.filter((p) => dept(p).maternal);
    expect(breaking(records, (p) => p.household.gender === 'female' && ageOf(p) >= 20 && ageOf(p) <= 49)).toEqual([]);
    const pregnant = shareOf(records, (p) => dept(p).maternal!.pregnancyRegistered);
    expect(pregnant).toBeGreaterThan(0.005);
    expect(pregnant).toBeLessThan(0.06);
    const mothers = (low: number, high: number) =>
      shareOf(
        records.filter((p) => ageOf(p) >= low && ageOf(p) <= high),
        (p) => dept(p).maternal!.childrenCount > 0,
      );
    expect(mothers(35, 49)).toBeGreaterThan(mothers(20, 24) + 0.4);
  });
});

describe('the enterprises’ department records follow their business', () => {
  it('certifies ≈1% as high-tech, mostly technology and manufacturing, active and a year old, with R&D', () => {
    const certified = economy.filter((e) => e.departments.highTech?.highTechCertified);
    expect(certified.length / ENTERPRISES).toBeGreaterThan(0.004);
    expect(certified.length / ENTERPRISES).toBeLessThan(0.02);
    expect(
      shareOf(certified, (e) => e.registry.industry === 'technology' || e.registry.industry === 'manufacturing'),
    ).toBeGreaterThan(0.6);
    expect(
      breakingFirms(certified, (e) => {
        const issued = e.departments.highTech!.highTechCertifiedOn ?? '';
        return (
          e.registry.status === 'active' &&
          !e.credit.seriousDishonesty &&
          issued > e.registry.establishedOn &&
          issued >= '2023-07-01' &&
          e.departments.taxReturns.rdExpenseLastYear / e.tax.annualRevenue >= 0.03
        );
      }),
    ).toEqual([]);
  });

  it('keeps expired certificates three to six years old, and registers ≈4% as technology SMEs, none large', () => {
    const records = economy.filter((e) => e.departments.highTech);
    expect(
      breakingFirms(records, (e) => {
        const { highTechCertified, highTechCertifiedOn, techSmeRegistered } = e.departments.highTech!;
        if (highTechCertified) return true;
        if (highTechCertifiedOn === undefined) return techSmeRegistered;
        return highTechCertifiedOn < '2023-07-01' && highTechCertifiedOn >= '2020-06-30';
      }),
    ).toEqual([]);
    const smes = economy.filter((e) => e.departments.highTech?.techSmeRegistered);
    expect(smes.length / ENTERPRISES).toBeGreaterThan(0.02);
    expect(smes.length / ENTERPRISES).toBeLessThan(0.07);
    expect(breakingFirms(smes, (e) => e.registry.size !== 'large' && e.registry.status === 'active')).toEqual([]);
    expect(shareOf(smes, (e) => e.registry.industry === 'technology')).toBeGreaterThan(0.35);
  });

  it('files a tax return for every firm: general VAT above 5 million revenue, R&D mostly in technology', () => {
    expect(
      breakingFirms(
        economy,
        (e) =>
          (e.tax.annualRevenue <= 5_000_000 || e.departments.taxReturns.vatTaxpayerType === 'general') &&
          e.departments.taxReturns.taxPaidLastYear <= e.tax.annualRevenue * 0.06 + 1,
      ),
    ).toEqual([]);
    const researching = (industry: string) =>
      shareOf(
        economy.filter((e) => e.registry.industry === industry),
        (e) => e.departments.taxReturns.rdExpenseLastYear > 0,
      );
    expect(researching('technology')).toBeGreaterThan(researching('retail') + 0.3);
    expect(shareOf(economy, (e) => e.departments.taxReturns.vatTaxpayerType === 'small-scale')).toBeGreaterThan(0.6);
  });

  it('supervises polluting and hazardous trades: rare violations and accidents, none in retail or services', () => {
    const quiet = ['retail', 'services', 'technology', 'agriculture'];
    expect(
      breakingFirms(
        economy,
        (e) =>
          (e.registry.industry === 'agriculture' ||
            !quiet.includes(e.registry.industry) ||
            !e.departments.environment) &&
          (e.registry.size !== 'micro' || !quiet.includes(e.registry.industry) || !e.departments.safety),
      ),
    ).toEqual([]);
    expect(
      shareOf(economy, (e) => e.departments.environment?.seriousEnvironmentalViolationLastYear === true),
    ).toBeLessThan(0.02);
    expect(shareOf(economy, (e) => e.departments.safety?.majorSafetyAccidentLastYear === true)).toBeLessThan(0.01);
  });

  it('registers hires for active firms only, graduates and registered unemployed among them', () => {
    expect(
      breakingFirms(economy, (e) => {
        const hires = e.departments.employment;
        if ((hires !== undefined) !== (e.registry.status === 'active')) return false;
        return (
          !hires ||
          (hires.newJobsLastYear <= e.registry.employeeCount &&
            hires.graduatesHiredLastYear + hires.registeredUnemployedHiredLastYear <= hires.newJobsLastYear)
        );
      }),
    ).toEqual([]);
  });
});
