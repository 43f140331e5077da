/**
 * A task as worklists show it (domain/tasks.ts TaskView): dates as ISO strings, whether it is
 * overdue now (open or claimed past its due date), a title from its type and policy, and its
 * history. Who sees which tasks is services/tasks/service.ts; this only shapes one.
 */
import { TASK_TYPE_TEXT, type TaskStatus, type TaskView } from '../../domain/tasks.js';
import type { Task } from '../../store/tasks.js';

/** Open or claimed: on someone's worklist, with its clock running. */
export const ACTIVE_STATUSES: readonly TaskStatus[] = ['open', 'claimed'];

export const isOverdue = (task: Pick<Task, 'status' | 'dueAt'>, now: Date): boolean =>
  ACTIVE_STATUSES.includes(task.status) && task.dueAt.getTime() < now.getTime();

const iso = (date: Date | undefined) => (date ? { value: date.toISOString() } : undefined);

export function taskView(task: Task, now: Date = new Date()): TaskView {
  const type = TASK_TYPE_TEXT[task.type];
  const optional = <K extends string>(key: K, value: string | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
  return {
    id: task.key,
    type: task.type,
    status: task.status,
    title: task.policyId
      ? { zh: `${type.zh}：${task.policyId}`, en: `${type.en}: ${task.policyId}` }
      : { zh: type.zh, en: type.en },
    source: { kind: task.source.kind, key: task.source.key },
    ...optional('caseId', task.caseId),
    ...optional('subjectKey', task.subjectKey),
    ...optional('policyId', task.policyId),
    ...optional('department', task.department),
    missingFacts: task.missingFacts ?? [],
    failedSources: task.failedSources ?? [],
    timeLimitDays: task.timeLimitDays,
    openedAt: task.openedAt.toISOString(),
    remindAt: task.remindAt.toISOString(),
    dueAt: task.dueAt.toISOString(),
    overdue: isOverdue(task, now),
    ...optional('assigneeId', task.assigneeId),
    ...optional('assigneeName', task.assigneeName),
    ...optional('escalatedAt', iso(task.escalatedAt)?.value),
    ...(task.outcome ? { outcome: task.outcome } : {}),
    ...optional('completedAt', iso(task.completedAt)?.value),
    ...optional('completedById', task.completedById),
    ...optional('completedByName', task.completedByName),
    ...(task.resolution ? { resolution: task.resolution } : {}),
    ...optional('migratedFrom', task.migratedFrom),
    history: (task.history ?? []).map((entry) => ({
      at: new Date(entry.at).toISOString(),
      action: entry.action,
      ...optional('byId', entry.byId),
      ...optional('byName', entry.byName),
      ...optional('note', entry.note),
    })),
  };
}
