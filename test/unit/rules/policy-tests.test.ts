/**
 * A policy's own test cases, run as the CLI, the API and the console run them: a failing case
 * says what differed, in English and in Chinese, line for line.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { formatTestReport, runPolicyTests } from '../../../rules/policy-tests.js';
import { PolicyValidationError } from '../../../rules/errors.js';
import { validatePolicy } from '../../../rules/validate.js';

const catalog = await loadPolicyCatalog();
const childcare = catalog.policies.find((policy) => policy.id === 'childcare-subsidy')!;
const disability = catalog.policies.find((policy) => policy.id === 'disability-living-subsidy')!;

describe('runPolicyTests', () => {
  it('says how a failing case differs in both languages, and prints both', async () => {
    const policy = structuredClone(childcare);
    policy.tests[0].expect = { outcome: 'eligible', amount: 3600 };
    policy.tests[3].expect = { outcome: 'eligible' };
    policy.tests[5].expect = { outcome: 'undetermined', missingFacts: ['person.birthDate'] };
    const report = await runPolicyTests(policy);
    expect(report).toMatchObject({ passed: 3, failed: 3 });
    const failed = report.results.filter((result) => !result.passed);
    expect(failed.map((result) => [result.problems, result.problemsZh])).toEqual([
      [['amount: expected 3600, got 3000'], ['金额：预期 3600，实际 3000']],
      [['outcome: expected eligible, got ineligible'], ['结果：预期符合，实际不符合']],
      [
        ['missing facts: expected [person.birthDate], got [person.localHukou]'],
        ['缺少的数据：预期［person.birthDate］，实际［person.localHukou］'],
      ],
    ]);
    expect(formatTestReport(report)).toContain('      amount: expected 3600, got 3000 · 金额：预期 3600，实际 3000');
  });

  it('reports no problem in either language when every case passes', async () => {
    const report = await runPolicyTests(childcare);
    expect(report.failed).toBe(0);
    expect(report.results.every((result) => result.problems.length === 0 && result.problemsZh.length === 0)).toBe(true);
  });

  it('marks a condition the policy negates by whether it counts for eligibility, saying it must not hold', async () => {
    // "alive" written as not(dead): a resident recorded dead fails it, one alive meets it.
    const policy = structuredClone(disability);
    policy.conditions = {
      all: [
        { condition: 'holdsCertificate' },
        { condition: 'dibaoHousehold' },
        { not: { fact: 'person.alive', operator: 'equal', value: false } },
      ],
    };
    const facts = { ...policy.tests[0].facts };
    policy.tests = [
      {
        name: 'a resident recorded dead is expected eligible',
        asOf: '2025-05-10',
        facts: { ...facts, 'person.alive': false },
        expect: { outcome: 'eligible' },
      },
      {
        name: 'a living resident is expected ineligible',
        asOf: '2025-05-10',
        facts,
        expect: { outcome: 'ineligible' },
      },
    ];
    const lines = formatTestReport(await runPolicyTests(policy));
    expect(lines).toContain('      ✗ person.alive: not (person.alive = false equal false) · 须不成立');
    expect(lines).toContain('      ✓ person.alive: not (person.alive = true equal false) · 须不成立');
  });

  it('tests "not before the start date": a case dated before it expects the version not in force, and passes', async () => {
    const policy = structuredClone(childcare);
    const before = dayBefore(policy.effective.from);
    policy.tests.push({
      name: 'a child born the day before the start is not covered',
      asOf: before,
      facts: {},
      expect: { inForce: false },
    });
    expect(() => validatePolicy(policy)).not.toThrow();
    const report = await runPolicyTests(policy);
    expect(report.failed).toBe(0);
    expect(report.results.at(-1)).toMatchObject({ passed: true, actual: { inForce: false, missingFacts: [] } });
    expect(report.results.at(-1)!.actual.outcome).toBeUndefined();
  });

  it('fails a not-in-force case dated where the version is in force, saying its range in both languages', async () => {
    const policy = structuredClone(childcare);
    policy.tests.push({
      name: 'wrongly thought out of force',
      asOf: policy.effective.from,
      facts: {},
      expect: { inForce: false },
    });
    const report = await runPolicyTests(policy);
    const result = report.results.at(-1)!;
    expect(result.passed).toBe(false);
    expect(result.actual.inForce).toBe(true);
    expect(result.problems[0]).toBe(
      `in force: expected not in force on ${policy.effective.from}, but v${policy.version} is in force from ${policy.effective.from}${policy.effective.to ? ` to ${policy.effective.to}` : ''}`,
    );
    expect(result.problemsZh[0]).toMatch(/^施行期：预期 .* 不在施行期内，但第 \d+ 版的施行期为/);
  });

  it('refuses a case expecting a decision outside the range, pointing to { inForce: false }', () => {
    const policy = structuredClone(childcare);
    policy.tests[0].asOf = dayBefore(policy.effective.from);
    const issue = issuesOf(policy).find((i) => i.path === 'tests[0].asOf');
    expect(issue?.message).toContain('expect { "inForce": false } to test that');
    policy.tests[0].expect = { inForce: true } as never;
    expect(issuesOf(policy).map((i) => i.path)).toContain('tests[0].expect.inForce');
  });
});

function issuesOf(input: unknown): PolicyValidationError['issues'] {
  try {
    validatePolicy(input);
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues;
    throw error;
  }
  return [];
}

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
