/**
 * Runs a policy's own given/expect cases and says, in words an officer reads, what each
 * failing case expected and what the rules decided instead. Used by the CLI, the API and
 * the console alike, and by the suite for the shipped catalog.
 */
import { evaluatePolicy } from './engine.js';
import { outsideEffective } from './explain-subject.js';
import {
  conditionMet,
  expectsNotInForce,
  type Decision,
  type DecisionExpectation,
  type Policy,
  type PolicyTest,
} from './types.js';

export interface PolicyTestResult {
  name: string;
  asOf: string;
  passed: boolean;
  expected: PolicyTest['expect'];
  /**
   * What the rules did on the case's date: whether the version is in force then and, when it is,
   * what it decided (a version not in force decides nothing: no outcome).
   */
  actual: { inForce: boolean; outcome?: Decision['outcome']; amount?: number; missingFacts: string[] };
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

type Problem = { en: string; zh: string };

/** A case that expects a decision, dated where the version is not in force: it decides nothing there. */
function notInForceProblem(policy: Policy, asOf: string): Problem {
  const why = outsideEffective(policy, asOf)!;
  return { en: `in force: expected a decision, but ${why.en}`, zh: `施行期：预期作出判定，但${why.zh}` };
}

/** A case that expects the version not in force, dated where it is. */
function inForceProblem(policy: Policy, asOf: string): Problem {
  const { from, to } = policy.effective;
  const range = to === undefined ? `from ${from}` : `from ${from} to ${to}`;
  const rangeZh = to === undefined ? `${from} 起` : `${from} 至 ${to}`;
  return {
    en: `in force: expected not in force on ${asOf}, but v${policy.version} is in force ${range}`,
    zh: `施行期：预期 ${asOf} 不在施行期内，但第 ${policy.version} 版的施行期为 ${rangeZh}`,
  };
}

function problemsOf(expect: DecisionExpectation, decision: Decision): Problem[] {
  const problems: Problem[] = [];
  if (decision.outcome !== expect.outcome) {
    problems.push({
      en: `outcome: expected ${expect.outcome}, got ${decision.outcome}`,
      zh: `结果：预期${OUTCOME_ZH[expect.outcome]}，实际${OUTCOME_ZH[decision.outcome]}`,
    });
  }
  if (expect.amount !== undefined && decision.amount !== expect.amount) {
    problems.push({
      en: `amount: expected ${expect.amount}, got ${decision.amount ?? 'none'}`,
      zh: `金额：预期 ${expect.amount}，实际 ${decision.amount ?? '无'}`,
    });
  }
  if (decision.outcome !== 'eligible' && decision.amount !== undefined) {
    problems.push({
      en: `amount: a ${decision.outcome} decision must carry no amount, got ${decision.amount}`,
      zh: `金额：结果为${OUTCOME_ZH[decision.outcome]}时不应有金额，实际为 ${decision.amount}`,
    });
  }
  if (expect.missingFacts !== undefined) {
    const expected = [...expect.missingFacts].sort();
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
    const inForce = outsideEffective(policy, test.asOf) === undefined;
    const decision = inForce ? await evaluatePolicy(policy, test.facts, test.asOf) : undefined;
    const problems = expectsNotInForce(test.expect)
      ? inForce
        ? [inForceProblem(policy, test.asOf)]
        : []
      : decision
        ? problemsOf(test.expect, decision)
        : [notInForceProblem(policy, test.asOf)];
    results.push({
      name: test.name,
      asOf: test.asOf,
      passed: problems.length === 0,
      expected: test.expect,
      actual: decision
        ? {
            inForce,
            outcome: decision.outcome,
            ...(decision.amount === undefined ? {} : { amount: decision.amount }),
            missingFacts: decision.missingFacts,
          }
        : { inForce, missingFacts: [] },
      problems: problems.map((problem) => problem.en),
      problemsZh: problems.map((problem) => problem.zh),
      conditions: decision?.conditions ?? [],
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
