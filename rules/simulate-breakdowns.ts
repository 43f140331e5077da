/**
 * The rows an impact simulation is broken down by: district for everyone, age band (on the
 * as-of date) for residents, size for enterprises; each with a Chinese and an English label.
 * Called once per subject over a million residents, so ages are string arithmetic, not luxon.
 */
import { DISTRICTS, type SubjectKind, type Text } from '../domain/sources.js';
import { ageOn, parseAsOf, toCalendarDate } from './dates.js';
import type { FlatFacts } from './compiled.js';

/** A breakdown row's key and label. */
export interface Bucket {
  key: string;
  label: Text;
}

const UNKNOWN: Bucket = { key: 'unknown', label: { zh: '未知', en: 'unknown' } };

const DISTRICT_EN: Record<(typeof DISTRICTS)[number], string> = {
  德城区: 'Decheng District',
  陵城区: 'Lingcheng District',
  禹城市: 'Yucheng City',
  乐陵市: 'Laoling City',
  临邑县: 'Linyi County',
  平原县: 'Pingyuan County',
  夏津县: 'Xiajin County',
  武城县: 'Wucheng County',
  庆云县: 'Qingyun County',
  宁津县: 'Ningjin County',
  齐河县: 'Qihe County',
};
const DISTRICT_BUCKETS = new Map<string, Bucket>(
  DISTRICTS.map((name) => [name, { key: name, label: { zh: name, en: DISTRICT_EN[name] } }]),
);

/** Row order: the catalog's district order, then unknown. */
export const DISTRICT_ORDER: readonly string[] = [...DISTRICTS, UNKNOWN.key];

const AGE_BANDS: ReadonlyArray<{ from: number; bucket: Bucket }> = [
  { from: 80, bucket: { key: '80+', label: { zh: '80岁及以上', en: 'aged 80 and over' } } },
  { from: 60, bucket: { key: '60-79', label: { zh: '60–79岁', en: 'aged 60–79' } } },
  { from: 18, bucket: { key: '18-59', label: { zh: '18–59岁', en: 'aged 18–59' } } },
  { from: 6, bucket: { key: '6-17', label: { zh: '6–17岁', en: 'aged 6–17' } } },
  { from: 3, bucket: { key: '3-5', label: { zh: '3–5岁', en: 'aged 3–5' } } },
  { from: 0, bucket: { key: '0-2', label: { zh: '0–2岁', en: 'aged 0–2' } } },
];
const NOT_BORN: Bucket = {
  key: 'not-yet-born',
  label: { zh: '模拟日期时尚未出生', en: 'not yet born on the as-of date' },
};

/** Row order: youngest band first. */
export const AGE_BAND_ORDER: readonly string[] = [
  ...AGE_BANDS.map((band) => band.bucket.key).reverse(),
  NOT_BORN.key,
  UNKNOWN.key,
];

const SIZES: Record<string, Text> = {
  micro: { zh: '微型企业', en: 'micro' },
  small: { zh: '小型企业', en: 'small' },
  medium: { zh: '中型企业', en: 'medium' },
  large: { zh: '大型企业', en: 'large' },
};
const SIZE_BUCKETS = new Map<string, Bucket>(Object.entries(SIZES).map(([key, label]) => [key, { key, label }]));

/** Row order: smallest first. */
export const SIZE_ORDER: readonly string[] = [...SIZE_BUCKETS.keys(), UNKNOWN.key];

/** The facts a simulation reads besides the policy's own, to break its results down. */
export function breakdownFacts(subject: SubjectKind): string[] {
  return subject === 'person' ? ['person.birthDate', 'person.district'] : ['enterprise.district', 'enterprise.size'];
}

/** The subject's district row (unknown when the registry holds none, or a name outside the catalog). */
export function districtOf(subject: SubjectKind, facts: FlatFacts): Bucket {
  const value = facts[subject === 'person' ? 'person.district' : 'enterprise.district'];
  return (typeof value === 'string' && DISTRICT_BUCKETS.get(value)) || UNKNOWN;
}

export function enterpriseSizeOf(facts: FlatFacts): Bucket {
  const value = facts['enterprise.size'];
  return (typeof value === 'string' && SIZE_BUCKETS.get(value)) || UNKNOWN;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The age-band row of a resident on `asOf`: age in whole years (周岁) as rules/dates.ts's ageOn
 * counts it (up on the birthday; 29 February birthdays on 1 March in common years).
 */
export function ageBandOf(asOf: string): (facts: FlatFacts) => Bucket {
  const year = Number(asOf.slice(0, 4));
  const monthDay = asOf.slice(5);
  const on = parseAsOf(asOf);
  const bandOf = (age: number): Bucket => {
    if (age < 0) return NOT_BORN;
    for (const band of AGE_BANDS) if (age >= band.from) return band.bucket;
    return UNKNOWN;
  };
  return (facts) => {
    const birth = facts['person.birthDate'];
    if (typeof birth === 'string' && ISO_DATE.test(birth)) {
      return bandOf(year - Number(birth.slice(0, 4)) - (monthDay < birth.slice(5) ? 1 : 0));
    }
    const date = birth === undefined || birth === null || !on ? undefined : toCalendarDate(birth);
    return date ? bandOf(ageOn(date, on!)) : UNKNOWN;
  };
}
