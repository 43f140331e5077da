/**
 * Objections (异议) for the API, the CLI and the console: filing (a citizen about their own
 * decisions; a supervisor for a citizen, from their case), reading (citizens their own;
 * supervisors all, values masked), the owning department's correction and a supervisor's re-check
 * or rejection — each of which signals the objection workflow that re-evaluates and settles.
 * Corrections are recorded by a supervisor acting for the department that owns the fact (who
 * handles objections, DESIGN.md, and wrote none of the rules), never by whoever filed the
 * objection, and change the department's record only once a second supervisor — neither the
 * recorder nor the filer — confirms them (S4); the citizen is told of every correction applied.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { clientStarter } from '../../activities/benefit-start.js';
import { openTask } from '../../activities/tasks.js';
import { registerTaskModels } from '../../store/tasks.js';
import type { Connection } from 'mongoose';
import type { PolicySource } from '../../rules/policy-source.js';
import { findFact, type Text } from '../../domain/sources.js';
import { checkFactValue, correctionReason, correctSharedFact, locateCorrection } from '../../store/corrections.js';
import { registerDecisionModels, type DecisionRecord } from '../../store/decisions.js';
import {
  addObjectionStep,
  chainObjectionSteps,
  registerObjectionModel,
  type ObjectionKind,
  type ObjectionRecord,
} from '../../store/objections.js';
import { isSamePerson, personRef, ROLE_ZH, type User } from '../../store/users.js';
import { authorize, conditionOf, ownSubjectOnly } from '../../domain/permissions.js';
import type { EnqueueNoticeInput } from '../../activities/notices.js';
import type { objection } from '../../workflows/objection.js';
import {
  completeTaskUpdate,
  OBJECTION_WORKFLOW_TYPE,
  objectionCorrectedSignal,
  objectionResolvedSignal,
  objectionWorkflowId,
  SearchAttributes,
  taskWorkflowId,
  type ObjectionInput,
} from '../../workflows/contracts/index.js';

/** The objection's task on the supervisors' worklist: one per objection. */
export const objectionTaskKey = (objectionId: string): string => `objection:${objectionId}`;
import { resolveSubjectInput } from '../cases/service.js';
import type { SubjectKeyRing } from '../../domain/pseudonym.js';
import { objectionView, type ObjectionView } from './view.js';
import { buildIndexes } from '../../store/indexes.js';
import { Refusal } from '../../domain/refusal.js';

export type { ObjectionView } from './view.js';

/** A refused objection step: a stable code, both languages and the field at fault. */
export class ObjectionRefusal extends Refusal {}

/** The key ring resolves a resident ID a staff member files for to the key its subject was registered under. */
export interface ObjectionServiceDeps extends SubjectKeyRing {
  store: Connection;
  temporal: Client;
  taskQueue: string;
  /** Where the objected decision's pinned policy is read (its title and declared facts). */
  policies: PolicySource;
  /**
   * Tells the citizen of a correction applied to their record (activities/notices.ts
   * makeEnqueueNotice over the deployment's notice queues); absent, only the objection's own notices.
   */
  notify?: (notice: EnqueueNoticeInput) => Promise<unknown>;
}

export interface FileObjectionBody {
  caseId?: string;
  policyId?: string;
  subject?: string;
  kind?: ObjectionKind;
  fact?: string;
  claimedValue?: unknown;
  statement?: string;
}

/**
 * An objection filed at the service window (线下兜底): the person present states it, window staff
 * file it for them in the visit that recorded their presence. The objection is the person's own
 * (the actor passed is the person, bound to their subject); the record names the staff member,
 * the window and the visit as who filed it.
 */
export interface WindowFiling {
  staff: User;
  window: string;
  visitId: string;
}

const bad = (field: string, message: string, messageZh: string) =>
  new ObjectionRefusal('BAD_REQUEST', message, messageZh, field);
const notFound = (id: string) =>
  new ObjectionRefusal('OBJECTION_NOT_FOUND', `no objection ${id}`, `没有异议 ${id}`, 'id');
/** Four eyes on an objection: the same person may not take both steps. */
const fourEyes = (message: string, messageZh: string) => new ObjectionRefusal('FOUR_EYES', message, messageZh, 'id');

/** The objection service behind /objections, `applyfree objection` and the console. */
export function createObjectionService(deps: ObjectionServiceDeps) {
  const Objection = registerObjectionModel(deps.store);
  const { Task } = registerTaskModels(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  let indexes: Promise<unknown> | undefined;
  const ensureIndexes = () => (indexes ??= buildIndexes(Objection).catch(() => (indexes = undefined)));

  /** The objection this person may read: one limited to their own subject (a citizen) gets a 404 for another's that says nothing more. */
  async function readable(actor: User, id: string): Promise<ObjectionRecord> {
    authorize(actor, 'objection.read', ObjectionRefusal);
    const record = await Objection.findOne({ _id: id }).lean();
    if (!record || (ownSubjectOnly(actor.role, 'objection.read') && record.subjectKey !== actor.subjectKey))
      throw notFound(id);
    return record;
  }

  /** The decision in force for a case and policy: the latest re-evaluation, following the links. */
  async function currentDecision(key: string): Promise<DecisionRecord | undefined> {
    let decision = await Decision.findOne({ _id: key }).lean();
    for (let hops = 0; decision && hops < 20; hops++) {
      const next = (decision as DecisionRecord & { supersededBy?: string }).supersededBy;
      if (!next) break;
      decision = (await Decision.findOne({ _id: next }).lean()) ?? decision;
      if (decision.key !== next) break;
    }
    return decision ?? undefined;
  }

  /** The title of the policy version the objected decision pinned. */
  async function titleOf(record: ObjectionRecord): Promise<Text | undefined> {
    const decision = await Decision.findOne({ _id: record.decisionKey }, { policy: 1 }).lean();
    const policy = decision ? await deps.policies.version(decision.policy.id, decision.policy.version) : undefined;
    return policy?.title;
  }

  async function view(actor: User, record: ObjectionRecord): Promise<ObjectionView> {
    return objectionView(deps.store, record, {
      // Who reads only their own objections sees their own values unmasked.
      revealValues: ownSubjectOnly(actor.role, 'objection.read'),
      policyTitle: await titleOf(record),
    });
  }

  /**
   * Closes the objection's task on the worklist once a supervisor has settled it here (a resolution,
   * or a confirmed correction): done by them, with what they decided. A task already closed stays so.
   */
  async function closeTask(record: ObjectionRecord, actor: User, note: string): Promise<void> {
    const key = objectionTaskKey(record._id);
    if (!(await Task.exists({ _id: key, status: { $in: ['open', 'claimed'] } }))) return;
    await deps.temporal.workflow
      .getHandle(taskWorkflowId(key))
      .executeUpdate(completeTaskUpdate, {
        args: [{ outcome: { kind: 'closed', note }, by: { id: actor.id, name: actor.name } }],
      })
      .catch((error: unknown) => {
        // Closed in the meantime, or its clock never started (a deployment without a worker): the record says so.
        if (!(error instanceof WorkflowUpdateFailedError) && !(error instanceof WorkflowNotFoundError)) throw error;
      });
  }

  /** Starts the workflow, or signals it; a closed one (already resolved) is left as it is. */
  async function signal(record: ObjectionRecord, which: 'corrected' | 'reevaluate' | 'reject'): Promise<void> {
    const args: [ObjectionInput] = [
      {
        objectionId: record._id,
        subjectKey: record.subjectKey,
        caseId: record.caseId,
        policyId: record.policyId,
        policyTitle: (await titleOf(record)) ?? { zh: record.policyId, en: record.policyId },
      },
    ];
    const options = {
      workflowId: record.workflowId,
      taskQueue: deps.taskQueue,
      args,
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: [
        { key: SearchAttributes.subjectKey, value: record.subjectKey },
        { key: SearchAttributes.policyIds, value: [record.policyId] },
      ],
    };
    try {
      if (which === 'corrected')
        await deps.temporal.workflow.signalWithStart<typeof objection, []>(OBJECTION_WORKFLOW_TYPE, {
          ...options,
          signal: objectionCorrectedSignal,
          signalArgs: [],
        });
      else
        await deps.temporal.workflow.signalWithStart<typeof objection, ['reevaluate' | 'reject']>(
          OBJECTION_WORKFLOW_TYPE,
          { ...options, signal: objectionResolvedSignal, signalArgs: [which] },
        );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  return {
    /** Files an objection about a decision (or a value behind it) and starts its workflow; 201 with the objection. */
    async file(actor: User, body: FileObjectionBody, atWindow?: WindowFiling): Promise<ObjectionView> {
      authorize(actor, 'objection.file', ObjectionRefusal);
      // A citizen files about their own decisions (own-subject); staff file for a citizen, naming them.
      const forSelf = ownSubjectOnly(actor.role, 'objection.file');
      const kind = body.kind ?? 'decision';
      if (kind !== 'decision' && kind !== 'data')
        throw bad('kind', 'kind is decision or data', '异议类型须为 decision（判定）或 data（数据）');
      const policyId = typeof body.policyId === 'string' ? body.policyId.trim() : '';
      if (!policyId)
        throw bad('policyId', 'name the policy (policyId) the decision was made under', '请填写政策编号（policyId）');
      const statement = typeof body.statement === 'string' ? body.statement.trim() : '';
      if (statement.length < 5 || statement.length > 2000)
        throw bad('statement', 'state the objection in 5 to 2,000 characters', '请用5至2000字说明异议');
      // A claimed value is a data objection's: stored for no other kind (S22).
      if (body.claimedValue !== undefined && kind !== 'data')
        throw bad(
          'claimedValue',
          'claimedValue belongs to a data objection (kind "data") naming the fact it disputes',
          '只有数据异议（kind 为 data）可以填写 claimedValue',
        );

      let subjectKey: string;
      if (forSelf) {
        if (body.subject && (await resolveSubjectInput(deps.store, deps, body.subject)).key !== actor.subjectKey) {
          throw new ObjectionRefusal(
            'FORBIDDEN_SUBJECT',
            'a citizen files objections about their own decisions only',
            '群众只能对本人的判定提出异议',
            'subject',
          );
        }
        subjectKey = actor.subjectKey!;
      } else {
        // Staff file from the citizen's case, which binds the subject: no raw ID, so no probe of who has a decision (S10).
        if (body.subject !== undefined)
          throw bad(
            'subject',
            'staff file from the citizen’s case: give caseId, not a resident ID',
            '工作人员须从案件代为提出异议：请填写案件编号（caseId），不填身份证号',
          );
        if (!body.caseId?.trim())
          throw bad(
            'caseId',
            'give the case of the decision objected to (caseId)',
            '请填写被提出异议的判定所在案件（caseId）',
          );
        subjectKey = '';
      }

      let decision: DecisionRecord | undefined;
      if (body.caseId) decision = await currentDecision(`${body.caseId}:decision:${policyId}`);
      else {
        const latest = (await Decision.find({ subjectKey, 'policy.id': policyId }).lean()).sort(
          (a, b) => b.decidedAt.getTime() - a.decidedAt.getTime(),
        )[0];
        decision = latest ? await currentDecision(latest.key) : undefined;
      }
      if (!forSelf && decision) subjectKey = decision.subjectKey;
      // One answer for "no such decision" and "not yours" (S21).
      if (!decision || decision.subjectKey !== subjectKey) {
        throw new ObjectionRefusal(
          'DECISION_NOT_FOUND',
          `no decision on ${policyId} for this subject${body.caseId ? ` in ${body.caseId}` : ''}`,
          `没有找到该当事人关于 ${policyId} 的判定`,
          body.caseId ? 'caseId' : 'policyId',
        );
      }
      const policy = await deps.policies.version(decision.policy.id, decision.policy.version);
      let fact: string | undefined;
      if (kind === 'data') {
        fact = typeof body.fact === 'string' ? body.fact : '';
        if (!fact || !findFact(fact))
          throw bad(
            'fact',
            'name the fact disputed, e.g. person.disabilityGrade',
            '请填写有异议的数据项，如 person.disabilityGrade',
          );
        if (policy && !(fact in policy.facts))
          throw bad('fact', `${policyId} does not read ${fact}`, `${policyId} 未使用数据项 ${fact}`);
        if (body.claimedValue !== undefined) checkFactValue(fact, body.claimedValue, 'claimedValue');
      }
      const open = (await Objection.find({ decisionKey: decision.key }).lean()).find(
        (o) => o.status !== 'resolved' && o.status !== 'rejected',
      );
      if (open)
        throw new ObjectionRefusal(
          'OBJECTION_OPEN',
          `objection ${open._id} about this decision is still open`,
          `该判定已有未办结的异议 ${open._id}`,
          'policyId',
        );

      await ensureIndexes();
      const id = `obj-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const now = new Date();
      const filer = atWindow?.staff ?? actor;
      const by = atWindow
        ? `${filer.name}（${ROLE_ZH[filer.role]}，${atWindow.window}，代本人）`
        : forSelf
          ? actor.name
          : `${actor.name}（${ROLE_ZH[actor.role]}，代本人）`;
      await Objection.create({
        _id: id,
        status: 'filed',
        subjectKey,
        policyId,
        caseId: decision.caseId,
        decisionKey: decision.key,
        kind,
        ...(fact ? { fact } : {}),
        ...(body.claimedValue !== undefined ? { claimedValue: body.claimedValue } : {}),
        statement,
        filedBy: personRef(filer),
        filedAt: now,
        workflowId: objectionWorkflowId(id),
        updatedAt: now,
        steps: [
          {
            key: 'filed',
            at: now,
            kind: 'filed',
            actor: filer.name,
            actorId: filer.id,
            summary: {
              zh: `${by}提出异议：${statement}`,
              en: atWindow
                ? `objection filed for the person present by ${filer.name} (${filer.role}) at ${atWindow.window}, visit ${atWindow.visitId}: ${statement}`
                : `objection filed by ${actor.name} (${actor.role}): ${statement}`,
            },
          },
        ],
      });
      const record = (await Objection.findOne({ _id: id }).lean())!;
      // The objection is on the supervisors' worklist, on its statutory limit (行政复议法: sixty days).
      await openTask(
        { store: deps.store, workflows: clientStarter(deps.temporal, deps.taskQueue) },
        {
          key: objectionTaskKey(id),
          type: 'objection',
          source: { kind: 'objection', key: id },
          caseId: record.caseId,
          subjectKey: record.subjectKey,
          policyId: record.policyId,
        },
      );
      await chainObjectionSteps(deps.store, record);
      const { workflowId } = record;
      const args: [ObjectionInput] = [
        {
          objectionId: id,
          subjectKey,
          caseId: record.caseId,
          policyId,
          policyTitle: policy?.title ?? { zh: policyId, en: policyId },
        },
      ];
      await deps.temporal.workflow
        .start<typeof objection>(OBJECTION_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: deps.taskQueue,
          args,
          typedSearchAttributes: [
            { key: SearchAttributes.subjectKey, value: subjectKey },
            { key: SearchAttributes.policyIds, value: [policyId] },
          ],
        })
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        });
      return view(actor, record);
    },

    /** Objections, newest first: a citizen's own; every objection for staff, values masked. */
    async list(
      actor: User,
      query: { status?: string; policy?: string } = {},
    ): Promise<{ objections: ObjectionView[] }> {
      authorize(actor, 'objection.read', ObjectionRefusal);
      const filter: Record<string, unknown> = ownSubjectOnly(actor.role, 'objection.read')
        ? { subjectKey: actor.subjectKey }
        : {};
      if (query.status) filter.status = query.status;
      if (query.policy) filter.policyId = query.policy;
      // Sorted and cut in the database (security review S15): the newest 200.
      const records = await Objection.find(filter).sort({ filedAt: -1, _id: -1 }).limit(200).lean();
      return { objections: await Promise.all(records.map((record) => view(actor, record))) };
    },

    async get(actor: User, id: string): Promise<ObjectionView> {
      return view(actor, await readable(actor, id));
    },

    /**
     * Records the owning department's correction (a supervisor, never whoever filed the objection,
     * records it for the department): checks the value, that the department holds a record of the
     * subject and the reason, and keeps it pending — the department's record does not change until
     * a second supervisor confirms it (confirmCorrection). The same correction again answers the
     * objection as it stands; another while one is pending is CORRECTION_PENDING.
     */
    async correct(
      actor: User,
      id: string,
      body: { fact?: string; value?: unknown; reason?: string },
    ): Promise<ObjectionView> {
      authorize(actor, 'objection.correct', ObjectionRefusal);
      const record = await readable(actor, id);
      // Four eyes by user ID (a record from before user IDs by name).
      if (conditionOf(actor.role, 'objection.correct') === 'not-filer' && isSamePerson(record.filedBy, actor))
        throw fourEyes(
          `${actor.name} filed objection ${id}: another supervisor records its correction`,
          `异议 ${id} 由 ${actor.name} 提出，须由其他督查人员登记更正`,
        );
      const fact = typeof body.fact === 'string' ? body.fact : record.fact;
      if (!fact) throw bad('fact', 'name the fact corrected, e.g. person.disabilityGrade', '请填写更正的数据项');
      if (record.fact && fact !== record.fact)
        throw bad('fact', `the objection disputes ${record.fact}, not ${fact}`, `该异议针对的是 ${record.fact}`);
      if (body.value === undefined) throw bad('value', 'give the corrected value', '请填写更正后的值');
      const known = checkFactValue(fact, body.value);
      const decision = await Decision.findOne({ _id: record.decisionKey }).lean();
      const policy = decision ? await deps.policies.version(decision.policy.id, decision.policy.version) : undefined;
      if (policy && !(fact in policy.facts))
        throw bad('fact', `${record.policyId} does not read ${fact}`, `${record.policyId} 未使用数据项 ${fact}`);
      const same = (other: { fact: string; value?: unknown; newValue?: unknown } | undefined) =>
        other?.fact === fact && JSON.stringify(other.value ?? other.newValue) === JSON.stringify(body.value);
      if (record.status === 'resolved' || record.status === 'rejected' || record.resolution || record.correction) {
        if (same(record.correction)) return view(actor, record);
        throw new ObjectionRefusal(
          'OBJECTION_CLOSED',
          `objection ${id} is ${record.status}${record.resolution ? ` (${record.resolution.action})` : ''}`,
          `异议 ${id} 已${record.status === 'rejected' ? '不予支持' : '办结或已处理'}`,
          'id',
        );
      }
      if (record.pendingCorrection) {
        if (same(record.pendingCorrection)) return view(actor, record);
        throw new ObjectionRefusal(
          'CORRECTION_PENDING',
          `a correction of ${record.pendingCorrection.fact} awaits a second supervisor's confirmation: confirm or reject it first`,
          `已有一项更正待另一位督查人员确认，请先确认或退回`,
          'id',
        );
      }
      const reason = correctionReason(body.reason);
      // Refused now, before a second person is asked: an unknown subject, or no record at the department.
      await locateCorrection(deps.store, record.subjectKey, fact, body.value);
      const at = new Date();
      const shown = known.field.sensitivity === 'sensitive' ? '***' : JSON.stringify(body.value);
      const department = known.source.department;
      const updated = (await addObjectionStep(
        deps.store,
        id,
        {
          key: `correction-recorded#${randomUUID().slice(0, 8)}`,
          kind: 'correction-recorded',
          actor: `${actor.name}（代${department.zh}）`,
          actorId: actor.id,
          at,
          summary: {
            zh: `${actor.name}代${department.zh}登记更正${known.field.label.zh}为 ${shown}（理由：${reason}），待另一位督查人员确认后生效`,
            en: `${actor.name} recorded for ${department.en} a correction of ${known.field.label.en} to ${shown}: ${reason}; it applies once a second supervisor confirms it`,
          },
        },
        {
          status: 'correcting',
          pendingCorrection: { fact, value: body.value, reason, by: personRef(actor), at },
        },
      ))!;
      return view(actor, updated);
    },

    /**
     * A second supervisor — neither who recorded the correction nor who filed the objection —
     * confirms it: the department's record changes (its old value sealed for a revert, the audit
     * chained first), the citizen is told, and the objection is re-evaluated. Or rejects it with a
     * reason: nothing changes, and another correction may be recorded. Confirming a correction
     * already applied answers the objection as it stands; none pending is NO_PENDING_CORRECTION.
     */
    async confirmCorrection(
      actor: User,
      id: string,
      body: { action?: string; reason?: string },
    ): Promise<ObjectionView> {
      authorize(actor, 'objection.confirm-correction', ObjectionRefusal);
      const record = await readable(actor, id);
      const action = body.action ?? 'confirm';
      if (action !== 'confirm' && action !== 'reject')
        throw bad('action', 'action is confirm or reject', '处理方式须为 confirm（确认）或 reject（退回）');
      const pending = record.pendingCorrection;
      if (!pending) {
        if (action === 'confirm' && record.correction) return view(actor, record);
        throw new ObjectionRefusal(
          'NO_PENDING_CORRECTION',
          `objection ${id} has no correction awaiting confirmation`,
          `异议 ${id} 没有待确认的更正`,
          'id',
        );
      }
      const recorded = isSamePerson(pending.by, actor);
      if (
        conditionOf(actor.role, 'objection.confirm-correction') === 'not-recorder' &&
        (recorded || isSamePerson(record.filedBy, actor))
      )
        throw fourEyes(
          `${actor.name} ${recorded ? 'recorded this correction' : `filed objection ${id}`}: a second supervisor confirms it`,
          `${actor.name}${recorded ? '登记了该更正' : `提出了异议 ${id}`}，须由另一位督查人员确认`,
        );
      const known = checkFactValue(pending.fact, pending.value);
      if (action === 'reject') {
        const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
        if (reason.length < 5)
          throw bad(
            'reason',
            'state why the correction is rejected (at least 5 characters)',
            '请说明退回理由（至少5个字）',
          );
        const updated = (await addObjectionStep(
          deps.store,
          id,
          {
            key: `correction-rejected#${randomUUID().slice(0, 8)}`,
            kind: 'correction-rejected',
            actor: actor.name,
            actorId: actor.id,
            summary: {
              zh: `${actor.name}退回了${pending.by.name}登记的${known.field.label.zh}更正：${reason}`,
              en: `${actor.name} rejected the correction of ${known.field.label.en} ${pending.by.name} recorded: ${reason}`,
            },
          },
          { status: 'filed' },
          ['pendingCorrection'],
        ))!;
        return view(actor, updated);
      }
      const audit = await correctSharedFact(deps.store, {
        key: `${id}:correction`,
        subjectKey: record.subjectKey,
        fact: pending.fact,
        value: pending.value,
        reason: pending.reason,
        by: pending.by,
        confirmedBy: personRef(actor),
        secret: deps.subjectKeySecret,
      });
      const correction = {
        fact: audit.fact,
        source: audit.source,
        department: audit.department,
        ...(audit.oldValue === undefined ? {} : { oldValue: audit.oldValue }),
        newValue: audit.newValue,
        reason: audit.reason,
        by: audit.by,
        ...(audit.confirmedBy ? { confirmedBy: audit.confirmedBy } : {}),
        at: audit.at,
      };
      const shown = known.field.sensitivity === 'sensitive' ? '***' : JSON.stringify(audit.newValue);
      const updated = (await addObjectionStep(
        deps.store,
        id,
        {
          key: 'corrected',
          kind: 'corrected',
          actor: `${pending.by.name}（代${audit.department}），${actor.name}确认`,
          actorId: actor.id,
          at: audit.at,
          summary: {
            zh: `${audit.department}更正${known.field.label.zh}为 ${shown}（理由：${audit.reason}；${pending.by.name}登记，${actor.name}确认）`,
            en: `${known.source.department.en} corrected ${known.field.label.en} to ${shown}: ${audit.reason} (recorded by ${pending.by.name}, confirmed by ${actor.name})`,
          },
        },
        { status: 're-evaluating', correction },
        ['pendingCorrection'],
      ))!;
      // The citizen is told of every change to their record, whatever the re-evaluation decides.
      await deps.notify?.({
        noticeKey: `${id}:notice:corrected`,
        subjectKey: record.subjectKey,
        template: 'data.corrected',
        params: {
          policyTitle: (await titleOf(record)) ?? { zh: record.policyId, en: record.policyId },
          fact: known.field.label,
          department: known.source.department,
        },
      });
      await signal(updated, 'corrected');
      await closeTask(
        updated,
        actor,
        `correction of ${known.field.key} confirmed: decided again on the corrected record`,
      );
      return view(actor, updated);
    },

    /** A supervisor re-checks the decision as the records stand, or rejects the objection with a reason. */
    async resolve(actor: User, id: string, body: { action?: string; reason?: string }): Promise<ObjectionView> {
      authorize(actor, 'objection.resolve', ObjectionRefusal);
      const record = await readable(actor, id);
      const action = body.action;
      if (action !== 'reevaluate' && action !== 'reject')
        throw bad(
          'action',
          'action is reevaluate or reject',
          '处理方式须为 reevaluate（重新判定）或 reject（不予支持）',
        );
      const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
      if (reason.length < 5) throw bad('reason', 'state the reason (at least 5 characters)', '请说明理由（至少5个字）');
      if (record.resolution?.action === action || (action === 'reevaluate' && record.correction))
        return view(actor, record);
      if (record.status !== 'filed')
        throw new ObjectionRefusal(
          'OBJECTION_CLOSED',
          `objection ${id} is ${record.status}`,
          `异议 ${id} 已在处理或已办结`,
          'id',
        );
      const resolution = { action, reason, by: personRef(actor), at: new Date() } as const;
      const updated = (await addObjectionStep(
        deps.store,
        id,
        {
          key: `resolution`,
          kind: action === 'reject' ? 'rejection' : 're-check',
          actor: actor.name,
          actorId: actor.id,
          summary:
            action === 'reject'
              ? { zh: `督查人员决定不予支持：${reason}`, en: `supervisor rejects the objection: ${reason}` }
              : {
                  zh: `督查人员要求按现有数据重新判定：${reason}`,
                  en: `supervisor asks for a re-evaluation on the records as they stand: ${reason}`,
                },
        },
        { resolution, ...(action === 'reevaluate' ? { status: 're-evaluating' as const } : {}) },
      ))!;
      await signal(updated, action);
      await closeTask(updated, actor, `${action === 'reject' ? 'rejected' : 're-evaluation ordered'}: ${reason}`);
      return view(actor, updated);
    },
  };
}

export type ObjectionService = ReturnType<typeof createObjectionService>;
