/**
 * Validation of condition trees: shapes, whitelisted operators with values of the right kind
 * for the fact's type, facts declared by the policy, parameter references, and named
 * conditions that exist, are used, and never refer to themselves.
 */
import { findFact } from '../domain/sources.js';
import { isIsoDate, isMonthDay } from './dates.js';
import { OPERATOR_NAMES, OPERATOR_SPECS, isOperatorName } from './operators.js';
import type { ParameterShape } from './validate-parameters.js';
import { GROUP_NAME_KEYS, checkGroupName } from './validate-group-names.js';
import {
  FACT_TYPE_ZH,
  Issues,
  at,
  checkKnownKeys,
  checkText,
  factZh,
  isNonEmptyString,
  isRecord,
} from './validate-support.js';

/** What condition checks need to know about the rest of the policy, and what they record. */
export interface ConditionContext {
  issues: Issues;
  declared: ReadonlySet<string>;
  named: Record<string, unknown>;
  shapes: ReadonlyMap<string, ParameterShape>;
  /** Filled in: facts read by conditions. */
  usedFacts: Set<string>;
  /** Filled in: named conditions referenced. */
  usedNamed: Set<string>;
}

const BOOLEAN_KEYS = ['all', 'any', 'not', 'condition'] as const;
const NAME = /^[a-z][A-Za-z0-9]*$/;

/** Checks the policy's top-level `conditions`: an `all` or `any` group. */
export function checkRootCondition(ctx: ConditionContext, value: unknown): void {
  if (!isRecord(value) || !(Object.hasOwn(value, 'all') || Object.hasOwn(value, 'any'))) {
    ctx.issues.add(
      'conditions',
      'must be { "all": [...] } or { "any": [...] }',
      '必须是 { "all": [...] }（全部满足）或 { "any": [...] }（任一满足）',
    );
    return;
  }
  checkCondition(ctx, 'conditions', value, []);
}

/** Checks every named condition, then references to missing names, cycles and unused names. */
export function checkNamedConditions(ctx: ConditionContext): void {
  for (const [name, condition] of Object.entries(ctx.named)) {
    const path = at('namedConditions', name);
    if (!NAME.test(name))
      ctx.issues.add(
        path,
        `name "${name}" must be lowerCamelCase, e.g. childUnderThree`,
        `名称 "${name}" 必须是小写字母开头的驼峰式英文，例如 childUnderThree`,
      );
    if (!isRecord(condition)) {
      ctx.issues.add(path, 'must be a condition object', '必须是条件对象');
      continue;
    }
    if (condition.label !== undefined) checkText(ctx.issues, at(path, 'label'), condition.label);
    checkCondition(ctx, path, condition, ['label']);
  }
  for (const name of Object.keys(ctx.named)) {
    const cycle = findCycle(ctx.named, name, []);
    if (cycle)
      ctx.issues.add(
        at('namedConditions', name),
        `refers to itself: ${cycle.join(' → ')}`,
        `循环引用了自身：${cycle.join(' → ')}`,
      );
    if (!ctx.usedNamed.has(name))
      ctx.issues.add(at('namedConditions', name), 'is never used by the policy’s conditions', '未被政策的任何条件引用');
  }
}

function checkCondition(
  ctx: ConditionContext,
  path: string,
  node: Record<string, unknown>,
  extraKeys: readonly string[],
): void {
  const present = BOOLEAN_KEYS.filter((key) => Object.hasOwn(node, key));
  if (present.length > 1) {
    ctx.issues.add(
      path,
      `must have exactly one of all, any, not, condition (found ${present.join(', ')})`,
      `all、any、not、condition 只能有一个（现有 ${present.join('、')}）`,
    );
    return;
  }
  const kind = present[0];
  if (kind === 'all' || kind === 'any') {
    // A named condition's own root is named by its key; any other group may carry a name and label.
    const inline = !extraKeys.includes('label');
    checkKnownKeys(ctx.issues, path, node, [kind, ...extraKeys, ...(inline ? GROUP_NAME_KEYS : [])]);
    if (inline) checkGroupName(ctx, path, node);
    const children = node[kind];
    if (!Array.isArray(children) || children.length === 0)
      ctx.issues.add(at(path, kind), 'must be a non-empty list of conditions', '必须是非空的条件列表');
    else children.forEach((child, i) => checkChild(ctx, at(at(path, kind), i), child));
  } else if (kind === 'not') {
    checkKnownKeys(ctx.issues, path, node, ['not', ...extraKeys]);
    checkChild(ctx, at(path, 'not'), node.not);
  } else if (kind === 'condition') {
    checkKnownKeys(ctx.issues, path, node, ['condition', ...extraKeys]);
    const name = node.condition;
    if (!isNonEmptyString(name) || !Object.hasOwn(ctx.named, name)) {
      ctx.issues.add(
        at(path, 'condition'),
        `named condition ${JSON.stringify(name)} is not defined in namedConditions`,
        `命名条件 ${JSON.stringify(name)} 未在命名条件（namedConditions）中定义`,
      );
    } else ctx.usedNamed.add(name);
  } else checkLeaf(ctx, path, node, extraKeys);
}

function checkChild(ctx: ConditionContext, path: string, child: unknown): void {
  if (isRecord(child)) checkCondition(ctx, path, child, []);
  else ctx.issues.add(path, 'must be a condition object', '必须是条件对象');
}

function checkLeaf(
  ctx: ConditionContext,
  path: string,
  node: Record<string, unknown>,
  extraKeys: readonly string[],
): void {
  const { issues } = ctx;
  for (const unsupported of ['path', 'params', 'priority'] as const) {
    if (Object.hasOwn(node, unsupported))
      issues.add(
        at(path, unsupported),
        `"${unsupported}" is not supported: facts are flat values and every leaf is evaluated`,
        `不支持 "${unsupported}"：数据项都是单一取值，且每个条件都会判定`,
      );
  }
  checkKnownKeys(issues, path, node, ['fact', 'operator', 'value', 'path', 'params', 'priority', ...extraKeys]);
  const { fact, operator } = node;
  if (!isNonEmptyString(fact))
    issues.add(
      at(path, 'fact'),
      'must name a fact, e.g. "person.birthDate"',
      '必须指明数据项，例如 "person.birthDate"（出生日期）',
    );
  else {
    ctx.usedFacts.add(fact);
    if (!ctx.declared.has(fact))
      issues.add(
        at(path, 'fact'),
        `fact "${fact}" is not declared in facts`,
        `数据项 ${factZh(fact)}未在数据清单（facts）中声明`,
      );
  }
  if (!(typeof operator === 'string' && isOperatorName(operator))) {
    issues.add(
      at(path, 'operator'),
      `operator ${JSON.stringify(operator)} is not allowed (allowed: ${OPERATOR_NAMES.join(', ')})`,
      `不允许使用运算 ${JSON.stringify(operator)}（可用：${OPERATOR_NAMES.join('、')}）`,
    );
    return;
  }
  if (!Object.hasOwn(node, 'value')) {
    issues.add(at(path, 'value'), 'is required', '必须填写');
    return;
  }
  const spec = OPERATOR_SPECS[operator];
  const known = typeof fact === 'string' ? findFact(fact) : undefined;
  if (known && !spec.factTypes.includes(known.field.type)) {
    issues.add(
      at(path, 'operator'),
      `${operator} does not apply to ${fact}, a ${known.field.type} fact`,
      `${operator} 不适用于${FACT_TYPE_ZH[known.field.type]}类数据项 ${factZh(String(fact))}`,
    );
  }
  checkValue(ctx, at(path, 'value'), operator, node.value, known?.field);
}

function checkValue(
  ctx: ConditionContext,
  path: string,
  operator: keyof typeof OPERATOR_SPECS,
  value: unknown,
  field: { type: string; values?: readonly string[] } | undefined,
): void {
  const { issues } = ctx;
  const kind = OPERATOR_SPECS[operator].value;
  if (kind === 'ageOn') {
    checkAgeOnValue(ctx, path, operator, value);
    return;
  }
  if (isRecord(value)) {
    checkParameterRef(ctx, path, operator, value, PARAMETER_SHAPES_FOR[kind]);
    return;
  }
  const scalarType = field?.type === 'date' ? 'string' : field?.type;
  const checkScalar = (itemPath: string, item: unknown): void => {
    if (!['string', 'number', 'boolean'].includes(typeof item))
      issues.add(itemPath, 'must be a string, number or boolean', '必须是文本、数字或布尔值（true/false）');
    else if (scalarType !== undefined && typeof item !== scalarType) {
      issues.add(
        itemPath,
        `must be a ${scalarType} to compare with this ${field?.type} fact`,
        `值的类型应为${field?.type === 'date' ? ' YYYY-MM-DD 格式的日期文本' : (FACT_TYPE_ZH[scalarType] ?? scalarType)}，才能与这个${FACT_TYPE_ZH[field?.type ?? ''] ?? field?.type}类数据项比较`,
      );
    } else if (field?.values && typeof item === 'string' && !field.values.includes(item)) {
      issues.add(
        itemPath,
        `"${item}" is not one of the fact's values: ${field.values.join(', ')}`,
        `"${item}" 不是该数据项的可选值（${field.values.join('、')}）`,
      );
    }
  };
  switch (kind) {
    case 'scalar':
      if (operator === 'contains') {
        if (!['string', 'number', 'boolean'].includes(typeof value))
          issues.add(path, 'must be a string, number or boolean', '必须是文本、数字或布尔值（true/false）');
      } else checkScalar(path, value);
      break;
    case 'list':
      if (!Array.isArray(value) || value.length === 0)
        issues.add(path, `${operator} needs a non-empty list`, `${operator} 需要非空列表`);
      else value.forEach((item, i) => checkScalar(at(path, i), item));
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        issues.add(path, `${operator} needs a number`, `${operator} 需要一个数字`);
      break;
    case 'wholeNumber':
      if (!Number.isInteger(value) || (value as number) < 0)
        issues.add(
          path,
          `${operator} needs a whole number of years, months or days`,
          `${operator} 需要整数的年数、月数或天数`,
        );
      break;
    case 'date':
      if (!isIsoDate(value) && !isMonthDay(value))
        issues.add(
          path,
          `${operator} needs a YYYY-MM-DD date or a MM-DD month-day of the as-of year${value === '02-29' ? ' ("02-29" is missing from most years)' : ''}`,
          `${operator} 需要 YYYY-MM-DD 格式的日期，或判定年度的 MM-DD 月日${value === '02-29' ? '（"02-29" 并非每年都有）' : ''}`,
        );
      break;
  }
}

/** The parameter shapes a reference may name, by the operator's kind of value. */
const PARAMETER_SHAPES_FOR: Record<string, readonly ParameterShape[]> = {
  number: ['number', 'factTable'],
  wholeNumber: ['number', 'factTable'],
  date: ['date', 'monthDay'],
  scalar: ['number'],
  list: [],
};

const SHAPE_WORDS: Record<string, { en: string; zh: string }> = {
  number: { en: 'a single number or a fact table', zh: '单个数值或按数据项查找的参数表' },
  wholeNumber: { en: 'a single number or a fact table', zh: '单个数值或按数据项查找的参数表' },
  date: { en: 'a date or a month-day', zh: '日期或月日' },
  scalar: { en: 'a single number', zh: '单个数值' },
  list: { en: 'a list, which parameters do not hold', zh: '列表（参数不能是列表）' },
  age: { en: 'a single number of years', zh: '单个年数' },
  on: { en: 'a month-day', zh: '月日' },
};

/** A `{ "parameter": name }` value: the parameter exists and holds a shape the operator can compare with. */
function checkParameterRef(
  ctx: ConditionContext,
  path: string,
  operator: string,
  value: Record<string, unknown>,
  allowed: readonly ParameterShape[],
  need = OPERATOR_SPECS[operator as keyof typeof OPERATOR_SPECS].value as string,
): void {
  const { issues } = ctx;
  const name = value.parameter;
  if (!isNonEmptyString(name) || Object.keys(value).length !== 1)
    issues.add(
      path,
      'an object value must be a parameter reference { "parameter": "name" }',
      '对象形式的值必须是参数引用 { "parameter": "参数名" }',
    );
  else if (!ctx.shapes.has(name))
    issues.add(
      at(path, 'parameter'),
      `parameter "${name}" is not defined in parameters`,
      `参数 "${name}" 未在参数（parameters）中定义`,
    );
  else if (ctx.shapes.get(name) !== 'invalid' && !allowed.includes(ctx.shapes.get(name)!)) {
    const words = SHAPE_WORDS[need] ?? SHAPE_WORDS.scalar;
    issues.add(
      at(path, 'parameter'),
      `parameter "${name}" cannot be used with ${operator}: ${words.en} is needed`,
      `参数 "${name}" 不能用于 ${operator}：这里需要${words.zh}`,
    );
  }
}

/** `{ "age": 6, "on": "08-31" }`: a whole number of years and a month-day, either a parameter reference. */
function checkAgeOnValue(ctx: ConditionContext, path: string, operator: string, value: unknown): void {
  const { issues } = ctx;
  if (!isRecord(value) || !Object.hasOwn(value, 'age') || !Object.hasOwn(value, 'on')) {
    issues.add(
      path,
      `${operator} needs { "age": years, "on": "MM-DD" }, e.g. { "age": 6, "on": "08-31" } (six by 31 August of the as-of year)`,
      `${operator} 需要 { "age": 周岁, "on": "MM-DD" }，例如 { "age": 6, "on": "08-31" }（判定年度8月31日前满6周岁）`,
    );
    return;
  }
  checkKnownKeys(issues, path, value, ['age', 'on']);
  if (isRecord(value.age)) checkParameterRef(ctx, at(path, 'age'), operator, value.age, ['number'], 'age');
  else if (!Number.isInteger(value.age) || (value.age as number) < 0)
    issues.add(at(path, 'age'), 'must be a whole number of years', '必须是整数周岁');
  if (isRecord(value.on)) checkParameterRef(ctx, at(path, 'on'), operator, value.on, ['monthDay'], 'on');
  else if (!isMonthDay(value.on))
    issues.add(
      at(path, 'on'),
      `must be a MM-DD month-day, e.g. "08-31"${value.on === '02-29' ? ' ("02-29" is missing from most years: write "02-28" or "03-01")' : ''}`,
      `必须是 MM-DD 格式的月日，例如 "08-31"${value.on === '02-29' ? '（"02-29" 并非每年都有：请写 "02-28" 或 "03-01"）' : ''}`,
    );
}

function findCycle(named: Record<string, unknown>, name: string, trail: string[]): string[] | undefined {
  if (trail.includes(name)) return trail[0] === name ? [...trail, name] : undefined;
  const next = [...trail, name];
  for (const reference of references(named[name])) {
    if (Object.hasOwn(named, reference)) {
      const cycle = findCycle(named, reference, next);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

function references(node: unknown): string[] {
  if (!isRecord(node)) return [];
  if (typeof node.condition === 'string') return [node.condition];
  const children = [
    ...(Array.isArray(node.all) ? node.all : []),
    ...(Array.isArray(node.any) ? node.any : []),
    ...(node.not === undefined ? [] : [node.not]),
  ];
  return children.flatMap(references);
}
