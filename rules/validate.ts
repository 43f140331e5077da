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
import { checkNamedConditions, checkRootCondition, type ConditionContext } from './validate-conditions.js';
import { checkAmountRule, checkParameters } from './validate-parameters.js';
import { Issues, at, checkKnownKeys, checkText, isNonEmptyString, isPositiveInteger, isRecord } from './validate-support.js';

const POLICY_FIELDS = [
  'id', 'version', 'effective', 'title', 'summary', 'department', 'reference', 'subject', 'triggers', 'mode', 'period',
  'facts', 'parameters', 'conditions', 'namedConditions', 'benefit', 'offer', 'pledge', 'tests',
];
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const withArticle = (kind: string): string => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
const oneOf = (value: unknown, options: readonly string[]): value is string => typeof value === 'string' && options.includes(value);

/** Validates a policy document; throws PolicyValidationError (code POLICY_INVALID) listing every issue. */
export function validatePolicy(input: unknown): Policy {
  const issues = new Issues();
  if (!isRecord(input)) {
    issues.add('', 'must be a JSON object');
    throw new PolicyValidationError(issues.list);
  }
  checkKnownKeys(issues, '', input, POLICY_FIELDS);
  if (!(typeof input.id === 'string' && KEBAB.test(input.id))) issues.add('id', 'must be kebab-case, e.g. "childcare-subsidy"');
  if (!isPositiveInteger(input.version)) issues.add('version', 'must be a positive whole number');
  const effective = checkEffective(issues, input.effective);
  checkText(issues, 'title', input.title);
  if (input.summary !== undefined) checkText(issues, 'summary', input.summary);
  checkText(issues, 'department', input.department);
  if (!isNonEmptyString(input.reference)) issues.add('reference', 'must cite the legal basis: document name, number and article');
  const subject = oneOf(input.subject, ['person', 'enterprise']) ? input.subject : undefined;
  if (!subject) issues.add('subject', 'must be "person" or "enterprise"');
  checkTriggers(issues, input.triggers, subject);
  if (!oneOf(input.mode, ['auto', 'offer', 'pledge'])) issues.add('mode', 'must be "auto", "offer" or "pledge"');
  if (!oneOf(input.period, ['once', 'year', 'month'])) issues.add('period', 'must be "once", "year" or "month"');

  const declared = checkFactsManifest(issues, input.facts, subject);
  const shapes = checkParameters(issues, input.parameters, effective);
  const named = isRecord(input.namedConditions) ? input.namedConditions : {};
  if (!isRecord(input.namedConditions)) issues.add('namedConditions', 'must be an object of named conditions');
  const ctx: ConditionContext = { issues, declared, named, shapes, usedFacts: new Set(), usedNamed: new Set() };
  checkRootCondition(ctx, input.conditions);
  checkNamedConditions(ctx);
  const amountFacts = checkBenefit(issues, input.benefit, shapes, input.parameters, declared);
  checkDelivery(issues, input, declared, ctx.usedFacts);
  const used = new Set([...ctx.usedFacts, ...amountFacts]);
  for (const fact of declared) {
    if (!used.has(fact)) issues.add(at('facts', fact), 'is declared but read by no condition or amount rule: a policy declares only the data it needs');
  }
  checkTests(issues, input.tests, declared, effective);

  if (issues.list.length > 0) throw new PolicyValidationError(issues.list);
  return structuredClone(input) as unknown as Policy;
}

function checkEffective(issues: Issues, value: unknown): { from?: string; to?: string } {
  if (!isRecord(value)) {
    issues.add('effective', 'must be { "from": "YYYY-MM-DD" } with an optional "to"');
    return {};
  }
  checkKnownKeys(issues, 'effective', value, ['from', 'to']);
  const from = isIsoDate(value.from) ? value.from : undefined;
  if (!from) issues.add('effective.from', 'must be a YYYY-MM-DD date');
  if (value.to === undefined) return { from };
  if (!isIsoDate(value.to) || (from !== undefined && value.to < from)) {
    issues.add('effective.to', `must be a YYYY-MM-DD date on or after effective.from`);
    return { from };
  }
  return { from, to: value.to };
}

function checkTriggers(issues: Issues, value: unknown, subject: string | undefined): void {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add('triggers', 'must be a non-empty list of life-event types (domain/events.ts)');
    return;
  }
  value.forEach((trigger, i) => {
    const event = typeof trigger === 'string' ? findEventType(trigger) : undefined;
    if (!event) issues.add(at('triggers', i), `${JSON.stringify(trigger)} is not a life-event type in domain/events.ts`);
    else if (subject && event.subject !== subject) issues.add(at('triggers', i), `${trigger} concerns ${withArticle(event.subject)}, but this policy's subject is ${withArticle(subject)}`);
    if (value.indexOf(trigger) !== i) issues.add(at('triggers', i), `${JSON.stringify(trigger)} is listed twice`);
  });
}

/** Checks the facts manifest against the data-source catalog; returns the declared keys. */
function checkFactsManifest(issues: Issues, value: unknown, subject: string | undefined): Set<string> {
  const declared = new Set<string>();
  if (!isRecord(value) || Object.keys(value).length === 0) {
    issues.add('facts', 'must declare the facts the policy reads, each with its source and purpose');
    return declared;
  }
  for (const [key, entry] of Object.entries(value)) {
    const path = at('facts', key);
    declared.add(key);
    const known = findFact(key);
    if (!known) issues.add(path, `"${key}" is not in the data-source catalog (domain/sources.ts)`);
    else if (subject && known.source.subject !== subject) issues.add(path, `"${key}" describes ${withArticle(known.source.subject)}, but this policy's subject is ${withArticle(subject)}`);
    if (!isRecord(entry)) {
      issues.add(path, 'must be { "source": "<source id>", "purpose": "…" }');
      continue;
    }
    checkKnownKeys(issues, path, entry, ['source', 'purpose']);
    if (!isNonEmptyString(entry.source) || !findSource(entry.source)) issues.add(at(path, 'source'), `${JSON.stringify(entry.source)} is not a data source in domain/sources.ts`);
    else if (known && known.source.id !== entry.source) issues.add(at(path, 'source'), `"${key}" comes from "${known.source.id}", not "${entry.source}"`);
    if (!isNonEmptyString(entry.purpose)) issues.add(at(path, 'purpose'), 'must state why the policy needs this fact (shown in access records)');
  }
  return declared;
}

function checkBenefit(issues: Issues, value: unknown, shapes: ReturnType<typeof checkParameters>, parameters: unknown, declared: Set<string>): string[] {
  if (!isRecord(value) || !oneOf(value.kind, ['cash', 'service', 'card', 'enrollment'])) {
    issues.add('benefit.kind', 'must be "cash", "service", "card" or "enrollment"');
    return [];
  }
  checkText(issues, 'benefit.description', value.description);
  if (value.kind !== 'cash') {
    checkKnownKeys(issues, 'benefit', value, ['kind', 'description']);
    return [];
  }
  checkKnownKeys(issues, 'benefit', value, ['kind', 'currency', 'amount', 'description']);
  if (value.currency !== 'CNY') issues.add('benefit.currency', 'must be "CNY"');
  return checkAmountRule(issues, 'benefit.amount', value.amount, shapes, parameters, declared);
}

function checkDelivery(issues: Issues, input: Record<string, unknown>, declared: Set<string>, conditionFacts: Set<string>): void {
  const { mode, offer, pledge } = input;
  if (mode !== 'offer' && offer !== undefined) issues.add('offer', 'is only used with mode "offer"');
  if (mode !== 'pledge' && pledge !== undefined) issues.add('pledge', 'is only used with mode "pledge"');
  if (mode === 'offer') {
    if (!isRecord(offer)) issues.add('offer', 'mode "offer" requires { "expiresAfterDays", "reminderDaysBeforeExpiry" }');
    else {
      checkKnownKeys(issues, 'offer', offer, ['expiresAfterDays', 'reminderDaysBeforeExpiry']);
      const days = offer.expiresAfterDays;
      if (!isPositiveInteger(days)) issues.add('offer.expiresAfterDays', 'must be a positive whole number of days');
      const reminders = offer.reminderDaysBeforeExpiry;
      if (!Array.isArray(reminders)) issues.add('offer.reminderDaysBeforeExpiry', 'must be a list of whole days before expiry');
      else reminders.forEach((day, i) => {
        if (!isPositiveInteger(day) || (isPositiveInteger(days) && day >= days)) issues.add(at('offer.reminderDaysBeforeExpiry', i), `must be a whole number of days between 1 and ${isPositiveInteger(days) ? days - 1 : 'expiresAfterDays - 1'}`);
      });
    }
  }
  if (mode === 'pledge') {
    if (!isRecord(pledge)) issues.add('pledge', 'mode "pledge" requires { "statement", "pledgedFacts", "inspectAfterDays" }');
    else {
      checkKnownKeys(issues, 'pledge', pledge, ['statement', 'pledgedFacts', 'inspectAfterDays']);
      checkText(issues, 'pledge.statement', pledge.statement);
      if (!isPositiveInteger(pledge.inspectAfterDays)) issues.add('pledge.inspectAfterDays', 'must be a positive whole number of days');
      const facts = pledge.pledgedFacts;
      if (!Array.isArray(facts) || facts.length === 0) issues.add('pledge.pledgedFacts', 'must list the facts the applicant pledges');
      else facts.forEach((fact, i) => {
        if (typeof fact !== 'string' || !declared.has(fact)) issues.add(at('pledge.pledgedFacts', i), `${JSON.stringify(fact)} is not declared in facts`);
        else if (!conditionFacts.has(fact)) issues.add(at('pledge.pledgedFacts', i), `"${fact}" is read by no condition, so there is nothing to inspect`);
      });
    }
  }
}

function checkTests(issues: Issues, value: unknown, declared: Set<string>, effective: { from?: string; to?: string }): void {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add('tests', 'must hold at least one test case an analyst can read');
    return;
  }
  const names = new Set<string>();
  value.forEach((test, i) => {
    const path = at('tests', i);
    if (!isRecord(test)) return issues.add(path, 'must be { "name", "asOf", "facts", "expect" }');
    checkKnownKeys(issues, path, test, ['name', 'asOf', 'facts', 'expect']);
    if (!isNonEmptyString(test.name)) issues.add(at(path, 'name'), 'must be a full sentence saying who gets what');
    else if (names.has(test.name)) issues.add(at(path, 'name'), `"${test.name}" is used by another test`);
    else names.add(test.name);
    if (!isIsoDate(test.asOf)) issues.add(at(path, 'asOf'), 'must be a YYYY-MM-DD date');
    else if ((effective.from !== undefined && test.asOf < effective.from) || (effective.to !== undefined && test.asOf > effective.to)) {
      issues.add(at(path, 'asOf'), `${test.asOf} is outside the policy's effective range, so the case tests nothing real`);
    }
    if (!isRecord(test.facts)) issues.add(at(path, 'facts'), 'must be an object of fact values');
    else for (const key of Object.keys(test.facts)) if (!declared.has(key)) issues.add(at(at(path, 'facts'), key), `fact "${key}" is not declared in facts`);
    const expect = test.expect;
    if (!isRecord(expect)) return issues.add(at(path, 'expect'), 'must be { "outcome", "amount"?, "missingFacts"? }');
    checkKnownKeys(issues, at(path, 'expect'), expect, ['outcome', 'amount', 'missingFacts']);
    if (!oneOf(expect.outcome, ['eligible', 'ineligible', 'undetermined'])) issues.add(at(at(path, 'expect'), 'outcome'), 'must be "eligible", "ineligible" or "undetermined"');
    if (expect.amount !== undefined && !(typeof expect.amount === 'number' && Number.isFinite(expect.amount))) issues.add(at(at(path, 'expect'), 'amount'), 'must be a number');
    if (expect.missingFacts !== undefined && !(Array.isArray(expect.missingFacts) && expect.missingFacts.every((fact) => declared.has(fact as string)))) {
      issues.add(at(at(path, 'expect'), 'missingFacts'), 'must list declared facts');
    }
  });
}
