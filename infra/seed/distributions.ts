/**
 * The shape of the synthetic Dezhou: population by district, the age pyramid, and the
 * rates the person and enterprise generators draw from. Figures follow the 2020 census
 * shape moved on to the mid-2020s (Shandong is older than the national average).
 */
import { DISTRICTS } from '../../domain/sources.js';
import { Weighted } from './random.js';

export type District = (typeof DISTRICTS)[number];

/** Administrative region code (GB/T 2260) and approximate residents of each district. */
export const DISTRICT_INFO: Record<District, { code: string; population: number }> = {
  德城区: { code: '371402', population: 700_000 },
  陵城区: { code: '371403', population: 560_000 },
  禹城市: { code: '371482', population: 530_000 },
  乐陵市: { code: '371481', population: 640_000 },
  临邑县: { code: '371424', population: 500_000 },
  平原县: { code: '371426', population: 440_000 },
  夏津县: { code: '371427', population: 480_000 },
  武城县: { code: '371428', population: 360_000 },
  庆云县: { code: '371423', population: 290_000 },
  宁津县: { code: '371422', population: 430_000 },
  齐河县: { code: '371425', population: 600_000 },
};

export const districtChoice = new Weighted(DISTRICTS.map((d) => [d, DISTRICT_INFO[d].population] as const));

/** Where residents born outside the city come from: nearby Shandong cities and Hebei, then further afield. */
export const OUTSIDE_REGIONS = new Weighted<string>([
  ['370102', 8], // 济南市历下区
  ['370124', 4], // 济南市平阴县
  ['371502', 5], // 聊城市东昌府区
  ['371602', 4], // 滨州市滨城区
  ['370902', 3], // 泰安市泰山区
  ['370202', 2], // 青岛市市南区
  ['371302', 2], // 临沂市兰山区
  ['131102', 5], // 衡水市桃城区
  ['130902', 5], // 沧州市新华区
  ['130102', 2], // 石家庄市长安区
  ['120101', 2], // 天津市和平区
  ['410102', 2], // 郑州市中原区
  ['340102', 1], // 合肥市瑶海区
  ['110101', 1], // 北京市东城区
  ['320102', 1], // 南京市玄武区
  ['510104', 1], // 成都市锦江区
]);

/** Share of residents by five-year age group (0-4 … 95-99), in percent; 60+ ≈ 20%, 80+ ≈ 4%. */
export const AGE_GROUP_PERCENT = [
  3.8, 5.6, 6.9, 6.5, 5.0, 5.2, 7.0, 9.4, 6.8, 6.4, 8.8, 8.6, 6.0, 4.6, 3.4, 2.0, 2.2, 1.2, 0.5, 0.12,
];
export const ageGroupChoice = new Weighted(AGE_GROUP_PERCENT.map((p, i) => [i, p] as const));

/** Probability a resident of this age is male (more women survive into old age). */
export function maleShare(age: number): number {
  if (age < 50) return 0.515;
  if (age < 70) return 0.5;
  if (age < 80) return 0.46;
  return 0.39;
}

export const LOCAL_HUKOU_SHARE = 0.92;

type Marital = 'single' | 'married' | 'divorced' | 'widowed';
const marital = (single: number, married: number, divorced: number, widowed: number) =>
  new Weighted<Marital>([
    ['single', single],
    ['married', married],
    ['divorced', divorced],
    ['widowed', widowed],
  ]);
const MARITAL_BY_AGE: ReadonlyArray<readonly [number, Weighted<Marital>]> = [
  [20, marital(1, 0, 0, 0)],
  [25, marital(80, 19, 1, 0)],
  [30, marital(42, 55, 3, 0)],
  [40, marital(10, 82, 7, 1)],
  [60, marital(4, 87, 6, 3)],
  [70, marital(2, 82, 4, 12)],
  [80, marital(2, 65, 3, 30)],
  [Infinity, marital(2, 40, 2, 56)],
];
/** Marital status distribution for an age (everyone under 20 is single). */
export function maritalChoice(age: number): Weighted<Marital> {
  return MARITAL_BY_AGE.find(([limit]) => age < limit)![1];
}

/** Working-age labour status: employed, unemployed (≈1.5% of all residents once weighted by age), not in work. */
export const WORKING_STATUS = new Weighted<'employed' | 'unemployed' | 'none'>([
  ['employed', 0.79],
  ['unemployed', 0.03],
  ['none', 0.18],
]);
export const UNEMPLOYED_REGISTERED_SHARE = 0.9;
/** Share of people past retirement age drawing an employee pension (the rest get the rural resident pension). */
export const EMPLOYEE_PENSION_SHARE = 0.45;

/** Certified-disability prevalence by age: ≈6% of all residents. */
export function disabilityShare(age: number): number {
  if (age < 18) return 0.015;
  if (age < 45) return 0.04;
  if (age < 60) return 0.065;
  if (age < 80) return 0.11;
  return 0.2;
}
/** Grades 1 (most severe) to 4; grades 1-2 are 40% of certificates. */
export const disabilityGradeChoice = new Weighted<1 | 2 | 3 | 4>([
  [1, 15],
  [2, 25],
  [3, 30],
  [4, 30],
]);
export const disabilityTypeChoice = new Weighted<
  'visual' | 'hearing' | 'speech' | 'physical' | 'intellectual' | 'mental' | 'multiple'
>([
  ['physical', 45],
  ['visual', 12],
  ['hearing', 12],
  ['speech', 1.5],
  ['intellectual', 8],
  ['mental', 10],
  ['multiple', 11.5],
]);

/** Household monthly income per head: log-normal, median 2,500 CNY. */
export const INCOME_MEDIAN = 2500;
export const INCOME_SIGMA = 0.6;
/** The dibao line (urban and rural standards blended); households below it may receive dibao. */
export const DIBAO_LINE = 900;
export const DIBAO_TAKE_UP = 0.55;

export const SURNAMES = new Weighted<string>(
  [
    '王',
    '李',
    '张',
    '刘',
    '陈',
    '杨',
    '赵',
    '孙',
    '马',
    '高',
    '徐',
    '周',
    '吴',
    '朱',
    '郭',
    '胡',
    '宋',
    '田',
    '韩',
    '董',
    '崔',
    '魏',
    '袁',
    '冯',
    '于',
    '曹',
    '任',
    '邢',
    '梁',
    '付',
  ].map((s, i) => [s, 30 - i] as const),
);
export const GIVEN_CHARS =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红文斌海燕鹏辉晨欣宇浩然子轩梓涵一诺雨萱博思佳怡俊凯嘉琪'.split(
    '',
  );

/** Enterprise sizes: micro ≈80%, small ≈15%, medium ≈4%, large ≈1%. */
export const sizeChoice = new Weighted<'micro' | 'small' | 'medium' | 'large'>([
  ['micro', 80],
  ['small', 15],
  ['medium', 4],
  ['large', 1],
]);
export const industryChoice = new Weighted<
  'manufacturing' | 'retail' | 'services' | 'construction' | 'agriculture' | 'technology' | 'logistics'
>([
  ['retail', 28],
  ['services', 25],
  ['manufacturing', 20],
  ['construction', 8],
  ['agriculture', 7],
  ['logistics', 7],
  ['technology', 5],
]);
/** Employee range and median annual revenue (CNY) by size. */
export const SIZE_PROFILE = {
  micro: { employees: [1, 19], revenueMedian: 600_000 },
  small: { employees: [20, 99], revenueMedian: 8_000_000 },
  medium: { employees: [100, 299], revenueMedian: 60_000_000 },
  large: { employees: [300, 3000], revenueMedian: 600_000_000 },
} as const;
export const taxRatingChoice = new Weighted<'A' | 'B' | 'M' | 'C' | 'D'>([
  ['A', 12],
  ['B', 63],
  ['M', 16],
  ['C', 6],
  ['D', 3],
]);
/** Unemployment insurance: employer 0.7% plus employee 0.3% of the contribution base (Shandong). */
export const UNEMPLOYMENT_PREMIUM_RATE = 0.01;
export const ENTERPRISE_WORDS = '鲁华德信恒泰瑞丰宏盛鑫源金禾运河齐鲁新兴万达广运东方长城永安天衢'.match(/.{2}/g)!;
export const INDUSTRY_SUFFIX: Record<string, string> = {
  manufacturing: '机械制造',
  retail: '商贸',
  services: '信息服务',
  construction: '建筑工程',
  agriculture: '农业科技',
  technology: '软件科技',
  logistics: '物流',
};
/** Registration status of enterprises older than a year. */
export const STATUS_CHOICE = new Weighted<'active' | 'deregistered' | 'revoked'>([
  ['active', 92],
  ['deregistered', 6],
  ['revoked', 2],
]);
