/** The city's calendar: dates are days in Asia/Shanghai, written YYYY-MM-DD. */
import { DateTime } from 'luxon';

export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** Today's date in the city. */
export function cityToday(now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: CITY_TIME_ZONE }).toISODate()!;
}

const DAY_MS = 86_400_000;

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
