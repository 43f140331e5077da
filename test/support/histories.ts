/**
 * Recorded workflow histories (test/histories/<name>.json) in the proto JSON form Temporal's
 * tools write (`temporal workflow show --output json`, `historyToJSON`): which ones exist,
 * what path each pins, how to load them for replay, and the privacy check they must pass.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import {
  validateCreditCode,
  validateResidentId,
  creditCodeCheckChar,
  residentIdCheckChar,
} from '../../domain/identity.js';
import { localActivityOf } from '../../services/cases/timeline.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));

/**
 * Every recorded history: the workflow type it runs and, as a sentence, the path it pins.
 * `npm run record-histories` writes these files and the replay test reads exactly these.
 */
export const RECORDED_HISTORIES = {
  'stack-probe': { workflowType: 'stackProbe', path: 'a stack probe writes its record once' },
  'life-event-birth-granted': {
    workflowType: 'lifeEvent',
    path: 'a birth in the city starts an auto grant of the childcare subsidy',
  },
  'life-event-birth-granted@case-search-outcome-department': {
    workflowType: 'lifeEvent',
    path: 'the same birth since the case search patch: AfOutcome and AfDepartment set, the grant started with AfDepartment',
  },
  'life-event-birth-granted@case-one-read': {
    workflowType: 'lifeEvent',
    path: 'the same birth since case-one-read: the policies resolved and the case decided in two local activities',
  },
  'life-event-birth-undetermined': {
    workflowType: 'lifeEvent',
    path: 'a birth with no birth date on record goes to manual review',
  },
  'life-event-sixtieth-offered': {
    workflowType: 'lifeEvent',
    path: 'a 60th birthday offers the senior preferential card',
  },
  'life-event-sixtieth-offered@case-one-read': {
    workflowType: 'lifeEvent',
    path: "a 60th birthday since case-one-read: the four policies' facts from one read per source, decided in one local activity",
  },
  'life-event-annual-review-pledged': {
    workflowType: 'lifeEvent',
    path: "a young firm's annual review grants the start-up subsidy on its pledge",
  },
  'grant-benefit': { workflowType: 'grantBenefit', path: 'the childcare subsidy is granted and the family notified' },
  'grant-benefit@grant-local': {
    workflowType: 'grantBenefit',
    path: 'the same grant since grant-local: recorded and notified in two local activities, in its first workflow task',
  },
  'offer-confirmed': { workflowType: 'offerBenefit', path: 'the citizen confirms the offer before the first reminder' },
  'offer-declined': { workflowType: 'offerBenefit', path: 'the citizen declines the offer' },
  'offer-confirmed@offer-answer-update': {
    workflowType: 'offerBenefit',
    path: 'the citizen confirms by the answerOffer update, acted on as it arrives and answered with the grant',
  },
  'offer-declined@offer-answer-update': {
    workflowType: 'offerBenefit',
    path: 'the citizen declines by the answerOffer update, acted on as it arrives',
  },
  'offer-confirmed-by-signal@offer-answer-update': {
    workflowType: 'offerBenefit',
    path: "an older client's confirm signal, acted on as it arrives since the patch",
  },
  'offer-expired': {
    workflowType: 'offerBenefit',
    path: 'nobody answers: reminders 7 days and 1 day before, expiry after 30 days',
  },
  'pledge-passed': { workflowType: 'pledgeBenefit', path: 'the 30-day inspection confirms the pledge' },
  'pledge-revoked': {
    workflowType: 'pledgeBenefit',
    path: 'the 30-day inspection finds arrears and revokes the grant',
  },
  'pledge-inconclusive': {
    workflowType: 'pledgeBenefit',
    path: 'the certifying data is missing at inspection and an officer takes over',
  },
  'pledge-passed@pledge-signature': {
    workflowType: 'pledgeBenefit',
    path: 'the firm signs the written notice in the app; granted, and the 30-day inspection confirms the pledge',
  },
  'pledge-revoked@pledge-signature': {
    workflowType: 'pledgeBenefit',
    path: 'the firm signs; granted, and the 30-day inspection finds arrears and revokes the grant',
  },
  'pledge-inconclusive@pledge-signature': {
    workflowType: 'pledgeBenefit',
    path: "the firm signs; at inspection the certifying data is missing and an inspector's task opens",
  },
  'pledge-lapsed@pledge-signature': {
    workflowType: 'pledgeBenefit',
    path: 'the firm never signs the written notice: after 30 days the pledge lapses, nothing granted',
  },
  'pledge-verified@pledge-signature': {
    workflowType: 'pledgeBenefit',
    path: 'a false-pledge credit record bars pledge mode: the facts are verified with the departments and granted',
  },
  'inspection-resolution-revoked': {
    workflowType: 'inspectionResolution',
    path: 'an inspector finds the pledge false: the finding recorded, the pledge failed, the grant revoked with recovery and credit record, the firm told',
  },
  'sweep-done': { workflowType: 'sweep', path: 'a sweep screens a small city in two slices and finishes' },
  'sweep-paused-continued': {
    workflowType: 'sweep',
    path: 'a sweep starts paused, resumes, and continues as new after two slices',
  },
  'sweep-paused-continued@sweep-steer-update': {
    workflowType: 'sweep',
    path: 'a sweep paused and resumed by the steerSweep update records its resume at once, and continues as new after two slices',
  },
  'sweep-cancelled': { workflowType: 'sweep', path: 'a sweep cancelled before its first slice stops and says so' },
  'sweep-parts@sweep-parts': {
    workflowType: 'sweep',
    path: 'a sweep in two parts splits the city, starts a child per part and sums their reports until both are done',
  },
  'sweep-part': {
    workflowType: 'sweepPart',
    path: 'the first part of a sweep in parts screens its range slice by slice, reporting to its sweep after each',
  },
  'objection-arrears': {
    workflowType: 'objection',
    path: 'the federation corrects a disability grade: a new decision and arrears paid, the citizen told',
  },
  'objection-rejected': {
    workflowType: 'objection',
    path: 'a supervisor rejects the objection with a reason and the citizen is told',
  },
  'objection-arrears-two-periods': {
    workflowType: 'objection',
    path: 'a grade corrected after two cases decided on it: arrears paid for both months, one notice naming them',
  },
  'objection-card-revoked': {
    workflowType: 'objection',
    path: 'the police correct a household record: the confirmed senior card is revoked and the citizen told',
  },
  'scheduled-sweeps-daily': {
    workflowType: 'scheduledSweeps',
    path: "the daily schedule's run sweeps the day's due subjects of each date-driven policy",
  },
  'payroll-previewed': {
    workflowType: 'payroll',
    path: "a month's payroll re-checks the active entitlements slice by slice, ends one that no longer holds and assembles the batch for preview",
  },
  'scheduled-payroll': {
    workflowType: 'scheduledPayroll',
    path: "a payroll schedule's run pays its month's payroll as a child, up to its preview",
  },
  'stop-payments-death': {
    workflowType: 'stopPayments',
    path: 'a registered death ends the entitlements, withdraws and recovers in one activity',
  },
  'review-resolution-granted': {
    workflowType: 'reviewResolution',
    path: 'a reviewer supplies the missing birth date: the case is decided again and its grant workflow started',
  },
  'review-resolution-refused': {
    workflowType: 'reviewResolution',
    path: 'a reviewer refuses outright with a reason: the refusal letter and the refusal notice',
  },
  'review-resolution-reopened': {
    workflowType: 'reviewResolution',
    path: 'the facts supplied still leave the birth date missing: the review is opened again',
  },
  'human-task-escalated': {
    workflowType: 'humanTask',
    path: 'a returned-payment task reminds at 80 % of its 10 days, escalates when overdue, then takes its completion',
  },
  'application-approved': {
    workflowType: 'application',
    path: "a senior's home-care application with zero uploads: proofs by sharing, certificate, verification and pledge; the handler approves through the task and she is told",
  },
  'application-upload': {
    workflowType: 'application',
    path: 'a housing application whose no-housing verification answers no waits for that one proof; the upload signals it on, and the handler refuses',
  },
  'retention-purge': {
    workflowType: 'retentionPurge',
    path: 'the daily retention purge applies the retention schedule as of its start, in one activity',
  },
} as const satisfies Record<string, { workflowType: string; path: string }>;

export type HistoryName = keyof typeof RECORDED_HISTORIES;
export const HISTORY_NAMES = Object.keys(RECORDED_HISTORIES) as HistoryName[];

export function historyFile(name: HistoryName): string {
  return `${HISTORIES_DIR}${name}.json`;
}

/** A recorded history, ready for Worker.runReplayHistory / runReplayHistories. */
export interface RecordedHistory {
  /** The recorded run's workflow ID (workflowInfo() during replay sees the same one). */
  workflowId: string;
  history: History;
}

export function loadHistory(name: HistoryName): RecordedHistory {
  const history = historyFromJSON(JSON.parse(readFileSync(historyFile(name), 'utf8')));
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return { workflowId: started?.workflowId || `replay-${name}`, history };
}

/**
 * What a history did, step by step, in words: activities scheduled (by type), timers
 * (rounded to days) and how they ended, signals received, updates accepted, patches
 * recorded (patched() taking the new branch) and children started.
 */
export function historySteps(history: History): string[] {
  const steps: string[] = [];
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes)
      steps.push(event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    else if (event.timerStartedEventAttributes)
      steps.push(
        `timer ${Math.round(Number(event.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0) / 86_400)}d`,
      );
    else if (event.timerFiredEventAttributes) steps.push('timer fired');
    else if (event.timerCanceledEventAttributes) steps.push('timer cancelled');
    else if (event.workflowExecutionSignaledEventAttributes)
      steps.push(`signal ${event.workflowExecutionSignaledEventAttributes.signalName}`);
    else if (event.workflowExecutionUpdateAcceptedEventAttributes)
      steps.push(`update ${event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name}`);
    else if (localActivityOf(event)) steps.push(`local ${localActivityOf(event)!.type}`);
    else if (event.markerRecordedEventAttributes?.markerName === PATCH_MARKER)
      steps.push(`patch ${patchIdOf(event.markerRecordedEventAttributes)}`);
    else if (event.startChildWorkflowExecutionInitiatedEventAttributes)
      steps.push(`child ${event.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name}`);
  }
  return steps;
}

/** The marker patched() records (Temporal core's name for it) and the patch ID its details carry. */
const PATCH_MARKER = 'core_patch';
function patchIdOf(marker: {
  details?: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null;
}) {
  const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id : '?';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Lookaheads so that overlapping candidates are all tried (an ID may sit inside a longer run).
const RESIDENT_ID_CANDIDATE = /(?=(\d{17}[\dXx]))/g;
const CREDIT_CODE_CANDIDATE = /(?=([0-9A-HJ-NPQRTUWXY]{18}))/g;

const isValid = (validate: () => unknown) => {
  try {
    validate();
    return true;
  } catch {
    return false;
  }
};

/**
 * Every valid resident ID (GB 11643) or credit code (GB 32100) in a history's JSON text,
 * looking inside base64 payloads and metadata as well as plain fields. Empty for a history
 * that keeps to subject keys (DESIGN.md, data and privacy).
 */
export function identifiersIn(historyJson: string): string[] {
  const texts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      texts.push(value);
      if (BASE64.test(value)) texts.push(Buffer.from(value, 'base64').toString('utf8'));
    } else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object')
      Object.entries(value).forEach(([key, inner]) => (collect(key), collect(inner)));
  };
  collect(JSON.parse(historyJson));
  const found = new Set<string>();
  for (const text of texts) {
    for (const [, id] of text.matchAll(RESIDENT_ID_CANDIDATE)) {
      if (residentIdCheckChar(id) === id[17].toUpperCase() && isValid(() => validateResidentId(id))) found.add(id);
    }
    for (const [, code] of text.matchAll(CREDIT_CODE_CANDIDATE)) {
      if (creditCodeCheckChar(code) === code[17] && isValid(() => validateCreditCode(code))) found.add(code);
    }
  }
  return [...found];
}
