import { describe, expect, it } from 'vitest';
import { finished, runEntry } from '../../support/run-node.js';

describe('the seed CLI', () => {
  it.each([
    [['--residents', 'many', '--enterprises', '10'], /^--residents: expected a whole number, got "many"$/],
    [['--residents', '10'], /^--enterprises: required$/],
    [['--residents', '10', '--enterprises', '1', '--as-of', '2025/01/01'], /^--as-of: expected a date YYYY-MM-DD/],
    [['--residents', '10', '--enterprises', '1', '--colour', 'red'], /^--colour: unknown flag/],
  ])('rejects %j with one line naming the flag and exit code 2', async (args, message) => {
    const result = await finished(runEntry('infra/seed/cli.ts', args, {}));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
  });
});
