/**
 * When a date derived from a fact changes an amount (issue 18): the law pays a band "from the
 * month after the birthday" (次月起) or "from the year after" (次年起), so a month's or a year's
 * amount is what holds on the period's boundary, never what holds on the day it happens to be
 * judged. The day whose age decides the band, and which timings keep a period's amount whole.
 */
import type { DateTime } from 'luxon';
import type { AgeBandFrom, GrantPeriod } from './types.js';

/**
 * The day on which the age counts for the band of a decision judged on `day`:
 * - `birthday`: the day itself;
 * - `month-after-birthday` (次月起): the last day of the month before, so the band moves the month after;
 * - `month-of-birthday` (当月起): the month's last day, so the band moves for the whole birthday month;
 * - `year-after-birthday` (次年起): 31 December of the year before;
 * - `year-of-birthday` (当年起): 31 December of the year.
 */
export function bandCountedOn(bandFrom: AgeBandFrom | undefined, day: DateTime): DateTime {
  switch (bandFrom ?? 'birthday') {
    case 'birthday':
      return day;
    case 'month-after-birthday':
      return day.startOf('month').minus({ days: 1 });
    case 'month-of-birthday':
      return day.endOf('month').startOf('day');
    case 'year-after-birthday':
      return day.startOf('year').minus({ days: 1 });
    case 'year-of-birthday':
      return day.endOf('year').startOf('day');
  }
}

/** The granularity a timing counts in: a day, a month or a year. */
const GRAIN: Record<AgeBandFrom, 'day' | 'month' | 'year'> = {
  birthday: 'day',
  'month-after-birthday': 'month',
  'month-of-birthday': 'month',
  'year-after-birthday': 'year',
  'year-of-birthday': 'year',
};

/**
 * Whether an age band counted this way gives a grant period one amount whichever of its days is
 * judged: any timing for a one-off grant, a month or year timing for a monthly one, a year timing
 * for a yearly one.
 */
export function bandFromFitsPeriod(bandFrom: AgeBandFrom | undefined, period: GrantPeriod): boolean {
  const grain = GRAIN[bandFrom ?? 'birthday'];
  return period === 'once' || grain === 'year' || (period === 'month' && grain === 'month');
}

/** The timings that fit a period (for the validator's message). */
export function bandFromsFitting(period: GrantPeriod): AgeBandFrom[] {
  return (Object.keys(GRAIN) as AgeBandFrom[]).filter((bandFrom) => bandFromFitsPeriod(bandFrom, period));
}
