/**
 * How an objection is answered over the API: dates as ISO strings, the subject masked (staff see
 * the last four characters, S3), fact labels from the catalog, and sensitive values and birth
 * dates ('***') masked for staff — the citizen sees their own claimed and corrected values. The
 * old value is stored masked already.
 */
import type { Connection } from 'mongoose';
import { shownIdentifier } from '../../domain/identity.js';
import { findFact, findSource, type Text } from '../../domain/sources.js';
import { shownFactValue } from '../../rules/explain.js';
import type { ObjectionKind, ObjectionOutcome, ObjectionRecord, ObjectionStatus } from '../../store/objections.js';
import { resolveSubject } from '../../store/subjects.js';
import type { PersonRef } from '../../store/users.js';
import { BIRTH_DATE_FACT } from '../cases/staff-view.js';

export interface ObjectionView {
  id: string;
  status: ObjectionStatus;
  subjectKey: string;
  subject: { kind: 'person' | 'enterprise'; subjectKey: string; maskedId?: string };
  policyId: string;
  /** The policy's title, from the version the objected decision pinned (the id when it cannot be read). */
  policyTitle: Text;
  caseId: string;
  decisionKey: string;
  kind: ObjectionKind;
  fact?: string;
  factLabel?: Text;
  claimedValue?: unknown;
  statement: string;
  filedBy: PersonRef;
  filedAt: string;
  workflowId: string;
  correction?: {
    fact: string;
    factLabel?: Text;
    source: string;
    department: string;
    departmentLabel?: Text;
    oldValue?: unknown;
    newValue: unknown;
    reason: string;
    by: PersonRef;
    confirmedBy?: PersonRef;
    at: string;
  };
  /** Recorded for the department, awaiting a second supervisor's confirmation. */
  pendingCorrection?: {
    fact: string;
    factLabel?: Text;
    value: unknown;
    reason: string;
    by: PersonRef;
    at: string;
  };
  resolution?: { action: 'reevaluate' | 'reject'; reason: string; by: PersonRef; at: string };
  outcome?: ObjectionOutcome;
  steps: Array<{ at: string; kind: string; actor: string; actorId?: string; summary: Text }>;
  links: { timeline: string };
}

/** The objection as the API answers it; `revealValues` for the citizen it concerns. */
export async function objectionView(
  store: Connection,
  record: ObjectionRecord,
  options: { revealValues: boolean; policyTitle?: Text },
): Promise<ObjectionView> {
  // Staff see no birth date (services/cases/staff-view.ts); the citizen sees their own values.
  const shown = (fact: string, value: unknown) =>
    options.revealValues
      ? value
      : fact === BIRTH_DATE_FACT && value !== undefined && value !== null
        ? '***'
        : shownFactValue(fact, value);
  const resolved = await resolveSubject(store, record.subjectKey);
  const maskedId = resolved ? shownIdentifier(resolved, options.revealValues ? 'subject' : 'staff') : undefined;
  const { correction, pendingCorrection, resolution } = record;
  return {
    id: record._id,
    status: record.status,
    subjectKey: record.subjectKey,
    subject: { kind: resolved?.kind ?? 'person', subjectKey: record.subjectKey, ...(maskedId ? { maskedId } : {}) },
    policyId: record.policyId,
    policyTitle: options.policyTitle ?? { zh: record.policyId, en: record.policyId },
    caseId: record.caseId,
    decisionKey: record.decisionKey,
    kind: record.kind,
    ...(record.fact ? { fact: record.fact, factLabel: findFact(record.fact)?.field.label } : {}),
    ...(record.fact && record.claimedValue !== undefined && record.claimedValue !== null
      ? { claimedValue: shown(record.fact, record.claimedValue) }
      : {}),
    statement: record.statement,
    filedBy: record.filedBy,
    filedAt: new Date(record.filedAt).toISOString(),
    workflowId: record.workflowId,
    ...(correction
      ? {
          correction: {
            fact: correction.fact,
            factLabel: findFact(correction.fact)?.field.label,
            source: correction.source,
            department: correction.department,
            ...(findSource(correction.source) ? { departmentLabel: findSource(correction.source)!.department } : {}),
            ...(correction.oldValue === undefined ? {} : { oldValue: shown(correction.fact, correction.oldValue) }),
            newValue: shown(correction.fact, correction.newValue),
            reason: correction.reason,
            by: correction.by,
            ...(correction.confirmedBy ? { confirmedBy: correction.confirmedBy } : {}),
            at: new Date(correction.at).toISOString(),
          },
        }
      : {}),
    ...(pendingCorrection
      ? {
          pendingCorrection: {
            fact: pendingCorrection.fact,
            factLabel: findFact(pendingCorrection.fact)?.field.label,
            value: shown(pendingCorrection.fact, pendingCorrection.value),
            reason: pendingCorrection.reason,
            by: pendingCorrection.by,
            at: new Date(pendingCorrection.at).toISOString(),
          },
        }
      : {}),
    ...(resolution ? { resolution: { ...resolution, at: new Date(resolution.at).toISOString() } } : {}),
    ...(record.outcome ? { outcome: record.outcome } : {}),
    steps: record.steps.map((step) => ({
      at: new Date(step.at).toISOString(),
      kind: step.kind,
      actor: step.actor,
      ...(step.actorId ? { actorId: step.actorId } : {}),
      summary: step.summary,
    })),
    links: { timeline: `/cases/${encodeURIComponent(record.caseId)}/timeline` },
  };
}
