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

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: DateTime, to: DateTime): number {
  return Math.round(to.diff(from, 'days').days);
}

/**
 * Whole months from `from` to `to`: the largest n with from + n months ≤ to, where adding
 * months clamps to the month's end (one month after 31 January is 28/29 February).
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
