/**
 * The claims one department may ask another to verify (证明核验事项), as data: each a named
 * yes/no statement about a person or a firm, answered from catalog facts by a predicate, or —
 * where the law wants a procedure (需按法定程序办理) — by the certifying department itself within a
 * time limit. A verification answers yes, no or cannot-tell, never the facts behind it; the list
 * of matters (domain/matters.ts) says which claims each matter may ask. Pure: the console bundles it.
 */
import type { SubjectKind, Text } from './sources.js';

/** A leaf or a group of the claim's predicate: three-valued, so a missing fact makes "cannot tell", never "no". */
export type ClaimCondition =
  | { all: readonly ClaimCondition[] }
  | { any: readonly ClaimCondition[] }
  | { fact: string; operator: ClaimOperator; value: string | number | boolean | readonly (string | number)[] };

export type ClaimOperator = 'equal' | 'notEqual' | 'greaterThanInclusive' | 'lessThanInclusive' | 'in' | 'notIn';
export const CLAIM_OPERATORS: readonly ClaimOperator[] = [
  'equal',
  'notEqual',
  'greaterThanInclusive',
  'lessThanInclusive',
  'in',
  'notIn',
];

/** How a claim is answered: from shared facts at once, or by the certifying department's procedure. */
export type ClaimAnswering =
  { kind: 'facts'; condition: ClaimCondition } | { kind: 'procedure'; timeLimitWorkingDays: number };

export interface VerificationClaim {
  /** kebab-case. */
  id: string;
  subject: SubjectKind;
  /** What "yes" says of the subject, e.g. 户籍在本市. */
  statement: Text;
  /** The certifying department (its kebab-case ID and name): whose data or procedure answers. */
  department: { id: string; name: Text };
  /** How long an answer may be relied on (and reused from the proof archive). */
  validityDays: number;
  answering: ClaimAnswering;
}

export type ClaimAnswer = 'yes' | 'no' | 'cannot-tell';

const civilAffairs = { id: 'civil-affairs', name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' } };
const publicSecurity = { id: 'public-security', name: { zh: '市公安局', en: 'Municipal Public Security Bureau' } };
const humanResources = {
  id: 'human-resources-social-security',
  name: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
};
const disabledPersons = {
  id: 'disabled-persons-federation',
  name: { zh: '市残疾人联合会', en: 'Municipal Disabled Persons’ Federation' },
};
const realEstate = {
  id: 'natural-resources',
  name: {
    zh: '市自然资源和规划局（不动产登记中心）',
    en: 'Municipal Natural Resources and Planning Bureau (real estate registry)',
  },
};
const taxation = { id: 'taxation', name: { zh: '国家税务总局德州市税务局', en: 'Dezhou Municipal Tax Service, STA' } };
const veteransAffairs = {
  id: 'veterans-affairs',
  name: { zh: '市退役军人事务局', en: 'Municipal Veterans Affairs Bureau' },
};
const developmentReform = {
  id: 'development-reform',
  name: { zh: '市发展和改革委员会（信用中心）', en: 'Municipal Development and Reform Commission (credit centre)' },
};
const emergencyManagement = {
  id: 'emergency-management',
  name: { zh: '市应急管理局', en: 'Municipal Emergency Management Bureau' },
};
const ecologyEnvironment = {
  id: 'ecology-environment',
  name: { zh: '市生态环境局', en: 'Municipal Ecology and Environment Bureau' },
};
const scienceTechnology = {
  id: 'science-technology',
  name: { zh: '市科学技术局', en: 'Municipal Science and Technology Bureau' },
};
const marketSupervision = {
  id: 'market-supervision',
  name: { zh: '市市场监督管理局', en: 'Municipal Market Supervision Administration' },
};

export const VERIFICATION_CLAIMS: readonly VerificationClaim[] = [
  {
    id: 'local-hukou',
    subject: 'person',
    statement: { zh: '户籍在本市', en: 'has a household registration (hukou) in the city' },
    department: publicSecurity,
    validityDays: 90,
    answering: { kind: 'facts', condition: { fact: 'person.localHukou', operator: 'equal', value: true } },
  },
  {
    id: 'disability-grade-2-or-above',
    subject: 'person',
    statement: { zh: '持证残疾人，残疾等级为一级或二级', en: 'is a certified disabled person of grade 1 or 2' },
    department: disabledPersons,
    validityDays: 180,
    answering: {
      kind: 'facts',
      condition: {
        all: [
          { fact: 'person.disabilityCertified', operator: 'equal', value: true },
          { fact: 'person.disabilityGrade', operator: 'lessThanInclusive', value: 2 },
        ],
      },
    },
  },
  {
    id: 'pension-contributions-12-months',
    subject: 'person',
    statement: { zh: '养老保险累计缴费满12个月', en: 'has paid pension insurance for at least 12 months' },
    department: humanResources,
    validityDays: 30,
    answering: {
      kind: 'facts',
      condition: { fact: 'person.pensionContributionMonths', operator: 'greaterThanInclusive', value: 12 },
    },
  },
  {
    id: 'receives-social-assistance',
    subject: 'person',
    statement: {
      zh: '为最低生活保障、特困供养或低保边缘对象',
      en: 'receives the minimum living allowance, special-hardship support, or is on the low-income margin',
    },
    department: civilAffairs,
    validityDays: 30,
    answering: {
      kind: 'facts',
      condition: {
        any: [
          { fact: 'person.minimumLivingAllowance', operator: 'equal', value: true },
          { fact: 'person.specialHardship', operator: 'equal', value: true },
          { fact: 'person.lowIncomeMarginal', operator: 'equal', value: true },
        ],
      },
    },
  },
  {
    id: 'owns-no-housing',
    subject: 'person',
    statement: { zh: '在本市无登记住房', en: 'owns no registered dwelling in the city' },
    department: realEstate,
    validityDays: 30,
    answering: { kind: 'facts', condition: { fact: 'person.ownsHousing', operator: 'equal', value: false } },
  },
  {
    id: 'no-criminal-record',
    subject: 'person',
    statement: { zh: '无犯罪记录', en: 'has no criminal record' },
    department: publicSecurity,
    validityDays: 90,
    // 无犯罪记录证明 is issued after a search of the records by the public security bureau (公安机关办理无犯罪记录证明的规定).
    answering: { kind: 'procedure', timeLimitWorkingDays: 3 },
  },
  {
    id: 'no-social-insurance-arrears',
    subject: 'enterprise',
    statement: { zh: '无社会保险费欠缴', en: 'owes no social insurance premiums' },
    department: humanResources,
    validityDays: 30,
    answering: {
      kind: 'facts',
      condition: { fact: 'enterprise.premiumsInArrears', operator: 'equal', value: false },
    },
  },
  {
    id: 'tax-credit-a-or-b',
    subject: 'enterprise',
    statement: { zh: '纳税信用等级为A级或B级', en: 'has a tax credit rating of A or B' },
    department: taxation,
    validityDays: 90,
    answering: { kind: 'facts', condition: { fact: 'enterprise.taxCreditRating', operator: 'in', value: ['A', 'B'] } },
  },
  {
    id: 'enterprise-in-operation',
    subject: 'enterprise',
    statement: { zh: '处于存续（在营）状态', en: 'is registered and in operation' },
    department: marketSupervision,
    validityDays: 30,
    answering: { kind: 'facts', condition: { fact: 'enterprise.status', operator: 'equal', value: 'active' } },
  },
  // Added with the starter list of matters (domain/matters-starter.ts): each answered from catalog facts.
  {
    id: 'disability-certified',
    subject: 'person',
    statement: { zh: '持有第二代残疾人证', en: 'holds a valid disability certificate' },
    department: disabledPersons,
    validityDays: 180,
    answering: { kind: 'facts', condition: { fact: 'person.disabilityCertified', operator: 'equal', value: true } },
  },
  {
    id: 'is-veteran',
    subject: 'person',
    statement: { zh: '为退役军人', en: 'is a veteran of the armed forces' },
    department: veteransAffairs,
    validityDays: 365,
    answering: { kind: 'facts', condition: { fact: 'person.veteran', operator: 'equal', value: true } },
  },
  {
    id: 'unemployment-registered',
    subject: 'person',
    statement: { zh: '已办理失业登记', en: 'is registered as unemployed' },
    department: humanResources,
    validityDays: 30,
    answering: { kind: 'facts', condition: { fact: 'person.unemploymentRegistered', operator: 'equal', value: true } },
  },
  {
    id: 'owns-housing',
    subject: 'person',
    statement: { zh: '在本市登记有住房', en: 'owns a registered dwelling in the city' },
    department: realEstate,
    validityDays: 30,
    answering: { kind: 'facts', condition: { fact: 'person.ownsHousing', operator: 'equal', value: true } },
  },
  {
    id: 'alive',
    subject: 'person',
    statement: { zh: '在世（生存认证）', en: 'is alive (survival check)' },
    department: publicSecurity,
    validityDays: 90,
    answering: { kind: 'facts', condition: { fact: 'person.alive', operator: 'equal', value: true } },
  },
  {
    id: 'no-serious-dishonesty',
    subject: 'enterprise',
    statement: { zh: '未被列入严重失信主体名单', en: 'is not on the list of seriously dishonest entities' },
    department: developmentReform,
    validityDays: 30,
    answering: {
      kind: 'facts',
      condition: { fact: 'enterprise.seriousDishonesty', operator: 'equal', value: false },
    },
  },
  {
    id: 'no-major-safety-accident',
    subject: 'enterprise',
    statement: {
      zh: '近一年未发生较大及以上生产安全事故',
      en: 'has had no major work-safety accident in the past year',
    },
    department: emergencyManagement,
    validityDays: 90,
    answering: {
      kind: 'facts',
      condition: { fact: 'enterprise.majorSafetyAccidentLastYear', operator: 'equal', value: false },
    },
  },
  {
    id: 'no-serious-environmental-violation',
    subject: 'enterprise',
    statement: {
      zh: '近一年无严重环境违法行为',
      en: 'has committed no serious environmental violation in the past year',
    },
    department: ecologyEnvironment,
    validityDays: 90,
    answering: {
      kind: 'facts',
      condition: { fact: 'enterprise.seriousEnvironmentalViolationLastYear', operator: 'equal', value: false },
    },
  },
  {
    id: 'high-tech-certified',
    subject: 'enterprise',
    statement: { zh: '为有效期内的高新技术企业', en: 'holds a valid high-tech enterprise certificate' },
    department: scienceTechnology,
    validityDays: 90,
    answering: { kind: 'facts', condition: { fact: 'enterprise.highTechCertified', operator: 'equal', value: true } },
  },
];

/** A claim by ID, or undefined. */
export const verificationClaim = (id: string): VerificationClaim | undefined =>
  VERIFICATION_CLAIMS.find((claim) => claim.id === id);

/** Every fact a claim's predicate reads (none for a procedure). */
export function claimFacts(claim: VerificationClaim): string[] {
  if (claim.answering.kind !== 'facts') return [];
  const keys = new Set<string>();
  const walk = (condition: ClaimCondition): void => {
    if ('all' in condition) condition.all.forEach(walk);
    else if ('any' in condition) condition.any.forEach(walk);
    else keys.add(condition.fact);
  };
  walk(claim.answering.condition);
  return [...keys];
}

function leaf(operator: ClaimOperator, actual: unknown, value: unknown): boolean {
  switch (operator) {
    case 'equal':
      return actual === value;
    case 'notEqual':
      return actual !== value;
    case 'greaterThanInclusive':
      return typeof actual === 'number' && typeof value === 'number' && actual >= value;
    case 'lessThanInclusive':
      return typeof actual === 'number' && typeof value === 'number' && actual <= value;
    case 'in':
      return Array.isArray(value) && value.includes(actual);
    case 'notIn':
      return Array.isArray(value) && !value.includes(actual);
  }
}

/**
 * A claim's predicate over the facts a source answered: yes or no where they settle it, and
 * cannot-tell where a fact it needs is absent (`undefined`) and the rest do not settle it
 * (Kleene's three-valued all/any). Only for claims answered from facts.
 */
export function answerClaim(condition: ClaimCondition, facts: Readonly<Record<string, unknown>>): ClaimAnswer {
  if ('all' in condition) {
    const answers = condition.all.map((part) => answerClaim(part, facts));
    if (answers.includes('no')) return 'no';
    return answers.includes('cannot-tell') ? 'cannot-tell' : 'yes';
  }
  if ('any' in condition) {
    const answers = condition.any.map((part) => answerClaim(part, facts));
    if (answers.includes('yes')) return 'yes';
    return answers.includes('cannot-tell') ? 'cannot-tell' : 'no';
  }
  const actual = facts[condition.fact];
  if (actual === undefined || actual === null) return 'cannot-tell';
  return leaf(condition.operator, actual, condition.value) ? 'yes' : 'no';
}
