/**
 * The synthetic city's values of added facts: the same subject and fact always give the same
 * value, values stay within what the generator allows, and about `absentShare` of subjects have none.
 */
import { describe, expect, it } from 'vitest';
import { syntheticValue } from '../../../services/catalog/synthetic.js';
import type { SyntheticGenerator } from '../../../domain/sources.js';

const subjects = Array.from({ length: 2_000 }, (_, i) => `sk_${i}`);
const values = (generator: SyntheticGenerator, fact = 'person.x') =>
  subjects.map((s) => syntheticValue(generator, s, fact));

describe('synthetic values', () => {
  it('give each subject the same value of a fact every time, and another fact other values', () => {
    const generator: SyntheticGenerator = { kind: 'integer', min: 0, max: 1_000 };
    expect(values(generator)).toEqual(values(generator));
    expect(values(generator, 'person.y')).not.toEqual(values(generator));
  });

  it('stay within the generator and leave about absentShare without a value', () => {
    const bernoulli = values({ kind: 'bernoulli', p: 0.3, absentShare: 0.25 });
    const absent = bernoulli.filter((v) => v === undefined).length / subjects.length;
    expect(absent).toBeGreaterThan(0.2);
    expect(absent).toBeLessThan(0.3);
    const present = bernoulli.filter((v) => v !== undefined);
    const yes = present.filter((v) => v === true).length / present.length;
    expect(yes).toBeGreaterThan(0.25);
    expect(yes).toBeLessThan(0.35);
    expect(new Set(values({ kind: 'integer', min: 2, max: 4 }))).toEqual(new Set([2, 3, 4]));
    expect(new Set(values({ kind: 'choice', weights: { a: 1, b: 3 } }))).toEqual(new Set(['a', 'b']));
    const dates = values({ kind: 'date', from: '2020-01-30', to: '2020-02-02' });
    expect(new Set(dates)).toEqual(new Set(['2020-01-30', '2020-01-31', '2020-02-01', '2020-02-02']));
    expect(values({ kind: 'seed' }).every((v) => v === undefined)).toBe(true);
  });
});
