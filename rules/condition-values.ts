/**
 * A condition's value as evaluation sees it on an as-of date: a literal as written, a parameter
 * reference resolved to the value in force (a number, a date, a month-day, or a fact table), and
 * an age-on value `{ "age": 6, "on": "08-31" }` with either member's reference resolved. The
 * engine, the compiled evaluator and the explanations all resolve through here.
 */
import { parameterAt } from './parameters.js';
import type { ParameterRef, Policy } from './types.js';

/** True for a `{ "parameter": name }` reference. */
export function isParameterRef(value: unknown): value is ParameterRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'parameter' in value;
}

/** True for an age-on value `{ age, on }` (members literal or references). */
export function isAgeOnValue(value: unknown): value is { age: unknown; on: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'age' in value && 'on' in value;
}

const refOrLiteral = (policy: Policy, value: unknown, asOf: string): unknown =>
  isParameterRef(value) ? parameterAt(policy, String(value.parameter), asOf) : value;

/** The value on `asOf`; throws PARAMETER_NOT_IN_FORCE as parameterAt does. */
export function conditionValueAt(policy: Policy, value: unknown, asOf: string): unknown {
  if (isAgeOnValue(value))
    return { age: refOrLiteral(policy, value.age, asOf), on: refOrLiteral(policy, value.on, asOf) };
  return refOrLiteral(policy, value, asOf);
}

/** The parameters a condition value names (a reference, or an age-on value's members). */
export function parametersNamed(value: unknown): string[] {
  if (isParameterRef(value)) return [String(value.parameter)];
  if (isAgeOnValue(value)) return [value.age, value.on].filter(isParameterRef).map((ref) => String(ref.parameter));
  return [];
}
