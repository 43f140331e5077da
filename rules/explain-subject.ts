/**
 * The Explanation of one subject's decision (issue 4, explanations): every condition with the
 * fact's label and actual value (masked when sensitive), the smallest flips (flip.ts), when the
 * outcome next changes by itself (horizon.ts), and a one-paragraph summary in Chinese and English.
 * Pure: the API reads the facts, the CLI takes them from a file, both build the same object.
 *
 * A real subject's explanation (`withholdSensitive`, S2) withholds every sensitive fact whole: its
 * leaves keep only their condition's name and the fact's label (no operator, comparison value,
 * fact value or result — a pair like `disabilityGrade equal 2 → true` gives the value away), it is
 * left out of the missing facts, and a policy that reads one gets no flips and no next change (both
 * would move with the sensitive value: a flip on another fact works for one grade and not another).
 * What remains is a function of the non-sensitive facts and the decision's outcome and amount, so
 * two sensitive values that decide alike answer byte for byte the same (test/unit/rules/explain-withheld.test.ts).
 */
import { findFact, type Text } from '../domain/sources.js';
import { isInForce } from './catalog.js';
import { compilePolicy, type FlatFacts } from './compiled.js';
import { isIsoDate } from './dates.js';
import { findFlips, type Flip } from './flip.js';
import { nextOutcomeChange, type OutcomeChange } from './horizon.js';
import { actualText, summarize } from './explain-summary.js';
import { groupExplanation, type ExplainedGroup } from './explain-groups.js';
import type { ConditionResult, Outcome, Policy } from './types.js';
import { amountBasis } from './explain-amount.js';

/** A leaf as an explanation shows it: the fact's catalog label and, unless sensitive, its value in words. */
export interface ShownCondition extends ConditionResult {
  factLabel?: Text;
  /** The actual value as a person reads it ("79 岁" for an age condition), absent for sensitive facts. */
  actual?: Text;
}

/** A leaf on a sensitive fact in a real subject's explanation: which condition and fact, nothing of the value or its test. */
export interface WithheldCondition {
  name?: string;
  label?: Text;
  fact: string;
  factLabel?: Text;
  withheld: true;
}

export type ExplainedCondition = ShownCondition | WithheldCondition;

/** Whether a leaf is shown (its test, value and result), or withheld because its fact is sensitive. */
export const isShown = (leaf: ExplainedCondition): leaf is ShownCondition => !('withheld' in leaf);

/** The explanation contract of the API, the CLI and the console (see /tmp/helper-brief.md, Explain API). */
export interface Explanation {
  policyId: string;
  version: number;
  title: Text;
  asOf: string;
  /** The pseudonymous subject key when the facts are a real subject's; never the raw ID. */
  subjectKey?: string;
  /** Whether the version is in force on the as-of date (a draft may not be yet). */
  inForce: boolean;
  decision: {
    outcome: Outcome;
    amount?: number;
    /** What an eligible amount rests on: the age band and when it moves, or who computed it (explain-amount.ts). */
    amountBasis?: Text;
    period: string;
    missingFacts: string[];
    /** Missing facts a known branch made moot (explain-relevance.ts): supplying them would change nothing. */
    mootFacts?: string[];
    /** The leaves that decided, as `groups` shows them (the rest are collapsed there with a count). */
    conditions: ExplainedCondition[];
  };
  /** The decision grouped by named condition: each group's label, verdict and deciding conditions once (explain-groups.ts). */
  groups: ExplainedGroup;
  flips: Flip[];
  nextChange: OutcomeChange | null;
  /**
   * A real subject's explanation: the sensitive facts the policy reads, withheld whole; and whether
   * the flips and the next change were withheld with them (they would move with those values).
   */
  withheld?: { facts: string[]; flips: boolean; nextChange: boolean };
  summary: Text;
}

/** The sensitive facts a policy reads (domain/sources.ts), in its manifest's order. */
export function sensitiveFactsOf(policy: Policy): string[] {
  return Object.keys(policy.facts).filter((fact) => findFact(fact)?.field.sensitivity === 'sensitive');
}

/**
 * Explains a validated policy's decision on flat facts as of a date. Throws what the compiled
 * evaluator throws (INVALID_AS_OF, PARAMETER_NOT_IN_FORCE, AMOUNT_UNRESOLVED).
 */
export function explainPolicy(
  policy: Policy,
  facts: FlatFacts,
  asOf: string,
  options: { subjectKey?: string; withholdSensitive?: boolean } = {},
): Explanation {
  const decision = compilePolicy(policy, asOf).explain(facts);
  const sensitive = options.withholdSensitive ? sensitiveFactsOf(policy) : [];
  const hidden = new Set(sensitive);
  // Grouped by named condition (explain-groups.ts): the leaves listed are those the groups show.
  const grouped = groupExplanation(policy, decision.conditions, facts, asOf, hidden);
  const conditions: ExplainedCondition[] = grouped.shown.map((index) => {
    const leaf = decision.conditions[index];
    const factLabel = findFact(leaf.fact)?.field.label;
    // A fact table's row tells its key facts' ranges: a sensitive key withholds the leaf too.
    const rowKeys = leaf.tableRow ? Object.keys(leaf.tableRow.when) : [];
    if (hidden.has(leaf.fact) || rowKeys.some((key) => hidden.has(key)))
      return {
        ...(leaf.name === undefined ? {} : { name: leaf.name }),
        ...(leaf.label === undefined ? {} : { label: leaf.label }),
        fact: leaf.fact,
        ...(factLabel ? { factLabel } : {}),
        withheld: true,
      };
    const actual = actualText(leaf, facts[leaf.fact], asOf);
    return { ...leaf, ...(factLabel ? { factLabel } : {}), ...(actual ? { actual } : {}) };
  });
  // Flips and the next change move with the sensitive values: withheld whole when the policy reads one.
  const withholdMoves = sensitive.length > 0;
  const flips = withholdMoves ? [] : findFlips(policy, facts, asOf);
  const nextChange = withholdMoves ? null : nextOutcomeChange(policy, facts, asOf);
  const changedOnNext =
    nextChange && isInForce(policy, nextChange.date) ? changedLabels(policy, facts, asOf, nextChange.date) : [];
  const basis = decision.outcome === 'eligible' ? amountBasis(policy, facts, asOf) : undefined;
  // The groups show only deciding leaves; the facts that did not matter are said all the same.
  const moot = [...new Set(decision.conditions.filter((l) => l.notNeeded && !hidden.has(l.fact)).map((l) => l.fact))];
  const explained = {
    policyId: policy.id,
    version: policy.version,
    title: policy.title,
    asOf,
    ...(options.subjectKey ? { subjectKey: options.subjectKey } : {}),
    inForce: isInForce(policy, asOf),
    decision: {
      outcome: decision.outcome,
      ...(decision.amount === undefined ? {} : { amount: decision.amount }),
      ...(basis ? { amountBasis: basis } : {}),
      period: decision.period,
      missingFacts: decision.missingFacts.filter((fact) => !hidden.has(fact)),
      ...(moot.length > 0 ? { mootFacts: moot } : {}),
      conditions,
    },
    groups: grouped.root,
    flips,
    nextChange,
    ...(options.withholdSensitive
      ? { withheld: { facts: sensitive, flips: withholdMoves, nextChange: withholdMoves } }
      : {}),
  };
  return { ...explained, summary: summarize(explained, changedOnNext) };
}

/** The as-of date to explain on when none is given: today, moved into the version's effective range (a draft for next year on its first day). */
/**
 * Why a version cannot be explained as of `asOf`: the date is outside its effective range (it
 * decides nothing then; its amounts have no value, so an answer would read "eligible · 0 CNY").
 * Undefined when the version is in force on the date.
 */
export function outsideEffective(policy: Policy, asOf: string): Text | undefined {
  const { from, to } = policy.effective;
  if (asOf >= from && (to === undefined || asOf <= to)) return undefined;
  const range = to === undefined ? `from ${from}` : `from ${from} to ${to}`;
  const rangeZh = to === undefined ? `${from} 起` : `${from} 至 ${to}`;
  return {
    en: `${policy.id} v${policy.version} is in force ${range}: it decides nothing on ${asOf}`,
    zh: `${policy.id} 第 ${policy.version} 版的施行期为 ${rangeZh}，${asOf} 不在其内，不作判定`,
  };
}

export function defaultAsOf(policy: Policy, today: string): string {
  const { from, to } = policy.effective;
  return today < from ? from : to !== undefined && today > to ? to : today;
}

/** The labels of the conditions whose result differs between two days, the facts unchanged. */
function changedLabels(policy: Policy, facts: FlatFacts, from: string, to: string): Text[] {
  const before = compilePolicy(policy, from, { precompute: false }).explain(facts).conditions;
  const after = compilePolicy(policy, to, { precompute: false }).explain(facts).conditions;
  const labels = new Map<string, Text>();
  after.forEach((leaf, i) => {
    if (leaf.result !== before[i]?.result)
      labels.set(
        leaf.name ?? leaf.fact,
        leaf.label ?? findFact(leaf.fact)?.field.label ?? { zh: leaf.fact, en: leaf.fact },
      );
  });
  return [...labels.values()];
}

/** One problem with hypothetical facts: the field (`facts.<name>`) and why, in both languages. */
export interface FactIssue {
  field: string;
  message: string;
  messageZh: string;
}

/**
 * Checks hypothetical facts for a policy: an object of facts the policy reads, each of its
 * catalog type (null stands for missing). Returns every issue; empty when the facts are usable.
 */
export function checkFacts(policy: Policy, facts: unknown): FactIssue[] {
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) {
    return [
      {
        field: 'facts',
        message: 'facts must be an object of flat facts, e.g. {"person.birthDate": "1946-05-17"}',
        messageZh: '事实须为对象，例如 {"person.birthDate": "1946-05-17"}',
      },
    ];
  }
  const issues: FactIssue[] = [];
  for (const [name, value] of Object.entries(facts)) {
    const field = `facts.${name}`;
    const known = findFact(name)?.field;
    if (!known) {
      issues.push({
        field,
        message: `${name} is not in the data-source catalog`,
        messageZh: `${name} 不在数据共享目录中`,
      });
    } else if (!Object.hasOwn(policy.facts, name)) {
      issues.push({
        field,
        message: `${policy.id} v${policy.version} does not read ${name}`,
        messageZh: `${policy.id} 第 ${policy.version} 版不读取 ${name}`,
      });
    } else if (value !== null && !ofType(known.type, value, known.values)) {
      const expected = known.values
        ? `one of ${known.values.join(', ')}`
        : known.type === 'date'
          ? 'a YYYY-MM-DD date'
          : `a ${known.type}`;
      issues.push({
        field,
        message: `${name} must be ${expected}`,
        messageZh: `${name} 须为${known.values ? `以下之一：${known.values.join('、')}` : TYPE_ZH[known.type]}`,
      });
    }
  }
  return issues;
}

const TYPE_ZH = {
  date: 'YYYY-MM-DD 格式的日期',
  number: '数字',
  boolean: '布尔值（true/false）',
  string: '字符串',
} as const;

function ofType(type: keyof typeof TYPE_ZH, value: unknown, values?: readonly string[]): boolean {
  switch (type) {
    case 'date':
      return isIsoDate(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && (!values || values.includes(value));
  }
}
