/**
 * The demo registry feed's plan: the life events the seeded city had over the year up
 * to the seed's reference date (births, 6th and 60th birthdays, turning 80, 90 or 100,
 * disability certificates, unemployment registrations, the enterprises' annual policy
 * screening), in date order, each with its registry's source event ID. A share of them
 * is delivered again later (the same source event ID, as an at-least-once feed does) and
 * a share is also reported by a second registry (its own ID, the same event). Pure and
 * deterministic: the same population, seed and secret give the same deliveries.
 */
import { createHash, createHmac } from 'node:crypto';
import { addDays } from '../domain/calendar.js';
import { subjectKey } from '../domain/pseudonym.js';
import { REPORTERS, type Registry } from './registries.js';

/** What the feed needs to know of the seeded city, read from the registries' collections. */
export interface Population {
  /** The seed's reference date: the feed covers the year up to it. */
  asOf: string;
  persons: ReadonlyArray<{ idNumber: string; birthDate: string; alive: boolean; guardianIdNumber?: string }>;
  disabilities: ReadonlyArray<{ idNumber: string; grade: number; disabilityType: string; certifiedOn: string }>;
  unemployed: ReadonlyArray<{ idNumber: string; endedOn: string }>;
  enterprises: ReadonlyArray<{ creditCode: string; establishedOn: string }>;
}

/** A life event as a registry posts it to `POST /events`. */
export interface EventBody {
  sourceEventId: string;
  source: string;
  type: string;
  occurredOn: string;
  subject: { residentId: string } | { creditCode: string };
  payload: Record<string, unknown>;
}

export type DeliveryKind = 'first' | 'repeat' | 'second-registry';

export interface PlannedDelivery {
  kind: DeliveryKind;
  body: EventBody;
}

export interface FeedPlan {
  /** Fingerprint of the deliveries (their order and source event IDs): the feed's resume point is kept per plan. */
  id: string;
  /** The year the events fall in: after `from`, up to and including `to`. */
  from: string;
  to: string;
  /** Distinct real-world events (one case each). */
  events: number;
  deliveries: PlannedDelivery[];
}

export interface PlanOptions {
  /** Seed of the re-delivery choices (default 'dezhou'). */
  seed?: string;
  /** Subject-key secret: source event IDs are derived from pseudonyms, never from an identifier. */
  secret: string;
  /** Share of events delivered twice by the same registry (default 0.08, rounded up to whole events). */
  repeatShare?: number;
  /** Share of events also reported by a second registry (default 0.08, rounded up). */
  secondRegistryShare?: number;
}

/** Ages at which the Big Data Bureau's screening reports an age milestone. */
export const MILESTONE_AGES = [6, 60, 80, 90, 100] as const;

export { addDays };

/** The day a person born on `birthDate` turns `years` (29 February → 1 March in common years, as the rules count). */
export function birthday(birthDate: string, years: number): string {
  const [y, m, d] = birthDate.split('-').map(Number);
  // Date.UTC rolls 29 February of a common year over to 1 March.
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}

/** The first day of the month after `date`. */
function firstOfNextMonth(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** The date of the year's annual screening the feed replays: 31 March of the last year that has one by `asOf`. */
export function reviewDate(asOf: string): string {
  const year = Number(asOf.slice(0, 4));
  const thisYear = `${year}-03-31`;
  return thisYear <= asOf ? thisYear : `${year - 1}-03-31`;
}

/** A number in [0, 1) from a string, stable across runs and machines. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

interface PlannedEvent {
  type: string;
  occurredOn: string;
  kind: 'person' | 'enterprise';
  id: string;
  payload: Record<string, unknown>;
  /** Distinguishes two events of one type, subject and date (none in practice; part of the ID). */
  detail: string;
}

/** Everything that happened in the year after `from` up to `asOf`, in no particular order. */
function happenings(
  population: Population,
  from: string,
  asOf: string,
  secretUnit: (text: string) => number,
): PlannedEvent[] {
  const inYear = (date: string) => date > from && date <= asOf;
  const events: PlannedEvent[] = [];
  for (const person of population.persons) {
    if (inYear(person.birthDate)) {
      // Registered at the police station within three weeks of the birth.
      const registeredOn = minDate(
        asOf,
        addDays(person.birthDate, Math.floor(secretUnit(`birth:${person.idNumber}`) * 21)),
      );
      const guardianIds = person.guardianIdNumber ? { guardianIds: [person.guardianIdNumber] } : {};
      events.push({
        type: 'birth.registered',
        occurredOn: registeredOn,
        kind: 'person',
        id: person.idNumber,
        payload: { birthDate: person.birthDate, ...guardianIds },
        detail: '',
      });
    }
    if (!person.alive) continue;
    for (const age of MILESTONE_AGES) {
      const day = birthday(person.birthDate, age);
      // Allowances from 80 are paid from the month after the birthday: the screening reports then.
      const reported = age >= 80 ? firstOfNextMonth(day) : day;
      if (inYear(reported))
        events.push({
          type: 'age.milestone',
          occurredOn: reported,
          kind: 'person',
          id: person.idNumber,
          payload: { age },
          detail: String(age),
        });
    }
  }
  for (const d of population.disabilities) {
    if (inYear(d.certifiedOn)) {
      events.push({
        type: 'disability.certified',
        occurredOn: d.certifiedOn,
        kind: 'person',
        id: d.idNumber,
        payload: { grade: d.grade, disabilityType: d.disabilityType },
        detail: '',
      });
    }
  }
  for (const u of population.unemployed) {
    const registeredOn = minDate(
      asOf,
      addDays(u.endedOn, 1 + Math.floor(secretUnit(`unemployment:${u.idNumber}`) * 14)),
    );
    if (inYear(registeredOn))
      events.push({
        type: 'unemployment.registered',
        occurredOn: registeredOn,
        kind: 'person',
        id: u.idNumber,
        payload: {},
        detail: '',
      });
  }
  const review = reviewDate(asOf);
  for (const e of population.enterprises) {
    if (e.establishedOn < review) {
      events.push({
        type: 'enterprise.annual-review',
        occurredOn: review,
        kind: 'enterprise',
        id: e.creditCode,
        payload: { year: Number(review.slice(0, 4)) - 1 },
        detail: '',
      });
    }
  }
  return events;
}

/** Plans the feed for a population; see the file comment. */
export function planFeed(population: Population, options: PlanOptions): FeedPlan {
  const seed = options.seed ?? 'dezhou';
  const repeatShare = options.repeatShare ?? 0.08;
  const secondShare = options.secondRegistryShare ?? 0.08;
  const { asOf } = population;
  const from = birthday(asOf, -1);
  const keyOf = (kind: 'person' | 'enterprise', id: string) => subjectKey(kind, id, options.secret);
  // Day offsets are keyed with the secret: a plain hash of an identifier could be reversed.
  const secretUnit = (text: string) =>
    createHmac('sha256', options.secret).update(`${seed}:${text}`).digest().readUInt32BE(0) / 2 ** 32;

  const sourceEventId = (registry: Registry, event: PlannedEvent, subject: string) => {
    const digest = createHash('sha256')
      .update(`${seed}|${registry.source}|${event.type}|${subject}|${event.occurredOn}|${event.detail}`)
      .digest('hex');
    return `${registry.prefix}-${event.occurredOn.replaceAll('-', '')}-${digest.slice(0, 12)}`;
  };
  const bodyOf = (registry: Registry, event: PlannedEvent, subject: string): EventBody => ({
    sourceEventId: sourceEventId(registry, event, subject),
    source: registry.source,
    type: event.type,
    occurredOn: event.occurredOn,
    subject: event.kind === 'person' ? { residentId: event.id } : { creditCode: event.id },
    payload: event.payload,
  });

  const firsts = happenings(population, from, asOf, secretUnit).map((event) => {
    const subject = keyOf(event.kind, event.id);
    return { event, subject, body: bodyOf(REPORTERS[event.type].first, event, subject) };
  });
  firsts.sort((a, b) =>
    a.event.occurredOn === b.event.occurredOn
      ? a.body.sourceEventId < b.body.sourceEventId
        ? -1
        : 1
      : a.event.occurredOn < b.event.occurredOn
        ? -1
        : 1,
  );

  // Exactly the given shares (rounded up), chosen by a hash of the source event ID, so even
  // a small city shows both kinds of duplicate.
  const chosen = (salt: string, share: number) =>
    new Set(
      firsts
        .map(({ body }) => ({ id: body.sourceEventId, rank: unit(`${seed}:${salt}:${body.sourceEventId}`) }))
        .sort((a, b) => a.rank - b.rank)
        .slice(0, Math.ceil(share * firsts.length))
        .map((c) => c.id),
    );
  const repeated = chosen('repeat', repeatShare);
  const reportedTwice = chosen('second', secondShare);

  // Each delivery gets a position; re-deliveries and second reports follow their event a
  // little later, beyond the deliveries the feed has in flight at once.
  const placed: Array<{ at: number; delivery: PlannedDelivery }> = [];
  firsts.forEach(({ event, subject, body }, index) => {
    placed.push({ at: index, delivery: { kind: 'first', body } });
    const id = body.sourceEventId;
    if (repeated.has(id)) {
      placed.push({
        at: index + 12 + Math.floor(unit(`${seed}:repeat-delay:${id}`) * 40) + 0.5,
        delivery: { kind: 'repeat', body },
      });
    }
    if (reportedTwice.has(id)) {
      const second = bodyOf(REPORTERS[event.type].second, event, subject);
      placed.push({
        at: index + 10 + Math.floor(unit(`${seed}:second-delay:${id}`) * 30) + 0.25,
        delivery: { kind: 'second-registry', body: second },
      });
    }
  });
  placed.sort((a, b) => a.at - b.at);
  const deliveries = placed.map((p) => p.delivery);
  const fingerprint = createHash('sha256');
  for (const d of deliveries) fingerprint.update(`${d.body.sourceEventId}\n`);
  return { id: fingerprint.digest('hex').slice(0, 16), from, to: asOf, events: firsts.length, deliveries };
}
