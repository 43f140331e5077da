/**
 * Checks of a cash amount rule against the rest of the policy (issue 18): an age band in a monthly
 * or yearly policy must move on a period boundary (`bandFrom`), so a period's amount never depends
 * on the day inside it that it is judged; an amount read from a fact (`fromFact`) names its unit,
 * and the catalog must not say the fact is in another one.
 */
import { findFact } from '../domain/sources.js';
import { bandFromFitsPeriod, bandFromsFitting } from './amount-timing.js';
import { AGE_BAND_FROM, MONEY_UNITS, type AgeBandFrom, type GrantPeriod } from './types.js';
import { Issues, factZh, isRecord } from './validate-support.js';

const PERIOD_ZH: Record<GrantPeriod, string> = { once: '一次性', month: '按月', year: '按年' };
const UNIT_ZH: Record<string, string> = { yuan: '元', fen: '分' };

/** Validates the amount rule's timing and unit against the policy's period and the catalog (paths under benefit.amount). */
export function checkAmountAgainstPolicy(issues: Issues, benefit: unknown, period: unknown): void {
  if (!isRecord(benefit) || benefit.kind !== 'cash' || !isRecord(benefit.amount)) return;
  const rule = benefit.amount;
  if (rule.type === 'ageBand' && (period === 'month' || period === 'year')) checkBandTiming(issues, rule, period);
  if (rule.type === 'fromFact') checkFromFact(issues, rule);
}

/**
 * A band counted on the day judged pays a monthly or yearly period two amounts, depending on the
 * day; an explicit timing finer than the period does too. An absent `bandFrom` (the day judged)
 * is still accepted, for the versions published before timings existed; the cross-check warns of it.
 */
function checkBandTiming(issues: Issues, rule: Record<string, unknown>, period: 'month' | 'year'): void {
  const bandFrom = rule.bandFrom;
  if (bandFrom === undefined || !AGE_BAND_FROM.includes(bandFrom as AgeBandFrom)) return;
  if (bandFromFitsPeriod(bandFrom as AgeBandFrom, period)) return;
  const fitting = bandFromsFitting(period);
  issues.add(
    'benefit.amount.bandFrom',
    `"${String(bandFrom)}" moves the band inside a ${period}, so a ${period === 'month' ? 'monthly' : 'yearly'} grant's amount would depend on the day it is judged: use one of ${fitting.join(', ')}`,
    `"${String(bandFrom)}" 会在一个发放期内改变档次，${PERIOD_ZH[period]}发放的金额将取决于判定的具体日期：请改用 ${fitting.join('、')}`,
  );
}

/** `unit` is yuan or fen, and agrees with the unit the catalog gives the fact (元 or 分) when it gives one. */
function checkFromFact(issues: Issues, rule: Record<string, unknown>): void {
  if (!MONEY_UNITS.includes(rule.unit as 'yuan')) {
    issues.add(
      'benefit.amount.unit',
      `must be one of: ${MONEY_UNITS.join(', ')} (the unit the source states the amount in)`,
      `必须是以下之一：${MONEY_UNITS.join('、')}（来源系统给出金额所用的单位：元或分）`,
    );
    return;
  }
  const fact = typeof rule.fact === 'string' ? rule.fact : undefined;
  const unit = fact === undefined ? undefined : findFact(fact)?.field.unit;
  if (fact === undefined || unit === undefined) return;
  const catalogUnit = unit.zh.startsWith('元') ? 'yuan' : unit.zh.startsWith('分') ? 'fen' : undefined;
  if (catalogUnit === undefined)
    issues.add(
      'benefit.amount.fact',
      `fact "${fact}" is counted in ${unit.en}, not money`,
      `数据项 ${factZh(fact)}的单位是${unit.zh}，不是金额`,
    );
  else if (catalogUnit !== rule.unit)
    issues.add(
      'benefit.amount.unit',
      `fact "${fact}" is stated in ${catalogUnit} in the data-source catalog, not ${String(rule.unit)}`,
      `数据共享目录中 ${factZh(fact)}以${UNIT_ZH[catalogUnit]}为单位，而不是${UNIT_ZH[rule.unit as string]}`,
    );
}
