/**
 * `applyfree policy explain`: why hypothetical facts are eligible or not under a policy file,
 * condition by condition, what would flip it and when it changes by itself — offline, no server
 * needed (`<file.json> --facts <facts.json>`). A real resident's decision is explained from their
 * case, with a logged reason: `applyfree case explain` (cli/case.ts), which prints with
 * formatExplanation too. Human output by default, the Explanation with --json.
 */
import type { ExplainedGroup } from '../rules/explain-groups.js';
import { cityToday } from '../domain/calendar.js';
import { isIsoDate } from '../rules/dates.js';
import { PolicyValidationError } from '../rules/errors.js';
import {
  checkFacts,
  defaultAsOf,
  explainPolicy,
  outsideEffective,
  type Explanation,
} from '../rules/explain-subject.js';
import { flipText, outcomeText } from '../rules/explain-summary.js';
import { validatePolicy } from '../rules/validate.js';

/** What cli.ts lends the command: its file reader, and its two kinds of failure. */
export interface ExplainCliContext {
  readJson: (file: string | undefined) => Promise<unknown>;
  /** A usage mistake (exit 2). */
  usage: (message: string) => Error;
  /** A refusal or failure (exit 1). */
  refused: (message: string) => Error;
}

interface Output {
  print(human: string[] | string, data: unknown): void;
}

const MARK = { true: '✓', false: '✗', unknown: '?' } as const;

/** The explanation as lines an officer reads: outcome, the conditions grouped by named condition (what decided each), the flips, the next change, the summary. */
export function formatExplanation(explanation: Explanation): string[] {
  const { decision } = explanation;
  const outcome = outcomeText(decision.outcome);
  const head = `${explanation.policyId} v${explanation.version} · ${explanation.title.zh} · as of ${explanation.asOf}${explanation.subjectKey ? ` · subject ${explanation.subjectKey}` : ''}`;
  const amount = decision.amount === undefined ? '' : ` · ${decision.amount} CNY`;
  const lines = [
    head,
    `${MARK[decision.outcome === 'eligible' ? 'true' : decision.outcome === 'ineligible' ? 'false' : 'unknown']} ${outcome.zh} · ${outcome.en}${amount}`,
  ];
  if (!explanation.inForce) lines.push('  (this version is not in force on that date · 该版本在此日期未生效)');
  lines.push(...formatGroup(explanation.groups, '  '));
  if (explanation.withheld?.flips)
    lines.push('flip · 改变: withheld, the policy reads sensitive data · 涉及敏感数据，不予显示');
  else if (explanation.flips.length === 0)
    lines.push('flip · 改变: none within three facts · 三项以内的事实改变均不能改变结果');
  for (const flip of explanation.flips) {
    const words = flipText(flip);
    const changes = flip.changes
      .map(
        (change) =>
          `${change.fact} ${change.from === null ? '(missing)' : JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`,
      )
      .join(', ');
    lines.push(`flip · 改变: ${changes} ⇒ ${flip.outcome}`, `      ${words.zh} · ${words.en}`);
  }
  const next = explanation.nextChange;
  lines.push(
    explanation.withheld?.nextChange
      ? 'next change · 下次变化: withheld, the policy reads sensitive data · 涉及敏感数据，不予显示'
      : next
        ? `next change · 下次变化: ${next.date} → ${next.outcome} (${outcomeText(next.outcome).zh})`
        : 'next change · 下次变化: none by itself · 事实不变则结果不变',
  );
  lines.push('', explanation.summary.zh, explanation.summary.en);
  return lines;
}

const markOf = (met: boolean | 'unknown' | 'withheld') =>
  met === 'withheld' ? '▪' : MARK[String(met) as keyof typeof MARK];

/**
 * A group of the grouped explanation (rules/explain-groups.ts) as lines: its verdict and label once,
 * each fact's value once, the conditions that decided it, and how many others are not listed.
 */
export function formatGroup(group: ExplainedGroup, indent: string): string[] {
  const negation = group.negated ? ' (must not hold · 须不成立)' : '';
  const more = group.collapsed > 0 ? ` (+${group.collapsed} not deciding · 另 ${group.collapsed} 项未列出)` : '';
  const lines = [`${indent}${markOf(group.met)} ${group.label.zh} · ${group.label.en}${negation}${more}`];
  const inner = `${indent}    `;
  for (const [fact, shown] of Object.entries(group.facts)) {
    const label = shown.label ? ` (${shown.label.zh} · ${shown.label.en})` : '';
    const actual = shown.actual ?? { zh: '', en: '' };
    const value = shown.withheld
      ? 'sensitive, withheld · 敏感数据不显示'
      : actual.zh === actual.en
        ? actual.zh
        : `${actual.zh} · ${actual.en}`;
    lines.push(`${inner}${fact} = ${value}${label}`);
  }
  for (const leaf of group.leaves) {
    if ('withheld' in leaf) continue;
    const negated = leaf.negated ? ' (must not hold · 须不成立)' : '';
    lines.push(
      `${inner}${markOf(leaf.met)} ${leaf.fact} ${leaf.operator} ${JSON.stringify(leaf.value)}${negated}${leaf.pledged ? ' (pledged · 承诺)' : ''}`,
    );
  }
  for (const child of group.groups) lines.push(...formatGroup(child, inner));
  return lines;
}

function takeFlag(args: string[], name: string, ctx: ExplainCliContext): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw ctx.usage(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

/** Runs `policy explain <file.json> --facts <facts.json>`; returns the exit code (0 explained, whatever the outcome). */
export async function runExplainCommand(argv: string[], out: Output, ctx: ExplainCliContext): Promise<number> {
  const args = [...argv];
  if (args.includes('--subject'))
    throw ctx.usage(
      'a resident’s decision is explained from their case, with a reason that is logged: applyfree case explain <case-id> <policy> --reason TEXT',
    );
  const factsFile = takeFlag(args, '--facts', ctx);
  const asOf = takeFlag(args, '--as-of', ctx);
  const [target, ...extra] = args;
  if (!target || extra.length > 0) throw ctx.usage('explain <file.json> --facts <facts.json> [--as-of D]');
  if (asOf !== undefined && !isIsoDate(asOf)) throw ctx.usage(`--as-of must be a YYYY-MM-DD date, got ${asOf}`);
  if (factsFile === undefined) throw ctx.usage('explain needs --facts: hypothetical facts for a policy file, offline');

  let policy;
  try {
    policy = validatePolicy(await ctx.readJson(target));
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    throw ctx.refused(
      `${target} is not a valid policy (${error.issues.length} issue(s), first ${error.issues[0]?.path}: ${error.issues[0]?.message}); run applyfree policy validate ${target}`,
    );
  }
  const facts = await ctx.readJson(factsFile);
  const issues = checkFacts(policy, facts);
  if (issues.length > 0)
    throw ctx.refused(
      `${factsFile}: ${issues.map((issue) => `[${issue.field}] ${issue.message} · ${issue.messageZh}`).join('; ')}`,
    );
  const date = asOf ?? defaultAsOf(policy, cityToday());
  const outside = outsideEffective(policy, date);
  if (outside) throw ctx.usage(`--as-of ${date}: ${outside.en} · ${outside.zh}`);
  const explanation = explainPolicy(policy, facts as Record<string, unknown>, date);
  out.print(formatExplanation(explanation), explanation);
  return 0;
}
