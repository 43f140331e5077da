/**
 * The residents' records at the departments the main social-assistance, social-insurance,
 * elderly-care, education and employment policies read besides the core registries: pensions,
 * medical security, the low-income population, older people's living situation, veterans,
 * housing fund, real estate, vehicles, school status, graduates, rural collectives, poverty
 * monitoring and maternal health. Drawn from a stream of its own, after a resident's core
 * records, so adding them left every core fact of every resident as it was; correlated with the
 * core records where life is. Shares of all residents (or of the group named), as generated:
 *
 * - pension: a record for everyone insured or drawing a pension (≈70%); on the employee scheme a
 *   post category, 30% cadre (干部) and 70% worker (工人); a pension is drawn only
 *   past retirement age — retired employees (employee scheme, 60 men / 55 women, ≥180 months,
 *   median ≈3,300 CNY a month) and insured residents of 60+ (resident scheme, median ≈230 CNY);
 *   ≈21% of residents draw one, none under 55.
 * - medical security: ≈96% of the living enrolled (employee scheme for formal employees and
 *   retired employees, resident scheme for the rest); medical assistance for ≈95% of dibao and
 *   tekun, 60% of marginal households, 80% of the poverty-monitored, 0.2% of others.
 * - low income: ≈2% in households on the margin of dibao (15% of those with income under 1.5×
 *   the dibao line and not on dibao; children follow their guardian); tekun 25% centralized care (35% at 80+ or
 *   disability grade 1), the rest scattered.
 * - older people (60+, alive): ≈35% of the unmarried live alone; empty nest = living alone or
 *   50% of the married (≈50% of all 60+); care dependency level 0-4 rising with age (≈12% of
 *   60-69 at level 1+, ≈50% of 80+), at least 1 with a grade 1-2 disability.
 * - veterans: 8% of men and 0.5% of women aged 20+ (≈95% men); entitled groups: disabled
 *   veterans (3% of veterans), war veterans (12% of veterans aged 55+), demobilised (30% of
 *   veterans aged 85+), martyrs' survivors (0.03% of adults) and serving soldiers' families
 *   (0.4% of adults aged 20-59).
 * - housing fund: an account for 60% of the employed (contributing, median ≈900 CNY a month),
 *   45% of the unemployed and 10% of others of working age (not contributing).
 * - real estate: a dwelling for ≈1% of 18-21, 25% of 22-29, 75% of the married and 45% of the
 *   unmarried of 30-59, 65% of 60+ (more with income, fewer on dibao); 2+ dwellings for ≈18%
 *   of owners (40% at high incomes, none on dibao or tekun).
 * - vehicles: 38% of men and 18% of women aged 25-59 (less younger and older, more with income,
 *   a fifth as many on dibao); 10% of owners have 2+.
 * - school status: 90% of 3-5 in kindergarten; every schooled child of 6-15 by age (primary 6-11,
 *   junior secondary 12-14, at 15 60% junior); 92% of 16-17 and 30% of 18-year-olds in senior
 *   (60%) or vocational (40%) secondary school.
 * - graduates: 45% of 21-34 and 30% of 35-45 (not studying now) graduated, from junior college
 *   (45%), bachelor (45%), master (9%), doctorate (1%), on 30 June at age 21/22/25/28 (+0-1 year).
 * - rural collective: local residents, 15% in 德城区, 45% in 陵城区, 55% in the counties
 *   (≈45% of residents); children follow their guardian.
 * - poverty monitoring: 20% of rural collective members under 1.5× the dibao line, 0.4% of other
 *   members (≈2% of members); children follow their guardian.
 * - maternal health: women 20-49 alive: children born by age (20-24: 75% none … 35-49: 90% at
 *   least one, 45% two or more); a registered pregnancy for 3% at 20-24, 5% at 25-34, 1.5% at
 *   35-44 (a tenth of that when unmarried).
 */
import type {
  CollegeGraduateDoc,
  ElderlyCareDoc,
  HousingFundDoc,
  LowIncomeDoc,
  MaternalHealthDoc,
  MedicalSecurityDoc,
  MotorVehicleDoc,
  PensionDoc,
  PovertyMonitoringDoc,
  RealEstateDoc,
  RuralCollectiveDoc,
  SocialInsuranceDoc,
  StudentStatusDoc,
  VeteranDoc,
} from '../../store/shared-data.js';
import { ageOn } from './dates.js';
import * as d from './distributions.js';
import { Random, Weighted } from './random.js';

/** What the department records of a resident follow from: the core records, as generated. */
export interface PersonBasics {
  idNumber: string;
  birthDate: string;
  gender: 'male' | 'female';
  alive: boolean;
  localHukou: boolean;
  district: d.District;
  maritalStatus: 'single' | 'married' | 'divorced' | 'widowed';
  householdIncomePerCapita: number;
  dibao: boolean;
  specialHardship: boolean;
  disabilityGrade?: number;
  social: SocialInsuranceDoc;
  /** The compulsory-education record's answer, for children of 6-15. */
  schoolEnrolled?: boolean;
  /** The guardian's household traits, for a minor. */
  guardian?: HouseholdTraits;
}

/** What a minor shares with the guardian's household. */
export interface HouseholdTraits {
  rural: boolean;
  povertyMonitored: boolean;
  lowIncomeMarginal: boolean;
}

/** A resident's records at the departments of this module (absent: no record there). */
export interface PersonFacts {
  pension?: PensionDoc;
  medical?: MedicalSecurityDoc;
  lowIncome?: LowIncomeDoc;
  elderly?: ElderlyCareDoc;
  veteran?: VeteranDoc;
  housingFund?: HousingFundDoc;
  realEstate?: RealEstateDoc;
  vehicles?: MotorVehicleDoc;
  student?: StudentStatusDoc;
  graduate?: CollegeGraduateDoc;
  rural?: RuralCollectiveDoc;
  poverty?: PovertyMonitoringDoc;
  maternal?: MaternalHealthDoc;
  traits: HouseholdTraits;
}

/** Rural collective membership share of local residents by district (德城区 is the urban core). */
const RURAL_SHARE: Partial<Record<d.District, number>> = { 德城区: 0.15, 陵城区: 0.45 };
const RURAL_SHARE_COUNTY = 0.55;
const MARGINAL_LINE = d.DIBAO_LINE * 1.5;
/** Share of households under the margin line recognised as marginal (they apply; about 2% of residents). */
const MARGINAL_TAKE_UP = 0.15;
const MEDIAN_EMPLOYEE_PENSION = 3300;
/** The share of cadres (干部) among employee-scheme records; the rest are workers (工人). */
const CADRE_SHARE = 0.3;
const MEDIAN_RESIDENT_PENSION = 230;
const MIN_RESIDENT_PENSION = 143;

type CareLevel = 0 | 1 | 2 | 3 | 4;
const careLevels = (...weights: number[]) => new Weighted(weights.map((w, i) => [i as CareLevel, w] as const));
/** Care dependency (GB/T 42195-2022) by age: 60-69, 70-79, 80+. */
const CARE_LEVELS = [careLevels(88, 8, 2, 1.5, 0.5), careLevels(75, 15, 5, 3, 2), careLevels(50, 22, 12, 9, 7)];
const children = (...weights: number[]) => new Weighted(weights.map((w, i) => [i, w] as const));
/** Children born by mother's age: 20-24, 25-29, 30-34, 35-49 (0, 1, 2, 3). */
const CHILDREN = [children(75, 20, 5, 0), children(45, 40, 14, 1), children(20, 45, 32, 3), children(10, 45, 40, 5)];
const DEGREES = new Weighted<CollegeGraduateDoc['highestDegree']>([
  ['junior-college', 45],
  ['bachelor', 45],
  ['master', 9],
  ['doctorate', 1],
]);
const GRADUATION_AGE: Record<CollegeGraduateDoc['highestDegree'], number> = {
  'junior-college': 21,
  bachelor: 22,
  master: 25,
  doctorate: 28,
};

/** A deterministic stream of department records, one call per resident in generation order. */
export class PersonFactsGenerator {
  private readonly random: Random;

  constructor(
    seed: string,
    private readonly asOf: string,
  ) {
    this.random = new Random(`${seed}:person-facts`);
  }

  next(p: PersonBasics): PersonFacts {
    const age = ageOn(p.birthDate, this.asOf);
    const idNumber = p.idNumber;
    const rural = this.rural(p);
    const marginal = this.marginal(p);
    const povertyMonitored = rural && (p.guardian ? p.guardian.povertyMonitored : this.monitored(p));
    const pension = this.pension(p, age);
    const facts: PersonFacts = {
      ...(pension ? { pension } : {}),
      traits: { rural, povertyMonitored, lowIncomeMarginal: marginal },
    };
    const medical = this.medical(p, age, marginal, povertyMonitored);
    if (medical) facts.medical = medical;
    if (p.dibao || p.specialHardship || marginal) facts.lowIncome = this.lowIncome(p, age, marginal);
    if (age >= 60 && p.alive) facts.elderly = this.elderly(p, age);
    const veteran = this.veteran(p, age);
    if (veteran) facts.veteran = veteran;
    const housingFund = this.housingFund(p, age);
    if (housingFund) facts.housingFund = housingFund;
    const realEstate = this.realEstate(p, age);
    if (realEstate) facts.realEstate = realEstate;
    const vehicles = this.vehicles(p, age);
    if (vehicles) facts.vehicles = vehicles;
    const schoolStage = this.schoolStage(p, age);
    if (schoolStage) facts.student = { idNumber, schoolStage };
    const graduate = this.graduate(p, age);
    if (graduate) facts.graduate = graduate;
    if (rural) facts.rural = { idNumber, ruralCollectiveMember: true };
    if (povertyMonitored) facts.poverty = { idNumber, povertyRelapseMonitored: true };
    const maternal = this.maternal(p, age);
    if (maternal) facts.maternal = maternal;
    return facts;
  }

  private rural(p: PersonBasics): boolean {
    if (!p.localHukou) return false;
    if (p.guardian) return p.guardian.rural;
    return this.random.chance(RURAL_SHARE[p.district] ?? RURAL_SHARE_COUNTY);
  }

  private marginal(p: PersonBasics): boolean {
    if (!p.alive || p.dibao || p.specialHardship) return false;
    if (p.guardian) return p.guardian.lowIncomeMarginal;
    return p.householdIncomePerCapita < MARGINAL_LINE && this.random.chance(MARGINAL_TAKE_UP);
  }

  private monitored(p: PersonBasics): boolean {
    return this.random.chance(p.householdIncomePerCapita < MARGINAL_LINE ? 0.2 : 0.004);
  }

  private pension(p: PersonBasics, age: number): PensionDoc | undefined {
    const r = this.random;
    const { social } = p;
    const workingMonths = Math.max(0, age - 18) * 12;
    const doc = (scheme: PensionDoc['pensionScheme'], months: number, amount: number): PensionDoc => ({
      idNumber: p.idNumber,
      pensionContributionMonths: months,
      pensionReceiving: amount > 0,
      pensionScheme: scheme,
      pensionMonthlyAmount: amount,
      ...(scheme === 'employee' ? { postCategory: r.chance(CADRE_SHARE) ? 'cadre' : 'worker' } : {}),
    });
    if (social.employmentStatus === 'retired') {
      const months = r.int(180, Math.max(180, Math.min(540, workingMonths)));
      const amount = Math.max(1500, Math.round(r.logNormal(MEDIAN_EMPLOYEE_PENSION, 0.3)));
      return doc('employee', months, p.alive ? amount : 0);
    }
    if (!social.pensionInsured) return undefined;
    if (age >= 60) {
      const amount = Math.max(MIN_RESIDENT_PENSION, Math.round(r.logNormal(MEDIAN_RESIDENT_PENSION, 0.25)));
      return doc('resident', r.int(12, 180), p.alive ? amount : 0);
    }
    const employee = r.chance(social.employmentStatus === 'employed' ? 0.85 : 0.2);
    const months = employee
      ? Math.round(workingMonths * r.uniform(0.4, 1))
      : Math.round(Math.min(workingMonths, 180) * r.uniform(0.2, 1));
    return doc(employee ? 'employee' : 'resident', months, 0);
  }

  private medical(
    p: PersonBasics,
    age: number,
    marginal: boolean,
    povertyMonitored: boolean,
  ): MedicalSecurityDoc | undefined {
    const r = this.random;
    const enrolled = p.alive && r.chance(age < 1 ? 0.85 : 0.96);
    if (!enrolled && p.alive && r.chance(0.25)) return undefined; // never enrolled in the city
    const { social } = p;
    const employee =
      social.employmentStatus === 'retired' || (social.employmentStatus === 'employed' && social.pensionInsured);
    const months = !employee
      ? 0
      : social.employmentStatus === 'retired'
        ? r.int(240, 420)
        : Math.round(Math.max(0, age - 18) * 12 * r.uniform(0.3, 1));
    const assistanceShare = p.dibao || p.specialHardship ? 0.95 : povertyMonitored ? 0.8 : marginal ? 0.6 : 0.002;
    const median =
      (age < 18 ? 150 : age < 45 ? 400 : age < 60 ? 800 : age < 75 ? 1800 : 3000) *
      (p.disabilityGrade !== undefined ? 1.5 : 1);
    const outOfPocket = r.chance(0.15) ? 0 : Math.min(500_000, Math.round(r.logNormal(median, 1.1)));
    return {
      idNumber: p.idNumber,
      medicalInsuranceEnrolled: enrolled,
      medicalInsuranceScheme: employee ? 'employee' : 'resident',
      medicalInsuranceMonths: months,
      medicalAssistance: enrolled && r.chance(assistanceShare),
      outOfPocketMedicalLastYear: outOfPocket,
    };
  }

  private lowIncome(p: PersonBasics, age: number, marginal: boolean): LowIncomeDoc {
    if (!p.specialHardship) return { idNumber: p.idNumber, lowIncomeMarginal: marginal };
    const centralized = this.random.chance(age >= 80 || p.disabilityGrade === 1 ? 0.35 : 0.25);
    return {
      idNumber: p.idNumber,
      lowIncomeMarginal: false,
      specialHardshipCareMode: centralized ? 'centralized' : 'scattered',
    };
  }

  private elderly(p: PersonBasics, age: number): ElderlyCareDoc {
    const r = this.random;
    const livesAlone = p.maritalStatus !== 'married' && r.chance(0.35);
    const emptyNest = livesAlone || (p.maritalStatus === 'married' && r.chance(0.5));
    let level = CARE_LEVELS[age < 70 ? 0 : age < 80 ? 1 : 2].sample(r);
    if (p.disabilityGrade !== undefined && p.disabilityGrade <= 2 && level === 0) level = 1;
    return { idNumber: p.idNumber, livesAlone, emptyNest, careDependencyLevel: level };
  }

  private veteran(p: PersonBasics, age: number): VeteranDoc | undefined {
    const r = this.random;
    if (age < 20) return undefined;
    const veteran = r.chance(p.gender === 'male' ? 0.08 : 0.005);
    let category: VeteranDoc['entitledCategory'];
    if (veteran) {
      if (r.chance(0.03)) category = 'disabled-veteran';
      else if (age >= 85 && r.chance(0.3)) category = 'demobilised';
      else if (age >= 55 && r.chance(0.12)) category = 'war-veteran';
    } else if (r.chance(0.0003)) category = 'martyr-survivor';
    else if (age < 60 && r.chance(0.004)) category = 'serving-family';
    if (!veteran && !category) return undefined;
    return {
      idNumber: p.idNumber,
      veteran,
      entitledGroup: category !== undefined,
      ...(category ? { entitledCategory: category } : {}),
    };
  }

  private housingFund(p: PersonBasics, age: number): HousingFundDoc | undefined {
    const r = this.random;
    const status = p.social.employmentStatus;
    if (age < 18 || status === 'retired' || status === 'student' || !p.alive) return undefined;
    const contributing = status === 'employed' && r.chance(0.6);
    if (!contributing && !r.chance(status === 'employed' ? 0 : status === 'unemployed' ? 0.45 : 0.1)) return undefined;
    const deposit = contributing ? Math.min(6000, Math.max(190, Math.round(r.logNormal(900, 0.45)))) : 0;
    return { idNumber: p.idNumber, housingFundContributing: contributing, housingFundMonthlyDeposit: deposit };
  }

  private realEstate(p: PersonBasics, age: number): RealEstateDoc | undefined {
    const r = this.random;
    if (age < 18) return undefined;
    const base = age < 22 ? 0.01 : age < 30 ? 0.25 : age < 60 ? (p.maritalStatus === 'married' ? 0.75 : 0.45) : 0.65;
    const income = p.householdIncomePerCapita;
    const poor = p.dibao || p.specialHardship;
    const factor = poor || income < d.DIBAO_LINE ? 0.6 : income > 2 * d.INCOME_MEDIAN ? 1.15 : 1;
    if (!r.chance(Math.min(0.95, base * factor))) return undefined;
    const draw = r.next();
    const [two, three] = income > 2 * d.INCOME_MEDIAN ? [0.6, 0.92] : [0.82, 0.97];
    const units = poor ? 1 : draw < two ? 1 : draw < three ? 2 : 3;
    return { idNumber: p.idNumber, ownsHousing: true, housingUnitsOwned: units };
  }

  private vehicles(p: PersonBasics, age: number): MotorVehicleDoc | undefined {
    const r = this.random;
    if (age < 18 || age > 75 || !p.alive) return undefined;
    const base = (p.gender === 'male' ? 0.38 : 0.18) * (age < 25 ? 0.4 : age >= 60 ? 0.5 : 1);
    const income = p.householdIncomePerCapita;
    const factor = p.dibao || p.specialHardship || income < d.DIBAO_LINE ? 0.2 : income > 4000 ? 1.4 : 1;
    if (!r.chance(base * factor)) return undefined;
    const draw = r.next();
    return { idNumber: p.idNumber, ownsMotorVehicle: true, motorVehiclesOwned: draw < 0.9 ? 1 : draw < 0.99 ? 2 : 3 };
  }

  private schoolStage(p: PersonBasics, age: number): StudentStatusDoc['schoolStage'] | undefined {
    const r = this.random;
    if (!p.alive || age < 3 || age > 18) return undefined;
    if (age <= 5) return r.chance(0.9) ? 'preschool' : undefined;
    if (age <= 15 && p.schoolEnrolled === false) return undefined;
    if (age <= 11) return 'primary';
    if (age <= 14 || (age === 15 && r.chance(0.6))) return 'junior-secondary';
    if (!r.chance(age === 18 ? 0.3 : age === 15 ? 1 : 0.92)) return undefined;
    return r.chance(0.6) ? 'senior-secondary' : 'secondary-vocational';
  }

  private graduate(p: PersonBasics, age: number): CollegeGraduateDoc | undefined {
    const r = this.random;
    if (age < 21 || age > 45 || p.social.employmentStatus === 'student') return undefined;
    if (!r.chance(age < 35 ? 0.45 : 0.3)) return undefined;
    const degree = DEGREES.sample(r);
    const graduatedOn = `${Number(p.birthDate.slice(0, 4)) + GRADUATION_AGE[degree] + r.int(0, 1)}-06-30`;
    if (graduatedOn > this.asOf) return undefined; // still studying
    return { idNumber: p.idNumber, collegeGraduatedOn: graduatedOn, highestDegree: degree };
  }

  private maternal(p: PersonBasics, age: number): MaternalHealthDoc | undefined {
    const r = this.random;
    if (p.gender !== 'female' || age < 20 || age > 49 || !p.alive) return undefined;
    const childrenCount = CHILDREN[age < 25 ? 0 : age < 30 ? 1 : age < 35 ? 2 : 3].sample(r);
    const pregnancy =
      (age < 25 ? 0.03 : age < 35 ? 0.05 : age < 45 ? 0.015 : 0.001) * (p.maritalStatus === 'married' ? 1 : 0.1);
    return { idNumber: p.idNumber, pregnancyRegistered: r.chance(pregnancy), childrenCount };
  }
}
