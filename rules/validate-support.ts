/**
 * Small helpers shared by the policy validator: issue collection, field paths in the form
 * the brief and the console use (`namedConditions.childUnderThree.fact`, `tests[2].asOf`,
 * `facts["person.birthDate"].purpose`), shape checks, and the Chinese words issues share.
 */
import { findFact, type SubjectKind } from '../domain/sources.js';
import type { ValidationIssue } from './errors.js';

/** Collects issues; the validator reports them all at once, each in English and in Chinese. */
export class Issues {
  readonly list: Array<ValidationIssue & { messageZh: string }> = [];

  add(path: string, message: string, messageZh: string): void {
    this.list.push({ path: path === '' ? '(policy)' : path, message, messageZh });
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

/** A subject kind in Chinese, as the console names it. */
export const SUBJECT_ZH: Record<SubjectKind, string> = { person: '个人', enterprise: '企业' };

/** A fact type in Chinese. */
export const FACT_TYPE_ZH: Record<string, string> = { date: '日期', number: '数值', boolean: '是/否', string: '文本' };

/** A fact key for a Chinese message: `"person.hukouSince"（落户日期）` when the catalog knows it. */
export function factZh(key: string): string {
  const label = findFact(key)?.field.label.zh;
  return label ? `"${key}"（${label}）` : `"${key}"`;
}

/** Reports members of `record` not in `allowed` (typos such as `namedCondition`). */
export function checkKnownKeys(
  issues: Issues,
  path: string,
  record: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      issues.add(
        at(path, key),
        `unknown field "${key}" (expected one of: ${allowed.join(', ')})`,
        `未知字段 "${key}"（应为以下之一：${allowed.join('、')}）`,
      );
    }
  }
}

/** Checks a bilingual text `{ zh, en }` with both parts non-empty. */
export function checkText(issues: Issues, path: string, value: unknown): void {
  if (!isRecord(value)) {
    issues.add(path, 'must be a text object { "zh": "…", "en": "…" }', '必须是中英文文本对象 { "zh": "…", "en": "…" }');
    return;
  }
  checkKnownKeys(issues, path, value, ['zh', 'en']);
  for (const language of ['zh', 'en'] as const) {
    if (!isNonEmptyString(value[language]))
      issues.add(
        at(path, language),
        'must be a non-empty string',
        `必须是非空字符串（${language === 'zh' ? '中文' : '英文'}）`,
      );
  }
}
