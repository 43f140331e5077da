/**
 * One case's timeline (案件轨迹): the Temporal history of the case and of each benefit workflow
 * it started, merged in time order with the application records — the event and its
 * deliveries, data-access records, decisions with each condition's (masked) value, manual
 * reviews, grants, offers, pledges and inspections, recoveries, notices and their delivery,
 * and the unmask log (reveals of the identifier, and explanations from the subject's data). Histories are read for names, times and outcomes, never for payloads.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Connection } from 'mongoose';
import { registerAccessRecordModel } from '../../store/access-records.js';
import { registerBenefitModels } from '../../store/benefits.js';
import { registerCaseModels, type LifeEventRecord } from '../../store/cases.js';
import { registerDecisionModels, type DecisionRecord } from '../../store/decisions.js';
import { PROVENANCE_TEXT } from '../../domain/tasks.js';
import { findFact } from '../../domain/sources.js';
import { taskResolutionWorkflowId } from '../../workflows/contracts/task.js';
import { registerNoticeModels } from '../../store/notices.js';
import { registerObjectionModel } from '../../store/objections.js';
import { FINDING_TEXT } from '../../domain/tasks.js';
import { unmasksOfCase } from '../../store/unmask-log.js';
import { registerTaskModels } from '../../store/tasks.js';
import { TASK_TYPE_TEXT, type TaskEntry } from '../../domain/tasks.js';

/** Each step of a task, as the timeline says it. */
const TASK_ACTION_TEXT: Record<TaskEntry['action'], Text> = {
  opened: { zh: '已立项，转人工办理', en: 'opened' },
  claimed: { zh: '已认领', en: 'claimed' },
  released: { zh: '已退回待办', en: 'released' },
  reassigned: { zh: '已改派', en: 'reassigned' },
  reminded: { zh: '即将到期，已提醒', en: 'reminded: due soon' },
  escalated: { zh: '已超期，已报督查', en: 'overdue: escalated to the supervisors' },
  completed: { zh: '已办结', en: 'completed' },
  cancelled: { zh: '已撤销', en: 'cancelled' },
};

/** A subject as supervisors see it: the kind, the pseudonymous key and the identifier masked. */
export interface MaskedSubject {
  kind: 'person' | 'enterprise';
  subjectKey: string;
  /** 3714**********123X; absent when the system of record does not know the key. */
  maskedId?: string;
}

type Text = { zh: string; en: string };

/** One line of the timeline. */
export interface TimelineEntry {
  at: string;
  kind: string;
  /** Who acted: a registry, a department, the rules engine, the workflow (system), a person. */
  actor: string;
  summary: Text;
  source: 'temporal' | 'record';
  /** The workflow the entry belongs to (Temporal entries). */
  workflowId?: string;
  detail?: Record<string, unknown>;
}

export interface CaseTimeline {
  caseId: string;
  eventType: string;
  /** Absent for staff when it is a birth date (a birth, an age milestone: services/cases/staff-view.ts). */
  eventDate?: string;
  subject: MaskedSubject;
  /** The case and each benefit workflow, with a link into the Temporal Web UI where one is configured. */
  workflows: Array<{
    workflowId: string;
    type: string;
    runId?: string;
    temporalUi?: string;
    history: 'read' | 'not-found';
  }>;
  entries: TimelineEntry[];
}

export interface TimelineDeps {
  store: Connection;
  temporal: Client;
  namespace: string;
  temporalUiUrl?: string;
}

/** A link to a workflow in the Temporal Web UI: its run's history, or the list filtered to its ID. */
export function temporalUiLink(base: string, namespace: string, workflowId: string, runId?: string): string {
  const root = `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return runId
    ? `${root}/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`
    : `${root}?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`;
}

const ACTIVITY_TEXT: Record<string, Text> = {
  resolvePolicies: { zh: '确定适用政策', en: 'policies in force resolved' },
  collectFacts: { zh: '调取共享数据', en: 'shared data fetched' },
  evaluateCase: { zh: '规则判定', en: 'eligibility decided' },
  decideCase: { zh: '调取共享数据并判定', en: 'shared data fetched and eligibility decided' },
  openManualReview: { zh: '转人工审核', en: 'manual review opened' },
  enqueueNotice: { zh: '通知已排队', en: 'notice queued' },
  recordGrant: { zh: '记录发放', en: 'grant recorded' },
  recordOffer: { zh: '记录待确认事项', en: 'offer recorded' },
  closeOffer: { zh: '待确认事项结束', en: 'offer closed' },
  recordPledge: { zh: '记录告知承诺', en: 'pledge recorded' },
  inspectPledge: { zh: '事后核查', en: 'pledge inspected' },
  closePledge: { zh: '核查结论', en: 'inspection closed' },
  revokePledgedGrant: { zh: '撤销发放', en: 'grant revoked' },
  checkPledgeCredit: { zh: '查询信用记录', en: 'credit records read' },
  recordPledgeNotice: { zh: '送达告知承诺书', en: 'written notice of the pledge sent' },
  recordPledgeSignature: { zh: '记录承诺签署', en: 'pledge signature recorded' },
  lapsePledge: { zh: '逾期未签署', en: 'pledge lapsed unsigned' },
  verifyInsteadOfPledge: { zh: '信用记录限制，改为核验', en: 'verified instead of pledged (credit record)' },
  openPledgeTask: { zh: '转核查人员', en: 'task opened for an inspector' },
  recordInspectionFinding: { zh: '记录核查结论', en: 'inspector’s finding recorded' },
  reevaluateObjection: { zh: '异议复核：重新判定', en: 'objection re-evaluated' },
  settleObjection: { zh: '异议复核：补发或追回', en: 'objection settled' },
  closeObjection: { zh: '异议办结', en: 'objection closed' },
  decideReview: { zh: '人工审核：重新判定', en: 'decided again on review' },
  startReviewedBenefit: { zh: '人工审核：启动办理', en: 'benefit started on review' },
  issueReviewRefusal: { zh: '人工审核：出具不予决定书', en: 'refusal letter issued on review' },
  reopenReview: { zh: '人工审核：仍无法判定，重新转审', en: 'review opened again' },
};
const OUTCOME_ZH: Record<string, string> = { eligible: '符合', ineligible: '不符合', undetermined: '待定' };

/**
 * What a review's decision adds to its timeline line (人工审核): who supplied which fact from what
 * document, or who decided outright and why. Values stay as the conditions show them (masked).
 */
export function reviewMarks(decision: Pick<DecisionRecord, 'suppliedFacts' | 'decidedBy' | 'reason'>): {
  actor: string;
  summary: Text;
  detail: Record<string, unknown>;
} {
  const supplied = decision.suppliedFacts ?? [];
  if (supplied.length > 0) {
    const people = [...new Set(supplied.map((s) => s.byName))].join('、');
    const each = (lang: 'zh' | 'en') =>
      supplied
        .map((s) => {
          const label = findFact(s.fact)?.field.label[lang] ?? s.fact;
          return `${label} (${PROVENANCE_TEXT[s.provenance.kind]?.[lang] ?? s.provenance.kind} ${s.provenance.reference})`;
        })
        .join(lang === 'zh' ? '；' : '; ');
    return {
      actor: people,
      summary: {
        zh: `（人工审核补充事实，${people}：${each('zh')}）`,
        en: ` (facts supplied on review by ${people}: ${each('en')})`,
      },
      detail: {
        suppliedFacts: supplied.map((s) => ({
          fact: s.fact,
          ...(s.shownValue === undefined ? {} : { shownValue: s.shownValue }),
          provenance: s.provenance,
          byId: s.byId,
          byName: s.byName,
          at: new Date(s.at).toISOString(),
        })),
      },
    };
  }
  if (decision.decidedBy)
    return {
      actor: decision.decidedBy.name,
      summary: {
        zh: `（人工审核直接认定，${decision.decidedBy.name}：${decision.reason ?? ''}）`,
        en: ` (decided on review by ${decision.decidedBy.name}: ${decision.reason ?? ''})`,
      },
      detail: { decidedBy: decision.decidedBy, reason: decision.reason },
    };
  return { actor: 'rules engine', summary: { zh: '', en: '' }, detail: {} };
}

/** Fields the decision schema does not list (an objection's links), read from the stored document. */
const pick = (record: object, keys: string[]) =>
  Object.fromEntries(keys.flatMap((key) => (key in record ? [[key, (record as Record<string, unknown>)[key]]] : [])));

const timeOf = (ts: temporal.api.history.v1.IHistoryEvent['eventTime']) =>
  new Date(Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6)).toISOString();
const seconds = (duration: { seconds?: unknown } | null | undefined) => Number(duration?.seconds ?? 0);
const span = (s: number) => (s >= 86_400 ? `${Math.round(s / 8640) / 10} d` : `${s} s`);

/** The marker Temporal records for a local activity, with its type and attempt in the `data` payload. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** A local activity's type, attempt and failure from its marker; undefined for any other event. */
export function localActivityOf(
  event: temporal.api.history.v1.IHistoryEvent,
): { type: string; attempt: number; failure?: string } | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  const parsed = data
    ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; attempt?: number })
    : {};
  return {
    type: parsed.activity_type ?? 'activity',
    attempt: parsed.attempt ?? 1,
    ...(marker.failure ? { failure: marker.failure.message ?? '' } : {}),
  };
}

/** Timeline entries of one workflow's history: start, activities by name, timers, signals, children, the end. */
export function historyEntries(
  workflowId: string,
  events: temporal.api.history.v1.IHistoryEvent[],
): { entries: TimelineEntry[]; children: Array<{ workflowId: string; runId?: string; type: string }> } {
  const entries: TimelineEntry[] = [];
  const children: Array<{ workflowId: string; runId?: string; type: string }> = [];
  const scheduled = new Map<string, string>();
  const add = (
    event: temporal.api.history.v1.IHistoryEvent,
    kind: string,
    summary: Text,
    detail: Record<string, unknown> = {},
    actor = 'system',
  ) =>
    entries.push({
      at: timeOf(event.eventTime),
      kind,
      actor,
      summary,
      source: 'temporal',
      workflowId,
      detail: { eventId: Number(event.eventId), ...detail },
    });
  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started)
      add(
        event,
        'workflow.started',
        { zh: `工作流启动（${started.workflowType?.name}）`, en: `workflow started (${started.workflowType?.name})` },
        { type: started.workflowType?.name },
      );
    const activity = event.activityTaskScheduledEventAttributes;
    if (activity) scheduled.set(String(event.eventId), activity.activityType?.name ?? 'activity');
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const name = scheduled.get(String(done.scheduledEventId)) ?? 'activity';
      add(event, `activity.${name}`, ACTIVITY_TEXT[name] ?? { zh: `活动完成：${name}`, en: `${name} completed` }, {
        activity: name,
      });
    }
    const local = localActivityOf(event);
    if (local && local.failure === undefined)
      add(
        event,
        `activity.${local.type}`,
        ACTIVITY_TEXT[local.type] ?? { zh: `活动完成：${local.type}`, en: `${local.type} completed` },
        { activity: local.type, local: true },
      );
    else if (local)
      add(
        event,
        'activity.failed',
        { zh: `活动失败：${local.type}`, en: `${local.type} failed` },
        { activity: local.type, local: true, failure: local.failure },
      );
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const name = scheduled.get(String(failed.scheduledEventId)) ?? 'activity';
      add(
        event,
        'activity.failed',
        { zh: `活动失败：${name}`, en: `${name} failed` },
        { activity: name, failure: failed.failure?.message, type: failed.failure?.applicationFailureInfo?.type },
      );
    }
    const timer = event.timerStartedEventAttributes;
    if (timer)
      add(
        event,
        'timer.started',
        {
          zh: `设定定时器：${span(seconds(timer.startToFireTimeout))}`,
          en: `timer set for ${span(seconds(timer.startToFireTimeout))}`,
        },
        { timerId: timer.timerId, seconds: seconds(timer.startToFireTimeout) },
      );
    if (event.timerFiredEventAttributes)
      add(
        event,
        'timer.fired',
        { zh: '定时器到期', en: 'timer fired' },
        { timerId: event.timerFiredEventAttributes.timerId },
      );
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal)
      add(
        event,
        'signal',
        { zh: `收到信号：${signal.signalName}`, en: `signal ${signal.signalName} received` },
        { signal: signal.signalName },
        signal.identity || 'client',
      );
    const child = event.childWorkflowExecutionStartedEventAttributes;
    if (child?.workflowExecution?.workflowId) {
      const type = child.workflowType?.name ?? 'workflow';
      children.push({
        workflowId: child.workflowExecution.workflowId,
        runId: child.workflowExecution.runId ?? undefined,
        type,
      });
      add(
        event,
        'child.started',
        { zh: `启动子流程 ${type}`, en: `child workflow ${type} started` },
        { child: child.workflowExecution.workflowId, type },
      );
    }
    if (event.startChildWorkflowExecutionFailedEventAttributes) {
      const failedChild = event.startChildWorkflowExecutionFailedEventAttributes;
      add(
        event,
        'child.already-started',
        { zh: '该待遇已由其他案件办理', en: 'the benefit was already handled by another case' },
        { child: failedChild.workflowId },
      );
    }
    if (event.workflowExecutionCompletedEventAttributes)
      add(event, 'workflow.completed', { zh: '工作流完成', en: 'workflow completed' });
    if (event.workflowExecutionFailedEventAttributes)
      add(
        event,
        'workflow.failed',
        { zh: '工作流失败', en: 'workflow failed' },
        { failure: event.workflowExecutionFailedEventAttributes.failure?.message },
      );
    if (event.workflowExecutionTerminatedEventAttributes)
      add(event, 'workflow.terminated', { zh: '工作流被终止', en: 'workflow terminated' });
    if (event.workflowExecutionContinuedAsNewEventAttributes)
      add(event, 'workflow.continued', { zh: '工作流续作', en: 'workflow continued as new' });
  }
  return { entries, children };
}

/** Reads one workflow's history; undefined when Temporal no longer (or never) had it. */
async function readHistory(client: Client, workflowId: string, runId?: string) {
  try {
    const handle = client.workflow.getHandle(workflowId, runId);
    const [history, description] = await Promise.all([handle.fetchHistory(), runId ? undefined : handle.describe()]);
    return { events: history.events ?? [], runId: runId ?? description?.runId };
  } catch {
    return undefined;
  }
}

/** Builds the timeline of a case the caller may read (access is checked in cases.ts). */
export async function buildTimeline(
  deps: TimelineDeps,
  record: LifeEventRecord,
  subject: MaskedSubject,
): Promise<CaseTimeline> {
  const { caseId } = record;
  const { EventDelivery } = registerCaseModels(deps.store);
  const { Decision } = registerDecisionModels(deps.store);
  const { Grant, Offer, Pledge, Recovery } = registerBenefitModels(deps.store);
  const { Notice } = registerNoticeModels(deps.store);
  const entries: TimelineEntry[] = [];
  const rec = (at: Date | undefined, kind: string, actor: string, summary: Text, detail: Record<string, unknown>) => {
    if (at) entries.push({ at: at.toISOString(), kind, actor, summary, source: 'record', detail });
  };

  // Temporal: the case, then every child it started (and any benefit workflow whose records name the case).
  const workflows: CaseTimeline['workflows'] = [];
  const link = (workflowId: string, runId?: string) =>
    deps.temporalUiUrl ? { temporalUi: temporalUiLink(deps.temporalUiUrl, deps.namespace, workflowId, runId) } : {};
  const caseHistory = await readHistory(deps.temporal, caseId);
  workflows.push({
    workflowId: caseId,
    type: 'lifeEvent',
    ...(caseHistory?.runId ? { runId: caseHistory.runId } : {}),
    ...link(caseId, caseHistory?.runId),
    history: caseHistory ? 'read' : 'not-found',
  });
  const fromCase = caseHistory ? historyEntries(caseId, caseHistory.events) : { entries: [], children: [] };
  entries.push(...fromCase.entries);

  const [grants, offers, pledges] = await Promise.all([
    Grant.find({ caseId }).lean(),
    Offer.find({ caseId }).lean(),
    Pledge.find({ caseId }).lean(),
  ]);
  // Objections about the case run workflows of their own; their arrears top-ups are records, not workflows.
  const objections = (await registerObjectionModel(deps.store).find({ caseId }).lean()).sort(
    (a, b) => a.filedAt.getTime() - b.filedAt.getTime(),
  );
  const childIds = new Map(fromCase.children.map((c) => [c.workflowId, c]));
  for (const key of [...grants.filter((g) => g.basis !== 'objection-arrears'), ...offers, ...pledges].map((r) => r.key))
    if (!childIds.has(key)) childIds.set(key, { workflowId: key, type: 'benefit' });
  for (const objection of objections)
    childIds.set(objection.workflowId, { workflowId: objection.workflowId, type: 'objection' });
  // A review that closed the case ran a resolution workflow of its own (started by the review task's).
  for (const reviewed of await Decision.find({ caseId, taskKey: { $exists: true } }, { taskKey: 1 }).lean())
    if (reviewed.taskKey) {
      const workflowId = taskResolutionWorkflowId(reviewed.taskKey);
      childIds.set(workflowId, { workflowId, type: 'reviewResolution' });
    }
  for (const child of childIds.values()) {
    const history = await readHistory(deps.temporal, child.workflowId, child.runId);
    const runId = child.runId ?? history?.runId;
    workflows.push({
      workflowId: child.workflowId,
      type: child.type,
      ...(runId ? { runId } : {}),
      ...link(child.workflowId, runId),
      history: history ? 'read' : 'not-found',
    });
    if (history) entries.push(...historyEntries(child.workflowId, history.events).entries);
  }

  // Records: the event, its deliveries, data access, decisions, reviews, benefits, notices, reveals.
  rec(
    record.receivedAt,
    'event.received',
    record.source,
    {
      zh: `收到生活事件 ${record.type}（${record.eventDate}）`,
      en: `life event ${record.type} of ${record.eventDate} received`,
    },
    { type: record.type, eventDate: record.eventDate },
  );
  for (const delivery of await EventDelivery.find({ caseId }).lean()) {
    rec(
      delivery.receivedAt,
      'event.delivery',
      delivery.source,
      { zh: `事件投递（${delivery.source}）`, en: `event delivered by ${delivery.source}` },
      { sourceEventId: delivery.sourceEventId },
    );
  }
  for (const access of await registerAccessRecordModel(deps.store).find({ caseId }).lean()) {
    rec(
      access.at,
      'data.access',
      access.department,
      {
        zh: `${access.department}数据被读取：${access.fields.join('、')}（用途：${access.purposes.join('；')}）`,
        en: `${access.source} read: ${access.fields.join(', ')} for ${access.policyId}`,
      },
      {
        source: access.source,
        department: access.department,
        policyId: access.policyId,
        policyVersion: access.policyVersion,
        fields: access.fields,
        purposes: access.purposes,
        outcome: access.outcome,
      },
    );
  }
  for (const decision of await Decision.find({ caseId }).lean()) {
    const amount = typeof decision.amount === 'number' ? decision.amount : undefined;
    const review = reviewMarks(decision);
    rec(
      decision.decidedAt,
      'decision',
      review.actor,
      {
        zh: `${decision.policy.id} 第${decision.policy.version}版：${OUTCOME_ZH[decision.outcome] ?? decision.outcome}${amount === undefined ? '' : `，金额 ${amount}`}${review.summary.zh}`,
        en: `${decision.policy.id} v${decision.policy.version}: ${decision.outcome}${amount === undefined ? '' : `, amount ${amount}`}${review.summary.en}`,
      },
      {
        decisionKey: decision.key,
        ...pick(decision, ['supersedes', 'supersededBy', 'objectionId', 'taskKey']),
        ...review.detail,
        policy: decision.policy,
        outcome: decision.outcome,
        amount,
        period: decision.period,
        asOf: decision.asOf,
        conditions: decision.conditions,
        missingFacts: decision.missingFacts,
        failedSources: decision.failedSources,
      },
    );
  }
  // Tasks of the case (a review, a pledge's inspection): each line of their history, with who acted.
  for (const task of await registerTaskModels(deps.store).Task.find({ caseId }).lean()) {
    const type = TASK_TYPE_TEXT[task.type];
    for (const entry of task.history ?? []) {
      const action = TASK_ACTION_TEXT[entry.action];
      const who = entry.byName ? `${entry.byName}` : '';
      rec(
        entry.at,
        task.type === 'review' && entry.action === 'opened' ? 'manual-review' : `task.${entry.action}`,
        entry.byName ?? 'system',
        {
          zh: `${type.zh}（${task.policyId ?? task.source.key}）${action.zh}${who ? `：${who}` : ''}${entry.note ? `（${entry.note}）` : ''}`,
          en: `${type.en} (${task.policyId ?? task.source.key}) ${action.en}${who ? ` by ${who}` : ''}${entry.note ? ` (${entry.note})` : ''}`,
        },
        {
          taskId: task.key,
          type: task.type,
          status: task.status,
          policyId: task.policyId,
          ...(entry.byId ? { byId: entry.byId } : {}),
          ...(entry.action === 'opened'
            ? { missingFacts: task.missingFacts, failedSources: task.failedSources, dueAt: task.dueAt }
            : {}),
          ...(entry.action === 'completed' && task.outcome ? { outcome: task.outcome } : {}),
          ...(entry.action === 'completed' && task.resolution ? { resolution: task.resolution } : {}),
        },
      );
    }
  }
  for (const grant of grants) {
    rec(
      grant.grantedAt,
      grant.basis === 'objection-arrears' ? 'arrears' : 'grant',
      'system',
      {
        zh: `发放 ${grant.policy.id}（${grant.period}）${grant.amount ?? ''}`,
        en: `${grant.policy.id} granted for ${grant.period}${grant.amount === undefined ? '' : `: ${grant.amount}`}`,
      },
      {
        grantKey: grant.key,
        policy: grant.policy,
        amount: grant.amount,
        period: grant.period,
        basis: grant.basis,
        status: grant.status,
      },
    );
    rec(
      grant.revokedAt,
      'grant.revoked',
      'system',
      { zh: `撤销发放 ${grant.policy.id}`, en: `${grant.policy.id} grant revoked` },
      { grantKey: grant.key, reason: grant.revokeReason },
    );
    for (const recovery of await Recovery.find({ grantKey: grant.key }).lean()) {
      rec(
        recovery.createdAt,
        'recovery',
        'system',
        { zh: `追回 ${recovery.amount}`, en: `recovery of ${recovery.amount} opened` },
        { recoveryKey: recovery.key, amount: recovery.amount, reason: recovery.reason, status: recovery.status },
      );
    }
  }
  for (const offer of offers) {
    rec(
      offer.offeredAt,
      'offer',
      'system',
      { zh: `待确认：${offer.policy.id}（${offer.period}）`, en: `${offer.policy.id} offered for ${offer.period}` },
      { offerKey: offer.key, amount: offer.amount, expiresAt: offer.expiresAt, status: offer.status },
    );
    rec(
      offer.answeredAt,
      `offer.${offer.status}`,
      offer.status === 'expired' ? 'system' : 'citizen',
      { zh: `待确认事项：${offer.status}`, en: `offer ${offer.status}` },
      { offerKey: offer.key },
    );
  }
  for (const pledge of pledges) {
    rec(
      pledge.pledgedAt,
      'pledge',
      'citizen',
      {
        zh: `告知承诺：${pledge.policy.id}，核查日 ${pledge.inspectOn}`,
        en: `${pledge.policy.id} granted on pledge, inspection on ${pledge.inspectOn}`,
      },
      {
        pledgeKey: pledge.key,
        pledgedFacts: pledge.pledgedFacts,
        inspectOn: pledge.inspectOn,
        inspector: pledge.inspector,
      },
    );
    // Assignments recorded before user IDs name the inspector only (and give nobody the case).
    rec(
      pledge.assignedAt,
      'inspection.assigned',
      pledge.assignedBy ?? 'supervisor',
      { zh: `核查指派给 ${pledge.inspector}`, en: `inspection assigned to ${pledge.inspector}` },
      {
        pledgeKey: pledge.key,
        inspector: pledge.inspector,
        ...(pledge.inspectorId ? { inspectorId: pledge.inspectorId } : {}),
        ...(pledge.assignedById ? { assignedById: pledge.assignedById } : {}),
      },
    );
    const signature = pledge.signature;
    rec(
      signature?.signedAt,
      'pledge.signed',
      signature?.channel === 'window' ? (signature.staffName ?? 'window') : 'citizen',
      signature?.channel === 'window'
        ? {
            zh: `窗口签署告知承诺书（纸质 ${signature.paperFormRef}，经办 ${signature.staffName}）`,
            en: `pledge signed at a window (paper form ${signature.paperFormRef}, recorded by ${signature.staffName})`,
          }
        : { zh: '手机签署告知承诺书', en: 'pledge signed in the app' },
      {
        pledgeKey: pledge.key,
        channel: signature?.channel,
        noticeHash: signature?.noticeHash,
        ...(signature?.staffId ? { staffId: signature.staffId, paperFormRef: signature.paperFormRef } : {}),
        ...(signature?.consent ? { consent: signature.consent } : {}),
      },
    );
    for (const finding of pledge.findings ?? [])
      rec(
        finding.at,
        'inspection.finding',
        finding.byName,
        {
          zh: `核查人员结论：${FINDING_TEXT[finding.finding].zh}（${finding.notes}）`,
          en: `inspector’s finding: ${FINDING_TEXT[finding.finding].en} (${finding.notes})`,
        },
        {
          pledgeKey: pledge.key,
          taskKey: finding.taskKey,
          finding: finding.finding,
          byId: finding.byId,
          evidence: finding.evidence,
        },
      );
    const closed: Record<string, Text> = {
      passed: { zh: '核查结论：属实', en: 'inspection passed' },
      failed: { zh: '核查结论：不属实', en: 'inspection failed' },
      unverified: { zh: '核查结论：无法核实，维持办理', en: 'inspection could not verify; the grant stands' },
      lapsed: { zh: '告知承诺书逾期未签署，未办理', en: 'pledge not signed in time; nothing granted' },
    };
    rec(
      pledge.inspectedAt,
      pledge.status === 'lapsed' ? 'pledge.lapsed' : 'inspection',
      pledge.inspector ?? 'system',
      closed[pledge.status] ?? { zh: `核查结论：${pledge.status}`, en: `inspection ${pledge.status}` },
      { pledgeKey: pledge.key, status: pledge.status, discrepancies: pledge.discrepancies },
    );
  }
  const owners = [caseId, ...childIds.keys()];
  const notices = (await Notice.find({ subjectKey: record.subjectKey }).lean()).filter((n) =>
    owners.some((owner) => n.noticeKey.startsWith(`${owner}:`)),
  );
  for (const notice of notices) {
    rec(
      notice.queuedAt,
      'notice.queued',
      'system',
      {
        zh: `通知（${notice.template}，${notice.channel}）已排队`,
        en: `notice ${notice.template} queued (${notice.channel})`,
      },
      {
        noticeKey: notice.noticeKey,
        template: notice.template,
        channel: notice.channel,
        status: notice.status,
        attempts: notice.attempts,
      },
    );
    rec(
      notice.deliveredAt,
      `notice.${notice.status}`,
      notice.channel,
      { zh: `通知（${notice.template}）已送达`, en: `notice ${notice.template} delivered (${notice.channel})` },
      { noticeKey: notice.noticeKey, channel: notice.channel, error: notice.error },
    );
  }
  for (const objection of objections) {
    for (const step of objection.steps)
      rec(step.at, `objection.${step.kind}`, step.actor, step.summary, {
        objectionId: objection._id,
        status: objection.status,
        ...(step.actorId ? { actorId: step.actorId } : {}),
        ...(step.kind === 'corrected' && objection.correction
          ? {
              fact: objection.correction.fact,
              department: objection.correction.department,
              oldValue: objection.correction.oldValue,
              reason: objection.correction.reason,
            }
          : {}),
      });
  }
  for (const reveal of await unmasksOfCase(deps.store, caseId)) {
    const explained = reveal.kind === 'explanation';
    rec(
      reveal.at,
      explained ? 'explanation' : 'unmask',
      reveal.actor,
      explained
        ? {
            zh: `${reveal.actor}查看了 ${reveal.policyId} 的判定数据依据，理由：${reveal.reason}`,
            en: `${reveal.actor} had the decision on ${reveal.policyId} explained from the subject's data: ${reveal.reason}`,
          }
        : {
            zh: `${reveal.actor}查看了完整身份标识，理由：${reveal.reason}`,
            en: `${reveal.actor} unmasked the identifier: ${reveal.reason}`,
          },
      {
        role: reveal.role,
        ...(reveal.actorId ? { actorId: reveal.actorId } : {}),
        reason: reveal.reason,
        ...(explained ? { policyId: reveal.policyId, policyVersion: reveal.policyVersion } : {}),
      },
    );
  }

  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { caseId, eventType: record.type, eventDate: record.eventDate, subject, workflows, entries };
}
