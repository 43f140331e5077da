/**
 * Supervision of cases (督查, issue 5): search by subject, policy, event type, status and
 * dates over Temporal visibility (custom search attributes) and the system of record together,
 * each case's timeline (case-timeline.ts), and the reveals, each with a stated, logged reason: a
 * masked identifier, a decision explained from the subject's data (explain.ts), and a search by
 * raw ID (subject-search.ts, also limited per minute). Who may is domain/permissions.ts; what each
 * role sees is decided here, from its conditions, for the API, the CLI and the console:
 * supervisors every case, citizens their own, inspectors the cases of pledges assigned to them,
 * officers and reviewers none; staff see the last four characters of an identifier and no birth
 * date (staff-view.ts).
 */
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { IdentityError, shownIdentifier, validateCreditCode, validateResidentId } from '../../domain/identity.js';
import { cityToday } from '../../domain/calendar.js';
import {
  explainCase,
  statedReason,
  type CaseExplainDeps,
  type CaseExplanation,
  type ExplainCaseBody,
} from './explain.js';
import { shownEventDate, timelineForStaff } from './staff-view.js';
import { countSubjectSearch, secondsToNextMinute, SUBJECT_SEARCHES_PER_MINUTE } from './subject-search.js';
import { subjectKey, subjectKeyKind, type SubjectKeyRing } from '../../domain/pseudonym.js';
import { registerBenefitModels } from '../../store/benefits.js';
import { registerCaseModels, type LifeEventRecord } from '../../store/cases.js';
import { recordCaseRead, registerCaseReadModel } from '../../store/case-reads.js';
import { registerDecisionModels, type DecisionRecord } from '../../store/decisions.js';
import { resolveSubject, resolveSubjectKey } from '../../store/subjects.js';
import { logReveal, logUnmask, registerUnmaskModel } from '../../store/unmask-log.js';
import { findUser, USER_ID_PATTERN, type User, type UserRecord } from '../../store/users.js';
import { allows, authorize, conditionOf, type Action } from '../../domain/permissions.js';
import { buildTimeline, temporalUiLink, type CaseTimeline, type MaskedSubject } from './timeline.js';
import { searchVisibility, type VisibleCase } from './visibility.js';
import { CaseStatus, type LifeEventCaseStatus } from '../../workflows/contracts/index.js';
import { Refusal } from '../../domain/refusal.js';
import { buildIndexes } from '../../store/indexes.js';

/** The key ring resolves a typed ID to the key its subject was registered under. */
export interface CaseServiceDeps extends SubjectKeyRing {
  store: Connection;
  temporal: Client;
  namespace: string;
  /** Only cases on this task queue are searched in Temporal (a deployment's own); absent, all. */
  taskQueue?: string;
  /** The Temporal Web UI, for links to each case and child workflow. */
  temporalUiUrl?: string;
  /** Explaining a case's decision (POST /cases/:caseId/explain); absent, explanations are refused. */
  explain?: CaseExplainDeps;
  /** Searches by raw resident ID or credit code one person may make a minute (default 20). */
  subjectSearchesPerMinute?: number;
  /** The clock: today in the city, and the minute raw-ID searches are counted in (default the system's). */
  now?: () => Date;
}

/** A refused case request: HTTP status, stable code, both languages, the field at fault. */
export class CaseRefusal extends Refusal {}

export interface CaseQuery {
  /** A resident ID, a credit code or a subject key; turned into the key, never kept. */
  subject?: string;
  /** Why a raw resident ID or credit code is searched (staff; at least 5 characters): logged like a reveal. */
  reason?: string;
  policy?: string;
  eventType?: string;
  /** AfCaseStatus: started, evaluating or decided. */
  status?: LifeEventCaseStatus;
  /** AfOutcome of the case: eligible (for any policy), undetermined, ineligible, none. */
  outcome?: string;
  /** YYYY-MM-DD (city dates): when the case was received. */
  from?: string;
  to?: string;
  /** Cases per answer, 1-200 (default 50). */
  limit?: number;
  /** Where a previous answer stopped (its `next`): the cases received before that one. */
  before?: string;
}

export type { MaskedSubject };

export interface CaseSummary {
  caseId: string;
  eventType: string;
  eventDate?: string;
  receivedAt?: string;
  subject: MaskedSubject;
  policies: Array<{ id: string; version: number; outcome: string; amount?: number }>;
  caseStatus: CaseStatus;
  outcome?: string;
  departments: string[];
  /** Temporal's execution status (RUNNING, COMPLETED…); absent when only the records know the case. */
  execution?: string;
  /** Where the case was found: Temporal visibility, the system of record, or both. */
  foundIn: Array<'temporal' | 'record'>;
  links: { timeline: string; temporalUi?: string };
}

export interface CaseSearchResult {
  cases: CaseSummary[];
  /** 'unavailable' when visibility did not answer: the records alone answered. */
  temporal: 'searched' | 'unavailable';
  /** More cases may match: pass it as `before` for the next ones. */
  next?: string;
}

/**
 * Bounds of a search (security review S15): records per page when a filter only the records'
 * decisions or Temporal can apply (status, outcome, policy) thins them, records read at most per
 * answer, an inspector's assignments, and decisions per case (one per policy its event triggers,
 * and re-decisions of objections).
 */
const FILTERED_PAGE = 200;
const SCAN_CAP = 2_000;
const ASSIGNED_CAP = 5_000;
const DECISIONS_PER_CASE = 50;

/** A position in the newest-first order: when a case was received, and its record's `_id` for ties. */
interface Position {
  receivedAt: Date;
  id: string;
}

const writeCursor = (record: LifeEventRecord): string =>
  Buffer.from(JSON.stringify([record.receivedAt.toISOString(), record._id])).toString('base64url');

/** The position a `before` cursor names; a malformed one is a 400 naming `before`. */
function readCursor(text: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const receivedAt = new Date(String(at));
    if (typeof id === 'string' && typeof at === 'string' && !Number.isNaN(receivedAt.getTime()))
      return { receivedAt, id };
  } catch {
    // Answered below.
  }
  throw new CaseRefusal(
    'BAD_REQUEST',
    'before: not a cursor this search gave',
    'before 不是本查询返回的游标',
    'before',
  );
}

/** The filter, narrowed to the records after `position` in the newest-first order. */
function afterPosition(filter: Record<string, unknown>, position: Position | undefined): Record<string, unknown> {
  if (!position) return filter;
  const older = {
    $or: [{ receivedAt: { $lt: position.receivedAt } }, { receivedAt: position.receivedAt, _id: { $lt: position.id } }],
  };
  return Object.keys(filter).length ? { $and: [filter, older] } : older;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a supervisor typed, validated: a subject key as given, or a resident ID or credit code; a malformed ID is a 400 naming `subject`. */
export function parseSubjectInput(
  input: string,
): { kind: 'person' | 'enterprise'; key: string } | { kind: 'person' | 'enterprise'; id: string } {
  const text = input.trim();
  const kind = subjectKeyKind(text);
  if (kind) return { key: text, kind };
  const upper = text.toUpperCase();
  // Digits (an X at the end at most) read as a resident ID, whatever their length: its error is the helpful one.
  // An 18-digit credit code (government and social bodies) fails as an ID on its structure, not on a
  // mistyped check digit — a typo in an ID must never land on some enterprise's cases.
  if (/^\d+X?$/.test(upper)) {
    try {
      return { id: validateResidentId(upper, { field: 'subject' }).id, kind: 'person' };
    } catch (error) {
      if (upper.length !== 18 || (error instanceof IdentityError && error.reason === 'checkDigit')) throw error;
      try {
        return { id: validateCreditCode(upper, { field: 'subject' }).code, kind: 'enterprise' };
      } catch {
        throw error;
      }
    }
  }
  return { id: validateCreditCode(upper, { field: 'subject' }).code, kind: 'enterprise' };
}

/** Turns what a supervisor typed into the subject key under `secret` alone (no key ring, no store). */
export function subjectOfInput(input: string, secret: string): { key: string; kind: 'person' | 'enterprise' } {
  const parsed = parseSubjectInput(input);
  return 'key' in parsed ? parsed : { key: subjectKey(parsed.kind, parsed.id, secret), kind: parsed.kind };
}

/**
 * Turns what a supervisor typed into the key its subject is registered under, trying the ring's
 * current key, then each previous one (store/subjects.ts); an unknown subject gets the current key.
 */
export async function resolveSubjectInput(
  store: Connection,
  ring: SubjectKeyRing,
  input: string,
): Promise<{ key: string; kind: 'person' | 'enterprise' }> {
  const parsed = parseSubjectInput(input);
  if ('key' in parsed) return parsed;
  return { key: await resolveSubjectKey(store, ring, parsed.kind, parsed.id), kind: parsed.kind };
}

/** The case service behind /cases, `applyfree case` and the console. */
export function createCaseService(deps: CaseServiceDeps) {
  const { LifeEvent } = registerCaseModels(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  const { Pledge } = registerBenefitModels(deps.store);
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () =>
    (indexes ??= Promise.all([
      buildIndexes(registerUnmaskModel(deps.store)),
      buildIndexes(registerCaseReadModel(deps.store)),
    ]).catch(() => undefined));

  /** The subject as `actor` sees it: the subject themself their ID as before; staff its last four characters (S3). */
  async function maskedSubject(actor: User, key: string): Promise<MaskedSubject> {
    const resolved = await resolveSubject(deps.store, key);
    const kind = resolved?.kind ?? subjectKeyKind(key) ?? 'person';
    const own = actor.role === 'citizen' && actor.subjectKey === key;
    const maskedId = resolved ? shownIdentifier(resolved, own ? 'subject' : 'staff') : undefined;
    return { kind, subjectKey: key, ...(maskedId ? { maskedId } : {}) };
  }

  /** Whether the person may see birth dates in this subject's cases (the table's case.read-birth-date). */
  const seesBirthDates = (actor: User, subjectKey: string): boolean =>
    allows(actor.role, 'case.read-birth-date') &&
    (conditionOf(actor.role, 'case.read-birth-date') !== 'own-subject' || actor.subjectKey === subjectKey);

  /** The Temporal Web UI, for those the table links it for (case.temporal-ui): it has no sign-in of its own. */
  const temporalUiFor = (actor: User) => (allows(actor.role, 'case.temporal-ui') ? deps.temporalUiUrl : undefined);

  /** The case's life-event record, or a 404 that does not say whether it exists for someone else. */
  async function caseRecord(caseId: string): Promise<LifeEventRecord> {
    const record = await LifeEvent.findOne({ caseId }).lean();
    if (!record) throw new CaseRefusal('CASE_NOT_FOUND', `no case ${caseId}`, `没有案件 ${caseId}`, 'caseId');
    return record;
  }

  /**
   * Refuses a case this person may not read (domain/permissions.ts `action` and its conditions):
   * another's (own-subject) or one without their inspection (assigned-inspector), each with the
   * same 404 as a case that does not exist (S21: no answer tells the two apart).
   */
  async function requireCaseAccess(
    actor: User,
    record: LifeEventRecord,
    action: Action = 'case.timeline',
  ): Promise<void> {
    authorize(actor, action, CaseRefusal);
    const condition = conditionOf(actor.role, action);
    const notFound = () =>
      new CaseRefusal('CASE_NOT_FOUND', `no case ${record.caseId}`, `没有案件 ${record.caseId}`, 'caseId');
    if (condition === 'own-subject' && record.subjectKey !== actor.subjectKey) throw notFound();
    // By user ID: an inspector who shares a display name with another sees only their own assignments.
    if (condition === 'assigned-inspector' && !(await Pledge.exists({ caseId: record.caseId, inspectorId: actor.id })))
      throw notFound();
  }

  const now = deps.now ?? (() => new Date());
  const refuse = (code: Refusal['code'], message: string, messageZh: string, field?: string) =>
    new CaseRefusal(code, message, messageZh, field);
  const today = () => cityToday(now());
  const perMinute = deps.subjectSearchesPerMinute ?? SUBJECT_SEARCHES_PER_MINUTE;

  /** A search by raw ID: a reason, within the limit a minute, logged before anything is searched. */
  async function revealSearch(actor: User, subjectKey: string, reason: unknown): Promise<void> {
    const stated = statedReason(reason, refuse, {
      en: 'cases are searched by a resident ID or credit code',
      zh: '按身份证号或统一社会信用代码查询案件',
    });
    const at = now();
    if ((await countSubjectSearch(deps.store, actor.id, at)) > perMinute)
      throw new CaseRefusal(
        'RATE_LIMITED',
        `${actor.name} may search by resident ID or credit code ${perMinute} times a minute: retry in ${secondsToNextMinute(at)} s`,
        `${actor.name} 每分钟最多按身份证号或信用代码查询 ${perMinute} 次：请 ${secondsToNextMinute(at)} 秒后重试`,
        'subject',
      );
    await ensureIndexes();
    await logReveal(deps.store, {
      kind: 'subject-search',
      subjectKey,
      actor: actor.name,
      actorId: actor.id,
      role: actor.role,
      reason: stated,
    });
  }

  function checkQuery(query: CaseQuery): void {
    for (const field of ['from', 'to'] as const) {
      const value = query[field];
      if (value !== undefined && (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
        throw new CaseRefusal('BAD_DATE', `${field} must be a date YYYY-MM-DD`, `${field} 须为日期 YYYY-MM-DD`, field);
      }
    }
    if (query.from && query.to && query.from > query.to)
      throw new CaseRefusal('BAD_DATE', 'from is after to', '起始日期晚于截止日期', 'from');
  }

  return {
    /** Cases matching every given filter, newest first; identifiers masked. */
    async search(actor: User, query: CaseQuery): Promise<CaseSearchResult> {
      authorize(actor, 'case.search', CaseRefusal);
      // The search's scope is the table's condition for the role: own subject, assigned inspections, or every case.
      const condition = conditionOf(actor.role, 'case.search');
      checkQuery(query);
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
      const typed = query.subject?.trim() ? parseSubjectInput(query.subject) : undefined;
      let key = typed
        ? 'key' in typed
          ? typed.key
          : await resolveSubjectKey(deps.store, deps, typed.kind, typed.id)
        : undefined;
      // Staff searching by a raw resident ID or credit code reveal who it is: a reason, a limit a minute, a log entry (S3).
      if (typed && 'id' in typed && condition !== 'own-subject') await revealSearch(actor, key!, query.reason);
      if (condition === 'own-subject') {
        if (key && key !== actor.subjectKey)
          throw new CaseRefusal(
            'FORBIDDEN_SUBJECT',
            'a citizen may search only their own cases',
            '群众只能查询本人的案件',
            'subject',
          );
        key = actor.subjectKey;
      }
      // An inspector's reach: the cases of the inspections assigned to them (a short list, capped all the same).
      const assigned =
        condition === 'assigned-inspector'
          ? (await Pledge.find({ inspectorId: actor.id }, { caseId: 1 }).limit(ASSIGNED_CAP).lean()).map(
              (p) => p.caseId,
            )
          : undefined;
      // Dates are the city's (Asia/Shanghai, UTC+8 all year).
      const fromAt = query.from ? new Date(`${query.from}T00:00:00+08:00`) : undefined;
      const toAt = query.to ? new Date(new Date(`${query.to}T00:00:00+08:00`).getTime() + 86_400_000) : undefined;

      const filter: Record<string, unknown> = {};
      if (key) filter.subjectKey = key;
      if (query.eventType) filter.type = query.eventType;
      if (assigned) filter.caseId = { $in: [...new Set(assigned)] };
      if (fromAt || toAt) filter.receivedAt = { ...(fromAt ? { $gte: fromAt } : {}), ...(toAt ? { $lt: toAt } : {}) };

      let visible: VisibleCase[] = [];
      let temporal: CaseSearchResult['temporal'] = 'searched';
      if (!assigned || assigned.length > 0) {
        try {
          visible = await searchVisibility(deps.temporal, {
            ...query,
            subjectKey: key,
            fromAt,
            toAt,
            taskQueue: deps.taskQueue,
            limit: limit * 2,
          });
        } catch {
          temporal = 'unavailable';
        }
      }
      if (assigned) visible = visible.filter((v) => assigned.includes(v.caseId));
      const byId = new Map(visible.map((v) => [v.caseId, v]));

      const temporalUi = temporalUiFor(actor);
      /** A case as the search lists it, or undefined when a filter the records alone cannot apply leaves it out. */
      const summaryOf = async (
        caseId: string,
        record: LifeEventRecord | undefined,
        own: DecisionRecord[],
      ): Promise<CaseSummary | undefined> => {
        const seen = byId.get(caseId);
        const subject = record?.subjectKey ?? seen?.subjectKey;
        if (!subject) return undefined;
        if (condition === 'own-subject' && subject !== actor.subjectKey) return undefined;
        const caseStatus = seen?.caseStatus ?? (own.length ? CaseStatus.decided : CaseStatus.started);
        const outcome =
          seen?.outcome ??
          (own.length
            ? (['eligible', 'undetermined', 'ineligible'] as const).find((o) => own.some((d) => d.outcome === o))
            : undefined);
        if (query.status && caseStatus !== query.status) return undefined;
        if (query.outcome && outcome !== query.outcome) return undefined;
        if (query.policy && !own.some((d) => d.policy.id === query.policy) && !seen?.policyIds.includes(query.policy))
          return undefined;
        return {
          caseId,
          eventType: record?.type ?? seen?.eventType ?? '',
          ...(record
            ? {
                ...(seesBirthDates(actor, subject)
                  ? { eventDate: record.eventDate }
                  : shownEventDate(record.type, record.eventDate)
                    ? { eventDate: record.eventDate }
                    : {}),
                receivedAt: record.receivedAt.toISOString(),
              }
            : seen
              ? { receivedAt: seen.startedAt }
              : {}),
          subject: await maskedSubject(actor, subject),
          policies: own.map((d) => ({
            id: d.policy.id,
            version: d.policy.version,
            outcome: d.outcome,
            ...(typeof d.amount === 'number' ? { amount: d.amount } : {}),
          })),
          caseStatus,
          ...(outcome ? { outcome } : {}),
          departments: seen?.departments ?? [],
          ...(seen ? { execution: seen.execution } : {}),
          foundIn: [...(seen ? (['temporal'] as const) : []), ...(record ? (['record'] as const) : [])],
          links: {
            timeline: `/cases/${encodeURIComponent(caseId)}/timeline`,
            ...(temporalUi ? { temporalUi: temporalUiLink(temporalUi, deps.namespace, caseId, seen?.runId) } : {}),
          },
        };
      };
      const decisionsOf = async (ids: string[]) =>
        ids.length
          ? await Decision.find({ caseId: { $in: ids } })
              .limit(ids.length * DECISIONS_PER_CASE)
              .lean()
          : [];

      // The records newest first, sorted and cut in the database, a page at a time: one page of `limit` (+1, to
      // know whether there is more) without a filter the records cannot apply, else pages until `limit` cases
      // pass it or SCAN_CAP records were read. `next` continues where this answer stopped.
      const postFiltered = Boolean(query.status || query.outcome || query.policy);
      const pageSize = postFiltered ? Math.max(limit, FILTERED_PAGE) : limit + 1;
      const cases: CaseSummary[] = [];
      const listed = new Set<string>();
      let position = query.before === undefined ? undefined : readCursor(query.before);
      let next: string | undefined;
      for (let scanned = 0; ;) {
        const page = await LifeEvent.find(afterPosition(filter, position))
          .sort({ receivedAt: -1, _id: -1 })
          .limit(pageSize)
          .lean();
        scanned += page.length;
        const decisions = await decisionsOf(page.map((r) => r.caseId));
        for (const [i, record] of page.entries()) {
          if (cases.length >= limit) {
            next = writeCursor(page[i - 1]);
            break;
          }
          listed.add(record.caseId);
          const summary = await summaryOf(
            record.caseId,
            record,
            decisions.filter((d) => d.caseId === record.caseId),
          );
          if (summary) cases.push(summary);
        }
        if (next || page.length < pageSize) break;
        position = { receivedAt: page[page.length - 1].receivedAt, id: page[page.length - 1]._id! };
        if (cases.length >= limit) {
          next = writeCursor(page[page.length - 1]);
          break;
        }
        if (scanned >= SCAN_CAP) {
          next = writeCursor(page[page.length - 1]);
          break;
        }
      }
      // Cases visibility knows that have no record yet (just started), on the first page only.
      const unrecorded = query.before === undefined ? visible.filter((v) => !listed.has(v.caseId)) : [];
      const recorded = new Set(
        unrecorded.length
          ? (
              await LifeEvent.find({ caseId: { $in: unrecorded.map((v) => v.caseId) } }, { caseId: 1 })
                .limit(unrecorded.length)
                .lean()
            ).map((r) => r.caseId)
          : [],
      );
      const onlyVisible = unrecorded.filter((v) => !recorded.has(v.caseId));
      const visibleDecisions = await decisionsOf(onlyVisible.map((v) => v.caseId));
      for (const seen of onlyVisible) {
        if (cases.length >= limit) break;
        const summary = await summaryOf(
          seen.caseId,
          undefined,
          visibleDecisions.filter((d) => d.caseId === seen.caseId),
        );
        if (summary) cases.push(summary);
      }
      return { cases, temporal, ...(next ? { next } : {}) };
    },

    /**
     * One case's timeline, Temporal history and records merged in time order; identifiers masked.
     * A supervisor's or inspector's read is recorded first (store/case-reads.ts).
     */
    async timeline(actor: User, caseId: string): Promise<CaseTimeline> {
      const record = await caseRecord(caseId);
      await requireCaseAccess(actor, record);
      await ensureIndexes();
      // A staff read is recorded (and chained) before anything of the case is answered; the citizen sees it.
      if (actor.role !== 'citizen')
        await recordCaseRead(deps.store, {
          caseId,
          subjectKey: record.subjectKey,
          actor: actor.name,
          actorId: actor.id,
          role: actor.role,
        });
      const timeline = await buildTimeline(
        { ...deps, temporalUiUrl: temporalUiFor(actor) },
        record,
        await maskedSubject(actor, record.subjectKey),
      );
      return seesBirthDates(actor, record.subjectKey) ? timeline : timelineForStaff(timeline);
    },

    /**
     * Explains the decision of a case this person may read under a policy, from the subject's own
     * data, after logging who, when and why (explain.ts); sensitive facts withheld whole.
     */
    async explain(actor: User, caseId: string, body: ExplainCaseBody): Promise<CaseExplanation> {
      authorize(actor, 'case.explain', CaseRefusal);
      const record = await caseRecord(caseId);
      await requireCaseAccess(actor, record, 'case.explain');
      if (!deps.explain)
        throw new CaseRefusal(
          'FACTS_UNAVAILABLE',
          'explanations are not configured on this API',
          '本服务未配置资格解释',
        );
      await ensureIndexes();
      const decision = body.policyId
        ? await Decision.findOne({ _id: `${caseId}:decision:${body.policyId}` }).lean()
        : null;
      return explainCase({ ...deps.explain, store: deps.store, today }, actor, record, decision, body, refuse);
    },

    /** Reveals the identifier behind a case to a supervisor, after logging who, when and why. */
    async unmask(
      actor: User,
      caseId: string,
      reason: unknown,
    ): Promise<{
      caseId: string;
      subject: MaskedSubject & { id: string };
      reason: string;
      unmaskedBy: string;
      unmaskedById: string;
      at: string;
    }> {
      authorize(actor, 'case.unmask', CaseRefusal);
      const stated = statedReason(reason, refuse, { en: 'the identifier is needed', zh: '查看完整身份标识' });
      const record = await caseRecord(caseId);
      const resolved = await resolveSubject(deps.store, record.subjectKey);
      const id = resolved?.idNumber ?? resolved?.creditCode;
      if (!id)
        throw new CaseRefusal(
          'SUBJECT_NOT_FOUND',
          'the system of record holds no identifier for this case’s subject',
          '系统中没有该案件当事人的身份标识',
          'caseId',
        );
      await ensureIndexes();
      const logged = await logUnmask(deps.store, {
        caseId,
        subjectKey: record.subjectKey,
        actor: actor.name,
        actorId: actor.id,
        role: actor.role,
        reason: stated,
      });
      return {
        caseId,
        subject: { ...(await maskedSubject(actor, record.subjectKey)), id },
        reason: stated,
        unmaskedBy: actor.name,
        unmaskedById: actor.id,
        at: logged.at.toISOString(),
      };
    },

    /**
     * A supervisor assigns a case's pledge inspections to an inspector, named by user ID: an
     * active user holding a role whose reach of cases is assigned-inspector (domain/permissions.ts).
     * An unknown ID is UNKNOWN_USER, anyone else NOT_AN_INSPECTOR, both naming `inspectorId`;
     * nothing is written then. The pledge keeps the inspector's ID and display name, and who assigned it.
     */
    async assignInspection(
      actor: User,
      caseId: string,
      inspectorId: unknown,
    ): Promise<{ caseId: string; inspectorId: string; inspector: string; pledges: number }> {
      authorize(actor, 'case.assign-inspector', CaseRefusal);
      const id = typeof inspectorId === 'string' ? inspectorId.trim() : '';
      if (!USER_ID_PATTERN.test(id))
        throw new CaseRefusal(
          'UNKNOWN_USER',
          'name the inspector by user ID (u_ and 16 letters or digits: applyfree user list)',
          '请以用户编号指定核查人员（u_ 加16位字母或数字，见 applyfree user list）',
          'inspectorId',
        );
      const inspector: UserRecord | undefined = await findUser(deps.store, id);
      if (!inspector) throw new CaseRefusal('UNKNOWN_USER', `no user ${id}`, `没有用户 ${id}`, 'inspectorId');
      const inspects = inspector.roles.some((role) => conditionOf(role, 'case.timeline') === 'assigned-inspector');
      if (inspector.status !== 'active' || !inspects)
        throw new CaseRefusal(
          'NOT_AN_INSPECTOR',
          `${inspector.name} (${id}) is not an active inspector`,
          `${inspector.name}（${id}）不是在岗的核查人员`,
          'inspectorId',
        );
      await caseRecord(caseId);
      const result = await Pledge.updateMany(
        { caseId },
        {
          $set: {
            inspector: inspector.name,
            inspectorId: inspector._id,
            assignedAt: new Date(),
            assignedBy: actor.name,
            assignedById: actor.id,
          },
        },
      );
      if (result.matchedCount === 0)
        throw new CaseRefusal(
          'NO_PLEDGE',
          `case ${caseId} has no pledge to inspect`,
          `案件 ${caseId} 没有需要核查的承诺`,
          'caseId',
        );
      return { caseId, inspectorId: inspector._id, inspector: inspector.name, pledges: result.matchedCount };
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
