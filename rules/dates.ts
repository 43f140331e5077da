/**
 * Calendar arithmetic for eligibility, in the city's zone (Asia/Shanghai). Every date is
 * reduced to its Shanghai calendar day and then computed as a UTC midnight: China kept
 * daylight saving time 1986–1991, and day counts must not meet a 23- or 25-hour day.
 */
import { DateTime } from 'luxon';

/** The zone in which a timestamp becomes a calendar date. */
export const CITY_ZONE = 'Asia/Shanghai';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a valid `YYYY-MM-DD` calendar date string (e.g. rejects 2025-02-29). */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/**
 * The Shanghai calendar day of a fact value: a `YYYY-MM-DD` string as is, an ISO timestamp
 * or a Date converted to Shanghai first. Undefined when the value is not a date.
 */
export function toCalendarDate(value: unknown): DateTime | undefined {
  if (typeof value === 'string') {
    if (ISO_DATE.test(value)) {
      const date = DateTime.fromISO(value, { zone: 'utc' });
      return date.isValid ? date : undefined;
    }
    return fromInstant(DateTime.fromISO(value, { zone: CITY_ZONE }));
  }
  if (value instanceof Date) return fromInstant(DateTime.fromJSDate(value, { zone: CITY_ZONE }));
  return undefined;
}

function fromInstant(instant: DateTime): DateTime | undefined {
  if (!instant.isValid) return undefined;
  const local = instant.setZone(CITY_ZONE);
  return DateTime.utc(local.year, local.month, local.day);
}

/**
 * Age in whole years (周岁) on a day. The count goes up on the birthday; a person born on
 * 29 February reaches each new year of age on 1 March in common years (never early).
 */
export function ageOn(birth: DateTime, on: DateTime): number {
  const beforeBirthday = on.month < birth.month || (on.month === birth.month && on.day < birth.day);
  return on.year - birth.year - (beforeBirthday ? 1 : 0);
}

/**
 * Age in completed months on a day, by the same rule as `ageOn` (never early): the count goes up on
 * the birth day's number in each month, or on the 1st of the next month when the month is too short
 * for it (born on the 31st: 1 May, then 31 May). So `ageMonthsOn ≥ 12 × N` exactly when `ageOn ≥ N`.
 */
export function ageMonthsOn(birth: DateTime, on: DateTime): number {
  const months = (on.year - birth.year) * 12 + (on.month - birth.month);
  const reached = birth.day <= (on.daysInMonth ?? 31) && on.day >= birth.day;
  return reached ? months : months - 1;
}

const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/**
 * True for a month-day `MM-DD` that falls in every year (`02-29` does not: write `02-28` or
 * `03-01`), the form of a yearly date such as a school year's cut-off (`08-31`).
 */
export function isMonthDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = MONTH_DAY.exec(value);
  if (!match) return false;
  const month = Number(match[1]);
  const day = Number(match[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** The day a month-day `MM-DD` falls on in a year; undefined when `monthDay` is not one. */
export function monthDayIn(year: number, monthDay: unknown): DateTime | undefined {
  if (!isMonthDay(monthDay)) return undefined;
  return DateTime.utc(year, Number(monthDay.slice(0, 2)), Number(monthDay.slice(3, 5)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: DateTime, to: DateTime): number {
  return Math.round(to.diff(from, 'days').days);
}

/**
 * Whole months from `from` to `to` (a duration, 期间): the largest n with from + n months ≤ to,
 * where adding months clamps to the month's end (one month after 31 January is 28/29 February),
 * as 《民法典》第二百零二条 counts a period in months: it ends on the corresponding day of the last
 * month, or that month's last day when it has none. Ages use `ageMonthsOn` (never early) instead.
 */
export function monthsBetween(from: DateTime, to: DateTime): number {
  let months = (to.year - from.year) * 12 + (to.month - from.month);
  while (from.plus({ months }) > to) months -= 1;
  while (from.plus({ months: months + 1 }) <= to) months += 1;
  return months;
}

/** Parses an as-of date (`YYYY-MM-DD`), or undefined when it is not one. */
export function parseAsOf(asOf: string): DateTime | undefined {
  return isIsoDate(asOf) ? DateTime.fromISO(asOf, { zone: 'utc' }) : undefined;
}
