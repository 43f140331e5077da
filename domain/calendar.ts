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

/** The city date of an instant (Asia/Shanghai keeps no summer time: every city day is 24 hours). */
export const cityDateOf = (at: Date): string => cityToday(at);

/** The instant a city date begins (00:00 Asia/Shanghai). */
export const cityDayStart = (date: string): Date => new Date(`${date}T00:00:00+08:00`);

/**
 * Public holidays (法定节假日) on which no one works although it is a weekday. The State Council
 * publishes each year's list in December: add its dates here (YYYY-MM-DD). Empty until then, so
 * only weekends are days off.
 */
export const PUBLIC_HOLIDAYS: ReadonlySet<string> = new Set<string>([]);

/** Weekend days worked in exchange for a holiday bridge (调休上班日), from the same yearly list. */
export const MAKE_UP_WORKING_DAYS: ReadonlySet<string> = new Set<string>([]);

/** Whether a city date is a working day: Monday to Friday, unless a public holiday; a make-up day is one. */
export function isWorkingDay(date: string): boolean {
  if (MAKE_UP_WORKING_DAYS.has(date)) return true;
  if (PUBLIC_HOLIDAYS.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * When `workingDays` working days have passed since `from`: time counts only on working days (city
 * time), so a request made on Friday at 18:00 is due on Monday at 18:00, and one made on Saturday
 * is due at the end of Monday.
 */
export function workingDaysAfter(from: Date, workingDays: number): Date {
  let remaining = workingDays * DAY_MS;
  let cursor = from.getTime();
  // Bounded: at most a year of days off in a row.
  for (let step = 0; step < 366 + workingDays * 7; step += 1) {
    const dayEnd = cityDayStart(addDays(cityDateOf(new Date(cursor)), 1)).getTime();
    if (isWorkingDay(cityDateOf(new Date(cursor)))) {
      if (dayEnd - cursor >= remaining) return new Date(cursor + remaining);
      remaining -= dayEnd - cursor;
    }
    cursor = dayEnd;
  }
  throw new Error(`no ${workingDays} working days within a year after ${from.toISOString()}`);
}
