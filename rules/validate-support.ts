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

/** How deep and how large a policy document may be: far beyond any real policy, far below what exhausts the stack. */
export const DOCUMENT_LIMITS = { depth: 32, nodes: 50_000 } as const;

/**
 * The first place a document is too deep or too large, or undefined. Walks the document with an
 * explicit stack (no recursion), so a 10,000-deep `not` is reported with its path instead of
 * overflowing the call stack in structuredClone, the validator or the hash.
 */
export function documentShapeProblem(
  input: unknown,
  limits: { depth: number; nodes: number } = DOCUMENT_LIMITS,
): { path: string; message: string; messageZh: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (++nodes > limits.nodes)
      return {
        path: path || '(policy)',
        message: `the document has more than ${limits.nodes} values`,
        messageZh: `文档的取值超过 ${limits.nodes} 个`,
      };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limits.depth)
      return {
        path: path || '(policy)',
        message: `nested more than ${limits.depth} levels deep`,
        messageZh: `嵌套超过 ${limits.depth} 层`,
      };
    if (Array.isArray(value))
      value.forEach((item, i) => stack.push({ value: item, path: at(path, i), depth: depth + 1 }));
    else
      for (const [key, item] of Object.entries(value))
        stack.push({ value: item, path: at(path, key), depth: depth + 1 });
  }
  return undefined;
}
