/** The city's calendar: dates are days in Asia/Shanghai, written YYYY-MM-DD. */
import { DateTime } from 'luxon';

export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** Today's date in the city. */
export function cityToday(now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: CITY_TIME_ZONE }).toISODate()!;
}
