/**
 * The published JSON Schema of the policy format (rules/policy.schema.json, draft-07) and a
 * check of a document against it. The schema covers structure only, so editors and other
 * tools can check a policy without our code; validatePolicy stays the gate for the semantics
 * (catalog facts, operators for fact types, parameter gaps and overlaps). Issues use
 * validate.ts's paths (`namedConditions.agedSixty.operator`, `facts["person.birthDate"].purpose`).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import type { ValidationIssue } from './errors.js';
import { at } from './validate-support.js';

/** The schema as published at GET /schemas/policy.json. */
export const POLICY_SCHEMA = JSON.parse(
  readFileSync(new URL('./policy.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const validateAgainstSchema = new Ajv({ allErrors: true, strict: false }).compile(POLICY_SCHEMA);

/** Keywords whose errors only say that a nested branch failed; the nested errors carry the detail. */
const WRAPPERS = new Set(['if', 'anyOf', 'oneOf', 'allOf']);

/** Checks a document against the published schema; empty when it conforms. One issue per path, in English and Chinese. */
export function checkPolicySchema(document: unknown): Array<ValidationIssue & { messageZh: string }> {
  if (validateAgainstSchema(document)) return [];
  const byPath = new Map<string, Array<{ en: string; zh: string }>>();
  for (const error of validateAgainstSchema.errors ?? []) {
    if (
      WRAPPERS.has(error.keyword) &&
      (validateAgainstSchema.errors ?? []).some(
        (other) => other !== error && other.instancePath.startsWith(error.instancePath) && !WRAPPERS.has(other.keyword),
      )
    )
      continue;
    const path = issuePath(document, error);
    const messages = byPath.get(path) ?? [];
    const message = describe(error);
    if (!messages.some((m) => m.en === message.en)) messages.push(message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, messages]) => ({
    path,
    message: messages.map((m) => m.en).join('; '),
    messageZh: messages.map((m) => m.zh).join('；'),
  }));
}

/** The validate.ts path of an error: the instance path, narrowed to the member a keyword names. */
function issuePath(document: unknown, error: ErrorObject): string {
  const segments =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let node: unknown = document;
  for (const segment of segments) {
    const index = Array.isArray(node) ? Number(segment) : undefined;
    path = at(path, index ?? segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  const params = error.params as Record<string, unknown>;
  const member = params.missingProperty ?? params.additionalProperty ?? params.propertyName;
  if (typeof member === 'string') path = at(path, member);
  return path === '' ? '(policy)' : path;
}

/** Chinese for the JSON types the schema names. */
const TYPE_ZH: Record<string, string> = {
  string: '文本',
  integer: '整数',
  number: '数字',
  object: '对象',
  array: '列表',
  boolean: '布尔值（true/false）',
  null: '空值',
};

/** "文本、数字或布尔值": a Chinese list of alternatives. */
const oneOfZh = (words: string[]): string =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join('、')}或${words[words.length - 1]}`;

/** Chinese for the schema's patterns, by what they stand for. */
const PATTERN_ZH: Record<string, string> = {
  '\\S': '不能为空白',
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$': '必须是 YYYY-MM-DD 格式的日期',
  '^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$': '必须是 MM-DD 格式的月日',
  '^[a-z0-9]+(?:-[a-z0-9]+)*$': '必须由小写英文字母、数字和短横线组成，例如 "childcare-subsidy"',
  '^[a-z][A-Za-z0-9]*$': '必须是小写字母开头的驼峰式英文，例如 childUnderThree',
  '^(person|enterprise)\\.[a-z][A-Za-z0-9]*$': '必须是 "person.xxx" 或 "enterprise.xxx" 形式的数据项',
  '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$': '必须是 "birth.registered" 形式的事件类型',
};

/** What an error says, in English (ajv's words where ours are not needed) and in Chinese. */
function describe(error: ErrorObject): { en: string; zh: string } {
  const params = error.params as Record<string, unknown>;
  const listed = (values: unknown[], separator: string) => values.map((v) => JSON.stringify(v)).join(separator);
  switch (error.keyword) {
    case 'required':
      return { en: 'is required', zh: '必须填写' };
    case 'additionalProperties':
      return {
        en: `unknown field "${String(params.additionalProperty)}"`,
        zh: `未知字段 "${String(params.additionalProperty)}"`,
      };
    case 'enum':
      return {
        en: `must be one of: ${listed(params.allowedValues as unknown[], ', ')}`,
        zh: `必须是以下之一：${listed(params.allowedValues as unknown[], '、')}`,
      };
    case 'false schema':
      return { en: 'is not allowed here', zh: '此处不允许填写' };
    case 'propertyNames':
      return {
        en: `name "${String(params.propertyName)}" does not match the expected form`,
        zh: `名称 "${String(params.propertyName)}" 不符合要求的形式`,
      };
    case 'type':
      return {
        en: error.message ?? 'has the wrong type',
        zh: `必须是${oneOfZh(
          String(params.type)
            .split(',')
            .map((type) => TYPE_ZH[type] ?? type),
        )}`,
      };
    case 'pattern':
      return {
        en: error.message ?? 'has the wrong form',
        zh: PATTERN_ZH[String(params.pattern)] ?? `必须符合格式 ${String(params.pattern)}`,
      };
    case 'const':
      return { en: error.message ?? 'has the wrong value', zh: `必须是 ${JSON.stringify(params.allowedValue)}` };
    case 'minimum':
      return { en: error.message ?? 'is too small', zh: `必须不小于 ${String(params.limit)}` };
    case 'minItems':
      return { en: error.message ?? 'has too few items', zh: `至少需要 ${String(params.limit)} 项` };
    case 'minLength':
      return {
        en: error.message ?? 'is too short',
        zh: Number(params.limit) === 1 ? '不能为空' : `至少需要 ${String(params.limit)} 个字符`,
      };
    case 'minProperties':
      return { en: error.message ?? 'has too few members', zh: `至少需要 ${String(params.limit)} 项内容` };
    case 'uniqueItems':
      return {
        en: error.message ?? 'has duplicate items',
        zh: `不能有重复项（第 ${Number(params.j) + 1} 项与第 ${Number(params.i) + 1} 项相同）`,
      };
    default:
      return { en: error.message ?? error.keyword, zh: `不符合政策格式的要求（${error.message ?? error.keyword}）` };
  }
}
