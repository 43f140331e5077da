/**
 * The words of an explanation: a condition's actual value as a person reads it ("79 岁", "10")
 * and the one-paragraph summary in Chinese and English — why, what would flip it, and when it
 * changes by itself. Sensitive values never appear: they are '***' before they get here.
 */
import { findFact, type Text } from '../domain/sources.js';
import type { DateTime } from 'luxon';
import { ageMonthsOn, ageOn, daysBetween, monthDayIn, monthsBetween, parseAsOf, toCalendarDate } from './dates.js';
import type { Flip } from './flip.js';
import type { OutcomeChange } from './horizon.js';
import type { ConditionResult, Outcome, TableRowUsed } from './types.js';

const OUTCOME: Record<Outcome, Text> = {
  eligible: { zh: '符合条件', en: 'eligible' },
  ineligible: { zh: '不符合条件', en: 'not eligible' },
  undetermined: { zh: '无法判定', en: 'undetermined' },
};

/** An outcome in words. */
export function outcomeText(outcome: Outcome): Text {
  return OUTCOME[outcome];
}

/** A fact value in words: booleans as 是/否 and yes/no, lists joined, missing as 缺失/missing. */
export function valueText(value: unknown): Text {
  if (value === undefined || value === null) return { zh: '缺失', en: 'missing' };
  if (typeof value === 'boolean') return value ? { zh: '是', en: 'yes' } : { zh: '否', en: 'no' };
  if (Array.isArray(value)) return { zh: value.map(String).join('、'), en: value.map(String).join(', ') };
  return { zh: String(value), en: String(value) };
}

const AGE = new Set(['ageAtLeast', 'ageBelow', 'ageReachedBeforeMonth', 'ageBelowDuringYear']);
const AGE_MONTHS = new Set(['ageMonthsAtLeast', 'ageMonthsBelow']);
const AGE_ON = new Set(['ageOnAtLeast', 'ageOnBelow']);

/** An age in completed months as a person says it: "60 岁 2 个月" / "60 years 2 months". */
export function monthsAgeText(months: number): Text {
  const years = Math.floor(months / 12);
  const rest = months % 12;
  return {
    zh: `${years} 岁${rest === 0 ? '' : ` ${rest} 个月`}`,
    en: `${years} years${rest === 0 ? '' : ` ${rest} month${rest === 1 ? '' : 's'}`}`,
  };
}

/** The age-operators' actual value: in months, or on the month-day of the as-of year the value names. */
function ageActual(leaf: ConditionResult, date: DateTime, today: DateTime): Text | undefined {
  if (AGE_MONTHS.has(leaf.operator)) {
    const age = monthsAgeText(ageMonthsOn(date, today));
    return { zh: `${age.zh}（出生于 ${String(leaf.factValue)}）`, en: `${age.en} (born ${String(leaf.factValue)})` };
  }
  const on = monthDayIn(today.year, (leaf.value as { on?: unknown } | null)?.on);
  if (AGE_ON.has(leaf.operator) && on) {
    const day = on.toISODate() as string;
    const age = ageOn(date, on);
    return {
      zh: `${day} 时 ${age} 岁（出生于 ${String(leaf.factValue)}）`,
      en: `aged ${age} on ${day} (born ${String(leaf.factValue)})`,
    };
  }
  return undefined;
}

/** The row of a fact table a leaf used, in words: "参数表 x 第 3 行（person.gender = male，…）：721". */
export function tableRowText(row: TableRowUsed): Text {
  const match = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(String).join('|');
    if (typeof value === 'object' && value !== null) {
      const { from, to } = value as { from?: unknown; to?: unknown };
      return `${from === undefined ? '…' : String(from)}~${to === undefined ? '…' : String(to)}`;
    }
    return String(value);
  };
  const when = Object.entries(row.when).map(([fact, value]) => {
    const label = findFact(fact)?.field.label ?? { zh: fact, en: fact };
    return { zh: `${label.zh} ${match(value)}`, en: `${label.en} ${match(value)}` };
  });
  return {
    zh: `参数表 ${row.parameter} 第 ${row.row} 行（${when.map((w) => w.zh).join('，') || '任何情形'}）：${row.value}`,
    en: `table ${row.parameter} row ${row.row} (${when.map((w) => w.en).join(', ') || 'any case'}): ${row.value}`,
  };
}

/** The actual value behind a leaf: an age, days or months for date operators, else the value; undefined when sensitive. */
export function actualText(leaf: ConditionResult, raw: unknown, asOf: string): Text | undefined {
  if (leaf.factValue === '***') return undefined;
  const date = leaf.factValue === undefined ? undefined : toCalendarDate(raw);
  const today = parseAsOf(asOf);
  if (date && today && date <= today) {
    const age = ageActual(leaf, date, today);
    if (age) return age;
    if (AGE.has(leaf.operator)) {
      const age = ageOn(date, today);
      return {
        zh: `${age} 岁（出生于 ${String(leaf.factValue)}）`,
        en: `aged ${age} (born ${String(leaf.factValue)})`,
      };
    }
    if (leaf.operator.startsWith('daysSince')) {
      const days = daysBetween(date, today);
      return { zh: `${days} 天（自 ${String(leaf.factValue)}）`, en: `${days} days (since ${String(leaf.factValue)})` };
    }
    if (leaf.operator.startsWith('monthsSince')) {
      const months = monthsBetween(date, today);
      return {
        zh: `${months} 个月（自 ${String(leaf.factValue)}）`,
        en: `${months} months (since ${String(leaf.factValue)})`,
      };
    }
  }
  return valueText(leaf.factValue);
}

const labelOf = (leaf: ConditionResult): Text =>
  leaf.label ?? findFact(leaf.fact)?.field.label ?? { zh: leaf.fact, en: leaf.fact };

/** A flip in words: "若出生日期为 1945-12-31，则符合条件" / "if date of birth were 1945-12-31: eligible". */
export function flipText(flip: Flip): Text {
  const parts = flip.changes.map((change) => {
    const label = change.factLabel ?? { zh: change.fact, en: change.fact };
    if (change.to === '***')
      return { zh: `${label.zh}改变（敏感信息不显示）`, en: `${label.en} changed (sensitive, not shown)` };
    const to = valueText(change.to);
    return change.from === null
      ? { zh: `补充${label.zh}为 ${to.zh}`, en: `${label.en} were supplied as ${to.en}` }
      : { zh: `${label.zh}为 ${to.zh}`, en: `${label.en} were ${to.en}` };
  });
  const outcome = outcomeText(flip.outcome);
  return {
    zh: `若${parts.map((p) => p.zh).join('且')}，则${outcome.zh}`,
    en: `if ${parts.map((p) => p.en).join(' and ')}: ${outcome.en}`,
  };
}

type Shown = ConditionResult & { factLabel?: Text; actual?: Text };

interface Summarized {
  inForce: boolean;
  decision: {
    outcome: Outcome;
    amount?: number;
    amountBasis?: Text;
    missingFacts: string[];
    /** Missing facts that did not matter: a known branch settled their group. */
    mootFacts?: string[];
    /** Leaves on sensitive facts may be withheld whole (no result): they are never named as failing. */
    conditions: Array<Shown | { fact: string; withheld: true }>;
  };
  flips: Flip[];
  nextChange: OutcomeChange | null;
}

/** The missing facts that did not matter (a known branch settled their group), in words; undefined when there is none. */
function mootText(facts: readonly string[]): Text | undefined {
  const labels = facts.map((fact) => findFact(fact)?.field.label ?? { zh: fact, en: fact });
  if (labels.length === 0) return undefined;
  return {
    zh: `缺少${labels.map((label) => label.zh).join('、')}，但已知条件已能判定，不影响结论。`,
    en: `${labels.map((label) => label.en).join(', ')} missing, but the known facts settle it: ${labels.length > 1 ? 'they do' : 'it does'} not matter.`,
  };
}

/** Failing leaves under one label (a group's, or the fact's), each label said once with its distinct actual values. */
function failingByLabel(failing: readonly Shown[]): Array<{ label: Text; actual: Text[] }> {
  const groups = new Map<string, { label: Text; actual: Text[] }>();
  for (const leaf of failing) {
    const label = labelOf(leaf);
    const entry = groups.get(label.en + label.zh) ?? { label, actual: [] };
    const actual = leaf.actual ?? { zh: '***', en: '***' };
    if (!entry.actual.some((a) => a.en === actual.en)) entry.actual.push(actual);
    groups.set(label.en + label.zh, entry);
  }
  return [...groups.values()];
}

/** The summary paragraph: the outcome and why, the smallest flip, and the next change by itself (with the conditions that change then). */
export function summarize(explained: Summarized, changedOnNext: readonly Text[]): Text {
  const { decision, flips, nextChange } = explained;
  const zh: string[] = [];
  const en: string[] = [];
  if (decision.outcome === 'eligible') {
    const { amount } = decision;
    zh.push(`符合条件${amount === undefined ? '' : `，金额 ${amount} 元`}。`);
    en.push(`Eligible${amount === undefined ? '' : `, amount ${amount} CNY`}.`);
    if (decision.amountBasis) {
      zh.push(decision.amountBasis.zh);
      en.push(decision.amountBasis.en);
    }
  } else if (decision.outcome === 'ineligible') {
    const failing = decision.conditions.filter((leaf): leaf is Shown => !('withheld' in leaf) && leaf.result === false);
    if (failing.length === 0) {
      zh.push('不符合。');
      en.push('Not eligible.');
    } else {
      const byLabel = failingByLabel(failing);
      zh.push(
        `不符合：${byLabel.map(({ label, actual }) => `${label.zh}（实际 ${actual.map((a) => a.zh).join('，')}）`).join('；')}。`,
      );
      en.push(
        `Not eligible: ${byLabel.map(({ label, actual }) => `${label.en} (actual: ${actual.map((a) => a.en).join(', ')})`).join('; ')}.`,
      );
    }
  } else {
    const missing = decision.missingFacts.map((fact) => findFact(fact)?.field.label ?? { zh: fact, en: fact });
    zh.push(missing.length ? `无法判定：缺少${missing.map((label) => label.zh).join('、')}。` : '无法判定：数据缺失。');
    en.push(
      missing.length
        ? `Undetermined: ${missing.map((label) => label.en).join(', ')} missing.`
        : 'Undetermined: data missing.',
    );
  }
  const moot = mootText(decision.mootFacts ?? []);
  if (moot) {
    zh.push(moot.zh);
    en.push(moot.en);
  }
  const rows = decision.conditions.flatMap((leaf) => ('tableRow' in leaf && leaf.tableRow ? [leaf.tableRow] : []));
  for (const row of rows) {
    const text = tableRowText(row);
    zh.push(`适用${text.zh}。`);
    en.push(`Using ${text.en}.`);
  }
  if (decision.conditions.some((leaf) => 'withheld' in leaf)) {
    zh.push('涉及敏感数据的条件不予显示。');
    en.push('Conditions on sensitive data are not shown.');
  }
  if (!explained.inForce) {
    zh.push('注意：该版本在此日期未生效。');
    en.push('Note: this version is not in force on that date.');
  }
  if (flips.length > 0) {
    const flip = flipText(flips[0]);
    zh.push(`${flip.zh}。`);
    en.push(`${flip.en.charAt(0).toUpperCase()}${flip.en.slice(1)}.`);
  }
  if (nextChange) {
    const outcome = outcomeText(nextChange.outcome);
    const why =
      changedOnNext.length > 0
        ? changedOnNext
        : [{ zh: '政策生效期或参数变化', en: 'the policy’s effective dates or parameters' }];
    zh.push(`将于 ${nextChange.date} 起${outcome.zh}（${why.map((label) => label.zh).join('；')}）。`);
    en.push(`From ${nextChange.date}: ${outcome.en} (${why.map((label) => label.en).join('; ')}).`);
  }
  return { zh: zh.join(''), en: en.join(' ') };
}
