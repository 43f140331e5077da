/**
 * Memoization for the compiled evaluator. The date operators and amount rules are pure for a
 * fixed policy and as-of date but cost tens of microseconds each (luxon parsing), while a
 * population holds only some 40,000 distinct birth dates: caching by fact value makes a sweep
 * cost one luxon call per distinct date, not per resident, and cannot change any result.
 */

/** Entries kept per cache before it starts over; bounds memory when values are all distinct (timestamps). */
export const MEMO_LIMIT = 65_536;

/** A Map that empties itself when full: no eviction bookkeeping on the hot path. */
export class BoundedMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly limit = MEMO_LIMIT) {}

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
  }
}

/**
 * `test(value)` cached for string values (the dates of date operators); any other value is
 * passed through uncached, so a Date object or a number is always computed afresh.
 */
export function memoizeStrings(test: (value: unknown) => boolean): (value: unknown) => boolean {
  const memo = new BoundedMemo<boolean>();
  return (value) => {
    if (typeof value !== 'string') return test(value);
    let result = memo.get(value);
    if (result === undefined) {
      result = test(value);
      memo.set(value, result);
    }
    return result;
  };
}

/**
 * An unambiguous cache key for a list of primitive values (type-tagged, strings length-prefixed,
 * -0 kept apart from 0), or undefined when any value is an object, which is then not cached.
 */
export function primitivesKey(values: readonly unknown[]): string | undefined {
  let key = '';
  for (const value of values) {
    switch (typeof value) {
      case 'string':
        key += `s${value.length}:${value}`;
        break;
      case 'number':
        key += `n${Object.is(value, -0) ? '-0' : String(value)};`;
        break;
      case 'boolean':
        key += value ? 't' : 'f';
        break;
      case 'undefined':
        key += 'u';
        break;
      default:
        if (value !== null) return undefined;
        key += 'l';
    }
  }
  return key;
}
