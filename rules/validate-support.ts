/**
 * Small helpers shared by the policy validator: issue collection, field paths in the form
 * the brief and the console use (`namedConditions.childUnderThree.fact`, `tests[2].asOf`,
 * `facts["person.birthDate"].purpose`), and shape checks.
 */
import type { ValidationIssue } from './errors.js';

/** Collects issues; the validator reports them all at once. */
export class Issues {
  readonly list: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.list.push({ path: path === '' ? '(policy)' : path, message });
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of a member: `.key` for identifiers, `["a.b"]` for other keys, `[i]` for array items. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

/** Reports members of `record` not in `allowed` (typos such as `namedCondition`). */
export function checkKnownKeys(issues: Issues, path: string, record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) issues.add(at(path, key), `unknown field "${key}" (expected one of: ${allowed.join(', ')})`);
  }
}

/** Checks a bilingual text `{ zh, en }` with both parts non-empty. */
export function checkText(issues: Issues, path: string, value: unknown): void {
  if (!isRecord(value)) {
    issues.add(path, 'must be a text object { "zh": "…", "en": "…" }');
    return;
  }
  checkKnownKeys(issues, path, value, ['zh', 'en']);
  for (const language of ['zh', 'en'] as const) {
    if (!isNonEmptyString(value[language])) issues.add(at(path, language), 'must be a non-empty string');
  }
}
