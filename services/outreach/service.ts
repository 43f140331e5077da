/**
 * Outreach (应享尽享) for the API and the console: the worklist of people likely eligible but
 * undetermined (services/outreach/worklist.ts), a bulk request for the missing data sent to the
 * department that owns it, and contacting people — a written notice and an `outreach` task each.
 * Everything is keyed, so repeating an action adds nothing: a data request once per group and city
 * day, a contact (its task and its notice) once per person and policy. Officers and supervisors
 * only (domain/permissions.ts); no raw identifier is read or answered, only subject keys, case IDs
 * and the last characters staff see on every worklist.
 */
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import type { Text } from '../../domain/sources.js';
import type { EnqueueNoticeInput } from '../../activities/notices.js';
import type { BenefitStarter } from '../../activities/benefit-start.js';
import { openTask } from '../../activities/tasks.js';
import type { PolicySource } from '../../rules/policy-source.js';
import { buildIndexes } from '../../store/indexes.js';
import {
  CONTACT_CHANNELS,
  dataRequestKey,
  outreachKey,
  registerOutreachModels,
  type ContactChannel,
  type DataRequest,
  type OutreachCause,
} from '../../store/outreach.js';
import type { User } from '../../store/users.js';
import { readAllGroups, readGroup, readWorklist, type OutreachGroup, type WorklistQuery } from './worklist.js';

export type { OutreachGroup, OutreachPerson, WorklistQuery } from './worklist.js';

/** A refused outreach step: a stable code, both languages and the field at fault. */
export class OutreachRefusal extends Refusal {}

export interface OutreachServiceDeps {
  store: Connection;
  /** Where the decisions' pinned policy versions are read (titles, departments). */
  policies: PolicySource;
  /** Queues the contact's written notice (activities/notices.ts makeEnqueueNotice); absent, none is sent. */
  notify?: (notice: EnqueueNoticeInput) => Promise<unknown>;
  /** Starts each outreach task's humanTask workflow (its reminder and escalation); absent, the record only. */
  workflows?: BenefitStarter;
  /** Today's city date (tests pin it); a data request is one per group and day. */
  today?: () => string;
}

export interface DataRequestBody {
  policyId?: string;
  source?: string;
  fact?: string;
  /** Subject keys of the group; absent, everyone in the group not granted yet. */
  subjects?: string[];
}

export interface ContactBody {
  caseIds?: string[];
  subjectKeys?: string[];
  /** Only this policy's groups; absent, every policy the person is on the worklist for. */
  policyId?: string;
  channel?: ContactChannel;
}

export interface DataRequestView {
  id: string;
  policyId: string;
  cause: OutreachCause;
  source: string;
  department: Text;
  subjectKeys: string[];
  requestedBy: { id: string; name: string };
  requestedAt: string;
  day: string;
  status: DataRequest['status'];
  answeredAt?: string;
  answeredBy?: { id: string; name: string };
  reference?: string;
}

export interface ContactResult {
  subjectKey: string;
  caseId: string;
  policyId: string;
  taskId: string;
  /** False when this person was already contacted for this policy: nothing new was opened or sent. */
  created: boolean;
  channel: ContactChannel;
}

export { clientStarter } from '../../activities/benefit-start.js';

const bad = (field: string, message: string, messageZh: string) =>
  new OutreachRefusal('BAD_REQUEST', message, messageZh, field);

function requestView(r: DataRequest): DataRequestView {
  return {
    id: String(r._id),
    policyId: r.policyId,
    cause: { kind: r.cause.kind, key: r.cause.key },
    source: r.source,
    department: r.department,
    subjectKeys: r.subjectKeys,
    requestedBy: { id: r.requestedById, name: r.requestedByName },
    requestedAt: r.requestedAt.toISOString(),
    day: r.day,
    status: r.status,
    ...(r.answeredAt ? { answeredAt: r.answeredAt.toISOString() } : {}),
    ...(r.answeredById ? { answeredBy: { id: r.answeredById, name: r.answeredByName ?? '' } } : {}),
    ...(r.reference ? { reference: r.reference } : {}),
  };
}

/** The cause a data request names: exactly one of a source and a fact. */
function causeOfBody(body: DataRequestBody): OutreachCause {
  if (body.source && body.fact)
    throw bad('fact', 'name either a source or a fact, not both', '请只指定数据源或数据项之一');
  if (body.source) return { kind: 'source', key: body.source };
  if (body.fact) return { kind: 'fact', key: body.fact };
  throw bad('source', 'name the failed source or the missing fact of the group', '请指定未应答的数据源或缺失的数据项');
}

/** The outreach service behind /outreach and the console's outreach page. */
export function createOutreachService(deps: OutreachServiceDeps) {
  const { DataRequest, OutreachContact } = registerOutreachModels(deps.store);
  const today = deps.today ?? (() => cityToday());
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () =>
    (indexes ??= Promise.all([buildIndexes(DataRequest), buildIndexes(OutreachContact)]).catch(
      () => (indexes = undefined),
    ));

  return {
    /** GET /outreach: the groups, their counts and a page of their people. */
    async worklist(actor: User, query: WorklistQuery = {}) {
      authorize(actor, 'outreach.read', OutreachRefusal);
      return readWorklist(deps, query);
    },

    /**
     * POST /outreach/data-requests: one request to the owning department for a group's missing
     * data, per group and city day (a second the same day answers the first, `created: false`).
     */
    async requestData(actor: User, body: DataRequestBody): Promise<{ request: DataRequestView; created: boolean }> {
      authorize(actor, 'outreach.act', OutreachRefusal);
      if (!body.policyId) throw bad('policyId', 'name the policy of the group', '请指定政策');
      const cause = causeOfBody(body);
      const group = await readGroup(deps, body.policyId, cause);
      if (!group)
        throw new OutreachRefusal(
          'NOT_FOUND',
          `nobody on the outreach worklist of ${body.policyId} is waiting for ${cause.key}`,
          `应享未享名单中没有因 ${cause.key} 待定的 ${body.policyId} 人员`,
          cause.kind,
        );
      const inGroup = new Set(group.people.map((p) => p.subjectKey));
      const unknown = (body.subjects ?? []).find((s) => !inGroup.has(s));
      if (unknown !== undefined)
        throw bad('subjects', `subject ${unknown} is not in this group`, `主体 ${unknown} 不在该名单分组中`);
      const subjectKeys = body.subjects?.length
        ? [...new Set(body.subjects)]
        : group.people.filter((p) => !p.served.granted).map((p) => p.subjectKey);
      if (subjectKeys.length === 0)
        throw bad('subjects', 'everyone in this group has been granted', '该分组人员均已享受待遇');
      await ensureIndexes();
      const day = today();
      const key = dataRequestKey(body.policyId, cause, day);
      const result = await DataRequest.updateOne(
        { _id: key },
        {
          $setOnInsert: {
            key,
            policyId: body.policyId,
            cause,
            source: group.source,
            department: group.department,
            subjectKeys,
            requestedById: actor.id,
            requestedByName: actor.name,
            requestedAt: new Date(),
            day,
            status: 'requested',
          },
        },
        { upsert: true },
      );
      const stored = await DataRequest.findById(key).lean();
      return { request: requestView(stored!), created: result.upsertedCount === 1 };
    },

    /** POST /outreach/data-requests/:id/answered: the department answered (its reply's reference, when given). */
    async answered(actor: User, id: string, body: { reference?: string } = {}): Promise<DataRequestView> {
      authorize(actor, 'outreach.act', OutreachRefusal);
      const result = await DataRequest.updateOne(
        { _id: id, status: 'requested' },
        {
          $set: {
            status: 'answered',
            answeredAt: new Date(),
            answeredById: actor.id,
            answeredByName: actor.name,
            ...(body.reference ? { reference: body.reference } : {}),
          },
        },
      );
      const stored = await DataRequest.findById(id).lean();
      if (!stored) throw new OutreachRefusal('NOT_FOUND', `no data request ${id}`, `没有数据申请 ${id}`, 'id');
      if (result.modifiedCount === 0 && stored.answeredById !== actor.id && stored.status === 'answered')
        throw new OutreachRefusal(
          'WRONG_STATUS',
          `data request ${id} was already marked answered by ${stored.answeredByName}`,
          `数据申请 ${id} 已由${stored.answeredByName}登记为已答复`,
          'id',
        );
      return requestView(stored);
    },

    /**
     * POST /outreach/contacts: for each person named (by case or subject key) and each policy they
     * are on the worklist for, a written notice ('outreach.contact') and an `outreach` task, both
     * keyed by person and policy: contacting them again opens and sends nothing new.
     */
    async contact(actor: User, body: ContactBody): Promise<{ contacts: ContactResult[] }> {
      authorize(actor, 'outreach.act', OutreachRefusal);
      const channel = body.channel ?? 'inbox';
      if (!CONTACT_CHANNELS.includes(channel))
        throw bad(
          'channel',
          `channel must be one of ${CONTACT_CHANNELS.join(', ')}`,
          `联系方式应为 ${CONTACT_CHANNELS.join('、')}`,
        );
      const byCase = body.caseIds ?? [];
      const bySubject = body.subjectKeys ?? [];
      if (byCase.length === 0 && bySubject.length === 0)
        throw bad(
          'caseIds',
          'name the people to contact by caseIds or subjectKeys',
          '请按案件编号或主体标识指定联系对象',
        );
      const groups = await readAllGroups(deps, body.policyId);
      const wanted = (p: { caseId: string; subjectKey: string }) =>
        byCase.includes(p.caseId) || bySubject.includes(p.subjectKey);
      const people = new Map<string, { group: OutreachGroup; person: OutreachGroup['people'][number] }>();
      for (const group of groups)
        for (const person of group.people)
          if (wanted(person) && !people.has(outreachKey(group.policyId, person.subjectKey)))
            people.set(outreachKey(group.policyId, person.subjectKey), { group, person });
      const listedCases = new Set([...people.values()].map((p) => p.person.caseId));
      const listedSubjects = new Set([...people.values()].map((p) => p.person.subjectKey));
      const missingCase = byCase.find((id) => !listedCases.has(id));
      if (missingCase !== undefined)
        throw bad(
          'caseIds',
          `case ${missingCase} is not on the outreach worklist`,
          `案件 ${missingCase} 不在应享未享名单中`,
        );
      const missingSubject = bySubject.find((key) => !listedSubjects.has(key));
      if (missingSubject !== undefined)
        throw bad(
          'subjectKeys',
          `subject ${missingSubject} is not on the outreach worklist`,
          `主体 ${missingSubject} 不在应享未享名单中`,
        );
      await ensureIndexes();
      const contacts: ContactResult[] = [];
      for (const [key, { group, person }] of people) {
        const inserted = await OutreachContact.updateOne(
          { _id: key },
          {
            $setOnInsert: {
              key,
              policyId: group.policyId,
              subjectKey: person.subjectKey,
              caseId: person.caseId,
              channel,
              contactedById: actor.id,
              contactedByName: actor.name,
              contactedAt: new Date(),
            },
          },
          { upsert: true },
        );
        // The task: once by its key, its timers once by the workflow ID (activities/tasks.ts).
        await openTask(
          { store: deps.store, ...(deps.workflows ? { workflows: deps.workflows } : {}) },
          {
            key,
            type: 'outreach',
            source: { kind: 'outreach', key },
            caseId: person.caseId,
            subjectKey: person.subjectKey,
            policyId: group.policyId,
            ...(group.policyDepartment.zh ? { department: group.policyDepartment.zh } : {}),
            missingFacts: person.missingFacts,
            failedSources: person.failedSources,
          },
        );
        // The notice: queued once; a first attempt that stopped before marking it is queued again under the same key.
        const stored = await OutreachContact.findById(key, { noticeQueuedAt: 1 }).lean();
        if (deps.notify && !stored?.noticeQueuedAt) {
          await deps.notify({
            noticeKey: `${key}:notice`,
            subjectKey: person.subjectKey,
            template: 'outreach.contact',
            params: { policyTitle: group.policyTitle, department: group.department, missing: person.missingFacts },
          });
          await OutreachContact.updateOne({ _id: key }, { $set: { noticeQueuedAt: new Date() } });
        }
        contacts.push({
          subjectKey: person.subjectKey,
          caseId: person.caseId,
          policyId: group.policyId,
          taskId: key,
          created: inserted.upsertedCount === 1,
          channel,
        });
      }
      return { contacts };
    },
  };
}

export type OutreachService = ReturnType<typeof createOutreachService>;
