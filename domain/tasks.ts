/**
 * People in the loop: every step the machine cannot take alone is a task (任务) with a type, a
 * statutory time limit (法定办结时限), an assignee by user ID, a status and an outcome. Reviewing an
 * undetermined decision, inspecting a pledge on site (事中事后核查), settling an inconclusive
 * automatic re-check, handling a returned payment, an objection and an outreach contact (应享尽享)
 * are all tasks; each runs as a durable `humanTask` workflow (workflows/task.ts) that reminds the
 * assignee at 80 % of its limit and escalates to the supervisors when overdue. Pure: the console
 * bundles this file.
 */
import type { Role } from './roles.js';
import type { Text } from './sources.js';

export type TaskType =
  'review' | 'inspection' | 'inconclusive-inspection' | 'returned-payment' | 'objection' | 'outreach' | 'application';

export const TASK_TYPES: readonly TaskType[] = [
  'review',
  'inspection',
  'inconclusive-inspection',
  'returned-payment',
  'objection',
  'outreach',
  'application',
];

/** open: nobody holds it; claimed: an assignee works on it; done: closed with an outcome; cancelled: its cause went away. */
export type TaskStatus = 'open' | 'claimed' | 'done' | 'cancelled';
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'claimed', 'done', 'cancelled'];

export const TASK_TYPE_TEXT: Readonly<Record<TaskType, Text>> = {
  review: { zh: '人工审核（无法自动判定）', en: 'review an undetermined decision' },
  inspection: { zh: '现场核查（告知承诺）', en: 'inspect a pledge on site' },
  'inconclusive-inspection': { zh: '核查无结论，人工核实', en: 'settle an inconclusive inspection' },
  'returned-payment': { zh: '退回款项处理', en: 'handle a returned payment' },
  objection: { zh: '异议处理', en: 'handle an objection' },
  outreach: { zh: '主动联系（应享尽享）', en: 'contact a person likely eligible' },
  application: { zh: '依申请事项办理（免提交）', en: 'handle an application for a listed matter' },
};

/**
 * The statutory time limit of each type where the policy sets none, in calendar days: 20 days for
 * a review (行政许可法 第四十二条's twenty working days, counted short), 30 for an inspection, 15 to
 * settle an inconclusive one, 10 for a returned payment, 60 for an objection (行政复议法's sixty
 * days) and 30 for an outreach contact.
 */
export const DEFAULT_TIME_LIMIT_DAYS: Readonly<Record<TaskType, number>> = {
  review: 20,
  inspection: 30,
  'inconclusive-inspection': 15,
  'returned-payment': 10,
  objection: 60,
  outreach: 30,
  // An application's limit is its matter's (in working days, services/applications): this is only the fallback.
  application: 20,
};

/**
 * Which staff roles handle each type (the `task-types` condition, domain/permissions.ts); a
 * supervisor sees and may take every type, and is who an overdue task escalates to.
 */
export const TASK_ROLES: Readonly<Record<TaskType, readonly Role[]>> = {
  review: ['officer', 'reviewer'],
  inspection: ['inspector'],
  'inconclusive-inspection': ['inspector'],
  'returned-payment': ['officer'],
  objection: ['supervisor'],
  outreach: ['officer', 'window'],
  application: ['officer'],
};

/** Reminder to the assignee (or, unassigned, to the worklist) at this share of the limit. */
export const REMIND_AT_SHARE = 0.8;

/** Where a fact supplied by a reviewer came from: what a person saw, with its reference (文号, 材料编号). */
export type ProvenanceKind = 'document-at-window' | 'department-reply' | 'site-visit' | 'other';
export const PROVENANCE_KINDS: readonly ProvenanceKind[] = [
  'document-at-window',
  'department-reply',
  'site-visit',
  'other',
];
export const PROVENANCE_TEXT: Readonly<Record<ProvenanceKind, Text>> = {
  'document-at-window': { zh: '窗口查验材料', en: 'a document seen at the window' },
  'department-reply': { zh: '部门书面回复', en: 'the department’s written reply' },
  'site-visit': { zh: '实地核查', en: 'a site visit' },
  other: { zh: '其他', en: 'other' },
};

export interface Provenance {
  kind: ProvenanceKind;
  /** The document's or reply's reference: a 文号, a form number, a file name. 1-200 characters. */
  reference: string;
  note?: string;
}

/** A fact a reviewer records for a case, in the catalog's type, with where it came from. */
export interface SuppliedFact {
  fact: string;
  /**
   * The value, as the reviewer gives it to the API. It never travels through a workflow's history
   * (personal values stay in the store): the task service keeps the values on the task record
   * (`suppliedValues`) and sends the completion without them; the review's resolution reads them back.
   */
  value?: string | number | boolean | null;
  provenance: Provenance;
}

/** An inspector's finding (事中事后核查): what the site or the documents showed. */
export type Finding = 'conforms' | 'does-not-conform' | 'cannot-verify';
export const FINDINGS: readonly Finding[] = ['conforms', 'does-not-conform', 'cannot-verify'];
export const FINDING_TEXT: Readonly<Record<Finding, Text>> = {
  conforms: { zh: '符合承诺', en: 'conforms' },
  'does-not-conform': { zh: '不符合承诺', en: 'does not conform' },
  'cannot-verify': { zh: '无法核实', en: 'cannot verify' },
};

/**
 * How a task is closed, by type:
 * - a review: the missing facts recorded with their provenance (the case re-evaluates with them),
 *   or a decision outright with its reason;
 * - an inspection or an inconclusive one: the inspector's finding with notes and evidence references;
 * - any other type: closed with a note (what was done).
 */
export type TaskOutcome =
  | { kind: 'facts-supplied'; facts: SuppliedFact[] }
  | { kind: 'decided'; outcome: 'eligible' | 'ineligible'; reason: string }
  | { kind: 'finding'; finding: Finding; notes: string; evidence: string[] }
  | { kind: 'closed'; note: string };

/** Which outcome kinds each type takes. */
export const OUTCOMES_BY_TYPE: Readonly<Record<TaskType, ReadonlyArray<TaskOutcome['kind']>>> = {
  review: ['facts-supplied', 'decided'],
  inspection: ['finding'],
  'inconclusive-inspection': ['finding'],
  'returned-payment': ['closed'],
  objection: ['closed'],
  outreach: ['closed'],
  // The handler approves (eligible) or refuses (ineligible) the application, with the reason.
  application: ['decided'],
};

/** What started the task: the record whose key the task's own key derives from. */
export interface TaskSource {
  kind: 'case' | 'pledge' | 'objection' | 'payroll-return' | 'outreach' | 'application';
  /** The source record's business key (a case ID, a pledge's key, an objection's ID…): pseudonymous, never a raw ID. */
  key: string;
}

/** One line of a task's history: who did what, when. */
export interface TaskEntry {
  at: Date;
  action: 'opened' | 'claimed' | 'released' | 'reassigned' | 'reminded' | 'escalated' | 'completed' | 'cancelled';
  byId?: string;
  byName?: string;
  note?: string;
}

/** A task as the store keeps it (store/tasks.ts) and the API returns it, dates as ISO strings on the wire. */
export interface TaskView {
  id: string;
  type: TaskType;
  status: TaskStatus;
  title: Text;
  source: TaskSource;
  caseId?: string;
  subjectKey?: string;
  policyId?: string;
  /** The department that owns the work (the policy's), for worklists by department. */
  department?: string;
  missingFacts: string[];
  failedSources: string[];
  timeLimitDays: number;
  openedAt: string;
  remindAt: string;
  dueAt: string;
  overdue: boolean;
  assigneeId?: string;
  assigneeName?: string;
  escalatedAt?: string;
  outcome?: TaskOutcome;
  completedAt?: string;
  completedById?: string;
  completedByName?: string;
  /** What the completion did (a resolution's action and sentence), once done. */
  resolution?: { action: string; text: Text; benefitWorkflowId?: string };
  /** Set on tasks made from the old manual_tasks rows by the one-time migration. */
  migratedFrom?: string;
  history: Array<Omit<TaskEntry, 'at'> & { at: string }>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The reminder and due instants of a task opened at `openedAt` with a limit of `days` calendar days. */
export function taskDeadlines(openedAt: Date, days: number): { remindAt: Date; dueAt: Date } {
  return {
    remindAt: new Date(openedAt.getTime() + Math.round(days * REMIND_AT_SHARE * DAY_MS)),
    dueAt: new Date(openedAt.getTime() + days * DAY_MS),
  };
}
