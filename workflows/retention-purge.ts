/**
 * The daily retention purge: one activity applies the retention schedule as of the run's start
 * (or the moment given), so a run caught up late purges what was due when it was scheduled.
 * The activity is idempotent: a retry, or a second run as of the same moment, finds nothing more.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RetentionPurgeInput, RetentionPurgeResult } from './contracts/retention.js';

const { purgeExpiredRecords } = proxyActivities<Activities>({
  // A first run on a large store removes a year's values in batches: give it time, with heartbeats.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10s', maximumAttempts: 5 },
});

export async function retentionPurge(input: RetentionPurgeInput): Promise<RetentionPurgeResult> {
  const asOf = input.asOf ?? workflowInfo().startTime.toISOString();
  return purgeExpiredRecords({ asOf });
}
