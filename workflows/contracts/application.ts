/**
 * The proof-free application's contract (workflows/application.ts): one `application` workflow per
 * application (依申请 免提交) fills the shared fields, obtains each proof by its replacement, waits
 * for the proofs a failed replacement asks for, then hands the application to its department as a
 * human task (type 'application') within the matter's statutory limit and records the decision and
 * its notice. Its input is the application's opaque ID only: every personal value stays in the store.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ApplicationStatus } from '../../domain/applications.js';

/** The application workflow's type, for the service that starts it by name. */
export const APPLICATION_WORKFLOW_TYPE = 'application';

const PREFIX = 'application:';

/** Workflow ID of an application: one per application ID (`ap_…`, a hash), ever. */
export const applicationWorkflowId = (applicationId: string): string => `${PREFIX}${applicationId}`;

/** The task key of an application's handling (its humanTask runs as the application's child under taskWorkflowId of it). */
export const applicationTaskKey = (applicationId: string): string => `${applicationId}:handling`;

/** How long an application waits for the proofs it asked for before it lapses (withdrawn), in days. */
export const AWAITING_PROOFS_DAYS = 30;

export interface ApplicationInput {
  applicationId: string;
}

export interface ApplicationResult {
  status: Extract<ApplicationStatus, 'approved' | 'refused' | 'withdrawn'>;
}

export type ApplicationWorkflow = (input: ApplicationInput) => Promise<ApplicationResult>;

/** The applicant supplied what was asked (an upload): obtain the proofs again. */
export const proofsSuppliedSignal = defineSignal('proofsSupplied');

/** Where the application stands in its workflow. */
export const getApplicationStageQuery = defineQuery<ApplicationStatus | 'filling'>('getApplicationStage');

/** What obtaining the proofs found: the proofs still asked of the applicant (none: all obtained). */
export interface ObtainProofsResult {
  asked: string[];
}

/** The handling task as opened: its key and clock (ISO instants), for the humanTask child. */
export interface ApplicationTaskOpened {
  taskKey: string;
  openedAt: string;
  remindAt: string;
  dueAt: string;
}
