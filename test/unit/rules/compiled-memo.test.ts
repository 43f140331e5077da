/**
 * The compiled evaluator's memo (rules/compiled-memo.ts): keys that never confuse two lists of
 * values, no keys for objects, a bounded cache, and no caching of values that hardly repeat.
 */
import { describe, expect, it } from 'vitest';
import { MEMO_TRIAL, cachedByFacts, primitivesKey } from '../../../rules/compiled-memo.js';

describe('memo keys', () => {
  it('never confuse two different lists of values', () => {
    const lists: unknown[][] = [
      ['ab', 'c'],
      ['a', 'bc'],
      [0],
      [-0],
      ['1'],
      [1],
      [null],
      [undefined],
      [true],
      ['t'],
      [],
      ['s1:a'],
      ['a', 's0:'],
    ];
    const keys = lists.map(primitivesKey);
    expect(new Set(keys).size).toBe(lists.length);
  });

  it('are not made for objects (Dates and arrays are computed afresh)', () => {
    expect([primitivesKey([new Date(0)]), primitivesKey(['a', ['b']])]).toEqual([undefined, undefined]);
  });

  it('start over when full instead of growing without bound', () => {
    const computed: unknown[] = [];
    const cached = cachedByFacts(['x'], (record) => computed.push(record.x), 2);
    for (const x of ['a', 'b', 'a', 'c', 'a']) cached({ x });
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });

  it('stop caching values that hardly repeat, and keep answering right', () => {
    let computations = 0;
    const cached = cachedByFacts(['x'], (record) => {
      computations += 1;
      return Number(record.x) * 2;
    });
    for (let x = 0; x < MEMO_TRIAL; x += 1) expect(cached({ x })).toBe(2 * x);
    expect([cached({ x: 1 }), computations]).toEqual([2, MEMO_TRIAL + 1]);
  });
});
