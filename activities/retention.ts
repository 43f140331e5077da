/**
 * The retention purge's activity: applies the retention schedule as of a moment
 * (services/retention/purge.ts). Idempotent: what it deletes is gone, and a decision whose values
 * were removed is marked, so a retry or a second run finds nothing more to do.
 */
import type { Connection } from 'mongoose';
import { purgeExpired } from '../services/retention/purge.js';
import type { RetentionPurgeResult } from '../workflows/contracts/index.js';

export function makeRetentionActivities(deps: { store: Connection }) {
  return {
    /** Deletes what outlived its period and removes the values of old decisions, as of `asOf`. */
    async purgeExpiredRecords(input: { asOf: string }): Promise<RetentionPurgeResult> {
      return purgeExpired(deps.store, new Date(input.asOf));
    },
  };
}
