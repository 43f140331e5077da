/**
 * The published JSON Schema: every shipped policy conforms; broken documents fail the schema
 * and validatePolicy at the same path; and the schema cannot drift from rules/types.ts and
 * the validator (the same fields, required ones, enums and operators).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES } from '../../../domain/sources.js';
import { OPERATOR_NAMES } from '../../../rules/operators.js';
import { POLICY_SCHEMA, checkPolicySchema } from '../../../rules/policy-schema.js';
import { issuesOf } from '../../../services/policies/lifecycle.js';
import type { AmountRule, Benefit, GrantPeriod, Policy, PolicyMode, PolicyTest } from '../../../rules/types.js';
import type { SubjectKind } from '../../../domain/sources.js';
import { BROKEN_POLICIES } from './broken-policies.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Schema = {
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  definitions?: Record<string, Schema>;
  pattern?: string;
  $ref?: string;
  oneOf?: Schema[];
};

const policiesDir = new URL('../../../rules/policies/', import.meta.url);
const shipped = readdirSync(policiesDir).flatMap((id) =>
  readdirSync(new URL(`${id}/`, policiesDir)).map(
    (file) =>
      [`${id}/${file}`, JSON.parse(readFileSync(new URL(`${id}/${file}`, policiesDir), 'utf8')) as Doc] as const,
  ),
);
const load = (id: string): Doc => structuredClone(shipped.find(([file]) => file === `${id}/v1.json`)![1]);
const schema = POLICY_SCHEMA as Schema;
const definition = (name: string): Schema => schema.definitions![name];

/** Keys the TypeScript type has, and those it requires: a listing the compiler holds exact. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
const policyKeys: Record<keyof Policy, boolean> = {
  id: true,
  version: true,
  effective: true,
  title: true,
  summary: false,
  department: true,
  reference: true,
  subject: true,
  triggers: true,
  mode: true,
  period: true,
  facts: true,
  parameters: true,
  conditions: true,
  namedConditions: true,
  benefit: true,
  offer: false,
  pledge: false,
  timeLimits: false,
  tests: true,
};
const requiredPolicyKeys: Record<RequiredKeys<Policy>, true> = {
  id: true,
  version: true,
  effective: true,
  title: true,
  department: true,
  reference: true,
  subject: true,
  triggers: true,
  mode: true,
  period: true,
  facts: true,
  parameters: true,
  conditions: true,
  namedConditions: true,
  benefit: true,
  tests: true,
};
const testKeys: Record<keyof PolicyTest, true> = { name: true, asOf: true, facts: true, expect: true };
const modes: Record<PolicyMode, true> = { auto: true, offer: true, pledge: true };
const periods: Record<GrantPeriod, true> = { once: true, year: true, month: true };
const subjects: Record<SubjectKind, true> = { person: true, enterprise: true };
const benefitKinds: Record<Benefit['kind'], true> = { cash: true, service: true, card: true, enrollment: true };
const amountTypes: Record<AmountRule['type'], true> = {
  fixed: true,
  proratedByAgeMonths: true,
  ageBand: true,
  byFactValue: true,
  shareOf: true,
  monthsByFact: true,
  fromFact: true,
};

/** The fields validatePolicy accepts at a path, read from its own "unknown field" issue. */
function validatorFields(document: Doc, target: (doc: Doc) => Doc, path: string): string[] {
  const probe = structuredClone(document);
  target(probe).zzProbe = 1;
  const issue = issuesOf(probe).find((i) => i.path === (path === '' ? 'zzProbe' : `${path}.zzProbe`));
  const listed = /expected one of: (.*)\)$/.exec(issue?.message ?? '')?.[1];
  if (!listed) throw new Error(`validatePolicy did not list the fields at ${path || '(policy)'}`);
  return listed.split(', ').sort();
}

describe('the published policy schema', () => {
  it.each(shipped)('accepts the shipped policy %s', (_file, document) => {
    expect(checkPolicySchema(document)).toEqual([]);
  });

  const broken: Array<[string, string, (d: Doc) => void, string]> = [
    ['a version of zero', 'childcare-subsidy', (d) => (d.version = 0), 'version'],
    ['an id that is not kebab-case', 'childcare-subsidy', (d) => (d.id = 'Childcare_Subsidy'), 'id'],
    ['no effective start', 'childcare-subsidy', (d) => delete d.effective.from, 'effective.from'],
    [
      'a thirteenth month in a dated parameter',
      'old-age-allowance',
      (d) => (d.parameters.minimumAge[0].from = '2024-13-01'),
      'parameters.minimumAge[0].from',
    ],
    ['an unknown top-level field (a typo)', 'childcare-subsidy', (d) => (d.namedCondition = {}), 'namedCondition'],
    ['a mode that does not exist', 'childcare-subsidy', (d) => (d.mode = 'manual'), 'mode'],
    ['a subject that does not exist', 'childcare-subsidy', (d) => (d.subject = 'household'), 'subject'],
    [
      'a declared fact without a purpose',
      'childcare-subsidy',
      (d) => delete d.facts['person.birthDate'].purpose,
      'facts["person.birthDate"].purpose',
    ],
    [
      'an operator outside the whitelist',
      'old-age-allowance',
      (d) => (d.namedConditions.localHukou.operator = 'isTrue'),
      'namedConditions.localHukou.operator',
    ],
    ['an empty all group', 'old-age-allowance', (d) => (d.conditions.all = []), 'conditions.all'],
    ['a blank English title', 'old-age-allowance', (d) => (d.title.en = '  '), 'title.en'],
    ['a benefit kind that does not exist', 'old-age-allowance', (d) => (d.benefit.kind = 'voucher'), 'benefit.kind'],
    [
      'a recovery method that does not exist',
      'old-age-allowance',
      (d) => (d.benefit.recoveredBy = 'garnish'),
      'benefit.recoveredBy',
    ],
    ['no triggers', 'old-age-allowance', (d) => (d.triggers = []), 'triggers'],
    [
      'an offer on an automatic policy',
      'old-age-allowance',
      (d) => (d.offer = { expiresAfterDays: 30, reminderDaysBeforeExpiry: [7] }),
      'offer',
    ],
    [
      'a test expecting an outcome that does not exist',
      'old-age-allowance',
      (d) => (d.tests[0].expect.outcome = 'yes'),
      'tests[0].expect.outcome',
    ],
    [
      'an unsupported path on a leaf',
      'old-age-allowance',
      (d) => (d.namedConditions.alive.path = '$.x'),
      'namedConditions.alive.path',
    ],
    [
      'a named condition that is not lowerCamelCase',
      'old-age-allowance',
      (d) => (d.namedConditions.Alive = d.namedConditions.alive),
      'namedConditions.Alive',
    ],
  ];
  it.each(broken)('rejects %s at the same path as validatePolicy', (_name, id, breakIt, path) => {
    const document = load(id);
    breakIt(document);
    expect(checkPolicySchema(document).map((i) => i.path)).toContain(path);
    expect(issuesOf(document).map((i) => i.path)).toContain(path);
  });

  // The broken documents whose fault is structural (the rest break rules only validatePolicy knows).
  const structurallyBroken = BROKEN_POLICIES.filter(([, document]) => checkPolicySchema(document).length > 0);
  it.each(structurallyBroken)('says what is wrong with %s in Chinese as well as in English', (_what, document) => {
    const issues = checkPolicySchema(document);
    for (const issue of issues) {
      const words = issue.messageZh.replace(/"[^"]*"/g, '');
      expect(words, `${issue.path}: ${issue.message}`).toMatch(/\p{Script=Han}/u);
      expect(words, `${issue.path}: ${issue.messageZh}`).not.toMatch(/[A-Za-z]{2,} [A-Za-z]{2,}/);
    }
  });

  it('words the schema’s own checks in Chinese: types, forms, duplicates', () => {
    const document = load('old-age-allowance');
    document.version = '1';
    document.effective.from = '2024/01/01';
    document.triggers = ['age.milestone', 'age.milestone'];
    const byPath = new Map(checkPolicySchema(document).map((issue) => [issue.path, issue.messageZh]));
    expect(byPath.get('version')).toBe('必须是整数');
    expect(byPath.get('effective.from')).toBe('必须是 YYYY-MM-DD 格式的日期');
    expect(byPath.get('triggers')).toBe('不能有重复项（第 2 项与第 1 项相同）');
  });

  it('has the top-level fields of rules/types.ts Policy and of the validator, and requires those the type requires', () => {
    const document = load('old-age-allowance');
    const properties = Object.keys(schema.properties!).sort();
    expect(properties).toEqual(Object.keys(policyKeys).sort());
    expect(properties).toEqual(validatorFields(document, (d) => d, ''));
    expect([...schema.required!].sort()).toEqual(Object.keys(requiredPolicyKeys).sort());
  });

  it('has the nested fields the validator accepts', () => {
    const offer = load('senior-preferential-card');
    const pledge = load('business-startup-subsidy');
    const fields = (s: Schema) => Object.keys(s.properties!).sort();
    expect(fields(schema.properties!.effective)).toEqual(validatorFields(offer, (d) => d.effective, 'effective'));
    expect(fields(schema.properties!.offer)).toEqual(validatorFields(offer, (d) => d.offer, 'offer'));
    expect(fields(schema.properties!.pledge)).toEqual(validatorFields(pledge, (d) => d.pledge, 'pledge'));
    expect(fields(definition('policyTest'))).toEqual(validatorFields(offer, (d) => d.tests[0], 'tests[0]'));
    expect(fields(definition('policyTest'))).toEqual(Object.keys(testKeys).sort());
    const [decides, notInForce] = definition('policyTest').properties!.expect.oneOf!;
    expect(fields(decides)).toEqual(validatorFields(offer, (d) => d.tests[0].expect, 'tests[0].expect'));
    expect(fields(notInForce)).toEqual(
      validatorFields(offer, (d) => (d.tests[0].expect = { inForce: false }) as Doc, 'tests[0].expect'),
    );
    expect(fields(definition('datedValue'))).toEqual(
      validatorFields(offer, (d) => d.parameters.minimumAge[0], 'parameters.minimumAge[0]'),
    );
    expect(fields(definition('otherBenefit'))).toEqual(validatorFields(offer, (d) => d.benefit, 'benefit'));
    expect(fields(definition('cashBenefit'))).toEqual(validatorFields(pledge, (d) => d.benefit, 'benefit'));
    expect(fields(definition('leafNamed'))).toEqual(
      validatorFields(offer, (d) => d.namedConditions.localHukou, 'namedConditions.localHukou').filter(
        (k) => !['path', 'params', 'priority'].includes(k),
      ),
    );
  });

  it('enumerates what the types and the operator whitelist allow, and matches every catalog fact key', () => {
    expect(schema.properties!.mode.enum).toEqual(Object.keys(modes));
    expect(schema.properties!.period.enum).toEqual(Object.keys(periods));
    expect(schema.properties!.subject.enum).toEqual(Object.keys(subjects));
    expect((schema.properties!.benefit.properties!.kind.enum as string[]).sort()).toEqual(
      Object.keys(benefitKinds).sort(),
    );
    expect(definition('amountRule').properties!.type.enum).toEqual(Object.keys(amountTypes));
    expect(definition('operator').enum).toEqual(OPERATOR_NAMES);
    const factKey = new RegExp(definition('factKey').pattern!);
    for (const source of DATA_SOURCES) for (const field of source.fields) expect(field.key).toMatch(factKey);
  });
});
