/**
 * The "on the date judged" idioms of rules/README.md are what officers copy: every JSON block of
 * that section, put into a policy as its facts, named conditions and test cases, must validate
 * and its test cases must pass — a README example that stopped working fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPolicyTests } from '../../../rules/policy-tests.js';
import { validatePolicy } from '../../../rules/validate.js';

const README = readFileSync(new URL('../../../rules/README.md', import.meta.url), 'utf8');

/** The section's text, from its heading to the next one. */
function section(heading: string): string {
  const start = README.indexOf(`## ${heading}`);
  expect(start, `rules/README.md has a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + 3);
  return README.slice(start, end < 0 ? undefined : end);
}

const blocks = [...section('On the date judged (idioms)').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);

interface Idiom {
  facts: Record<string, unknown>;
  namedConditions: Record<string, unknown>;
  tests: unknown[];
}

/** A policy that requires every named condition of the block, with the block's facts and tests. */
function policyOf(idiom: Idiom): unknown {
  return {
    id: 'readme-idiom',
    version: 1,
    effective: { from: '2024-01-01' },
    title: { zh: '示例', en: 'example' },
    department: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' },
    reference: 'rules/README.md, On the date judged',
    subject: 'person',
    triggers: ['age.milestone'],
    mode: 'auto',
    period: 'once',
    facts: idiom.facts,
    parameters: {},
    conditions: { all: Object.keys(idiom.namedConditions).map((condition) => ({ condition })) },
    namedConditions: idiom.namedConditions,
    benefit: { kind: 'service', description: { zh: '示例服务', en: 'an example service' } },
    tests: idiom.tests,
  };
}

describe('the README’s idioms for the date judged', () => {
  it('has its examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((block, i) => [i + 1, block]))(
    'example %i validates and its test cases pass',
    async (_n, block) => {
      const idiom = JSON.parse(block) as Idiom;
      const policy = validatePolicy(policyOf(idiom));
      const report = await runPolicyTests(policy);
      expect(report.results.filter((result) => !result.passed).map((result) => [result.name, result.problems])).toEqual(
        [],
      );
      expect(report.passed).toBe(idiom.tests.length);
    },
  );
});
