/**
 * The enterprises' records at the departments enterprise-support policies read besides the
 * business registry, insurance, tax rating and credit: high-technology certificates, tax
 * returns, environmental and work-safety supervision, and employment registration. Drawn from
 * a stream of its own, after an enterprise's core records, so adding them left every core fact
 * as it was; correlated with the core records. Shares, as generated:
 *
 * - high-tech certificate (valid three years, issued 1-36 months ago): active firms at least a
 *   year old and not seriously dishonest — technology 3% micro / 25% small / 40% medium / 50%
 *   large, manufacturing 0.5 / 6 / 25 / 40%, agriculture 0.1 / 1.5 / 6 / 10%, others 0.05 /
 *   0.5 / 2 / 4% (≈1% of all firms, ≈75% of them technology or manufacturing); as many as 40%
 *   of that again of firms four years old or more hold one that expired (issued 3-6 years ago).
 *   Technology SMEs (科技型中小企业, not large, active): 40% of technology, 8% of manufacturing,
 *   3% of agriculture and 0.5% of other firms (≈4%).
 * - tax returns (every firm): general VAT taxpayers above 5 million CNY revenue, 8% of the rest
 *   (voluntarily); R&D expenses for every high-tech firm (3.5-8% of revenue), 90% of other
 *   technology SMEs, 55% of other technology, 30% of other manufacturing and 2% of other firms (0.5-4%); taxes paid 2-6% of
 *   revenue for general taxpayers, 0.2-1.5% for small-scale ones; nothing last year for a firm
 *   founded this year.
 * - environmental supervision: manufacturing, construction, agriculture and logistics firms;
 *   a serious violation in the last year for 2.5 / 2 / 1 / 0.8% of them, × 0.6 micro, 1.5
 *   medium, 2 large.
 * - work-safety supervision: firms of manufacturing, construction and logistics, and every firm
 *   not micro; a major accident in the last year for 1% construction, 0.6% manufacturing, 0.5%
 *   logistics, 0.3% agriculture, 0.05% others, × 0.5 micro, 2 medium, 4 large.
 * - employment registration (active firms): new hires last year 50-100% of the workforce for a
 *   firm under two years old, up to 30% otherwise; of them college graduates 35% technology,
 *   15% services, 10% manufacturing, 5% others (× 0.5-1.5), registered unemployed up to 12%.
 */
import type {
  BusinessRegistryDoc,
  CreditDoc,
  EnterpriseEmploymentDoc,
  EnvironmentalEnforcementDoc,
  HighTechDoc,
  TaxDoc,
  TaxReturnDoc,
  WorkSafetyDoc,
} from '../../store/shared-data.js';
import { fromDay, toDay } from './dates.js';
import { Random } from './random.js';

type Industry = BusinessRegistryDoc['industry'];
type Size = BusinessRegistryDoc['size'];

/** An enterprise's records at the departments of this module (absent: no record there). */
export interface EnterpriseFacts {
  highTech?: HighTechDoc;
  taxReturns: TaxReturnDoc;
  environment?: EnvironmentalEnforcementDoc;
  safety?: WorkSafetyDoc;
  employment?: EnterpriseEmploymentDoc;
}

/** High-tech certification share by industry and size (micro, small, medium, large). */
const HIGH_TECH: Partial<Record<Industry, readonly [number, number, number, number]>> = {
  technology: [0.03, 0.25, 0.4, 0.5],
  manufacturing: [0.005, 0.06, 0.25, 0.4],
  agriculture: [0.001, 0.015, 0.06, 0.1],
};
const HIGH_TECH_OTHER = [0.0005, 0.005, 0.02, 0.04] as const;
/** Of firms four years old or more, an expired certificate as often as this share of a current one. */
const HIGH_TECH_EXPIRED = 0.4;
const TECH_SME: Partial<Record<Industry, number>> = { technology: 0.4, manufacturing: 0.08, agriculture: 0.03 };
const TECH_SME_OTHER = 0.005;
const SIZE_INDEX: Record<Size, number> = { micro: 0, small: 1, medium: 2, large: 3 };
const VAT_GENERAL_THRESHOLD = 5_000_000;
const ENVIRONMENT: Partial<Record<Industry, number>> = {
  manufacturing: 0.025,
  construction: 0.02,
  agriculture: 0.01,
  logistics: 0.008,
};
const ENVIRONMENT_SIZE: Record<Size, number> = { micro: 0.6, small: 1, medium: 1.5, large: 2 };
const ACCIDENT: Partial<Record<Industry, number>> = {
  construction: 0.01,
  manufacturing: 0.006,
  logistics: 0.005,
  agriculture: 0.003,
};
const ACCIDENT_OTHER = 0.0005;
const ACCIDENT_SIZE: Record<Size, number> = { micro: 0.5, small: 1, medium: 2, large: 4 };
const GRADUATE_SHARE: Partial<Record<Industry, number>> = { technology: 0.35, services: 0.15, manufacturing: 0.1 };

/** A deterministic stream of department records, one call per enterprise in generation order. */
export class EnterpriseFactsGenerator {
  private readonly random: Random;
  private readonly asOfDay: number;

  constructor(seed: string, asOf: string) {
    this.random = new Random(`${seed}:enterprise-facts`);
    this.asOfDay = toDay(asOf);
  }

  next(registry: BusinessRegistryDoc, tax: TaxDoc, credit: CreditDoc): EnterpriseFacts {
    const r = this.random;
    const { creditCode, industry, size } = registry;
    const ageDays = this.asOfDay - toDay(registry.establishedOn);
    const active = registry.status === 'active';
    const share = (HIGH_TECH[industry] ?? HIGH_TECH_OTHER)[SIZE_INDEX[size]];
    const eligible = active && !credit.seriousDishonesty;
    const highTech = eligible && ageDays >= 365 && r.chance(share);
    const expired = !highTech && eligible && ageDays >= 4 * 365 && r.chance(share * HIGH_TECH_EXPIRED);
    const techSme = active && size !== 'large' && r.chance(TECH_SME[industry] ?? TECH_SME_OTHER);
    const facts: EnterpriseFacts = { taxReturns: this.taxReturns(registry, tax, highTech, techSme, ageDays) };
    if (highTech || expired || techSme) {
      const established = toDay(registry.establishedOn);
      const [from, to] = highTech
        ? [Math.max(established + 365, this.asOfDay - 3 * 365 + 1), this.asOfDay - 30]
        : [Math.max(established + 365, this.asOfDay - 6 * 365), this.asOfDay - 3 * 365];
      facts.highTech = {
        creditCode,
        highTechCertified: highTech,
        ...(highTech || expired ? { highTechCertifiedOn: fromDay(r.int(Math.min(from, to), to)) } : {}),
        techSmeRegistered: techSme,
      };
    }

    const environment = ENVIRONMENT[industry];
    if (environment !== undefined)
      facts.environment = {
        creditCode,
        seriousEnvironmentalViolationLastYear: r.chance(environment * ENVIRONMENT_SIZE[size]),
      };

    const accident = ACCIDENT[industry] ?? ACCIDENT_OTHER;
    if (size !== 'micro' || industry === 'manufacturing' || industry === 'construction' || industry === 'logistics')
      facts.safety = { creditCode, majorSafetyAccidentLastYear: r.chance(accident * ACCIDENT_SIZE[size]) };

    if (active) {
      const hires = Math.round(registry.employeeCount * (ageDays < 2 * 365 ? r.uniform(0.5, 1) : r.uniform(0, 0.3)));
      const graduates = Math.min(hires, Math.round(hires * (GRADUATE_SHARE[industry] ?? 0.05) * r.uniform(0.5, 1.5)));
      const unemployed = Math.min(hires - graduates, Math.round(hires * r.uniform(0, 0.12)));
      facts.employment = {
        creditCode,
        newJobsLastYear: hires,
        graduatesHiredLastYear: graduates,
        registeredUnemployedHiredLastYear: unemployed,
      };
    }
    return facts;
  }

  /** The firm's tax return: R&D and taxes follow its revenue, industry and certificate. */
  private taxReturns(
    registry: BusinessRegistryDoc,
    tax: TaxDoc,
    highTech: boolean,
    techSme: boolean,
    ageDays: number,
  ): TaxReturnDoc {
    const r = this.random;
    const revenue = tax.annualRevenue;
    const general = revenue > VAT_GENERAL_THRESHOLD || r.chance(0.08);
    const researchShare = techSme
      ? 0.9
      : registry.industry === 'technology'
        ? 0.55
        : registry.industry === 'manufacturing'
          ? 0.3
          : 0.02;
    const newThisYear = ageDays < 365;
    const rd = newThisYear
      ? 0
      : highTech
        ? Math.round(revenue * r.uniform(0.035, 0.08))
        : r.chance(researchShare)
          ? Math.round(revenue * r.uniform(0.005, 0.04))
          : 0;
    const taxPaid = newThisYear ? 0 : Math.round(revenue * (general ? r.uniform(0.02, 0.06) : r.uniform(0.002, 0.015)));
    return {
      creditCode: registry.creditCode,
      rdExpenseLastYear: rd,
      taxPaidLastYear: taxPaid,
      vatTaxpayerType: general ? 'general' : 'small-scale',
    };
  }
}
