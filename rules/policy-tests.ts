/**
 * Runs a policy's own given/expect cases and says, in words an officer reads, what each
 * failing case expected and what the rules decided instead. Used by the CLI, the API and
 * the console alike, and by the suite for the shipped catalog.
 */
import { evaluatePolicy } from './engine.js';
import { conditionMet, type Decision, type Policy, type PolicyTest } from './types.js';

export interface PolicyTestResult {
  name: string;
  asOf: string;
  passed: boolean;
  expected: PolicyTest['expect'];
  actual: { outcome: Decision['outcome']; amount?: number; missingFacts: string[] };
  /** Empty when passed; otherwise one line per mismatch, e.g. "amount: expected 3000, got 3600". */
  problems: string[];
  /** The same lines in Chinese, in the same order, e.g. "金额：预期 3000，实际 3600". */
  problemsZh: string[];
  /** The decisive conditions, for reading a failure: each leaf with its value and result. */
  conditions: Decision['conditions'];
}

export interface PolicyTestReport {
  policy: { id: string; version: number };
  passed: number;
  failed: number;
  results: PolicyTestResult[];
}

const OUTCOME_ZH: Record<Decision['outcome'], string> = {
  eligible: '符合',
  ineligible: '不符合',
  undetermined: '无法判定',
};

function problemsOf(test: PolicyTest, decision: Decision): Array<{ en: string; zh: string }> {
  const problems: Array<{ en: string; zh: string }> = [];
  if (decision.outcome !== test.expect.outcome) {
    problems.push({
      en: `outcome: expected ${test.expect.outcome}, got ${decision.outcome}`,
      zh: `结果：预期${OUTCOME_ZH[test.expect.outcome]}，实际${OUTCOME_ZH[decision.outcome]}`,
    });
  }
  if (test.expect.amount !== undefined && decision.amount !== test.expect.amount) {
    problems.push({
      en: `amount: expected ${test.expect.amount}, got ${decision.amount ?? 'none'}`,
      zh: `金额：预期 ${test.expect.amount}，实际 ${decision.amount ?? '无'}`,
    });
  }
  if (decision.outcome !== 'eligible' && decision.amount !== undefined) {
    problems.push({
      en: `amount: a ${decision.outcome} decision must carry no amount, got ${decision.amount}`,
      zh: `金额：结果为${OUTCOME_ZH[decision.outcome]}时不应有金额，实际为 ${decision.amount}`,
    });
  }
  if (test.expect.missingFacts !== undefined) {
    const expected = [...test.expect.missingFacts].sort();
    const actual = [...decision.missingFacts].sort();
    if (expected.join(', ') !== actual.join(', ')) {
      problems.push({
        en: `missing facts: expected [${expected.join(', ')}], got [${actual.join(', ')}]`,
        zh: `缺少的数据：预期［${expected.join('、') || '无'}］，实际［${actual.join('、') || '无'}］`,
      });
    }
  }
  return problems;
}

/** Runs every test case of the policy (in order) and reports each. */
export async function runPolicyTests(policy: Policy): Promise<PolicyTestReport> {
  const results: PolicyTestResult[] = [];
  for (const test of policy.tests) {
    const decision = await evaluatePolicy(policy, test.facts, test.asOf);
    const problems = problemsOf(test, decision);
    results.push({
      name: test.name,
      asOf: test.asOf,
      passed: problems.length === 0,
      expected: test.expect,
      actual: {
        outcome: decision.outcome,
        ...(decision.amount === undefined ? {} : { amount: decision.amount }),
        missingFacts: decision.missingFacts,
      },
      problems: problems.map((problem) => problem.en),
      problemsZh: problems.map((problem) => problem.zh),
      conditions: decision.conditions,
    });
  }
  const failed = results.filter((result) => !result.passed).length;
  return { policy: { id: policy.id, version: policy.version }, passed: results.length - failed, failed, results };
}

/** The report as lines for a terminal: ✓ / ✗ per case, and under each failure what differed and why. */
export function formatTestReport(report: PolicyTestReport): string[] {
  const lines = [`${report.policy.id} v${report.policy.version}: ${report.passed} passed, ${report.failed} failed`];
  for (const result of report.results) {
    lines.push(`  ${result.passed ? '✓' : '✗'} ${result.name} (as of ${result.asOf})`);
    if (result.passed) continue;
    result.problems.forEach((problem, i) =>
      lines.push(`      ${problem}${result.problemsZh[i] ? ` · ${result.problemsZh[i]}` : ''}`),
    );
    for (const leaf of result.conditions) {
      const shown = leaf.factValue === undefined ? 'missing' : JSON.stringify(leaf.factValue);
      const met = conditionMet(leaf);
      const test = `${leaf.fact} = ${shown} ${leaf.operator} ${JSON.stringify(leaf.value)}`;
      lines.push(
        `      ${met === true ? '✓' : met === false ? '✗' : '?'} ${leaf.name ?? leaf.fact}: ${leaf.negated ? `not (${test}) · 须不成立` : test}`,
      );
    }
  }
  return lines;
}
