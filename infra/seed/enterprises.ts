/**
 * Generates enterprises from a seeded stream: business registry, unemployment-insurance,
 * tax and credit records, and their records at the other departments (enterprise-facts.ts). Enterprise i depends only on the seed, asOf and its index.
 */
import { makeCreditCode } from '../../domain/identity.js';
import { subjectKey } from '../../domain/pseudonym.js';
import type { BusinessRegistryDoc, CreditDoc, EnterpriseInsuranceDoc, TaxDoc } from '../../store/shared-data.js';
import type { SubjectRecord } from '../../store/subjects.js';
import { fromDay, toDay } from './dates.js';
import { EnterpriseFactsGenerator, type EnterpriseFacts } from './enterprise-facts.js';
import * as d from './distributions.js';
import { Random } from './random.js';

/** Everything the city platform holds on one generated enterprise. */
export interface EnterpriseRecord {
  subject: SubjectRecord;
  registry: BusinessRegistryDoc;
  insurance: EnterpriseInsuranceDoc;
  tax: TaxDoc;
  credit: CreditDoc;
  /** The enterprise's records at the other departments (high-tech, tax returns, supervision, hires). */
  departments: EnterpriseFacts;
}

// Organisation codes walk a fixed permutation of 0..99,999,999 (multiplier coprime to 10^8),
// so every index gets a distinct code that does not look sequential.
const ORG_MULTIPLIER = 15_485_863;
const ORG_SPACE = 100_000_000;

/** A deterministic stream of enterprises for a seed, secret and reference date. */
export class EnterpriseGenerator {
  private readonly random: Random;
  private readonly asOfDay: number;
  private readonly orgOffset: number;
  private readonly departments: EnterpriseFactsGenerator;
  private index = 0;

  constructor(
    seed: string,
    private readonly secret: string,
    asOf: string,
    private readonly createdAt = new Date(),
  ) {
    this.random = new Random(`${seed}:enterprises`);
    this.asOfDay = toDay(asOf);
    this.orgOffset = new Random(`${seed}:org-codes`).int(0, ORG_SPACE - 1);
    this.departments = new EnterpriseFactsGenerator(seed, asOf);
  }

  next(): EnterpriseRecord {
    const r = this.random;
    const orgSeq = Number((BigInt(this.index++) * BigInt(ORG_MULTIPLIER) + BigInt(this.orgOffset)) % BigInt(ORG_SPACE));
    const district = d.districtChoice.sample(r);
    const creditCode = makeCreditCode(d.DISTRICT_INFO[district].code, orgSeq);
    const size = d.sizeChoice.sample(r);
    const industry = d.industryChoice.sample(r);
    const profile = d.SIZE_PROFILE[size];

    // Young firms dominate: about 12% were founded in the last year, few are older than 30.
    const ageDays = Math.min(Math.floor(-Math.log(1 - r.next()) * 8 * 365), 40 * 365);
    const establishedDay = this.asOfDay - ageDays;
    const newThisYear = ageDays < 365;
    const status = newThisYear ? 'active' : d.STATUS_CHOICE.sample(r);
    const [low, high] = profile.employees;
    const employeeCount =
      size === 'large'
        ? Math.round(Math.exp(r.uniform(Math.log(low), Math.log(high))))
        : size === 'micro'
          ? Math.min(high, 1 + Math.floor(-Math.log(1 - r.next()) * 4))
          : r.int(low, high);

    const insures = !newThisYear && r.chance(size === 'micro' ? 0.65 : 0.96);
    const insuredEmployeesLastYear = insures
      ? Math.max(1, Math.round(employeeCount * r.uniform(size === 'micro' ? 0.5 : 0.8, 1)))
      : 0;
    const monthlyBase = r.uniform(4200, size === 'large' ? 9000 : 6500);
    const monthsPaid = r.uniform(10, 12);
    const unemploymentPremiumsLastYear =
      Math.round(insuredEmployeesLastYear * monthlyBase * monthsPaid * d.UNEMPLOYMENT_PREMIUM_RATE * 100) / 100;
    const layoffDraw = r.next();
    const layoffRate = !insures
      ? 0
      : Math.round(
          (layoffDraw < 0.7
            ? 0
            : layoffDraw < 0.92
              ? r.uniform(0, 5.5)
              : layoffDraw < 0.98
                ? r.uniform(5.5, 10)
                : r.uniform(10, 30)) * 10,
        ) / 10;
    const premiumsInArrears = insures && r.chance(0.03 / 0.75);
    const seriousDishonesty = r.chance(0.01);
    const taxCreditRating = seriousDishonesty ? 'D' : newThisYear ? 'M' : d.taxRatingChoice.sample(r);
    const annualRevenue = Math.round(r.logNormal(profile.revenueMedian * (newThisYear ? 0.3 : 1), 0.8));
    const registry: BusinessRegistryDoc = {
      creditCode,
      establishedOn: fromDay(establishedDay),
      status,
      district,
      industry,
      size,
      employeeCount,
    };
    const tax: TaxDoc = { creditCode, taxCreditRating, annualRevenue };
    const credit: CreditDoc = { creditCode, seriousDishonesty };
    const name = `德州${r.pick(d.ENTERPRISE_WORDS)}${r.pick(d.ENTERPRISE_WORDS)}${d.INDUSTRY_SUFFIX[industry]}有限公司`;

    return {
      subject: {
        subjectKey: subjectKey('enterprise', creditCode, this.secret),
        kind: 'enterprise',
        creditCode,
        displayName: name,
        createdAt: this.createdAt,
      },
      registry,
      insurance: { creditCode, unemploymentPremiumsLastYear, insuredEmployeesLastYear, layoffRate, premiumsInArrears },
      tax,
      credit,
      departments: this.departments.next(registry, tax, credit),
    };
  }
}
