/**
 * Amount caching for the compiled evaluator. An amount rule is pure for a fixed policy and as-of
 * date and reads one or two facts, but costs up to ~100 µs (luxon dates, twelve months of
 * proration), while the eligible share a population holds few distinct values (birth dates,
 * grades, sizes): caching by those values costs one computation per distinct value, not per
 * subject, and cannot change any result.
 */

/** Entries kept before a cache starts over; bounds memory when values are all distinct (timestamps). */
export const MEMO_LIMIT = 65_536;

/** Lookups after which a cache answering fewer than a tenth of them is dropped: its keys cost more than they save. */
export const MEMO_TRIAL = 4_096;

/**
 * `compute` cached by the values of the named facts of its record: one computation per distinct
 * combination of values, never for a record holding an object (Date, array), and none at all once
 * the trial shows the values hardly repeat (an amount that is a share of each firm's premiums).
 */
export function cachedByFacts<T>(
  facts: readonly string[],
  compute: (record: Readonly<Record<string, unknown>>) => T,
  limit = MEMO_LIMIT,
): typeof compute {
  let memo: Map<string, T> | undefined = new Map();
  let lookups = 0;
  let hits = 0;
  return (record) => {
    const key = memo && primitivesKey(facts.map((fact) => record[fact]));
    if (memo === undefined || key === undefined) return compute(record);
    lookups += 1;
    let value = memo.get(key);
    if (value !== undefined) hits += 1;
    else {
      value = compute(record);
      if (memo.size >= limit) memo.clear();
      memo.set(key, value);
    }
    if (lookups === MEMO_TRIAL && hits * 10 < lookups) memo = undefined;
    return value;
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
