/**
 * What staff see of a person in a case (S3): the identifier's last four characters only, and no
 * birth date unless their role may read it (domain/permissions.ts `case.read-birth-date`; the
 * subject themself may). The hidden part of a resident ID is its region and birth date, and a case
 * shows the district, so a birth date beside **************123X leaves about one candidate:
 * `person.birthDate` values in decisions and corrections are masked, and for cases whose event
 * date is a birth date (a birth, an age milestone) the event date and the decision's as-of date are
 * left out. A supervisor who needs either unmasks the case or explains it, with a logged reason.
 * Pure: applied to what services/cases builds, before it is answered.
 */
import type { CaseTimeline, TimelineEntry } from './timeline.js';

/** The fact whose value is a birth date. */
export const BIRTH_DATE_FACT = 'person.birthDate';

/** Event types whose date is the subject's birth date, or a birthday that gives it (age.milestone). */
export const BIRTH_DATED_EVENTS: ReadonlySet<string> = new Set(['birth.registered', 'age.milestone']);

/** A case's event date, unless it is a birth date. */
export const shownEventDate = (type: string, eventDate: string | undefined): string | undefined =>
  BIRTH_DATED_EVENTS.has(type) ? undefined : eventDate;

type Condition = { fact?: string; factValue?: unknown };

/** A decision's or correction's detail with birth-date values masked, and the as-of date left out where it is one. */
function entryForStaff(entry: TimelineEntry, birthDated: boolean): TimelineEntry {
  const detail = entry.detail;
  if (!detail) return entry;
  if (entry.kind === 'event.received' && birthDated) {
    const { eventDate: _eventDate, ...rest } = detail;
    return {
      ...entry,
      summary: {
        zh: `收到生活事件 ${String(detail.type)}（日期涉及出生日期，不显示）`,
        en: `life event ${String(detail.type)} received (its date is a birth date, not shown)`,
      },
      detail: rest,
    };
  }
  if (entry.kind === 'decision') {
    const conditions = (detail.conditions as Condition[] | undefined)?.map((leaf) =>
      leaf.fact === BIRTH_DATE_FACT && leaf.factValue !== undefined && leaf.factValue !== null
        ? { ...leaf, factValue: '***' }
        : leaf,
    );
    const supplied = (detail.suppliedFacts as Array<{ fact: string; shownValue?: unknown }> | undefined)?.map((s) =>
      s.fact === BIRTH_DATE_FACT && s.shownValue !== undefined ? { ...s, shownValue: '***' } : s,
    );
    const { asOf, ...rest } = detail;
    return {
      ...entry,
      detail: {
        ...rest,
        ...(birthDated ? {} : { asOf }),
        ...(conditions ? { conditions } : {}),
        ...(supplied ? { suppliedFacts: supplied } : {}),
      },
    };
  }
  if (detail.fact === BIRTH_DATE_FACT && detail.oldValue !== undefined)
    return { ...entry, detail: { ...detail, oldValue: '***' } };
  return entry;
}

/** The timeline as staff without `case.read-birth-date` see it: no birth date anywhere. */
export function timelineForStaff(timeline: CaseTimeline): CaseTimeline {
  const birthDated = BIRTH_DATED_EVENTS.has(timeline.eventType);
  const { eventDate, ...rest } = timeline;
  return {
    ...rest,
    ...(birthDated ? {} : { eventDate }),
    entries: timeline.entries.map((entry) => entryForStaff(entry, birthDated)),
  };
}
