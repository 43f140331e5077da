/**
 * Generates residents one at a time from a seeded stream: identity, household registry,
 * civil affairs, social insurance, the social security card's account, (for some) disability
 * and schooling records, and their records at the other departments (person-facts.ts).
 * Person i depends only on the seed, asOf and persons before it, so a larger run
 * reproduces a smaller one's residents exactly.
 */
import { makeResidentId } from '../../domain/identity.js';
import { subjectKey } from '../../domain/pseudonym.js';
import type {
  CivilAffairsDoc,
  DisabilityDoc,
  EducationDoc,
  HouseholdRegistryDoc,
  SocialInsuranceDoc,
  SocialSecurityCardDoc,
} from '../../store/shared-data.js';
import type { SubjectRecord } from '../../store/subjects.js';
import { BankAccountGenerator } from './bank-accounts.js';
import { PersonFactsGenerator, type HouseholdTraits, type PersonFacts } from './person-facts.js';
import { addYears, fromDay, toDay } from './dates.js';
import * as d from './distributions.js';
import { Random } from './random.js';

/** Everything the city platform holds on one generated resident. */
export interface PersonRecord {
  subject: SubjectRecord;
  household: HouseholdRegistryDoc;
  civil: CivilAffairsDoc;
  social: SocialInsuranceDoc;
  /** Every resident holds a social security card; its account is where benefits are paid. */
  bankAccount: SocialSecurityCardDoc;
  disability?: DisabilityDoc;
  education?: EducationDoc;
  /** The resident's records at the other departments (pension, medical security, veterans, …). */
  departments: Omit<PersonFacts, 'traits'>;
}

interface GuardianCandidate {
  idNumber: string;
  birthDay: number;
  district: d.District;
  localHukou: boolean;
  income: number;
  dibao: boolean;
  surname: string;
  /** Set once the candidate's department records are drawn: what a child shares with the household. */
  traits?: HouseholdTraits;
}

const FIRST_DAY = toDay('1900-01-01');
const MAX_REGIONS = 64;
const RING_SIZE = 512;
const YEAR = 365.2425;

/** A deterministic stream of residents for a seed, secret and reference date. */
export class PersonGenerator {
  private readonly random: Random;
  private readonly accounts: BankAccountGenerator;
  private readonly departments: PersonFactsGenerator;
  private readonly asOfDay: number;
  private readonly days: number;
  private readonly sequences: Uint16Array;
  private readonly regions = new Map<string, number>();
  private readonly ring: GuardianCandidate[] = [];
  private ringNext = 0;

  constructor(
    seed: string,
    private readonly secret: string,
    asOf: string,
    private readonly createdAt = new Date(),
  ) {
    this.random = new Random(`${seed}:persons`);
    this.accounts = new BankAccountGenerator(seed);
    this.departments = new PersonFactsGenerator(seed, asOf);
    this.asOfDay = toDay(asOf);
    this.days = this.asOfDay - FIRST_DAY + 1;
    this.sequences = new Uint16Array(MAX_REGIONS * this.days * 2);
  }

  next(): PersonRecord {
    const r = this.random;
    let age = d.ageGroupChoice.sample(r) * 5 + r.int(0, 4);
    let guardian = age < 18 ? this.pickGuardian(age) : undefined;
    if (age < 18 && !guardian) age = r.int(20, 59); // only at the very start, before any adult exists
    const birthDay = this.asOfDay - Math.floor((age + r.next()) * YEAR);
    if (age >= 18) guardian = undefined;
    const gender = r.chance(d.maleShare(age)) ? 'male' : 'female';

    const district = guardian?.district ?? d.districtChoice.sample(r);
    const localHukou = guardian?.localHukou ?? r.chance(d.LOCAL_HUKOU_SHARE);
    const districtCode = d.DISTRICT_INFO[district].code;
    let regionCode: string;
    if (!localHukou) regionCode = d.OUTSIDE_REGIONS.sample(r);
    else if (guardian || r.chance(0.88)) regionCode = districtCode;
    else regionCode = r.chance(0.5) ? d.DISTRICT_INFO[d.districtChoice.sample(r)].code : d.OUTSIDE_REGIONS.sample(r);
    const { idNumber, birthDate } = this.issueId(regionCode, birthDay, gender);
    const hukouSince = !localHukou
      ? undefined
      : regionCode === districtCode && (guardian || r.chance(0.85))
        ? birthDate
        : fromDay(r.int(birthDay, this.asOfDay));

    const alive = !r.chance(age >= 80 ? 0.02 : age >= 60 ? 0.004 : 0.0002);
    const maritalStatus = d.maritalChoice(age).sample(r);
    const social = this.social(idNumber, age, gender, birthDate);
    const disability = this.disability(idNumber, age, birthDay);

    const income =
      guardian?.income ??
      Math.max(0, Math.round(r.logNormal(d.INCOME_MEDIAN * (age >= 70 ? 0.75 : 1), d.INCOME_SIGMA) / 10) * 10);
    const poor = income < d.DIBAO_LINE;
    const specialHardship =
      !guardian &&
      poor &&
      ((age >= 60 && (maritalStatus === 'single' || maritalStatus === 'widowed') && r.chance(0.45)) ||
        (disability !== undefined && disability.disabilityGrade <= 2 && r.chance(0.15)));
    const dibao = alive && !specialHardship && (guardian ? guardian.dibao : poor && r.chance(d.DIBAO_TAKE_UP));

    const surname = guardian?.surname ?? d.SURNAMES.sample(r);
    const given = r.pick(d.GIVEN_CHARS) + (r.chance(0.7) ? r.pick(d.GIVEN_CHARS) : '');
    const candidate: GuardianCandidate = { idNumber, birthDay, district, localHukou, income, dibao, surname };
    if (alive && age >= 20 && age <= 55) this.remember(candidate);
    const education =
      age >= 6 && age <= 15
        ? { idNumber, schoolEnrolled: r.chance(disability?.disabilityType === 'intellectual' ? 0.7 : 0.997) }
        : undefined;
    const { traits, ...departments } = this.departments.next({
      idNumber,
      birthDate,
      gender,
      alive,
      localHukou,
      district,
      maritalStatus,
      householdIncomePerCapita: income,
      dibao,
      specialHardship,
      ...(disability ? { disabilityGrade: disability.disabilityGrade } : {}),
      social,
      ...(education ? { schoolEnrolled: education.schoolEnrolled } : {}),
      ...(guardian?.traits ? { guardian: guardian.traits } : {}),
    });
    candidate.traits = traits;

    return {
      subject: {
        subjectKey: subjectKey('person', idNumber, this.secret),
        kind: 'person',
        idNumber,
        displayName: surname + given,
        createdAt: this.createdAt,
      },
      household: {
        idNumber,
        birthDate,
        gender,
        localHukou,
        district,
        ...(hukouSince ? { hukouSince } : {}),
        alive,
        ...(guardian ? { guardianIdNumber: guardian.idNumber } : {}),
      },
      civil: {
        idNumber,
        maritalStatus,
        minimumLivingAllowance: dibao,
        specialHardship,
        householdIncomePerCapita: income,
      },
      social,
      bankAccount: this.accounts.next(idNumber, surname + given, alive),
      ...(disability ? { disability } : {}),
      ...(education ? { education } : {}),
      departments,
    };
  }

  /** A unique, valid ID: per region, birth day and gender a counter supplies the order code. */
  private issueId(
    regionCode: string,
    birthDay: number,
    gender: 'male' | 'female',
  ): { idNumber: string; birthDate: string } {
    let region = this.regions.get(regionCode);
    if (region === undefined) {
      region = this.regions.size;
      if (region >= MAX_REGIONS) throw new RangeError('too many distinct region codes for the ID counter');
      this.regions.set(regionCode, region);
    }
    for (let day = birthDay; day >= FIRST_DAY; day--) {
      const slot = (region * this.days + (day - FIRST_DAY)) * 2 + (gender === 'male' ? 1 : 0);
      const sequence = this.sequences[slot];
      if (sequence >= 500) continue; // this day's order codes are used up: the day before
      this.sequences[slot] = sequence + 1;
      const birthDate = fromDay(day);
      return { idNumber: makeResidentId(regionCode, birthDate, sequence, gender), birthDate };
    }
    throw new RangeError('no resident ID order code left');
  }

  private pickGuardian(childAge: number): GuardianCandidate | undefined {
    if (this.ring.length === 0) return undefined;
    const fits = (g: GuardianCandidate) => {
      const gap = (this.asOfDay - g.birthDay) / YEAR - childAge;
      return gap >= 19 && gap <= 45;
    };
    for (let attempt = 0; attempt < 12; attempt++) {
      const candidate = this.random.pick(this.ring);
      if (fits(candidate)) return candidate;
    }
    return this.ring.find(fits);
  }

  private remember(candidate: GuardianCandidate): void {
    if (this.ring.length < RING_SIZE) this.ring.push(candidate);
    else this.ring[this.ringNext] = candidate;
    this.ringNext = (this.ringNext + 1) % RING_SIZE;
  }

  private social(idNumber: string, age: number, gender: 'male' | 'female', birthDate: string): SocialInsuranceDoc {
    const r = this.random;
    const retirementAge = gender === 'male' ? 60 : 55;
    const months = (share: number) =>
      r.chance(share) ? Math.max(1, Math.round(Math.min(age - 20, 35) * 12 * r.uniform(0.3, 1))) : 0;
    const base = { idNumber, unemploymentInsuranceMonths: 0, unemploymentRegistered: false, pensionInsured: false };
    if (age < 6) return { ...base, employmentStatus: 'none' };
    if (age < 18 || (age < 22 && r.chance(0.55))) return { ...base, employmentStatus: 'student' };
    if (age >= retirementAge) {
      if (r.chance(d.EMPLOYEE_PENSION_SHARE)) {
        const retiredOn = addYears(birthDate, retirementAge);
        return {
          ...base,
          employmentStatus: 'retired',
          unemploymentInsuranceMonths: months(0.8),
          pensionInsured: true,
          retiredOn,
          employmentEndedOn: retiredOn,
        };
      }
      return { ...base, employmentStatus: 'none', pensionInsured: r.chance(0.9) };
    }
    const status = d.WORKING_STATUS.sample(r);
    if (status === 'employed')
      return {
        ...base,
        employmentStatus: 'employed',
        unemploymentInsuranceMonths: months(0.65),
        pensionInsured: r.chance(0.88),
      };
    if (status === 'unemployed') {
      const endedDaysAgo = 10 + Math.floor(r.next() ** 2 * 700);
      return {
        ...base,
        employmentStatus: 'unemployed',
        unemploymentInsuranceMonths: months(0.7),
        employmentEndedOn: fromDay(this.asOfDay - endedDaysAgo),
        involuntaryUnemployment: r.chance(0.7),
        unemploymentRegistered: r.chance(d.UNEMPLOYED_REGISTERED_SHARE),
        pensionInsured: r.chance(0.8),
      };
    }
    return {
      ...base,
      employmentStatus: 'none',
      unemploymentInsuranceMonths: months(0.2),
      pensionInsured: r.chance(0.75),
    };
  }

  private disability(idNumber: string, age: number, birthDay: number): DisabilityDoc | undefined {
    const r = this.random;
    if (!r.chance(d.disabilityShare(age))) return undefined;
    const earliest = Math.max(birthDay + 365, this.asOfDay - 20 * 365);
    const certified = earliest >= this.asOfDay ? this.asOfDay : r.int(earliest, this.asOfDay);
    return {
      idNumber,
      disabilityCertified: true,
      disabilityGrade: d.disabilityGradeChoice.sample(r),
      disabilityType: age < 18 && r.chance(0.4) ? 'intellectual' : d.disabilityTypeChoice.sample(r),
      disabilityCertifiedOn: fromDay(certified),
    };
  }
}
