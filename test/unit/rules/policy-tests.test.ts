/**
 * A policy's own test cases, run as the CLI, the API and the console run them: a failing case
 * says what differed, in English and in Chinese, line for line.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicyCatalog } from '../../../rules/catalog.js';
import { formatTestReport, runPolicyTests } from '../../../rules/policy-tests.js';

const childcare = (await loadPolicyCatalog()).policies.find((policy) => policy.id === 'childcare-subsidy')!;

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
});
