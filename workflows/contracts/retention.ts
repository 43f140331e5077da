/**
 * The retention purge's contract (security review S18): a daily Temporal Schedule
 * (services/retention/temporal-schedule.ts) starts workflows/retention-purge.ts, which applies the
 * retention schedule (services/retention/schedule.ts) as of its start in one activity.
 */

/** The purge's workflow type (workflows/workflow-types.check.ts holds it to the exported function). */
export const RETENTION_PURGE_WORKFLOW_TYPE = 'retentionPurge';

/** The schedule ID; `prefix` keeps deployments (and test runs) sharing a namespace apart. */
export function retentionScheduleId(prefix = 'applyfree'): string {
  return `${prefix}-retention-purge`;
}

const RUN_PREFIX = 'retention-purge';

/** The workflow ID of a purge run: Temporal appends each scheduled run's time to it; a run by hand names its own. */
export function retentionPurgeWorkflowId(suffix?: string): string {
  return suffix ? `${RUN_PREFIX}-${suffix}` : RUN_PREFIX;
}

export interface RetentionPurgeInput {
  /** The moment to purge as of (ISO); absent, the run's start. */
  asOf?: string;
}

/** What a run did, per collection: records deleted or whose values were removed. */
export interface RetentionPurgeResult {
  asOf: string;
  purged: Array<{ collection: string; action: string; count: number; before: string }>;
}

export type RetentionPurgeWorkflow = (input: RetentionPurgeInput) => Promise<RetentionPurgeResult>;
