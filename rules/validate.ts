/**
 * `validatePolicy`: the gate every policy document passes before it is stored, shipped or
 * evaluated. It reports every problem with the path of the field at fault and returns a copy
 * of the policy only when there is none, so nothing half-valid ever reaches the engine.
 */
import { findEventType } from '../domain/events.js';
import { findFact, findSource } from '../domain/sources.js';
import { isIsoDate } from './dates.js';
import { PolicyValidationError } from './errors.js';
import type { Policy } from './types.js';
import { TASK_TYPES, type TaskType } from '../domain/tasks.js';
import { checkNamedConditions, checkRootCondition, type ConditionContext } from './validate-conditions.js';
import { checkAmountAgainstPolicy } from './validate-amounts.js';
import { checkFactTables } from './validate-fact-tables.js';
import { checkAmountRule, checkParameters } from './validate-parameters.js';
import { checkBenefitCode } from './validate-benefit-code.js';
import {
  Issues,
  SUBJECT_ZH,
  at,
  checkKnownKeys,
  checkText,
  documentShapeProblem,
  factZh,
  isNonEmptyString,
  isPositiveInteger,
  isRecord,
} from './validate-support.js';

const POLICY_FIELDS = [
  'id',
  'version',
  'effective',
  'title',
  'summary',
  'department',
  'reference',
  'subject',
  'triggers',
  'mode',
  'period',
  'facts',
  'parameters',
  'conditions',
  'namedConditions',
  'benefit',
  'offer',
  'pledge',
  'timeLimits',
  'tests',
];
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const withArticle = (kind: string): string => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
const oneOf = (value: unknown, options: readonly string[]): value is string =>
  typeof value === 'string' && options.includes(value);
const subjectZh = (subject: string): string => SUBJECT_ZH[subject as 'person' | 'enterprise'] ?? subject;

/** Validates a policy document; throws PolicyValidationError (code POLICY_INVALID) listing every issue. */
export function validatePolicy(input: unknown): Policy {
  const issues = new Issues();
  if (!isRecord(input)) {
    issues.add('', 'must be a JSON object', '必须是 JSON 对象');
    throw new PolicyValidationError(issues.list);
  }
  const tooBig = documentShapeProblem(input);
  if (tooBig) {
    issues.add(tooBig.path, tooBig.message, tooBig.messageZh);
    throw new PolicyValidationError(issues.list);
  }
  checkKnownKeys(issues, '', input, POLICY_FIELDS);
  if (!(typeof input.id === 'string' && KEBAB.test(input.id)))
    issues.add(
      'id',
      'must be kebab-case, e.g. "childcare-subsidy"',
      '必须由小写英文字母、数字和短横线组成，例如 "childcare-subsidy"',
    );
  if (!isPositiveInteger(input.version)) issues.add('version', 'must be a positive whole number', '必须是正整数');
  const effective = checkEffective(issues, input.effective);
  checkText(issues, 'title', input.title);
  if (input.summary !== undefined) checkText(issues, 'summary', input.summary);
  checkText(issues, 'department', input.department);
  if (!isNonEmptyString(input.reference))
    issues.add(
      'reference',
      'must cite the legal basis: document name, number and article',
      '必须注明政策依据：文件名称、文号和条款',
    );
  const subject = oneOf(input.subject, ['person', 'enterprise']) ? input.subject : undefined;
  if (!subject)
    issues.add('subject', 'must be "person" or "enterprise"', '必须是 "person"（个人）或 "enterprise"（企业）');
  checkTriggers(issues, input.triggers, subject);
  if (!oneOf(input.mode, ['auto', 'offer', 'pledge']))
    issues.add(
      'mode',
      'must be "auto", "offer" or "pledge"',
      '必须是 "auto"（免申即享）、"offer"（一键确认）或 "pledge"（告知承诺）',
    );
  if (!oneOf(input.period, ['once', 'year', 'month']))
    issues.add(
      'period',
      'must be "once", "year" or "month"',
      '必须是 "once"（一次性）、"year"（每年）或 "month"（每月）',
    );

  const declared = checkFactsManifest(issues, input.facts, subject);
  const shapes = checkParameters(issues, input.parameters, effective);
  const tableFacts = checkFactTables(issues, input.parameters, declared);
  const named = isRecord(input.namedConditions) ? input.namedConditions : {};
  if (!isRecord(input.namedConditions))
    issues.add('namedConditions', 'must be an object of named conditions', '必须是由命名条件组成的对象');
  const ctx: ConditionContext = { issues, declared, named, shapes, usedFacts: new Set(), usedNamed: new Set() };
  checkRootCondition(ctx, input.conditions);
  checkNamedConditions(ctx);
  const amountFacts = checkBenefit(issues, input.benefit, shapes, input.parameters, declared);
  checkAmountAgainstPolicy(issues, input.benefit, input.period);
  checkDelivery(issues, input, declared, ctx.usedFacts);
  if (input.timeLimits !== undefined) checkTimeLimits(issues, input.timeLimits);
  const used = new Set([...ctx.usedFacts, ...amountFacts, ...tableFacts]);
  for (const fact of declared) {
    if (!used.has(fact))
      issues.add(
        at('facts', fact),
        'is declared but read by no condition or amount rule: a policy declares only the data it needs',
        '已声明，但没有任何条件或金额规则读取：政策只声明用得到的数据',
      );
  }
  checkTests(issues, input.tests, declared, effective);

  if (issues.list.length > 0) throw new PolicyValidationError(issues.list);
  return structuredClone(input) as unknown as Policy;
}

function checkEffective(issues: Issues, value: unknown): { from?: string; to?: string } {
  if (!isRecord(value)) {
    issues.add(
      'effective',
      'must be { "from": "YYYY-MM-DD" } with an optional "to"',
      '必须是 { "from": "YYYY-MM-DD" }，可另加 "to"（失效日期）',
    );
    return {};
  }
  checkKnownKeys(issues, 'effective', value, ['from', 'to']);
  const from = isIsoDate(value.from) ? value.from : undefined;
  if (!from) issues.add('effective.from', 'must be a YYYY-MM-DD date', '必须是 YYYY-MM-DD 格式的日期');
  if (value.to === undefined) return { from };
  if (!isIsoDate(value.to) || (from !== undefined && value.to < from)) {
    issues.add(
      'effective.to',
      'must be a YYYY-MM-DD date on or after effective.from',
      '必须是不早于生效日期（effective.from）的 YYYY-MM-DD 日期',
    );
    return { from };
  }
  return { from, to: value.to };
}

function checkTriggers(issues: Issues, value: unknown, subject: string | undefined): void {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(
      'triggers',
      'must be a non-empty list of life-event types (domain/events.ts)',
      '必须是非空的触发事件类型列表（见 domain/events.ts）',
    );
    return;
  }
  value.forEach((trigger, i) => {
    const event = typeof trigger === 'string' ? findEventType(trigger) : undefined;
    if (!event)
      issues.add(
        at('triggers', i),
        `${JSON.stringify(trigger)} is not a life-event type in domain/events.ts`,
        `${JSON.stringify(trigger)} 不是 domain/events.ts 中的事件类型`,
      );
    else if (subject && event.subject !== subject) {
      issues.add(
        at('triggers', i),
        `${trigger} concerns ${withArticle(event.subject)}, but this policy's subject is ${withArticle(subject)}`,
        `${trigger}（${event.label.zh}）的对象是${subjectZh(event.subject)}，但本政策的对象是${subjectZh(subject)}`,
      );
    }
    if (value.indexOf(trigger) !== i)
      issues.add(
        at('triggers', i),
        `${JSON.stringify(trigger)} is listed twice`,
        `${JSON.stringify(trigger)} 重复列出`,
      );
  });
}

/** Checks the facts manifest against the data-source catalog; returns the declared keys. */
function checkFactsManifest(issues: Issues, value: unknown, subject: string | undefined): Set<string> {
  const declared = new Set<string>();
  if (!isRecord(value) || Object.keys(value).length === 0) {
    issues.add(
      'facts',
      'must declare the facts the policy reads, each with its source and purpose',
      '必须声明政策读取的数据项，每项注明来源和用途',
    );
    return declared;
  }
  for (const [key, entry] of Object.entries(value)) {
    const path = at('facts', key);
    declared.add(key);
    const known = findFact(key);
    if (!known)
      issues.add(
        path,
        `"${key}" is not in the data-source catalog: ask the department that keeps it with a fact request (applyfree fact-request file, the console's 数据需求 page)`,
        `"${key}" 不在数据共享目录中：请向掌握该数据的部门提出数据需求（命令 "applyfree fact-request file"，或控制台“数据需求”页面）`,
      );
    else if (subject && known.source.subject !== subject) {
      issues.add(
        path,
        `"${key}" describes ${withArticle(known.source.subject)}, but this policy's subject is ${withArticle(subject)}`,
        `${factZh(key)}描述的是${subjectZh(known.source.subject)}，但本政策的对象是${subjectZh(subject)}`,
      );
    }
    if (!isRecord(entry)) {
      issues.add(
        path,
        'must be { "source": "<source id>", "purpose": "…" }',
        '必须是 { "source": "<数据来源 id>", "purpose": "…" }',
      );
      continue;
    }
    checkKnownKeys(issues, path, entry, ['source', 'purpose']);
    if (!isNonEmptyString(entry.source) || !findSource(entry.source)) {
      issues.add(
        at(path, 'source'),
        `${JSON.stringify(entry.source)} is not a data source in domain/sources.ts`,
        `${JSON.stringify(entry.source)} 不是 domain/sources.ts 中的数据来源`,
      );
    } else if (known && known.source.id !== entry.source) {
      issues.add(
        at(path, 'source'),
        `"${key}" comes from "${known.source.id}", not "${entry.source}"`,
        `${factZh(key)}由 "${known.source.id}"（${known.source.department.zh}）提供，而不是 "${entry.source}"`,
      );
    }
    if (!isNonEmptyString(entry.purpose))
      issues.add(
        at(path, 'purpose'),
        'must state why the policy needs this fact (shown in access records)',
        '必须说明政策为何需要该数据（会写入数据调用记录）',
      );
  }
  return declared;
}

function checkBenefit(
  issues: Issues,
  value: unknown,
  shapes: ReturnType<typeof checkParameters>,
  parameters: unknown,
  declared: Set<string>,
): string[] {
  if (!isRecord(value) || !oneOf(value.kind, ['cash', 'service', 'card', 'enrollment'])) {
    issues.add(
      'benefit.kind',
      'must be "cash", "service", "card" or "enrollment"',
      '必须是 "cash"（现金）、"service"（服务）、"card"（证卡）或 "enrollment"（入学）',
    );
    return [];
  }
  checkText(issues, 'benefit.description', value.description);
  checkBenefitCode(issues, value.kind, value.code);
  if (value.kind !== 'cash') {
    checkKnownKeys(issues, 'benefit', value, ['kind', 'description', 'code']);
    return [];
  }
  checkKnownKeys(issues, 'benefit', value, ['kind', 'currency', 'amount', 'description', 'recoveredBy', 'code']);
  if (value.currency !== 'CNY') issues.add('benefit.currency', 'must be "CNY"', '必须是 "CNY"（人民币）');
  if (value.recoveredBy !== undefined && !oneOf(value.recoveredBy, ['netting', 'collection']))
    issues.add(
      'benefit.recoveredBy',
      'must be "netting" (withheld from later payments) or "collection" (a collection list)',
      '必须是 "netting"（从后续发放中抵扣）或 "collection"（列入追缴清单）',
    );
  return checkAmountRule(issues, 'benefit.amount', value.amount, shapes, parameters, declared);
}

/** `timeLimits`: whole calendar days per task type, each a type tasks have (domain/tasks.ts). */
function checkTimeLimits(issues: Issues, limits: unknown): void {
  if (!isRecord(limits)) {
    issues.add(
      'timeLimits',
      'must map task types to whole days, e.g. { "review": 20 }',
      '必须按任务类型填写办结时限天数，例如 { "review": 20 }',
    );
    return;
  }
  checkKnownKeys(issues, 'timeLimits', limits, TASK_TYPES);
  for (const [type, days] of Object.entries(limits)) {
    if (TASK_TYPES.includes(type as TaskType) && !(isPositiveInteger(days) && days <= 366))
      issues.add(
        `timeLimits.${type}`,
        'must be a whole number of calendar days between 1 and 366',
        '必须是 1 到 366 之间的整数（自然日）',
      );
  }
}

function checkDelivery(
  issues: Issues,
  input: Record<string, unknown>,
  declared: Set<string>,
  conditionFacts: Set<string>,
): void {
  const { mode, offer, pledge } = input;
  if (mode !== 'offer' && offer !== undefined)
    issues.add('offer', 'is only used with mode "offer"', '仅在兑现方式为 "offer"（一键确认）时使用');
  if (mode !== 'pledge' && pledge !== undefined)
    issues.add('pledge', 'is only used with mode "pledge"', '仅在兑现方式为 "pledge"（告知承诺）时使用');
  if (mode === 'offer') {
    if (!isRecord(offer))
      issues.add(
        'offer',
        'mode "offer" requires { "expiresAfterDays", "reminderDaysBeforeExpiry" }',
        '兑现方式为 "offer"（一键确认）时必须填写 { "expiresAfterDays", "reminderDaysBeforeExpiry" }',
      );
    else {
      checkKnownKeys(issues, 'offer', offer, ['expiresAfterDays', 'reminderDaysBeforeExpiry']);
      const days = offer.expiresAfterDays;
      if (!isPositiveInteger(days))
        issues.add('offer.expiresAfterDays', 'must be a positive whole number of days', '必须是正整数天数');
      const reminders = offer.reminderDaysBeforeExpiry;
      if (!Array.isArray(reminders))
        issues.add(
          'offer.reminderDaysBeforeExpiry',
          'must be a list of whole days before expiry',
          '必须是到期前提醒天数（整数）的列表',
        );
      else
        reminders.forEach((day, i) => {
          if (!isPositiveInteger(day) || (isPositiveInteger(days) && day >= days)) {
            const most = isPositiveInteger(days) ? String(days - 1) : 'expiresAfterDays - 1';
            issues.add(
              at('offer.reminderDaysBeforeExpiry', i),
              `must be a whole number of days between 1 and ${most}`,
              `必须是 1 到 ${most} 之间的整数天数`,
            );
          }
        });
    }
  }
  if (mode === 'pledge') {
    if (!isRecord(pledge))
      issues.add(
        'pledge',
        'mode "pledge" requires { "statement", "pledgedFacts", "inspectAfterDays" }',
        '兑现方式为 "pledge"（告知承诺）时必须填写 { "statement", "pledgedFacts", "inspectAfterDays" }',
      );
    else {
      checkKnownKeys(issues, 'pledge', pledge, [
        'statement',
        'pledgedFacts',
        'inspectAfterDays',
        'signWithinDays',
        'creditBlockDays',
        'onSiteShare',
        'highRiskAmount',
        'obligations',
      ]);
      checkText(issues, 'pledge.statement', pledge.statement);
      if (!isPositiveInteger(pledge.inspectAfterDays))
        issues.add('pledge.inspectAfterDays', 'must be a positive whole number of days', '必须是正整数天数');
      checkPledgeOptions(issues, pledge);
      const facts = pledge.pledgedFacts;
      if (!Array.isArray(facts) || facts.length === 0)
        issues.add('pledge.pledgedFacts', 'must list the facts the applicant pledges', '必须列出申请人承诺的数据项');
      else
        facts.forEach((fact, i) => {
          if (typeof fact !== 'string' || !declared.has(fact))
            issues.add(
              at('pledge.pledgedFacts', i),
              `${JSON.stringify(fact)} is not declared in facts`,
              `${typeof fact === 'string' ? factZh(fact) : JSON.stringify(fact)}未在数据清单（facts）中声明`,
            );
          else if (!conditionFacts.has(fact))
            issues.add(
              at('pledge.pledgedFacts', i),
              `"${fact}" is read by no condition, so there is nothing to inspect`,
              `${factZh(fact)}未被任何条件读取，承诺后无可核查的内容`,
            );
        });
    }
  }
}

/** The pledge's optional fields (告知书 deadline, credit bar, on-site inspection): each named when wrong. */
function checkPledgeOptions(issues: Issues, pledge: Record<string, unknown>): void {
  for (const field of ['signWithinDays', 'creditBlockDays'] as const)
    if (pledge[field] !== undefined && !isPositiveInteger(pledge[field]))
      issues.add(`pledge.${field}`, 'must be a positive whole number of days', '必须是正整数天数');
  const share = pledge.onSiteShare;
  if (share !== undefined && (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1))
    issues.add('pledge.onSiteShare', 'must be a share between 0 and 1', '必须是 0 到 1 之间的比例');
  const amount = pledge.highRiskAmount;
  if (amount !== undefined && (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0))
    issues.add('pledge.highRiskAmount', 'must be a positive amount in yuan', '必须是大于 0 的金额（元）');
  const obligations = pledge.obligations;
  if (obligations !== undefined) {
    if (!Array.isArray(obligations) || obligations.length === 0)
      issues.add('pledge.obligations', 'must list at least one obligation', '必须至少列出一项告知义务');
    else obligations.forEach((text, i) => checkText(issues, at('pledge.obligations', i), text));
  }
}

function checkTests(
  issues: Issues,
  value: unknown,
  declared: Set<string>,
  effective: { from?: string; to?: string },
): void {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(
      'tests',
      'must hold at least one test case an analyst can read',
      '必须至少包含一个政策人员读得懂的测试用例',
    );
    return;
  }
  const names = new Set<string>();
  value.forEach((test, i) => {
    const path = at('tests', i);
    if (!isRecord(test))
      return issues.add(
        path,
        'must be { "name", "asOf", "facts", "expect" }',
        '必须是 { "name", "asOf", "facts", "expect" }（名称、基准日、数据、预期）',
      );
    checkKnownKeys(issues, path, test, ['name', 'asOf', 'facts', 'expect']);
    if (!isNonEmptyString(test.name))
      issues.add(
        at(path, 'name'),
        'must be a full sentence saying who gets what',
        '必须是一句完整的话，说明谁能得到什么',
      );
    else if (names.has(test.name))
      issues.add(at(path, 'name'), `"${test.name}" is used by another test`, `"${test.name}" 已被另一个测试用例使用`);
    else names.add(test.name);
    // A case dated outside the range tests that the version is not in force then: it says so.
    const notInForce = isRecord(test.expect) && test.expect.inForce === false;
    if (!isIsoDate(test.asOf))
      issues.add(at(path, 'asOf'), 'must be a YYYY-MM-DD date', '必须是 YYYY-MM-DD 格式的日期');
    else if (
      !notInForce &&
      ((effective.from !== undefined && test.asOf < effective.from) ||
        (effective.to !== undefined && test.asOf > effective.to))
    ) {
      issues.add(
        at(path, 'asOf'),
        `${test.asOf} is outside the policy's effective range, where it decides nothing: expect { "inForce": false } to test that`,
        `${test.asOf} 不在政策施行期间内，不作判定；如要检验这一点，预期写 { "inForce": false }`,
      );
    }
    if (!isRecord(test.facts))
      issues.add(at(path, 'facts'), 'must be an object of fact values', '必须是由数据项取值组成的对象');
    else
      for (const key of Object.keys(test.facts))
        if (!declared.has(key))
          issues.add(
            at(at(path, 'facts'), key),
            `fact "${key}" is not declared in facts`,
            `数据项 ${factZh(key)}未在数据清单（facts）中声明`,
          );
    const expect = test.expect;
    if (!isRecord(expect))
      return issues.add(
        at(path, 'expect'),
        'must be { "outcome", "amount"?, "missingFacts"? } or { "inForce": false }',
        '必须是 { "outcome", "amount"?, "missingFacts"? }（预期结果，可选金额和缺少的数据）或 { "inForce": false }（不在施行期内）',
      );
    if ('inForce' in expect) {
      checkKnownKeys(issues, at(path, 'expect'), expect, ['inForce']);
      if (expect.inForce !== false)
        issues.add(
          at(at(path, 'expect'), 'inForce'),
          'must be false: a case in force expects an "outcome" instead',
          '只能是 false：施行期内的用例请写预期结果（outcome）',
        );
      return;
    }
    checkKnownKeys(issues, at(path, 'expect'), expect, ['outcome', 'amount', 'missingFacts']);
    if (!oneOf(expect.outcome, ['eligible', 'ineligible', 'undetermined']))
      issues.add(
        at(at(path, 'expect'), 'outcome'),
        'must be "eligible", "ineligible" or "undetermined"',
        '必须是 "eligible"（符合）、"ineligible"（不符合）或 "undetermined"（无法判定）',
      );
    if (expect.amount !== undefined && !(typeof expect.amount === 'number' && Number.isFinite(expect.amount)))
      issues.add(at(at(path, 'expect'), 'amount'), 'must be a number', '必须是数字');
    if (
      expect.missingFacts !== undefined &&
      !(Array.isArray(expect.missingFacts) && expect.missingFacts.every((fact) => declared.has(fact as string)))
    ) {
      issues.add(
        at(at(path, 'expect'), 'missingFacts'),
        'must list declared facts',
        '必须列出已在数据清单中声明的数据项',
      );
    }
  });
}
