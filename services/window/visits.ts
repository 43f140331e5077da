/**
 * Opening, reading and closing a visit at the service window (线下兜底, Dezhou plan 二(四)): a person
 * without a smartphone comes to the window with their ID card. Window staff read the card, state
 * why, and open a visit: the ID becomes the subject key as everywhere else (domain/pseudonym.ts,
 * the key ring), the presence is logged like an unmask (store/unmask-log.ts, kind `window-visit`,
 * hash-chained) before anything is read, and the person sees it under "who accessed my data"; a
 * member of staff opens at most so many a minute, counted with their raw-ID case searches. Only
 * the member of staff who opened a visit reads or acts in it, and only while it is open
 * (`at-the-window`); a visit ends when closed or after VISIT_HOURS.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { IdentityError, shownIdentifier, validateCreditCode, validateResidentId } from '../../domain/identity.js';
import { authorize, type Action } from '../../domain/permissions.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { Refusal } from '../../domain/refusal.js';
import { buildIndexes } from '../../store/indexes.js';
import { registerSubjectModel, resolveSubject, resolveSubjectKey } from '../../store/subjects.js';
import { logReveal, registerUnmaskModel } from '../../store/unmask-log.js';
import type { User } from '../../store/users.js';
import {
  closeVisitRecord,
  findVisit,
  insertVisit,
  opaqueId,
  registerWindowModels,
  type WindowVisit,
} from '../../store/window-visits.js';
import { maskName } from '../certificates/service.js';
import { countSubjectSearch, secondsToNextMinute, SUBJECT_SEARCHES_PER_MINUTE } from '../cases/subject-search.js';

/** A refused window request: a stable code, both languages, the field at fault. */
export class WindowRefusal extends Refusal {}

/** How long a visit stays open, by default: one sitting at a window. */
export const VISIT_HOURS = 2;

export interface WindowVisitDeps extends SubjectKeyRing {
  store: Connection;
  /** Hours a visit stays open (default VISIT_HOURS). */
  visitHours?: number;
  /** Raw-ID look-ups one person may make a minute, visits and case searches together (default 20). */
  subjectSearchesPerMinute?: number;
  now?: () => Date;
}

export interface OpenVisitBody {
  /** The ID card's number, read at the window: in the body only, never in a URL; kept nowhere. */
  idNumber?: unknown;
  /**
   * Instead, for a firm whose representative comes to the window: the business licence's unified
   * social credit code (统一社会信用代码), likewise in the body only and kept nowhere.
   */
  creditCode?: unknown;
  window?: unknown;
  reason?: unknown;
}

/** The person present, as staff see them: their ID's last four characters and their name masked. */
export interface PersonShown {
  maskedId: string;
  maskedName?: string;
}

export type VisitStatus = 'open' | 'closed' | 'expired';

/** A visit as the API answers it. */
export interface VisitView {
  visitId: string;
  window: string;
  reason: string;
  staff: { id: string; name: string };
  openedAt: string;
  expiresAt: string;
  closedAt?: string;
  status: VisitStatus;
}

const bad = (field: string, message: string, messageZh: string) =>
  new WindowRefusal('BAD_REQUEST', message, messageZh, field);

/** A required text of `min` to `max` characters, trimmed, or a refusal naming the field. */
function requiredText(value: unknown, field: string, min: number, max: number, what: { en: string; zh: string }) {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length < min || text.length > max)
    throw bad(
      field,
      `${field}: give ${what.en} (${min} to ${max} characters)`,
      `请填写${what.zh}（${field}，${min}至${max}个字）`,
    );
  return text;
}

/** The visit's standing at `at`. */
export const visitStatus = (visit: WindowVisit, at: Date): VisitStatus =>
  visit.closedAt ? 'closed' : visit.expiresAt.getTime() <= at.getTime() ? 'expired' : 'open';

export const visitView = (visit: WindowVisit, at: Date): VisitView => ({
  visitId: visit._id,
  window: visit.window,
  reason: visit.reason,
  staff: { id: visit.staff.id, name: visit.staff.name },
  openedAt: visit.openedAt.toISOString(),
  expiresAt: visit.expiresAt.toISOString(),
  ...(visit.closedAt ? { closedAt: visit.closedAt.toISOString() } : {}),
  status: visitStatus(visit, at),
});

/**
 * The person present, as the citizen services take them: a stand-in bound to the visit's subject
 * (role citizen, so me.* reads and answers only that person's records), carrying the staff
 * member's user ID. Built only after `servingVisit` admitted the staff member.
 */
export const personPresent = (visit: WindowVisit, staff: User): User => ({
  id: staff.id,
  name: staff.name,
  role: 'citizen',
  subjectKey: visit.subjectKey,
});

/** Visits: open, the one a member of staff serves, close. */
export function createWindowVisits(deps: WindowVisitDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const hours = deps.visitHours ?? VISIT_HOURS;
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () =>
    (indexes ??= Promise.all([
      buildIndexes(registerUnmaskModel(store)),
      ...Object.values(registerWindowModels(store)).map(buildIndexes),
    ]).catch(() => (indexes = undefined)));

  /** The person's ID's last four characters and, when the register has it, their name masked. */
  async function personShown(subjectKey: string): Promise<PersonShown> {
    const [resolved, record] = await Promise.all([
      resolveSubject(store, subjectKey),
      registerSubjectModel(store).findOne({ _id: subjectKey }, { displayName: 1 }).lean(),
    ]);
    const maskedId = (resolved && shownIdentifier(resolved, 'staff')) ?? '';
    return { maskedId, ...(record?.displayName ? { maskedName: maskName(record.displayName) } : {}) };
  }

  /**
   * The visit `visitId` if `actor` may take `action` in it now (at-the-window): theirs and open.
   * None is VISIT_NOT_FOUND; another's NOT_YOUR_VISIT; closed or expired VISIT_CLOSED.
   */
  /** The visit `visitId` if `actor` opened it: none is VISIT_NOT_FOUND, another's NOT_YOUR_VISIT. */
  async function ownVisit(actor: User, visitId: string, action: Action): Promise<WindowVisit> {
    authorize(actor, action, WindowRefusal);
    const visit = await findVisit(store, visitId);
    if (!visit)
      throw new WindowRefusal(
        'VISIT_NOT_FOUND',
        `no window visit ${visitId}`,
        `没有窗口接待记录 ${visitId}`,
        'visitId',
      );
    if (visit.staff.id !== actor.id)
      throw new WindowRefusal(
        'NOT_YOUR_VISIT',
        `visit ${visitId} was opened by another member of staff: only whoever serves the person present acts for them`,
        `接待 ${visitId} 由其他工作人员登记：仅为到场群众办理的窗口人员可以代办`,
        'visitId',
      );
    return visit;
  }

  async function servingVisit(actor: User, visitId: string, action: Action): Promise<WindowVisit> {
    const visit = await ownVisit(actor, visitId, action);
    const status = visitStatus(visit, now());
    if (status !== 'open')
      throw new WindowRefusal(
        'VISIT_CLOSED',
        `visit ${visitId} is ${status}: read the person’s ID card again to open a new visit`,
        `接待 ${visitId} 已${status === 'closed' ? '结束' : '超时'}：请重新读取身份证登记接待`,
        'visitId',
      );
    return visit;
  }

  return {
    servingVisit,
    personShown,

    /**
     * Opens a visit for the person whose ID card was read: checks the input (each field named),
     * logs the presence (kind `window-visit`, before anything is read), and answers the visit's
     * opaque ID with the person shown masked.
     */
    async open(actor: User, body: OpenVisitBody): Promise<{ visit: VisitView; person: PersonShown }> {
      authorize(actor, 'window.serve', WindowRefusal);
      const firm = body.creditCode !== undefined && body.idNumber === undefined;
      if (firm && (typeof body.creditCode !== 'string' || !body.creditCode.trim()))
        throw new IdentityError(
          'INVALID_CREDIT_CODE',
          'length',
          'creditCode: read the firm’s business licence (18 characters)',
          '请读取企业营业执照上的统一社会信用代码（creditCode，18位）',
          'creditCode',
        );
      if (!firm && (typeof body.idNumber !== 'string' || !body.idNumber.trim()))
        throw new IdentityError(
          'INVALID_RESIDENT_ID',
          'length',
          'idNumber: read the person’s resident ID card (18 characters)',
          '请读取到场群众的居民身份证号码（idNumber，18位）',
          'idNumber',
        );
      const { id } = firm
        ? { id: validateCreditCode(body.creditCode as string, { field: 'creditCode' }).code }
        : validateResidentId(body.idNumber as string, { field: 'idNumber', today: cityToday(now()) });
      const window = requiredText(body.window, 'window', 2, 100, {
        en: 'the window serving the person',
        zh: '办理窗口',
      });
      const reason = requiredText(body.reason, 'reason', 2, 500, {
        en: 'why the person came (it is shown to them)',
        zh: '办理事由（将告知本人）',
      });
      const at = now();
      // A visit is a look-up by raw ID like a case search: counted with them, so trying IDs stops at the limit.
      const perMinute = deps.subjectSearchesPerMinute ?? SUBJECT_SEARCHES_PER_MINUTE;
      if ((await countSubjectSearch(store, actor.id, at)) > perMinute)
        throw new WindowRefusal(
          'RATE_LIMITED',
          `${actor.name} may look people up by resident ID ${perMinute} times a minute: retry in ${secondsToNextMinute(at)} s`,
          `${actor.name} 每分钟最多按身份证号登记或查询 ${perMinute} 次：请 ${secondsToNextMinute(at)} 秒后重试`,
          firm ? 'creditCode' : 'idNumber',
        );
      const subjectKey = await resolveSubjectKey(store, deps, firm ? 'enterprise' : 'person', id);
      await ensureIndexes();
      const reveal = await logReveal(store, {
        kind: 'window-visit',
        subjectKey,
        actor: actor.name,
        actorId: actor.id,
        role: actor.role,
        reason,
        window,
        at,
      });
      const visit = await insertVisit(store, {
        _id: opaqueId('wv_'),
        subjectKey,
        window,
        reason,
        staff: { id: actor.id, name: actor.name },
        openedAt: at,
        expiresAt: new Date(at.getTime() + hours * 3_600_000),
        revealId: reveal._id,
      });
      return { visit: visitView(visit, at), person: await personShown(subjectKey) };
    },

    /** Closes the member of staff's own visit; closing it again, or once expired, answers it as it stands. */
    async close(actor: User, visitId: string): Promise<VisitView> {
      const visit = await ownVisit(actor, visitId, 'window.serve');
      const at = now();
      if (visitStatus(visit, at) !== 'open') return visitView(visit, at);
      return visitView(await closeVisitRecord(store, visitId, at), at);
    },
  };
}

export type WindowVisits = ReturnType<typeof createWindowVisits>;
