/**
 * Fact requests (数据需求) between officers and departments (domain/fact-requests.ts): an officer
 * files one to the registered department that owns the fact (named, or found from the catalog
 * source it keeps); the department, with its signed request, lists what is asked of it and answers —
 * it adds the fact, proposed as a catalog draft that a second person publishes (the catalog's
 * four-eyes; the draft's ID is kept on the request), or refuses with a reason; the officer is alerted
 * either way (store/staff-alerts.ts) and may withdraw an open request. Each step happens once: the
 * filing by its key, the closing by a claimed step. The indicator is counted from these records.
 */
import type { Connection } from 'mongoose';
import {
  answerDueAt,
  checkFiling,
  demandSatisfaction,
  FACT_REQUEST_ID_PATTERN,
  FACT_REQUEST_STATUSES,
  factRequestId,
  FactRequestRefusal,
  filingKey,
  type DemandSatisfaction,
  type FactRequestFiling,
  type FactRequestStatus,
} from '../../domain/fact-requests.js';
import { authorize } from '../../domain/permissions.js';
import type { FactField } from '../../domain/sources.js';
import {
  factRequestTimes,
  fileFactRequest,
  findFactRequest,
  listFactRequests,
  registerFactRequestModels,
  type FactRequestRecord,
} from '../../store/fact-requests.js';
import { buildIndexes } from '../../store/indexes.js';
import { alertStaff, alertsForUser } from '../../store/staff-alerts.js';
import { changeOf, claimStep, updateOf } from '../../store/step-claims.js';
import type { User } from '../../store/users.js';
import type { DepartmentPrincipal } from '../departments/authenticate.js';
import { checkPolicy, departmentAsked } from './addressee.js';
import {
  departmentViewOf,
  viewOf,
  type DepartmentFactRequestView,
  type FactRequestAlert,
  type FactRequestQuery,
  type FactRequestView,
} from './view.js';

export {
  viewOf,
  type DepartmentFactRequestView,
  type FactRequestAlert,
  type FactRequestQuery,
  type FactRequestView,
} from './view.js';

/** Who proposes a fact to the catalog: the department answering (its ID), as the catalog's drafts name an author. */
export interface FactProposer {
  id: string;
  name: string;
  role: 'department';
}

/**
 * Adds a fact to the catalog as a draft that a second person publishes (services/catalog,
 * `proposeFact`); refuses, naming the field, a definition the catalog cannot take.
 */
export type ProposeFact = (
  proposer: FactProposer,
  input: { sourceId: string; field: FactField; requestId: string },
) => Promise<{ draftId: string }>;

export interface FactRequestServiceDeps {
  store: Connection;
  proposeFact: ProposeFact;
  /** The clock (tests file on a Friday evening and answer on a Monday morning). */
  now?: () => Date;
}

const notFound = (id: string) =>
  new FactRequestRefusal('FACT_REQUEST_NOT_FOUND', `no fact request ${id}`, `没有数据需求 ${id}`, 'id');

const closed = (record: FactRequestRecord) =>
  new FactRequestRefusal(
    'FACT_REQUEST_CLOSED',
    `fact request ${record._id} is ${record.status} already: its outcome stands`,
    `数据需求 ${record._id} 已${STATUS_ZH[record.status]}，结果不再更改`,
    'id',
  );

const STATUS_ZH: Record<FactRequestStatus, string> = {
  open: '待答复',
  answered: '答复（已增加数据项）',
  refused: '被拒绝',
  withdrawn: '撤回',
};

/** The fact request service behind /fact-requests (staff) and /department/fact-requests (departments). */
export function createFactRequestService(deps: FactRequestServiceDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const { FactRequest } = registerFactRequestModels(store);
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () => (indexes ??= buildIndexes(FactRequest).catch(() => (indexes = undefined)));

  /** Closes an open request once (answered, refused or withdrawn); answers the record as it then stands. */
  async function close(record: FactRequestRecord, fields: Partial<FactRequestRecord>): Promise<FactRequestRecord> {
    const change = changeOf(fields as Record<string, unknown>);
    const { mine, claim } = await claimStep(store, `fact-request:${record._id}#closed`, change);
    await FactRequest.updateOne({ _id: record._id, status: 'open' }, updateOf(claim));
    const stored = (await findFactRequest(store, record._id))!;
    if (!mine) throw closed(stored);
    return stored;
  }

  /** The department's own open request, or 404 as if absent (another department's, or none). */
  async function addressedTo(principal: DepartmentPrincipal, id: string): Promise<FactRequestRecord> {
    const record = FACT_REQUEST_ID_PATTERN.test(id) ? await findFactRequest(store, id) : undefined;
    if (!record || record.department !== principal.department) throw notFound(id);
    return record;
  }

  async function alertFiler(record: FactRequestRecord): Promise<void> {
    const answered = record.status === 'answered';
    const what = record.fact.key ?? record.fact.description.slice(0, 40);
    await alertStaff(store, {
      key: `${record._id}:answered`,
      kind: answered ? 'fact-request.answered' : 'fact-request.refused',
      factRequestId: record._id,
      toUserId: record.filedBy.id,
      toRoles: [],
      text: answered
        ? {
            zh: `${record.departmentName.zh}已答复数据需求“${what}”：已提交数据目录草稿，待第二人发布`,
            en: `${record.departmentName.en} answered the fact request "${what}": a catalog draft adds it, for a second person to publish`,
          }
        : {
            zh: `${record.departmentName.zh}拒绝了数据需求“${what}”：${record.answer?.kind === 'refused' ? record.answer.reason : ''}`,
            en: `${record.departmentName.en} refused the fact request "${what}": ${record.answer?.kind === 'refused' ? record.answer.reason : ''}`,
          },
      at: record.answeredAt ?? now(),
    });
  }

  return {
    /**
     * POST /fact-requests: an officer files a request (201), or finds the one this filing made
     * before (200, `created: false`): the same client key, or the same content the same day.
     */
    async file(actor: User, body: FactRequestFiling): Promise<{ request: FactRequestView; created: boolean }> {
      authorize(actor, 'fact-request.file', FactRequestRefusal);
      const filing = checkFiling(body);
      const at = now();
      const key = filingKey(actor.id, filing, at);
      const id = factRequestId(key);
      const existing = await findFactRequest(store, id);
      if (existing) return { request: viewOf(existing), created: false };
      const department = await departmentAsked(store, filing);
      await checkPolicy(store, filing.policy);
      await ensureIndexes();
      const record: FactRequestRecord = {
        _id: id,
        key,
        status: 'open',
        fact: filing.fact,
        why: filing.why,
        policy: filing.policy,
        legalBasis: filing.legalBasis,
        department: department._id,
        departmentName: department.name,
        ...(filing.sourceId ? { sourceId: filing.sourceId } : {}),
        filedBy: { id: actor.id, name: actor.name, role: actor.role },
        filedAt: at,
        dueAt: answerDueAt(at),
      };
      const created = await fileFactRequest(store, record);
      return { request: viewOf((await findFactRequest(store, id))!), created };
    },

    /** GET /fact-requests: requests (newest first) and the caller's alerts about their own. */
    async list(
      actor: User,
      query: FactRequestQuery = {},
    ): Promise<{ requests: FactRequestView[]; alerts: FactRequestAlert[] }> {
      authorize(actor, 'fact-request.read', FactRequestRefusal);
      if (query.status && !FACT_REQUEST_STATUSES.includes(query.status))
        throw new FactRequestRefusal(
          'BAD_VALUE',
          `status: expected one of ${FACT_REQUEST_STATUSES.join(', ')}`,
          `status：应为 ${FACT_REQUEST_STATUSES.join('、')} 之一`,
          'status',
        );
      const records = await listFactRequests(store, {
        ...(query.status ? { status: query.status } : {}),
        ...(query.department ? { department: query.department } : {}),
        ...(query.policy ? { policyId: query.policy } : {}),
        ...(query.mine ? { filerId: actor.id } : {}),
      });
      const alerts = await alertsForUser(store, actor.id, ['fact-request.answered', 'fact-request.refused']);
      return {
        requests: records.map(viewOf),
        alerts: alerts.map(({ kind, factRequestId: requestId, text, at }) => ({
          kind,
          ...(requestId ? { factRequestId: requestId } : {}),
          text,
          at: at.toISOString(),
        })),
      };
    },

    /** GET /fact-requests/:id. */
    async show(actor: User, id: string): Promise<FactRequestView> {
      authorize(actor, 'fact-request.read', FactRequestRefusal);
      const record = FACT_REQUEST_ID_PATTERN.test(id) ? await findFactRequest(store, id) : undefined;
      if (!record) throw notFound(id);
      return viewOf(record);
    },

    /** POST /fact-requests/:id/withdraw: the officer who filed it withdraws an open request. */
    async withdraw(actor: User, id: string): Promise<FactRequestView> {
      authorize(actor, 'fact-request.withdraw', FactRequestRefusal);
      const record = FACT_REQUEST_ID_PATTERN.test(id) ? await findFactRequest(store, id) : undefined;
      if (!record) throw notFound(id);
      if (record.filedBy.id !== actor.id)
        throw new FactRequestRefusal(
          'NOT_FILER',
          `only ${record.filedBy.name}, who filed fact request ${id}, may withdraw it`,
          `只有提出数据需求 ${id} 的${record.filedBy.name}可以撤回`,
          'id',
        );
      if (record.status !== 'open') throw closed(record);
      const stored = await close(record, {
        status: 'withdrawn',
        withdrawnAt: now(),
        withdrawnBy: { id: actor.id, name: actor.name, role: actor.role },
      });
      return viewOf(stored);
    },

    /** GET /department/fact-requests: what is asked of the signing department (open ones by default). */
    async forDepartment(
      principal: DepartmentPrincipal,
      query: { status?: FactRequestStatus | 'all' } = {},
    ): Promise<{ requests: DepartmentFactRequestView[] }> {
      const status = query.status ?? 'open';
      const records = await listFactRequests(store, {
        department: principal.department,
        ...(status === 'all' ? {} : { status }),
      });
      return { requests: records.map(departmentViewOf) };
    },

    /** GET /department/fact-requests/:id: one request addressed to the signing department. */
    async showForDepartment(principal: DepartmentPrincipal, id: string): Promise<DepartmentFactRequestView> {
      return departmentViewOf(await addressedTo(principal, id));
    },

    /**
     * POST /department/fact-requests/:id/fact: the department adds the fact to one of its own
     * sources: a catalog draft (four-eyes: a second person publishes it) whose ID the request keeps.
     */
    async addFact(
      principal: DepartmentPrincipal,
      id: string,
      body: { sourceId?: string; field: FactField },
    ): Promise<DepartmentFactRequestView> {
      const record = await addressedTo(principal, id);
      // A retried answer that landed: the same fact, answered once.
      if (record.answer?.kind === 'fact-added' && record.answer.factKey === body.field.key)
        return departmentViewOf(record);
      if (record.status !== 'open') throw closed(record);
      const sourceId = body.sourceId ?? record.sourceId;
      if (!sourceId)
        throw new FactRequestRefusal(
          'BAD_VALUE',
          `sourceId: name the catalog source the fact is added to (one of ${principal.sources.join(', ')})`,
          `sourceId：请指定增加数据项的数据源（${principal.sources.join('、')} 之一）`,
          'sourceId',
        );
      if (!principal.sources.includes(sourceId))
        throw new FactRequestRefusal(
          'SOURCE_NOT_ALLOWED',
          `sourceId: department ${principal.department} may add facts only to its own sources (${principal.sources.join(', ')}), not "${sourceId}"`,
          `sourceId：部门 ${principal.department} 只能向本部门的数据源（${principal.sources.join('、')}）增加数据项，不能向“${sourceId}”`,
          'sourceId',
        );
      const { draftId } = await deps.proposeFact(
        { id: principal.department, name: principal.name.zh, role: 'department' },
        { sourceId, field: body.field, requestId: record._id },
      );
      const stored = await close(record, {
        status: 'answered',
        answer: { kind: 'fact-added', sourceId, factKey: body.field.key, draftId },
        answeredAt: now(),
        answeredBy: { department: principal.department, keyId: principal.keyId },
      });
      await alertFiler(stored);
      return departmentViewOf(stored);
    },

    /** POST /department/fact-requests/:id/refuse: the department refuses, saying why (the officer reads it). */
    async refuse(
      principal: DepartmentPrincipal,
      id: string,
      body: { reason?: string },
    ): Promise<DepartmentFactRequestView> {
      const record = await addressedTo(principal, id);
      const reason = body.reason?.trim() ?? '';
      if (!reason)
        throw new FactRequestRefusal(
          'REASON_REQUIRED',
          'reason: say why the fact cannot be shared (the officer reads it)',
          'reason：请说明不能共享的理由（经办人会看到）',
          'reason',
        );
      if (record.answer?.kind === 'refused' && record.answer.reason === reason) return departmentViewOf(record);
      if (record.status !== 'open') throw closed(record);
      const stored = await close(record, {
        status: 'refused',
        answer: { kind: 'refused', reason },
        answeredAt: now(),
        answeredBy: { department: principal.department, keyId: principal.keyId },
      });
      await alertFiler(stored);
      return departmentViewOf(stored);
    },

    /** 数据共享有效需求满足率 per department and month, from the records (services/metrics reads it). */
    async satisfaction(at: Date = now()): Promise<DemandSatisfaction> {
      const times = [];
      for await (const record of factRequestTimes(store)) times.push(record);
      return demandSatisfaction(times, at);
    },
  };
}

export type FactRequestService = ReturnType<typeof createFactRequestService>;
