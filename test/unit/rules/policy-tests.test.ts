/**
 * A policy's own test cases, run as the CLI, the API and the console run them: a failing case
 * says what differed, in English and in Chinese, line for line.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { formatTestReport, runPolicyTests } from '../../../rules/policy-tests.js';

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
});
