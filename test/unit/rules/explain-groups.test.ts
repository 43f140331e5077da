/**
 * Explanations that stay readable for large conditions (issue 18): a statutory-retirement-age
 * policy written as 96 cohort groups used to explain itself leaf by leaf — every leaf with its
 * condition's and its fact's label, about 120 KB for one eligible man and more when the summary
 * listed every failing leaf (the issue saw 231 KB). Grouped by named condition it says each group's
 * label once, its verdict and only the conditions that decided it, and counts the rest.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../rules/compiled.js';
import { evaluatePolicy } from '../../../rules/engine.js';
import { PolicyValidationError } from '../../../rules/errors.js';
import type { ExplainedGroup } from '../../../rules/explain-groups.js';
import { explainPolicy } from '../../../rules/explain-subject.js';
import { runPolicyTests } from '../../../rules/policy-tests.js';
import type { Condition, Policy } from '../../../rules/types.js';
import { validatePolicy } from '../../../rules/validate.js';
import { retirementAgePolicy } from '../../support/retirement-age-policy.js';

const policy = validatePolicy(retirementAgePolicy({ namedGroups: true }));
const AS_OF = '2026-08-15';
const man = (birthDate: string) => ({
  'person.gender': 'male',
  'person.birthDate': birthDate,
  'person.localHukou': true,
});

/** Every group of an explanation, depth first. */
const groupsOf = (group: ExplainedGroup): ExplainedGroup[] => [group, ...group.groups.flatMap(groupsOf)];

/** The size the explanation had when it listed every leaf with its labels (before grouping). */
function leafByLeafSize(facts: Record<string, unknown>): number {
  const leaves = compilePolicy(policy, AS_OF).explain(facts).conditions;
  return JSON.stringify(leaves.map((leaf) => ({ ...leaf, factLabel: { zh: '出生日期', en: 'date of birth' } }))).length;
}

describe('a retirement-age policy of 96 named cohort groups', () => {
  it('is a valid policy whose own tests pass, and the engine and the compiled evaluator own its leaves by group alike', async () => {
    expect((policy.namedConditions.retirementAgeReached as { any: Condition[] }).any.length).toBe(96);
    const report = await runPolicyTests(policy);
    expect([report.passed, report.failed]).toEqual([1, 0]);
    const facts = man('1966-03-10');
    const byEngine = await evaluatePolicy(policy, facts, AS_OF);
    expect(byEngine.conditions).toEqual(compilePolicy(policy, AS_OF).explain(facts).conditions);
    expect(byEngine.conditions[0]).toMatchObject({
      name: 'maleBorn196501',
      label: { zh: '男性，1965-01 至 1965-05（不含）出生，年满 60 岁 1 个月' },
    });
  });

  it.each([
    ['an eligible man', man('1966-03-10')],
    ['a man short of his retirement age', man('1967-03-10')],
    ['a woman past hers', { 'person.gender': 'female', 'person.birthDate': '1972-03-10', 'person.localHukou': true }],
    ['a person whose sex is not on record', { 'person.birthDate': '1966-03-10', 'person.localHukou': true }],
  ])('explains %s in a few kilobytes instead of a hundred, no label said twice in a group', (_who, facts) => {
    const explanation = explainPolicy(policy, facts, AS_OF);
    const size = JSON.stringify(explanation).length;
    expect(leafByLeafSize(facts)).toBeGreaterThan(100_000);
    expect(size).toBeLessThan(16_000);
    for (const group of groupsOf(explanation.groups)) {
      const own = JSON.stringify({ ...group, groups: [] });
      for (const label of [group.label, ...Object.values(group.facts).flatMap((fact) => fact.label ?? [])])
        expect(own.split(label.zh).length - 1, `${group.name}: ${label.zh}`).toBe(1);
      expect(group.leaves.length + group.groups.length).toBeLessThanOrEqual(6);
    }
    expect(explanation.summary.zh.length).toBeLessThan(1_500);
  });

  it('shows, for an eligible man, the one cohort that holds and collapses the other 95', () => {
    const { groups, decision } = explainPolicy(policy, man('1966-03-10'), AS_OF);
    expect(decision.outcome).toBe('eligible');
    const reached = groups.groups.find((group) => group.name === 'retirementAgeReached')!;
    expect(reached).toMatchObject({ met: true, collapsed: 95, label: { zh: '已达到法定退休年龄' } });
    expect(reached.groups.map((group) => group.name)).toEqual(['maleBorn196601']);
    expect(reached.groups[0]).toMatchObject({ met: true, collapsed: 0 });
    expect(reached.groups[0].leaves.map((leaf) => ('operator' in leaf ? leaf.operator : ''))).toEqual([
      'equal',
      'dateOnOrAfter',
      'dateBefore',
      'monthsSinceAtLeast',
    ]);
    expect(Object.keys(reached.groups[0].facts)).toEqual(['person.gender', 'person.birthDate']);
    expect(decision.conditions).toHaveLength(5);
  });

  it('shows, for a man short of his age, his own cohort first: only its age condition failed', () => {
    const { groups, decision, summary } = explainPolicy(policy, man('1967-03-10'), AS_OF);
    expect(decision.outcome).toBe('ineligible');
    const reached = groups.groups.find((group) => group.name === 'retirementAgeReached')!;
    expect(reached.met).toBe(false);
    expect(reached.groups).toHaveLength(6);
    expect(reached.collapsed).toBe(90);
    expect(reached.groups[0]).toMatchObject({
      name: 'maleBorn196701',
      met: false,
      leaves: [{ fact: 'person.birthDate', operator: 'monthsSinceAtLeast', value: 727, met: false }],
      collapsed: 3,
    });
    expect(summary.zh).toContain('男性，1967-01 至 1967-05（不含）出生，年满 60 岁 7 个月（实际 713 个月');
  });

  it('shows what is unknown when the sex is not on record', () => {
    const { groups, decision } = explainPolicy(
      policy,
      { 'person.birthDate': '1966-03-10', 'person.localHukou': true },
      AS_OF,
    );
    expect(decision.outcome).toBe('undetermined');
    const reached = groups.groups.find((group) => group.name === 'retirementAgeReached')!;
    expect(reached.met).toBe('unknown');
    expect(reached.groups[0].leaves).toEqual([
      { fact: 'person.gender', operator: 'equal', value: 'male', met: 'unknown' },
    ]);
    expect(reached.groups[0].facts['person.gender'].actual).toEqual({ zh: '缺失', en: 'missing' });
  });
});

describe('naming a group', () => {
  const withGroup = (group: Record<string, unknown>): unknown => {
    const document = structuredClone(retirementAgePolicy({ namedGroups: true })) as unknown as Record<string, unknown>;
    const named = document.namedConditions as Record<string, { any: unknown[] }>;
    named.retirementAgeReached.any[0] = { ...(named.retirementAgeReached.any[0] as object), ...group };
    return document;
  };
  const issues = (document: unknown) => {
    try {
      validatePolicy(document);
      return [];
    } catch (error) {
      if (error instanceof PolicyValidationError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
      throw error;
    }
  };
  const first = 'namedConditions.retirementAgeReached.any[0]';

  it('refuses a name used twice, a name of a named condition, a malformed name and a label with no name', () => {
    expect(issues(withGroup({ name: 'maleBorn196505' }))).toEqual([
      expect.stringMatching(
        /namedConditions\.retirementAgeReached\.any\[1\]\.name: name "maleBorn196505" is already used by another group/,
      ),
    ]);
    expect(issues(withGroup({ name: 'localHukou' }))).toEqual([
      `${first}.name: name "localHukou" is already used by a named condition: each names one group`,
    ]);
    expect(issues(withGroup({ name: 'Male 1965' }))).toEqual([
      expect.stringContaining(`${first}.name: name "Male 1965" must be lowerCamelCase`),
    ]);
    expect(issues(withGroup({ name: undefined }))).toEqual([
      `${first}.name: a labelled group needs a name, e.g. "maleBorn1965"`,
    ]);
  });

  it('is not allowed on a named condition’s own root, which its key names', () => {
    const document = structuredClone(retirementAgePolicy({ namedGroups: false })) as Policy;
    (document.namedConditions.retirementAgeReached as { name?: string }).name = 'reached';
    expect(issues(document)).toEqual([
      expect.stringContaining('namedConditions.retirementAgeReached.name: unknown field "name"'),
    ]);
  });
});
