import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyValidationError, type ValidationIssue } from '../../../rules/errors.js';
import { validatePolicy } from '../../../rules/validate.js';
import { BROKEN_POLICIES } from './broken-policies.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const load = (id: string): Doc =>
  JSON.parse(readFileSync(new URL(`../../../rules/policies/${id}/v1.json`, import.meta.url), 'utf8')) as Doc;

function issuesOf(input: unknown): ValidationIssue[] {
  try {
    validatePolicy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as PolicyValidationError).code).toBe('POLICY_INVALID');
    return [...(error as PolicyValidationError).issues];
  }
  throw new Error('expected the policy to be rejected');
}

const cases: Array<[string, string, (doc: Doc) => void, string, RegExp]> = [
  [
    'a task time limit of no whole days',
    'childcare-subsidy',
    (d) => (d.timeLimits = { review: 2.5 }),
    'timeLimits.review',
    /whole number of calendar days/,
  ],
  [
    'a time limit for a task type there is not',
    'childcare-subsidy',
    (d) => (d.timeLimits = { audit: 10 }),
    'timeLimits.audit',
    /unknown field/,
  ],
  ['an id that is not kebab-case', 'childcare-subsidy', (d) => (d.id = 'ChildcareSubsidy'), 'id', /kebab-case/],
  ['a version of zero', 'childcare-subsidy', (d) => (d.version = 0), 'version', /positive/],
  [
    'an impossible effective date',
    'childcare-subsidy',
    (d) => (d.effective.from = '2025-02-30'),
    'effective.from',
    /YYYY-MM-DD/,
  ],
  [
    'an unknown top-level field (a typo)',
    'childcare-subsidy',
    (d) => (d.namedCondition = {}),
    'namedCondition',
    /unknown field/,
  ],
  [
    'a condition on an undeclared fact',
    'childcare-subsidy',
    (d) => (d.namedConditions.childUnderThree.fact = 'person.alive'),
    'namedConditions.childUnderThree.fact',
    /not declared in facts/,
  ],
  [
    'a declared fact without a purpose',
    'childcare-subsidy',
    (d) => (d.facts['person.birthDate'].purpose = ' '),
    'facts["person.birthDate"].purpose',
    /why/,
  ],
  [
    'a fact missing from the data-source catalog',
    'childcare-subsidy',
    (d) => (d.facts['person.shoeSize'] = { source: 'household-registry', purpose: 'x' }),
    'facts["person.shoeSize"]',
    /not in the data-source catalog: ask the department that keeps it with a fact request/,
  ],
  [
    'a fact declared with the wrong source',
    'childcare-subsidy',
    (d) => (d.facts['person.localHukou'].source = 'civil-affairs'),
    'facts["person.localHukou"].source',
    /comes from "household-registry"/,
  ],
  [
    'an enterprise fact in a person policy',
    'childcare-subsidy',
    (d) => (d.facts['enterprise.size'] = { source: 'business-registry', purpose: 'x' }),
    'facts["enterprise.size"]',
    /describes an enterprise, but this policy's subject is a person/,
  ],
  [
    'a declared fact no rule reads',
    'childcare-subsidy',
    (d) => (d.facts['person.alive'] = { source: 'household-registry', purpose: 'x' }),
    'facts["person.alive"]',
    /read by no condition/,
  ],
  [
    'an operator outside the whitelist',
    'childcare-subsidy',
    (d) => (d.namedConditions.localHukou.operator = 'regex'),
    'namedConditions.localHukou.operator',
    /not allowed/,
  ],
  [
    'a date operator on a boolean fact',
    'childcare-subsidy',
    (d) => (d.namedConditions.localHukou.operator = 'ageAtLeast'),
    'namedConditions.localHukou.operator',
    /does not apply/,
  ],
  [
    'a year count given as a string',
    'childcare-subsidy',
    (d) => (d.namedConditions.childUnderThree.value = '3'),
    'namedConditions.childUnderThree.value',
    /whole number/,
  ],
  [
    'a value outside the fact’s closed set',
    'business-startup-subsidy',
    (d) => (d.namedConditions.microOrSmall.value = ['Micro', 'small']),
    'namedConditions.microOrSmall.value[0]',
    /not one of the fact's values/,
  ],
  [
    'a reference to a named condition that does not exist',
    'childcare-subsidy',
    (d) => (d.conditions.all[1].condition = 'localHukuo'),
    'conditions.all[1].condition',
    /not defined/,
  ],
  [
    'a named condition that is never used',
    'childcare-subsidy',
    (d) => (d.namedConditions.spare = { fact: 'person.localHukou', operator: 'equal', value: true }),
    'namedConditions.spare',
    /never used/,
  ],
  [
    'an amount rule naming a missing parameter',
    'childcare-subsidy',
    (d) => (d.benefit.amount.parameter = 'annualAmont'),
    'benefit.amount.parameter',
    /must name a parameter/,
  ],
  [
    'a condition naming a missing parameter',
    'old-age-allowance',
    (d) => (d.namedConditions.reachedEightyBeforeThisMonth.value = { parameter: 'minAge' }),
    'namedConditions.reachedEightyBeforeThisMonth.value.parameter',
    /not defined in parameters/,
  ],
  [
    'dated values out of order',
    'childcare-subsidy',
    (d) =>
      (d.parameters.annualAmount = [
        { from: '2025-01-01', value: 3600 },
        { from: '2024-06-01', value: 3000 },
      ]),
    'parameters.annualAmount[1].from',
    /sorted/,
  ],
  [
    'a gap between dated values',
    'childcare-subsidy',
    (d) =>
      (d.parameters.annualAmount = [
        { from: '2025-01-01', to: '2025-06-30', value: 3600 },
        { from: '2025-07-02', value: 4000 },
      ]),
    'parameters.annualAmount[1].from',
    /gap after .* 2025-06-30/,
  ],
  [
    'overlapping dated values',
    'childcare-subsidy',
    (d) =>
      (d.parameters.annualAmount = [
        { from: '2025-01-01', to: '2025-07-31', value: 3600 },
        { from: '2025-07-01', value: 4000 },
      ]),
    'parameters.annualAmount[1].from',
    /overlaps/,
  ],
  [
    'no value in force when the policy takes effect',
    'childcare-subsidy',
    (d) => (d.parameters.annualAmount[0].from = '2025-02-01'),
    'parameters.annualAmount[0].from',
    /takes effect on 2025-01-01/,
  ],
  [
    'an unknown trigger',
    'childcare-subsidy',
    (d) => (d.triggers = ['birth.registerd']),
    'triggers[0]',
    /not a life-event type/,
  ],
  [
    'an enterprise event triggering a person policy',
    'childcare-subsidy',
    (d) => d.triggers.push('enterprise.established'),
    'triggers[2]',
    /concerns an enterprise/,
  ],
  ['mode offer without an offer', 'senior-preferential-card', (d) => delete d.offer, 'offer', /requires/],
  [
    'a reminder after the offer expires',
    'senior-preferential-card',
    (d) => (d.offer.reminderDaysBeforeExpiry = [30]),
    'offer.reminderDaysBeforeExpiry[0]',
    /between 1 and 29/,
  ],
  ['mode pledge without a pledge', 'business-startup-subsidy', (d) => delete d.pledge, 'pledge', /requires/],
  [
    'a pledged fact that is not declared',
    'business-startup-subsidy',
    (d) => (d.pledge.pledgedFacts = ['enterprise.annualRevenue']),
    'pledge.pledgedFacts[0]',
    /not declared/,
  ],
  [
    'an on-site inspection share above one',
    'business-startup-subsidy',
    (d) => (d.pledge.onSiteShare = 1.5),
    'pledge.onSiteShare',
    /between 0 and 1/,
  ],
  [
    'a signing period of half a day',
    'business-startup-subsidy',
    (d) => (d.pledge.signWithinDays = 0.5),
    'pledge.signWithinDays',
    /positive whole number of days/,
  ],
  [
    'a credit bar of no days',
    'business-startup-subsidy',
    (d) => (d.pledge.creditBlockDays = 0),
    'pledge.creditBlockDays',
    /positive whole number of days/,
  ],
  [
    'a high-risk amount that is not a number',
    'business-startup-subsidy',
    (d) => (d.pledge.highRiskAmount = '50000'),
    'pledge.highRiskAmount',
    /positive amount/,
  ],
  [
    'a test case dated before the policy takes effect',
    'childcare-subsidy',
    (d) => (d.tests[0].asOf = '2024-12-31'),
    'tests[0].asOf',
    /outside the policy's effective range/,
  ],
  [
    'a test case with an unknown outcome',
    'childcare-subsidy',
    (d) => (d.tests[1].expect.outcome = 'maybe'),
    'tests[1].expect.outcome',
    /eligible/,
  ],
];

describe('validatePolicy', () => {
  it.each(cases)('reports %s at its path', (_what, id, mutate, path, message) => {
    const doc = load(id);
    mutate(doc);
    const issues = issuesOf(doc);
    const found = issues.find((issue) => issue.path === path);
    expect(found, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
    expect(found?.message).toMatch(message);
  });

  it('reports a cycle of named conditions on each condition in it', () => {
    const doc = load('childcare-subsidy');
    doc.namedConditions.localHukou = { all: [{ condition: 'childUnderThree' }] };
    doc.namedConditions.childUnderThree = { any: [{ condition: 'localHukou' }] };
    doc.facts = { 'person.birthDate': doc.facts['person.birthDate'] };
    const paths = issuesOf(doc).filter((issue) => /refers to itself/.test(issue.message));
    expect(paths).toEqual([
      {
        path: 'namedConditions.childUnderThree',
        message: 'refers to itself: childUnderThree → localHukou → childUnderThree',
        messageZh: '循环引用了自身：childUnderThree → localHukou → childUnderThree',
      },
      {
        path: 'namedConditions.localHukou',
        message: 'refers to itself: localHukou → childUnderThree → localHukou',
        messageZh: '循环引用了自身：localHukou → childUnderThree → localHukou',
      },
    ]);
  });

  it('reports every issue at once, with paths in the error message', () => {
    const doc = load('childcare-subsidy');
    doc.id = 'Bad Id';
    doc.mode = 'sometimes';
    let error: unknown;
    try {
      validatePolicy(doc);
    } catch (caught) {
      error = caught;
    }
    expect((error as PolicyValidationError).issues.map((issue) => issue.path)).toEqual(['id', 'mode']);
    expect((error as Error).message).toBe(
      'Policy is invalid: id: must be kebab-case, e.g. "childcare-subsidy"; mode: must be "auto", "offer" or "pledge"',
    );
  });

  it('rejects a non-object outright', () => {
    expect(issuesOf('childcare-subsidy')).toEqual([
      { path: '(policy)', message: 'must be a JSON object', messageZh: '必须是 JSON 对象' },
    ]);
    expect(issuesOf([])).toEqual([
      { path: '(policy)', message: 'must be a JSON object', messageZh: '必须是 JSON 对象' },
    ]);
  });

  it('returns a detached copy of a valid policy, so later edits to the input cannot change it', () => {
    const doc = load('childcare-subsidy');
    const policy = validatePolicy(doc);
    doc.parameters.annualAmount[0].value = 1;
    expect(policy.parameters.annualAmount[0].value).toBe(3600);
    expect(policy).not.toBe(doc);
  });
});

/** Chinese characters; what is left of a message once its quoted values are taken out must hold some and no English phrase. */
const HAN = /\p{Script=Han}/u;
const ENGLISH_PHRASE = /[A-Za-z]{2,} [A-Za-z]{2,}/;

describe('validatePolicy in Chinese', () => {
  it.each(BROKEN_POLICIES)('says what is wrong with %s in Chinese as well as in English', (_what, doc) => {
    const issues = issuesOf(doc);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      const words = (issue.messageZh ?? '').replace(/"[^"]*"/g, '');
      expect(words, `${issue.path}: ${issue.message}`).toMatch(HAN);
      expect(words, `${issue.path}: ${issue.messageZh}`).not.toMatch(ENGLISH_PHRASE);
    }
  });

  it('names the field, the fact and the department in words an officer reads', () => {
    const doc = load('childcare-subsidy');
    doc.facts['person.localHukou'].source = 'civil-affairs';
    doc.namedConditions.childUnderThree.fact = 'person.hukouSince';
    doc.namedCondition = {};
    const byPath = new Map(issuesOf(doc).map((issue) => [issue.path, issue.messageZh]));
    expect(byPath.get('facts["person.localHukou"].source')).toBe(
      '"person.localHukou"（本市户籍）由 "household-registry"（市公安局）提供，而不是 "civil-affairs"',
    );
    expect(byPath.get('namedConditions.childUnderThree.fact')).toBe(
      '数据项 "person.hukouSince"（落户日期）未在数据清单（facts）中声明',
    );
    expect(byPath.get('namedCondition')).toMatch(/^未知字段 "namedCondition"（应为以下之一：id、version、.*、tests）$/);
  });
});

describe('documents that reach for the inside of the engine', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'refuses a named condition called %s that the policy does not define',
    (name) => {
      const doc = load('childcare-subsidy');
      doc.conditions = JSON.parse(`{ "all": [{ "condition": ${JSON.stringify(name)} }] }`);
      expect(issuesOf(doc)).toContainEqual(
        expect.objectContaining({ path: 'conditions.all[0].condition', message: expect.stringMatching(/not defined/) }),
      );
    },
  );

  it('refuses an amount rule whose type is an inherited name', () => {
    const doc = load('childcare-subsidy');
    doc.benefit.amount = { type: 'toString' };
    expect(issuesOf(doc)).toContainEqual(expect.objectContaining({ path: 'benefit.amount.type' }));
  });

  it('refuses a document nested 10,000 deep with the path where it got too deep, not a stack overflow (abuse 21)', () => {
    const doc = load('childcare-subsidy');
    let node: Doc = { condition: 'childUnderThree' };
    for (let i = 0; i < 10_000; i++) node = { not: node };
    doc.conditions = { all: [node] };
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toMatch(/^conditions\.all\[0\](\.not)+$/);
    expect(issues[0].message).toMatch(/nested more than 32 levels/);
  });

  it('refuses a document with more than 50,000 values', () => {
    const doc = load('childcare-subsidy');
    doc.summary = { zh: 'x', en: 'x', padding: Array.from({ length: 60_000 }, (_, i) => i) };
    expect(issuesOf(doc)[0].message).toMatch(/more than 50000 values/);
  });
});

describe('task time limits (timeLimits)', () => {
  it('takes the statutory limit of each task type a policy sets, in calendar days', () => {
    const doc = load('childcare-subsidy');
    doc.timeLimits = { review: 15, 'inconclusive-inspection': 10 };
    expect(validatePolicy(doc).timeLimits).toEqual({ review: 15, 'inconclusive-inspection': 10 });
  });
});
