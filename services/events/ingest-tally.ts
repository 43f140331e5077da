/**
 * Counts what ingestion answered in this process, for `POST /events` and the demo feed
 * alike: the store keeps one record per source event ID, so a repeated delivery of the
 * same ID is only visible here.
 */
import { Refusal } from '../../domain/refusal.js';
import type { IngestResult } from './ingest.js';

export interface IngestTally {
  received: number;
  /** A new case was started. */
  accepted: number;
  /** Collapsed into an existing case: the same delivery again, or the same event from another registry. */
  duplicate: number;
  /** Refused (400 INVALID_EVENT or BACKDATED, 403 for a source or type its department may not publish): nothing was written. */
  rejected: number;
  /** The store or Temporal failed; the registry retries. */
  failed: number;
}

/** Wraps an ingest function so every call is counted; `tally()` reads the counts. */
export function countIngest<Args extends unknown[]>(
  ingest: (...args: Args) => Promise<IngestResult>,
): {
  ingest: (...args: Args) => Promise<IngestResult>;
  tally: () => IngestTally;
} {
  const counts: IngestTally = { received: 0, accepted: 0, duplicate: 0, rejected: 0, failed: 0 };
  return {
    async ingest(...args) {
      counts.received++;
      try {
        const result = await ingest(...args);
        counts[result.status]++;
        return result;
      } catch (error) {
        counts[error instanceof Refusal ? 'rejected' : 'failed']++;
        throw error;
      }
    },
    tally: () => ({ ...counts }),
  };
}
