/**
 * Which effective ranges of one policy's versions can be published side by side. Several drafts of
 * a policy may be open at once (this year's and next year's), numbered in the order they were
 * started, not by date; the set in force on a day is the highest version whose range holds it
 * (rules/catalog.ts policiesInForce). So a higher version that starts later ends a lower one the day
 * before it starts, and a correction published over a version from the same day replaces it: the
 * lifecycle handles both. What it does not handle is refused here, naming `effective`: a higher
 * version that would swallow the start of an already published lower one (next year's version,
 * drafted first, would never be in force), and a lower version that starts on or after a published
 * higher one that covers its start (it would never be in force where that one is).
 */
import type { Text } from '../domain/sources.js';

export interface EffectiveRange {
  from: string;
  to?: string;
}

/** A version of the policy with its effective range. */
export interface RangedVersion {
  version: number;
  effective: EffectiveRange;
}

/** Why a version cannot be published beside another, in both languages, naming the other version. */
export interface RangeConflict {
  other: number;
  message: Text;
}

/** Whether two ranges share a day (both ends inclusive; no `to` runs on). */
export function rangesOverlap(a: EffectiveRange, b: EffectiveRange): boolean {
  return a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');
}

const rangeText = (range: EffectiveRange): Text =>
  range.to === undefined
    ? { zh: `${range.from} 起`, en: `from ${range.from}` }
    : { zh: `${range.from} 至 ${range.to}`, en: `from ${range.from} to ${range.to}` };

/** The day before an ISO date, for "end it on …" advice. */
function dayBefore(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

/**
 * The first published version `candidate` cannot be published beside (see the module comment), or
 * undefined when the lifecycle's precedence gives every day of the overlaps to one version as meant.
 */
export function publishConflict(
  policyId: string,
  candidate: RangedVersion,
  published: readonly RangedVersion[],
): RangeConflict | undefined {
  const mine = rangeText(candidate.effective);
  for (const other of [...published].sort((a, b) => a.version - b.version)) {
    if (other.version === candidate.version || !rangesOverlap(candidate.effective, other.effective)) continue;
    const theirs = rangeText(other.effective);
    const endBy = dayBefore(other.effective.from);
    if (other.version < candidate.version && candidate.effective.from < other.effective.from)
      return {
        other: other.version,
        message: {
          en: `${policyId} v${candidate.version} (in force ${mine.en}) starts before the published v${other.version} (${theirs.en}) and, as the later version, would replace it from its first day: end v${candidate.version} on ${endBy} (effective.to) or start it on or after ${other.effective.from}`,
          zh: `${policyId} 第 ${candidate.version} 版（${mine.zh}）早于已发布的第 ${other.version} 版（${theirs.zh}）生效，作为较新版本将自其第一天起取而代之：请将第 ${candidate.version} 版的 effective.to 设为 ${endBy}，或改为 ${other.effective.from} 及以后生效`,
        },
      };
    if (other.version > candidate.version && other.effective.from <= candidate.effective.from)
      return {
        other: other.version,
        message: {
          en: `${policyId} v${candidate.version} (in force ${mine.en}) would never be in force where the published v${other.version} (${theirs.en}) is: the later version takes precedence; end v${candidate.version} before ${other.effective.from} or start it after v${other.version} ends`,
          zh: `${policyId} 第 ${candidate.version} 版（${mine.zh}）在已发布的第 ${other.version} 版（${theirs.zh}）施行期内不会生效（较新版本优先）：请在 ${other.effective.from} 之前结束第 ${candidate.version} 版，或在第 ${other.version} 版结束后开始`,
        },
      };
  }
  return undefined;
}
