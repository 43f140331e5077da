/**
 * Departments that publish life events (registries and other data-providing departments): what
 * a department is registered for, and the rules every publication obeys, whoever carries it — the
 * API after a signed request, or the demo feed in-process. A department may claim only its own
 * `source` values, publish only the event types it is registered for, and date an event no
 * earlier than its back-dating window allows. Pure: store/departments.ts keeps the register.
 */
import { addDays } from './calendar.js';
import { EVENT_TYPES } from './events.js';
import { Refusal } from './refusal.js';
import type { Text } from './sources.js';

/** A department ID: kebab-case, e.g. `public-security-household` (never a `/`: it is part of a key's HKDF context). */
export const DEPARTMENT_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const DEPARTMENT_ID_MAX = 64;
/** An event `source` value, as domain/event-payloads.ts accepts it. */
export const SOURCE_PATTERN = /^[a-z0-9-]{1,64}$/;
/** The longest back-dating window a department may be registered for (about ten years). */
export const MAX_BACKDATING_DAYS = 3660;

/** What a department is registered for: the register's entry without its credentials. */
export interface DepartmentSpec {
  id: string;
  name: Text;
  /** The event `source` values it may claim (each belongs to one department). */
  sources: readonly string[];
  /** The event types (domain/events.ts) it may publish. */
  eventTypes: readonly string[];
  /** How many days before today (city date) an event it publishes may be dated. */
  backdatingDays: number;
}

/** The department a publication is made under: who is publishing, and what it may publish. */
export interface Publisher {
  department: string;
  sources: readonly string[];
  eventTypes: readonly string[];
  backdatingDays: number;
}

/** The publisher a registered department acts as. */
export const publisherOf = (spec: DepartmentSpec): Publisher => ({
  department: spec.id,
  sources: [...spec.sources],
  eventTypes: [...spec.eventTypes],
  backdatingDays: spec.backdatingDays,
});

/** A publication its department may not make: 403 for a source or type, 400 for a date before the window. */
export class PublicationRefusal extends Refusal {
  declare readonly code: 'SOURCE_NOT_ALLOWED' | 'EVENT_TYPE_NOT_ALLOWED' | 'BACKDATED';
}

/**
 * Refuses an event its publisher may not publish (before anything is written): a `source` it may
 * not claim, a type it is not registered for, or an `occurredOn` before today minus its window.
 */
export function checkPublication(
  publisher: Publisher,
  event: { source: string; type: string; occurredOn: string },
  today: string,
): void {
  const { department } = publisher;
  if (!publisher.sources.includes(event.source))
    throw new PublicationRefusal(
      'SOURCE_NOT_ALLOWED',
      `department ${department} may not publish as source "${event.source}": it is registered for ${list(publisher.sources)}`,
      `部门 ${department} 不得以来源“${event.source}”上报：其登记的来源为 ${list(publisher.sources)}`,
      'source',
    );
  if (!publisher.eventTypes.includes(event.type))
    throw new PublicationRefusal(
      'EVENT_TYPE_NOT_ALLOWED',
      `department ${department} is not registered to publish ${event.type} events`,
      `部门 ${department} 未登记上报 ${event.type} 事件`,
      'type',
    );
  const earliest = addDays(today, -publisher.backdatingDays);
  if (event.occurredOn < earliest)
    throw new PublicationRefusal(
      'BACKDATED',
      `occurredOn: must be ${earliest} or later: department ${department} may date events at most ${publisher.backdatingDays} days back`,
      `事件日期不得早于 ${earliest}：部门 ${department} 最多可补报 ${publisher.backdatingDays} 天前的事件`,
      'occurredOn',
    );
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : '(none)');

/** A department's registration that cannot be used, naming the field (`id`, `sources`, `eventTypes`…). */
export class DepartmentSpecError extends Error {
  constructor(
    readonly field: keyof DepartmentSpec | 'name.zh' | 'name.en',
    message: string,
  ) {
    super(message);
    this.name = 'DepartmentSpecError';
  }
}

/** Checks a registration (ID, names, sources, event types from the catalog, window); throws DepartmentSpecError. */
export function validateDepartmentSpec(spec: DepartmentSpec): DepartmentSpec {
  if (!DEPARTMENT_ID_PATTERN.test(spec.id) || spec.id.length > DEPARTMENT_ID_MAX)
    throw new DepartmentSpecError(
      'id',
      `expected a kebab-case department ID (a-z, 0-9 and single hyphens, at most ${DEPARTMENT_ID_MAX}), got "${spec.id}"`,
    );
  for (const language of ['zh', 'en'] as const)
    if (!spec.name[language]?.trim() || spec.name[language].length > 200)
      throw new DepartmentSpecError(`name.${language}`, 'expected a name of 1 to 200 characters');
  if (spec.sources.length === 0) throw new DepartmentSpecError('sources', 'expected at least one source');
  for (const source of spec.sources)
    if (!SOURCE_PATTERN.test(source))
      throw new DepartmentSpecError('sources', `"${source}" is not an event source (a-z, 0-9 and -, at most 64)`);
  if (spec.eventTypes.length === 0) throw new DepartmentSpecError('eventTypes', 'expected at least one event type');
  for (const type of spec.eventTypes)
    if (!EVENT_TYPES.some((known) => known.type === type))
      throw new DepartmentSpecError(
        'eventTypes',
        `"${type}" is not a life event type (one of ${EVENT_TYPES.map((known) => known.type).join(', ')})`,
      );
  if (!Number.isInteger(spec.backdatingDays) || spec.backdatingDays < 0 || spec.backdatingDays > MAX_BACKDATING_DAYS)
    throw new DepartmentSpecError('backdatingDays', `expected a whole number of days 0-${MAX_BACKDATING_DAYS}`);
  return {
    id: spec.id,
    name: { zh: spec.name.zh.trim(), en: spec.name.en.trim() },
    sources: [...new Set(spec.sources)],
    eventTypes: [...new Set(spec.eventTypes)],
    backdatingDays: spec.backdatingDays,
  };
}
